/* PostgreSQL probe (libpq): limits, per-role connection limits and
 * pg_stat_activity.  A TCP session is paired by client_addr/client_port; a
 * Unix one by its backend: the socket the backend process holds (read from
 * /proc/BACKEND/fd here, or from the snapshot's owners by the joiner). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/api_pq.h"
#include "tenantop/probe_pg.h"

static void copy_col(char *dst, size_t len, const PGresult *res, int row, const char *name)
{
	const char *v = tt_pg_get(res, row, name);
	tt_db_copy(dst, len, v, v ? strlen(v) : 0);
}

void *tt_postgres_connect(const tt_probe_opts *o, tt_db_server *srv)
{
	return tt_pg_connect(o, &srv->t, srv->t.user, "postgres", true, srv);
}

void tt_pg_close(void *h)
{
	PQfinish(h);
}

int tt_postgres_body(const tt_probe_opts *o, tt_db_results *r, size_t si, void *h)
{
	PGconn *c = h;
	tt_db_server *srv = &r->servers[si];
	double tmo = o->timeout_s > 0 ? o->timeout_s : 1;
	PGresult *res = tt_pg_query(c,
				    "SELECT version() AS version, current_setting('max_connections') AS max_connections, "
				    "current_setting('superuser_reserved_connections') AS reserved, "
				    "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS used",
				    tmo, srv);
	if (!res)
		return -1;
	if (PQntuples(res) == 1) {
		const char *v = tt_pg_get(res, 0, "version");
		/* "PostgreSQL 15.20 (Debian ...) on x86_64...": the first two words */
		if (v) {
			const char *sp = strchr(v, ' ');
			sp = sp ? strchr(sp + 1, ' ') : NULL;
			tt_db_copy(srv->version, sizeof(srv->version), v, sp ? (size_t)(sp - v) : strlen(v));
		}
		srv->max_connections = tt_pg_long(res, 0, "max_connections");
		srv->reserved = tt_pg_long(res, 0, "reserved");
		srv->connections = tt_pg_long(res, 0, "used");
	}
	PQclear(res);
	if ((res = tt_pg_query(c, "SELECT rolname, rolconnlimit FROM pg_roles WHERE rolconnlimit >= 0", tmo, srv))) {
		for (int i = 0; i < PQntuples(res); i++) {
			tt_db_userlimit *l = tt_db_results_add_limit(r);
			if (!l)
				break;
			copy_col(l->user, sizeof(l->user), res, i, "rolname");
			l->limit = tt_pg_long(res, i, "rolconnlimit");
		}
		PQclear(res);
	}
	if ((res = tt_pg_query(c, "SELECT datname, datconnlimit FROM pg_database WHERE datconnlimit >= 0 AND datallowconn",
			       tmo, &r->servers[si]))) {
		for (int i = 0; i < PQntuples(res); i++) {
			tt_db_userlimit *l = tt_db_results_add_limit(r);
			if (!l)
				break;
			copy_col(l->user, sizeof(l->user), res, i, "datname");
			l->limit = tt_pg_long(res, i, "datconnlimit");
			l->database = true;
		}
		PQclear(res);
	}
	srv = &r->servers[si];
	srv->error[0] = '\0';
	res = tt_pg_query(c,
			  "SELECT pid, usename, datname, client_addr::text AS addr, client_port AS port, state, "
			  "wait_event, xact_start IS NOT NULL AS in_xact, "
			  "extract(epoch FROM now() - COALESCE(state_change, backend_start))::float8 AS time_s, "
			  "left(query, 400) AS query "
			  "FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
			  tmo, srv);
	if (!res)
		return -1;
	size_t first = r->nsessions;
	for (int i = 0; i < PQntuples(res); i++) {
		tt_db_session *s = tt_db_results_add_session(r);
		if (!s)
			break;
		s->server = (uint32_t)si;
		copy_col(s->id, sizeof(s->id), res, i, "pid");
		s->backend_pid = (int32_t)tt_pg_long(res, i, "pid");
		copy_col(s->user, sizeof(s->user), res, i, "usename");
		copy_col(s->database, sizeof(s->database), res, i, "datname");
		const char *state = tt_pg_get(res, i, "state");
		copy_col(s->command, sizeof(s->command), res, i, "state");
		copy_col(s->state, sizeof(s->state), res, i, "wait_event");
		const char *ix = tt_pg_get(res, i, "in_xact");
		s->in_transaction = ix ? ix[0] == 't' : -1;
		const char *ts = tt_pg_get(res, i, "time_s");
		s->time_s = ts ? strtod(ts, NULL) : -1;
		copy_col(s->query, sizeof(s->query), res, i, "query");
		(void)state;
		const char *addr = tt_pg_get(res, i, "addr");
		long port = tt_pg_long(res, i, "port");
		if (addr && port > 0 && tt_db_parse_addr(addr, (uint16_t)port, &s->family, s->addr) == 0) {
			s->port = (uint16_t)port;
		} else if (!addr && port == -1) {
			/* a Unix socket: the one socket its backend holds */
			s->family = TT_FAM_UNIX;
			uint64_t ino[4];
			if (tt_db_pid_sockets(o->proc_root, s->backend_pid, ino, 4) == 1)
				s->server_inode = ino[0];
		}
	}
	PQclear(res);
	r->servers[si].nsessions = (uint32_t)(r->nsessions - first);
	return 0;
}
