/* Cells the database panes share (src/ui/dbcells.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbcells.h"

void tt_db_server_label(const tt_db_server *s, char *buf, size_t len)
{
	const char *ep = s->t.name[0] ? s->t.name : s->t.endpoints;
	size_t cut = strcspn(ep, ",");
	snprintf(buf, len, "%s %.*s", tt_db_kind_name(s->t.kind), (int)cut, ep);
}

void tt_db_bar(double f, int width, bool ascii, char *buf, size_t len)
{
	int full = f >= 1 ? width : (int)(f * width + 0.5);
	size_t o = 0;
	if (full > width)
		full = width;
	for (int i = 0; i < width && o + 4 < len; i++) {
		const char *c = i < full ? (ascii ? "#" : "\xe2\x96\x88") : (ascii ? "." : "\xe2\x96\x91");
		size_t n = strlen(c);
		memcpy(buf + o, c, n);
		o += n;
	}
	buf[o] = '\0';
}

size_t tt_db_top_tenants(const tt_rowctx *rc, uint32_t server, const char *user, size_t max, char *buf, size_t len)
{
	const tt_model *m = rc->m;
	buf[0] = '\0';
	if (!m || !rc->db || !rc->dbjoin)
		return 0;
	/* one count per tenant, the last for sockets no tenant has */
	uint32_t *n = calloc(m->ntenants + 1, sizeof(*n));
	if (!n)
		return 0;
	for (size_t i = 0; i < m->nsocks; i++) {
		const tt_msock *ms = &m->socks[i];
		size_t k = (size_t)(ms->s - m->snap.socks); /* the snapshot's index: the join's */
		if (ms->role == TT_ROLE_SERVER || k >= rc->dbjoin->n || rc->dbjoin->sock_session[k] < 0)
			continue;
		const tt_db_session *s = &rc->db->sessions[rc->dbjoin->sock_session[k]];
		if (s->server != server || (user && strcmp(s->user, user)))
			continue;
		n[ms->tenant >= 0 && (size_t)ms->tenant < m->ntenants ? (size_t)ms->tenant : m->ntenants]++;
	}
	size_t found = 0, o = 0;
	for (size_t i = 0; i <= m->ntenants; i++)
		found += n[i] > 0;
	for (size_t k = 0; k < max; k++) {
		size_t best = m->ntenants + 1;
		for (size_t i = 0; i <= m->ntenants; i++)
			if (n[i] && (best > m->ntenants || n[i] > n[best]))
				best = i;
		if (best > m->ntenants || o >= len)
			break;
		int w = snprintf(buf + o, len - o, "%s%s %u", k ? ", " : "",
				 best < m->ntenants ? m->tenants[best].name : "(unattributed)", n[best]);
		o = w > 0 ? o + (size_t)w : o;
		n[best] = 0;
	}
	if (found > max && o < len)
		snprintf(buf + o, len - o, ", +%zu more", found - max);
	free(n);
	return found;
}

void tt_db_user_usage(const tt_db_results *r, uint32_t server, const char *user, tt_db_usage *u)
{
	memset(u, 0, sizeof(*u));
	u->longest_s = -1;
	size_t o = 0, ndb = 0;
	for (size_t i = 0; i < r->nsessions; i++) {
		const tt_db_session *s = &r->sessions[i];
		if (s->server != server || strcmp(s->user, user))
			continue;
		u->sessions++;
		u->in_txn += s->in_transaction == 1;
		if (s->time_s > u->longest_s)
			u->longest_s = s->time_s;
		if (s->database[0] && !strstr(u->databases, s->database) && ndb < 3 && o < sizeof(u->databases)) {
			int w = snprintf(u->databases + o, sizeof(u->databases) - o, "%s%s", ndb ? ", " : "", s->database);
			o = w > 0 ? o + (size_t)w : o;
			ndb++;
		}
	}
}

/* A limit's account is the user (PostgreSQL), or user@host (MariaDB:
 * the first of its hosts is taken). */
static bool same_account(const char *account, const char *user)
{
	size_t n = strlen(user);
	return !strncmp(account, user, n) && (account[n] == '\0' || account[n] == '@');
}

long tt_db_user_limit(const tt_db_results *r, uint32_t server, const char *user)
{
	for (size_t i = 0; i < r->nlimits; i++) {
		const tt_db_userlimit *l = &r->limits[i];
		if (l->server == server && !l->database && same_account(l->user, user) && l->limit >= 0)
			return l->limit;
	}
	if (server < r->nservers && r->servers[server].max_user_connections > 0)
		return r->servers[server].max_user_connections;
	return -1;
}
