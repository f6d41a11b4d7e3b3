/* The databases pane: one row per database server tenantop probes, with
 * the server's own figures (connections in use of its limit, the headroom
 * left, the connections it refused) and the tenants whose clients use it
 * most; Enter opens its database users.  With no server probed it says why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/format.h"

#include "cells.h"
#include "dbcells.h"

static const tt_db_server *srv(const tt_rowctx *rc, uint32_t row)
{
	return &rc->db->servers[row];
}

static bool probed(const tt_db_server *s)
{
	return !s->error[0] && s->probed_at > 0;
}

/* Its share of the limit in use, -1 unknown. */
static double fill(const tt_db_server *s)
{
	return probed(s) && s->max_connections > 0 && s->connections >= 0 ? (double)s->connections / (double)s->max_connections
									  : -1;
}

static int d_kind(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_db_server *s = srv(rc, row);
	snprintf(buf, len, "%s", tt_db_kind_name(s->t.kind));
	return s->error[0] ? TT_TONE_CRIT : TT_TONE_INFO;
}
static int dc_kind(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(srv(rc, a)->t.kind, srv(rc, b)->t.kind);
}

static int d_endpoints(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	snprintf(buf, len, "%s", srv(rc, row)->t.endpoints);
	return TT_TONE_NORMAL;
}
static int dc_endpoints(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return strcmp(srv(rc, a)->t.endpoints, srv(rc, b)->t.endpoints);
}

static int d_version(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_db_server *s = srv(rc, row);
	if (!s->version[0])
		return tt_cell_dash(buf, len);
	snprintf(buf, len, "%s", s->version);
	return TT_TONE_DIM;
}

static int d_used(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_db_server *s = srv(rc, row);
	if (!probed(s) || s->connections < 0)
		return tt_cell_dash(buf, len);
	if (s->max_connections > 0)
		snprintf(buf, len, "%ld/%ld", s->connections, s->max_connections);
	else
		snprintf(buf, len, "%ld", s->connections);
	return s->max_connections > 0 && s->connections >= s->max_connections ? TT_TONE_CRIT : TT_TONE_NORMAL;
}
static int dc_used(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	int c = TT_CMP(fill(srv(rc, a)), fill(srv(rc, b)));
	return c ? c : TT_CMP(srv(rc, a)->connections, srv(rc, b)->connections);
}

static int d_bar(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	double f = fill(srv(rc, row));
	if (f < 0)
		return tt_cell_dash(buf, len);
	tt_db_bar(f, 10, rc->ascii, buf, len);
	return f >= 1 ? TT_TONE_CRIT : f >= 0.8 ? TT_TONE_WARN : TT_TONE_OK;
}

static long headroom(const tt_db_server *s)
{
	return probed(s) && s->max_connections > 0 && s->connections >= 0 ? s->max_connections - s->connections : -1;
}
static int d_headroom(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	long h = headroom(srv(rc, row));
	if (h < 0 && fill(srv(rc, row)) < 0)
		return tt_cell_dash(buf, len);
	snprintf(buf, len, "%ld", h);
	return h <= 0 ? TT_TONE_CRIT : TT_TONE_NORMAL;
}
static int dc_headroom(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(headroom(srv(rc, a)), headroom(srv(rc, b)));
}

static int d_rejected(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_db_server *s = srv(rc, row);
	if (!probed(s) || s->rejected < 0)
		return tt_cell_dash(buf, len);
	snprintf(buf, len, "%ld", s->rejected);
	return s->rejected > 0 ? TT_TONE_WARN : TT_TONE_DIM;
}
static int dc_rejected(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(srv(rc, a)->rejected, srv(rc, b)->rejected);
}

/* The tenants using most, or why there are no figures. */
static int d_tenants(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_db_server *s = srv(rc, row);
	if (s->error[0]) {
		snprintf(buf, len, "%s", s->error);
		return strcmp(s->error, "not probed yet") ? TT_TONE_CRIT : TT_TONE_DIM;
	}
	if (tt_db_top_tenants(rc, row, NULL, 3, buf, len) == 0) {
		snprintf(buf, len, "%s", s->nsessions ? "no session paired with a tenant's socket" : "no client session");
		return TT_TONE_DIM;
	}
	return TT_TONE_NORMAL;
}

static const tt_column cols[] = {
	{"kind", "KIND", "the server: mariadb (or MySQL), postgresql, redis, pgbouncer; red: the probe failed", 10, 0, false, false, false, d_kind, dc_kind, 0, false},
	{"endpoints", "ENDPOINTS", "where it listens (TCP ports, Unix sockets)", 22, 1, false, false, false, d_endpoints, dc_endpoints, 12, false},
	{"version", "VERSION", "what the server says it is", 10, 4, false, false, false, d_version, NULL, 0, false},
	{"used", "USED", "connections in use of its own limit (max_connections, maxclients, max_client_conn)", 11, 0, true, false, true, d_used, dc_used, 0, false},
	{"bar", "FILL", "the share of the limit in use", 10, 3, false, false, false, d_bar, NULL, 0, false},
	{"headroom", "FREE", "connections left before the server refuses", 6, 2, true, false, false, d_headroom, dc_headroom, 0, false},
	{"rejected", "REFUSED", "connections it refused for the limit since it started (Connection_errors_max_connections, rejected_connections)", 8, 2, true, false, true, d_rejected, dc_rejected, 0, false},
	{"tenants", "TENANTS USING MOST", "the tenants whose client sockets hold its sessions, most first; or why there are no figures (the probe's error)", 24, 0, false, true, false, d_tenants, NULL, 14, false},
};

static int build(const tt_rowctx *rc, tt_rows *out, bool *gone)
{
	int r = 0;
	(void)gone;
	for (uint32_t i = 0; rc->db && i < rc->db->nservers && r == 0; i++)
		r = tt_rows_push(out, i);
	return r;
}

static void row_id(const tt_rowctx *rc, uint32_t row, tt_cursor_id *id)
{
	tt_db_server_label(srv(rc, row), id->tenant, sizeof(id->tenant));
	id->pid = srv(rc, row)->t.pid;
}

static uint64_t row_key(const tt_rowctx *rc, uint32_t row)
{
	(void)rc, (void)row;
	return 0; /* servers are not tagged: nothing acts on them */
}

static void row_text(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_db_server *s = srv(rc, row);
	snprintf(buf, len, "%s %s %s %s %s", tt_db_kind_name(s->t.kind), s->t.name, s->t.endpoints, s->version, s->error);
}

static const char *enter(const tt_rowctx *rc, uint32_t row, tt_pane_ctx *next)
{
	const tt_db_server *s = srv(rc, row);
	next->server = (long)row;
	next->pid = s->t.pid;
	tt_db_server_label(s, next->tenant, sizeof(next->tenant));
	return "dbusers";
}

static void crumb(const tt_rowctx *rc, char *buf, size_t len)
{
	(void)rc;
	snprintf(buf, len, "databases");
}

static void detail(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_db_server *s = srv(rc, row);
	char pid[32] = "";
	if (s->t.pid)
		snprintf(pid, sizeof(pid), " (pid %d)", s->t.pid);
	int n = snprintf(buf, len, "%s%s%s %s on %s%s: ", tt_db_kind_name(s->t.kind), s->t.name[0] ? " " : "", s->t.name,
			 s->version, s->t.endpoints, pid);
	if (n < 0 || (size_t)n >= len)
		return;
	if (s->error[0]) {
		snprintf(buf + n, len - (size_t)n, "%s", s->error);
		return;
	}
	char lim[48] = "no limit read", used[48] = "";
	if (s->max_connections > 0)
		snprintf(lim, sizeof(lim), "%ld of %ld in use", s->connections, s->max_connections);
	if (s->max_used >= 0)
		snprintf(used, sizeof(used), ", at most %ld at once", s->max_used);
	snprintf(buf + n, len - (size_t)n, "%s%s; %u sessions listed, %u paired with a socket here, %u not; asked in %.0f ms",
		 lim, used, s->nsessions, s->paired, s->unpaired, s->duration_ms);
}

static void empty(const tt_rowctx *rc, char *buf, size_t len)
{
	if (rc->db_why && rc->db_why[0])
		snprintf(buf, len, "%s", rc->db_why);
	else
		snprintf(buf, len, "no database server found: tenantop asks the MariaDB/MySQL, PostgreSQL, Redis and "
				   "pgbouncer servers it finds listening on the watched ports, and [database] sections");
}

const tt_pane tt_pane_databases = {
	TT_PANE_BASICS,
	.id = "databases",
	.title = "Databases",
	.default_sort = "used",
	.enter = enter,
	.detail_lines = 2,
	.empty = empty,
	.enter_label = "Users",
};
