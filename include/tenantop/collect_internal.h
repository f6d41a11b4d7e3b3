/* Internals shared by the collector's files (not a contract for views). */
#ifndef TENANTOP_COLLECT_INTERNAL_H
#define TENANTOP_COLLECT_INTERNAL_H

#include <dirent.h>
#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <sys/types.h>

#include "tenantop/collect.h"
#include "tenantop/u64set.h"

/* Endpoints last seen for a socket inode: a socket reset by its peer leaves
 * the tables, and this is how it keeps its addresses. */
struct tt_endpoint_mem {
	uint64_t inode;
	double last_seen;
	uint8_t family;
	uint16_t lport, rport;
	uint8_t laddr[16], raddr[16];
	uint32_t uid;
	/* the last tcp_info sample, taken at info_at (monotonic; 0 none) */
	uint32_t last_data_sent_ms, last_data_recv_ms, last_ack_recv_ms, rtt_us, probes;
	double info_at;
};

#define TT_OWN_NS 1 /* tt_scan_ctx.wanted value of a socket in the own namespace */
/* wanted value flag: keep only for a process that holds watched sockets too */
#define TT_WANT_WEAK (1ULL << 63)

typedef struct tt_scan_ctx tt_scan_ctx;
struct tt_scan_ctx {
	int rootfd;               /* O_PATH handle of the proc root */
	const char *root_path;    /* its path, for getxattr */
	bool real_proc;           /* the root is the kernel's /proc */
	tt_users *users;
	const tt_portset *ports;
	tt_u64set wanted;         /* inodes of the sockets the source kept -> their netns
				   * (TT_OWN_NS for the collector's own) */
	tt_u64set ns_inodes;      /* every inode listed by another namespace's table */
	tt_u64set all_inodes;     /* every inode any table lists (when valid) */
	bool all_inodes_valid;
	bool check_held;          /* look for reset-but-held sockets */
	bool try_pidfd;
	tt_u64set held;           /* per refresh: inode -> socket index + 1 (0 = filtered) */
	tt_u64set unknown_ix;     /* per refresh: dead Unix client of unknown target -> socket index */
	const tt_unix_watch *uwatch; /* watched Unix socket paths */
	tt_unix_mem *umem;        /* Unix clients' targets */
	tt_u64set proto_cache;    /* inode -> protocol, across refreshes */
	/* endpoint memory */
	struct tt_endpoint_mem *eps;
	size_t neps, eps_cap;
	tt_u64set eps_index;      /* inode -> index */
	/* load all_inodes another way (netlink: an unfiltered dump) */
	int (*load_all_inodes)(tt_scan_ctx *sc);
	void *owner;              /* the collector */
	void *pcache;             /* owners.c: per-process descriptor cache */
};

/* peek.c: what a socket says of itself (see there). */
typedef struct tt_peek {
	int state;          /* TCP state, -1 unknown */
	bool local, peer;   /* which endpoints were learnt */
	uint8_t family;     /* TT_FAM_TCP4/6 */
	uint16_t lport, rport;
	uint8_t laddr[16], raddr[16];
	char path[108];     /* Unix: the peer's socket file, "" none */
} tt_peek;
enum { TT_PEEK_OK = 0, TT_PEEK_DENIED = -1, TT_PEEK_GONE = -2 };
/* Ask the socket behind descriptor fd of pid.  TT_PEEK_GONE when the
 * process or descriptor is gone, TT_PEEK_DENIED (errno in *why) when the
 * kernel refuses (not root, ptrace denied, no pidfd_getfd). */
int tt_peek_socket(int rootfd, bool real_proc, int pid, int fd, bool unix_sock, tt_peek *pk, int *why);
/* Pure: "127.0.0.1:3306", "[::1]:5432" (the remote endpoint) or a socket
 * path ("/run/mysqld/mysqld.sock", "@abstract") into *pk.  0 or -1. */
int tt_parse_endpoint(const char *s, size_t len, tt_peek *pk);

/* discover.c: database servers and what they listen on (see there). */
typedef struct tt_discovered {
	uint8_t family;   /* TT_FAM_TCP4/6, TT_FAM_UNIX */
	uint16_t port;
	int32_t pid;
	char comm[16];
	char path[108];
} tt_discovered;
typedef struct tt_discover tt_discover;
bool tt_is_db_server(const char *comm, const char *extra_names);
tt_discover *tt_discover_new(const char *extra_names); /* extra: "name,name" or NULL */
void tt_discover_free(tt_discover *d);
/* listeners: the LISTEN TCP sockets of every port; utab: the Unix stream
 * sockets.  Then tt_discover_found lists the servers' listening endpoints. */
int tt_discover_run(tt_discover *d, int rootfd, const tt_snapshot *listeners, const tt_unix_table *utab);
const tt_discovered *tt_discover_found(const tt_discover *d, size_t *n);

/* bpfowners.c: owners of descriptor-less sockets from kernel events. */
typedef struct tt_bpf_owners tt_bpf_owners;
tt_bpf_owners *tt_bpf_owners_open(char *why, size_t len); /* NULL: why not, in why */
void tt_bpf_owners_close(tt_bpf_owners *b);
/* Give each socket without a descriptor (TIME_WAIT, orphans) the process
 * seen connecting or closing it (tt_sock.event_proc), adding that process
 * to the snapshot (a stand-in when it has exited). */
void tt_bpf_owners_apply(tt_bpf_owners *b, int rootfd, tt_users *users, tt_snapshot *out);

const struct tt_endpoint_mem *tt_endpoints_find(const tt_scan_ctx *sc, uint64_t inode);
int tt_owners_scan(tt_scan_ctx *sc, tt_snapshot *out);
void tt_owners_free(tt_scan_ctx *sc);

/* procinfo.c helpers */
DIR *tt_opendir_at(int dirfd); /* a DIR over dirfd's folder, NULL with errno */
int tt_openat_beneath(int dirfd, const char *path, int flags);
ssize_t tt_read_file_at(int dirfd, const char *path, char *buf, size_t len);
int tt_read_stat_at(int rootfd, int pid, char *comm, size_t commlen, int32_t *ppid, uint64_t *start);

/* netns.c: the network namespaces other than the collector's own, each
 * with a member process to read its tables through. */
struct tt_netns_ent {
	uint64_t inode;
	int32_t pid;       /* a member process */
	uint32_t members;
	char name[64];     /* ip netns name, "" unknown */
};
typedef struct tt_netns {
	uint64_t self;     /* the collector's own namespace; 0: no ns links (fixture) */
	struct tt_netns_ent *v;
	size_t n, cap;
	tt_u64set pid_ns;  /* pid -> namespace inode (0 unreadable) */
	tt_u64set seen;
	unsigned gen;
} tt_netns;
void tt_netns_init(tt_netns *ns);
void tt_netns_free(tt_netns *ns);
int tt_netns_discover(tt_netns *ns, int rootfd, bool real_proc);
uint64_t tt_netns_of_pid(const tt_netns *ns, int32_t pid); /* 0: own or unknown */
const char *tt_netns_name(const tt_netns *ns, uint64_t inode);

/* The payload length of an attribute, cut at the end of its message: libmnl
 * bounds attributes by the message length rounded up to 4, which may reach
 * past a message that is not a multiple of 4 long. */
static inline size_t tt_nl_attr_len(const struct nlmsghdr *nlh, const struct nlattr *a)
{
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const char *p = mnl_attr_get_payload(a);
	size_t n = mnl_attr_get_payload_len(a);
	if (p >= end)
		return 0;
	return (size_t)(end - p) < n ? (size_t)(end - p) : n;
}

/* nl_inet.c: send one sock_diag dump request (its sequence number is set
 * here) and run cb over every answer.  oom (may be NULL) points at the
 * callback's out-of-memory flag, for the message.  0 or -1 with a message. */
struct nlmsghdr;
int tt_nl_dump(tt_nl_inet *n, struct nlmsghdr *nlh, int (*cb)(const struct nlmsghdr *, void *), void *data,
	       const int *oom, char *err, size_t errlen);

#endif
