/* The snapshot: plain data produced by the collector, consumed by the model.
 *
 * One refresh = one snapshot: a flat list of sockets, of process facts and of
 * inode -> process ownership.  Strings live in one pool owned by the snapshot
 * and are referenced by offset (0 is the empty string).  Every string that a
 * process controls (comm, cmdline, cwd, exe, cgroup, user name) is already
 * sanitised when it enters the pool: printable UTF-8, no control characters
 * (see sanitize.h).  tt_snapshot_clear() keeps the capacity so a refresh loop
 * does not churn malloc. */
#ifndef TENANTOP_SNAPSHOT_H
#define TENANTOP_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenantop/state.h"

/* tt_sock.flags */
#define TT_SF_HAS_INFO 0x01          /* tcp_info fields below are valid */
#define TT_SF_HELD_ONLY 0x02         /* found from the fd side only: no table lists it */
#define TT_SF_ENDPOINT_UNKNOWN 0x04  /* addresses never seen (held before we started) */
#define TT_SF_ENDPOINT_REMEMBERED 0x08 /* addresses from an earlier refresh */
#define TT_SF_DROP 0x10              /* collector-internal: not a watched socket after all */
#define TT_SF_NO_UID 0x20            /* the source does not tell the socket's uid */

typedef struct tt_sock {
	uint64_t inode;   /* 0 for TIME_WAIT, request and orphan sockets */
	uint64_t netns;   /* network namespace inode; 0 = the reader's own */
	uint64_t cookie;  /* sock_diag socket cookie, 0 unknown (/proc text); a TIME_WAIT
			   * socket keeps the cookie of the socket that became it */
	uint8_t family;   /* enum tt_family */
	uint8_t state;    /* enum tt_state */
	uint8_t flags;    /* TT_SF_* */
	uint8_t timer;    /* /proc "tr": 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 probe */
	uint16_t lport, rport;
	union {
		struct { /* TCP */
			uint8_t laddr[16]; /* tcp4: first 4 bytes, network order; tcp6: 16 bytes */
			uint8_t raddr[16];
		};
		struct { /* unix sockets (the addresses' room: a socket is one or the other) */
			uint32_t path;      /* bound path of this socket: string pool offset, 0 none */
			uint32_t peer_path; /* path of the peer's socket */
			uint64_t peer_inode;
		};
	};
	uint32_t uid;
	uint32_t txq, rxq;   /* send / receive queue bytes (LISTEN: backlog) */
	uint32_t retrans;    /* unrecovered retransmits */
	uint32_t timer_ms;   /* time until the timer fires, ms */
	uint32_t timeout;    /* unanswered 0-window probes */
	uint32_t refcnt;
	uint32_t event_proc; /* index + 1 in procs of the process an event saw own it
			      * (eBPF: connect/close), for sockets without a descriptor; 0 none */
	uint32_t state_ms;   /* time in the current state, ms, from kernel events; 0 unknown */
	/* tcp_info, valid when TT_SF_HAS_INFO */
	uint32_t last_data_sent_ms;
	uint32_t last_data_recv_ms;
	uint32_t last_ack_recv_ms;
	uint32_t rtt_us;
} tt_sock;

/* tt_proc.flags */
#define TT_PF_FD_DENIED 0x01   /* /proc/PID/fd unreadable: its sockets are unknown */
#define TT_PF_FACTS_PARTIAL 0x02 /* some of cmdline/cwd/exe/cgroup unreadable */
#define TT_PF_KERNEL 0x04      /* kernel thread (empty cmdline, ppid 2) */
#define TT_PF_ANCESTOR 0x08    /* read only as an ancestor of a holder (parent rules) */
#define TT_PF_EXITED 0x20      /* known from a kernel event only: it has exited since */
#define TT_PF_SOCKET_UID 0x10  /* no process: the sockets of a uid whose processes' descriptors
				* could not be read, attributed by the sockets' own uid */

typedef struct tt_proc {
	int32_t pid, ppid;
	uint32_t uid;
	uint32_t nfds;       /* open descriptors */
	uint64_t start_time; /* clock ticks after boot (stat field 22): with pid, the identity */
	uint64_t netns;      /* network namespace inode; 0 = the collector's own (or unknown) */
	uint32_t netns_name; /* its ip netns name (string pool), 0 none */
	uint32_t comm, cmdline, cwd, exe, cgroup, user; /* string pool offsets */
	uint32_t flags;      /* TT_PF_* */
} tt_proc;

/* One descriptor holding one socket.  A socket held by several processes
 * (fork, fd passing) has several owner entries. */
typedef struct tt_owner {
	uint64_t inode;
	uint64_t netns;
	uint32_t proc; /* index into tt_snapshot.procs */
	int32_t fd;
} tt_owner;

typedef struct tt_scan_stats {
	uint32_t procs;        /* processes read */
	uint32_t vanished;     /* processes that exited while being read */
	uint32_t fd_denied;    /* processes whose fd folder could not be read */
	uint32_t pid_reused;   /* a pid whose start time changed during the scan */
	uint32_t bad_lines;    /* malformed table lines or messages skipped */
	uint32_t table_lines;  /* well-formed TCP table lines or messages (not recorded) */
	bool unreadable;       /* the TCP tables were mostly malformed (not recorded) */
	uint32_t held;         /* reset-but-held TCP sockets found from the fd side, to watched ports */
	uint32_t held_unknown; /* dead connections (reset TCP, Unix without server) held by
				* processes with watched sockets, whose endpoint could not be
				* learnt: shown apart, never counted as database leaks */
	int peek_errno;        /* why a socket could not be asked (pidfd_getfd), 0 none */
	uint32_t event_owned;  /* descriptor-less sockets whose owner an eBPF event told */
	uint32_t netns_read, netns_failed; /* other network namespaces read / not readable */
	bool unix_no_peers;    /* Unix sockets from /proc text: client ends unknown */
	int64_t sk_inuse, sk_alloc, sk_orphan, sk_tw; /* /proc/net/sockstat TCP line; -1 unknown */
	bool is_root;
	bool hidepid;          /* /proc mounted with hidepid */
	bool attribution_partial;
	char source[16];       /* "netlink", "netlink+bpf" or "proc" */
	char source_note[112]; /* why eBPF events are not used, "" when they are or not asked */
	char partial_reason[256];
	double collect_ms;     /* wall time of the collection */
	bool events;           /* the source delivers connection lifecycle events (eBPF) */
	double events_since;   /* wall clock since when it does */
	uint64_t events_dropped; /* events lost so far (ring buffer full), since events_since */
	/* the event-driven refresh (not recorded): the TCP table is the last
	 * full read's with the kernel's state changes since applied */
	bool from_events;
	uint32_t changes;      /* state changes applied this refresh */
	char full_why[40];     /* a full read where events could have stood in: why ("" none) */
} tt_scan_stats;

/* What the collector watched this refresh, and why (JSON "watched"). */
enum tt_watch_why { TT_WHY_DEFAULT = 0, TT_WHY_CONFIGURED = 1, TT_WHY_DISCOVERED = 2 };
typedef struct tt_watch {
	uint8_t family;   /* TT_FAM_TCP4: a TCP port (either family); TT_FAM_UNIX: a socket file */
	uint8_t why;      /* enum tt_watch_why */
	uint16_t port;
	int32_t pid;      /* discovered: the server that listens there */
	uint32_t path;    /* Unix: the socket file or glob (string pool) */
	uint32_t server;  /* discovered: the server's comm (string pool) */
} tt_watch;

/* One connection's opening or close, from kernel events (eBPF), delivered
 * in a batch each refresh (tt_snapshot.events; lifecycle.h counts them). */
#define TT_CE_OPEN 0x01      /* an opening; else a close */
#define TT_CE_CLIENT 0x02    /* the connecting end */
#define TT_CE_TIME_WAIT 0x04 /* it closed into TIME_WAIT */
#define TT_CE_V6 0x08
#define TT_CE_RESET 0x10     /* closed with an error (reset, timeout) */
typedef struct tt_conn_event {
	uint64_t cookie;
	double at;           /* wall clock of the event */
	double lifetime_s;   /* a close: from its opening to its close */
	double close_wait_s; /* a close: time in CLOSE_WAIT before its application
			      * closed it; -1 never in CLOSE_WAIT */
	uint32_t proc;       /* index + 1 in procs of its owner (live or a stand-in), 0 unknown */
	uint32_t uid;        /* the socket's uid */
	uint16_t lport, rport;
	uint8_t flags;       /* TT_CE_* */
} tt_conn_event;

typedef struct tt_snapshot {
	double time;   /* wall clock, seconds since the epoch */
	double mono;   /* monotonic clock, seconds */
	tt_sock *socks;
	size_t nsocks, socks_cap;
	tt_proc *procs;
	size_t nprocs, procs_cap;
	tt_owner *owners;
	size_t nowners, owners_cap;
	tt_watch *watched; /* empty: the ports of the model's options (recordings) */
	size_t nwatched, watched_cap;
	char *strs; /* string pool; offset 0 is "" */
	size_t strs_len, strs_cap;
	tt_scan_stats stats;
	tt_conn_event *events; /* since the last refresh (not recorded) */
	size_t nevents, events_cap;
	/* per socket: the database user of the session paired with it (set by
	 * the caller before the model takes the snapshot, for the dbuser rule;
	 * NULL entries or a NULL array = none; not recorded, not owned) */
	const char *const *dbuser;
	size_t ndbuser;
	/* per socket: a pooler's server connection (its pooler's end) -> the
	 * socket of the pooler client it serves now, -1 none (same rules as
	 * dbuser: set by the caller, not recorded, not owned) */
	const int32_t *pooled_by;
	size_t npooled_by;
	/* tenantop's own pid on a live machine (its database probes' sockets
	 * are its own tenant, "(tenantop)"), 0 otherwise; not recorded */
	int32_t self_pid;
} tt_snapshot;

void tt_snapshot_init(tt_snapshot *s);
void tt_snapshot_clear(tt_snapshot *s); /* empty it, keep capacity */
void tt_snapshot_free(tt_snapshot *s);
void tt_scan_stats_reset(tt_scan_stats *st);

/* Append; return a pointer to the new zeroed element, NULL when out of memory. */
tt_sock *tt_snapshot_add_sock(tt_snapshot *s);
tt_proc *tt_snapshot_add_proc(tt_snapshot *s);
tt_owner *tt_snapshot_add_owner(tt_snapshot *s);
tt_watch *tt_snapshot_add_watch(tt_snapshot *s);
tt_conn_event *tt_snapshot_add_event(tt_snapshot *s);

/* Copy raw bytes into the pool, sanitised for display (sanitize.h rules,
 * at most maxout bytes of output).  Returns the offset, 0 for empty or on
 * out-of-memory. */
uint32_t tt_snapshot_str(tt_snapshot *s, const char *raw, size_t len, size_t maxout);
/* Copy a string that is already safe (e.g. a state name, a formatted address). */
uint32_t tt_snapshot_str_trusted(tt_snapshot *s, const char *str);
static inline const char *tt_snapshot_get_str(const tt_snapshot *s, uint32_t off)
{
	return (s->strs && off < s->strs_len) ? s->strs + off : "";
}

/* Sort owners by (netns, inode, proc) and return the first owner of a socket
 * (binary search), or NULL.  tt_snapshot_index_owners must be called after
 * the owners are complete. */
void tt_snapshot_index_owners(tt_snapshot *s);
const tt_owner *tt_snapshot_find_owner(const tt_snapshot *s, uint64_t netns, uint64_t inode);

/* Format an endpoint: "127.0.0.1:3306", "[::1]:5432", v4-mapped shown as
 * "[::ffff:127.0.0.1]:3306"; "?" when the endpoint is unknown; Unix sockets:
 * the socket file (remote: the server's), "*" for an unnamed one.  Returns buf. */
char *tt_sock_fmt_local(const tt_sock *k, const tt_snapshot *s, char *buf, size_t len);
char *tt_sock_fmt_remote(const tt_sock *k, const tt_snapshot *s, char *buf, size_t len);
char *tt_fmt_endpoint(int family, const uint8_t addr[16], uint16_t port, char *buf, size_t len);

#endif
