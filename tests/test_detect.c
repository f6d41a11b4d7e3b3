/* The detector over sequences of model snapshots: a growing leak, a healthy
 * tenant, recovery with hysteresis, TIME_WAIT cycling, idle connections and
 * a pool filling up with its ETA. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tenantop/detect.h"
#include "tenantop/model.h"

#define T0 1800000000.0

struct world {
	tt_model m;
	tt_detector *d;
	tt_alerts alerts;
	tt_snapshot s;
	tt_portset ports;
};

static void world_init(struct world *w, const tt_detect_opts *o)
{
	char err[64];
	tt_portset_parse(&w->ports, "3306", err, sizeof(err));
	tt_model_opts mo = {.ports = w->ports};
	assert_int_equal(tt_model_init(&w->m, &mo), 0);
	tt_detect_opts def;
	tt_detect_opts_default(&def);
	w->d = tt_detector_new(o ? o : &def);
	tt_alerts_init(&w->alerts);
	tt_snapshot_init(&w->s);
}

static void world_free(struct world *w)
{
	tt_alerts_free(&w->alerts);
	tt_detector_free(w->d);
	tt_model_free(&w->m);
	tt_snapshot_free(&w->s);
}

static uint32_t proc(struct world *w, int pid, uint32_t uid, const char *user)
{
	tt_proc *p = tt_snapshot_add_proc(&w->s);
	size_t ix = w->s.nprocs - 1;
	p->pid = pid;
	p->ppid = 1;
	p->uid = uid;
	p->start_time = (uint64_t)pid * 10;
	uint32_t u = tt_snapshot_str_trusted(&w->s, user);
	w->s.procs[ix].user = u;
	return (uint32_t)ix;
}

/* A socket held by proc (UINT32_MAX: none). */
static tt_sock *sock(struct world *w, uint64_t inode, int state, uint16_t lport, uint16_t rport, uint32_t holder)
{
	tt_sock *k = tt_snapshot_add_sock(&w->s);
	k->family = TT_FAM_TCP4;
	k->state = (uint8_t)state;
	k->inode = inode;
	k->lport = lport;
	k->rport = rport;
	k->laddr[0] = k->raddr[0] = 127;
	k->laddr[3] = k->raddr[3] = 1;
	if (holder != UINT32_MAX && inode) {
		tt_owner *o = tt_snapshot_add_owner(&w->s);
		o->inode = inode;
		o->proc = holder;
		o->fd = (int32_t)(inode % 1000);
	}
	return k;
}

static void refresh(struct world *w, double t)
{
	w->s.time = t;
	tt_snapshot_index_owners(&w->s);
	assert_int_equal(tt_model_update(&w->m, &w->s), 0);
	assert_int_equal(tt_detect_run(w->d, &w->m, &w->alerts), 0);
}

static const tt_alert *alert(const struct world *w, const char *tenant, const char *kind)
{
	for (size_t i = 0; i < w->alerts.n; i++)
		if (!strcmp(w->alerts.v[i].tenant, tenant) && !strcmp(tt_alert_kind_name(w->alerts.v[i].kind), kind))
			return &w->alerts.v[i];
	return NULL;
}

/* alice: 10 ESTABLISHED and a CLOSE_WAIT more every refresh; bob healthy. */
static void population(struct world *w, int step, int leaks)
{
	uint32_t a = proc(w, 100, 1001, "alice"), b = proc(w, 200, 1002, "bob");
	for (int i = 0; i < 10; i++)
		sock(w, 1000 + (uint64_t)i, TT_ST_ESTABLISHED, 40000 + (uint16_t)i, 3306, a);
	for (int i = 0; i < leaks; i++)
		sock(w, 2000 + (uint64_t)i, TT_ST_CLOSE_WAIT, 41000 + (uint16_t)i, 3306, a);
	for (int i = 0; i < 20; i++)
		sock(w, 3000 + (uint64_t)i, TT_ST_ESTABLISHED, 42000 + (uint16_t)i, 3306, b);
	(void)step;
}

static void test_growing_leak_and_healthy(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, NULL);
	double first = 0;
	for (int step = 0; step < 12; step++) {
		population(&w, step, step * 2);
		refresh(&w, T0 + step * 30);
		if (step == 1)
			assert_null(alert(&w, "alice", "close_wait_ratio")); /* 2 leaked: below min_leaks */
		const tt_alert *r = alert(&w, "alice", "close_wait_ratio");
		if (r && !first)
			first = r->first_seen;
		if (r)
			assert_true(r->first_seen == first); /* kept across refreshes */
	}
	/* 22 leaked vs 10 ESTABLISHED */
	const tt_alert *r = alert(&w, "alice", "close_wait_ratio");
	assert_non_null(r);
	assert_int_equal(r->severity, TT_SEV_CRIT);
	assert_non_null(strstr(r->message, "22 leaked"));
	assert_non_null(strstr(r->message, "growing 4.0/min"));
	const tt_alert *g = alert(&w, "alice", "leak_growth");
	assert_non_null(g);
	assert_non_null(strstr(g->message, "4.0/min"));
	assert_non_null(alert(&w, "alice", "leak_age")); /* the first leaks are 300 s old */
	/* bob carries 20 healthy connections: nothing */
	for (size_t i = 0; i < w.alerts.n; i++)
		assert_string_not_equal(w.alerts.v[i].tenant, "bob");
	world_free(&w);
}

static void test_recovery_hysteresis(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, NULL);
	for (int step = 0; step < 3; step++) {
		population(&w, step, 8);
		refresh(&w, T0 + step * 10);
	}
	assert_non_null(alert(&w, "alice", "close_wait_ratio"));
	/* fixed: the leaks are gone; the alert holds for rearm (30 s), then clears */
	population(&w, 3, 0);
	refresh(&w, T0 + 30);
	assert_non_null(alert(&w, "alice", "close_wait_ratio"));
	population(&w, 4, 0);
	refresh(&w, T0 + 45); /* last true at +20: 25 s ago */
	assert_non_null(alert(&w, "alice", "close_wait_ratio"));
	/* flapping back within the window keeps the first-seen time */
	double first = alert(&w, "alice", "close_wait_ratio")->first_seen;
	population(&w, 5, 8);
	refresh(&w, T0 + 47);
	assert_true(alert(&w, "alice", "close_wait_ratio")->first_seen == first);
	population(&w, 6, 0);
	refresh(&w, T0 + 70);
	assert_non_null(alert(&w, "alice", "close_wait_ratio"));
	population(&w, 7, 0);
	refresh(&w, T0 + 78); /* 31 s after the last true */
	assert_null(alert(&w, "alice", "close_wait_ratio"));
	world_free(&w);
}

static void test_time_wait_cycling(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, NULL);
	for (int i = 0; i < 3600; i++)
		sock(&w, 0, TT_ST_TIME_WAIT, (uint16_t)(30000 + i), 3306, UINT32_MAX);
	refresh(&w, T0);
	const tt_alert *a = alert(&w, "(unattributed)", "time_wait_storm");
	assert_non_null(a);
	assert_non_null(strstr(a->message, "3600 TIME_WAIT"));
	/* 600 TIME_WAIT = 10/s: quiet */
	for (int i = 0; i < 600; i++)
		sock(&w, 0, TT_ST_TIME_WAIT, (uint16_t)(30000 + i), 3306, UINT32_MAX);
	refresh(&w, T0 + 100);
	assert_null(alert(&w, "(unattributed)", "time_wait_storm"));
	world_free(&w);
}

static void test_idle_while_others_busy(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, NULL);
	uint32_t a = proc(&w, 100, 1001, "alice");
	for (int i = 0; i < 3; i++) {
		tt_sock *k = sock(&w, 1000 + (uint64_t)i, TT_ST_ESTABLISHED, 40000 + (uint16_t)i, 3306, a);
		k->flags |= TT_SF_HAS_INFO;
		k->last_data_recv_ms = k->last_data_sent_ms = 700000;
	}
	refresh(&w, T0);
	assert_null(alert(&w, "alice", "idle")); /* all quiet: an idle app, not a leak */
	a = proc(&w, 100, 1001, "alice");
	for (int i = 0; i < 3; i++) {
		tt_sock *k = sock(&w, 1000 + (uint64_t)i, TT_ST_ESTABLISHED, 40000 + (uint16_t)i, 3306, a);
		k->flags |= TT_SF_HAS_INFO;
		k->last_data_recv_ms = k->last_data_sent_ms = i == 0 ? 100 : 700000;
	}
	refresh(&w, T0 + 2);
	const tt_alert *x = alert(&w, "alice", "idle");
	assert_non_null(x);
	assert_int_equal(x->severity, TT_SEV_INFO);
	assert_non_null(strstr(x->message, "2 ESTABLISHED idle"));
	world_free(&w);
}

static void test_pool_eta(void **state)
{
	(void)state;
	tt_detect_opts o;
	tt_detect_opts_default(&o);
	char err[128];
	assert_int_equal(tt_detect_opts_set(&o, "limit", "3306=100", err, sizeof(err)), 0);
	struct world w;
	world_init(&w, &o);
	/* the server side grows by 4 connections a minute from 40 */
	for (int step = 0; step <= 10; step++) {
		uint32_t db = proc(&w, 50, 106, "mysql");
		sock(&w, 1, TT_ST_LISTEN, 3306, 0, db);
		int n = 40 + step * 4;
		for (int i = 0; i < n; i++)
			sock(&w, 5000 + (uint64_t)i, TT_ST_ESTABLISHED, 3306, (uint16_t)(45000 + i), db);
		refresh(&w, T0 + step * 60);
	}
	const tt_alert *p = alert(&w, "*", "pool");
	assert_non_null(p);
	/* 80 of 100, +4/min: full in 5 minutes */
	assert_true(p->eta_s > 290 && p->eta_s < 310);
	assert_non_null(strstr(p->message, "80 of 100"));
	/* the limit's use, for headroom metrics */
	size_t n = 0;
	const tt_pool_use *u = tt_detector_pools(w.d, &n);
	assert_int_equal(n, 1);
	assert_int_equal(u[0].limit->max, 100);
	assert_int_equal(u[0].limit->port, 3306);
	assert_int_equal(u[0].used, 80);
	assert_true(u[0].per_min > 3.9 && u[0].per_min < 4.1);
	assert_true(u[0].eta_s > 290 && u[0].eta_s < 310);
	world_free(&w);
}

/* The server side grows to 52 of 56, then stays there: after a short
 * while the forecast says steady (no ETA), not "full in 13 s, 18 s...". */
static void pool_step(struct world *w, int n, double t)
{
	uint32_t db = proc(w, 50, 106, "mysql");
	sock(w, 1, TT_ST_LISTEN, 3306, 0, db);
	for (int i = 0; i < n; i++)
		sock(w, 5000 + (uint64_t)i, TT_ST_ESTABLISHED, 3306, (uint16_t)(45000 + i), db);
	refresh(w, t);
}

static void test_pool_flat_after_growth_is_steady(void **state)
{
	(void)state;
	tt_detect_opts o;
	tt_detect_opts_default(&o);
	char err[128];
	assert_int_equal(tt_detect_opts_set(&o, "limit", "3306=56", err, sizeof(err)), 0);
	struct world w;
	world_init(&w, &o);
	int step = 0;
	/* +1 every 2 s from 30 to 52 */
	for (int n = 30; n <= 52; n++, step++)
		pool_step(&w, n, T0 + step * 2);
	const tt_alert *p = alert(&w, "*", "pool");
	assert_non_null(p);
	assert_true(p->eta_s > 0 && p->eta_s < 30); /* 4 left at 0.5/s: about 8 s */
	assert_non_null(strstr(p->message, "full in about"));
	/* then flat at 52 for 90 s: once 15 s have passed, no ETA at all */
	for (int k = 1; k <= 45; k++, step++) {
		pool_step(&w, 52, T0 + step * 2);
		p = alert(&w, "*", "pool");
		assert_non_null(p); /* 93 %: still near full */
		if (k * 2 >= 16) {
			assert_true(p->eta_s < 0);
			assert_non_null(strstr(p->message, "steady"));
			assert_null(strstr(p->message, "full in"));
		}
	}
	assert_true(p->fill > 0.92 && p->fill < 0.93);
	/* it drops to 40 of 56: the alert re-arms, with the numbers of now,
	 * and comes after the alerts whose condition still holds */
	for (int k = 0; k < 3; k++, step++) {
		uint32_t a = proc(&w, 100, 1001, "alice");
		for (int i = 0; i < 6; i++)
			sock(&w, 2000 + (uint64_t)i, TT_ST_CLOSE_WAIT, 41000 + (uint16_t)i, 3306, a);
		pool_step(&w, 40, T0 + step * 2);
	}
	p = alert(&w, "*", "pool");
	assert_non_null(p);
	char msg[256];
	snprintf(msg, sizeof(msg), "%s", p ? p->message : "");
	assert_non_null(strstr(msg, "40 of 56"));
	assert_true(p && p->impact < 0);
	assert_string_not_equal(tt_alert_kind_name(w.alerts.v[0].kind), "pool");
	world_free(&w);
}

/* A tenant past its own limit: the forecast is "full now", not none. */
static void test_pool_over_limit(void **state)
{
	(void)state;
	tt_detect_opts o;
	tt_detect_opts_default(&o);
	char err[128];
	assert_int_equal(tt_detect_opts_set(&o, "limit", "alice=11", err, sizeof(err)), 0);
	struct world w;
	world_init(&w, &o);
	for (int step = 0; step < 3; step++) {
		population(&w, step, 20); /* alice holds 10 + 20 = 30 of 11 */
		refresh(&w, T0 + step * 10);
	}
	const tt_alert *p = alert(&w, "alice", "pool");
	assert_non_null(p);
	assert_int_equal(p->severity, TT_SEV_CRIT);
	assert_true(p->eta_s == 0);
	assert_true(p->fill > 2.7 && p->fill < 2.8);
	assert_non_null(strstr(p->message, "over its limit"));
	world_free(&w);
}

/* Worst first: within a severity, the pool about to fill, then the tenant
 * with the most leaked and growing, whatever came first. */
static void test_worst_first(void **state)
{
	(void)state;
	tt_detect_opts o;
	tt_detect_opts_default(&o);
	char err[128];
	assert_int_equal(tt_detect_opts_set(&o, "limit", "3306=60", err, sizeof(err)), 0);
	struct world w;
	world_init(&w, &o);
	for (int step = 0; step < 10; step++) {
		uint32_t c = proc(&w, 300, 1003, "carol"), a = proc(&w, 100, 1001, "alice");
		uint32_t db = proc(&w, 50, 106, "mysql");
		/* carol: 5 leaked from the start, 1 ESTABLISHED */
		sock(&w, 7000, TT_ST_ESTABLISHED, 43000, 3306, c);
		for (int i = 0; i < 5; i++)
			sock(&w, 7100 + (uint64_t)i, TT_ST_CLOSE_WAIT, 43100 + (uint16_t)i, 3306, c);
		/* alice: from step 3, leaks growing to 37 */
		sock(&w, 8000, TT_ST_ESTABLISHED, 44000, 3306, a);
		int leaks = step < 3 ? 0 : 10 + (step - 3) * 4 + (step == 9 ? 3 : 0);
		for (int i = 0; i < leaks; i++)
			sock(&w, 8100 + (uint64_t)i, TT_ST_CLOSE_WAIT, 44100 + (uint16_t)i, 3306, a);
		/* the server's side filling fast from step 6 */
		int used = step < 6 ? 10 : 40 + (step - 6) * 4;
		for (int i = 0; i < used; i++)
			sock(&w, 9000 + (uint64_t)i, TT_ST_ESTABLISHED, 3306, (uint16_t)(46000 + i), db);
		refresh(&w, T0 + step * 5);
	}
	assert_true(w.alerts.n >= 3);
	assert_int_equal(w.alerts.v[0].severity, TT_SEV_CRIT);
	assert_string_equal(tt_alert_kind_name(w.alerts.v[0].kind), "pool"); /* 52 of 60, +48/min */
	assert_true(w.alerts.v[0].eta_s > 0 && w.alerts.v[0].eta_s < 60);
	assert_string_equal(w.alerts.v[1].tenant, "alice");
	/* carol's older, smaller leak comes after alice's */
	size_t ia = 0, ic = 0;
	for (size_t i = 0; i < w.alerts.n; i++) {
		if (!strcmp(w.alerts.v[i].tenant, "alice") && !ia)
			ia = i;
		if (!strcmp(w.alerts.v[i].tenant, "carol") && !ic)
			ic = i;
	}
	assert_true(ia > 0 && ic > ia);
	/* the verdicts: each tenant's worst severity, worked out once */
	long ta = tt_model_find_tenant(&w.m, "alice"), tc = tt_model_find_tenant(&w.m, "carol");
	assert_true(ta >= 0 && tc >= 0);
	assert_int_equal(tt_alerts_verdict(&w.alerts, (uint32_t)ta)->severity, w.alerts.v[ia].severity);
	assert_int_equal(tt_alerts_verdict(&w.alerts, (uint32_t)tc)->severity, w.alerts.v[ic].severity);
	/* the pool alert is every tenant's limit ("*"): no tenant has its own */
	assert_null(tt_alerts_tenant_pool(&w.alerts, (uint32_t)ta));
	assert_false(w.alerts.tenant_pools);
	assert_int_equal(tt_alerts_verdict(&w.alerts, 9999)->severity, -1);
	world_free(&w);
}

/* Every kind has a distinct name and a meaning; unknown kinds are said so. */
static void test_alert_kinds(void **state)
{
	(void)state;
	size_t n;
	const tt_alert_kind_info *k = tt_alert_kinds(&n);
	assert_int_equal(n, TT_AK_COUNT);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(k[i].name);
		assert_true(k[i].meaning && strlen(k[i].meaning) > 10);
		assert_string_equal(tt_alert_kind_name((int)i), k[i].name);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(k[i].name, k[j].name);
	}
	assert_string_equal(tt_alert_kind_name(TT_AK_POOL_WAITING), "pool_waiting");
	assert_string_equal(tt_alert_kind_name(-1), "unknown");
	assert_string_equal(tt_alert_kind_name(TT_AK_COUNT), "unknown");
}

/* A tenant's own limit: its pool alert is found through its verdict. */
static void test_tenant_pool_verdict(void **state)
{
	(void)state;
	tt_detect_opts o;
	tt_detect_opts_default(&o);
	char err[128];
	assert_int_equal(tt_detect_opts_set(&o, "limit", "alice:3306=12", err, sizeof(err)), 0);
	struct world w;
	world_init(&w, &o);
	for (int step = 0; step < 6; step++) {
		uint32_t a = proc(&w, 100, 1001, "alice");
		proc(&w, 200, 1002, "bob");
		for (int i = 0; i < 6 + step; i++)
			sock(&w, 1000 + (uint64_t)i, TT_ST_ESTABLISHED, (uint16_t)(40000 + i), 3306, a);
		refresh(&w, T0 + step * 10);
	}
	long ta = tt_model_find_tenant(&w.m, "alice");
	assert_true(ta >= 0);
	const tt_alert *p = tt_alerts_tenant_pool(&w.alerts, (uint32_t)ta);
	assert_non_null(p);
	assert_int_equal(p->kind, TT_AK_POOL);
	assert_string_equal(p->tenant, "alice");
	assert_true(w.alerts.tenant_pools);
	assert_int_equal(tt_alerts_verdict(&w.alerts, (uint32_t)ta)->severity, p->severity);
	assert_int_equal(tt_alerts_verdict(&w.alerts, TT_ALERTS_UNATTRIBUTED)->severity, -1);
	world_free(&w);
}

static void test_options(void **state)
{
	(void)state;
	tt_detect_opts o;
	tt_detect_opts_default(&o);
	char err[256];
	assert_int_equal(tt_detect_opts_set(&o, "leak_age", "5m", err, sizeof(err)), 0);
	assert_true(o.leak_age_s == 300);
	assert_int_equal(tt_detect_opts_set(&o, "leak_ratio", "35%", err, sizeof(err)), 0);
	assert_true(fabs(o.leak_ratio - 0.35) < 1e-9);
	assert_int_equal(tt_detect_opts_set(&o, "leak_age", "-1", err, sizeof(err)), -1);
	assert_int_equal(tt_detect_opts_set(&o, "limit", "alice:70000=5", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "1-65535"));
	assert_int_equal(tt_detect_opts_set(&o, "bogus", "1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown key 'bogus'"));
	assert_string_equal(tt_severity_name(TT_SEV_CRIT), "critical");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_growing_leak_and_healthy), cmocka_unit_test(test_recovery_hysteresis),
		cmocka_unit_test(test_time_wait_cycling),        cmocka_unit_test(test_idle_while_others_busy),
		cmocka_unit_test(test_pool_eta),                 cmocka_unit_test(test_options),
		cmocka_unit_test(test_pool_flat_after_growth_is_steady), cmocka_unit_test(test_pool_over_limit),
		cmocka_unit_test(test_worst_first),              cmocka_unit_test(test_alert_kinds),
		cmocka_unit_test(test_tenant_pool_verdict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
