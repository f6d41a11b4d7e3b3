/* The processes pane: the processes of one tenant holding watched
 * sockets, and its sockets no process holds; Enter opens a process's
 * sockets.  u, l and s are its own keys (htop's, with this meaning). */
#include <stdio.h>
#include <string.h>

#include "tenantop/ui.h"

#include "cells.h"


static const tt_mproc *mp_of(const tt_rowctx *rc, uint32_t row)
{
	return &rc->m->procs[row];
}

/* The row's counts; the "(no process)" row's are counted on the fly, from
 * the tenant's sockets no process holds. */
static tt_counts p_counts(const tt_rowctx *rc, uint32_t row)
{
	tt_counts c;
	if (row != TT_ROW_NOPROC)
		return mp_of(rc, row)->counts;
	memset(&c, 0, sizeof(c));
	long t = tt_model_find_tenant(rc->m, rc->at->tenant);
	if (t < 0)
		return c;
	const tt_mtenant *mt = &rc->m->tenants[t];
	for (uint32_t i = 0; i < mt->nunowned; i++)
		c.st[rc->m->socks[rc->m->refs[mt->first_unowned + i]].s->state]++;
	return c;
}

static int p_pid(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_NOPROC)
		return tt_cell_dash(buf, len);
	snprintf(buf, len, "%d", mp_of(rc, row)->p->pid);
	return TT_TONE_NORMAL;
}
static int c_pid(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(mp_of(rc, a)->p->pid, mp_of(rc, b)->p->pid);
}

static int p_user(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_NOPROC)
		return tt_cell_dash(buf, len);
	const tt_proc *p = mp_of(rc, row)->p;
	const char *u = tt_model_str(rc->m, p->user);
	if (*u)
		snprintf(buf, len, "%s", u);
	else
		snprintf(buf, len, "%u", p->uid);
	return TT_TONE_NORMAL;
}
static int c_user(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return strcmp(tt_model_str(rc->m, mp_of(rc, a)->p->user), tt_model_str(rc->m, mp_of(rc, b)->p->user));
}

static int p_leak_tone(const tt_rowctx *rc, uint32_t n)
{
	return tt_cell_leak_tone(rc, rc->at->tenant, n);
}

#define P_STATE(fn, ST)                                                                        \
	static int p_##fn(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)               \
	{                                                                                      \
		uint32_t n = p_counts(rc, row).st[ST];                                          \
		snprintf(buf, len, "%u", n);                                                   \
		return tt_state_is_leak(ST) ? p_leak_tone(rc, n) : n ? TT_TONE_NORMAL : TT_TONE_DIM; \
	}                                                                                      \
	static int pc_##fn(const tt_rowctx *rc, uint32_t a, uint32_t b)                           \
	{                                                                                      \
		return TT_CMP(mp_of(rc, a)->counts.st[ST], mp_of(rc, b)->counts.st[ST]);            \
	}
P_STATE(estab, TT_ST_ESTABLISHED)
P_STATE(cw, TT_ST_CLOSE_WAIT)
P_STATE(close, TT_ST_CLOSE)

static int p_other(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	tt_counts c = p_counts(rc, row);
	return tt_cell_num(buf, len, tt_counts_other(&c) + c.st[TT_ST_TIME_WAIT]);
}
static int pc_other(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(tt_counts_other(&mp_of(rc, a)->counts), tt_counts_other(&mp_of(rc, b)->counts));
}

static int p_leaked(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	tt_counts c = p_counts(rc, row);
	uint32_t n = tt_counts_leaked(&c);
	snprintf(buf, len, "%u", n);
	return p_leak_tone(rc, n);
}
static int pc_leaked(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	int c = TT_CMP(tt_counts_leaked(&mp_of(rc, a)->counts), tt_counts_leaked(&mp_of(rc, b)->counts));
	return c ? c : TT_CMP(tt_counts_total(&mp_of(rc, a)->counts), tt_counts_total(&mp_of(rc, b)->counts));
}

static int p_oldest(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_NOPROC)
		return tt_cell_age(buf, len, 0, 0);
	const tt_mproc *mp = mp_of(rc, row);
	return tt_cell_age(buf, len, mp->oldest_leak_s, p_leak_tone(rc, tt_counts_leaked(&mp->counts)));
}
static int pc_oldest(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(mp_of(rc, a)->oldest_leak_s, mp_of(rc, b)->oldest_leak_s);
}

static int p_fds(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_NOPROC)
		return tt_cell_dash(buf, len);
	return tt_cell_num(buf, len, mp_of(rc, row)->p->nfds);
}
static int pc_fds(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(mp_of(rc, a)->p->nfds, mp_of(rc, b)->p->nfds);
}

static int p_cmd(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	if (row == TT_ROW_NOPROC) {
		snprintf(buf, len, "(no process: attributed by a socket rule or remembered owner)");
		return TT_TONE_DIM;
	}
	const tt_proc *p = mp_of(rc, row)->p;
	const char *cmd = tt_model_str(rc->m, p->cmdline);
	if (*cmd)
		snprintf(buf, len, "%s", cmd);
	else
		snprintf(buf, len, "[%s]", tt_model_str(rc->m, p->comm));
	return (p->flags & TT_PF_FD_DENIED) ? TT_TONE_DIM : TT_TONE_NORMAL;
}
static int pc_cmd(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return strcmp(tt_model_str(rc->m, mp_of(rc, a)->p->cmdline), tt_model_str(rc->m, mp_of(rc, b)->p->cmdline));
}

static const tt_column cols[] = {
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


static int build(const tt_rowctx *rc, tt_rows *out, bool *gone)
{
	const tt_model *m = rc->m;
	long t = tt_model_find_tenant(m, rc->at->tenant);
	if (t < 0) {
		*gone = true;
		return 0;
	}
	const tt_mtenant *mt = &m->tenants[t];
	int r = 0;
	for (uint32_t i = 0; i < mt->nprocs && r == 0; i++)
		r = tt_rows_push(out, mt->first_proc + i);
	if (mt->nunowned && r == 0)
		r = tt_rows_push(out, TT_ROW_NOPROC);
	return r;
}

static void row_id(const tt_rowctx *rc, uint32_t row, tt_cursor_id *id)
{
	id->pid = rc->m->procs[row].p->pid;
	id->start = rc->m->procs[row].p->start_time;
}

static uint64_t row_key(const tt_rowctx *rc, uint32_t row)
{
	if (row >= rc->m->nprocs)
		return 0;
	const tt_proc *p = rc->m->procs[row].p;
	uint64_t k = tt_hash_mix(tt_hash_mix(0x70726f63ULL, (uint64_t)p->pid), p->start_time);
	return k ? k : 1;
}

static void row_text(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_model *m = rc->m;
	const tt_proc *p = m->procs[row].p;
	snprintf(buf, len, "%d %s %s %s", p->pid, tt_model_str(m, p->user), tt_model_str(m, p->comm),
		 tt_model_str(m, p->cmdline));
}

static bool leaking(const tt_rowctx *rc, uint32_t row)
{
	return tt_counts_leaked(&rc->m->procs[row].counts) > 0;
}

static const char *enter(const tt_rowctx *rc, uint32_t row, tt_pane_ctx *next)
{
	snprintf(next->tenant, sizeof(next->tenant), "%s", rc->at->tenant);
	next->noproc = row == TT_ROW_NOPROC;
	if (!next->noproc) {
		next->pid = rc->m->procs[row].p->pid;
		next->start = rc->m->procs[row].p->start_time;
	}
	return "sockets";
}

static void crumb(const tt_rowctx *rc, char *buf, size_t len)
{
	snprintf(buf, len, "%s", rc->at->tenant);
}

static void detail(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_model *m = rc->m;
	if (row == TT_ROW_NOPROC) {
		snprintf(buf, len, "(no process): sockets of this tenant that no process holds now");
		return;
	}
	const tt_proc *p = m->procs[row].p;
	const char *cmd = tt_model_str(m, p->cmdline);
	snprintf(buf, len, "%d %s, %u fds%s: %s", p->pid, tt_model_str(m, p->user), p->nfds,
		 (p->flags & TT_PF_FD_DENIED) ? " (descriptors unreadable)" : "", *cmd ? cmd : tt_model_str(m, p->comm));
}

/* k: the process; x: its CLOSE_WAIT sockets */
static void act_rows(const tt_rowctx *rc, uint32_t row, bool leaks, const tt_act_sink *sink)
{
	const tt_model *m = rc->m;
	const tt_mproc *mp = &m->procs[row];
	tt_cell_act_proc(m, mp, leaks, rc->at->tenant, sink);
}

static void act_scope(const tt_rowctx *rc, const uint32_t *rows, size_t n, bool leaks, char *buf, size_t len)
{
	if (!leaks)
		buf[0] = '\0';
	else if (n == 1)
		snprintf(buf, len, " of %d", rc->m->procs[rows[0]].p->pid);
	else
		snprintf(buf, len, " of %zu processes", n);
}

/* The process under the cursor (not the "(no process)" row), or NULL. */
static const tt_proc *cursor_proc(const tt_ui *ui)
{
	uint32_t row;
	if (!tt_view_cursor_row(&ui->view, &row) || row == TT_ROW_NOPROC)
		return NULL;
	return ui->ses.model.procs[row].p;
}

/* u: only this user's processes (a filter) */
static int k_user(tt_ui *ui)
{
	const tt_proc *p = cursor_proc(ui);
	if (!p)
		return -1;
	snprintf(ui->view.filter, sizeof(ui->view.filter), "%.127s", tt_model_str(&ui->ses.model, p->user));
	tt_ui_message(ui, TT_TONE_INFO, "u: only user %s's processes (\\ then Esc clears)", ui->view.filter);
	return TT_R_REBUILD;
}

/* l: its sockets (htop's lsof) */
static int k_lsof(tt_ui *ui)
{
	return tt_view_enter(&ui->view) ? TT_R_REBUILD : TT_R_REDRAW;
}

/* s: how to strace it (tenantop does not trace) */
static int k_strace(tt_ui *ui)
{
	const tt_proc *p = cursor_proc(ui);
	if (!p)
		return -1;
	tt_ui_message(ui, TT_TONE_INFO, "s: tenantop does not trace; in another terminal: strace -f -e trace=network,close -p %d",
		      p->pid);
	return TT_R_REDRAW;
}

static const tt_pane_key keys[] = {{'u', k_user}, {'l', k_lsof}, {'s', k_strace}};

const tt_pane tt_pane_processes = {
	TT_PANE_BASICS,
	.id = "processes",
	.title = "Processes",
	.default_sort = "leaked",
	.leaking = leaking,
	.leaking_what = "leaking processes",
	.enter = enter,
	.detail_lines = 2,
	.act = TT_PANE_ACT_SIGNAL,
	.act_rows = act_rows,
	.act_scope = act_scope,
	.keys = keys,
	.nkeys = sizeof(keys) / sizeof(keys[0]),
	.enter_label = "Open",
	.act_label = "Signal",
};
