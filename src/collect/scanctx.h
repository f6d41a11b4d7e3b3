/* What the owner scan is given for one refresh: the proc root, the sockets
 * the source kept, and where to look when a socket cannot be asked. */
#ifndef TT_COLLECT_SCANCTX_H
#define TT_COLLECT_SCANCTX_H

#include <stdbool.h>

#include "collect/endpoints.h"
#include "collect/fdlist.h"
#include "collect/pids.h"
#include "collect/source.h"
#include "collect/unix.h"
#include "collect/users.h"
#include "tenantop/portset.h"
#include "tenantop/u64set.h"

#define TT_OWN_NS 1 /* tt_scan_ctx.wanted value of a socket in the own namespace */
/* wanted value flag: keep only for a process that holds watched sockets too */
#define TT_WANT_WEAK (1ULL << 63)

typedef struct tt_scan_ctx {
	int rootfd;               /* O_PATH handle of the proc root */
	const char *root_path;    /* its path, for getxattr */
	bool real_proc;           /* the root is the kernel's /proc */
	tt_users *users;
	const tt_portset *ports;
	const tt_pids *pids;      /* this refresh's processes */
	const tt_endpoints *eps;  /* where each listed socket was last seen */
	tt_source *src;           /* asked for every inode when a socket cannot be asked */
	tt_fdlist *fdl;           /* every task's socket descriptors (the iterator), NULL: read /proc */
	tt_u64set wanted;         /* inodes of the sockets the source kept -> their netns
				   * (TT_OWN_NS for the collector's own) */
	tt_u64set ns_inodes;      /* every inode listed by another namespace's table */
	tt_u64set all_inodes;     /* every inode any table lists (when valid) */
	bool all_inodes_valid;
	bool check_held;          /* look for reset-but-held sockets */
	bool verify;              /* read again a share of the processes whose count of
				   * descriptors stayed (a descriptor swapped for another) */
	bool try_pidfd;
	tt_u64set held;           /* per refresh: inode -> socket index + 1 (0 = filtered) */
	tt_u64set unknown_ix;     /* per refresh: dead Unix client of unknown target -> socket index */
	const tt_unix_watch *uwatch; /* watched Unix socket paths */
	tt_unix_mem *umem;        /* Unix clients' targets */
} tt_scan_ctx;

void tt_scan_ctx_init(tt_scan_ctx *sc);
void tt_scan_ctx_free(tt_scan_ctx *sc);

#endif
