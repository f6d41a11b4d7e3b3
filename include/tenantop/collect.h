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
#include "tenantop/u64set.h"

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

/* Socket files of MySQL/MariaDB, PostgreSQL (and pgbouncer), Redis,
 * memcached and ProxySQL wherever they live. */
#define TT_UNIX_PATHS_DEFAULT                                                                    \
	"*/mysqld.sock, */mysql.sock, */mariadb.sock, */.s.PGSQL.*, */redis.sock, "              \
	"*/redis-server.sock, */redis_*.sock, */redis-*.sock, */memcached.sock, */proxysql.sock"

typedef struct tt_collector tt_collector;

/* NULL with a message in err (e.g. the proc root cannot be opened). */
tt_collector *tt_collector_new(const tt_collect_opts *opts, char *err, size_t errlen);
/* Clear `out` and fill it with one refresh.  0 on success; -1 on a fatal
 * error with a message in err.  Vanished processes, unreadable fds and
 * malformed lines are counted in out->stats, never fatal. */
int tt_collect(tt_collector *c, tt_snapshot *out, char *err, size_t errlen);
/* Change the port filter from the next collection on. */
void tt_collector_set_ports(tt_collector *c, const tt_portset *ports);
/* "netlink" or "proc": the socket source in use. */
const char *tt_collector_source(const tt_collector *c);
void tt_collector_free(tt_collector *c);
/* This build has the eBPF event source (--source bpf). */
bool tt_bpf_built(void);

/* ---- socket sources (src/collect/procnet.c, src/collect/nl_inet.c) ---- */

/* Which sockets a source keeps: the port filter (either end), and a state
 * mask (bit 1<<state; 0 = every state). */
typedef struct tt_sock_filter {
	const tt_portset *ports;
	uint32_t state_mask;
} tt_sock_filter;

bool tt_sock_filter_match(const tt_sock_filter *f, const tt_sock *k);

/* Parse one /proc/net/tcp or tcp6 data line (not the header) into *out.
 * family is TT_FAM_TCP4 or TT_FAM_TCP6.  Pure: no I/O.  Returns 0, or -1
 * when the line is malformed or truncated. */
int tt_procnet_parse_line(const char *line, size_t len, int family, tt_sock *out);

/* Read <root>/<relpath> ("net/tcp", "net/tcp6", "PID/net/tcp") and append
 * the sockets that pass the filter.  If all_inodes is not NULL every inode
 * listed (filtered or not) is added to it.  Malformed lines are counted in
 * out->stats.bad_lines.  Returns 0, or -1 with errno when the file cannot be
 * opened (ENOENT for a kernel without IPv6 is not an error: returns 0). */
struct tt_u64set;
int tt_procnet_read(int rootfd, const char *relpath, int family, const tt_sock_filter *f,
		    tt_snapshot *out, struct tt_u64set *all_inodes);

/* Netlink sock_diag (INET_DIAG) reader. */
typedef struct tt_nl_inet tt_nl_inet;
tt_nl_inet *tt_nl_inet_open(char *err, size_t errlen); /* NULL when netlink is unusable */
/* Dump family (TT_FAM_TCP4/6) sockets matching the filter; the state mask
 * and the port list go into the kernel request (bytecode).  want_info asks
 * for tcp_info.  Returns 0 or -1 with a message. */
int tt_nl_inet_dump(tt_nl_inet *nl, int family, const tt_sock_filter *f, bool want_info,
		    tt_snapshot *out, char *err, size_t errlen);
void tt_nl_inet_close(tt_nl_inet *nl);
/* Pure: decode one inet_diag_msg netlink message (header included) into
 * *out.  Returns 0, -1 when malformed. */
struct nlmsghdr;
int tt_nl_inet_parse(const struct nlmsghdr *nlh, tt_sock *out);
/* Pure: build the inet_diag bytecode that keeps sockets whose source or
 * destination port is in the list.  Returns the length written, 0 when the
 * buffer is too small or the list empty (then no kernel filter is used). */
size_t tt_nl_inet_bytecode(const uint16_t *ports, size_t nports, void *buf, size_t buflen);

/* Close a TCP socket with netlink SOCK_DESTROY (src/collect/nl_destroy.c).
 * 0, or -1 with what the kernel (or the socket's kind) refused. */
int tt_sock_destroy(const tt_sock *k, char *err, size_t errlen);

/* The start time (clock ticks after boot) of a live process, to tell it
 * from a later process with the same pid.  0, or -1 when it is gone. */
int tt_proc_start_time(const char *proc_root, int pid, uint64_t *start);

/* ---- Unix stream sockets (src/collect/unix.c) ---- */

typedef struct tt_unix_raw {
	uint64_t inode, peer; /* peer: the other end's inode, 0 none or gone */
	uint32_t rq, wq;      /* queue lengths (LISTEN: backlog) */
	uint32_t uid;
	uint8_t type;         /* SOCK_STREAM, ... */
	uint8_t state;        /* kernel: 1 connected, 10 listening, 7 unconnected */
	bool has_peer;        /* the source tells peers (netlink) */
	bool has_uid;
	uint16_t namelen;
	char name[112];       /* bound path, raw bytes; abstract names start with '@' */
} tt_unix_raw;

typedef struct tt_unix_table {
	tt_unix_raw *v;
	size_t n, cap;
} tt_unix_table;
void tt_unix_table_free(tt_unix_table *t);

#define TT_UNIX_WATCH_MAX 32
#define TT_UNIX_EXACT_MAX 64
typedef struct tt_unix_watch {
	char pat[TT_UNIX_WATCH_MAX][108];
	size_t n;
	char exact[TT_UNIX_EXACT_MAX][108]; /* socket files of discovered servers */
	size_t nexact;
} tt_unix_watch;
/* Parse a comma-separated glob list (NULL: the default); "none" = empty.
 * 0, or -1 with a message. */
int tt_unix_watch_parse(tt_unix_watch *w, const char *list, char *err, size_t errlen);
bool tt_unix_watch_match(const tt_unix_watch *w, const char *path);
/* Watch this socket file too.  0, or -1 when there is no room. */
int tt_unix_watch_add_exact(tt_unix_watch *w, const char *path);

/* What each client socket was connected to (client inode -> path), kept
 * across refreshes so a client whose server end vanished keeps its target. */
typedef struct tt_unix_mem {
	tt_u64set peer_of; /* as of the last commit */
	tt_u64set next;    /* being filled by tt_unix_select */
	char **paths;
	size_t npaths, cap;
} tt_unix_mem;
void tt_unix_mem_init(tt_unix_mem *m);
void tt_unix_mem_free(tt_unix_mem *m);

/* Pure parsers: one UNIX_DIAG message; one /proc/net/unix data line. 0 or -1. */
int tt_nl_unix_parse(const struct nlmsghdr *nlh, tt_unix_raw *out);
int tt_procunix_parse_line(const char *line, size_t len, tt_unix_raw *out);
/* Append the stream sockets (connected or listening) to the table.  Lines or
 * messages that do not parse are counted in *bad. */
int tt_nl_unix_dump(tt_nl_inet *nl, tt_unix_table *t, uint32_t *bad, char *err, size_t errlen);
int tt_procunix_read(int rootfd, const char *relpath, tt_unix_table *t, uint32_t *bad);
/* Append the watched sockets to out: server ends whose path matches, client
 * ends whose peer is such a server end (or was, per mem: then state
 * CLOSE_WAIT), every stream socket when all. */
void tt_unix_select(const tt_unix_table *t, const tt_unix_watch *w, bool all, tt_unix_mem *mem,
		    tt_snapshot *out);
/* After the last tt_unix_select of a refresh: what it saw is now the memory. */
void tt_unix_mem_commit(tt_unix_mem *m);
/* After the commit: a client's target learnt from the socket itself (its
 * server end was gone before it was seen), remembered like a seen one. */
void tt_unix_mem_learn(tt_unix_mem *m, uint64_t inode, const char *path);
const char *tt_unix_mem_target(const tt_unix_mem *m, uint64_t inode); /* NULL none */

/* ---- processes and ownership (src/collect/procinfo.c, owners.c) ---- */

/* Pure parsers of /proc/PID files. */
/* stat: comm is between the first '(' and the LAST ')'.  Fills comm (raw,
 * at most commlen-1 bytes), ppid and start_time.  0 or -1 when malformed. */
int tt_parse_stat(const char *buf, size_t len, char *comm, size_t commlen, int32_t *ppid,
		  uint64_t *start_time);
/* status: the real uid from the "Uid:" line.  0 or -1. */
int tt_parse_status_uid(const char *buf, size_t len, uint32_t *uid);
/* "net:[4026531840]" -> 4026531840; 0 when the link is not that form. */
uint64_t tt_parse_netns_link(const char *link, size_t len);
/* A /proc entry name that is a pid ("4242") -> 4242; -1 otherwise. */
long tt_pid_of_name(const char *name);
/* "socket:[12345]" -> 12345; 0 when the link is not a socket. */
uint64_t tt_parse_socket_link(const char *link, size_t len);
/* sockstat: fills inuse/orphan/tw/alloc of the TCP line; -1 for each missing. */
int tt_parse_sockstat(const char *buf, size_t len, int64_t *inuse, int64_t *orphan, int64_t *tw,
		      int64_t *alloc);

/* The user-name cache (/etc/passwd via getpwuid_r, names sanitised). */
typedef struct tt_users tt_users;
tt_users *tt_users_new(void);
/* Names from a passwd-format file only (fixture trees carry one). */
tt_users *tt_users_new_from_file(const char *path);
/* A safe printable name; the decimal uid when unknown. */
const char *tt_users_name(tt_users *u, uint32_t uid);
void tt_users_free(tt_users *u);

/* Read one process's facts into the snapshot (appends a tt_proc).  Returns
 * its index, or -1 when the process vanished (counted in stats). */
long tt_read_proc(int rootfd, int pid, tt_users *users, tt_snapshot *out);

#endif
