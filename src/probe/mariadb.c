/* MariaDB / MySQL probe (libmariadb): limits, status counters, the process
 * list and, when performance_schema is on, each session's descriptor in the
 * server (Unix sockets are paired through it).  Read-only statements only.
 * Authentication: the configured user and password file, else root over the
 * Unix socket (Debian's root@localhost uses unix_socket authentication). */
#include <mysql.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/api_mariadb.h"
#include "tenantop/probe.h"

static long to_long(const char *s)
{
	if (!s)
		return -1;
	char *end;
	long v = strtol(s, &end, 10);
	return end == s ? -1 : v;
}

/* Run a statement; NULL with the error in the server when it fails. */
static MYSQL_RES *query(MYSQL *db, const char *sql, tt_db_server *srv, bool required)
{
	if (mysql_query(db, sql) != 0) {
		if (required)
			snprintf(srv->error, sizeof(srv->error), "%s", mysql_error(db));
		return NULL;
	}
	MYSQL_RES *res = mysql_store_result(db);
	if (!res && required)
		snprintf(srv->error, sizeof(srv->error), "%s", mysql_error(db));
	return res;
}

/* The client library's global set-up, once, by the first MariaDB probe's
 * thread, the others waiting for it (mysql_library_init must not race).
 * Not at the prober's start: the library, with libssl and libcrypto, is
 * some 4 MB resident that a host without MariaDB does not need. */
static pthread_once_t library_once = PTHREAD_ONCE_INIT;

static void library_init(void)
{
	mysql_library_init(0, NULL, NULL);
}

void *tt_mariadb_connect(const tt_probe_opts *o, tt_db_server *srv)
{
	const tt_db_target *t = &srv->t;
	if (tt_mariadb_load(srv->error, sizeof(srv->error)) < 0)
		return NULL; /* a library that does not load is said by each probe */
	pthread_once(&library_once, library_init);
	MYSQL *db = mysql_init(NULL);
	if (!db) {
		snprintf(srv->error, sizeof(srv->error), "out of memory");
		return NULL;
	}
	unsigned int tmo = o->timeout_s < 1 ? 1 : (unsigned int)o->timeout_s;
	mysql_optionsv(db, MYSQL_OPT_CONNECT_TIMEOUT, &tmo);
	mysql_optionsv(db, MYSQL_OPT_READ_TIMEOUT, &tmo);
	mysql_optionsv(db, MYSQL_OPT_WRITE_TIMEOUT, &tmo);
	char pw[256] = "";
	if (t->password_file[0] && tt_db_read_password(t->password_file, pw, sizeof(pw)) < 0) {
		snprintf(srv->error, sizeof(srv->error), "cannot read the password file %.150s", t->password_file);
		mysql_close(db);
		return NULL;
	}
	const char *user = t->user[0] ? t->user : "root";
	bool via_unix = t->unix_path[0] != '\0';
	unsigned int proto = via_unix ? MYSQL_PROTOCOL_SOCKET : MYSQL_PROTOCOL_TCP;
	mysql_optionsv(db, MYSQL_OPT_PROTOCOL, &proto);
	if (!mysql_real_connect(db, via_unix ? "localhost" : t->host, user, pw[0] ? pw : NULL, NULL,
				via_unix ? 0 : t->port, via_unix ? t->unix_path : NULL, 0)) {
		snprintf(srv->error, sizeof(srv->error), "login as %s refused: %s", user, mysql_error(db));
		memset(pw, 0, sizeof(pw));
		mysql_close(db);
		return NULL;
	}
	memset(pw, 0, sizeof(pw));
	return db;
}

void tt_mariadb_close(void *h)
{
	mysql_close(h);
}

/* The server's version, limits and connection counters. */
static int read_server(MYSQL *db, tt_db_server *srv)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	if (!(res = query(db, "SELECT VERSION(), @@max_connections, @@max_user_connections", srv, true)))
		return -1;
	if ((row = mysql_fetch_row(res))) {
		tt_db_copy(srv->version, sizeof(srv->version), row[0], row[0] ? strlen(row[0]) : 0);
		srv->max_connections = to_long(row[1]);
		srv->max_user_connections = to_long(row[2]);
	}
	mysql_free_result(res);
	if ((res = query(db,
			 "SHOW GLOBAL STATUS WHERE Variable_name IN ('Threads_connected', 'Max_used_connections', "
			 "'Connection_errors_max_connections')",
			 srv, false))) {
		while ((row = mysql_fetch_row(res))) {
			if (!row[0])
				continue;
			if (!strcmp(row[0], "Threads_connected"))
				srv->connections = to_long(row[1]);
			else if (!strcmp(row[0], "Max_used_connections"))
				srv->max_used = to_long(row[1]);
			else if (!strcmp(row[0], "Connection_errors_max_connections"))
				srv->rejected = to_long(row[1]);
		}
		mysql_free_result(res);
	}
	return 0;
}

/* Per-account limits (cheap: the grant table is small). */
static void read_limits(MYSQL *db, tt_db_results *r, tt_db_server *srv)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	if (!(res = query(db, "SELECT User, Host, max_user_connections FROM mysql.user WHERE max_user_connections > 0",
			  srv, false)))
		return;
	while ((row = mysql_fetch_row(res))) {
		tt_db_userlimit *l = tt_db_results_add_limit(r);
		if (!l)
			break;
		char acc[160];
		snprintf(acc, sizeof(acc), "%s@%s", row[0] ? row[0] : "", row[1] ? row[1] : "");
		tt_db_copy(l->user, sizeof(l->user), acc, strlen(acc));
		l->limit = to_long(row[2]);
	}
	mysql_free_result(res);
}

/* A session's descriptor in the server and its peer, from performance_schema. */
struct idfd {
	unsigned long id;
	int fd;
	uint8_t family;
	uint8_t addr[16];
	uint16_t port;
};

/* The descriptor of each session in the server, when performance_schema is
 * on (NULL, *nfds 0 otherwise). */
static struct idfd *read_session_fds(MYSQL *db, tt_db_server *srv, size_t *nfds)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	struct idfd *fds = NULL;
	*nfds = 0;
	if (!(res = query(db,
			  "SELECT t.PROCESSLIST_ID, s.SOCKET_ID, s.IP, s.PORT FROM performance_schema.socket_instances s "
			  "JOIN performance_schema.threads t ON t.THREAD_ID = s.THREAD_ID "
			  "WHERE s.EVENT_NAME = 'wait/io/socket/sql/client_connection' AND t.PROCESSLIST_ID IS NOT NULL",
			  srv, false)))
		return NULL;
	my_ulonglong n = mysql_num_rows(res);
	fds = n ? calloc((size_t)n, sizeof(*fds)) : NULL;
	while (fds && (row = mysql_fetch_row(res)) && *nfds < n) {
		struct idfd *f = &fds[(*nfds)++];
		f->id = (unsigned long)to_long(row[0]);
		f->fd = (int)to_long(row[1]);
		long port = to_long(row[3]);
		if (row[2] && row[2][0] && port > 0 && tt_db_parse_addr(row[2], (uint16_t)port, &f->family, f->addr) == 0)
			f->port = (uint16_t)port;
	}
	mysql_free_result(res);
	return fds;
}

/* Where a session's client is: performance_schema's exact peer, the socket
 * file ("localhost"), or the processlist's host:port. */
static void session_peer(const tt_probe_opts *o, const tt_db_target *t, tt_db_session *s, const char *host,
			 const struct idfd *pf)
{
	if (pf && pf->port) {
		s->family = pf->family;
		memcpy(s->addr, pf->addr, 16);
		s->port = pf->port;
	} else if (!strcmp(host, "localhost")) {
		s->family = TT_FAM_UNIX;
		if (pf)
			s->server_inode = tt_db_fd_inode(o->proc_root, t->pid, pf->fd);
	} else if (tt_db_parse_hostport(host, &s->family, s->addr, &s->port) < 0) {
		/* a resolved name: "localhost:PORT" is the loopback address */
		const char *c = strrchr(host, ':');
		char ad[80];
		s->family = TT_FAM_NONE;
		if (c && (size_t)(c - host) == 9 && !strncmp(host, "localhost", 9)) {
			snprintf(ad, sizeof(ad), "127.0.0.1%s", c);
			if (tt_db_parse_hostport(ad, &s->family, s->addr, &s->port) < 0)
				s->family = TT_FAM_NONE;
		}
	}
}

/* The processlist.  TIME_MS is MariaDB's; MySQL has TIME (seconds) only. */
static MYSQL_RES *query_processlist(MYSQL *db, tt_db_server *srv)
{
	static const char *const plist[2] = {
		"SELECT p.ID, p.USER, p.HOST, p.DB, p.COMMAND, p.STATE, p.TIME_MS, p.INFO, "
		"(SELECT COUNT(*) FROM information_schema.INNODB_TRX x WHERE x.trx_mysql_thread_id = p.ID) "
		"FROM information_schema.PROCESSLIST p "
		"WHERE p.ID <> CONNECTION_ID() AND p.COMMAND NOT IN ('Daemon', 'Binlog Dump', 'Slave_IO', 'Slave_SQL') "
		"AND p.USER NOT IN ('system user', 'event_scheduler')",
		"SELECT p.ID, p.USER, p.HOST, p.DB, p.COMMAND, p.STATE, p.TIME * 1000, p.INFO, "
		"(SELECT COUNT(*) FROM information_schema.INNODB_TRX x WHERE x.trx_mysql_thread_id = p.ID) "
		"FROM information_schema.PROCESSLIST p "
		"WHERE p.ID <> CONNECTION_ID() AND p.COMMAND NOT IN ('Daemon', 'Binlog Dump', 'Binlog Dump GTID') "
		"AND p.USER NOT IN ('system user', 'event_scheduler')",
	};
	MYSQL_RES *res = query(db, plist[0], srv, true);
	if (!res && mysql_errno(db) == 1054) { /* ER_BAD_FIELD_ERROR: not MariaDB */
		srv->error[0] = '\0';
		res = query(db, plist[1], srv, true);
	}
	return res;
}

int tt_mariadb_body(const tt_probe_opts *o, tt_db_results *r, size_t si, void *h)
{
	MYSQL *db = h;
	if (read_server(db, &r->servers[si]) < 0)
		return -1;
	read_limits(db, r, &r->servers[si]);
	size_t first = r->nsessions, nfds;
	struct idfd *fds = read_session_fds(db, &r->servers[si], &nfds);
	MYSQL_RES *res = query_processlist(db, &r->servers[si]);
	if (!res) {
		free(fds);
		return -1;
	}
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res))) {
		unsigned long *len = mysql_fetch_lengths(res);
		tt_db_session *s = tt_db_results_add_session(r);
		if (!s)
			break;
		s->server = (uint32_t)si;
		tt_db_copy(s->id, sizeof(s->id), row[0], len[0]);
		tt_db_copy(s->user, sizeof(s->user), row[1], len[1]);
		unsigned long id = (unsigned long)to_long(row[0]);
		const struct idfd *pf = NULL;
		for (size_t i = 0; i < nfds; i++)
			if (fds[i].id == id)
				pf = &fds[i];
		session_peer(o, &r->servers[si].t, s, row[2] ? row[2] : "", pf);
		tt_db_copy(s->database, sizeof(s->database), row[3], len[3]);
		tt_db_copy(s->command, sizeof(s->command), row[4], len[4]);
		tt_db_copy(s->state, sizeof(s->state), row[5], len[5]);
		s->time_s = row[6] ? strtod(row[6], NULL) / 1000.0 : -1;
		tt_db_copy(s->query, sizeof(s->query), row[7], len[7]);
		s->in_transaction = row[8] ? to_long(row[8]) > 0 : -1;
	}
	mysql_free_result(res);
	free(fds);
	r->servers[si].nsessions = (uint32_t)(r->nsessions - first);
	return 0;
}
