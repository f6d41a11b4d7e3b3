/* Every task's socket descriptors in one list, as the descriptor iterator
 * gives them (src/collect/bpffds.c), indexed by process (src/collect/fdlist.c). */
#ifndef TT_COLLECT_FDLIST_H
#define TT_COLLECT_FDLIST_H

#include <stddef.h>
#include <stdint.h>

#include "tenantop/u64set.h"

/* as in bpf/sockfds.bpf.c */
struct tt_sockfd {
	uint64_t ino;
	uint64_t cookie; /* 0: none given yet */
	uint32_t tgid;
	int32_t fd;
	uint16_t family;   /* AF_INET, AF_INET6, AF_UNIX, ... */
	uint16_t protocol; /* IPPROTO_TCP, ... */
	uint8_t state;     /* the kernel's socket state */
	uint8_t pad[3];
};

typedef struct tt_fdlist {
	struct tt_sockfd *v;
	size_t n, cap;
	tt_u64set first; /* tgid -> index of its first record + 1 */
} tt_fdlist;

void tt_fdlist_init(tt_fdlist *l);
void tt_fdlist_free(tt_fdlist *l);
/* After the records are in: order them by process (then descriptor) and
 * index them.  0, or -1 out of memory. */
int tt_fdlist_index(tt_fdlist *l);
/* The records of process tgid (*n of them; NULL, 0 when it has none). */
const struct tt_sockfd *tt_fdlist_of(const tt_fdlist *l, uint32_t tgid, size_t *n);

#endif
