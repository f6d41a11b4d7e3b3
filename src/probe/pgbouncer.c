/* pgbouncer probe: the admin console (database "pgbouncer") through libpq:
 * SHOW CONFIG (max_client_conn, default_pool_size), SHOW POOLS, SHOW
 * CLIENTS.  As root with no configuration it logs in as "pgbouncer" over the
 * Unix socket with the uid of the pgbouncer process, which pgbouncer lets in
 * without a password.  TCP clients are paired by address and port; Unix
 * clients are counted unpaired (the console does not say their descriptor). */
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

static uint32_t col_u32(const PGresult *res, int row, const char *name)
{
	long v = tt_pg_long(res, row, name);
	return v < 0 ? 0 : (uint32_t)v;
}

void *tt_pgbouncer_connect(const tt_probe_opts *o, tt_db_server *srv)
{
	return tt_pg_connect(o, &srv->t, srv->t.user[0] ? srv->t.user : "pgbouncer", "pgbouncer", false, srv);
}

/* The pooler's limits (SHOW CONFIG) and version.  0, or -1 when it does not answer. */
static int read_config(PGconn *c, tt_db_server *srv, double tmo)
{
	PGresult *res = tt_pg_query(c, "SHOW CONFIG", tmo, srv);
	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *k = tt_pg_get(res, i, "key");
		if (!k)
			continue;
		if (!strcmp(k, "max_client_conn"))
			srv->max_connections = tt_pg_long(res, i, "value");
		else if (!strcmp(k, "default_pool_size"))
			srv->pool_size = tt_pg_long(res, i, "value");
	}
	PQclear(res);
	if ((res = tt_pg_query(c, "SHOW VERSION", tmo, srv))) {
		if (PQntuples(res) == 1 && PQnfields(res) >= 1) {
			const char *v = PQgetvalue(res, 0, 0);
			tt_db_copy(srv->version, sizeof(srv->version), v, strlen(v));
		}
		PQclear(res);
	}
	return 0;
}

/* SHOW POOLS: each pool's clients and server connections.  0 or -1. */
static int read_pools(PGconn *c, tt_db_results *r, size_t si, double tmo)
{
	PGresult *res = tt_pg_query(c, "SHOW POOLS", tmo, &r->servers[si]);
	if (!res)
		return -1;
	r->servers[si].first_pool = (uint32_t)r->npools;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *db = tt_pg_get(res, i, "database");
		if (db && !strcmp(db, "pgbouncer"))
			continue; /* the console itself */
		tt_db_pool *p = tt_db_results_add_pool(r);
		if (!p)
			break;
		p->server = (uint32_t)si;
		copy_col(p->database, sizeof(p->database), res, i, "database");
		copy_col(p->user, sizeof(p->user), res, i, "user");
		copy_col(p->mode, sizeof(p->mode), res, i, "pool_mode");
		p->cl_active = col_u32(res, i, "cl_active");
		p->cl_waiting = col_u32(res, i, "cl_waiting");
		p->sv_active = col_u32(res, i, "sv_active");
		p->sv_idle = col_u32(res, i, "sv_idle");
		p->sv_used = col_u32(res, i, "sv_used");
		long mw = tt_pg_long(res, i, "maxwait"), mwu = tt_pg_long(res, i, "maxwait_us");
		p->maxwait_s = (mw > 0 ? (double)mw : 0) + (mwu > 0 ? mwu / 1e6 : 0);
	}
	PQclear(res);
	tt_db_server *srv = &r->servers[si];
	srv->npools = (uint32_t)(r->npools - srv->first_pool);
	return 0;
}

/* SHOW CLIENTS: the pooler's client sessions.  0 or -1. */
static int read_clients(PGconn *c, tt_db_results *r, size_t si, double tmo)
{
	PGresult *res = tt_pg_query(c, "SHOW CLIENTS", tmo, &r->servers[si]);
	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *db = tt_pg_get(res, i, "database");
		if (db && !strcmp(db, "pgbouncer"))
			continue;
		tt_db_session *s = tt_db_results_add_session(r);
		if (!s)
			break;
		s->server = (uint32_t)si;
		copy_col(s->id, sizeof(s->id), res, i, "ptr");
		copy_col(s->user, sizeof(s->user), res, i, "user");
		copy_col(s->database, sizeof(s->database), res, i, "database");
		copy_col(s->command, sizeof(s->command), res, i, "state");
		const char *link = tt_pg_get(res, i, "link");
		snprintf(s->state, sizeof(s->state), "%s", link && *link ? "linked" : "unlinked");
		long w = tt_pg_long(res, i, "wait"), wu = tt_pg_long(res, i, "wait_us");
		s->time_s = w >= 0 ? (double)w + (wu > 0 ? wu / 1e6 : 0) : -1;
		const char *addr = tt_pg_get(res, i, "addr");
		long port = tt_pg_long(res, i, "port");
		if (addr && !strcmp(addr, "unix"))
			s->family = TT_FAM_UNIX;
		else if (addr && port > 0 && tt_db_parse_addr(addr, (uint16_t)port, &s->family, s->addr) == 0)
			s->port = (uint16_t)port;
	}
	PQclear(res);
	return 0;
}

/* SHOW SERVERS: which client each server connection serves now. */
static void read_links(PGconn *c, tt_db_results *r, size_t si, double tmo)
{
	PGresult *res = tt_pg_query(c, "SHOW SERVERS", tmo, &r->servers[si]);
	if (!res)
		return;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *link = tt_pg_get(res, i, "link"), *la = tt_pg_get(res, i, "local_addr");
		long lp = tt_pg_long(res, i, "local_port");
		if (!link || !*link || !la || lp <= 0)
			continue;
		tt_db_link *l = tt_db_results_add_link(r);
		if (!l)
			break;
		l->server = (uint32_t)si;
		if (tt_db_parse_addr(la, (uint16_t)lp, &l->family, l->addr) < 0) {
			r->nlinks--;
			continue;
		}
		l->port = (uint16_t)lp;
		tt_db_copy(l->client_id, sizeof(l->client_id), link, strlen(link));
	}
	PQclear(res);
}

int tt_pgbouncer_body(const tt_probe_opts *o, tt_db_results *r, size_t si, void *h)
{
	PGconn *c = h;
	double tmo = o->timeout_s > 0 ? o->timeout_s : 1;
	if (read_config(c, &r->servers[si], tmo) < 0 || read_pools(c, r, si, tmo) < 0)
		return -1;
	size_t first = r->nsessions;
	if (read_clients(c, r, si, tmo) < 0)
		return -1;
	read_links(c, r, si, tmo);
	tt_db_server *srv = &r->servers[si];
	srv->nsessions = (uint32_t)(r->nsessions - first);
	srv->connections = srv->nsessions;
	srv->error[0] = '\0';
	return 0;
}
