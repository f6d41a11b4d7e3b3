/* The per-process descriptor cache (src/collect/fdcache.c).
 *
 * Attribution is incremental: a process whose descriptor count (st_size of
 * /proc/PID/fd) is unchanged keeps the socket list of its last full scan;
 * its facts (cmdline, cwd, ...) are re-read every FACTS_TTL seconds.  A
 * full scan happens for new processes, changed descriptor counts, every
 * VERIFY_EVERY refreshes (pid reuse), and for the processes of a socket's
 * uid when a watched socket appears that no cached descriptor explains.
 * Fixture trees (not the kernel's /proc) are always scanned in full. */
#ifndef TT_COLLECT_FDCACHE_H
#define TT_COLLECT_FDCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collect/users.h"
#include "tenantop/snapshot.h"
#include "tenantop/u64set.h"

#define TT_FD_VERIFY_EVERY 10

enum { TT_PS_COMM, TT_PS_CMDLINE, TT_PS_CWD, TT_PS_EXE, TT_PS_CGROUP, TT_PS_USER, TT_PS_COUNT };

/* A socket's protocol, when known without asking its descriptor. */
enum { TT_PROTO_UNKNOWN = 0, TT_PROTO_OTHER = 1, TT_PROTO_TCP = 2, TT_PROTO_TCP6 = 3 };

struct tt_pfd {
	uint64_t inode;
	int32_t fd;
	uint8_t proto; /* TT_PROTO_* */
	uint32_t rec;  /* its record in this refresh's iterator list + 1 (what the socket says of
			* itself); 0: none, ask the socket */
};

struct tt_pentry {
	int32_t pid;
	uint64_t start;
	int64_t fd_size;    /* st_size of PID/fd at the last full scan, -1 unknown */
	uint32_t uid;       /* owner of PID/fd: the process's effective uid */
	uint32_t nfds;
	struct tt_pfd *fds; /* every socket descriptor */
	size_t nsock, cap;
	uint32_t gen, scanned_gen;
	bool has_facts;
	bool no_start;      /* its descriptors' count is known, its start time not read yet
			     * (it held no socket that matters when the iterator listed it) */
	double facts_at;
	tt_proc facts;      /* string fields unused: see s[] */
	char *s[TT_PS_COUNT];
};

typedef struct tt_fdcache {
	struct tt_pentry *v;
	size_t n, cap;
	tt_u64set index;    /* pid -> slot */
	uint32_t gen;       /* the refresh */
	tt_u64set missing;  /* watched inodes no descriptor explained last refresh */
	tt_u64set have;     /* per refresh: inodes of every cached descriptor (kept for its capacity) */
} tt_fdcache;

void tt_fdcache_init(tt_fdcache *fc);
void tt_fdcache_free(tt_fdcache *fc);
/* The entry of pid (created: a new one).  NULL out of memory. */
struct tt_pentry *tt_fdcache_get(tt_fdcache *fc, int32_t pid, bool *created);
/* Drop the entries of processes not seen this refresh (gen). */
void tt_fdcache_sweep(tt_fdcache *fc);
/* Full scan of one process's descriptors into its entry.  0, or -1 when it
 * vanished or its descriptors are unreadable (counted). */
int tt_fdcache_scan(tt_fdcache *fc, int rootfd, struct tt_pentry *e, int64_t fd_size, tt_snapshot *out);
/* The same from the descriptor iterator's records of the process (n of
 * them, the first at index first of the list): its start time read again
 * when fresh (pid reuse).  0, or -1 when it vanished (counted). */
struct tt_sockfd;
int tt_fdcache_take(tt_fdcache *fc, int rootfd, struct tt_pentry *e, int64_t fd_size, bool fresh,
		    const struct tt_sockfd *recs, size_t n, size_t first, tt_snapshot *out);
/* Put the process into the snapshot: its facts from the cache, re-read
 * when stale (always when not real_proc).  Its index, -1 when it vanished. */
long tt_fdcache_push_proc(int rootfd, bool real_proc, tt_users *users, struct tt_pentry *e, tt_snapshot *out);

#endif
