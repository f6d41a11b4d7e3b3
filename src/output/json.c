/* src/output/ owns the printed forms of a refresh: JSON, Prometheus text, the text table.
 *
 * Batch JSON: one object per refresh, one per line (contract in DESIGN.md). */
#include <stdio.h>
#include <string.h>

#include "tenantop/jsonw.h"
#include "tenantop/baseline.h"
#include "tenantop/lifecycle.h"
#include "tenantop/output.h"

static void write_states(tt_jsonw *w, const tt_counts *c)
{
	tt_jw_obj_begin(w);
	for (int st = 1; st < TT_ST_COUNT; st++) {
		if (!c->st[st])
			continue;
		tt_jw_key(w, tt_state_name(st));
		tt_jw_uint(w, c->st[st]);
	}
	tt_jw_obj_end(w);
}

/* The pooler client a pooled server connection serves: its user, and the
 * tenant and process of its socket when it is on this host. */
static void write_pooled_for(tt_jsonw *w, const tt_model *m, const tt_output_opts *o, int32_t ci)
{
	const tt_db_session *c = &o->db->sessions[ci];
	tt_jw_key(w, "pooled_for");
	tt_jw_obj_begin(w);
	tt_jw_key(w, "user");
	tt_jw_str(w, c->user);
	tt_jw_key(w, "database");
	tt_jw_str(w, c->database);
	for (size_t k = 0; k < m->nsocks && k < o->dbjoin->n; k++) {
		const tt_msock *ms = &m->socks[k];
		if (o->dbjoin->sock_session[k] != ci || ms->role != TT_ROLE_CLIENT || ms->tenant < 0)
			continue;
		tt_jw_key(w, "tenant");
		tt_jw_str(w, m->tenants[ms->tenant].name);
		if (ms->holder >= 0 && (size_t)ms->holder < m->snap.nprocs) {
			tt_jw_key(w, "pid");
			tt_jw_int(w, m->snap.procs[ms->holder].pid);
		}
		break;
	}
	tt_jw_obj_end(w);
}

static void write_db_session(tt_jsonw *w, const tt_model *m, const tt_output_opts *o, const tt_db_session *ss)
{
	const tt_db_results *r = o->db;
	tt_jw_obj_begin(w);
	tt_jw_key(w, "server");
	tt_jw_str(w, tt_db_kind_name(r->servers[ss->server].t.kind));
	tt_jw_key(w, "server_pid");
	tt_jw_int(w, r->servers[ss->server].t.pid);
	tt_jw_key(w, "id");
	tt_jw_str(w, ss->id);
	tt_jw_key(w, "user");
	tt_jw_str(w, ss->user);
	tt_jw_key(w, "database");
	tt_jw_str(w, ss->database);
	tt_jw_key(w, "command");
	tt_jw_str(w, ss->command);
	tt_jw_key(w, "state");
	tt_jw_str(w, ss->state);
	tt_jw_key(w, "time_s");
	if (ss->time_s < 0)
		tt_jw_null(w);
	else
		tt_jw_double(w, ss->time_s, 1);
	tt_jw_key(w, "in_transaction");
	if (ss->in_transaction < 0)
		tt_jw_null(w);
	else
		tt_jw_bool(w, ss->in_transaction);
	tt_jw_key(w, "query");
	tt_jw_str(w, ss->query);
	if (ss->link >= 0 && (size_t)ss->link < r->nsessions)
		write_pooled_for(w, m, o, ss->link);
	tt_jw_obj_end(w);
}

static void write_sock(tt_jsonw *w, const tt_model *m, uint32_t si, const tt_output_opts *o)
{
	const tt_msock *ms = &m->socks[si];
	const tt_sock *k = ms->s;
	char buf[160];
	tt_jw_obj_begin(w);
	tt_jw_key(w, "inode");
	tt_jw_uint(w, k->inode);
	tt_jw_key(w, "state");
	tt_jw_str(w, tt_state_name(k->state));
	tt_jw_key(w, "role");
	tt_jw_str(w, tt_role_name(ms->role));
	tt_jw_key(w, "family");
	tt_jw_str(w, tt_family_name(k->family));
	tt_jw_key(w, "local");
	tt_jw_str(w, tt_sock_fmt_local(k, &m->snap, buf, sizeof(buf)));
	tt_jw_key(w, "remote");
	tt_jw_str(w, tt_sock_fmt_remote(k, &m->snap, buf, sizeof(buf)));
	if (k->netns) {
		tt_jw_key(w, "netns");
		tt_jw_uint(w, k->netns);
	}
	tt_jw_key(w, "age_s");
	tt_jw_double(w, tt_msock_age(m, ms), 1);
	tt_jw_key(w, "state_age_s");
	tt_jw_double(w, tt_msock_state_age(m, ms), 1);
	if (ms->port) {
		tt_jw_key(w, "port");
		tt_jw_uint(w, ms->port);
	}
	tt_jw_key(w, "rx_queue");
	tt_jw_uint(w, k->rxq);
	tt_jw_key(w, "tx_queue");
	tt_jw_uint(w, k->txq);
	if (k->flags & TT_SF_HAS_INFO) {
		uint32_t idle = k->last_data_recv_ms < k->last_data_sent_ms ? k->last_data_recv_ms
									   : k->last_data_sent_ms;
		tt_jw_key(w, "idle_s");
		tt_jw_double(w, idle / 1000.0, 1);
	}
	if (k->flags & TT_SF_HELD_ONLY) {
		tt_jw_key(w, "held");
		tt_jw_bool(w, true);
	}
	if (k->flags & (TT_SF_ENDPOINT_UNKNOWN | TT_SF_ENDPOINT_REMEMBERED)) {
		tt_jw_key(w, "endpoints");
		tt_jw_str(w, (k->flags & TT_SF_ENDPOINT_UNKNOWN) ? "unknown" : "remembered");
	}
	static const char *const owner_names[] = {[TT_OWN_RULE] = "rule", [TT_OWN_MEMORY] = "memory",
						  [TT_OWN_SOCKET_UID] = "socket-uid", [TT_OWN_EVENT] = "event",
						  [TT_OWN_POOLED] = "pooled"};
	if (ms->owner_kind < sizeof(owner_names) / sizeof(owner_names[0]) && owner_names[ms->owner_kind]) {
		tt_jw_key(w, "owner");
		tt_jw_str(w, owner_names[ms->owner_kind]);
	}
	if (ms->nholders > 1) {
		tt_jw_key(w, "holders");
		tt_jw_uint(w, ms->nholders);
	}
	if (o && o->db && o->dbjoin && si < o->dbjoin->n && o->dbjoin->sock_session[si] >= 0) {
		tt_jw_key(w, "db");
		write_db_session(w, m, o, &o->db->sessions[o->dbjoin->sock_session[si]]);
	}
	tt_jw_obj_end(w);
}

static void write_proc(tt_jsonw *w, const tt_model *m, const tt_mproc *mp, const tt_output_opts *o)
{
	const tt_proc *p = mp->p;
	tt_jw_obj_begin(w);
	tt_jw_key(w, "pid");
	tt_jw_int(w, p->pid);
	tt_jw_key(w, "ppid");
	tt_jw_int(w, p->ppid);
	tt_jw_key(w, "uid");
	tt_jw_uint(w, p->uid);
	tt_jw_key(w, "user");
	tt_jw_str(w, tt_model_str(m, p->user));
	tt_jw_key(w, "comm");
	tt_jw_str(w, tt_model_str(m, p->comm));
	tt_jw_key(w, "cmdline");
	tt_jw_str(w, tt_model_str(m, p->cmdline));
	tt_jw_key(w, "cwd");
	tt_jw_str(w, tt_model_str(m, p->cwd));
	tt_jw_key(w, "exe");
	tt_jw_str(w, tt_model_str(m, p->exe));
	tt_jw_key(w, "cgroup");
	tt_jw_str(w, tt_model_str(m, p->cgroup));
	if (p->netns) {
		tt_jw_key(w, "netns");
		tt_jw_uint(w, p->netns);
		if (p->netns_name) {
			tt_jw_key(w, "netns_name");
			tt_jw_str(w, tt_model_str(m, p->netns_name));
		}
	}
	tt_jw_key(w, "start_time");
	tt_jw_uint(w, p->start_time);
	tt_jw_key(w, "fds");
	tt_jw_uint(w, p->nfds);
	tt_jw_key(w, "rule");
	tt_jw_str(w, mp->match.rule ? mp->match.rule : "");
	tt_jw_key(w, "rule_detail");
	tt_jw_str(w, mp->match.detail);
	if (p->flags & (TT_PF_FD_DENIED | TT_PF_FACTS_PARTIAL)) {
		tt_jw_key(w, "partial");
		tt_jw_bool(w, true);
	}
	if (p->flags & TT_PF_SOCKET_UID) {
		tt_jw_key(w, "unknown");
		tt_jw_bool(w, true);
	}
	tt_jw_key(w, "states");
	write_states(w, &mp->counts);
	if (mp->endpoint_unknown) {
		tt_jw_key(w, "endpoint_unknown");
		tt_jw_uint(w, mp->endpoint_unknown);
	}
	tt_jw_key(w, "sockets");
	tt_jw_arr_begin(w);
	for (uint32_t r = 0; r < mp->nrefs; r++)
		write_sock(w, m, m->refs[mp->first_ref + r], o);
	tt_jw_arr_end(w);
	tt_jw_obj_end(w);
}

static void opt_seconds(tt_jsonw *w, const char *key, double v)
{
	tt_jw_key(w, key);
	if (v < 0)
		tt_jw_null(w);
	else
		tt_jw_double(w, v, 4);
}

/* "lifecycle": the tenant's connections from kernel events; null when the
 * source has none (source_note says why) */
static void write_lifecycle(tt_jsonw *w, const tt_model *m, const tt_mtenant *t)
{
	tt_jw_key(w, "lifecycle");
	if (!tt_lifecycle_on(m->life)) {
		tt_jw_null(w);
		return;
	}
	static const tt_lifecycle_figs none = {.lifetime_p50 = -1, .lifetime_p90 = -1, .lifetime_p99 = -1,
					       .close_wait_p50 = -1, .close_wait_p90 = -1, .close_wait_max = -1};
	const tt_lifecycle_figs *f = tt_lifecycle_tenant(m->life, t->name);
	if (!f)
		f = &none;
	tt_jw_obj_begin(w);
	tt_jw_key(w, "opened_per_s");
	tt_jw_double(w, f->opened_per_s, 2);
	tt_jw_key(w, "closed_per_s");
	tt_jw_double(w, f->closed_per_s, 2);
	tt_jw_key(w, "lifetime_s");
	tt_jw_obj_begin(w);
	opt_seconds(w, "p50", f->lifetime_p50);
	opt_seconds(w, "p90", f->lifetime_p90);
	opt_seconds(w, "p99", f->lifetime_p99);
	tt_jw_obj_end(w);
	tt_jw_key(w, "close_wait_s");
	tt_jw_obj_begin(w);
	opt_seconds(w, "p50", f->close_wait_p50);
	opt_seconds(w, "p90", f->close_wait_p90);
	opt_seconds(w, "max", f->close_wait_max);
	tt_jw_obj_end(w);
	tt_jw_key(w, "time_wait_per_s");
	tt_jw_double(w, f->time_wait_per_s, 2);
	tt_jw_key(w, "events_dropped");
	tt_jw_uint(w, tt_lifecycle_dropped_now(m->life));
	tt_jw_key(w, "opened_total");
	tt_jw_uint(w, f->opened);
	tt_jw_key(w, "closed_total");
	tt_jw_uint(w, f->closed);
	tt_jw_key(w, "time_wait_total");
	tt_jw_uint(w, f->time_wait);
	tt_jw_obj_end(w);
}

static void write_tenant(tt_jsonw *w, const tt_model *m, const tt_mtenant *t, const tt_output_opts *o)
{
	const tt_baseline *base = o ? o->baseline : NULL;
	tt_jw_obj_begin(w);
	tt_jw_key(w, "name");
	tt_jw_str(w, t->name);
	tt_jw_key(w, "rule");
	tt_jw_str(w, t->rule ? t->rule : "");
	tt_jw_key(w, "rule_detail");
	tt_jw_str(w, t->detail);
	tt_jw_key(w, "states");
	write_states(w, &t->counts);
	tt_jw_key(w, "leaked");
	tt_jw_uint(w, tt_counts_leaked(&t->counts));
	if (t->endpoint_unknown) {
		tt_jw_key(w, "endpoint_unknown");
		tt_jw_uint(w, t->endpoint_unknown);
	}
	tt_jw_key(w, "leak_ratio");
	double ratio = tt_counts_leak_ratio(&t->counts);
	if (ratio < 0)
		tt_jw_null(w);
	else
		tt_jw_double(w, ratio, 3);
	tt_jw_key(w, "oldest_leak_s");
	tt_jw_double(w, t->oldest_leak_s, 1);
	tt_jw_key(w, "leak_trend_per_min");
	tt_jw_double(w, t->leak_slope, 2);
	const tt_baseline_entry *be = base ? tt_baseline_find(base, t->name) : NULL;
	if (be) {
		tt_jw_key(w, "baseline");
		tt_jw_obj_begin(w);
		tt_jw_key(w, "ESTABLISHED");
		tt_jw_double(w, be->mean[TT_BL_ESTAB], 2);
		tt_jw_key(w, "leaked");
		tt_jw_double(w, tt_baseline_normal_leaked(be), 2);
		tt_jw_key(w, "leaked_peak");
		tt_jw_double(w, tt_baseline_peak_leaked(be), 0);
		tt_jw_key(w, "TIME_WAIT");
		tt_jw_double(w, be->mean[TT_BL_TIME_WAIT], 2);
		if (be->close_wait_p90 >= 0) /* its usual lifecycle (kernel events) */
			opt_seconds(w, "close_wait_p90_s", be->close_wait_p90);
		if (be->lifetime_p50 >= 0)
			opt_seconds(w, "lifetime_p50_s", be->lifetime_p50);
		tt_jw_obj_end(w);
	}
	write_lifecycle(w, m, t);
	tt_jw_key(w, "processes");
	tt_jw_arr_begin(w);
	for (uint32_t i = 0; i < t->nprocs; i++)
		write_proc(w, m, &m->procs[t->first_proc + i], o);
	tt_jw_arr_end(w);
	if (t->nunowned) {
		tt_jw_key(w, "unowned_sockets");
		tt_jw_arr_begin(w);
		for (uint32_t i = 0; i < t->nunowned; i++)
			write_sock(w, m, m->refs[t->first_unowned + i], o);
		tt_jw_arr_end(w);
	}
	tt_jw_obj_end(w);
}

static void opt_long(tt_jsonw *w, const char *key, long v)
{
	tt_jw_key(w, key);
	if (v < 0)
		tt_jw_null(w);
	else
		tt_jw_int(w, v);
}

/* "servers": what each database server says of itself (DESIGN.md). */
/* A server's per-user and per-database limits. */
static void write_server_limits(tt_jsonw *w, const tt_db_results *r, size_t i)
{
	for (int dbl = 0; dbl < 2; dbl++) {
		bool any = false;
		for (size_t l = 0; l < r->nlimits; l++) {
			if (r->limits[l].server != i || r->limits[l].database != dbl)
				continue;
			if (!any) {
				tt_jw_key(w, dbl ? "database_limits" : "user_limits");
				tt_jw_obj_begin(w);
				any = true;
			}
			tt_jw_key(w, r->limits[l].user);
			tt_jw_int(w, r->limits[l].limit);
		}
		if (any)
			tt_jw_obj_end(w);
	}
}

/* A pooler's pools. */
static void write_server_pools(tt_jsonw *w, const tt_db_results *r, const tt_db_server *s)
{
	tt_jw_key(w, "pools");
	tt_jw_arr_begin(w);
	for (uint32_t p = 0; p < s->npools && s->first_pool + p < r->npools; p++) {
		const tt_db_pool *pl = &r->pools[s->first_pool + p];
		tt_jw_obj_begin(w);
		tt_jw_key(w, "database");
		tt_jw_str(w, pl->database);
		tt_jw_key(w, "user");
		tt_jw_str(w, pl->user);
		tt_jw_key(w, "mode");
		tt_jw_str(w, pl->mode);
		tt_jw_key(w, "cl_active");
		tt_jw_uint(w, pl->cl_active);
		tt_jw_key(w, "cl_waiting");
		tt_jw_uint(w, pl->cl_waiting);
		tt_jw_key(w, "sv_active");
		tt_jw_uint(w, pl->sv_active);
		tt_jw_key(w, "sv_idle");
		tt_jw_uint(w, pl->sv_idle);
		tt_jw_key(w, "sv_used");
		tt_jw_uint(w, pl->sv_used);
		tt_jw_key(w, "maxwait_s");
		tt_jw_double(w, pl->maxwait_s, 3);
		tt_jw_obj_end(w);
	}
	tt_jw_arr_end(w);
}

static void write_servers(tt_jsonw *w, const tt_model *m, const tt_db_results *r)
{
	tt_jw_key(w, "servers");
	tt_jw_arr_begin(w);
	for (size_t i = 0; i < r->nservers; i++) {
		const tt_db_server *s = &r->servers[i];
		tt_jw_obj_begin(w);
		tt_jw_key(w, "kind");
		tt_jw_str(w, tt_db_kind_name(s->t.kind));
		if (s->t.name[0]) {
			tt_jw_key(w, "name");
			tt_jw_str(w, s->t.name);
		}
		tt_jw_key(w, "pid");
		tt_jw_int(w, s->t.pid);
		tt_jw_key(w, "endpoints");
		tt_jw_arr_begin(w);
		for (const char *p = s->t.endpoints; *p;) {
			size_t n = strcspn(p, ",");
			tt_jw_strn(w, p, n);
			p += n;
			while (*p == ',' || *p == ' ')
				p++;
		}
		tt_jw_arr_end(w);
		tt_jw_key(w, "version");
		tt_jw_str(w, s->version);
		opt_long(w, "max_connections", s->max_connections);
		opt_long(w, "connections", s->connections);
		if (s->t.kind == TT_DB_POSTGRESQL)
			opt_long(w, "superuser_reserved_connections", s->reserved);
		if (s->t.kind == TT_DB_MARIADB) {
			opt_long(w, "max_user_connections", s->max_user_connections);
			opt_long(w, "max_used_connections", s->max_used);
		}
		if (s->t.kind == TT_DB_MARIADB || s->t.kind == TT_DB_REDIS)
			opt_long(w, "rejected", s->rejected);
		if (s->t.kind == TT_DB_PGBOUNCER)
			opt_long(w, "default_pool_size", s->pool_size);
		tt_jw_key(w, "sessions");
		tt_jw_uint(w, s->nsessions);
		tt_jw_key(w, "paired");
		tt_jw_uint(w, s->paired);
		tt_jw_key(w, "unpaired");
		tt_jw_uint(w, s->unpaired);
		write_server_limits(w, r, i);
		if (s->t.kind == TT_DB_PGBOUNCER)
			write_server_pools(w, r, s);
		tt_jw_key(w, "age_s");
		if (s->probed_at > 0)
			tt_jw_double(w, m->time - s->probed_at > 0 ? m->time - s->probed_at : 0, 1);
		else
			tt_jw_null(w);
		tt_jw_key(w, "probe_ms");
		tt_jw_double(w, s->duration_ms, 1);
		tt_jw_key(w, "error");
		if (s->error[0])
			tt_jw_str(w, s->error);
		else
			tt_jw_null(w);
		tt_jw_obj_end(w);
	}
	tt_jw_arr_end(w);
}

static void write_alert(tt_jsonw *w, const tt_alert *a)
{
	tt_jw_obj_begin(w);
	tt_jw_key(w, "tenant");
	tt_jw_str(w, a->tenant);
	tt_jw_key(w, "kind");
	tt_jw_str(w, tt_alert_kind_name(a->kind));
	tt_jw_key(w, "severity");
	tt_jw_str(w, tt_severity_name(a->severity));
	tt_jw_key(w, "first_seen");
	tt_jw_double(w, a->first_seen, 1);
	if (a->eta_s >= 0) {
		tt_jw_key(w, "eta_s");
		tt_jw_double(w, a->eta_s, 0);
	}
	tt_jw_key(w, "message");
	tt_jw_str(w, a->message);
	tt_jw_obj_end(w);
}

/* Whose rules attributed a replay. */
static void write_replay(tt_jsonw *w, const tt_output_opts *o)
{
	if (!o || !o->replay_settings)
		return;
	tt_jw_key(w, "replay");
	tt_jw_obj_begin(w);
	tt_jw_key(w, "settings");
	tt_jw_str(w, o->replay_settings);
	tt_jw_key(w, "config");
	if (o->replay_config && o->replay_config[0])
		tt_jw_str(w, o->replay_config);
	else
		tt_jw_null(w);
	tt_jw_key(w, "interval_s");
	if (o->replay_interval > 0)
		tt_jw_double(w, o->replay_interval, 3);
	else
		tt_jw_null(w);
	tt_jw_key(w, "note");
	tt_jw_str(w, o->replay_note ? o->replay_note : "");
	tt_jw_obj_end(w);
}

/* How complete the attribution is, and the kernel's socket counts. */
static void write_attribution(tt_jsonw *w, const tt_model *m, const tt_scan_stats *st)
{
	tt_jw_key(w, "attribution");
	tt_jw_obj_begin(w);
	tt_jw_key(w, "complete");
	tt_jw_bool(w, !st->attribution_partial);
	if (st->attribution_partial) {
		tt_jw_key(w, "reason");
		tt_jw_str(w, st->partial_reason);
	}
	tt_jw_key(w, "endpoint_unknown");
	tt_jw_uint(w, m->endpoint_unknown);
	tt_jw_key(w, "processes");
	tt_jw_uint(w, st->procs);
	tt_jw_key(w, "vanished");
	tt_jw_uint(w, st->vanished);
	tt_jw_key(w, "fd_denied");
	tt_jw_uint(w, st->fd_denied);
	tt_jw_key(w, "pid_reused");
	tt_jw_uint(w, st->pid_reused);
	tt_jw_key(w, "bad_lines");
	tt_jw_uint(w, st->bad_lines);
	tt_jw_key(w, "hidepid");
	tt_jw_bool(w, st->hidepid);
	if (st->netns_read || st->netns_failed) {
		tt_jw_key(w, "netns_read");
		tt_jw_uint(w, st->netns_read);
		tt_jw_key(w, "netns_failed");
		tt_jw_uint(w, st->netns_failed);
	}
	if (st->unix_no_peers) {
		tt_jw_key(w, "unix_clients");
		tt_jw_str(w, "unknown (no UNIX_DIAG: /proc/net/unix has no peers)");
	}
	tt_jw_obj_end(w);
	if (st->sk_alloc >= 0 && st->sk_inuse >= 0) {
		tt_jw_key(w, "sockstat");
		tt_jw_obj_begin(w);
		tt_jw_key(w, "inuse");
		tt_jw_int(w, st->sk_inuse);
		tt_jw_key(w, "alloc");
		tt_jw_int(w, st->sk_alloc);
		tt_jw_key(w, "orphan");
		tt_jw_int(w, st->sk_orphan);
		tt_jw_key(w, "tw");
		tt_jw_int(w, st->sk_tw);
		tt_jw_obj_end(w);
	}
}

/* What the refresh cost. */
static void write_self(tt_jsonw *w, const tt_scan_stats *st, const tt_output_opts *o)
{
	tt_jw_key(w, "collect_ms");
	tt_jw_double(w, st->collect_ms, 2);
	if (o && o->self_cpu_ms >= 0) {
		tt_jw_key(w, "self");
		tt_jw_obj_begin(w);
		tt_jw_key(w, "cpu_ms");
		tt_jw_double(w, o->self_cpu_ms, 2);
		tt_jw_key(w, "collect_cpu_ms");
		tt_jw_double(w, o->self_collect_cpu_ms, 2);
		tt_jw_key(w, "max_rss_kb");
		tt_jw_int(w, o->self_rss_kb);
		tt_jw_obj_end(w);
	}
}

/* What was watched, and why. */
static void write_watched(tt_jsonw *w, const tt_model *m)
{
	if (m->snap.nwatched) {
		static const char *const why[] = {"default", "configured", "discovered"};
		tt_jw_key(w, "watched");
		tt_jw_arr_begin(w);
		for (size_t i = 0; i < m->snap.nwatched; i++) {
			const tt_watch *x = &m->snap.watched[i];
			char ep[300];
			if (x->family == TT_FAM_UNIX)
				snprintf(ep, sizeof(ep), "unix:%s", tt_model_str(m, x->path));
			else
				snprintf(ep, sizeof(ep), "tcp:%u", x->port);
			tt_jw_obj_begin(w);
			tt_jw_key(w, "endpoint");
			tt_jw_str(w, ep);
			tt_jw_key(w, "why");
			tt_jw_str(w, why[x->why < 3 ? x->why : 0]);
			if (x->pid) {
				tt_jw_key(w, "server");
				tt_jw_str(w, tt_model_str(m, x->server));
				tt_jw_key(w, "pid");
				tt_jw_int(w, x->pid);
			}
			tt_jw_obj_end(w);
		}
		tt_jw_arr_end(w);
	}
}

/* The configured limits' use. */
static void write_pools(tt_jsonw *w, const tt_output_opts *o)
{
	if (o && o->npools) {
		tt_jw_key(w, "pools");
		tt_jw_arr_begin(w);
		for (size_t i = 0; i < o->npools; i++) {
			const tt_pool_use *u = &o->pools[i];
			tt_jw_obj_begin(w);
			tt_jw_key(w, "tenant");
			tt_jw_str(w, u->limit->tenant[0] ? u->limit->tenant : "*");
			tt_jw_key(w, "port");
			if (u->limit->port)
				tt_jw_uint(w, u->limit->port);
			else
				tt_jw_null(w);
			tt_jw_key(w, "max");
			tt_jw_uint(w, u->limit->max);
			tt_jw_key(w, "used");
			tt_jw_uint(w, u->used);
			tt_jw_key(w, "growth_per_min");
			tt_jw_double(w, u->per_min, 2);
			if (u->eta_s >= 0) {
				tt_jw_key(w, "eta_s");
				tt_jw_double(w, u->eta_s, 0);
			}
			tt_jw_obj_end(w);
		}
		tt_jw_arr_end(w);
	}
}

static int write_json(FILE *f, const tt_model *m, const tt_alerts *alerts, const tt_output_opts *o)
{
	const tt_scan_stats *st = &m->snap.stats;
	tt_jsonw w;
	tt_jw_init(&w, f);
	tt_jw_obj_begin(&w);
	tt_jw_key(&w, "time");
	tt_jw_double(&w, m->time, 3);
	if (o && o->host) {
		tt_jw_key(&w, "host");
		tt_jw_str(&w, o->host);
	}
	tt_jw_key(&w, "source");
	tt_jw_str(&w, st->source);
	if (st->source_note[0]) {
		tt_jw_key(&w, "source_note");
		tt_jw_str(&w, st->source_note);
	}
	if (st->from_events || st->full_why[0]) {
		/* the TCP table: the kernel's state changes applied to the last
		 * full read, or a full read and why */
		tt_jw_key(&w, "tcp_table");
		tt_jw_obj_begin(&w);
		tt_jw_key(&w, "from");
		tt_jw_str(&w, st->from_events ? "events" : "read");
		if (st->from_events) {
			tt_jw_key(&w, "changes");
			tt_jw_uint(&w, st->changes);
		} else {
			tt_jw_key(&w, "why");
			tt_jw_str(&w, st->full_why);
		}
		tt_jw_obj_end(&w);
	}
	write_replay(&w, o);
	write_attribution(&w, m, st);
	write_self(&w, st, o);
	write_watched(&w, m);
	tt_jw_key(&w, "totals");
	write_states(&w, &m->totals);
	tt_jw_key(&w, "tenants");
	tt_jw_arr_begin(&w);
	for (size_t i = 0; i < m->ntenants; i++)
		write_tenant(&w, m, &m->tenants[i], o);
	tt_jw_arr_end(&w);
	tt_jw_key(&w, "unattributed");
	tt_jw_obj_begin(&w);
	tt_jw_key(&w, "states");
	write_states(&w, &m->unattributed);
	tt_jw_key(&w, "sockets");
	tt_jw_arr_begin(&w);
	for (size_t i = 0; i < m->nunattr; i++)
		write_sock(&w, m, m->unattr[i], o);
	tt_jw_arr_end(&w);
	tt_jw_obj_end(&w);
	if (o && o->db)
		write_servers(&w, m, o->db);
	tt_jw_key(&w, "alerts");
	tt_jw_arr_begin(&w);
	for (size_t i = 0; alerts && i < alerts->n; i++)
		write_alert(&w, &alerts->v[i]);
	tt_jw_arr_end(&w);
	write_pools(&w, o);
	tt_jw_obj_end(&w);
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}

/* The document under the stream's lock, once: the writer's characters go
 * out with the _unlocked calls (jsonw.c). */
int tt_write_json(FILE *f, const tt_model *m, const tt_alerts *alerts, const tt_output_opts *o)
{
	flockfile(f);
	int rc = write_json(f, m, alerts, o);
	funlockfile(f);
	return rc;
}
