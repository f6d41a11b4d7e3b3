/* One refresh's database side: targets from the snapshot, the prober's
 * latest results, their pairing with the snapshot's sockets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/detect.h"
#include "tenantop/model.h"
#include "tenantop/probe.h"
#include "tenantop/u64set.h"
#include "tenantop/vec.h"

int tt_dbstate_start(tt_dbstate *d, bool on, const char *proc_root, double every_s, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	tt_db_results_init(&d->res);
	tt_db_join_init(&d->join);
	/* a fixture tree (--proc DIR) has no servers to ask */
	if (!on || !proc_root || strcmp(proc_root, "/proc") != 0)
		return 0;
	tt_probe_opts po = {.timeout_s = 1, .proc_root = proc_root};
	d->prober = tt_prober_new(&po, every_s, err, errlen);
	return d->prober ? 0 : -1;
}

/* The session's client end: the socket whose local end is the address
 * the server saw the session come from (TCP). */
static bool is_client_end(const tt_sock *k, const tt_db_session *s)
{
	if (k->family == TT_FAM_UNIX || k->lport != s->port)
		return false;
	size_t n = k->family == TT_FAM_TCP6 ? 16 : 4;
	if (!memcmp(k->laddr, s->addr, n))
		return true;
	/* an IPv4 client seen by a dual-stack server as ::ffff:a.b.c.d */
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return k->family == TT_FAM_TCP4 && !memcmp(s->addr, mapped, 12) && !memcmp(k->laddr, s->addr + 12, 4);
}

void tt_dbstate_update(tt_dbstate *d, const tt_snapshot *snap, const tt_db_conf *conf, double wait_s)
{
	d->valid = false;
	if (!d->prober)
		return;
	if (tt_db_targets_build(&d->targets, snap, conf) == 0)
		tt_prober_set_targets(d->prober, &d->targets);
	if (wait_s > 0)
		tt_prober_wait_round(d->prober, wait_s);
	d->valid = tt_prober_take(d->prober, &d->res) == 0 && tt_db_join_run(&d->join, snap, &d->res) == 0;
	if (d->valid && (TT_VEC_RESERVE(d->dbuser, d->dbuser_cap, snap->nsocks) < 0 ||
			 TT_VEC_RESERVE(d->pooled_by, d->pooled_cap, snap->nsocks) < 0)) {
		d->valid = false;
		return;
	}
	for (size_t i = 0; d->valid && i < snap->nsocks; i++) {
		int32_t si = i < d->join.n ? d->join.sock_session[i] : -1;
		d->dbuser[i] = si >= 0 && d->res.sessions[si].user[0] ? d->res.sessions[si].user : NULL;
		d->pooled_by[i] = -1;
	}
	if (d->valid && TT_VEC_RESERVE(d->client_sock, d->client_cap, d->res.nsessions) < 0)
		d->valid = false;
	if (!d->valid)
		return;
	/* each session's client end among the snapshot's sockets, in one pass */
	size_t n = snap->nsocks < d->join.n ? snap->nsocks : d->join.n;
	for (size_t si = 0; si < d->res.nsessions; si++)
		d->client_sock[si] = -1;
	for (size_t k = 0; k < n; k++) {
		int32_t si = d->join.sock_session[k];
		if (si >= 0 && d->client_sock[si] < 0 && is_client_end(&snap->socks[k], &d->res.sessions[si]))
			d->client_sock[si] = (int32_t)k;
	}
	/* the pooler's end of a linked server connection: the client's own socket */
	for (size_t i = 0; i < n; i++) {
		int32_t si = d->join.sock_session[i];
		if (si >= 0 && d->res.sessions[si].link >= 0 && is_client_end(&snap->socks[i], &d->res.sessions[si]))
			d->pooled_by[i] = d->client_sock[d->res.sessions[si].link];
	}
}

void tt_dbstate_annotate(tt_dbstate *d, tt_snapshot *snap)
{
	snap->dbuser = d->valid ? d->dbuser : NULL;
	snap->ndbuser = d->valid ? snap->nsocks : 0;
	snap->pooled_by = d->valid ? d->pooled_by : NULL;
	snap->npooled_by = d->valid ? snap->nsocks : 0;
}

void tt_dbstate_free(tt_dbstate *d)
{
	tt_prober_free(d->prober);
	tt_db_targets_free(&d->targets);
	tt_db_results_free(&d->res);
	tt_db_join_free(&d->join);
	free(d->dbuser);
	free(d->pooled_by);
	free(d->client_sock);
	memset(d, 0, sizeof(*d));
}

/* ---- the servers' limits for the detector ---- */

static bool conf_has_port(const tt_detect_opts *o, const tt_db_server *s)
{
	for (size_t i = 0; o && i < o->nlimits; i++)
		for (unsigned p = 0; p < s->t.ntcp_ports; p++)
			if (!o->limits[i].tenant[0] && o->limits[i].port == s->t.tcp_ports[p])
				return true;
	return false;
}

static bool conf_has_tenant(const tt_detect_opts *o, const char *tenant)
{
	for (size_t i = 0; o && i < o->nlimits; i++)
		if (o->limits[i].tenant[0] && !strcmp(o->limits[i].tenant, tenant))
			return true;
	return false;
}

/* The tenant most of the matching sessions' client sockets belong to
 * (stenant: each session's client-socket tenant, -1 none); ties go to the
 * tenant listed first.  -1 when no matching session is paired. */
typedef bool (*session_pred)(const tt_db_session *s, const void *arg);

static long tenant_of_sessions(const tt_db_results *r, const int32_t *stenant, uint32_t server, session_pred pred,
			       const void *arg)
{
	tt_u64set count;
	tt_u64set_init(&count);
	long best = -1;
	uint64_t best_n = 0;
	for (size_t i = 0; i < r->nsessions; i++) {
		if (stenant[i] < 0 || r->sessions[i].server != server || !pred(&r->sessions[i], arg))
			continue;
		uint64_t n = 0, key = (uint64_t)stenant[i] + 1;
		tt_u64set_get(&count, key, &n);
		n++;
		if (tt_u64set_put(&count, key, n) < 0)
			break;
		if (n > best_n || (n == best_n && stenant[i] < best)) {
			best = stenant[i];
			best_n = n;
		}
	}
	tt_u64set_free(&count);
	return best;
}

static bool same_user(const tt_db_session *s, const void *arg)
{
	return !strcmp(s->user, (const char *)arg);
}

static bool same_database(const tt_db_session *s, const void *arg)
{
	return !strcmp(s->database, (const char *)arg);
}

static bool waiting_in_pool(const tt_db_session *s, const void *arg)
{
	const tt_db_pool *p = arg;
	return !strcmp(s->command, "waiting") && !strcmp(s->user, p->user) && !strcmp(s->database, p->database);
}

size_t tt_dbstate_limits(const tt_dbstate *d, const tt_model *m, const tt_detect_opts *conf, tt_db_limit *out,
			 size_t max)
{
	size_t n = 0;
	if (!d->valid)
		return 0;
	const tt_db_results *r = &d->res;
	/* each session's tenant: that of its client socket on this host */
	int32_t *stenant = malloc((r->nsessions ? r->nsessions : 1) * sizeof(*stenant));
	if (!stenant)
		return 0;
	for (size_t i = 0; i < r->nsessions; i++)
		stenant[i] = -1;
	for (size_t k = 0; k < m->nsocks && k < d->join.n; k++) {
		int32_t si = d->join.sock_session[k];
		if (si >= 0 && m->socks[k].role == TT_ROLE_CLIENT && m->socks[k].tenant >= 0)
			stenant[si] = m->socks[k].tenant;
	}
	for (size_t i = 0; i < r->nservers && n < max; i++) {
		const tt_db_server *s = &r->servers[i];
		if (s->error[0] || s->probed_at <= 0)
			continue;
		char ep[64];
		snprintf(ep, sizeof(ep), "%.*s", (int)strcspn(s->t.endpoints, ","), s->t.endpoints);
		/* the whole server */
		long lim = s->max_connections - (s->reserved > 0 ? s->reserved : 0);
		if (lim > 0 && s->connections >= 0 && !conf_has_port(conf, s)) {
			tt_db_limit *l = &out[n++];
			memset(l, 0, sizeof(*l));
			snprintf(l->what, sizeof(l->what), "%s %.50s %s", tt_db_kind_name(s->t.kind), ep,
				 s->t.kind == TT_DB_PGBOUNCER ? "max_client_conn" : s->t.kind == TT_DB_REDIS ? "maxclients"
												   : "max_connections");
			l->used = (uint32_t)s->connections;
			l->max = (uint32_t)lim;
		}
		/* each database user's own limit (MariaDB accounts: the user part; the smallest wins) */
		for (size_t u = 0; u < r->nlimits && n < max; u++) {
			const tt_db_userlimit *ul = &r->limits[u];
			if (ul->server != i || ul->limit <= 0)
				continue;
			bool dbl = ul->database;
			char user[64];
			snprintf(user, sizeof(user), "%.*s", dbl ? (int)strlen(ul->user) : (int)strcspn(ul->user, "@"), ul->user);
			bool dup = false;
			long smallest = ul->limit;
			for (size_t v = 0; v < r->nlimits; v++) {
				const tt_db_userlimit *o = &r->limits[v];
				if (o->server != i || o->limit <= 0 || v == u || o->database != dbl)
					continue;
				if (strncmp(o->user, user, strlen(user)) || (o->user[strlen(user)] && o->user[strlen(user)] != '@'))
					continue;
				if (v < u)
					dup = true;
				if (o->limit < smallest)
					smallest = o->limit;
			}
			if (dup)
				continue;
			uint32_t used = 0;
			for (size_t q = 0; q < r->nsessions; q++)
				if (r->sessions[q].server == i && (dbl ? same_database : same_user)(&r->sessions[q], user))
					used++;
			long t = tenant_of_sessions(r, stenant, (uint32_t)i, dbl ? same_database : same_user, user);
			const char *tn = t >= 0 ? m->tenants[t].name : "";
			if (*tn && conf_has_tenant(conf, tn))
				continue;
			tt_db_limit *l = &out[n++];
			memset(l, 0, sizeof(*l));
			snprintf(l->tenant, sizeof(l->tenant), "%s", tn);
			snprintf(l->what, sizeof(l->what), "%s %.50s %s %.40s %s", tt_db_kind_name(s->t.kind), ep,
				 dbl ? "database" : "user", user,
				 s->t.kind == TT_DB_MARIADB ? "MAX_USER_CONNECTIONS" : "CONNECTION LIMIT");
			l->used = used;
			l->max = (uint32_t)smallest;
		}
		/* pooler clients waiting: per tenant of the waiting clients */
		for (uint32_t p = 0; p < s->npools && s->first_pool + p < r->npools && n < max; p++) {
			const tt_db_pool *pl = &r->pools[s->first_pool + p];
			if (!pl->cl_waiting)
				continue;
			long t = tenant_of_sessions(r, stenant, (uint32_t)i, waiting_in_pool, pl);
			tt_db_limit *l = &out[n++];
			memset(l, 0, sizeof(*l));
			snprintf(l->tenant, sizeof(l->tenant), "%s", t >= 0 ? m->tenants[t].name : "");
			snprintf(l->what, sizeof(l->what), "%s %.50s pool %.24s/%.24s", tt_db_kind_name(s->t.kind), ep, pl->database,
				 pl->user);
			l->waiting = pl->cl_waiting;
			l->longest_wait_s = pl->maxwait_s;
		}
	}
	free(stenant);
	return n;
}
