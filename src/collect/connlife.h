/* Each watched connection's lifecycle, followed from its state changes
 * (src/collect/connlife.c): when it opened, entered CLOSE_WAIT, was closed
 * by its application and closed; when it entered its current state; and
 * the process seen connecting or closing it.
 *
 * The kernel tells every state change of a socket on a watched port
 * (owners.bpf.c), in order; this keeps, per socket, what those changes
 * add up to, and says a connection's opening (once connected, its ports
 * known) and its close as one record each.  Kept in tenantop rather than
 * in a kernel map: the program then does no map work per change (a hash
 * entry's look-up, insert and delete were some 240 ns of the 790 a
 * watched change cost), and the table costs memory only here.
 *
 * The states are the kernel's (TCP_ESTABLISHED 1 ... TCP_CLOSING 11).
 * Never includes ncurses; reads nothing. */
#ifndef TT_COLLECT_CONNLIFE_H
#define TT_COLLECT_CONNLIFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenantop/u64set.h"

/* a record's flags (as the ring's: owners.bpf.c) */
#define TT_LF_OPEN 0x01      /* an opening (else a close) */
#define TT_LF_CLIENT 0x02    /* the connecting end */
#define TT_LF_TIME_WAIT 0x04 /* it closed into TIME_WAIT */
#define TT_LF_V6 0x08
#define TT_LF_RESET 0x10     /* closed with an error (reset, timeout) */
#define TT_LF_FIN_IN 0x20    /* a change only: the peer's FIN had come */
#define TT_LF_RESET_TO 0x40  /* a change only, no state change: a reset sent to an address pair */

/* the process a change ran in, when it is the socket's owner (connect(),
 * close()) */
typedef struct tt_life_owner {
	uint32_t tgid;
	uint64_t start_ns; /* its start, boot ns */
	char comm[16];
} tt_life_owner;

/* one state change, as the ring told it */
typedef struct tt_life_step {
	uint64_t cookie;
	uint64_t ts;           /* CLOCK_BOOTTIME, ns */
	uint8_t from, to;      /* kernel states */
	uint8_t flags;         /* TT_LF_TIME_WAIT, TT_LF_RESET at a close */
	bool v6;
	uint16_t lport, rport; /* as the change saw them (0: gone or not yet) */
	uint32_t uid;
	const tt_life_owner *owner; /* NULL: not the owner's context */
} tt_life_step;

/* one opening or one close */
typedef struct tt_conn_life {
	uint64_t cookie;
	uint64_t opened, close_wait, app_closed, closed; /* boot ns, 0 not seen */
	uint32_t tgid, uid;   /* the owner as the changes saw it (0 unknown) */
	uint16_t lport, rport;
	uint8_t flags;
	uint64_t start_ns;
	char comm[16];
} tt_conn_life;

typedef struct tt_connlife_ent tt_connlife_ent;

typedef struct tt_connlife {
	tt_connlife_ent *v;
	size_t n, cap;
	tt_u64set ix;  /* cookie -> index in v */
	uint32_t gen;  /* the sweeps so far */
} tt_connlife;

void tt_connlife_init(tt_connlife *t);
void tt_connlife_free(tt_connlife *t);
/* Follow one change.  1 with *out filled when it is a connection's opening
 * or close, 0 when not, -1 when out of memory (the socket is forgotten). */
int tt_connlife_step(tt_connlife *t, const tt_life_step *s, tt_conn_life *out);
/* When the socket entered its state as the changes tell it, boot ns, and
 * that state (the kernel's) in *state; 0 when no change of it was seen. */
uint64_t tt_connlife_since(const tt_connlife *t, uint64_t cookie, uint8_t *state);
/* After a full read of the table: mark each socket it has (cookie), then
 * forget the sockets neither marked nor changed since the last sweep (a
 * close not seen: the event lost, or its port no longer watched). */
void tt_connlife_mark(tt_connlife *t, uint64_t cookie);
void tt_connlife_sweep(tt_connlife *t);
/* Forget the sockets whose both ports the filter no longer has. */
void tt_connlife_forget(tt_connlife *t, bool (*watched)(const void *ctx, uint16_t port), const void *ctx);
size_t tt_connlife_count(const tt_connlife *t);

#endif
