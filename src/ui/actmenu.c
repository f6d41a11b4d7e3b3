/* Acting on a leak from the dashboard, as in htop: tag processes or sockets
 * with Space, then k or F9.  Processes: choose a signal, confirm; sockets:
 * confirm, then SOCK_DESTROY.  The confirmation names every target; the
 * targets are copied when asked for, so a refresh in between changes
 * nothing; each result goes to the alert log. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tenantop/act.h"
#include "tenantop/ui.h"

#define KEY_ESC 27

static void add_label(char *buf, size_t len, size_t *o, const char *s)
{
	if (*o < len)
		*o += (size_t)snprintf(buf + *o, len - *o, "%s", s);
}

/* "4242 php-fpm, 4243 php-fpm and 3 more" within len */
static void list_targets(const tt_ui *ui, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ui->nact; i++) {
		if (i && i == 3 && ui->nact > 4) {
			char more[32];
			snprintf(more, sizeof(more), " and %zu more", ui->nact - i);
			add_label(buf, len, &o, more);
			break;
		}
		if (i)
			add_label(buf, len, &o, i + 1 == ui->nact ? " and " : ", ");
		add_label(buf, len, &o, ui->act[i].label);
	}
}

/* The question; the drawing wraps it and always keeps its ending ("y/N",
 * or how to pick) on screen. */
void tt_ui_act_prompt(const tt_ui *ui, char *buf, size_t len)
{
	char who[512];
	list_targets(ui, who, sizeof(who));
	if (ui->mode == TT_MODE_SIGNAL) {
		size_t n, o;
		const tt_signal_choice *c = tt_signal_choices(&n);
		if (ui->nact > 1)
			o = (size_t)snprintf(buf, len, "Signal to %zu processes%s (%s):", ui->nact, ui->act_scope, who);
		else
			o = (size_t)snprintf(buf, len, "Signal to %s:", who);
		for (size_t i = 0; i < n && o < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "  %c:%s", c[i].key, c[i].name + 3); /* one word: wraps whole */
		return;
	}
	char over[96] = "";
	if (ui->nact_over)
		snprintf(over, sizeof(over), " (%zu more left out: at most %d at once)", ui->nact_over, TT_ACT_MAX);
	if (ui->act_kind == TT_ACT_SIGNAL)
		snprintf(buf, len, "Send %s to %zu process%s%s%s: %s?", ui->act_signame, ui->nact, ui->nact == 1 ? "" : "es",
			 ui->act_scope, over, who);
	else
		snprintf(buf, len, "Close %zu %ssocket%s%s%s: %s?", ui->nact, ui->act_every_cw ? "CLOSE_WAIT " : "",
			 ui->nact == 1 ? "" : "s", ui->act_scope, over, who);
}

/* A new target of the tenant, NULL past TT_ACT_MAX (counted). */
static tt_act_target *new_target(tt_ui *ui, const char *tenant)
{
	if (ui->nact >= TT_ACT_MAX) {
		ui->nact_over++;
		return NULL;
	}
	tt_act_target *t = &ui->act[ui->nact++];
	memset(t, 0, sizeof(*t));
	snprintf(t->tenant, sizeof(t->tenant), "%s", tenant);
	return t;
}

static bool add_proc_target(tt_ui *ui, const tt_model *m, const tt_proc *p, const char *tenant)
{
	for (size_t i = 0; i < ui->nact; i++)
		if (ui->act[i].pid == p->pid && ui->act[i].start == p->start_time)
			return true;
	tt_act_target *t = new_target(ui, tenant);
	if (!t)
		return false;
	t->pid = p->pid;
	t->start = p->start_time;
	snprintf(t->label, sizeof(t->label), "%d %.40s", p->pid, tt_model_str(m, p->comm));
	return true;
}

static bool add_sock_target(tt_ui *ui, const tt_model *m, const tt_msock *ms, const char *tenant)
{
	for (size_t i = 0; i < ui->nact; i++)
		if (ms->id && ui->act[i].id == ms->id)
			return true;
	tt_act_target *t = new_target(ui, tenant);
	if (!t)
		return false;
	char l[128], r[128];
	t->sock = *ms->s;
	t->id = ms->id;
	if (t->sock.family == TT_FAM_UNIX)
		t->sock.path = t->sock.peer_path = 0; /* pool offsets do not survive a refresh */
	snprintf(t->label, sizeof(t->label), "%s %.60s -> %.60s", tt_state_name(ms->s->state),
		 tt_sock_fmt_local(ms->s, &m->snap, l, sizeof(l)), tt_sock_fmt_remote(ms->s, &m->snap, r, sizeof(r)));
	return true;
}

static void sink_proc(void *ctx, const tt_proc *p, const char *tenant)
{
	tt_ui *ui = ctx;
	add_proc_target(ui, &ui->ses.model, p, tenant);
}

static void sink_sock(void *ctx, const tt_msock *ms, const char *tenant)
{
	tt_ui *ui = ctx;
	add_sock_target(ui, &ui->ses.model, ms, tenant);
}

static bool refuse(tt_ui *ui)
{
	if (ui->app->read_only) {
		tt_ui_message(ui, TT_TONE_WARN, "read-only (--read-only): actions are disabled");
		return true;
	}
	if (ui->ses.replay) {
		tt_ui_message(ui, TT_TONE_WARN, "a recording: nothing to act on");
		return true;
	}
	return false;
}

static int begin(tt_ui *ui, int kind)
{
	if (!ui->nact) {
		tt_ui_message(ui, TT_TONE_WARN, kind == TT_ACT_CLOSE ? "no CLOSE_WAIT socket here to close" : "nothing to act on here");
		return TT_R_REDRAW;
	}
	ui->act_kind = kind;
	ui->mode = kind == TT_ACT_SIGNAL ? TT_MODE_SIGNAL : TT_MODE_CONFIRM;
	return TT_R_REDRAW;
}

/* The pane's processes or sockets of the rows (leaks: the CLOSE_WAIT
 * sockets only) become the targets; returns how many rows. */
static size_t collect(tt_ui *ui, bool leaks)
{
	tt_view *v = &ui->view;
	const tt_pane *p = tt_view_pane(v);
	tt_rowctx rc = tt_view_rowctx(v);
	tt_act_sink sink = {ui, sink_proc, sink_sock};
	uint32_t tagged[TT_ACT_MAX];
	const uint32_t *rows = tagged;
	size_t n;
	ui->nact = ui->nact_over = 0;
	ui->act_scope[0] = '\0';
	ui->act_every_cw = leaks;
	if (leaks && p->x_every_row) {
		rows = v->rows;
		n = v->nrows;
	} else {
		n = tt_view_targets(v, tagged, TT_ACT_MAX);
	}
	for (size_t i = 0; p->act_rows && i < n; i++)
		p->act_rows(&rc, rows[i], leaks, &sink);
	if (p->act_scope)
		p->act_scope(&rc, rows, n, leaks, ui->act_scope, sizeof(ui->act_scope));
	return n;
}

/* k, F9: what the pane acts on, the tagged rows or the cursor's: signal
 * processes (every process of a tenant), or close sockets. */
int tt_ui_act_start(tt_ui *ui)
{
	const tt_pane *p = tt_view_pane(&ui->view);
	if (refuse(ui))
		return TT_R_REDRAW;
	if (p->act == TT_PANE_ACT_NONE) {
		tt_ui_message(ui, TT_TONE_WARN, "nothing to act on here");
		return TT_R_REDRAW;
	}
	if (!collect(ui, false) && p->act_none) {
		tt_ui_message(ui, TT_TONE_WARN, "%s", p->act_none);
		return TT_R_REDRAW;
	}
	return begin(ui, p->act == TT_PANE_ACT_SIGNAL ? TT_ACT_SIGNAL : TT_ACT_CLOSE);
}

/* x: close every CLOSE_WAIT socket of the tagged (or the cursor's) tenants
 * or processes, or of the sockets pane, with one confirmation. */
int tt_ui_act_close_leaks(tt_ui *ui)
{
	if (refuse(ui))
		return TT_R_REDRAW;
	collect(ui, true);
	return begin(ui, TT_ACT_CLOSE);
}

static void run(tt_ui *ui)
{
	size_t ok = 0;
	char first_err[256] = "", res[256], action[64];
	const char *root = ui->app->collect.proc_root;
	for (size_t i = 0; i < ui->nact; i++) {
		const tt_act_target *t = &ui->act[i];
		int rc;
		if (ui->act_kind == TT_ACT_SIGNAL) {
			rc = tt_act_signal(root, t->pid, t->start, ui->act_sig, res, sizeof(res));
			snprintf(action, sizeof(action), "signal %s", ui->act_signame);
		} else {
			rc = tt_sock_destroy(&t->sock, res, sizeof(res));
			if (rc == 0) {
				snprintf(res, sizeof(res), "closed");
				if (t->id)
					tt_u64set_add(&ui->closed, t->id);
			}
			snprintf(action, sizeof(action), "close socket");
		}
		if (rc == 0)
			ok++;
		else if (!first_err[0])
			snprintf(first_err, sizeof(first_err), "%.100s: %.150s", t->label, res);
		tt_session_log_action(&ui->ses, action, t->tenant, t->label, rc == 0, res);
	}
	const char *what = ui->act_kind == TT_ACT_SIGNAL ? "process" : "socket";
	if (ui->act_kind == TT_ACT_CLOSE && ok) {
		/* the kernel drops the connection, the descriptor stays with its
		 * process: the socket shows as CLOSE* and LEAKED does not change */
		tt_ui_message(ui, ok == ui->nact ? TT_TONE_WARN : TT_TONE_CRIT,
			      "close: done for %zu of %zu socket%s; the process still holds the descriptor%s "
			      "(CLOSE*, still LEAKED): signal it to free %s (Esc, then k)%s%s",
			      ok, ui->nact, ui->nact == 1 ? "" : "s", ok == 1 ? "" : "s", ok == 1 ? "it" : "them",
			      first_err[0] ? "; " : "", first_err);
		tt_view_untag_all(&ui->view);
		return;
	}
	if (ok == ui->nact)
		tt_ui_message(ui, TT_TONE_OK, "%s: done for %zu %s%s", ui->act_kind == TT_ACT_SIGNAL ? ui->act_signame : "close",
			      ok, what, ok == 1 ? "" : (ui->act_kind == TT_ACT_SIGNAL ? "es" : "s"));
	else
		tt_ui_message(ui, TT_TONE_CRIT, "%zu of %zu done; %s", ok, ui->nact, first_err);
	tt_view_untag_all(&ui->view);
}

int tt_ui_act_key(tt_ui *ui, int key)
{
	if (key == KEY_ESC || key == KEY_F(10)) {
		ui->mode = TT_MODE_NORMAL;
		tt_ui_message(ui, TT_TONE_INFO, "cancelled");
		return TT_R_REDRAW;
	}
	if (ui->mode == TT_MODE_SIGNAL) {
		const tt_signal_choice *c = (key == '\n' || key == '\r' || key == KEY_ENTER) ? tt_signal_by_key('t')
											     : tt_signal_by_key(key);
		if (!c)
			return 0;
		ui->act_sig = c->sig;
		ui->act_signame = c->name;
		ui->mode = TT_MODE_CONFIRM;
		return TT_R_REDRAW;
	}
	ui->mode = TT_MODE_NORMAL;
	if (key != 'y' && key != 'Y') {
		tt_ui_message(ui, TT_TONE_INFO, "cancelled: nothing was done");
		return TT_R_REDRAW;
	}
	run(ui);
	return TT_R_REBUILD;
}
