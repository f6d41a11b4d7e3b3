/* libpq helpers shared by the PostgreSQL and pgbouncer probes: a connection
 * with a deadline (non-blocking connect and queries, poll on the socket),
 * peer authentication as the server's owner around the connect only. */
#ifndef TENANTOP_PROBE_PG_H
#define TENANTOP_PROBE_PG_H

#include <libpq-fe.h>

#include "tenantop/probe.h"

/* Connect to the target (Unix socket when it has one, else TCP) as `user`
 * to `dbname`.  As root over a Unix socket with no password configured, the
 * thread's effective uid/gid become the server process's owner for the
 * connect (peer authentication), then root again.  NULL with the reason in
 * srv->error. */
PGconn *tt_pg_connect(const tt_probe_opts *o, const tt_db_target *t, const char *user, const char *dbname,
		      bool server_options, tt_db_server *srv);
/* Run one statement (simple protocol), waiting at most timeout_s.  The last
 * result, or NULL with the reason in srv->error. */
PGresult *tt_pg_query(PGconn *c, const char *sql, double timeout_s, tt_db_server *srv);
/* Column `name` of row i, NULL when absent or SQL NULL. */
const char *tt_pg_get(const PGresult *res, int row, const char *name);
long tt_pg_long(const PGresult *res, int row, const char *name);

#endif
