/* The column tables of the three panes: header, width, drop priority,
 * sort order and cell text, one row per column. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tenantop/baseline.h"
#include "tenantop/output.h"
#include "tenantop/view.h"

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

/* ---------------------------------------------------------------- tenants */

static const tt_counts *t_counts(const tt_view *v, uint32_t row)
{
	return row == TT_ROW_UNATTRIBUTED ? &v->m->unattributed : &v->m->tenants[row].counts;
}

static int tone_leak(const tt_view *v, uint32_t row, uint32_t n)
{
	if (n == 0)
		return TT_TONE_DIM;
	if (row == TT_ROW_UNATTRIBUTED)
		return TT_TONE_WARN;
	int sev = tt_view_tenant_severity(v, v->m->tenants[row].name);
	return sev == TT_SEV_CRIT ? TT_TONE_CRIT : sev == TT_SEV_WARN ? TT_TONE_WARN : TT_TONE_NORMAL;
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
	int sev = tt_view_tenant_severity(v, v->m->tenants[row].name);
	return sev == TT_SEV_CRIT ? TT_TONE_CRIT : sev == TT_SEV_WARN ? TT_TONE_WARN : TT_TONE_NORMAL;
}
static int c_name(const tt_view *v, uint32_t a, uint32_t b)
{
	return strcmp(v->m->tenants[a].name, v->m->tenants[b].name);
}

static int t_rule(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	const char *r = row == TT_ROW_UNATTRIBUTED ? "-" : v->m->tenants[row].rule;
	snprintf(buf, len, "%s", r ? r : "-");
	return TT_TONE_DIM;
}
static int c_rule(const tt_view *v, uint32_t a, uint32_t b)
{
	const char *x = v->m->tenants[a].rule, *y = v->m->tenants[b].rule;
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
static int c_procs(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(v->m->tenants[a].nprocs, v->m->tenants[b].nprocs);
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
static int c_oldest(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(v->m->tenants[a].oldest_leak_s, v->m->tenants[b].oldest_leak_s);
}

static double ratio_key(const tt_counts *c)
{
	double r = tt_counts_leak_ratio(c);
	return r < 0 ? (tt_counts_leaked(c) ? INFINITY : -1) : r;
}
static int t_ratio(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	const tt_counts *c = t_counts(v, row);
	double r = ratio_key(c);
	if (r < 0) {
		snprintf(buf, len, "-");
		return TT_TONE_DIM;
	}
	if (isinf(r))
		snprintf(buf, len, "all");
	else
		snprintf(buf, len, "%.0f%%", r * 100);
	return tone_leak(v, row, tt_counts_leaked(c));
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
	double s = v->m->tenants[row].leak_slope;
	const char *up = v->ascii ? "^" : "\xe2\x86\x91", *down = v->ascii ? "v" : "\xe2\x86\x93",
		   *flat = v->ascii ? "-" : "\xe2\x86\x92";
	if (s >= 0.5) {
		snprintf(buf, len, "%s%.0f/m", up, s);
		return TT_TONE_CRIT;
	}
	if (s <= -0.5) {
		snprintf(buf, len, "%s%.0f/m", down, -s);
		return TT_TONE_OK;
	}
	snprintf(buf, len, "%s", flat);
	return TT_TONE_DIM;
}
static int c_trend(const tt_view *v, uint32_t a, uint32_t b)
{
	return CMP(v->m->tenants[a].leak_slope, v->m->tenants[b].leak_slope);
}

/* Time until a configured limit fills, from the tenant's pool alert. */
static double t_eta_s(const tt_view *v, uint32_t row)
{
	if (row == TT_ROW_UNATTRIBUTED)
		return -1;
	double best = -1;
	for (size_t i = 0; v->alerts && i < v->alerts->n; i++) {
		const tt_alert *a = &v->alerts->v[i];
		if (!strcmp(a->kind, "pool") && a->eta_s >= 0 && !strcmp(a->tenant, v->m->tenants[row].name) &&
		    (best < 0 || a->eta_s < best))
			best = a->eta_s;
	}
	return best;
}
static int t_eta(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	double e = t_eta_s(v, row);
	if (e < 0) {
		snprintf(buf, len, "-");
		return TT_TONE_DIM;
	}
	tt_fmt_age(e, buf, len);
	return e < 300 ? TT_TONE_CRIT : TT_TONE_WARN;
}
static int c_eta(const tt_view *v, uint32_t a, uint32_t b)
{
	double x = t_eta_s(v, a), y = t_eta_s(v, b);
	/* soonest first when ascending; none last */
	if (x < 0 || y < 0)
		return (x < 0) - (y < 0);
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
	return tt_counts_leaked(t_counts(v, row)) - (e->mean[TT_BL_CLOSE_WAIT] + e->mean[TT_BL_CLOSE]);
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

static const tt_column tenant_cols[] = {
	{"tenant", "TENANT", "the customer: a Unix user, or what a tenant rule matched", 14, 0, false, true, false, t_name, c_name},
	{"rule", "RULE", "the rule that made this tenant (user, cgroup, path, cmdline, remote, port, parent)", 7, 2, false, false, false, t_rule, c_rule},
	{"procs", "PROCS", "processes holding its sockets", 5, 4, true, false, true, t_procs, c_procs},
	{"estab", "ESTAB", "ESTABLISHED connections", 6, 1, true, false, true, t_estab, c_estab},
	{"close_wait", "CLOSE_WAIT", "the peer closed, the process never did: a leak", 10, 0, true, false, true, t_cw, c_cw},
	{"close", "CLOSE", "reset by the peer, descriptor still held (ss cannot show these)", 6, 0, true, false, true, t_close, c_close},
	{"time_wait", "TIME_WAIT", "closed by this side, lingering 60 s: many = connection cycling", 9, 2, true, false, true, t_tw, c_tw},
	{"other", "OTHER", "every other state (LISTEN, SYN_*, FIN_WAIT*, LAST_ACK, CLOSING)", 6, 6, true, false, true, t_other, c_other},
	{"leaked", "LEAKED", "CLOSE_WAIT + CLOSE", 6, 4, true, false, true, t_leaked, c_leaked},
	{"oldest", "OLDEST", "time the oldest leaked socket has been in its state", 7, 2, true, false, true, t_oldest, c_oldest},
	{"ratio", "LEAK%", "leaked over ESTABLISHED", 6, 1, true, false, true, t_ratio, c_ratio},
	{"trend", "TREND", "leaked sockets per minute, least squares over the trend window", 7, 3, false, false, true, t_trend, c_trend},
	{"vs_base", "vs BASE", "leaked now minus its normal level in the baseline (b learns one)", 7, 5, true, false, true, t_base, c_base},
	{"eta", "ETA FULL", "time until the tenant's connection limit fills at the current growth", 8, 5, true, false, false, t_eta, c_eta},
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
	int sev = tt_view_tenant_severity(v, v->tenant);
	return sev == TT_SEV_CRIT ? TT_TONE_CRIT : sev == TT_SEV_WARN ? TT_TONE_WARN : TT_TONE_NORMAL;
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
	{"pid", "PID", "process id", 7, 0, true, false, false, p_pid, c_pid},
	{"user", "USER", "the process's Unix user", 9, 3, false, false, false, p_user, c_user},
	{"estab", "ESTAB", "ESTABLISHED connections it holds", 6, 1, true, false, true, p_estab, pc_estab},
	{"close_wait", "CLOSE_WAIT", "CLOSE_WAIT sockets it holds: leaks", 10, 0, true, false, true, p_cw, pc_cw},
	{"close", "CLOSE", "reset sockets it still holds", 6, 0, true, false, true, p_close, pc_close},
	{"other", "OTHER", "sockets in other states", 6, 5, true, false, true, p_other, pc_other},
	{"leaked", "LEAKED", "CLOSE_WAIT + CLOSE", 6, 3, true, false, true, p_leaked, pc_leaked},
	{"oldest", "OLDEST", "time its oldest leaked socket has been in its state", 7, 2, true, false, true, p_oldest, pc_oldest},
	{"fds", "FDS", "open descriptors", 5, 4, true, false, true, p_fds, pc_fds},
	{"command", "COMMAND", "command line ([comm] when empty)", 12, 0, false, true, false, p_cmd, pc_cmd},
};

/* ---------------------------------------------------------------- sockets */

static const tt_msock *ms_of(const tt_view *v, uint32_t row)
{
	return &v->m->socks[row];
}

static int s_state(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	int st = ms_of(v, row)->s->state;
	snprintf(buf, len, "%s", tt_state_name(st));
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
		snprintf(buf + n, len - n, " (remembered)");
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

static const tt_column sock_cols[] = {
	{"state", "STATE", "TCP state, leaks first (CLOSE = reset by the peer, still held)", 11, 0, false, false, false, s_state, sc_state},
	{"role", "ROLE", "client: the watched port is remote; server: it is local", 7, 4, false, false, false, s_role, sc_role},
	{"local", "LOCAL", "local address:port", 21, 1, false, false, false, s_local, sc_local},
	{"remote", "REMOTE", "peer address:port (? = reset before it was first seen)", 21, 0, false, true, false, s_remote, sc_remote},
	{"age", "AGE", "time since first seen (at start: a lower bound from tcp_info)", 7, 1, true, false, true, s_age, sc_age},
	{"in_state", "IN STATE", "time in the current state", 8, 2, true, false, true, s_instate, sc_instate},
	{"idle", "IDLE", "no data either way for this long (tcp_info; ESTABLISHED only)", 7, 2, true, false, true, s_idle, sc_idle},
	{"recv_q", "RECV-Q", "bytes received, not read by the process", 7, 3, true, false, true, s_rq, sc_rq},
	{"send_q", "SEND-Q", "bytes sent, not acknowledged", 7, 3, true, false, true, s_sq, sc_sq},
	{"holders", "HOLD", "processes holding the socket (fork, fd passing)", 4, 5, true, false, true, s_holders, sc_holders},
	{"inode", "INODE", "socket inode", 9, 4, true, false, false, s_inode, sc_inode},
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
