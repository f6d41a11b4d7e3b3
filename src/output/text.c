/* Batch text: a readable per-tenant table, then the processes holding leaks
 * and the active alerts. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tenantop/format.h"
#include "tenantop/output.h"
#include "tenantop/sanitize.h"

/* Print a safe string in exactly `cols` columns (cut or padded). */
static void put_col(FILE *f, const char *s, size_t cols)
{
	size_t n = tt_display_prefix(s, cols);
	fwrite(s, 1, n, f);
	char tmp[256];
	memcpy(tmp, s, n < sizeof(tmp) - 1 ? n : sizeof(tmp) - 1);
	tmp[n < sizeof(tmp) - 1 ? n : sizeof(tmp) - 1] = '\0';
	for (size_t w = tt_display_width(tmp); w < cols; w++)
		fputc(' ', f);
}

static void row(FILE *f, size_t nw, const char *name, const char *rule, const char *procs, const tt_counts *c,
		double oldest, double slope, bool show_trend)
{
	char age[32], ratio[16], trend[24];
	tt_fmt_share(tt_counts_leak_share(c), ratio, sizeof(ratio)); /* as on the dashboard */
	if (!show_trend)
		snprintf(trend, sizeof(trend), "-");
	else
		tt_fmt_trend(slope, TT_TREND_WORDS, trend, sizeof(trend));
	put_col(f, name, nw);
	fputc(' ', f);
	put_col(f, rule, 8);
	fprintf(f, " %5s %6u %10u %6u %9u %6u %11s %6s %s\n", procs, c->st[TT_ST_ESTABLISHED],
		c->st[TT_ST_CLOSE_WAIT], c->st[TT_ST_CLOSE], c->st[TT_ST_TIME_WAIT], tt_counts_other(c),
		oldest > 0 ? tt_fmt_age(oldest, age, sizeof(age)) : "-", ratio, trend);
}

/* The header: when, from where, how complete, what was watched, totals. */
static void write_header(FILE *f, const tt_model *m, const tt_output_opts *o)
{
	const tt_scan_stats *st = &m->snap.stats;
	char when[64];
	time_t t = (time_t)m->time;
	struct tm tmv;
	localtime_r(&t, &tmv);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tmv);
	fprintf(f, "tenantop %s  %s  source %s  %zu sockets, %zu tenants\n",
		o && o->host ? o->host : "", when, st->source, m->nsocks, m->ntenants);
	if (o && o->replay_settings) {
		char iv[32] = "";
		if (o->replay_interval > 0)
			snprintf(iv, sizeof(iv), ", recorded every %gs", o->replay_interval);
		fprintf(f, "replay: %s%s\n", o->replay_note ? o->replay_note : "", iv);
	}
	if (st->attribution_partial)
		fprintf(f, "attribution PARTIAL: %s\n", st->partial_reason);
	if (st->hidepid)
		fprintf(f, "warning: /proc is mounted with hidepid: other users' processes are hidden\n");
	if (st->netns_read || st->netns_failed)
		fprintf(f, "network namespaces: %u read besides our own, %u unreadable\n", st->netns_read,
			st->netns_failed);
	if (st->unix_no_peers)
		fprintf(f, "note: Unix sockets from /proc/net/unix (no UNIX_DIAG): client ends are unknown\n");
	if (st->held)
		fprintf(f, "reset but held (state CLOSE, invisible to ss): %u\n", st->held);
	/* what discovery added to the watched ports and socket files */
	size_t ndisc = 0;
	for (size_t i = 0; i < m->snap.nwatched; i++) {
		const tt_watch *x = &m->snap.watched[i];
		if (x->why != TT_WHY_DISCOVERED)
			continue;
		fputs(ndisc++ ? ", " : "also watching, where database servers listen: ", f);
		if (x->family == TT_FAM_UNIX)
			fprintf(f, "%s", tt_model_str(m, x->path));
		else
			fprintf(f, "port %u", x->port);
		fprintf(f, " (%s %d)", tt_model_str(m, x->server), x->pid);
	}
	if (ndisc)
		fputc('\n', f);
	if (m->endpoint_unknown)
		fprintf(f, "dead, endpoint unknown (not counted below): %u\n", m->endpoint_unknown);
	fprintf(f, "totals: ESTABLISHED %u  CLOSE_WAIT %u  CLOSE %u  TIME_WAIT %u  other %u\n\n",
		m->totals.st[TT_ST_ESTABLISHED], m->totals.st[TT_ST_CLOSE_WAIT], m->totals.st[TT_ST_CLOSE],
		m->totals.st[TT_ST_TIME_WAIT], tt_counts_other(&m->totals));
}

/* One row per tenant; returns the tenant column's width. */
static size_t write_tenants(FILE *f, const tt_model *m)
{
	/* the tenant column fits the longest name, within reason */
	size_t nw = 14;
	for (size_t i = 0; i < m->ntenants; i++) {
		size_t w = tt_display_width(m->tenants[i].name);
		if (w > nw)
			nw = w < 40 ? w : 40;
	}
	fprintf(f, "%-*s %-8s %5s %6s %10s %6s %9s %6s %11s %6s %s\n", (int)nw, "TENANT", "RULE", "PROCS",
		"ESTAB", "CLOSE_WAIT", "CLOSE", "TIME_WAIT", "OTHER", "OLDEST_LEAK", "LEAK%", "TREND");
	for (size_t i = 0; i < m->ntenants; i++) {
		const tt_mtenant *tn = &m->tenants[i];
		char procs[16];
		snprintf(procs, sizeof(procs), "%u", tn->nprocs);
		row(f, nw, tn->name, tn->rule ? tn->rule : "", procs, &tn->counts, tn->oldest_leak_s,
		    tn->leak_slope, m->generation > 2);
	}
	if (tt_counts_total(&m->unattributed))
		row(f, nw, "(unattributed)", "-", "-", &m->unattributed, 0, 0, false);
	if (m->ntenants == 0 && tt_counts_total(&m->unattributed) == 0)
		fprintf(f, "(no socket on the watched ports: try --all-ports or --ports LIST)\n");

	return nw;
}

/* The processes holding leaked sockets. */
static void write_leakers(FILE *f, const tt_model *m, size_t nw)
{
	char age[32];
	bool header = false;
	for (size_t i = 0; i < m->nprocs; i++) {
		const tt_mproc *mp = &m->procs[i];
		if (!tt_counts_leaked(&mp->counts))
			continue;
		if (!header) {
			fprintf(f, "\nprocesses holding leaked sockets:\n");
			fprintf(f, "  %-*s %7s %-16s %10s %6s %11s  %s\n", (int)nw, "TENANT", "PID", "COMM",
				"CLOSE_WAIT", "CLOSE", "OLDEST_LEAK", "COMMAND");
			header = true;
		}
		fprintf(f, "  ");
		put_col(f, m->tenants[mp->tenant].name, nw);
		fprintf(f, " %7d ", mp->p->pid);
		put_col(f, tt_model_str(m, mp->p->comm), 16);
		fprintf(f, " %10u %6u %11s  ", mp->counts.st[TT_ST_CLOSE_WAIT], mp->counts.st[TT_ST_CLOSE],
			tt_fmt_age(mp->oldest_leak_s, age, sizeof(age)));
		const char *cmd = tt_model_str(m, mp->p->cmdline);
		fwrite(cmd, 1, tt_display_prefix(cmd, 80), f);
		fputc('\n', f);
	}
}

/* The database servers probed, and a pooler's pools. */
static void write_databases(FILE *f, const tt_model *m, const tt_db_results *r)
{
	char age[32];
	fprintf(f, "\ndatabase servers:\n");
	fprintf(f, "  %-10s %7s %-9s %-9s %8s %6s %8s %5s  %-36s %s\n", "KIND", "PID", "CONN", "MAX", "SESSIONS",
		"PAIRED", "UNPAIRED", "AGE", "ENDPOINTS", "ERROR");
	for (size_t i = 0; i < r->nservers; i++) {
		const tt_db_server *s = &r->servers[i];
		char conn[16], max[16];
		snprintf(conn, sizeof(conn), "%ld", s->connections);
		snprintf(max, sizeof(max), "%ld", s->max_connections);
		fprintf(f, "  %-10s %7d %-9s %-9s %8u %6u %8u %5s  ", tt_db_kind_name(s->t.kind), s->t.pid,
			s->connections < 0 ? "-" : conn, s->max_connections < 0 ? "-" : max, s->nsessions, s->paired,
			s->unpaired, s->probed_at > 0 ? tt_fmt_age(m->time > s->probed_at ? m->time - s->probed_at : 0, age, sizeof(age)) : "-");
		put_col(f, s->t.endpoints, 36);
		fprintf(f, " %s\n", s->error[0] ? s->error : "");
		for (uint32_t p = 0; p < s->npools && s->first_pool + p < r->npools; p++) {
			const tt_db_pool *pl = &r->pools[s->first_pool + p];
			fprintf(f, "      pool %s/%s (%s): clients %u active, %u waiting (longest %.1fs); servers %u active, %u idle\n",
				pl->database, pl->user, pl->mode, pl->cl_active, pl->cl_waiting, pl->maxwait_s,
				pl->sv_active, pl->sv_idle);
		}
	}
}

int tt_write_text(FILE *f, const tt_model *m, const tt_alerts *alerts, const tt_output_opts *o)
{
	write_header(f, m, o);
	size_t nw = write_tenants(f, m);
	write_leakers(f, m, nw);
	if (o && o->db && o->db->nservers)
		write_databases(f, m, o->db);
	if (alerts && alerts->n) {
		fprintf(f, "\nalerts:\n");
		for (size_t i = 0; i < alerts->n; i++)
			fprintf(f, "  [%s] %s %s: %s\n", tt_severity_name(alerts->v[i].severity),
				alerts->v[i].tenant, tt_alert_kind_name(alerts->v[i].kind), alerts->v[i].message);
	}
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}
