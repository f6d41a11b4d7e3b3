/* Every task's socket descriptors from the iter/task_file BPF iterator
 * (src/collect/bpffds.c, src/collect/bpf/sockfds.bpf.c): the owner scan's
 * alternative to a readlink of every /proc/PID/fd entry. */
#ifndef TT_COLLECT_BPFFDS_H
#define TT_COLLECT_BPFFDS_H

#include <stddef.h>

#include "collect/fdlist.h"

typedef struct tt_bpf_fds tt_bpf_fds;
/* In the loader's child (bpfload.c): the iterator attached, its link and
 * its map's descriptors into fds[2].  0, or -1 with msg. */
#define TT_BPF_ITER_FDS 2
struct tt_tenantop;
int tt_bpf_fds_attach(struct tt_tenantop *skel, int *fds, char *msg, size_t len);
/* Over those descriptors, which it takes.  NULL: out of memory. */
tt_bpf_fds *tt_bpf_fds_open(const int *fds);
void tt_bpf_fds_close(tt_bpf_fds *b);
/* Replace l's records with every task's socket descriptors, indexed.  0, or
 * -1 (then read /proc instead). */
int tt_bpf_fds_read(tt_bpf_fds *b, tt_fdlist *l);

#endif
