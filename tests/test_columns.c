/* The column layout: which columns of a pane drop first on a narrow
 * terminal (120, 80 and 40 columns), their widths, the flexible column
 * taking what is left, the order and the hidden columns chosen in Setup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tenantop/layout.h"

static const tt_pane *pane(const char *id)
{
	long i = tt_pane_find(id);
	assert_true(i >= 0);
	return tt_pane_at((size_t)i);
}

/* "tenant:29 estab:6 ..." of a layout */
static void shown(const tt_pane *p, const tt_col_layout *l, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < l->n && o < len; k++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s:%d", k ? " " : "", p->cols[l->idx[k]].id, l->w[k]);
}

/* What pane id shows at width, every column available, no settings (into buf). */
static const char *shown_at(const char *id, int width, char *buf, size_t len)
{
	const tt_pane *p = pane(id);
	tt_col_layout l;
	tt_layout_columns(p->cols, p->ncols, NULL, NULL, width, &l);
	shown(p, &l, buf, len);
	return buf;
}

/* the tenants pane as the dashboard shows it with no baseline and no
 * tenant limit: vs BASE and ETA FULL have nothing to show */
static void tenants_avail(const tt_pane *p, bool *avail)
{
	for (size_t i = 0; i < p->ncols; i++)
		avail[i] = strcmp(p->cols[i].id, "vs_base") && strcmp(p->cols[i].id, "eta");
}

static void test_tenants_widths(void **state)
{
	(void)state;
	const tt_pane *p = pane("tenants");
	bool avail[TT_MAX_SHOWN];
	tt_col_layout l;
	char buf[512];
	tenants_avail(p, avail);
	tt_layout_columns(p->cols, p->ncols, avail, NULL, 120, &l);
	shown(p, &l, buf, sizeof(buf));
	assert_string_equal(buf, "tenant:29 rule:8 procs:6 estab:6 close_wait:11 close:6 time_wait:10 other:6 leaked:7 "
				 "oldest:7 ratio:6 trend:7");
	/* the last column ends at the edge: the flexible one took the rest */
	assert_int_equal(l.x[l.n - 1] + l.w[l.n - 1], 120);
	/* 80: OTHER, PROCS, RULE, TREND go */
	tt_layout_columns(p->cols, p->ncols, avail, NULL, 80, &l);
	shown(p, &l, buf, sizeof(buf));
	assert_string_equal(buf, "tenant:20 estab:6 close_wait:11 close:6 time_wait:10 leaked:7 oldest:7 ratio:6");
	assert_int_equal(l.x[l.n - 1] + l.w[l.n - 1], 80);
	/* 40: the key figures stay, TENANT shrinks */
	tt_layout_columns(p->cols, p->ncols, avail, NULL, 40, &l);
	shown(p, &l, buf, sizeof(buf));
	assert_string_equal(buf, "tenant:13 close_wait:11 close:6 leaked:7");
	assert_int_equal(l.x[1], 14);
	assert_int_equal(l.x[3], 33);
}

static void test_never_dropped(void **state)
{
	(void)state;
	/* at any width, the columns numbered 0 stay on every pane */
	for (size_t k = 0; k < tt_pane_count(); k++) {
		const tt_pane *p = tt_pane_at(k);
		for (int width = 20; width <= 200; width += 10) {
			tt_col_layout l;
			tt_layout_columns(p->cols, p->ncols, NULL, NULL, width, &l);
			for (size_t i = 0; i < p->ncols; i++) {
				bool on = false;
				for (size_t j = 0; j < l.n; j++)
					on |= l.idx[j] == i;
				if (p->cols[i].prio == 0 && width >= 60)
					assert_true(on);
			}
			if (l.n)
				assert_true(l.x[l.n - 1] + l.w[l.n - 1] <= width);
		}
	}
}

static void test_numbers_whole(void **state)
{
	(void)state;
	/* at any width, a number column is shown whole or not at all: cut, it
	 * would show other digits (the lifecycle pane's TW/s at 40 was "1" for 15) */
	for (size_t k = 0; k < tt_pane_count(); k++) {
		const tt_pane *p = tt_pane_at(k);
		for (int width = 20; width <= 200; width++) {
			tt_col_layout l;
			tt_layout_columns(p->cols, p->ncols, NULL, NULL, width, &l);
			for (size_t j = 0; j < l.n; j++) {
				const tt_column *c = &p->cols[l.idx[j]];
				if (c->right && !c->flex && l.w[j] < (c->minw ? c->minw : c->width))
					fail_msg("%s pane at %d columns: %s is %d wide", p->id, width, c->id, l.w[j]);
			}
		}
	}
	char buf[512];
	assert_string_equal(shown_at("lifecycle", 40, buf, sizeof(buf)), "tenant:10 closed:8 life_p50:9 close_wait_p90:8");
}

static void test_sockets_narrow(void **state)
{
	(void)state;
	char buf[512];
	assert_string_equal(shown_at("sockets", 80, buf, sizeof(buf)), "state:11 local:21 remote:28 age:7 in_state:9");
	/* LOCAL and REMOTE shrink, keeping their ports */
	assert_string_equal(shown_at("sockets", 40, buf, sizeof(buf)), "state:11 local:7 remote:20");
}

static void test_setup_order_and_hidden(void **state)
{
	(void)state;
	const tt_pane *p = pane("processes");
	tt_pane_settings ps;
	memset(&ps, 0, sizeof(ps));
	/* LEAKED first after PID, USER hidden */
	size_t order[] = {0, 6, 1, 2, 3, 4, 5, 7, 8, 9};
	ps.ncols = sizeof(order) / sizeof(order[0]);
	memcpy(ps.order, order, sizeof(order));
	ps.hidden[1] = true;
	tt_col_layout l;
	char buf[512];
	tt_layout_columns(p->cols, p->ncols, NULL, &ps, 120, &l);
	shown(p, &l, buf, sizeof(buf));
	assert_string_equal(buf, "pid:7 leaked:7 estab:6 close_wait:11 close:6 other:6 oldest:7 fds:5 command:57");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tenants_widths),
		cmocka_unit_test(test_never_dropped),
		cmocka_unit_test(test_numbers_whole),
		cmocka_unit_test(test_sockets_narrow),
		cmocka_unit_test(test_setup_order_and_hidden),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
