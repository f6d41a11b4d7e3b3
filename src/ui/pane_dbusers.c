/* The database users pane: the sessions of one database server, one row
 * per database user (how many, its limit if it has one, in a transaction,
 * the longest in its state, the tenants whose sockets hold them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/format.h"

#include "cells.h"
#include "dbcells.h"

/* The server this pane was opened on: by its label, the index a hint (the
 * list can change between refreshes); -1 gone. */
static long server_of(const tt_rowctx *rc)
{
	char label[TT_NAME_MAX];
	for (size_t k = 0; rc->db && k <= rc->db->nservers; k++) {
		/* the hint first, then every server */
		size_t i = k == 0 ? (size_t)rc->at->server : k - 1;
		if (i >= rc->db->nservers)
			continue;
		tt_db_server_label(&rc->db->servers[i], label, sizeof(label));
		if (!strcmp(label, rc->at->tenant) && rc->db->servers[i].t.pid == rc->at->pid)
			return (long)i;
	}
	return -1;
}

/* A row is the first session of its user: the user's name. */
static const char *user_of(const tt_rowctx *rc, uint32_t row)
{
	return rc->db->sessions[row].user;
}

static void usage(const tt_rowctx *rc, uint32_t row, tt_db_usage *u)
{
	tt_db_user_usage(rc->db, rc->db->sessions[row].server, user_of(rc, row), u);
}

static int u_user(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	snprintf(buf, len, "%s", user_of(rc, row)[0] ? user_of(rc, row) : "(none)");
	return TT_TONE_NORMAL;
}
static int uc_user(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return strcmp(user_of(rc, a), user_of(rc, b));
}

static int u_sessions(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	tt_db_usage u;
	usage(rc, row, &u);
	long lim = tt_db_user_limit(rc->db, rc->db->sessions[row].server, user_of(rc, row));
	snprintf(buf, len, "%u", u.sessions);
	return lim >= 0 && u.sessions >= (unsigned long)lim ? TT_TONE_CRIT : TT_TONE_NORMAL;
}
/* two users by their sessions, or by the longest in its state */
static int cmp_usage(const tt_rowctx *rc, uint32_t a, uint32_t b, bool longest)
{
	tt_db_usage x, y;
	usage(rc, a, &x);
	usage(rc, b, &y);
	return longest ? TT_CMP(x.longest_s, y.longest_s) : TT_CMP(x.sessions, y.sessions);
}
static int uc_sessions(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return cmp_usage(rc, a, b, false);
}

static int u_limit(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	long lim = tt_db_user_limit(rc->db, rc->db->sessions[row].server, user_of(rc, row));
	if (lim < 0)
		return tt_cell_dash(buf, len);
	snprintf(buf, len, "%ld", lim);
	return TT_TONE_NORMAL;
}
static int uc_limit(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(tt_db_user_limit(rc->db, rc->db->sessions[a].server, user_of(rc, a)),
		      tt_db_user_limit(rc->db, rc->db->sessions[b].server, user_of(rc, b)));
}

static int u_txn(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	tt_db_usage u;
	usage(rc, row, &u);
	snprintf(buf, len, "%u", u.in_txn);
	return u.in_txn ? TT_TONE_WARN : TT_TONE_DIM;
}

static int u_longest(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	tt_db_usage u;
	usage(rc, row, &u);
	return tt_cell_age(buf, len, u.longest_s, TT_TONE_NORMAL);
}
static int uc_longest(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return cmp_usage(rc, a, b, true);
}

static int u_databases(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	tt_db_usage u;
	usage(rc, row, &u);
	if (!u.databases[0])
		return tt_cell_dash(buf, len);
	snprintf(buf, len, "%s", u.databases);
	return TT_TONE_DIM;
}

static int u_tenants(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	if (!tt_db_top_tenants(rc, rc->db->sessions[row].server, user_of(rc, row), 3, buf, len)) {
		snprintf(buf, len, "no session paired with a socket here");
		return TT_TONE_DIM;
	}
	return TT_TONE_NORMAL;
}

static const tt_column cols[] = {
	{"user", "DB USER", "the account the sessions log in as", 16, 0, false, false, false, u_user, uc_user, 10, false},
	{"sessions", "SESSIONS", "its sessions on the server now (red: at its own limit)", 9, 0, true, false, true, u_sessions, uc_sessions, 0, false},
	{"limit", "LIMIT", "its own connection limit (MAX_USER_CONNECTIONS, rolconnlimit, max_user_connections), - none", 6, 1, true, false, true, u_limit, uc_limit, 0, false},
	{"in_txn", "IN TXN", "sessions inside a transaction", 7, 3, true, false, true, u_txn, NULL, 0, false},
	{"longest", "LONGEST", "the longest time one of them has been in its command or state", 8, 2, true, false, true, u_longest, uc_longest, 0, false},
	{"databases", "DATABASES", "the databases they use", 14, 4, false, false, false, u_databases, NULL, 0, false},
	{"tenants", "TENANTS", "the tenants whose client sockets hold its sessions, most first", 20, 0, false, true, false, u_tenants, NULL, 10, false},
};

static int by_user(const void *a, const void *b, void *ctx)
{
	const tt_db_results *r = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = strcmp(r->sessions[x].user, r->sessions[y].user);
	return c ? c : (x > y) - (x < y);
}

/* one row per user: the first of that user's sessions */
static int build(const tt_rowctx *rc, tt_rows *out, bool *gone)
{
	long si = server_of(rc);
	if (si < 0) {
		*gone = true;
		return 0;
	}
	tt_rows all = {NULL, 0, 0};
	int r = 0;
	for (uint32_t i = 0; i < rc->db->nsessions && r == 0; i++)
		if (rc->db->sessions[i].server == (uint32_t)si)
			r = tt_rows_push(&all, i);
	if (all.n > 1)
		qsort_r(all.v, all.n, sizeof(*all.v), by_user, (void *)rc->db);
	for (size_t i = 0; i < all.n && r == 0; i++)
		if (i == 0 || strcmp(user_of(rc, all.v[i]), user_of(rc, all.v[i - 1])))
			r = tt_rows_push(out, all.v[i]);
	free(all.v);
	return r;
}

static void row_id(const tt_rowctx *rc, uint32_t row, tt_cursor_id *id)
{
	snprintf(id->tenant, sizeof(id->tenant), "%s", user_of(rc, row));
}

static uint64_t row_key(const tt_rowctx *rc, uint32_t row)
{
	(void)rc, (void)row;
	return 0;
}

static void row_text(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	tt_db_usage u;
	usage(rc, row, &u);
	snprintf(buf, len, "%s %s", user_of(rc, row), u.databases);
}

static void crumb(const tt_rowctx *rc, char *buf, size_t len)
{
	snprintf(buf, len, "%s", rc->at->tenant);
}

static void detail(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	tt_db_usage u;
	char tenants[128], longest[32] = "-";
	usage(rc, row, &u);
	long lim = tt_db_user_limit(rc->db, rc->db->sessions[row].server, user_of(rc, row));
	if (!tt_db_top_tenants(rc, rc->db->sessions[row].server, user_of(rc, row), 5, tenants, sizeof(tenants)))
		snprintf(tenants, sizeof(tenants), "no tenant here (remote clients, or not paired)");
	if (u.longest_s >= 0)
		tt_fmt_age(u.longest_s, longest, sizeof(longest));
	char limit[40] = "no limit of its own";
	if (lim >= 0)
		snprintf(limit, sizeof(limit), "limit %ld", lim);
	snprintf(buf, len, "%s: %u session%s (%s), %u in a transaction, the longest %s in its state; tenants: %s",
		 user_of(rc, row), u.sessions, u.sessions == 1 ? "" : "s", limit, u.in_txn, longest, tenants);
}

static void empty(const tt_rowctx *rc, char *buf, size_t len)
{
	long si = server_of(rc);
	const tt_db_server *s = si >= 0 ? &rc->db->servers[si] : NULL;
	snprintf(buf, len, "%s", s && s->error[0] ? s->error : "no client session on this server");
}

const tt_pane tt_pane_dbusers = {
	TT_PANE_BASICS,
	.id = "dbusers",
	.title = "Database users",
	.default_sort = "sessions",
	.detail_lines = 2,
	.empty = empty,
};
