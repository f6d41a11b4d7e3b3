/* Keys: a table from key to action, per mode; each action returns what
 * must happen next (TT_R_REDRAW, TT_R_REBUILD, TT_R_QUIT). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tenantop/record.h"
#include "tenantop/ui.h"

#define KEY_ESC 27
#define CTRL(c) ((c) & 0x1f)

static int a_up(tt_ui *ui) { tt_view_move(&ui->view, -1, tt_ui_page(ui)); return TT_R_REDRAW; }
static int a_down(tt_ui *ui) { tt_view_move(&ui->view, 1, tt_ui_page(ui)); return TT_R_REDRAW; }
static int a_pgup(tt_ui *ui) { tt_view_move(&ui->view, -(long)tt_ui_page(ui), tt_ui_page(ui)); return TT_R_REDRAW; }
static int a_pgdn(tt_ui *ui) { tt_view_move(&ui->view, (long)tt_ui_page(ui), tt_ui_page(ui)); return TT_R_REDRAW; }
static int a_home(tt_ui *ui) { tt_view_home(&ui->view, tt_ui_page(ui)); return TT_R_REDRAW; }
static int a_end(tt_ui *ui) { tt_view_end(&ui->view, tt_ui_page(ui)); return TT_R_REDRAW; }
static int a_enter(tt_ui *ui) { return tt_view_enter(&ui->view) ? TT_R_REBUILD : TT_R_REDRAW; }
static int a_back(tt_ui *ui) { return tt_view_back(&ui->view) ? TT_R_REBUILD : TT_R_REDRAW; }
/* L: the lifecycle pane over whatever is open; L on it goes back */
static int a_lifecycle(tt_ui *ui)
{
	long k = tt_pane_find("lifecycle");
	if (k < 0)
		return TT_R_REDRAW;
	if (tt_view_top(&ui->view)->pane == (size_t)k)
		return a_back(ui);
	return tt_view_open(&ui->view, (size_t)k, NULL) ? TT_R_REBUILD : TT_R_REDRAW;
}
/* < and >: through the columns on the screen only, so the sort arrow is
 * always in sight (F6 reaches the hidden ones) */
static bool sort_shown(const tt_ui *ui)
{
	size_t c = ui->view.sort[tt_view_top_c(&ui->view)->pane].col;
	for (size_t k = 0; k < ui->lay.n; k++)
		if (ui->lay.idx[k] == c)
			return true;
	return ui->lay.n == 0;
}
static int sort_step(tt_ui *ui, int dir)
{
	size_t n = tt_view_pane(&ui->view)->ncols;
	for (size_t i = 0; i < n; i++) {
		tt_view_sort_next(&ui->view, dir);
		if (sort_shown(ui))
			break;
	}
	return TT_R_REBUILD;
}
static int a_sort_prev(tt_ui *ui) { return sort_step(ui, -1); }
static int a_sort_next(tt_ui *ui) { return sort_step(ui, 1); }
static int a_invert(tt_ui *ui) { tt_view_invert(&ui->view); return TT_R_REBUILD; }
static int a_quit(tt_ui *ui) { (void)ui; return TT_R_QUIT; }
static int a_help(tt_ui *ui) { ui->mode = TT_MODE_HELP; ui->pager_top = 0; return TT_R_REDRAW; }
static int a_alerts(tt_ui *ui) { ui->mode = TT_MODE_ALERTS; ui->pager_top = 0; return TT_R_REDRAW; }

/* Help and the alert list scroll; any other key returns (htop's habit). */
static int pager_key(tt_ui *ui, int key)
{
	int page = ui->pager_height > 1 ? ui->pager_height - 1 : 1;
	int maxtop = ui->pager_total > ui->pager_height ? ui->pager_total - ui->pager_height : 0;
	switch (key) {
	case KEY_UP:
	case 'k':
		ui->pager_top--;
		break;
	case KEY_DOWN:
	case 'j':
	case '\n':
	case '\r':
		ui->pager_top++;
		break;
	case KEY_PPAGE:
	case 'b':
		ui->pager_top -= page;
		break;
	case KEY_NPAGE:
	case ' ':
		ui->pager_top += page;
		break;
	case KEY_HOME:
		ui->pager_top = 0;
		break;
	case KEY_END:
		ui->pager_top = maxtop;
		break;
	case KEY_RESIZE:
	case KEY_MOUSE:
		break;
	default:
		ui->mode = TT_MODE_NORMAL;
		return TT_R_REDRAW;
	}
	if (ui->pager_top > maxtop)
		ui->pager_top = maxtop;
	if (ui->pager_top < 0)
		ui->pager_top = 0;
	return TT_R_REDRAW;
}

static int a_sort_menu(tt_ui *ui)
{
	ui->mode = TT_MODE_SORT;
	ui->sort_menu = tt_view_sort(&ui->view)->col;
	return TT_R_REDRAW;
}

static int a_search(tt_ui *ui) { return tt_ui_prompt_start(ui, TT_MODE_SEARCH, ""); }
static int a_filter(tt_ui *ui) { return tt_ui_prompt_start(ui, TT_MODE_FILTER, ui->view.filter); }
static int a_ports(tt_ui *ui)
{
	char buf[512];
	tt_portset_format(&ui->app->collect.ports, buf, sizeof(buf));
	return tt_ui_prompt_start(ui, TT_MODE_PORTS, buf);
}

static int a_next_match(tt_ui *ui)
{
	if (!ui->search[0])
		return a_search(ui);
	if (!tt_view_search(&ui->view, ui->search, false, tt_ui_page(ui)))
		tt_ui_message(ui, TT_TONE_WARN, "no more rows match \"%s\"", ui->search);
	return TT_R_REDRAW;
}

static int a_step_back(tt_ui *ui)
{
	if (!ui->ses.replay)
		return 0;
	if (ui->ses.replay_pos > 0)
		tt_ui_replay_goto(ui, ui->ses.replay_pos - 1);
	return TT_R_REBUILD;
}

static int a_step_fwd(tt_ui *ui)
{
	if (!ui->ses.replay)
		return 0;
	tt_ui_replay_goto(ui, ui->ses.replay_pos + 1);
	return TT_R_REBUILD;
}

static int a_goto(tt_ui *ui)
{
	if (!ui->ses.replay)
		return 0;
	ui->mode = TT_MODE_GOTO;
	ui->input[0] = '\0';
	ui->input_len = 0;
	return TT_R_REDRAW;
}

/* "14:05", "14:05:30" (the recording's first day) or "#12" (a record). */
static void goto_input(tt_ui *ui)
{
	size_t n = tt_replay_count(ui->ses.replay);
	if (ui->input[0] == '#') {
		long k = strtol(ui->input + 1, NULL, 10);
		if (k < 1 || (size_t)k > n) {
			tt_ui_message(ui, TT_TONE_WARN, "records are #1 to #%zu", n);
			return;
		}
		tt_ui_replay_goto(ui, (size_t)k - 1);
		return;
	}
	int hh, mm, ss = 0;
	if (sscanf(ui->input, "%d:%d:%d", &hh, &mm, &ss) < 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59) {
		tt_ui_message(ui, TT_TONE_WARN, "go to HH:MM[:SS] or #RECORD");
		return;
	}
	time_t t0 = (time_t)tt_replay_time(ui->ses.replay, 0);
	struct tm tm;
	localtime_r(&t0, &tm);
	tm.tm_hour = hh, tm.tm_min = mm, tm.tm_sec = ss;
	double want = (double)mktime(&tm);
	size_t k = 0;
	while (k + 1 < n && tt_replay_time(ui->ses.replay, k) < want)
		k++;
	tt_ui_replay_goto(ui, k);
}

static int a_pause(tt_ui *ui)
{
	if (ui->ses.replay) {
		ui->playing = !ui->playing;
		ui->next_play = 0;
		return TT_R_REDRAW;
	}
	ui->paused = !ui->paused;
	tt_refresher_pause(ui->ref, ui->paused);
	return TT_R_REDRAW;
}

/* Space: tag the row and move down (htop's habit); a replay plays; on the
 * tenants pane it pauses instead when Setup says so */
static int a_space(tt_ui *ui)
{
	if (!ui->ses.replay && !(tt_view_pane(&ui->view)->space_may_pause && ui->set.space_pauses)) {
		if (!tt_view_tag_toggle(&ui->view))
			return 0;
		return a_down(ui);
	}
	return a_pause(ui);
}
static int a_untag(tt_ui *ui) { tt_view_untag_all(&ui->view); return TT_R_REDRAW; }
static int a_tag_leaking(tt_ui *ui)
{
	size_t n = tt_view_tag_leaking(&ui->view);
	const char *what = tt_view_pane(&ui->view)->leaking_what;
	tt_ui_message(ui, TT_TONE_INFO, "c: %zu %s tagged; k or x acts on the tagged rows, U untags", n,
		      what ? what : "leaking rows");
	return TT_R_REDRAW;
}
static int a_act(tt_ui *ui) { return tt_ui_act_start(ui); }
/* [ ]: scroll the wide column (COMMAND, REMOTE, TENANT) sideways */
static int a_hscroll(tt_ui *ui, int dir)
{
	size_t pane = tt_view_top(&ui->view)->pane;
	if (ui->hscroll_pane != pane)
		ui->hscroll = 0;
	ui->hscroll_pane = pane;
	ui->hscroll += dir * 8;
	if (ui->hscroll < 0)
		ui->hscroll = 0;
	if (ui->hscroll > 400)
		ui->hscroll = 400;
	return TT_R_REDRAW;
}
static int a_hleft(tt_ui *ui) { return a_hscroll(ui, -1); }
static int a_hright(tt_ui *ui) { return a_hscroll(ui, 1); }
static int a_close_leaks(tt_ui *ui) { return tt_ui_act_close_leaks(ui); }
/* d: the Databases pane over what is open (Esc returns); d there closes it */
static int a_databases(tt_ui *ui)
{
	long k = tt_pane_find("databases");
	if (k < 0)
		return 0;
	if (tt_view_top(&ui->view)->pane == (size_t)k)
		return tt_view_back(&ui->view) ? TT_R_REBUILD : TT_R_REDRAW;
	return tt_view_open(&ui->view, (size_t)k, NULL) ? TT_R_REBUILD : TT_R_REDRAW;
}

/* htop keys with another meaning here, or none: say what they do (the
 * processes pane has them as its own keys) */
static int a_user(tt_ui *ui)
{
	tt_ui_message(ui, TT_TONE_INFO, "u: on the processes pane, keeps the cursor's user; tenants are often users already (RULE user)");
	return TT_R_REDRAW;
}
static int a_lsof(tt_ui *ui)
{
	tt_ui_message(ui, TT_TONE_INFO, "l: on the processes pane, opens the process's sockets (FDS counts all its descriptors)");
	return TT_R_REDRAW;
}
static int a_strace(tt_ui *ui)
{
	tt_ui_message(ui, TT_TONE_INFO, "s: on the processes pane, says how to strace the process");
	return TT_R_REDRAW;
}

static void set_delay(tt_ui *ui, double d)
{
	ui->delay = d;
	ui->delay_changed = true;
	tt_refresher_set_delay(ui->ref, d);
	tt_ui_message(ui, TT_TONE_INFO, "refresh every %g s", d);
}
static int a_setup(tt_ui *ui) { ui->mode = TT_MODE_SETUP; ui->setup_pane = (int)tt_view_top(&ui->view)->pane; ui->setup_row = 0; return TT_R_REDRAW; }
static int a_slower(tt_ui *ui) { set_delay(ui, tt_settings_delay_step(ui->delay, 1)); return TT_R_REDRAW; }
static int a_faster(tt_ui *ui) { set_delay(ui, tt_settings_delay_step(ui->delay, -1)); return TT_R_REDRAW; }

#define LEARN_S 300.0

static int a_baseline(tt_ui *ui)
{
	if (ui->ses.base.learning) {
		tt_session_baseline_stop(&ui->ses);
		return TT_R_REBUILD;
	}
	tt_session_baseline_start(&ui->ses, LEARN_S);
	return TT_R_REDRAW;
}

static int a_mouse(tt_ui *ui)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return 0;
	if (ev.bstate & BUTTON4_PRESSED)
		return a_up(ui) | a_up(ui) | a_up(ui);
#ifdef BUTTON5_PRESSED
	if (ev.bstate & BUTTON5_PRESSED)
		return a_down(ui) | a_down(ui) | a_down(ui);
#endif
	if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON1_DOUBLE_CLICKED)))
		return 0;
	if (ev.y == ui->header_row) {
		for (size_t k = 0; k < ui->lay.n; k++)
			if (ev.x >= ui->lay.x[k] && ev.x < ui->lay.x[k] + ui->lay.w[k] + 1) {
				tt_view_sort_by(&ui->view, ui->lay.idx[k]);
				return TT_R_REBUILD;
			}
		return 0;
	}
	if (ev.y >= ui->list_top && ev.y < ui->list_top + ui->list_height) {
		size_t row = tt_view_top(&ui->view)->scroll + (size_t)(ev.y - ui->list_top);
		if (row >= ui->view.nrows)
			return 0;
		tt_view_select(&ui->view, row, tt_ui_page(ui));
		if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
			return a_enter(ui);
		return TT_R_REDRAW;
	}
	return 0;
}

struct binding {
	int key;
	int (*fn)(tt_ui *);
};

static const struct binding normal_keys[] = {
	{KEY_UP, a_up},         {KEY_DOWN, a_down},    {'j', a_down},           {'k', a_act},
	{KEY_F(9), a_act},      {'Z', a_pause},        {'U', a_untag},
	{KEY_PPAGE, a_pgup},    {KEY_NPAGE, a_pgdn},   {KEY_HOME, a_home},      {KEY_END, a_end},
	{'\n', a_enter},        {'\r', a_enter},       {KEY_ENTER, a_enter},    {KEY_RIGHT, a_enter},
	{KEY_ESC, a_back},      {KEY_BACKSPACE, a_back}, {127, a_back},         {CTRL('h'), a_back},
	{KEY_LEFT, a_back},     {'<', a_sort_prev},    {',', a_sort_prev},      {'>', a_sort_next},
	{'.', a_sort_next},     {KEY_F(6), a_sort_menu}, {'I', a_invert},       {'/', a_search},
	{KEY_F(3), a_next_match}, {'n', a_next_match}, {'\\', a_filter},        {KEY_F(4), a_filter},
	{'p', a_ports},         {KEY_F(5), a_ports},   {' ', a_space},          {'+', a_slower},
	{'=', a_slower},        {'-', a_faster},       {'h', a_help},           {'?', a_help},
	{'b', a_baseline},      {'t', a_step_back},    {'T', a_step_fwd},       {'g', a_goto},
	{KEY_F(1), a_help},     {'a', a_alerts},       {'L', a_lifecycle},       {'x', a_close_leaks},    {'u', a_user},
	{'l', a_lsof},          {'s', a_strace},       {'[', a_hleft},          {']', a_hright},
	{'c', a_tag_leaking},   {'d', a_databases},       {KEY_F(2), a_setup},     {'S', a_setup},       {'q', a_quit},         {KEY_F(10), a_quit},     {KEY_MOUSE, a_mouse},
};

static int input_key(tt_ui *ui, int key)
{
	int mode = ui->mode;
	if (key == KEY_ESC) {
		ui->mode = TT_MODE_NORMAL;
		if (mode == TT_MODE_FILTER && ui->view.filter[0]) {
			ui->view.filter[0] = '\0';
			return TT_R_REBUILD;
		}
		return TT_R_REDRAW;
	}
	if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		ui->mode = TT_MODE_NORMAL;
		if (mode == TT_MODE_GOTO) {
			goto_input(ui);
			return TT_R_REBUILD;
		}
		if (mode == TT_MODE_PORTS) {
			char err[256];
			tt_portset ps;
			const char *txt = ui->input;
			if (!strcmp(txt, "all")) {
				tt_portset_clear(&ps);
				ps.all = true;
			} else if (tt_portset_parse(&ps, txt, err, sizeof(err)) < 0) {
				tt_ui_message(ui, TT_TONE_CRIT, "ports: %s", err);
				return TT_R_REDRAW;
			}
			ui->app->collect.ports = ps;
			ui->ports_changed = true;
			ui->ses.model.opts.ports = ps;
			tt_refresher_set_ports(ui->ref, &ps);
			char buf[256];
			tt_ui_message(ui, TT_TONE_INFO, "watching ports %s", tt_portset_format(&ps, buf, sizeof(buf)));
		} else if (mode == TT_MODE_SEARCH) {
			snprintf(ui->search, sizeof(ui->search), "%s", ui->input);
		}
		return TT_R_REDRAW;
	}
	if (mode == TT_MODE_SEARCH && key == KEY_F(3)) {
		snprintf(ui->search, sizeof(ui->search), "%s", ui->input);
		a_next_match(ui);
		return TT_R_REDRAW;
	}
	if (!tt_ui_prompt_edit(ui, key))
		return TT_R_REDRAW;
	if (mode == TT_MODE_SEARCH) {
		if (ui->input_len && !tt_view_search(&ui->view, ui->input, true, tt_ui_page(ui)))
			tt_ui_message(ui, TT_TONE_WARN, "no row matches \"%s\"", ui->input);
		return TT_R_REDRAW;
	}
	if (mode == TT_MODE_FILTER) {
		snprintf(ui->view.filter, sizeof(ui->view.filter), "%.127s", ui->input);
		return TT_R_REBUILD;
	}
	return TT_R_REDRAW;
}

static int sort_menu_key(tt_ui *ui, int key)
{
	const tt_pane *pane = tt_view_pane(&ui->view);
	size_t n = pane->ncols;
	const tt_column *cols = pane->cols;
	int dir = 0;
	switch (key) {
	case KEY_UP:
	case 'k':
		dir = -1;
		break;
	case KEY_DOWN:
	case 'j':
		dir = 1;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		ui->mode = TT_MODE_NORMAL;
		if (ui->sort_menu != tt_view_sort(&ui->view)->col)
			tt_view_sort_by(&ui->view, ui->sort_menu);
		if (!strcmp(cols[ui->sort_menu].id, "vs_base") && !tt_baseline_ready(&ui->ses.base))
			tt_ui_message(ui, TT_TONE_WARN,
				      "vs BASE: no baseline yet, every row compares equal; b learns the normal levels (5 min)");
		return TT_R_REBUILD;
	case KEY_ESC:
	case 'q':
	case KEY_F(6):
	case KEY_F(10):
		ui->mode = TT_MODE_NORMAL;
		return TT_R_REDRAW;
	default:
		return 0;
	}
	size_t c = ui->sort_menu;
	for (size_t i = 0; i < n; i++) {
		c = (c + n + (size_t)dir) % n;
		if (cols[c].cmp)
			break;
	}
	ui->sort_menu = c;
	return TT_R_REDRAW;
}

int tt_ui_key(tt_ui *ui, int key)
{
	switch (ui->mode) {
	case TT_MODE_HELP:
	case TT_MODE_ALERTS:
		return pager_key(ui, key);
	case TT_MODE_SEARCH:
	case TT_MODE_FILTER:
	case TT_MODE_PORTS:
	case TT_MODE_GOTO:
		return input_key(ui, key);
	case TT_MODE_SORT:
		return sort_menu_key(ui, key);
	case TT_MODE_SETUP:
		return tt_ui_setup_key(ui, key);
	case TT_MODE_SIGNAL:
	case TT_MODE_CONFIRM:
		return tt_ui_act_key(ui, key);
	default:
		break;
	}
	const tt_pane *pane = tt_view_pane(&ui->view);
	for (size_t i = 0; i < pane->nkeys; i++)
		if (pane->keys[i].key == key) {
			int r = pane->keys[i].fn(ui);
			if (r >= 0)
				return r;
		}
	for (size_t i = 0; i < sizeof(normal_keys) / sizeof(normal_keys[0]); i++)
		if (normal_keys[i].key == key)
			return normal_keys[i].fn(ui);
	return 0;
}
