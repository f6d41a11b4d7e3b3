/* The collector: reads the machine into a snapshot.  Never includes ncurses.
 *
 * Every path is read relative to a proc root directory handle (openat), so
 * tests point it at a fixture tree with --proc DIR. */
#ifndef TENANTOP_COLLECT_H
#define TENANTOP_COLLECT_H

#include <stdbool.h>
#include <stddef.h>

#include "tenantop/portset.h"
#include "tenantop/snapshot.h"

enum tt_source_kind {
	TT_SRC_AUTO = 0,    /* netlink (+ eBPF events when they load) when the root is /proc, else text */
	TT_SRC_NETLINK = 1, /* sock_diag only (fails when unavailable) */
	TT_SRC_PROC = 2,    /* /proc/net/tcp{,6} text only */
	TT_SRC_BPF = 3      /* netlink, and the owners of short-lived connections from
			     * kernel events (eBPF; fails when it cannot load) */
};

typedef struct tt_collect_opts {
	const char *proc_root; /* "/proc" by default */
	tt_portset ports;      /* which sockets count; .all for --all-ports */
	int source;            /* enum tt_source_kind */
	bool want_info;        /* ask netlink for tcp_info */
	double info_every_s;   /* ... at most this often; between, each socket's last sample is
				* carried forward, its idle times grown by the time since
				* (tcp_info costs the kernel about a tenth more per dump); 0 = always */
	bool skip_processes;   /* sockets only (benchmarks of the socket read) */
	int ancestor_depth;    /* also read this many ancestors of holders (parent rules) */
	const char *unix_paths; /* watched Unix socket paths: comma-separated globs; NULL
				 * = TT_UNIX_PATHS_DEFAULT, "none" = no Unix sockets */
	bool no_netns;         /* read only the collector's own network namespace */
	bool discover;         /* also watch what database servers listen on (TCP ports unless
				* ports_exact, socket files unless unix_exact) */
	bool ports_exact;      /* the ports were given on the command line: exactly those */
	bool unix_exact;       /* likewise the Unix socket paths */
	uint8_t ports_why;     /* enum tt_watch_why of the configured ports */
	const char *servers;   /* more server process names (comm), comma-separated */
} tt_collect_opts;

typedef struct tt_collector tt_collector;

/* NULL with a message in err (e.g. the proc root cannot be opened). */
tt_collector *tt_collector_new(const tt_collect_opts *opts, char *err, size_t errlen);
/* Clear `out` and fill it with one refresh.  0 on success; -1 on a fatal
 * error with a message in err.  Vanished processes, unreadable fds and
 * malformed lines are counted in out->stats, never fatal. */
int tt_collect(tt_collector *c, tt_snapshot *out, char *err, size_t errlen);
/* Change the port filter from the next collection on. */
void tt_collector_set_ports(tt_collector *c, const tt_portset *ports);
/* The socket source in use: "netlink", "proc", "netlink+bpf" (src/collect/source.c). */
const char *tt_collector_source(const tt_collector *c);
void tt_collector_free(tt_collector *c);
/* This build has the eBPF event source (--source bpf). */
bool tt_bpf_built(void);
/* How its programs meet the running kernel: "prepared for this kernel"
 * (the build's CO-RE facts hold: it ran on this kernel), else "relocated at
 * each start (why)"; "" in a build without them (src/collect/bpfload.c). */
const char *tt_bpf_prepared(void);

#endif
