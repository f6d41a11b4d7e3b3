/* The pane table: every pane whole (an id, columns with unique ids, a
 * sortable default sort, rows built from the model); Enter leads where it
 * should, with the context the next pane needs; each pane's rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tenantop/settings.h"

#include "view_fixture.h"

static void test_table_whole(void **state)
{
	(void)state;
	assert_true(tt_pane_count() >= 3);
	assert_true(tt_pane_count() <= TT_PANE_MAX);
	assert_string_equal(tt_pane_at(0)->id, "tenants"); /* the dashboard opens on it */
	for (size_t k = 0; k < tt_pane_count(); k++) {
		const tt_pane *p = tt_pane_at(k);
		assert_int_equal(tt_pane_find(p->id), (long)k);
		assert_non_null(p->title);
		assert_non_null(p->build);
		assert_non_null(p->row_id);
		assert_non_null(p->row_key);
		assert_non_null(p->row_text);
		assert_non_null(p->crumb);
		assert_true(p->ncols > 0 && p->ncols <= TT_SET_MAXCOLS);
		bool sort_found = false;
		for (size_t i = 0; i < p->ncols; i++) {
			assert_non_null(p->cols[i].cell);
			for (size_t j = 0; j < i; j++)
				assert_string_not_equal(p->cols[i].id, p->cols[j].id);
			sort_found |= !strcmp(p->cols[i].id, p->default_sort) && p->cols[i].cmp;
		}
		assert_true(sort_found);
		/* k acts through the rows, and says on what */
		if (p->act != TT_PANE_ACT_NONE)
			assert_non_null(p->act_rows);
	}
	assert_int_equal(tt_pane_find("nosuch"), -1);
}

/* Enter on the row whose first cell is `row` of pane `from` */
static const char *enter_on(vf *f, const char *row, tt_pane_ctx *next)
{
	long i = vf_row(f, row);
	assert_true(i >= 0);
	tt_rowctx rc = tt_view_rowctx(&f->v);
	memset(next, 0, sizeof(*next));
	return tt_view_pane(&f->v)->enter(&rc, f->v.rows[i], next);
}

static void open_on(vf *f, const char *pane, const tt_pane_ctx *at)
{
	assert_true(tt_view_open(&f->v, (size_t)tt_pane_find(pane), at));
	tt_view_rebuild(&f->v, &f->m, &f->alerts);
}

static void test_enter_leads(void **state)
{
	(void)state;
	vf f;
	tt_pane_ctx next;
	vf_open(&f);
	/* a tenant: its processes */
	assert_string_equal(enter_on(&f, "carol", &next), "processes");
	assert_string_equal(next.tenant, "carol");
	assert_false(next.tenant_unattr);
	/* the unattributed group: straight to its sockets */
	assert_string_equal(enter_on(&f, "(unattributed)", &next), "sockets");
	assert_true(next.tenant_unattr);
	/* a process: its sockets; the "(no process)" row: the tenant's unowned */
	tt_pane_ctx carol = {.tenant = "carol"};
	open_on(&f, "processes", &carol);
	assert_string_equal(enter_on(&f, "400", &next), "sockets");
	assert_int_equal(next.pid, 400);
	assert_int_equal(next.start, 1400);
	assert_string_equal(next.tenant, "carol");
	assert_string_equal(enter_on(&f, "-", &next), "sockets");
	assert_true(next.noproc);
	/* sockets lead nowhere */
	open_on(&f, "sockets", &next);
	assert_null(tt_view_pane(&f.v)->enter);
	vf_close(&f);
}

static void test_rows_of_each_pane(void **state)
{
	(void)state;
	vf f;
	char buf[128], crumb[256];
	vf_open(&f);
	/* carol: worker 400, then the "(no process)" row, always last */
	tt_pane_ctx carol = {.tenant = "carol"};
	open_on(&f, "processes", &carol);
	assert_int_equal(f.v.nrows, 2);
	assert_int_equal(f.v.rows[1], TT_ROW_NOPROC);
	tt_view_invert(&f.v);
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_int_equal(f.v.rows[1], TT_ROW_NOPROC);
	/* its unowned sockets: the TIME_WAIT on 3307 */
	tt_pane_ctx noproc = {.tenant = "carol", .noproc = true};
	open_on(&f, "sockets", &noproc);
	assert_int_equal(f.v.nrows, 1);
	assert_string_equal(vf_cell(&f, 0, "state", buf, sizeof(buf)), "TIME_WAIT");
	tt_view_breadcrumb(&f.v, ">", crumb, sizeof(crumb));
	assert_string_equal(crumb, "tenants > carol > (no process)");
	tt_view_back(&f.v);
	tt_view_back(&f.v);
	/* the unattributed group's sockets */
	tt_pane_ctx unattr = {.tenant = "(unattributed)", .tenant_unattr = true};
	open_on(&f, "sockets", &unattr);
	assert_int_equal(f.v.nrows, 1);
	assert_string_equal(vf_cell(&f, 0, "remote", buf, sizeof(buf)), "127.0.0.1:3306");
	tt_view_breadcrumb(&f.v, ">", crumb, sizeof(crumb));
	assert_string_equal(crumb, "tenants > (unattributed)");
	vf_close(&f);
}

struct got {
	int procs, socks;
};
static void got_proc(void *ctx, const tt_proc *p, const char *tenant)
{
	(void)p, (void)tenant;
	((struct got *)ctx)->procs++;
}
static void got_sock(void *ctx, const tt_msock *ms, const char *tenant)
{
	(void)tenant;
	assert_int_equal(ms->s->state, TT_ST_CLOSE_WAIT);
	((struct got *)ctx)->socks++;
}

static void test_act_rows(void **state)
{
	(void)state;
	vf f;
	struct got g = {0, 0};
	tt_act_sink sink = {&g, got_proc, got_sock};
	vf_open(&f);
	const tt_pane *p = tt_view_pane(&f.v);
	tt_rowctx rc = tt_view_rowctx(&f.v);
	uint32_t alice = f.v.rows[vf_row(&f, "alice")];
	/* k: alice's two processes; x: her three CLOSE_WAIT */
	p->act_rows(&rc, alice, false, &sink);
	assert_int_equal(g.procs, 2);
	p->act_rows(&rc, alice, true, &sink);
	assert_int_equal(g.socks, 3);
	char scope[64];
	p->act_scope(&rc, &alice, 1, false, scope, sizeof(scope));
	assert_string_equal(scope, " of alice");
	vf_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_whole),
		cmocka_unit_test(test_enter_leads),
		cmocka_unit_test(test_rows_of_each_pane),
		cmocka_unit_test(test_act_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
