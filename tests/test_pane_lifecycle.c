/* The lifecycle pane: a row per tenant, its figures in the cells (rates,
 * lifetimes, CLOSE_WAIT, TIME_WAIT/s), "-" where a tenant has none, the
 * cycling tenant first by CLOSE/s; without kernel events no rows and the
 * reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tenantop/lifecycle.h"
#include "tenantop/model.h"
#include "tenantop/pane.h"

static uint32_t proc(tt_snapshot *s, int pid, uint32_t uid, const char *user)
{
	tt_proc *p = tt_snapshot_add_proc(s);
	p->pid = pid, p->ppid = 1, p->uid = uid, p->start_time = 1000u + (uint64_t)pid;
	p->user = tt_snapshot_str_trusted(s, user);
	p->comm = tt_snapshot_str_trusted(s, "client");
	return (uint32_t)(s->nprocs - 1);
}

static void held(tt_snapshot *s, uint64_t inode, uint16_t lport, uint32_t pi)
{
	tt_sock *k = tt_snapshot_add_sock(s);
	k->family = TT_FAM_TCP4, k->state = TT_ST_ESTABLISHED, k->inode = inode, k->lport = lport, k->rport = 3306;
	tt_owner *o = tt_snapshot_add_owner(s);
	o->inode = inode, o->proc = pi;
}

static tt_conn_event *event(tt_snapshot *s, uint32_t pi, uint8_t flags, double life, double cw)
{
	tt_conn_event *e = tt_snapshot_add_event(s);
	e->at = 1001, e->flags = flags, e->lifetime_s = life, e->close_wait_s = cw;
	e->lport = 40000, e->rport = 3306, e->proc = pi + 1;
	return e;
}

static const char *cell(const tt_pane *p, const tt_rowctx *rc, uint32_t row, const char *id, char *buf, size_t len)
{
	for (size_t i = 0; i < p->ncols; i++)
		if (!strcmp(p->cols[i].id, id)) {
			p->cols[i].cell(rc, row, buf, len);
			return buf;
		}
	fail_msg("no column %s", id);
	return NULL;
}

static long row_of(const tt_model *m, const char *name)
{
	for (size_t i = 0; i < m->ntenants; i++)
		if (!strcmp(m->tenants[i].name, name))
			return (long)i;
	return -1;
}

static void test_cells(void **state)
{
	(void)state;
	tt_model_opts o;
	memset(&o, 0, sizeof(o));
	tt_portset_add(&o.ports, 3306);
	tt_model m;
	assert_int_equal(tt_model_init(&m, &o), 0);
	tt_snapshot s;
	tt_snapshot_init(&s);
	s.time = 1002, s.stats.events = true, s.stats.events_since = 1000;
	uint32_t bob = proc(&s, 100, 1001, "bob"), erin = proc(&s, 200, 1002, "erin"), dave = proc(&s, 300, 1003, "dave");
	held(&s, 1, 40001, bob);
	held(&s, 2, 40002, erin);
	held(&s, 3, 40003, dave);
	tt_snapshot_index_owners(&s);
	for (int i = 0; i < 8; i++) /* bob cycles: 4 connections of 20 ms in 2 s */
		event(&s, bob, i % 2 ? TT_CE_CLIENT | TT_CE_TIME_WAIT : TT_CE_OPEN | TT_CE_CLIENT, 0.020, -1);
	event(&s, erin, TT_CE_CLIENT, 9.0, 4.5); /* erin sat 4.5 s in CLOSE_WAIT */
	assert_int_equal(tt_model_update(&m, &s), 0);

	const tt_pane *p = tt_pane_at((size_t)tt_pane_find("lifecycle"));
	assert_non_null(p);
	tt_rowctx rc;
	memset(&rc, 0, sizeof(rc));
	rc.m = &m;
	tt_rows rows = {0};
	bool gone = false;
	assert_int_equal(p->build(&rc, &rows, &gone), 0);
	assert_int_equal(rows.n, 3);
	uint32_t b = (uint32_t)row_of(&m, "bob"), e = (uint32_t)row_of(&m, "erin"), d = (uint32_t)row_of(&m, "dave");
	char buf[64];
	assert_string_equal(cell(p, &rc, b, "tenant", buf, sizeof(buf)), "bob");
	assert_string_equal(cell(p, &rc, b, "closed", buf, sizeof(buf)), "2.0");
	assert_string_equal(cell(p, &rc, b, "opened", buf, sizeof(buf)), "2.0");
	assert_string_equal(cell(p, &rc, b, "time_wait", buf, sizeof(buf)), "2.0");
	assert_string_equal(cell(p, &rc, b, "life_p50", buf, sizeof(buf)), "20ms");
	assert_string_equal(cell(p, &rc, b, "close_wait_p90", buf, sizeof(buf)), "-");
	assert_string_equal(cell(p, &rc, e, "close_wait_p90", buf, sizeof(buf)), "4.5s");
	assert_string_equal(cell(p, &rc, e, "life_p99", buf, sizeof(buf)), "9.0s");
	assert_string_equal(cell(p, &rc, d, "closed", buf, sizeof(buf)), "-");
	/* sorted by CLOSE/s, bob (2/s) above erin (0.5/s) above dave (none) */
	const tt_column *closed = NULL;
	for (size_t i = 0; i < p->ncols; i++)
		if (!strcmp(p->cols[i].id, p->default_sort))
			closed = &p->cols[i];
	assert_non_null(closed);
	assert_string_equal(closed->id, "closed");
	assert_true(closed->cmp(&rc, b, e) > 0 && closed->cmp(&rc, e, d) > 0);
	p->detail(&rc, b, buf, sizeof(buf));
	assert_non_null(strstr(buf, "bob: since the events began 4 opened"));
	free(rows.v);

	/* no kernel events: no rows, and why */
	s.time = 1004;
	snprintf(s.stats.source_note, sizeof(s.stats.source_note), "eBPF events not asked for");
	assert_int_equal(tt_model_update(&m, &s), 0);
	memset(&rows, 0, sizeof(rows));
	assert_int_equal(p->build(&rc, &rows, &gone), 0);
	assert_int_equal(rows.n, 0);
	char why[200];
	p->empty(&rc, why, sizeof(why));
	assert_non_null(strstr(why, "no kernel events (eBPF events not asked for)"));
	free(rows.v);
	tt_snapshot_free(&s);
	tt_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cells),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
