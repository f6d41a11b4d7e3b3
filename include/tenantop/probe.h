/* Database probes: the servers' own view of their connections.
 *
 * Targets are derived from a snapshot (LISTEN sockets, TCP and Unix, held by
 * mysqld/mariadbd, postgres, redis-server or pgbouncer) plus the [database
 * NAME] config sections.  The prober asks each target on a thread of its
 * own, read-only, with about 1 s connect/read timeouts, and publishes each
 * server's result as soon as it has it: the refresh takes the latest finished results (with their
 * age) and never waits for a database.  The joiner pairs each server session
 * with a socket of the snapshot exactly: TCP by the client's address and
 * port, Unix sockets by the server's descriptor -> socket inode (the probe
 * thread reads /proc/PID/fd of the server or backend for that).
 *
 * Every string a session carries (user, database, command, state, query) is
 * sanitised (sanitize.h) before it enters these structures. */
#ifndef TENANTOP_PROBE_H
#define TENANTOP_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenantop/snapshot.h"

enum tt_db_kind { TT_DB_NONE = 0, TT_DB_MARIADB, TT_DB_POSTGRESQL, TT_DB_REDIS, TT_DB_PGBOUNCER };

/* "mariadb", "postgresql", "redis", "pgbouncer"; "" for none. */
const char *tt_db_kind_name(int kind);
/* Accepts those names and mysql, postgres, pg; TT_DB_NONE when unknown. */
int tt_db_kind_parse(const char *s);
/* The kind of a server process from its comm or exe basename; TT_DB_NONE. */
int tt_db_kind_of_process(const char *comm, const char *exe);

#define TT_DB_MAX_PORTS 8
#define TT_DB_QUERY_MAX 208 /* a session's query, sanitised and cut */

/* One server to ask. */
typedef struct tt_db_target {
	char name[64];          /* [database NAME], "" when discovered */
	uint8_t kind;           /* enum tt_db_kind */
	int32_t pid;            /* the server process, 0 unknown */
	uint32_t uid, gid;      /* its owner (peer authentication) */
	char unix_path[108];    /* its socket file, "" none */
	char host[64];          /* TCP address to connect to, "" none */
	uint16_t port;          /* TCP port (also the suffix of .s.PGSQL.PORT) */
	uint16_t tcp_ports[TT_DB_MAX_PORTS]; /* every port it listens on (pairing) */
	uint8_t ntcp_ports;
	char user[64];          /* login; "" = the kind's default */
	char password_file[256];/* "" none */
	char endpoints[256];    /* what it listens on, for display */
} tt_db_target;

typedef struct tt_db_targets {
	tt_db_target *v;
	size_t n, cap;
} tt_db_targets;

/* Configured servers ([database NAME] sections). */
typedef struct tt_db_conf {
	tt_db_target v[16];
	size_t n;
} tt_db_conf;
/* One key of a [database NAME] section: kind, socket, host, port, user,
 * password_file.  0, or -1 with a message. */
int tt_db_conf_set(tt_db_conf *c, const char *name, const char *key, const char *value, char *err,
		   size_t errlen);
/* After loading: every section names a kind and an address.  0 or -1. */
int tt_db_conf_check(const tt_db_conf *c, char *err, size_t errlen);

/* The targets of a snapshot: discovered servers, then configured ones (a
 * configured server listening where a discovered one does replaces it). */
int tt_db_targets_build(tt_db_targets *t, const tt_snapshot *s, const tt_db_conf *conf);
void tt_db_targets_free(tt_db_targets *t);

/* One session as the server lists it. */
typedef struct tt_db_session {
	uint32_t server;        /* index into tt_db_results.servers */
	uint8_t family;         /* TT_FAM_TCP4/6 (client address below) or TT_FAM_UNIX; 0 unknown */
	uint8_t addr[16];       /* client address (v4 in the first 4 bytes) */
	uint16_t port;          /* client port */
	uint64_t server_inode;  /* Unix: the server end's socket inode, 0 unknown */
	int32_t backend_pid;    /* PostgreSQL backend, 0 none */
	char id[24];            /* the server's session id (thread id, backend pid, client id) */
	char user[64], database[64], command[32], state[64];
	double time_s;          /* in this command/state, < 0 unknown */
	int8_t in_transaction;  /* 1 yes, 0 no, -1 unknown */
	char query[TT_DB_QUERY_MAX];
	int32_t link;           /* joiner: the pooler client session this server session
				 * serves right now (pgbouncer SHOW SERVERS link), -1 none */
} tt_db_session;

/* A pooler's server connection in use by a client (pgbouncer SHOW SERVERS):
 * the pooler's own end of it, and the client session using it. */
typedef struct tt_db_link {
	uint32_t server;        /* the pooler */
	uint8_t family;
	uint8_t addr[16];
	uint16_t port;          /* the pooler's end (local_addr/local_port) */
	char client_id[24];     /* SHOW CLIENTS ptr of the client using it */
} tt_db_link;

/* A pooler's pool (pgbouncer SHOW POOLS). */
typedef struct tt_db_pool {
	uint32_t server;
	char database[64], user[64], mode[16];
	uint32_t cl_active, cl_waiting, sv_active, sv_idle, sv_used;
	double maxwait_s;
} tt_db_pool;

/* A per-account limit (MariaDB MAX_USER_CONNECTIONS, PostgreSQL rolconnlimit),
 * or with `database` a database's own (PostgreSQL datconnlimit). */
typedef struct tt_db_userlimit {
	uint32_t server;
	char user[64];          /* the account, or the database's name */
	long limit;
	bool database;
} tt_db_userlimit;

typedef struct tt_db_server {
	tt_db_target t;
	char version[64];
	long max_connections;    /* -1 unknown */
	long connections;        /* in use now (Threads_connected, numbackends, connected_clients) */
	long reserved;           /* PostgreSQL superuser_reserved_connections, -1 */
	long max_user_connections; /* MariaDB global, 0 none, -1 unknown */
	long max_used;           /* MariaDB Max_used_connections, -1 */
	long rejected;           /* refused connections (Connection_errors_max_connections,
				  * rejected_connections), -1 */
	long pool_size;          /* pgbouncer default_pool_size, -1 */
	char error[200];         /* "" when the probe worked */
	double probed_at;        /* wall clock of the probe, 0 never */
	double duration_ms;
	uint32_t nsessions;      /* client sessions listed */
	uint32_t paired, unpaired; /* filled by the joiner */
	uint32_t first_pool, npools;
} tt_db_server;

typedef struct tt_db_results {
	tt_db_server *servers;
	size_t nservers, servers_cap;
	tt_db_session *sessions;
	size_t nsessions, sessions_cap;
	tt_db_pool *pools;
	size_t npools, pools_cap;
	tt_db_userlimit *limits;
	size_t nlimits, limits_cap;
	tt_db_link *links;
	size_t nlinks, links_cap;
} tt_db_results;

void tt_db_results_init(tt_db_results *r);
void tt_db_results_clear(tt_db_results *r);
void tt_db_results_free(tt_db_results *r);
tt_db_server *tt_db_results_add_server(tt_db_results *r);
tt_db_session *tt_db_results_add_session(tt_db_results *r);
tt_db_pool *tt_db_results_add_pool(tt_db_results *r);
tt_db_userlimit *tt_db_results_add_limit(tt_db_results *r);
tt_db_link *tt_db_results_add_link(tt_db_results *r);
/* Append everything of src to dst (server indices renumbered).  0 or -1. */
int tt_db_results_append(tt_db_results *dst, const tt_db_results *src);

/* ---- the probes (src/probe/mariadb.c, postgres.c, redis.c, pgbouncer.c) ----
 * Each kind has connect (NULL with the reason in srv->error), body (asks
 * everything over a connection, appending to r for server si; -1 when the
 * connection failed, the reason in the server's error) and close. */
typedef struct tt_probe_opts {
	double timeout_s;        /* connect and read, each (default 1) */
	const char *proc_root;   /* for /proc/PID/fd of the server ("/proc") */
} tt_probe_opts;

void *tt_mariadb_connect(const tt_probe_opts *o, tt_db_server *srv);
int tt_mariadb_body(const tt_probe_opts *o, tt_db_results *r, size_t si, void *h);
void tt_mariadb_close(void *h);
void *tt_postgres_connect(const tt_probe_opts *o, tt_db_server *srv);
int tt_postgres_body(const tt_probe_opts *o, tt_db_results *r, size_t si, void *h);
void *tt_pgbouncer_connect(const tt_probe_opts *o, tt_db_server *srv);
int tt_pgbouncer_body(const tt_probe_opts *o, tt_db_results *r, size_t si, void *h);
void tt_pg_close(void *h); /* PostgreSQL and pgbouncer */
void *tt_redis_connect(const tt_probe_opts *o, tt_db_server *srv);
int tt_redis_body(const tt_probe_opts *o, tt_db_results *r, size_t si, void *h);
void tt_redis_close(void *h);

/* A connection kept from one round to the next (no reconnect, no new
 * backend, no peer-authentication switch each refresh). */
typedef struct tt_probe_conn {
	int kind;
	void *h; /* NULL: none */
} tt_probe_conn;
/* Ask one target: appends a server and its rows to r.  Uses *conn when it
 * is open (once more on a new connection if that one fails: the server may
 * have timed it out), leaves it open for the next round, closed on failure. */
void tt_probe_one(const tt_probe_opts *o, const tt_db_target *t, tt_db_results *r, tt_probe_conn *conn);
void tt_probe_conn_close(tt_probe_conn *conn);

/* ---- helpers shared by the probes (src/probe/common.c); pure unless said ---- */
/* Copy a server-supplied string, sanitised and cut to the buffer. */
void tt_db_copy(char *dst, size_t dstlen, const char *src, size_t srclen);
/* "127.0.0.1:5000", "[::1]:5000", "::ffff:127.0.0.1:5000": fill family, the
 * address (v4-mapped become tcp4) and port.  0, or -1 when not that form. */
int tt_db_parse_hostport(const char *s, uint8_t *family, uint8_t addr[16], uint16_t *port);
/* An address in text and a port given apart (pg_stat_activity). */
int tt_db_parse_addr(const char *s, uint16_t port, uint8_t *family, uint8_t addr[16]);
/* One CLIENT LIST line of Redis into a session (fields id, addr, fd, name,
 * age, idle, flags, db, cmd, user).  fd is returned in *fd (-1 none).
 * 0, or -1 when the line is not a client. */
int tt_redis_parse_client(const char *line, size_t len, tt_db_session *out, int *fd);
/* "key:value" of Redis INFO text; returns the value as a long, -1 absent. */
long tt_redis_info_long(const char *info, const char *key);
/* Reads <proc_root>/PID/fd/FD: the socket inode, 0 when not a socket or
 * gone.  (I/O) */
uint64_t tt_db_fd_inode(const char *proc_root, int pid, int fd);
/* Every socket inode PID holds (I/O).  Returns how many were stored. */
size_t tt_db_pid_sockets(const char *proc_root, int pid, uint64_t *out, size_t max);

/* The real uid and gid of a process (/proc/PID/status).  0 or -1. (I/O) */
int tt_db_proc_ids(const char *proc_root, int pid, uint32_t *uid, uint32_t *gid);
/* Read the first line of a password file (no newline) into buf.  0 or -1. */
int tt_db_read_password(const char *path, char *buf, size_t len);
/* Effective uid/gid of the calling thread only (raw syscalls: glibc's
 * setresuid would change every thread).  0 or -1. */
int tt_db_become(uint32_t uid, uint32_t gid);
void tt_db_become_root(void);

/* ---- the prober: one thread per server (src/probe/prober.c) ---- */
typedef struct tt_prober tt_prober;
tt_prober *tt_prober_new(const tt_probe_opts *o, double every_s, char *err, size_t errlen);
/* The targets to ask from now on (copied). */
void tt_prober_set_targets(tt_prober *p, const tt_db_targets *t);
/* Copy of the latest finished result of every current target (targets not
 * asked yet are listed with error "not probed yet").  0 or -1 (memory). */
int tt_prober_take(tt_prober *p, tt_db_results *out);
/* Wait until every current target has been asked once, or `timeout_s`
 * passed.  true when all were. */
bool tt_prober_wait_round(tt_prober *p, double timeout_s);
void tt_prober_free(tt_prober *p);

/* ---- the joiner (src/probe/join.c, pure) ---- */
/* For each socket of the snapshot: the session paired with it, -1 none.
 * sock_session[i] is for snapshot socket i (both ends of a connection on
 * this host get the session).  Counts paired/unpaired per server. */
typedef struct tt_db_join {
	int32_t *sock_session;
	size_t n, cap;
	uint32_t unpaired;   /* client sessions no socket matched */
} tt_db_join;
void tt_db_join_init(tt_db_join *j);
void tt_db_join_free(tt_db_join *j);
int tt_db_join_run(tt_db_join *j, const tt_snapshot *s, tt_db_results *r);

/* ---- one refresh's database side (src/probe/dbstate.c) ----
 * What the batch loop and the dashboard keep: the prober, the targets of the
 * last snapshot, the latest results and their pairing with its sockets. */
typedef struct tt_dbstate {
	tt_prober *prober;      /* NULL: probes off */
	tt_db_targets targets;
	tt_db_results res;
	tt_db_join join;
	bool valid;             /* res and join describe the last snapshot given */
	const char **dbuser;    /* per socket of it: its session's database user, NULL none */
	size_t dbuser_cap;
	int32_t *pooled_by;     /* per socket of it: the pooler client socket a pooled server
				 * connection serves now (pooler's end only), -1 none */
	size_t pooled_cap;
	int32_t *client_sock;   /* per session: the socket of its client end, -1 none */
	size_t client_cap;
} tt_dbstate;
/* Start probing (every `every_s`) unless off or proc_root is not /proc (a
 * fixture tree); a prober that cannot start is said in err and leaves
 * probes off.  0, or -1 with err. */
int tt_dbstate_start(tt_dbstate *d, bool on, const char *proc_root, double every_s, char *err, size_t errlen);
/* A new snapshot, before the model takes it: its servers become the
 * targets, the latest results are taken (waiting at most wait_s for a first
 * answer of every server, 0 = not at all) and paired with its sockets (the
 * model keeps them in the same order, so the pairing holds for it). */
void tt_dbstate_update(tt_dbstate *d, const tt_snapshot *snap, const tt_db_conf *conf, double wait_s);
/* Give the snapshot each socket's database user (the dbuser rule reads
 * them while the model takes it); valid until the next update. */
void tt_dbstate_annotate(tt_dbstate *d, tt_snapshot *snap);
void tt_dbstate_free(tt_dbstate *d);
/* The limits the servers reported, for the detector (detect.h tt_db_limit):
 * each server's max_connections (less PostgreSQL's superuser reserve), each
 * database user's own limit with the tenant whose paired sessions log in as
 * that user, and the tenants with clients waiting in a pooler.  A limit the
 * config gives for the same port (or tenant) wins: that one is left out.
 * Returns how many were written. */
#define TT_DB_LIMITS_MAX 256
struct tt_model;
struct tt_db_limit;
struct tt_detect_opts;
size_t tt_dbstate_limits(const tt_dbstate *d, const struct tt_model *m, const struct tt_detect_opts *conf,
			 struct tt_db_limit *out, size_t max);

#endif
