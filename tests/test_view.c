/* The dashboard's view: the rows each pane builds from the model, the
 * sort, the filter, the cursor kept on its row by identity across a
 * rebuild, the stack of open panes (Enter, Back, the breadcrumb), tags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "view_fixture.h"

static void test_tenant_rows_and_sort(void **state)
{
	(void)state;
	vf f;
	char buf[64];
	vf_open(&f);
	assert_string_equal(tt_view_pane(&f.v)->id, "tenants");
	/* alice bob carol mysql and the unattributed group */
	assert_int_equal(f.v.nrows, 5);
	/* default sort: LEAKED, most first */
	assert_string_equal(vf_cell(&f, 0, "tenant", buf, sizeof(buf)), "alice");
	assert_string_equal(vf_cell(&f, 0, "leaked", buf, sizeof(buf)), "3");
	assert_string_equal(vf_cell(&f, 1, "tenant", buf, sizeof(buf)), "bob");
	assert_true(vf_row(&f, "(unattributed)") >= 0);
	/* by name, ascending (the first press on a column takes its own direction) */
	tt_view_sort_by(&f.v, 0);
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_string_equal(vf_cell(&f, 0, "tenant", buf, sizeof(buf)), "(unattributed)");
	assert_string_equal(vf_cell(&f, 1, "tenant", buf, sizeof(buf)), "alice");
	assert_string_equal(vf_cell(&f, 4, "tenant", buf, sizeof(buf)), "mysql");
	/* again: descending */
	tt_view_sort_by(&f.v, 0);
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_string_equal(vf_cell(&f, 0, "tenant", buf, sizeof(buf)), "mysql");
	tt_view_invert(&f.v);
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_string_equal(vf_cell(&f, 0, "tenant", buf, sizeof(buf)), "(unattributed)");
	vf_close(&f);
}

static void test_cursor_follows_its_row(void **state)
{
	(void)state;
	vf f;
	char buf[64];
	vf_open(&f);
	long bob = vf_row(&f, "bob");
	assert_true(bob >= 0);
	tt_view_select(&f.v, (size_t)bob, 10);
	/* dave arrives with more leaks and sorts first: the cursor stays on bob */
	vf_fill(&f.s, 1002.0, true);
	tt_model_update(&f.m, &f.s);
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_int_equal(f.v.nrows, 6);
	assert_string_equal(vf_cell(&f, 0, "tenant", buf, sizeof(buf)), "dave");
	assert_int_equal(tt_view_top(&f.v)->cursor, (size_t)vf_row(&f, "bob"));
	assert_int_equal(tt_view_top(&f.v)->cursor, (size_t)bob + 1);
	/* a re-sort keeps it there too */
	tt_view_sort_by(&f.v, 0);
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_int_equal(tt_view_top(&f.v)->cursor, (size_t)vf_row(&f, "bob"));
	/* its row leaves: the cursor keeps the position */
	vf_fill(&f.s, 1004.0, false);
	tt_model_update(&f.m, &f.s);
	tt_view_select(&f.v, (size_t)vf_row(&f, "dave"), 10);
	size_t at = tt_view_top(&f.v)->cursor;
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_int_equal(vf_row(&f, "dave"), -1);
	assert_int_equal(tt_view_top(&f.v)->cursor, at < f.v.nrows ? at : f.v.nrows - 1);
	vf_close(&f);
}

static void test_filter_and_search(void **state)
{
	(void)state;
	vf f;
	char buf[64];
	vf_open(&f);
	snprintf(f.v.filter, sizeof(f.v.filter), "CAR");
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_int_equal(f.v.nrows, 1);
	assert_string_equal(vf_cell(&f, 0, "tenant", buf, sizeof(buf)), "carol");
	f.v.filter[0] = '\0';
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_true(tt_view_search(&f.v, "mys", true, 10));
	assert_int_equal(tt_view_top(&f.v)->cursor, (size_t)vf_row(&f, "mysql"));
	assert_false(tt_view_search(&f.v, "nobody", true, 10));
	vf_close(&f);
}

static void test_drill_down_and_back(void **state)
{
	(void)state;
	vf f;
	char buf[64], crumb[256];
	vf_open(&f);
	tt_view_select(&f.v, (size_t)vf_row(&f, "alice"), 10);
	assert_true(tt_view_enter(&f.v));
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_string_equal(tt_view_pane(&f.v)->id, "processes");
	assert_int_equal(f.v.depth, 2);
	assert_int_equal(f.v.nrows, 2);
	/* most leaked first: 101 (3 CLOSE_WAIT) */
	assert_string_equal(vf_cell(&f, 0, "pid", buf, sizeof(buf)), "101");
	tt_view_breadcrumb(&f.v, ">", crumb, sizeof(crumb));
	assert_string_equal(crumb, "tenants > alice");
	assert_true(tt_view_enter(&f.v));
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_string_equal(tt_view_pane(&f.v)->id, "sockets");
	/* 101 holds the shared ESTABLISHED and the 3 CLOSE_WAIT; leaks first */
	assert_int_equal(f.v.nrows, 4);
	assert_string_equal(vf_cell(&f, 0, "state", buf, sizeof(buf)), "CLOSE_WAIT");
	assert_string_equal(vf_cell(&f, 3, "state", buf, sizeof(buf)), "ESTABLISHED");
	tt_view_breadcrumb(&f.v, ">", crumb, sizeof(crumb));
	assert_string_equal(crumb, "tenants > alice > 101 php-fpm");
	/* the sockets pane leads nowhere */
	assert_false(tt_view_enter(&f.v));
	/* back twice: the cursor on the rows we came from */
	assert_true(tt_view_back(&f.v));
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_string_equal(vf_cell(&f, tt_view_top(&f.v)->cursor, "pid", buf, sizeof(buf)), "101");
	assert_true(tt_view_back(&f.v));
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_string_equal(vf_cell(&f, tt_view_top(&f.v)->cursor, "tenant", buf, sizeof(buf)), "alice");
	assert_false(tt_view_back(&f.v));
	vf_close(&f);
}

static void test_gone(void **state)
{
	(void)state;
	vf f;
	vf_open(&f);
	tt_pane_ctx at = {.tenant = "nobody"};
	assert_true(tt_view_open(&f.v, (size_t)tt_pane_find("processes"), &at));
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_true(f.v.gone);
	assert_int_equal(f.v.nrows, 0);
	vf_close(&f);
}

static void test_tags(void **state)
{
	(void)state;
	vf f;
	uint32_t out[8];
	vf_open(&f);
	/* no tag: the cursor row is the target */
	tt_view_select(&f.v, (size_t)vf_row(&f, "carol"), 10);
	assert_int_equal(tt_view_targets(&f.v, out, 8), 1);
	/* c: the tenants with leaks (alice, bob) */
	assert_int_equal(tt_view_tag_leaking(&f.v), 2);
	assert_int_equal(tt_view_targets(&f.v, out, 8), 2);
	/* tags follow their rows across a refresh */
	vf_fill(&f.s, 1002.0, true);
	tt_model_update(&f.m, &f.s);
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_true(tt_view_tagged(&f.v, f.v.rows[vf_row(&f, "alice")]));
	assert_false(tt_view_tagged(&f.v, f.v.rows[vf_row(&f, "dave")]));
	/* the unattributed group cannot be tagged */
	tt_view_select(&f.v, (size_t)vf_row(&f, "(unattributed)"), 10);
	assert_false(tt_view_tag_toggle(&f.v));
	/* opening a pane drops the tags */
	tt_view_select(&f.v, (size_t)vf_row(&f, "alice"), 10);
	tt_view_enter(&f.v);
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_int_equal(tt_view_targets(&f.v, out, 8), 1);
	vf_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tenant_rows_and_sort), cmocka_unit_test(test_cursor_follows_its_row),
		cmocka_unit_test(test_filter_and_search),    cmocka_unit_test(test_drill_down_and_back),
		cmocka_unit_test(test_gone),                 cmocka_unit_test(test_tags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
