/* Owners of descriptor-less sockets from kernel events (src/collect/bpfowners.c). */
#ifndef TT_COLLECT_BPFOWNERS_H
#define TT_COLLECT_BPFOWNERS_H

#include <stddef.h>

#include "collect/delta.h"
#include "collect/procinfo.h"
#include "collect/users.h"
#include "tenantop/collect.h"
#include "tenantop/portset.h"
#include "tenantop/snapshot.h"
#include "tenantop/u64set.h"

typedef struct tt_bpf_owners tt_bpf_owners;
/* In the loader's child (bpfload.c), around the load of tenantop's eBPF
 * object: the event ring's size, then the programs attached and the
 * TT_BPF_OWNER_FDS descriptors they leave (0, or -1 with msg). */
#define TT_BPF_OWNER_FDS 13
struct tt_tenantop;
void tt_bpf_owners_prepare(struct tt_tenantop *skel);
int tt_bpf_owners_attach(struct tt_tenantop *skel, int *fds, char *msg, size_t len);
/* Over those descriptors, which it takes (closed on failure).  NULL: why
 * not, in why. */
tt_bpf_owners *tt_bpf_owners_open(const int *fds, char *why, size_t len);
void tt_bpf_owners_close(tt_bpf_owners *b);
/* Give each socket without a descriptor (TIME_WAIT, orphans) the process
 * seen connecting or closing it (tt_sock.event_proc), adding that process
 * to the snapshot (a stand-in when it has exited). */
/* Also: the connections opened and closed since the last refresh, to or
 * from the watched ports, into out->events (their owners into out->procs),
 * and the events lost (out->stats.events_dropped). */
void tt_bpf_owners_apply(tt_bpf_owners *b, int rootfd, tt_users *users, tt_snapshot *out);
/* Read the events so far (at the start of a refresh: the sockets read
 * after them then include what the connections that closed left, their
 * TIME_WAIT); apply turns them into the snapshot's. */
void tt_bpf_owners_drain(tt_bpf_owners *b);
/* The state changes read at the refresh's start (tt_bpf_owners_drain), in
 * their order, and the events lost since the program was attached (the
 * ring was full, or memory ran out): the event-driven refresh's input. */
const tt_sock_change *tt_bpf_owners_changes(const tt_bpf_owners *b, size_t *n, uint64_t *lost);
/* The kernel's tick count and boot clock now, and its tick rate.  0, or -1. */
int tt_bpf_owners_clock(tt_bpf_owners *b, tt_tick_clock *clk);
/* The ports whose connections the program reports (kept for apply). */
void tt_bpf_owners_watch(tt_bpf_owners *b, const tt_portset *ports);

#endif
