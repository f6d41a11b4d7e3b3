/* The lifecycle pane (L): one row per tenant with its connections' life from
 * kernel events (lifecycle.h): opened and closed per second, lifetime
 * percentiles, time in CLOSE_WAIT before the application closed, TIME_WAIT
 * created per second.  Cycling tenants first; Enter opens the tenant's
 * processes. */
#include <stdio.h>
#include <string.h>

#include "tenantop/lifecycle.h"
#include "tenantop/format.h"

#include "cells.h"

static const tt_lifecycle_figs *figs(const tt_rowctx *rc, uint32_t row)
{
	return row < rc->m->ntenants ? tt_lifecycle_tenant(rc->m->life, rc->m->tenants[row].name) : NULL;
}

static int t_name(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	snprintf(buf, len, "%s", rc->m->tenants[row].name);
	return tt_cell_tenant_tone(rc, row);
}
static int c_name(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return strcmp(rc->m->tenants[a].name, rc->m->tenants[b].name);
}

/* a rate per second: "-" without figures, 1 decimal under 10 */
static int rate_cell(char *buf, size_t len, const tt_lifecycle_figs *f, double v, int tone)
{
	if (!f)
		return tt_cell_dash(buf, len);
	snprintf(buf, len, v < 10 ? "%.1f" : "%.0f", v);
	return v > 0 ? tone : TT_TONE_DIM;
}

/* a duration: "-" when unknown, ms under a second */
static int secs_cell(char *buf, size_t len, double s, int tone)
{
	if (s < 0)
		return tt_cell_dash(buf, len);
	if (s < 0.001)
		snprintf(buf, len, "<1ms");
	else if (s < 1)
		snprintf(buf, len, "%.0fms", s * 1000);
	else if (s < 100)
		snprintf(buf, len, "%.1fs", s);
	else
		tt_fmt_age(s, buf, len);
	return tone;
}

#define FIG(f, field, none) ((f) ? (f)->field : (none))

static int t_opened(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_lifecycle_figs *f = figs(rc, row);
	return rate_cell(buf, len, f, FIG(f, opened_per_s, 0), TT_TONE_NORMAL);
}
static int c_opened(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	const tt_lifecycle_figs *x = figs(rc, a), *y = figs(rc, b);
	return TT_CMP(FIG(x, opened_per_s, -1), FIG(y, opened_per_s, -1));
}
static int t_closed(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_lifecycle_figs *f = figs(rc, row);
	return rate_cell(buf, len, f, FIG(f, closed_per_s, 0), TT_TONE_NORMAL);
}
static int c_closed(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	const tt_lifecycle_figs *x = figs(rc, a), *y = figs(rc, b);
	return TT_CMP(FIG(x, closed_per_s, -1), FIG(y, closed_per_s, -1));
}
static int t_tw(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_lifecycle_figs *f = figs(rc, row);
	double v = FIG(f, time_wait_per_s, 0);
	return rate_cell(buf, len, f, v, v >= 10 ? TT_TONE_WARN : TT_TONE_NORMAL);
}
static int c_tw(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	const tt_lifecycle_figs *x = figs(rc, a), *y = figs(rc, b);
	return TT_CMP(FIG(x, time_wait_per_s, -1), FIG(y, time_wait_per_s, -1));
}

/* lifetimes: a short median while connections close often is cycling */
static int life_tone(const tt_lifecycle_figs *f, double v)
{
	return f && v >= 0 && v < 0.1 && f->closed_per_s >= 1 ? TT_TONE_WARN : TT_TONE_NORMAL;
}
#define LIFE_COL(name, field)                                                                     \
	static int t_##name(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)              \
	{                                                                                           \
		const tt_lifecycle_figs *f = figs(rc, row);                                         \
		double v = FIG(f, field, -1);                                                       \
		return secs_cell(buf, len, v, life_tone(f, v));                                     \
	}                                                                                           \
	static int c_##name(const tt_rowctx *rc, uint32_t a, uint32_t b)                           \
	{                                                                                           \
		const tt_lifecycle_figs *x = figs(rc, a), *y = figs(rc, b);                         \
		return TT_CMP(FIG(x, field, -1), FIG(y, field, -1));                                \
	}
LIFE_COL(p50, lifetime_p50)
LIFE_COL(p90, lifetime_p90)
LIFE_COL(p99, lifetime_p99)

static int t_cw(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_lifecycle_figs *f = figs(rc, row);
	double v = FIG(f, close_wait_p90, -1);
	return secs_cell(buf, len, v, v >= 1 ? TT_TONE_WARN : TT_TONE_NORMAL);
}
static int c_cw(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	const tt_lifecycle_figs *x = figs(rc, a), *y = figs(rc, b);
	return TT_CMP(FIG(x, close_wait_p90, -1), FIG(y, close_wait_p90, -1));
}
static int t_cwmax(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_lifecycle_figs *f = figs(rc, row);
	double v = FIG(f, close_wait_max, -1);
	return secs_cell(buf, len, v, v >= 1 ? TT_TONE_WARN : TT_TONE_NORMAL);
}
static int c_cwmax(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	const tt_lifecycle_figs *x = figs(rc, a), *y = figs(rc, b);
	return TT_CMP(FIG(x, close_wait_max, -1), FIG(y, close_wait_max, -1));
}

/* Drop order on a narrow terminal (highest first): CW max, p99, p90, OPEN/s;
 * TENANT, CLOSE/s, LIFE p50, CW p90 and TW/s stay while they fit (at 40
 * columns TW/s does not, and a number is left out rather than cut). */
static const tt_column cols[] = {
	{"tenant", "TENANT", "the customer (as on the tenants pane)", 14, 0, false, true, false, t_name, c_name, 10, false},
	{"opened", "OPEN/s", "connections to or from the watched ports opened per second (kernel events)", 7, 4, true, false, true, t_opened, c_opened, 0, false},
	{"closed", "CLOSE/s", "connections closed per second", 8, 0, true, false, true, t_closed, c_closed, 0, false},
	{"life_p50", "LIFE p50", "lifetime median over the last 60 s: opening to the application's close (short and many: cycling)", 9, 0, true, false, true, t_p50, c_p50, 0, false},
	{"life_p90", "p90", "lifetime 90th percentile over the last 60 s", 7, 3, true, false, true, t_p90, c_p90, 0, false},
	{"life_p99", "p99", "lifetime 99th percentile over the last 60 s", 7, 2, true, false, true, t_p99, c_p99, 0, false},
	{"close_wait_p90", "CW p90", "time in CLOSE_WAIT before the application closed, 90th percentile over the last 60 s", 8, 0, true, false, true, t_cw, c_cw, 0, false},
	{"close_wait_max", "CW max", "the longest CLOSE_WAIT before the application closed, last 60 s", 8, 1, true, false, true, t_cwmax, c_cwmax, 0, false},
	{"time_wait", "TW/s", "connections closed into TIME_WAIT per second", 7, 0, true, false, true, t_tw, c_tw, 0, false},
};

static int build(const tt_rowctx *rc, tt_rows *out, bool *gone)
{
	int r = 0;
	(void)gone;
	if (!tt_lifecycle_on(rc->m->life))
		return 0; /* empty() says why */
	for (uint32_t i = 0; i < rc->m->ntenants && r == 0; i++)
		r = tt_rows_push(out, i);
	return r;
}

static void row_id(const tt_rowctx *rc, uint32_t row, tt_cursor_id *id)
{
	tt_cell_tenant_row_id(rc, row, id);
}

static uint64_t row_key(const tt_rowctx *rc, uint32_t row)
{
	return tt_cell_tenant_row_key(rc, row, 0x6c696665ULL);
}

static void row_text(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	snprintf(buf, len, "%s", rc->m->tenants[row].name);
}

static const char *enter(const tt_rowctx *rc, uint32_t row, tt_pane_ctx *next)
{
	snprintf(next->tenant, sizeof(next->tenant), "%s", rc->m->tenants[row].name);
	return "processes";
}

static void crumb(const tt_rowctx *rc, char *buf, size_t len)
{
	(void)rc;
	snprintf(buf, len, "lifecycle");
}

static void detail(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_lifecycle_figs *f = figs(rc, row);
	unsigned long long drops = (unsigned long long)tt_lifecycle_dropped_now(rc->m->life);
	char dropped[80] = "";
	if (drops)
		snprintf(dropped, sizeof(dropped), "; %llu events lost in the last refresh (ring buffer full)", drops);
	if (!f) {
		snprintf(buf, len, "%s: no connection opened or closed since the events began%s", rc->m->tenants[row].name,
			 dropped);
		return;
	}
	snprintf(buf, len,
		 "%s: since the events began %llu opened, %llu closed, %llu into TIME_WAIT; in the last 60 s %u "
		 "closed, %u after a CLOSE_WAIT%s",
		 f->name, (unsigned long long)f->opened, (unsigned long long)f->closed,
		 (unsigned long long)f->time_wait, f->window_closes, f->window_close_waits, dropped);
}

static void empty(const tt_rowctx *rc, char *buf, size_t len)
{
	const char *note = rc->m->snap.stats.source_note;
	if (!tt_lifecycle_on(rc->m->life))
		snprintf(buf, len, "no kernel events (%s): the lifecycle needs --source bpf (root)",
			 note[0] ? note : "source without eBPF");
	else
		snprintf(buf, len, "no tenant on the watched ports yet");
}

const tt_pane tt_pane_lifecycle = {
	TT_PANE_BASICS,
	.id = "lifecycle",
	.title = "Lifecycle",
	.default_sort = "closed",
	.enter = enter,
	.detail_lines = 1,
	.empty = empty,
	.enter_label = "Open",
};
