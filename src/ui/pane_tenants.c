/* The tenants pane: one row per tenant, and the unattributed group;
 * Enter opens the tenant's processes (the group: its sockets). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tenantop/baseline.h"
#include "tenantop/format.h"
#include "tenantop/output.h"

#include "cells.h"


static const tt_counts *t_counts(const tt_rowctx *rc, uint32_t row)
{
	return row == TT_ROW_UNATTRIBUTED ? &rc->m->unattributed : &rc->m->tenants[row].counts;
}

static int tone_leak(const tt_rowctx *rc, uint32_t row, uint32_t n)
{
	if (n == 0)
		return TT_TONE_DIM;
	if (row == TT_ROW_UNATTRIBUTED)
		return TT_TONE_WARN;
	return tt_cell_tenant_tone(rc, row);
}

static int t_name(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_UNATTRIBUTED) {
		snprintf(buf, len, "(unattributed)");
		return TT_TONE_DIM;
	}
	snprintf(buf, len, "%s", rc->m->tenants[row].name);
	return tt_cell_tenant_tone(rc, row);
}
static const char *t_name_of(const tt_rowctx *rc, uint32_t row)
{
	return row == TT_ROW_UNATTRIBUTED ? "(unattributed)" : rc->m->tenants[row].name;
}
static int c_name(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return strcmp(t_name_of(rc, a), t_name_of(rc, b));
}

static int t_rule(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const char *r = row == TT_ROW_UNATTRIBUTED ? "-" : rc->m->tenants[row].rule;
	snprintf(buf, len, "%s", r ? r : "-");
	return TT_TONE_DIM;
}
static int c_rule(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	const char *x = a == TT_ROW_UNATTRIBUTED ? NULL : rc->m->tenants[a].rule;
	const char *y = b == TT_ROW_UNATTRIBUTED ? NULL : rc->m->tenants[b].rule;
	return strcmp(x ? x : "", y ? y : "");
}

static int t_procs(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_UNATTRIBUTED)
		return tt_cell_dash(buf, len);
	return tt_cell_num(buf, len, rc->m->tenants[row].nprocs);
}
static uint32_t t_nprocs(const tt_rowctx *rc, uint32_t row)
{
	return row == TT_ROW_UNATTRIBUTED ? 0 : rc->m->tenants[row].nprocs;
}
static int c_procs(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(t_nprocs(rc, a), t_nprocs(rc, b));
}

#define T_STATE(fn, ST)                                                                        \
	static int t_##fn(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)               \
	{                                                                                      \
		uint32_t n = t_counts(rc, row)->st[ST];                                         \
		snprintf(buf, len, "%u", n);                                                   \
		return tt_state_is_leak(ST) ? tone_leak(rc, row, n) : n ? TT_TONE_NORMAL : TT_TONE_DIM; \
	}                                                                                      \
	static int c_##fn(const tt_rowctx *rc, uint32_t a, uint32_t b)                            \
	{                                                                                      \
		return TT_CMP(t_counts(rc, a)->st[ST], t_counts(rc, b)->st[ST]);                    \
	}
T_STATE(estab, TT_ST_ESTABLISHED)
T_STATE(cw, TT_ST_CLOSE_WAIT)
T_STATE(close, TT_ST_CLOSE)
T_STATE(tw, TT_ST_TIME_WAIT)

static int t_other(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	return tt_cell_num(buf, len, tt_counts_other(t_counts(rc, row)));
}
static int c_other(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(tt_counts_other(t_counts(rc, a)), tt_counts_other(t_counts(rc, b)));
}

static int t_leaked(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	uint32_t n = tt_counts_leaked(t_counts(rc, row));
	snprintf(buf, len, "%u", n);
	return tone_leak(rc, row, n);
}
static int c_leaked(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	int c = TT_CMP(tt_counts_leaked(t_counts(rc, a)), tt_counts_leaked(t_counts(rc, b)));
	return c ? c : TT_CMP(tt_counts_total(t_counts(rc, a)), tt_counts_total(t_counts(rc, b)));
}

static int t_oldest(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_UNATTRIBUTED)
		return tt_cell_age(buf, len, 0, 0);
	const tt_mtenant *t = &rc->m->tenants[row];
	return tt_cell_age(buf, len, t->oldest_leak_s, tone_leak(rc, row, tt_counts_leaked(&t->counts)));
}
static double t_oldest_s(const tt_rowctx *rc, uint32_t row)
{
	return row == TT_ROW_UNATTRIBUTED ? 0 : rc->m->tenants[row].oldest_leak_s;
}
static int c_oldest(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(t_oldest_s(rc, a), t_oldest_s(rc, b));
}

/* LEAK%: the leaked share of the connections held, leaked over leaked +
 * ESTABLISHED, so 0-100 % (the close_wait_ratio alert compares leaked with
 * ESTABLISHED alone); -1 when there is nothing held. */
static double ratio_key(const tt_counts *c)
{
	return tt_counts_leak_share(c);
}
static int t_ratio(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_counts *c = t_counts(rc, row);
	double r = ratio_key(c);
	if (r < 0)
		return tt_cell_dash(buf, len);
	tt_fmt_share(r, buf, len);
	return tone_leak(rc, row, tt_counts_leaked(c));
}
static int c_ratio(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(ratio_key(t_counts(rc, a)), ratio_key(t_counts(rc, b)));
}

static int t_trend(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_UNATTRIBUTED)
		return tt_cell_dash(buf, len);
	/* "-" is "no data", a flat trend an arrow right or "=" */
	int dir = tt_fmt_trend(rc->m->tenants[row].leak_slope, rc->ascii ? TT_TREND_ASCII : TT_TREND_ARROWS, buf, len);
	return dir > 0 ? TT_TONE_CRIT : dir < 0 ? TT_TONE_OK : TT_TONE_DIM;
}
static double t_slope(const tt_rowctx *rc, uint32_t row)
{
	return row == TT_ROW_UNATTRIBUTED ? 0 : rc->m->tenants[row].leak_slope;
}
static int c_trend(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(t_slope(rc, a), t_slope(rc, b));
}

/* Time until the tenant's own limit fills, from its pool alert: 0 = full
 * or over now, -1 = no forecast (no alert, or steady). */
static double t_eta_s(const tt_rowctx *rc, uint32_t row, const tt_alert **pa)
{
	*pa = NULL;
	if (row == TT_ROW_UNATTRIBUTED)
		return -1;
	*pa = tt_cell_tenant_pool(rc, row);
	return *pa ? (*pa)->eta_s : -1;
}
static int t_eta(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_alert *a;
	double e = t_eta_s(rc, row, &a);
	if (a && a->fill > 1) {
		snprintf(buf, len, "OVER");
		return TT_TONE_CRIT;
	}
	if (a && a->fill >= 1) {
		snprintf(buf, len, "FULL");
		return TT_TONE_CRIT;
	}
	if (e < 0) {
		snprintf(buf, len, a ? "steady" : "-");
		return a ? TT_TONE_WARN : TT_TONE_DIM;
	}
	tt_fmt_age(e, buf, len);
	return e < 300 ? TT_TONE_CRIT : TT_TONE_WARN;
}
static int c_eta(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	const tt_alert *pa, *pb;
	double x = t_eta_s(rc, a, &pa), y = t_eta_s(rc, b, &pb);
	/* soonest first when ascending (over and full are now); none last */
	if (x < 0 || y < 0)
		return (x < 0) - (y < 0);
	if (x == y && pa && pb)
		return TT_CMP(pb->fill, pa->fill);
	return TT_CMP(x, y);
}

/* Leaked now against the baseline's normal level. */
static double t_dev(const tt_rowctx *rc, uint32_t row, bool *have)
{
	const char *name = row == TT_ROW_UNATTRIBUTED ? "(unattributed)" : rc->m->tenants[row].name;
	const tt_baseline_entry *e = rc->base ? tt_baseline_find(rc->base, name) : NULL;
	*have = e != NULL;
	if (!e)
		return 0;
	return tt_counts_leaked(t_counts(rc, row)) - tt_baseline_normal_leaked(e);
}
static int t_base(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	bool have;
	double d = t_dev(rc, row, &have);
	if (!have) {
		snprintf(buf, len, rc->base && tt_baseline_ready(rc->base) ? "new" : "-");
		return TT_TONE_DIM;
	}
	if (fabs(d) < 0.5) {
		snprintf(buf, len, "=");
		return TT_TONE_DIM;
	}
	snprintf(buf, len, "%+.0f", d);
	return d >= 5 ? TT_TONE_WARN : d < 0 ? TT_TONE_OK : TT_TONE_NORMAL;
}
static int c_base(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	bool ha, hb;
	double x = t_dev(rc, a, &ha), y = t_dev(rc, b, &hb);
	return TT_CMP(x, y);
}

/* Widths leave room for the sort arrow beside every title.  Drop order on a
 * narrow terminal (highest first): OTHER, PROCS, vs BASE, RULE, TREND,
 * LEAK%, TIME_WAIT, then ESTAB/OLDEST/ETA; TENANT, LEAKED, CLOSE_WAIT and
 * CLOSE stay (TENANT shrinks first). */
static const tt_column cols[] = {
	{"tenant", "TENANT", "the customer: a Unix user, or what a tenant rule matched", 14, 0, false, true, false, t_name, c_name, 10, false},
	{"rule", "RULE", "the rule that made this tenant (user, cgroup, path, cmdline, remote, port, parent, netns; memory = only remembered owners)", 8, 6, false, false, false, t_rule, c_rule, 0, false},
	{"procs", "PROCS", "processes holding its sockets", 6, 8, true, false, true, t_procs, c_procs, 0, false},
	{"estab", "ESTAB", "ESTABLISHED connections", 6, 2, true, false, true, t_estab, c_estab, 0, false},
	{"close_wait", "CLOSE_WAIT", "the peer closed, the process never did: a leak", 11, 1, true, false, true, t_cw, c_cw, 0, false},
	{"close", "CLOSE", "reset by the peer, descriptor still held (ss cannot show these)", 6, 1, true, false, true, t_close, c_close, 0, false},
	{"time_wait", "TIME_WAIT", "closed by this side, lingering 60 s: many = connection cycling", 10, 3, true, false, true, t_tw, c_tw, 0, false},
	{"other", "OTHER", "every other state (LISTEN, SYN_*, FIN_WAIT*, LAST_ACK, CLOSING)", 6, 9, true, false, true, t_other, c_other, 0, false},
	{"leaked", "LEAKED", "CLOSE_WAIT + CLOSE: the key figure, never hidden", 7, 0, true, false, true, t_leaked, c_leaked, 0, false},
	{"oldest", "OLDEST", "time the oldest leaked socket has been in its state", 7, 2, true, false, true, t_oldest, c_oldest, 0, false},
	{"ratio", "LEAK%", "leaked share of the connections held: leaked / (leaked + ESTABLISHED), 0-100 %", 6, 4, true, false, true, t_ratio, c_ratio, 0, false},
	{"trend", "TREND", "leaked sockets per minute, least squares over the trend window (an arrow right or = is flat, - no data)", 7, 5, false, false, true, t_trend, c_trend, 0, false},
	{"vs_base", "vs BASE", "leaked now minus its normal level in the baseline (b learns one)", 8, 7, true, false, true, t_base, c_base, 0, false},
	{"eta", "ETA FULL", "time until the tenant's own connection limit fills at the recent growth; steady, FULL or OVER", 9, 2, true, false, false, t_eta, c_eta, 0, false},
};


static int build(const tt_rowctx *rc, tt_rows *out, bool *gone)
{
	const tt_model *m = rc->m;
	int r = 0;
	(void)gone;
	for (uint32_t i = 0; i < m->ntenants && r == 0; i++)
		r = tt_rows_push(out, i);
	if (m->nunattr && r == 0)
		r = tt_rows_push(out, TT_ROW_UNATTRIBUTED);
	return r;
}

static void row_id(const tt_rowctx *rc, uint32_t row, tt_cursor_id *id)
{
	tt_cell_tenant_row_id(rc, row, id);
}

static uint64_t row_key(const tt_rowctx *rc, uint32_t row)
{
	return tt_cell_tenant_row_key(rc, row, 0x74656e61ULL);
}

static void row_text(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", rc->m->tenants[row].name, rc->m->tenants[row].detail);
}

static bool leaking(const tt_rowctx *rc, uint32_t row)
{
	return tt_counts_leaked(&rc->m->tenants[row].counts) > 0;
}

static const char *enter(const tt_rowctx *rc, uint32_t row, tt_pane_ctx *next)
{
	next->tenant_unattr = row == TT_ROW_UNATTRIBUTED;
	if (next->tenant_unattr) {
		snprintf(next->tenant, sizeof(next->tenant), "(unattributed)");
		return "sockets";
	}
	snprintf(next->tenant, sizeof(next->tenant), "%s", rc->m->tenants[row].name);
	return "processes";
}

static void crumb(const tt_rowctx *rc, char *buf, size_t len)
{
	(void)rc;
	snprintf(buf, len, "tenants");
}

static void detail(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_UNATTRIBUTED) {
		snprintf(buf, len, "(unattributed): sockets on the watched ports no tenant rule names "
				   "(TIME_WAIT has no process; a port or remote rule can name them)");
		return;
	}
	const tt_mtenant *t = &rc->m->tenants[row];
	snprintf(buf, len, "%s: %s; %u process%s, %u leaked of %u held", t->name,
		 t->detail[0] ? t->detail : t->rule ? t->rule : "-", t->nprocs, t->nprocs == 1 ? "" : "es",
		 tt_counts_leaked(&t->counts), tt_counts_leaked(&t->counts) + t->counts.st[TT_ST_ESTABLISHED]);
}

static void empty(const tt_rowctx *rc, char *buf, size_t len)
{
	(void)rc;
	snprintf(buf, len, "no sockets on the watched ports (p to choose ports)");
}

/* k: every process of the tenant; x: their CLOSE_WAIT sockets */
static void act_rows(const tt_rowctx *rc, uint32_t row, bool leaks, const tt_act_sink *sink)
{
	const tt_model *m = rc->m;
	const tt_mtenant *t = &m->tenants[row];
	for (uint32_t k = 0; k < t->nprocs; k++)
		tt_cell_act_proc(m, &m->procs[t->first_proc + k], leaks, t->name, sink);
}

static void act_scope(const tt_rowctx *rc, const uint32_t *rows, size_t n, bool leaks, char *buf, size_t len)
{
	(void)leaks;
	if (n == 1)
		snprintf(buf, len, " of %s", rc->m->tenants[rows[0]].name);
	else
		snprintf(buf, len, " of %zu tenants", n);
}

const tt_pane tt_pane_tenants = {
	TT_PANE_BASICS,
	.id = "tenants",
	.title = "Tenants",
	.default_sort = "leaked",
	.leaking = leaking,
	.leaking_what = "leaking tenants",
	.enter = enter,
	.detail_lines = 1,
	.empty = empty,
	.act = TT_PANE_ACT_SIGNAL,
	.act_rows = act_rows,
	.act_scope = act_scope,
	.act_none = "(unattributed) has no processes to signal; open it to close its sockets",
	.enter_label = "Open",
	.space_may_pause = true, /* k signals here too; the bar shows F9 where it names one process or socket */
};
