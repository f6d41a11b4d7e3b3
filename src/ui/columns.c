/* The column tables of the three panes: header, width, drop priority,
 * sort order and cell text, one row per column. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tenantop/baseline.h"
#include "tenantop/format.h"
#include "tenantop/output.h"
#include "tenantop/view.h"

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

/* ---------------------------------------------------------------- tenants */

static const tt_counts *t_counts(const tt_view *v, uint32_t row)
{
	return row == TT_ROW_UNATTRIBUTED ? &v->m->unattributed : &v->m->tenants[row].counts;
}

/* A tenant's tone from its verdict (model index, or TT_ALERTS_UNATTRIBUTED). */
static int sev_tone(const tt_view *v, uint32_t tenant)
{
	int sev = v->alerts ? tt_alerts_verdict(v->alerts, tenant)->severity : -1;
	return sev == TT_SEV_CRIT ? TT_TONE_CRIT : sev == TT_SEV_WARN ? TT_TONE_WARN : TT_TONE_NORMAL;
}

static int tone_leak(const tt_view *v, uint32_t row, uint32_t n)
{
	if (n == 0)
		return TT_TONE_DIM;
	if (row == TT_ROW_UNATTRIBUTED)
		return TT_TONE_WARN;
	return sev_tone(v, row);
}

static int num_cell(char *buf, size_t len, uint32_t n)
{
	snprintf(buf, len, "%u", n);
	return n ? TT_TONE_NORMAL : TT_TONE_DIM;
}

static int t_name(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_UNATTRIBUTED) {
		snprintf(buf, len, "(unattributed)");
		return TT_TONE_DIM;
	}
	snprintf(buf, len, "%s", v->m->tenants[row].name);
	return sev_tone(v, row);
}
static const char *t_name_of(const tt_view *v, uint32_t row)
{
	return row == TT_ROW_UNATTRIBUTED ? "(unattributed)" : v->m->tenants[row].name;
}
static int c_name(const tt_view *v, uint32_t a, uint32_t b)
{
	return strcmp(t_name_of(v, a), t_name_of(v, b));
}

static int t_rule(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	const char *r = row == TT_ROW_UNATTRIBUTED ? "-" : v->m->tenants[row].rule;
	snprintf(buf, len, "%s", r ? r : "-");
	return TT_TONE_DIM;
}
static int c_rule(const tt_view *v, uint32_t a, uint32_t b)
{
	const char *x = a == TT_ROW_UNATTRIBUTED ? NULL : v->m->tenants[a].rule;
	const char *y = b == TT_ROW_UNATTRIBUTED ? NULL : v->m->tenants[b].rule;
	return strcmp(x ? x : "", y ? y : "");
}

static int t_procs(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_UNATTRIBUTED) {
		snprintf(buf, len, "-");
		return TT_TONE_DIM;
	}
	return num_cell(buf, len, v->m->tenants[row].nprocs);
}
static uint32_t t_nprocs(const tt_view *v, uint32_t row)
{
	return row == TT_ROW_UNATTRIBUTED ? 0 : v->m->tenants[row].nprocs;
}
static int c_procs(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(t_nprocs(v, a), t_nprocs(v, b));
}

#define T_STATE(fn, ST)                                                                        \
	static int t_##fn(const tt_view *v, uint32_t row, char *buf, size_t len)               \
	{                                                                                      \
		uint32_t n = t_counts(v, row)->st[ST];                                         \
		snprintf(buf, len, "%u", n);                                                   \
		return tt_state_is_leak(ST) ? tone_leak(v, row, n) : n ? TT_TONE_NORMAL : TT_TONE_DIM; \
	}                                                                                      \
	static int c_##fn(const tt_view *v, uint32_t a, uint32_t b)                            \
	{                                                                                      \
		return CMP(t_counts(v, a)->st[ST], t_counts(v, b)->st[ST]);                    \
	}
T_STATE(estab, TT_ST_ESTABLISHED)
T_STATE(cw, TT_ST_CLOSE_WAIT)
T_STATE(close, TT_ST_CLOSE)
T_STATE(tw, TT_ST_TIME_WAIT)

static int t_other(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	return num_cell(buf, len, tt_counts_other(t_counts(v, row)));
}
static int c_other(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(tt_counts_other(t_counts(v, a)), tt_counts_other(t_counts(v, b)));
}

static int t_leaked(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	uint32_t n = tt_counts_leaked(t_counts(v, row));
	snprintf(buf, len, "%u", n);
	return tone_leak(v, row, n);
}
static int c_leaked(const tt_view *v, uint32_t a, uint32_t b)
{
	int c = CMP(tt_counts_leaked(t_counts(v, a)), tt_counts_leaked(t_counts(v, b)));
	return c ? c : CMP(tt_counts_total(t_counts(v, a)), tt_counts_total(t_counts(v, b)));
}

static int age_cell(char *buf, size_t len, double s, int tone)
{
	if (s <= 0) {
		snprintf(buf, len, "-");
		return TT_TONE_DIM;
	}
	tt_fmt_age(s, buf, len);
	return tone;
}

static int t_oldest(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_UNATTRIBUTED)
		return age_cell(buf, len, 0, 0);
	const tt_mtenant *t = &v->m->tenants[row];
	return age_cell(buf, len, t->oldest_leak_s, tone_leak(v, row, tt_counts_leaked(&t->counts)));
}
static double t_oldest_s(const tt_view *v, uint32_t row)
{
	return row == TT_ROW_UNATTRIBUTED ? 0 : v->m->tenants[row].oldest_leak_s;
}
static int c_oldest(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(t_oldest_s(v, a), t_oldest_s(v, b));
}

/* LEAK%: the leaked share of the connections held, leaked over leaked +
 * ESTABLISHED, so 0-100 % (the close_wait_ratio alert compares leaked with
 * ESTABLISHED alone); -1 when there is nothing held. */
static double ratio_key(const tt_counts *c)
{
	return tt_counts_leak_share(c);
}
static int t_ratio(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	const tt_counts *c = t_counts(v, row);
	double r = ratio_key(c);
	tt_fmt_share(r, buf, len);
	return r < 0 ? TT_TONE_DIM : tone_leak(v, row, tt_counts_leaked(c));
}
static int c_ratio(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(ratio_key(t_counts(v, a)), ratio_key(t_counts(v, b)));
}

static int t_trend(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_UNATTRIBUTED) {
		snprintf(buf, len, "-");
		return TT_TONE_DIM;
	}
	/* "-" is "no data", a flat trend an arrow right or "=" */
	int dir = tt_fmt_trend(v->m->tenants[row].leak_slope, v->ascii ? TT_TREND_ASCII : TT_TREND_ARROWS, buf, len);
	return dir > 0 ? TT_TONE_CRIT : dir < 0 ? TT_TONE_OK : TT_TONE_DIM;
}
static double t_slope(const tt_view *v, uint32_t row)
{
	return row == TT_ROW_UNATTRIBUTED ? 0 : v->m->tenants[row].leak_slope;
}
static int c_trend(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(t_slope(v, a), t_slope(v, b));
}

/* Time until the tenant's own limit fills, from its pool alert: 0 = full
 * or over now, -1 = no forecast (no alert, or steady). */
static double t_eta_s(const tt_view *v, uint32_t row, const tt_alert **pa)
{
	*pa = NULL;
	if (row == TT_ROW_UNATTRIBUTED)
		return -1;
	*pa = v->alerts ? tt_alerts_tenant_pool(v->alerts, row) : NULL;
	return *pa ? (*pa)->eta_s : -1;
}
static int t_eta(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	const tt_alert *a;
	double e = t_eta_s(v, row, &a);
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
static int c_eta(const tt_view *v, uint32_t a, uint32_t b)
{
	const tt_alert *pa, *pb;
	double x = t_eta_s(v, a, &pa), y = t_eta_s(v, b, &pb);
	/* soonest first when ascending (over and full are now); none last */
	if (x < 0 || y < 0)
		return (x < 0) - (y < 0);
	if (x == y && pa && pb)
		return CMP(pb->fill, pa->fill);
	return CMP(x, y);
}

/* Leaked now against the baseline's normal level. */
static double t_dev(const tt_view *v, uint32_t row, bool *have)
{
	const char *name = row == TT_ROW_UNATTRIBUTED ? "(unattributed)" : v->m->tenants[row].name;
	const tt_baseline_entry *e = v->base ? tt_baseline_find(v->base, name) : NULL;
	*have = e != NULL;
	if (!e)
		return 0;
	return tt_counts_leaked(t_counts(v, row)) - tt_baseline_normal_leaked(e);
}
static int t_base(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	bool have;
	double d = t_dev(v, row, &have);
	if (!have) {
		snprintf(buf, len, v->base && tt_baseline_ready(v->base) ? "new" : "-");
		return TT_TONE_DIM;
	}
	if (fabs(d) < 0.5) {
		snprintf(buf, len, "=");
		return TT_TONE_DIM;
	}
	snprintf(buf, len, "%+.0f", d);
	return d >= 5 ? TT_TONE_WARN : d < 0 ? TT_TONE_OK : TT_TONE_NORMAL;
}
static int c_base(const tt_view *v, uint32_t a, uint32_t b)
{
	bool ha, hb;
	double x = t_dev(v, a, &ha), y = t_dev(v, b, &hb);
	return CMP(x, y);
}

/* Widths leave room for the sort arrow beside every title.  Drop order on a
 * narrow terminal (highest first): OTHER, PROCS, vs BASE, RULE, TREND,
 * LEAK%, TIME_WAIT, then ESTAB/OLDEST/ETA; TENANT, LEAKED, CLOSE_WAIT and
 * CLOSE stay (TENANT shrinks first). */
static const tt_column tenant_cols[] = {
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

/* -------------------------------------------------------------- processes */

static const tt_mproc *mp_of(const tt_view *v, uint32_t row)
{
	return &v->m->procs[row];
}

static const tt_counts *p_counts(const tt_view *v, uint32_t row)
{
	static const tt_counts none;
	if (row == TT_ROW_NOPROC) {
		/* sockets of the tenant that no process holds: count them on the fly */
		static tt_counts c;
		memset(&c, 0, sizeof(c));
		long t = tt_model_find_tenant(v->m, v->tenant);
		if (t < 0)
			return &none;
		const tt_mtenant *mt = &v->m->tenants[t];
		for (uint32_t i = 0; i < mt->nunowned; i++)
			c.st[v->m->socks[v->m->refs[mt->first_unowned + i]].s->state]++;
		return &c;
	}
	return &mp_of(v, row)->counts;
}

static int p_pid(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_NOPROC) {
		snprintf(buf, len, "-");
		return TT_TONE_DIM;
	}
	snprintf(buf, len, "%d", mp_of(v, row)->p->pid);
	return TT_TONE_NORMAL;
}
static int c_pid(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(mp_of(v, a)->p->pid, mp_of(v, b)->p->pid);
}

static int p_user(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_NOPROC) {
		snprintf(buf, len, "-");
		return TT_TONE_DIM;
	}
	const tt_proc *p = mp_of(v, row)->p;
	const char *u = tt_model_str(v->m, p->user);
	if (*u)
		snprintf(buf, len, "%s", u);
	else
		snprintf(buf, len, "%u", p->uid);
	return TT_TONE_NORMAL;
}
static int c_user(const tt_view *v, uint32_t a, uint32_t b)
{
	return strcmp(tt_model_str(v->m, mp_of(v, a)->p->user), tt_model_str(v->m, mp_of(v, b)->p->user));
}

static int p_leak_tone(const tt_view *v, uint32_t n)
{
	if (!n)
		return TT_TONE_DIM;
	long t = v->tenant_unattr ? -1 : tt_model_find_tenant(v->m, v->tenant);
	return v->tenant_unattr ? sev_tone(v, TT_ALERTS_UNATTRIBUTED) : t < 0 ? TT_TONE_NORMAL : sev_tone(v, (uint32_t)t);
}

#define P_STATE(fn, ST)                                                                        \
	static int p_##fn(const tt_view *v, uint32_t row, char *buf, size_t len)               \
	{                                                                                      \
		uint32_t n = p_counts(v, row)->st[ST];                                         \
		snprintf(buf, len, "%u", n);                                                   \
		return tt_state_is_leak(ST) ? p_leak_tone(v, n) : n ? TT_TONE_NORMAL : TT_TONE_DIM; \
	}                                                                                      \
	static int pc_##fn(const tt_view *v, uint32_t a, uint32_t b)                           \
	{                                                                                      \
		return CMP(mp_of(v, a)->counts.st[ST], mp_of(v, b)->counts.st[ST]);            \
	}
P_STATE(estab, TT_ST_ESTABLISHED)
P_STATE(cw, TT_ST_CLOSE_WAIT)
P_STATE(close, TT_ST_CLOSE)

static int p_other(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	const tt_counts *c = p_counts(v, row);
	return num_cell(buf, len, tt_counts_other(c) + c->st[TT_ST_TIME_WAIT]);
}
static int pc_other(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(tt_counts_other(&mp_of(v, a)->counts), tt_counts_other(&mp_of(v, b)->counts));
}

static int p_leaked(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	uint32_t n = tt_counts_leaked(p_counts(v, row));
	snprintf(buf, len, "%u", n);
	return p_leak_tone(v, n);
}
static int pc_leaked(const tt_view *v, uint32_t a, uint32_t b)
{
	int c = CMP(tt_counts_leaked(&mp_of(v, a)->counts), tt_counts_leaked(&mp_of(v, b)->counts));
	return c ? c : CMP(tt_counts_total(&mp_of(v, a)->counts), tt_counts_total(&mp_of(v, b)->counts));
}

static int p_oldest(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_NOPROC)
		return age_cell(buf, len, 0, 0);
	const tt_mproc *mp = mp_of(v, row);
	return age_cell(buf, len, mp->oldest_leak_s, p_leak_tone(v, tt_counts_leaked(&mp->counts)));
}
static int pc_oldest(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(mp_of(v, a)->oldest_leak_s, mp_of(v, b)->oldest_leak_s);
}

static int p_fds(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_NOPROC) {
		snprintf(buf, len, "-");
		return TT_TONE_DIM;
	}
	return num_cell(buf, len, mp_of(v, row)->p->nfds);
}
static int pc_fds(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(mp_of(v, a)->p->nfds, mp_of(v, b)->p->nfds);
}

static int p_cmd(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_NOPROC) {
		snprintf(buf, len, "(no process: attributed by a socket rule or remembered owner)");
		return TT_TONE_DIM;
	}
	const tt_proc *p = mp_of(v, row)->p;
	const char *cmd = tt_model_str(v->m, p->cmdline);
	if (*cmd)
		snprintf(buf, len, "%s", cmd);
	else
		snprintf(buf, len, "[%s]", tt_model_str(v->m, p->comm));
	return (p->flags & TT_PF_FD_DENIED) ? TT_TONE_DIM : TT_TONE_NORMAL;
}
static int pc_cmd(const tt_view *v, uint32_t a, uint32_t b)
{
	return strcmp(tt_model_str(v->m, mp_of(v, a)->p->cmdline), tt_model_str(v->m, mp_of(v, b)->p->cmdline));
}

static const tt_column proc_cols[] = {
	{"pid", "PID", "process id", 7, 0, true, false, false, p_pid, c_pid, 0, false},
	{"user", "USER", "the process's Unix user", 9, 4, false, false, false, p_user, c_user, 0, false},
	{"estab", "ESTAB", "ESTABLISHED connections it holds", 6, 2, true, false, true, p_estab, pc_estab, 0, false},
	{"close_wait", "CLOSE_WAIT", "CLOSE_WAIT sockets it holds: leaks", 11, 1, true, false, true, p_cw, pc_cw, 0, false},
	{"close", "CLOSE", "reset sockets it still holds", 6, 1, true, false, true, p_close, pc_close, 0, false},
	{"other", "OTHER", "sockets in other states", 6, 6, true, false, true, p_other, pc_other, 0, false},
	{"leaked", "LEAKED", "CLOSE_WAIT + CLOSE", 7, 0, true, false, true, p_leaked, pc_leaked, 0, false},
	{"oldest", "OLDEST", "time its oldest leaked socket has been in its state", 7, 3, true, false, true, p_oldest, pc_oldest, 0, false},
	{"fds", "FDS", "open descriptors", 5, 5, true, false, true, p_fds, pc_fds, 0, false},
	{"command", "COMMAND", "command line ([comm] when empty); in full on the detail line below the table", 20, 0, false, true, false, p_cmd, pc_cmd, 7, false},
};

/* ---------------------------------------------------------------- sockets */

static const tt_msock *ms_of(const tt_view *v, uint32_t row)
{
	return &v->m->socks[row];
}

static int s_state(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	const tt_msock *ms = ms_of(v, row);
	int st = ms->s->state;
	bool closed_here = st == TT_ST_CLOSE && v->closed && ms->id && tt_u64set_has(v->closed, ms->id);
	snprintf(buf, len, "%s%s", tt_state_name(st), closed_here ? "*" : "");
	switch (st) {
	case TT_ST_CLOSE_WAIT:
	case TT_ST_CLOSE:
		return TT_TONE_CRIT;
	case TT_ST_ESTABLISHED:
		return TT_TONE_OK;
	case TT_ST_LISTEN:
		return TT_TONE_INFO;
	case TT_ST_TIME_WAIT:
		return TT_TONE_DIM;
	default:
		return TT_TONE_WARN;
	}
}
/* Leaks first, then the states worth a look, the quiet ones last. */
static int state_rank(int st)
{
	static const int rank[TT_ST_COUNT] = {
		[TT_ST_CLOSE_WAIT] = 0, [TT_ST_CLOSE] = 1, [TT_ST_LAST_ACK] = 2, [TT_ST_CLOSING] = 3,
		[TT_ST_FIN_WAIT1] = 4, [TT_ST_FIN_WAIT2] = 5, [TT_ST_SYN_SENT] = 6, [TT_ST_SYN_RECV] = 7,
		[TT_ST_ESTABLISHED] = 8, [TT_ST_LISTEN] = 9, [TT_ST_TIME_WAIT] = 10, [TT_ST_UNKNOWN] = 11};
	return st >= 0 && st < TT_ST_COUNT ? rank[st] : 12;
}
static int sc_state(const tt_view *v, uint32_t a, uint32_t b)
{
	const tt_msock *x = ms_of(v, a), *y = ms_of(v, b);
	int c = CMP(state_rank(x->s->state), state_rank(y->s->state));
	/* within a state, the longest in it first */
	return c ? c : CMP(tt_msock_state_age(v->m, y), tt_msock_state_age(v->m, x));
}

static int s_role(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	snprintf(buf, len, "%s", tt_role_name(ms_of(v, row)->role));
	return TT_TONE_DIM;
}
static int sc_role(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(ms_of(v, a)->role, ms_of(v, b)->role);
}

static int s_local(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	tt_sock_fmt_local(ms_of(v, row)->s, &v->m->snap, buf, len);
	return TT_TONE_NORMAL;
}
static int sc_local(const tt_view *v, uint32_t a, uint32_t b)
{
	const tt_sock *x = ms_of(v, a)->s, *y = ms_of(v, b)->s;
	if ((x->family == TT_FAM_UNIX) != (y->family == TT_FAM_UNIX))
		return CMP(x->family, y->family);
	if (x->family == TT_FAM_UNIX)
		return strcmp(tt_model_str(v->m, x->path), tt_model_str(v->m, y->path));
	int c = memcmp(x->laddr, y->laddr, 16);
	return c ? c : CMP(x->lport, y->lport);
}

static int s_remote(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	const tt_msock *ms = ms_of(v, row);
	tt_sock_fmt_remote(ms->s, &v->m->snap, buf, len);
	if (ms->s->flags & TT_SF_ENDPOINT_REMEMBERED) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "*"); /* remembered: the detail line says so in words */
	}
	return (ms->s->flags & TT_SF_ENDPOINT_UNKNOWN) ? TT_TONE_DIM : TT_TONE_NORMAL;
}
static int sc_remote(const tt_view *v, uint32_t a, uint32_t b)
{
	const tt_sock *x = ms_of(v, a)->s, *y = ms_of(v, b)->s;
	if ((x->family == TT_FAM_UNIX) != (y->family == TT_FAM_UNIX))
		return CMP(x->family, y->family);
	if (x->family == TT_FAM_UNIX)
		return strcmp(tt_model_str(v->m, x->peer_path), tt_model_str(v->m, y->peer_path));
	int c = memcmp(x->raddr, y->raddr, 16);
	return c ? c : CMP(x->rport, y->rport);
}

static int s_age(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	tt_fmt_age(tt_msock_age(v->m, ms_of(v, row)), buf, len);
	return TT_TONE_NORMAL;
}
static int sc_age(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(tt_msock_age(v->m, ms_of(v, a)), tt_msock_age(v->m, ms_of(v, b)));
}

static int s_instate(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	const tt_msock *ms = ms_of(v, row);
	tt_fmt_age(tt_msock_state_age(v->m, ms), buf, len);
	return tt_state_is_leak(ms->s->state) ? TT_TONE_CRIT : TT_TONE_NORMAL;
}
static int sc_instate(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(tt_msock_state_age(v->m, ms_of(v, a)), tt_msock_state_age(v->m, ms_of(v, b)));
}

static double idle_s(const tt_sock *k)
{
	if (!(k->flags & TT_SF_HAS_INFO) || k->state != TT_ST_ESTABLISHED)
		return -1;
	uint32_t q = k->last_data_recv_ms < k->last_data_sent_ms ? k->last_data_recv_ms : k->last_data_sent_ms;
	return q / 1000.0;
}
static int s_idle(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	double s = idle_s(ms_of(v, row)->s);
	if (s < 0) {
		snprintf(buf, len, "-");
		return TT_TONE_DIM;
	}
	tt_fmt_age(s, buf, len);
	return s >= 600 ? TT_TONE_WARN : TT_TONE_NORMAL;
}
static int sc_idle(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(idle_s(ms_of(v, a)->s), idle_s(ms_of(v, b)->s));
}

static int s_rq(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	return num_cell(buf, len, ms_of(v, row)->s->rxq);
}
static int sc_rq(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(ms_of(v, a)->s->rxq, ms_of(v, b)->s->rxq);
}
static int s_sq(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	return num_cell(buf, len, ms_of(v, row)->s->txq);
}
static int sc_sq(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(ms_of(v, a)->s->txq, ms_of(v, b)->s->txq);
}

static int s_holders(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	return num_cell(buf, len, ms_of(v, row)->nholders);
}
static int sc_holders(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(ms_of(v, a)->nholders, ms_of(v, b)->nholders);
}

static int s_inode(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	uint64_t ino = ms_of(v, row)->s->inode;
	if (!ino) {
		snprintf(buf, len, "-");
		return TT_TONE_DIM;
	}
	snprintf(buf, len, "%llu", (unsigned long long)ino);
	return TT_TONE_DIM;
}
static int sc_inode(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(ms_of(v, a)->s->inode, ms_of(v, b)->s->inode);
}

/* The database session paired with the socket: "user command 12s". */
static const tt_db_session *db_of(const tt_view *v, uint32_t row)
{
	if (!v->db || !v->dbjoin || row >= v->dbjoin->n || v->dbjoin->sock_session[row] < 0)
		return NULL;
	return &v->db->sessions[v->dbjoin->sock_session[row]];
}
static int s_db(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	const tt_db_session *s = db_of(v, row);
	if (!s) {
		snprintf(buf, len, "-");
		return TT_TONE_DIM;
	}
	char age[16] = "";
	if (s->time_s >= 0)
		tt_fmt_age(s->time_s, age, sizeof(age));
	snprintf(buf, len, "%s %s %s", s->user, s->command, age);
	return s->in_transaction == 1 && strcmp(s->command, "active") && strcmp(s->command, "Query") ? TT_TONE_WARN
											      : TT_TONE_NORMAL;
}
static int sc_db(const tt_view *v, uint32_t a, uint32_t b)
{
	const tt_db_session *x = db_of(v, a), *y = db_of(v, b);
	double tx = x ? x->time_s : -2, ty = y ? y->time_s : -2;
	return CMP(tx, ty);
}

static const tt_column sock_cols[] = {
	{"state", "STATE", "TCP state, leaks first (CLOSE = reset by the peer, still held; CLOSE* = closed here, still held)", 11, 0, false, false, false, s_state, sc_state, 0, false},
	{"role", "ROLE", "client: the watched port is remote; server: it is local", 7, 4, false, false, false, s_role, sc_role, 0, false},
	{"local", "LOCAL", "local address:port (cut from the left: the port stays)", 21, 1, false, false, false, s_local, sc_local, 7, true},
	{"remote", "REMOTE", "peer address:port (? = reset before it was first seen, * = remembered from an earlier refresh)", 21, 0, false, true, false, s_remote, sc_remote, 12, true},
	{"age", "AGE", "time since first seen (at start: a lower bound from tcp_info)", 7, 2, true, false, true, s_age, sc_age, 0, false},
	{"in_state", "IN STATE", "time in the current state", 9, 2, true, false, true, s_instate, sc_instate, 0, false},
	{"idle", "IDLE", "no data either way for this long (tcp_info; ESTABLISHED only)", 7, 3, true, false, true, s_idle, sc_idle, 0, false},
	{"recv_q", "RECV-Q", "bytes received, not read by the process", 7, 3, true, false, true, s_rq, sc_rq, 0, false},
	{"send_q", "SEND-Q", "bytes sent, not acknowledged", 7, 3, true, false, true, s_sq, sc_sq, 0, false},
	{"holders", "HOLD", "processes holding the socket (fork, fd passing)", 5, 5, true, false, true, s_holders, sc_holders, 0, false},
	{"inode", "INODE", "socket inode", 9, 4, true, false, false, s_inode, sc_inode, 0, false},
	{"db", "DB SESSION", "the database session on it: user, command or state, time in it (warn: idle in a transaction)", 26, 6, false, false, true, s_db, sc_db, 0, false},
};

const tt_column *tt_columns(int level, size_t *n)
{
	switch (level) {
	case TT_LV_TENANTS:
		*n = sizeof(tenant_cols) / sizeof(tenant_cols[0]);
		return tenant_cols;
	case TT_LV_PROCS:
		*n = sizeof(proc_cols) / sizeof(proc_cols[0]);
		return proc_cols;
	default:
		*n = sizeof(sock_cols) / sizeof(sock_cols[0]);
		return sock_cols;
	}
}
