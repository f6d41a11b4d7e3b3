/* Owners of descriptor-less sockets from kernel events (src/collect/bpfowners.c). */
#ifndef TT_COLLECT_BPFOWNERS_H
#define TT_COLLECT_BPFOWNERS_H

#include <stddef.h>

#include "collect/procinfo.h"
#include "collect/users.h"
#include "tenantop/collect.h"
#include "tenantop/snapshot.h"
#include "tenantop/u64set.h"

typedef struct tt_bpf_owners tt_bpf_owners;
tt_bpf_owners *tt_bpf_owners_open(char *why, size_t len); /* NULL: why not, in why */
void tt_bpf_owners_close(tt_bpf_owners *b);
/* Give each socket without a descriptor (TIME_WAIT, orphans) the process
 * seen connecting or closing it (tt_sock.event_proc), adding that process
 * to the snapshot (a stand-in when it has exited). */
void tt_bpf_owners_apply(tt_bpf_owners *b, int rootfd, tt_users *users, tt_snapshot *out);

#endif
