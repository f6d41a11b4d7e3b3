/* Socket sources: where a refresh's socket tables come from, and the
 * augmenters that add to what a polling source read.
 *
 * A source reads the TCP tables (both families) and the Unix stream table
 * into a snapshot; its capabilities say what else it gives.  The table in
 * source.c lists the sources (netlink sock_diag, /proc/net text) and the
 * augmenters (eBPF events); a --source choice names a plan over them.  To
 * add a source: a tt_source_ops in a file of its own, a line in the table. */
#ifndef TT_COLLECT_SOURCE_H
#define TT_COLLECT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "collect/delta.h"
#include "collect/fdlist.h"
#include "collect/filter.h"
#include "collect/unix.h"
#include "collect/users.h"
#include "tenantop/snapshot.h"
#include "tenantop/u64set.h"

enum tt_source_cap {
	TT_CAP_TCP_INFO = 1u << 0,   /* gives tcp_info (idle times, rtt, probes) */
	TT_CAP_COOKIES = 1u << 1,    /* gives socket cookies */
	TT_CAP_OWNERS = 1u << 2,     /* gives owners (of descriptor-less sockets) */
	TT_CAP_EVENTS = 1u << 3,     /* push events: sees what happens between refreshes */
	TT_CAP_UNIX_PEERS = 1u << 4, /* Unix sockets with their peers */
	TT_CAP_ALL_INODES = 1u << 5, /* a filtered read lists every inode too, for free */
	TT_CAP_LIVE_ONLY = 1u << 6,  /* reads the live kernel only, not another proc root */
	TT_CAP_FDS = 1u << 7,        /* lists every task's socket descriptors (owners without /proc/PID/fd) */
	TT_CAP_CHANGES = 1u << 8     /* tells every state change of the watched ports' sockets (event-driven refresh) */
};

/* What a source is opened over. */
typedef struct tt_source_env {
	int rootfd;            /* O_PATH handle of the proc root */
	const char *root_path; /* its path, for messages */
	bool real_proc;        /* the root is the kernel's /proc */
} tt_source_env;

typedef struct tt_source_ops {
	const char *name;     /* "netlink", "proc": the name JSON and the header show */
	unsigned caps;        /* enum tt_source_cap */
	const char *bad_what; /* what a malformed unit of its tables is called */
	/* NULL with a message when the source cannot be used here */
	void *(*open)(const tt_source_env *env, char *err, size_t errlen);
	/* Append the TCP sockets (both families) that pass f; info asks for
	 * tcp_info (TT_CAP_TCP_INFO); all (NULL: not wanted) gets every inode
	 * listed when the source has TT_CAP_ALL_INODES.  0, or -1 with a message. */
	int (*read_tcp)(void *st, const tt_sock_filter *f, bool info, tt_snapshot *out, tt_u64set *all,
			char *err, size_t errlen);
	/* Append the Unix stream sockets; malformed units counted in *bad.  0 or -1. */
	int (*read_unix)(void *st, tt_unix_table *t, uint32_t *bad, char *err, size_t errlen);
	void (*close)(void *st);
} tt_source_ops;

/* An augmenter: adds to a polling source's snapshot what the source cannot
 * see (owners of sockets without descriptors, from kernel events). */
typedef struct tt_augment_ops {
	const char *name;  /* "bpf": the source's name becomes "netlink+bpf" */
	unsigned caps;     /* what it adds (enum tt_source_cap) */
	unsigned needs;    /* what the polling source must give (cookies) */
	void *(*open)(char *why, size_t len);
	void (*apply)(void *st, int rootfd, tt_users *users, tt_snapshot *out);
	/* TT_CAP_FDS: every task's socket descriptors into l.  0, or -1 (then
	 * the owner scan reads /proc); NULL when it has none. */
	int (*list_fds)(void *st, tt_fdlist *l);
	void (*close)(void *st);
	/* NULL: nothing to do.  begin: at the refresh's start, before the
	 * tables (events read then are of connections the tables show what
	 * they left of); watch: the watched ports, before each apply */
	void (*begin)(void *st);
	void (*watch)(void *st, const tt_portset *ports);
	/* TT_CAP_CHANGES: the state changes read by begin, in order, and the
	 * events lost since it opened (NULL when it has none) */
	const tt_sock_change *(*changes)(void *st, size_t *n, uint64_t *lost);
	/* the kernel's tick clock now (TIME_WAIT timers are on it): 0, or -1 */
	int (*clock)(void *st, tt_tick_clock *clk);
} tt_augment_ops;

/* An open source. */
typedef struct tt_source {
	const tt_source_ops *ops;
	void *st;
	tt_snapshot scratch; /* for the unfiltered read of tt_source_all_inodes */
} tt_source;

/* The tables: by name (NULL when there is none), or the i-th (NULL past the end). */
const tt_source_ops *tt_source_find(const char *name);
const tt_source_ops *tt_source_at(size_t i);
const tt_augment_ops *tt_augment_find(const char *name);

/* What a --source choice (enum tt_source_kind) asks for. */
typedef struct tt_source_plan {
	const char *source;  /* the source to try */
	const char *augment; /* the augmenter to try with it, NULL none */
	bool need_source;    /* fail when the source cannot be used (else: text) */
	bool need_augment;   /* fail when the augmenter does not load */
	const char *option;  /* the choice's name in messages ("netlink", "bpf") */
} tt_source_plan;
/* 0, or -1 for a kind that is not known. */
int tt_source_plan_of(int kind, tt_source_plan *plan);

/* 0, or -1 with a message (the source is then closed). */
int tt_source_open(tt_source *s, const tt_source_ops *ops, const tt_source_env *env, char *err, size_t errlen);
void tt_source_close(tt_source *s);
static inline bool tt_source_has(const tt_source *s, unsigned cap)
{
	return s->ops && (s->ops->caps & cap) == cap;
}
/* Every inode of every TCP socket the source lists, port filter or not
 * (an unfiltered read).  0, or -1 with a message. */
int tt_source_all_inodes(tt_source *s, tt_u64set *all, char *err, size_t errlen);

#endif
