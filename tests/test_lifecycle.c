/* Connection lifecycle: the log-bucket histogram and its percentiles, the
 * sliding window, and the per-tenant figures the model derives from a
 * refresh's kernel events (owner, exited owner, live socket, watched ports). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tenantop/baseline.h"
#include "tenantop/detect.h"
#include "tenantop/lifecycle.h"
#include "tenantop/model.h"

static void test_buckets(void **state)
{
	(void)state;
	assert_int_equal(tt_lc_bucket(0), 0);
	assert_int_equal(tt_lc_bucket(0.0009), 0);
	assert_int_equal(tt_lc_bucket(0.001), 1);
	assert_int_equal(tt_lc_bucket(-1), 0);
	assert_int_equal(tt_lc_bucket(NAN), 0);
	assert_int_equal(tt_lc_bucket(1e12), TT_LC_BUCKETS - 1);
	/* every value lies below its bucket's upper bound and at or above the one before */
	for (double v = 0.0005; v < 1e6; v *= 1.07) {
		int b = tt_lc_bucket(v);
		assert_true(v < tt_lc_bucket_upper(b));
		if (b > 0)
			assert_true(v >= tt_lc_bucket_upper(b - 1) * (1 - 1e-12));
	}
	assert_true(isinf(tt_lc_bucket_upper(TT_LC_BUCKETS - 1)));
	assert_float_equal(tt_lc_bucket_upper(20), 1.024, 1e-9);
}

static void test_quantiles(void **state)
{
	(void)state;
	tt_lc_hist h;
	memset(&h, 0, sizeof(h));
	assert_true(tt_lc_hist_quantile(&h, 0.5) < 0);
	/* alike values: the percentile is theirs exactly (the bucket's mean) */
	for (int i = 0; i < 10; i++)
		tt_lc_hist_add(&h, 2.0);
	assert_float_equal(tt_lc_hist_quantile(&h, 0.5), 2.0, 1e-9);
	assert_float_equal(tt_lc_hist_quantile(&h, 0.99), 2.0, 1e-9);
	/* 90 short ones and 10 long ones: p50 short, p90 still short, p99 long */
	memset(&h, 0, sizeof(h));
	for (int i = 0; i < 90; i++)
		tt_lc_hist_add(&h, 0.010);
	for (int i = 0; i < 10; i++)
		tt_lc_hist_add(&h, 30.0);
	assert_float_equal(tt_lc_hist_quantile(&h, 0.5), 0.010, 1e-9);
	assert_float_equal(tt_lc_hist_quantile(&h, 0.9), 0.010, 1e-9);
	assert_float_equal(tt_lc_hist_quantile(&h, 0.91), 30.0, 1e-9);
	assert_float_equal(tt_lc_hist_quantile(&h, 0.99), 30.0, 1e-9);
	assert_float_equal(h.max, 30.0, 1e-9);
	/* spread values: within the bucket's width (41 %) of the true percentile */
	memset(&h, 0, sizeof(h));
	for (int i = 1; i <= 1000; i++)
		tt_lc_hist_add(&h, i * 0.01);
	double p50 = tt_lc_hist_quantile(&h, 0.5), p99 = tt_lc_hist_quantile(&h, 0.99);
	assert_true(p50 > 5.0 / 1.42 && p50 < 5.0 * 1.42);
	assert_true(p99 > 9.9 / 1.42 && p99 < 9.9 * 1.42);
	/* merging is adding */
	tt_lc_hist a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	tt_lc_hist_add(&a, 1);
	tt_lc_hist_add(&b, 100);
	tt_lc_hist_merge(&a, &b);
	assert_int_equal(a.count, 2);
	assert_float_equal(a.max, 100, 1e-9);
}

static tt_conn_event ev(double at, uint8_t flags, double life, double cw)
{
	tt_conn_event e;
	memset(&e, 0, sizeof(e));
	e.at = at;
	e.flags = flags;
	e.lifetime_s = life;
	e.close_wait_s = cw;
	e.lport = 40000;
	e.rport = 3306;
	return e;
}

static void test_window_and_rates(void **state)
{
	(void)state;
	tt_lifecycle *lc = tt_lifecycle_new(60);
	assert_non_null(lc);
	/* refresh 1 (2 s): 4 opened, 4 closed into TIME_WAIT after 20 ms */
	tt_lifecycle_begin(lc);
	for (int i = 0; i < 4; i++) {
		tt_conn_event o = ev(1000.5, TT_CE_OPEN | TT_CE_CLIENT, 0, -1);
		tt_conn_event c = ev(1000.6, TT_CE_CLIENT | TT_CE_TIME_WAIT, 0.020, -1);
		assert_int_equal(tt_lifecycle_add(lc, "alice", &o), 0);
		assert_int_equal(tt_lifecycle_add(lc, "alice", &c), 0);
	}
	/* bob: one connection that sat 3 s in CLOSE_WAIT */
	tt_conn_event c = ev(1000.7, 0, 5.0, 3.0);
	tt_lifecycle_add(lc, "bob", &c);
	tt_lifecycle_finish(lc, 1001, 999);
	const tt_lifecycle_figs *a = tt_lifecycle_tenant(lc, "alice");
	assert_non_null(a);
	assert_float_equal(a->opened_per_s, 2.0, 1e-9);
	assert_float_equal(a->closed_per_s, 2.0, 1e-9);
	assert_float_equal(a->time_wait_per_s, 2.0, 1e-9);
	assert_float_equal(a->lifetime_p50, 0.020, 1e-9);
	assert_true(a->close_wait_p90 < 0); /* never in CLOSE_WAIT */
	assert_int_equal(a->lifetime.count, 4);
	const tt_lifecycle_figs *b = tt_lifecycle_tenant(lc, "bob");
	assert_float_equal(b->close_wait_p50, 3.0, 1e-9);
	assert_float_equal(b->close_wait_max, 3.0, 1e-9);
	assert_float_equal(b->lifetime_p99, 5.0, 1e-9);
	assert_null(tt_lifecycle_tenant(lc, "carol"));
	/* refresh 2 (1 s later): nothing new; the rates fall to 0, the window keeps them */
	tt_lifecycle_begin(lc);
	tt_lifecycle_finish(lc, 1002, 999);
	a = tt_lifecycle_tenant(lc, "alice");
	assert_float_equal(a->opened_per_s, 0, 1e-9);
	assert_float_equal(a->lifetime_p50, 0.020, 1e-9);
	assert_int_equal(a->opened, 4);
	/* 61 s on, the window has slid past them; the totals stay */
	tt_lifecycle_begin(lc);
	tt_lifecycle_finish(lc, 1062, 999);
	a = tt_lifecycle_tenant(lc, "alice");
	assert_true(a->lifetime_p50 < 0);
	assert_int_equal(a->window_closes, 0);
	assert_int_equal(a->closed, 4);
	assert_int_equal(a->lifetime.count, 4);
	/* quiet for ten windows: forgotten */
	tt_lifecycle_begin(lc);
	tt_lifecycle_finish(lc, 1700, 999);
	assert_null(tt_lifecycle_at(lc, 1));
	tt_lifecycle_free(lc);
}

static uint32_t add_proc(tt_snapshot *s, int pid, uint32_t uid, const char *user, uint32_t flags)
{
	tt_proc *p = tt_snapshot_add_proc(s);
	p->pid = pid;
	p->ppid = 1;
	p->uid = uid;
	p->start_time = 1000u + (uint64_t)pid;
	p->user = tt_snapshot_str_trusted(s, user);
	p->comm = tt_snapshot_str_trusted(s, "client");
	p->flags = flags;
	return (uint32_t)(s->nprocs - 1);
}

/* The model attributes each event: to its owner (live or exited), else to
 * the tenant of the live socket with its cookie; connections away from the
 * watched ports do not count; without events, no figures. */
static void test_model_attribution(void **state)
{
	(void)state;
	tt_model_opts o;
	memset(&o, 0, sizeof(o));
	tt_portset_add(&o.ports, 3306);
	tt_model m;
	assert_int_equal(tt_model_init(&m, &o), 0);
	tt_snapshot s;
	tt_snapshot_init(&s);

	s.time = 2000;
	tt_model_update(&m, &s); /* no events: figures unknown */
	assert_false(tt_lifecycle_on(m.life));

	s.time = 2002;
	s.stats.events = true;
	s.stats.events_since = 2000;
	uint32_t alice = add_proc(&s, 100, 1001, "alice", 0);
	uint32_t gone = add_proc(&s, 200, 1002, "bob", TT_PF_EXITED);
	uint32_t db = add_proc(&s, 300, 106, "mysql", 0);
	/* alice's live connection: the server end's opening has no owner, its socket does */
	tt_sock *k = tt_snapshot_add_sock(&s);
	k->family = TT_FAM_TCP4;
	k->state = TT_ST_ESTABLISHED;
	k->inode = 77;
	k->cookie = 0xabc;
	k->lport = 3306;
	k->rport = 40001;
	tt_owner *ow = tt_snapshot_add_owner(&s);
	ow->inode = 77;
	ow->proc = db;
	tt_snapshot_index_owners(&s);
	for (int i = 0; i < 6; i++) {
		tt_conn_event *e = tt_snapshot_add_event(&s);
		*e = ev(2001, i % 2 ? TT_CE_CLIENT | TT_CE_TIME_WAIT : TT_CE_OPEN | TT_CE_CLIENT, 0.01, -1);
		e->proc = alice + 1;
	}
	tt_conn_event *e = tt_snapshot_add_event(&s); /* bob has exited since */
	*e = ev(2001, TT_CE_CLIENT, 1.5, -1);
	e->proc = gone + 1;
	e = tt_snapshot_add_event(&s); /* the server end's opening */
	*e = ev(2001, TT_CE_OPEN, 0, -1);
	e->lport = 3306;
	e->rport = 40001;
	e->cookie = 0xabc;
	e = tt_snapshot_add_event(&s); /* not a watched port */
	*e = ev(2001, TT_CE_OPEN | TT_CE_CLIENT, 0, -1);
	e->rport = 8080;
	e->proc = alice + 1;
	e = tt_snapshot_add_event(&s); /* nobody's */
	*e = ev(2001, TT_CE_OPEN, 0, -1);
	e->lport = 3306;
	e->cookie = 0xdead;
	assert_int_equal(tt_model_update(&m, &s), 0);
	assert_true(tt_lifecycle_on(m.life));
	const tt_lifecycle_figs *a = tt_lifecycle_tenant(m.life, "alice");
	assert_non_null(a);
	assert_int_equal(a->opened, 3);
	assert_int_equal(a->closed, 3);
	assert_int_equal(a->time_wait, 3);
	assert_float_equal(a->opened_per_s, 1.5, 1e-9);
	const tt_lifecycle_figs *b = tt_lifecycle_tenant(m.life, "bob");
	assert_non_null(b);
	assert_int_equal(b->closed, 1);
	assert_float_equal(b->lifetime_p50, 1.5, 1e-9);
	const tt_lifecycle_figs *my = tt_lifecycle_tenant(m.life, "mysql");
	assert_non_null(my);
	assert_int_equal(my->opened, 1);
	assert_int_equal(tt_lifecycle_unattributed_now(m.life), 1);

	/* events lost: counted for the refresh they were lost in */
	s.time = 2004;
	s.stats.events = true;
	s.stats.events_dropped = 7;
	tt_model_update(&m, &s);
	assert_int_equal(tt_lifecycle_dropped_now(m.life), 7);
	s.time = 2006;
	s.stats.events = true;
	s.stats.events_dropped = 7;
	tt_model_update(&m, &s);
	assert_int_equal(tt_lifecycle_dropped_now(m.life), 0);
	assert_int_equal(tt_lifecycle_dropped_total(m.life), 7);
	tt_snapshot_free(&s);
	tt_model_free(&m);
}

/* The alert: CLOSE_WAIT 10x its usual, a lifetime collapsed to cycling;
 * nothing without a baseline, nor on too few connections. */
static void test_check(void **state)
{
	(void)state;
	tt_baseline_entry be;
	memset(&be, 0, sizeof(be));
	be.close_wait_p90 = 0.2;
	be.lifetime_p50 = 30;
	tt_lifecycle_figs f;
	memset(&f, 0, sizeof(f));
	f.lifetime_p50 = 25, f.lifetime_p90 = f.lifetime_p99 = 40;
	f.close_wait_p50 = 0.1, f.close_wait_p90 = 0.25, f.close_wait_max = 0.3;
	f.window_closes = 100, f.window_close_waits = 10, f.closed_per_s = 3;
	tt_lifecycle_verdict v;
	assert_int_equal(tt_lifecycle_check(&f, &be, &v), 0); /* its normal */
	assert_int_equal(tt_lifecycle_check(&f, NULL, &v), 0);
	assert_int_equal(tt_lifecycle_check(NULL, &be, &v), 0);
	f.close_wait_p90 = 2.5; /* 12.5x */
	assert_int_equal(tt_lifecycle_check(&f, &be, &v), 1);
	assert_int_equal(v.severity, TT_SEV_WARN);
	assert_non_null(strstr(v.message, "CLOSE_WAIT lasts 2.5 s"));
	f.close_wait_p90 = 25; /* 125x */
	assert_int_equal(tt_lifecycle_check(&f, &be, &v), 1);
	assert_int_equal(v.severity, TT_SEV_CRIT);
	f.window_close_waits = 2; /* too few to tell */
	assert_int_equal(tt_lifecycle_check(&f, &be, &v), 0);
	be.close_wait_p90 = 0.05; /* 10x a tiny normal is still under a second */
	f.window_close_waits = 10, f.close_wait_p90 = 0.6;
	assert_int_equal(tt_lifecycle_check(&f, &be, &v), 0);
	/* cycling: the median from 30 s to 20 ms */
	f.lifetime_p50 = 0.02;
	assert_int_equal(tt_lifecycle_check(&f, &be, &v), 1);
	assert_non_null(strstr(v.message, "cycling"));
	f.closed_per_s = 0.5; /* a few short ones is not cycling */
	assert_int_equal(tt_lifecycle_check(&f, &be, &v), 0);
}

/* The baseline learns the usual lifecycle and keeps it in its file. */
static void test_baseline_learns(void **state)
{
	(void)state;
	tt_model_opts o;
	memset(&o, 0, sizeof(o));
	tt_portset_add(&o.ports, 3306);
	tt_model m;
	assert_int_equal(tt_model_init(&m, &o), 0);
	tt_snapshot s;
	tt_snapshot_init(&s);
	tt_baseline b;
	tt_baseline_init(&b);
	tt_baseline_start(&b, 100, 5);
	for (int r = 0; r < 6; r++) {
		s.time = 100 + r;
		s.stats.events = true;
		s.stats.events_since = 99;
		uint32_t alice = add_proc(&s, 100, 1001, "alice", 0);
		tt_sock *k = tt_snapshot_add_sock(&s);
		k->family = TT_FAM_TCP4, k->state = TT_ST_ESTABLISHED, k->inode = 5, k->lport = 40000, k->rport = 3306;
		tt_owner *ow = tt_snapshot_add_owner(&s);
		ow->inode = 5, ow->proc = alice;
		tt_snapshot_index_owners(&s);
		tt_conn_event *e = tt_snapshot_add_event(&s);
		*e = ev(100 + r, TT_CE_CLIENT, 4.0, 0.5);
		e->proc = alice + 1;
		assert_int_equal(tt_model_update(&m, &s), 0);
		tt_baseline_observe(&b, &m);
	}
	const tt_baseline_entry *be = tt_baseline_find(&b, "alice");
	assert_non_null(be);
	assert_float_equal(be->close_wait_p90, 0.5, 1e-9);
	assert_float_equal(be->lifetime_p50, 4.0, 1e-9);
	char path[] = "/tmp/tt-test-lifecycle-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	char err[256];
	assert_int_equal(tt_baseline_save(&b, path, err, sizeof(err)), 0);
	tt_baseline l;
	tt_baseline_init(&l);
	assert_int_equal(tt_baseline_load(&l, path, err, sizeof(err)), 0);
	be = tt_baseline_find(&l, "alice");
	assert_non_null(be);
	assert_float_equal(be->close_wait_p90, 0.5, 1e-6);
	assert_float_equal(be->lifetime_p50, 4.0, 1e-6);
	be = tt_baseline_find(&l, "(unattributed)");
	assert_non_null(be);
	assert_true(be->close_wait_p90 < 0);
	unlink(path);
	tt_baseline_free(&l);
	tt_baseline_free(&b);
	tt_snapshot_free(&s);
	tt_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_window_and_rates),
		cmocka_unit_test(test_model_attribution),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_baseline_learns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
