/* Every task's socket descriptors in one list, as the descriptor iterator
 * gives them (src/collect/bpffds.c), indexed by process (src/collect/fdlist.c). */
#ifndef TT_COLLECT_FDLIST_H
#define TT_COLLECT_FDLIST_H

#include <stddef.h>
#include <stdint.h>

#include "tenantop/portset.h"
#include "tenantop/u64set.h"

/* One socket descriptor (the iterator's record, see bpf/sockfds.bpf.c). */
struct tt_sockfd {
	uint64_t ino;
	uint32_t tgid;
	int32_t fd;
	uint16_t lport, rport; /* host order; an unhashed TCP socket's as getsockname and SO_PEERNAME say */
	uint8_t family;        /* AF_INET, AF_INET6, AF_UNIX, ... */
	uint8_t protocol;      /* IPPROTO_TCP, ... */
	uint8_t state;         /* the kernel's socket state */
	uint8_t flags;         /* TT_SFD_* */
	uint32_t addrs;        /* with TT_SFD_ADDRS: index + 1 of its endpoints in tt_fdlist.addrs */
};
#define TT_SFD_ADDRS 1 /* the record carries its endpoints (TCP, state CLOSE) */

/* The addresses of an unhashed TCP socket, as the socket would give them. */
struct tt_sockfd_addrs {
	uint8_t laddr[16], raddr[16];
};

typedef struct tt_fdlist tt_fdlist;
struct tt_fdlist {
	struct tt_sockfd *v;
	size_t n, cap;
	struct tt_sockfd_addrs *addrs;
	size_t naddrs, addrs_cap;
	tt_u64set first; /* tgid -> index of its first record + 1 */
	/* a list filled when the owner scan knows the watched ports (tt_fdlist_fill):
	 * the reader then leaves out sockets none of them could explain */
	int (*fill)(void *src, tt_fdlist *l, const tt_portset *ports);
	void *fill_src;
};

void tt_fdlist_init(tt_fdlist *l);
void tt_fdlist_free(tt_fdlist *l);
/* After the records are in: order them by process (then descriptor) and
 * index them.  0, or -1 out of memory. */
int tt_fdlist_index(tt_fdlist *l);
/* The records of process tgid (*n of them; NULL, 0 when it has none). */
const struct tt_sockfd *tt_fdlist_of(const tt_fdlist *l, uint32_t tgid, size_t *n);
/* Fill a list whose reader waits for the watched ports (ports NULL: every
 * socket).  0 (also when there is nothing to wait for), or -1: no list. */
int tt_fdlist_fill(tt_fdlist *l, const tt_portset *ports);
/* The endpoints of record r, NULL when it has none. */
const struct tt_sockfd_addrs *tt_fdlist_addrs(const tt_fdlist *l, const struct tt_sockfd *r);

#endif
