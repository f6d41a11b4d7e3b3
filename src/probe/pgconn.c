/* libpq with deadlines: non-blocking connect and queries, so a server that
 * accepts and then says nothing costs the probe thread at most the timeout. */
#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tenantop/clock.h"
#include "probe/api_pq.h"
#include "tenantop/probe_pg.h"

static void set_error(tt_db_server *srv, const char *what, const char *msg)
{
	char clean[200];
	snprintf(clean, sizeof(clean), "%s", msg ? msg : "");
	size_t n = strlen(clean);
	while (n && (clean[n - 1] == '\n' || clean[n - 1] == ' '))
		clean[--n] = '\0';
	for (char *p = clean; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	char both[400];
	snprintf(both, sizeof(both), "%s%s%s", what, *what && *clean ? ": " : "", clean);
	tt_db_copy(srv->error, sizeof(srv->error), both, strlen(both));
}

/* Wait for the socket: 1 ready, 0 deadline passed, -1 error. */
static int wait_sock(int fd, bool write, double deadline)
{
	for (;;) {
		double left = deadline - tt_mono_s();
		if (left <= 0)
			return 0;
		struct pollfd p = {fd, (short)(write ? POLLOUT : POLLIN), 0};
		int rc = poll(&p, 1, (int)(left * 1000) + 1);
		if (rc > 0)
			return 1;
		if (rc == 0)
			continue;
		if (errno != EINTR)
			return -1;
	}
}

PGconn *tt_pg_connect(const tt_probe_opts *o, const tt_db_target *t, const char *user, const char *dbname,
		      bool server_options, tt_db_server *srv)
{
	char dir[108] = "", port[8], pw[256] = "", uname[64] = "";
	if (tt_pq_load(srv->error, sizeof(srv->error)) < 0)
		return NULL;
	bool via_unix = t->unix_path[0] != '\0';
	if (via_unix) {
		snprintf(dir, sizeof(dir), "%s", t->unix_path);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
	}
	snprintf(port, sizeof(port), "%u", t->port ? t->port : 5432);
	if (t->password_file[0] && tt_db_read_password(t->password_file, pw, sizeof(pw)) < 0) {
		set_error(srv, "cannot read the password file", t->password_file);
		return NULL;
	}
	/* peer authentication: the server's owner, over the Unix socket */
	uint32_t uid = 0, gid = 0;
	bool become = via_unix && !pw[0] && geteuid() == 0 && t->pid > 0 &&
		      tt_db_proc_ids(o->proc_root, t->pid, &uid, &gid) == 0 && uid != 0;
	if (!user || !*user) {
		struct passwd pwd, *res = NULL;
		char buf[1024];
		if (getpwuid_r(become ? uid : geteuid(), &pwd, buf, sizeof(buf), &res) == 0 && res)
			snprintf(uname, sizeof(uname), "%s", res->pw_name);
		else
			snprintf(uname, sizeof(uname), "postgres");
		user = uname;
	}
	const char *keys[12], *vals[12];
	int n = 0;
	keys[n] = "host", vals[n++] = via_unix ? dir : t->host;
	keys[n] = "port", vals[n++] = port;
	keys[n] = "user", vals[n++] = user;
	keys[n] = "dbname", vals[n++] = dbname;
	keys[n] = "sslmode", vals[n++] = via_unix ? "disable" : "prefer";
	keys[n] = "gssencmode", vals[n++] = "disable";
	keys[n] = "fallback_application_name", vals[n++] = "tenantop";
	if (pw[0])
		keys[n] = "password", vals[n++] = pw;
	if (server_options)
		keys[n] = "options", vals[n++] = "-c statement_timeout=2000 -c default_transaction_read_only=on";
	keys[n] = NULL, vals[n] = NULL;

	if (become && tt_db_become(uid, gid) < 0) {
		set_error(srv, "cannot take the server owner's identity for peer authentication", strerror(errno));
		return NULL;
	}
	double deadline = tt_mono_s() + (o->timeout_s > 0 ? o->timeout_s : 1);
	PGconn *c = PQconnectStartParams(keys, vals, 0);
	memset(pw, 0, sizeof(pw));
	bool ok = false, timed_out = false;
	if (c && PQstatus(c) != CONNECTION_BAD) {
		PostgresPollingStatusType st = PGRES_POLLING_WRITING;
		for (;;) {
			if (st == PGRES_POLLING_OK) {
				ok = true;
				break;
			}
			if (st == PGRES_POLLING_FAILED)
				break;
			int w = wait_sock(PQsocket(c), st == PGRES_POLLING_WRITING, deadline);
			if (w <= 0) {
				timed_out = w == 0;
				break;
			}
			st = PQconnectPoll(c);
		}
	}
	if (become)
		tt_db_become_root();
	if (!ok) {
		char what[160];
		snprintf(what, sizeof(what), "login as %s %s", user, timed_out ? "timed out" : "refused");
		set_error(srv, what, timed_out ? "" : c ? PQerrorMessage(c) : "out of memory");
		PQfinish(c);
		return NULL;
	}
	if (PQsetnonblocking(c, 1) != 0) {
		set_error(srv, "libpq", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

PGresult *tt_pg_query(PGconn *c, const char *sql, double timeout_s, tt_db_server *srv)
{
	double deadline = tt_mono_s() + (timeout_s > 0 ? timeout_s : 1);
	if (!PQsendQuery(c, sql)) {
		set_error(srv, "query", PQerrorMessage(c));
		return NULL;
	}
	while (PQflush(c) == 1)
		if (wait_sock(PQsocket(c), true, deadline) <= 0) {
			set_error(srv, "query timed out", "");
			return NULL;
		}
	PGresult *last = NULL;
	for (;;) {
		while (PQisBusy(c)) {
			int w = wait_sock(PQsocket(c), false, deadline);
			if (w <= 0 || !PQconsumeInput(c)) {
				set_error(srv, w == 0 ? "query timed out" : "query", w == 0 ? "" : PQerrorMessage(c));
				PQclear(last);
				return NULL;
			}
		}
		PGresult *res = PQgetResult(c);
		if (!res)
			break;
		PQclear(last);
		last = res;
	}
	if (!last || (PQresultStatus(last) != PGRES_TUPLES_OK && PQresultStatus(last) != PGRES_COMMAND_OK)) {
		set_error(srv, "query", last ? PQresultErrorMessage(last) : PQerrorMessage(c));
		PQclear(last);
		return NULL;
	}
	return last;
}

const char *tt_pg_get(const PGresult *res, int row, const char *name)
{
	int col = PQfnumber(res, name);
	if (col < 0 || row >= PQntuples(res) || PQgetisnull(res, row, col))
		return NULL;
	return PQgetvalue(res, row, col);
}

long tt_pg_long(const PGresult *res, int row, const char *name)
{
	const char *v = tt_pg_get(res, row, name);
	if (!v || !*v)
		return -1;
	char *end;
	long x = strtol(v, &end, 10);
	return end == v ? -1 : x;
}
