/* Prometheus text exposition of a refresh: sockets by tenant, state, port
 * and role; leaks, ages, trends, alerts and forecasts; the scan's own cost
 * and completeness.  Tenant cardinality is capped: beyond max_tenants the
 * smallest tenants are summed into tenant="other". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/lifecycle.h"
#include "tenantop/output.h"
#include "tenantop/u64set.h"

/* Label value escaping per the exposition format: \\ \" \n. */
static void label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f), fputc(*s, f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void help(FILE *f, const char *name, const char *type, const char *text)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

#define UNATTR_NAME "(unattributed)"
#define OTHER_NAME "other"

/* Which tenants keep their own label: the first max (the model sorts by
 * leaked, then total).  Returns the label for tenant index t (-1 unattributed). */
static const char *tenant_label(const tt_model *m, long t, unsigned max)
{
	if (t < 0)
		return UNATTR_NAME;
	if (max && (unsigned long)t >= max)
		return OTHER_NAME;
	return m->tenants[t].name;
}

/* The database servers' own counts: used and limit per server, pooler
 * clients waiting per pool. */
static void server_labels(FILE *f, const tt_db_server *s)
{
	fprintf(f, "{kind=\"%s\",pid=\"%d\",endpoint=", tt_db_kind_name(s->t.kind), s->t.pid);
	char first[160];
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(s->t.endpoints, ","), s->t.endpoints);
	label(f, first);
}

static void write_db(FILE *f, const tt_db_results *r)
{
	/* one gauge a server figure; a figure the server did not give (-1) is left out */
	static const struct {
		const char *name, *help;
		int which;
	} gauges[] = {
		{"tenantop_db_up", "1 when the database server answered its last probe, 0 when it refused or failed.", 0},
		{"tenantop_db_connections", "Connections in use as the database server counts them.", 1},
		{"tenantop_db_max_connections", "The server's own connection limit (max_connections, maxclients, max_client_conn).", 2},
		{"tenantop_db_unpaired_sessions", "Sessions the server lists that no socket on this host was paired with.", 3},
	};
	for (size_t g = 0; g < sizeof(gauges) / sizeof(gauges[0]); g++) {
		help(f, gauges[g].name, "gauge", gauges[g].help);
		for (size_t i = 0; i < r->nservers; i++) {
			const tt_db_server *sv = &r->servers[i];
			long v = gauges[g].which == 0   ? !sv->error[0]
				 : gauges[g].which == 1 ? sv->connections
				 : gauges[g].which == 2 ? sv->max_connections
							: (long)sv->unpaired;
			if (v < 0)
				continue;
			fputs(gauges[g].name, f);
			server_labels(f, sv);
			fprintf(f, "} %ld\n", v);
		}
	}
	help(f, "tenantop_pool_waiting_clients", "gauge", "Pooler clients waiting for a server connection, per pool.");
	for (size_t i = 0; i < r->npools; i++) {
		const tt_db_pool *p = &r->pools[i];
		if (p->server >= r->nservers)
			continue;
		fputs("tenantop_pool_waiting_clients", f);
		server_labels(f, &r->servers[p->server]);
		fputs(",database=", f);
		label(f, p->database);
		fputs(",user=", f);
		label(f, p->user);
		fprintf(f, "} %u\n", p->cl_waiting);
	}
}

/* The connection lifecycle from kernel events (absent without them): the
 * tenants that keep their own label, cumulative since the events began. */
static void write_lifecycle(FILE *f, const tt_model *m, size_t shown)
{
	if (!tt_lifecycle_on(m->life))
		return;
	static const struct {
		const char *name, *type, *help;
	} metrics[] = {
		{"tenantop_connections_opened_total", "counter", "Connections to or from the watched ports opened (kernel events), per tenant."},
		{"tenantop_connections_closed_total", "counter", "Connections to or from the watched ports closed (kernel events), per tenant."},
		{"tenantop_time_wait_created_total", "counter", "Connections closed into TIME_WAIT (kernel events), per tenant."},
		{"tenantop_connection_lifetime_seconds", "histogram", "How long each closed connection lived, from its opening to its application's close."},
		{"tenantop_close_wait_seconds", "histogram", "Time a closed connection spent in CLOSE_WAIT before its application closed it."},
	};
	for (size_t k = 0; k < sizeof(metrics) / sizeof(metrics[0]); k++) {
		help(f, metrics[k].name, metrics[k].type, metrics[k].help);
		for (size_t i = 0; i < shown; i++) {
			const tt_lifecycle_figs *lf = tt_lifecycle_tenant(m->life, m->tenants[i].name);
			if (!lf)
				continue;
			if (k < 3) {
				fprintf(f, "%s{tenant=", metrics[k].name);
				label(f, m->tenants[i].name);
				fprintf(f, "} %llu\n", (unsigned long long)(k == 0 ? lf->opened : k == 1 ? lf->closed : lf->time_wait));
				continue;
			}
			/* every fourth bucket bound: 1 ms, 4 ms, 16 ms ... 1048.576 s */
			const tt_lc_cum *c = k == 3 ? &lf->lifetime : &lf->close_wait;
			uint64_t below = 0;
			for (int b = 0; b < TT_LC_BUCKETS; b++) {
				below += c->n[b];
				if (b % 4 || b > 40)
					continue;
				fprintf(f, "%s_bucket{tenant=", metrics[k].name);
				label(f, m->tenants[i].name);
				fprintf(f, ",le=\"%g\"} %llu\n", tt_lc_bucket_upper(b), (unsigned long long)below);
			}
			fprintf(f, "%s_bucket{tenant=", metrics[k].name);
			label(f, m->tenants[i].name);
			fprintf(f, ",le=\"+Inf\"} %llu\n", (unsigned long long)c->count);
			fprintf(f, "%s_sum{tenant=", metrics[k].name);
			label(f, m->tenants[i].name);
			fprintf(f, "} %.6f\n", c->sum);
			fprintf(f, "%s_count{tenant=", metrics[k].name);
			label(f, m->tenants[i].name);
			fprintf(f, "} %llu\n", (unsigned long long)c->count);
		}
	}
	help(f, "tenantop_events_dropped_total", "counter", "Kernel events lost because the ring buffer was full.");
	fprintf(f, "tenantop_events_dropped_total %llu\n", (unsigned long long)tt_lifecycle_dropped_total(m->life));
}

/* Sockets by (tenant slot, state, port, role). */
static void write_socket_gauges(FILE *f, const tt_model *m, size_t shown)
{
	/* slot = tenant index, or shown for "other", shown + 1 for unattributed */
	tt_u64set agg;
	tt_u64set_init(&agg);
	for (size_t i = 0; i < m->nsocks; i++) {
		const tt_msock *ms = &m->socks[i];
		if (ms->s->flags & TT_SF_ENDPOINT_UNKNOWN)
			continue; /* no port, no role: counted in tenantop_endpoint_unknown_sockets */
		uint64_t slot = ms->tenant < 0 ? shown + 1 : (size_t)ms->tenant >= shown ? shown : (uint64_t)ms->tenant;
		uint64_t key = (slot << 32) | ((uint64_t)ms->s->state << 24) | ((uint64_t)ms->role << 16) | ms->port;
		if (ms->s->family == TT_FAM_UNIX)
			key |= 1ULL << 30; /* port="unix" */
		uint64_t v = 0;
		tt_u64set_get(&agg, key + 1, &v);
		tt_u64set_put(&agg, key + 1, v + 1);
	}
	help(f, "tenantop_sockets", "gauge", "Sockets on the watched ports and socket files by tenant, state, database port (\"unix\" for a socket file) and role.");
	size_t pos = 0;
	uint64_t key, val;
	while (tt_u64set_next(&agg, &pos, &key, &val)) {
		key--;
		uint64_t slot = key >> 32;
		int state = (int)((key >> 24) & 0x3f), role = (int)((key >> 16) & 0xff);
		bool unix_sock = key & (1ULL << 30);
		unsigned port = (unsigned)(key & 0xffff);
		const char *tn = slot == shown + 1 ? UNATTR_NAME : slot == shown ? OTHER_NAME : m->tenants[slot].name;
		fputs("tenantop_sockets{tenant=", f);
		label(f, tn);
		char ps[16];
		snprintf(ps, sizeof(ps), unix_sock ? "unix" : "%u", port);
		fprintf(f, ",state=\"%s\",port=\"%s\",role=\"%s\"} %llu\n", tt_state_name(state), ps,
			tt_role_name(role), (unsigned long long)val);
	}
	tt_u64set_free(&agg);

}

/* Per tenant: leaked, oldest leak, trend (tenants past max_tenants as "other"). */
static void write_tenant_gauges(FILE *f, const tt_model *m, size_t shown)
{
	size_t nt = m->ntenants;
	help(f, "tenantop_leaked_sockets", "gauge", "CLOSE_WAIT plus CLOSE (reset, still held) sockets per tenant.");
	uint64_t other_leaked = 0;
	for (size_t i = 0; i < nt; i++) {
		if (i >= shown) {
			other_leaked += tt_counts_leaked(&m->tenants[i].counts);
			continue;
		}
		fputs("tenantop_leaked_sockets{tenant=", f);
		label(f, m->tenants[i].name);
		fprintf(f, "} %u\n", tt_counts_leaked(&m->tenants[i].counts));
	}
	if (shown < nt)
		fprintf(f, "tenantop_leaked_sockets{tenant=\"" OTHER_NAME "\"} %llu\n", (unsigned long long)other_leaked);

	help(f, "tenantop_oldest_leak_seconds", "gauge", "Time the tenant's oldest leaked socket has been in its state.");
	for (size_t i = 0; i < shown; i++) {
		fputs("tenantop_oldest_leak_seconds{tenant=", f);
		label(f, m->tenants[i].name);
		fprintf(f, "} %.1f\n", m->tenants[i].oldest_leak_s);
	}
	help(f, "tenantop_leak_trend_per_minute", "gauge", "Leaked sockets per minute, least squares over the trend window.");
	for (size_t i = 0; i < shown; i++) {
		fputs("tenantop_leak_trend_per_minute{tenant=", f);
		label(f, m->tenants[i].name);
		fprintf(f, "} %.3f\n", m->tenants[i].leak_slope);
	}

}

/* The active alerts, and the pools' forecasts among them. */
static void write_alert_gauges(FILE *f, const tt_model *m, const tt_alerts *alerts, unsigned max)
{
	help(f, "tenantop_alert", "gauge", "Active alerts (1) by tenant, kind and severity.");
	help(f, "tenantop_pool_exhaustion_seconds", "gauge", "Forecast seconds until a configured connection limit fills.");
	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = 0; alerts && i < alerts->n; i++) {
			const tt_alert *a = &alerts->v[i];
			long t = tt_model_find_tenant(m, a->tenant);
			const char *tn = t >= 0 ? tenant_label(m, t, max) : a->tenant;
			if (pass == 0) {
				fputs("tenantop_alert{tenant=", f);
				label(f, tn);
				fprintf(f, ",kind=\"%s\",severity=\"%s\"} 1\n", tt_alert_kind_name(a->kind), tt_severity_name(a->severity));
			} else if (a->eta_s >= 0) {
				fputs("tenantop_pool_exhaustion_seconds{tenant=", f);
				label(f, tn);
				fprintf(f, "} %.0f\n", a->eta_s);
			}
		}

}

/* The configured limits and their use. */
static void write_pool_gauges(FILE *f, const tt_output_opts *o)
{
	if (!o || !o->npools)
		return;
	help(f, "tenantop_pool_limit", "gauge", "A configured connection limit ([detect] limit): tenant and port \"*\" when it covers every one.");
	help(f, "tenantop_pool_connections", "gauge", "Connections counted against that limit now.");
	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < o->npools; i++) {
			const tt_pool_use *u = &o->pools[i];
			char ps[8];
			snprintf(ps, sizeof(ps), u->limit->port ? "%u" : "*", u->limit->port);
			fputs(pass ? "tenantop_pool_connections{tenant=" : "tenantop_pool_limit{tenant=", f);
			label(f, u->limit->tenant[0] ? u->limit->tenant : "*");
			fprintf(f, ",port=\"%s\"} %u\n", ps, pass ? u->used : u->limit->max);
		}
}

/* The refresh itself: tenants, its cost, how complete it is. */
static void write_scan_gauges(FILE *f, const tt_model *m)
{
	const tt_scan_stats *st = &m->snap.stats;
	help(f, "tenantop_tenants", "gauge", "Tenants with sockets on the watched ports.");
	fprintf(f, "tenantop_tenants %zu\n", m->ntenants);
	help(f, "tenantop_collect_seconds", "gauge", "Wall time of the last collection.");
	fprintf(f, "tenantop_collect_seconds %.6f\n", st->collect_ms / 1000);
	if (st->from_events || st->full_why[0]) {
		help(f, "tenantop_tcp_table_from_events", "gauge",
		     "1 when the last refresh's TCP sockets were the kernel's state changes applied to the last read's table, 0 when every socket was read.");
		fprintf(f, "tenantop_tcp_table_from_events %d\n", st->from_events ? 1 : 0);
		help(f, "tenantop_tcp_table_changes", "gauge", "Kernel state changes the last refresh applied to its table.");
		fprintf(f, "tenantop_tcp_table_changes %u\n", st->from_events ? st->changes : 0);
	}
	help(f, "tenantop_attribution_complete", "gauge", "1 when every process's descriptors could be read.");
	fprintf(f, "tenantop_attribution_complete %d\n", st->attribution_partial ? 0 : 1);
	help(f, "tenantop_scan_processes", "gauge", "Processes in the last scan by outcome.");
	fprintf(f, "tenantop_scan_processes{outcome=\"seen\"} %u\n", st->procs);
	fprintf(f, "tenantop_scan_processes{outcome=\"vanished\"} %u\n", st->vanished);
	fprintf(f, "tenantop_scan_processes{outcome=\"fd_denied\"} %u\n", st->fd_denied);
	help(f, "tenantop_reset_held_sockets", "gauge", "TCP sockets reset by the peer but still held (no table lists them).");
	fprintf(f, "tenantop_reset_held_sockets %u\n", st->held);
	help(f, "tenantop_endpoint_unknown_sockets", "gauge",
	     "Dead connections held (reset TCP, Unix without server) whose endpoint could not be learnt; in no other count.");
	fprintf(f, "tenantop_endpoint_unknown_sockets %u\n", st->held_unknown);
	help(f, "tenantop_last_refresh_timestamp_seconds", "gauge", "When the data was collected.");
	fprintf(f, "tenantop_last_refresh_timestamp_seconds %.3f\n", m->time);
}

int tt_write_prometheus(FILE *f, const tt_model *m, const tt_alerts *alerts, const tt_output_opts *o)
{
	unsigned max = o && o->max_tenants ? o->max_tenants : 0;
	size_t shown = max && m->ntenants > max ? max : m->ntenants;
	write_socket_gauges(f, m, shown);
	write_tenant_gauges(f, m, shown);
	write_lifecycle(f, m, shown);
	write_alert_gauges(f, m, alerts, max);
	write_pool_gauges(f, o);
	if (o && o->db)
		write_db(f, o->db);
	write_scan_gauges(f, m);
	return ferror(f) ? -1 : 0;
}

char *tt_prometheus_text(const tt_model *m, const tt_alerts *alerts, const tt_output_opts *o, size_t *len)
{
	char *text = NULL;
	size_t n = 0;
	FILE *mf = open_memstream(&text, &n);
	if (!mf)
		return NULL;
	int rc = tt_write_prometheus(mf, m, alerts, o);
	if (fclose(mf) != 0 || rc < 0) {
		free(text);
		return NULL;
	}
	*len = n;
	return text;
}
