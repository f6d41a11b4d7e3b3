/* Sockets a process holds that no table lists: TCP sockets reset but held
 * (state CLOSE) and Unix clients whose server end is gone, told apart with
 * what the socket says of itself (peek.c) (src/collect/held.c). */
#ifndef TT_COLLECT_HELD_H
#define TT_COLLECT_HELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collect/fdcache.h"
#include "collect/scanctx.h"
#include "tenantop/snapshot.h"
#include "tenantop/u64set.h"

/* What is known of a socket no table lists (or that might be so), kept
 * across refreshes while a descriptor holds it. */
enum { TT_PM_LIVE = 1, TT_PM_HELD, TT_PM_UNKNOWN, TT_PM_UNCONNECTED, TT_PM_UNIX_TARGET, TT_PM_UNIX_OTHER };
struct tt_peekmem {
	uint64_t inode;
	uint32_t gen;
	uint8_t what;       /* TT_PM_* */
	uint8_t family;
	uint8_t remembered; /* endpoints from an earlier sighting in the tables */
	uint16_t lport, rport;
	uint8_t laddr[16], raddr[16];
};

typedef struct tt_heldmem {
	struct tt_peekmem *pm;
	size_t npm, pm_cap;
	tt_u64set pm_index;    /* inode -> index in pm */
	tt_u64set proto_cache; /* inode -> protocol, across refreshes */
	uint32_t gen;          /* the refresh */
	int32_t pid;           /* the process whose sockets are being asked (pidfd), 0 none */
	int pidfd, pidfd_why;  /* its pidfd, opened once a scan; -1 and why not */
} tt_heldmem;

void tt_heldmem_init(tt_heldmem *hm);
void tt_heldmem_free(tt_heldmem *hm);
/* Forget what was learnt of descriptors not seen this refresh (and close
 * the scan's pidfd). */
void tt_heldmem_sweep(tt_heldmem *hm);

/* A socket descriptor that no table lists in the own namespace: is it a
 * held TCP socket?  Then the socket is appended to the snapshot (once: several
 * processes may hold it) and true; false when it is not one, or the
 * filter does not keep it.  watched: the process holds watched sockets too
 * (a dead connection of unknown endpoint is kept only then).  fresh: its
 * descriptors were just read. */
bool tt_held_tcp(tt_scan_ctx *sc, tt_heldmem *hm, const struct tt_pentry *e, const struct tt_pfd *fd, bool fresh,
		 bool watched, tt_snapshot *out);
/* A Unix client whose server end is gone, never seen alive: ask it where
 * it was connected.  false: not a watched connection (drop it). */
bool tt_held_unix(tt_scan_ctx *sc, tt_heldmem *hm, const struct tt_pentry *e, const struct tt_pfd *fd, bool watched,
		  tt_snapshot *out);

#endif
