/* The ring's pump: a thread that empties the kernel's event ring buffer
 * into memory every few milliseconds, so that the ring can stay small.
 *
 * The kernel maps a BPF ring buffer whole and its data twice over: an
 * 8 MiB ring costs 16 MiB of RSS from the start, idle or not.  Emptied
 * every 50 ms, and at once when the program finds it a quarter full, a
 * 512 KiB ring holds what tens of thousands of loopback connections a
 * second write, and the records wait here, in memory that grows only with
 * what happened since the last refresh (up to a cap: then the pump stops
 * and the full ring counts its drops, as without it).
 *
 * The owner of the ring fills the stage from its consumer's callback
 * (tt_ringpump_stage), under the pump's lock: the pump's thread does so
 * every period; a refresh takes the lock, consumes what is left the same
 * way and replays the stage in the order the ring gave it.  Period 0: no
 * thread, the stage is only filled by the refresh.  Never includes ncurses. */
#ifndef TT_COLLECT_RINGPUMP_H
#define TT_COLLECT_RINGPUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tt_ringpump tt_ringpump;

/* Empties the ring: tt_ringpump_stage for each record (the lock is held). */
typedef void (*tt_ringpump_fill)(void *ctx);
/* One staged record, replayed. */
typedef void (*tt_ringpump_take)(void *ctx, const void *data, size_t size);

/* A pump for fill(ctx), which stops while cap bytes are staged; no thread
 * yet.  NULL when out of memory. */
tt_ringpump *tt_ringpump_new(tt_ringpump_fill fill, void *ctx, size_t cap);
/* Its thread, calling fill every period_ms (0: none).  0, or -1 with a
 * message (the stage is then filled by the refreshes only). */
int tt_ringpump_start(tt_ringpump *p, unsigned period_ms, char *err, size_t errlen);
/* Before the thread starts: a descriptor whose readability calls for a
 * pass before the period is up (the ring's epoll descriptor, which the
 * program wakes once the ring is a quarter full); -1, the default: none. */
void tt_ringpump_wake_fd(tt_ringpump *p, int fd);
/* Stops the thread and frees the stage. */
void tt_ringpump_free(tt_ringpump *p);

void tt_ringpump_lock(tt_ringpump *p);
void tt_ringpump_unlock(tt_ringpump *p);
/* With the lock held: keep one record.  0, or -1 when out of memory (the
 * record is lost, counted in tt_ringpump_lost). */
int tt_ringpump_stage(tt_ringpump *p, const void *data, size_t size);
/* With the lock held: every staged record to take, in order, then none. */
void tt_ringpump_replay(tt_ringpump *p, tt_ringpump_take take, void *ctx);
/* Records lost for want of memory, so far. */
uint64_t tt_ringpump_lost(const tt_ringpump *p);
/* Bytes staged now; the times the thread found the stage at its cap. */
size_t tt_ringpump_staged(const tt_ringpump *p);
uint64_t tt_ringpump_stalls(const tt_ringpump *p);

#endif
