/* What opens over the pane: the sort menu, the scrollable pages (help,
 * every alert) and the alerts panel at the bottom. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tenantop/format.h"
#include "tenantop/output.h"
#include "tenantop/sanitize.h"
#include "tenantop/ui.h"

#include "draw.h"

void ui_draw_sort_menu(tt_ui *ui, int top, int height)
{
	const tt_pane *pane = tt_view_pane(&ui->view);
	size_t n = pane->ncols;
	const tt_column *cols = pane->cols;
	int w = 16;
	ui_fill(top, 0, w, ui_attr(ui, P_COLHDR));
	ui_put(top, 0, "Sort by", w, ui_attr(ui, P_COLHDR));
	int y = top + 1;
	/* scroll the menu so the chosen entry is visible */
	size_t first = 0, idx = 0;
	for (size_t i = 0; i < n; i++)
		if (cols[i].cmp && i < ui->sort_menu)
			idx++;
	if (height > 1 && idx >= (size_t)(height - 1))
		first = idx - (size_t)(height - 2);
	size_t k = 0;
	for (size_t i = 0; i < n && y < top + height; i++) {
		if (!cols[i].cmp)
			continue;
		if (k++ < first)
			continue;
		bool cur = i == ui->sort_menu;
		ui_fill(y, 0, w, cur ? ui_attr(ui, P_SEL) : A_NORMAL);
		ui_put(y, 1, cols[i].title, w - 1, cur ? ui_attr(ui, P_SEL) : ui_col_available(ui, &cols[i]) ? A_NORMAL : ui_attr(ui, P_DIM));
		mvaddch(y, w, ui->ascii ? '|' : ' ');
		y++;
	}
}

/* A scrollable page (help, the alert list): lines are emitted in order;
 * those inside the window are drawn; the total is kept for the keys. */
struct pager {
	tt_ui *ui;
	int line, top, height;
};

static void pg_line(struct pager *pg, int x, const char *s, attr_t a)
{
	int y = pg->line - pg->top;
	if (y >= 0 && y < pg->height)
		ui_put(y, x, s, COLS - x, a);
	pg->line++;
}

/* left in a column of lw, right wrapped beside it (or below on a narrow screen) */
static void pg_pair(struct pager *pg, const char *left, int lw, attr_t la, const char *right, attr_t ra)
{
	char lines[12][WRAP_LINE];
	if (COLS < lw + 24) {
		pg_line(pg, 1, left, la);
		int n = ui_wrap(right, COLS - 4, lines, 12, NULL);
		for (int i = 0; i < n; i++)
			pg_line(pg, 4, lines[i], ra);
		return;
	}
	int n = ui_wrap(right, COLS - lw - 2, lines, 12, NULL);
	for (int i = 0; i < (n ? n : 1); i++) {
		int y = pg->line - pg->top;
		if (i == 0 && y >= 0 && y < pg->height)
			ui_put(y, 1, left, lw, la);
		if (n) {
			if (y >= 0 && y < pg->height)
				ui_put(y, lw + 2, lines[i], COLS - lw - 2, ra);
		}
		pg->line++;
	}
}

static void pg_text(struct pager *pg, int indent, const char *s, attr_t a)
{
	char lines[16][WRAP_LINE];
	int n = ui_wrap(s, COLS - indent, lines, 16, NULL);
	for (int i = 0; i < n; i++)
		pg_line(pg, indent, lines[i], a);
}

static void pg_begin(struct pager *pg, tt_ui *ui)
{
	erase();
	pg->ui = ui;
	pg->line = 0;
	pg->height = LINES - 1;
	if (pg->height < 1)
		pg->height = 1;
	ui->pager_height = pg->height;
	pg->top = ui->pager_top;
}

static void pg_end(struct pager *pg, const char *what)
{
	tt_ui *ui = pg->ui;
	ui->pager_total = pg->line;
	int maxtop = pg->line > pg->height ? pg->line - pg->height : 0;
	if (ui->pager_top > maxtop)
		ui->pager_top = maxtop; /* resized, or scrolled past the end: drawn again from there */
	if (ui->pager_top < 0)
		ui->pager_top = 0;
	char buf[200];
	int last = pg->top + pg->height < pg->line ? pg->top + pg->height : pg->line;
	if (COLS >= 60)
		snprintf(buf, sizeof(buf), "%s: lines %d-%d of %d   Up/Down PgUp/PgDn Home/End scroll, q or Esc returns",
			 what, pg->line ? pg->top + 1 : 0, last, pg->line);
	else
		snprintf(buf, sizeof(buf), "%d-%d/%d  arrows PgDn scroll, q back", pg->line ? pg->top + 1 : 0, last, pg->line);
	ui_fill(LINES - 1, 0, COLS, ui_attr(ui, P_FLABEL));
	ui_put(LINES - 1, 0, buf, COLS, ui_attr(ui, P_FLABEL));
}

static const char *help_keys[][2] = {
	{"Up/Down PgUp/PgDn Home/End", "move the cursor (mouse: click a row, wheel scrolls)"},
	{"Enter Right, double click", "open: tenant -> its processes -> their sockets; a database server -> its users"},
	{"Esc Backspace Left", "back up, the cursor on the row you came from"},
	{"< > , .", "sort by the previous / next column shown (mouse: click a column title)"},
	{"F6", "the sort menu: every column, shown or not"},
	{"I", "invert the sort order"},
	{"/  F3", "incremental search; n or F3 again: next match"},
	{"\\  F4", "filter rows by text (Esc in the prompt clears)"},
	{"p  F5", "choose the watched ports (htop's F5 tree: here the tree is the drill-down, Enter)"},
	{"a", "every alert, whole, worst first (scrollable)"},
	{"L", "the Lifecycle pane: per tenant, connections opened and closed per second, lifetime p50/p90/p99, "
	      "CLOSE_WAIT before the application closed, TIME_WAIT/s (kernel events: root); L again goes back"},
	{"d", "the Databases pane: each database server's own count of connections against its limit, what is "
	      "left, what it refused, the tenants using it; Enter: its database users; d or Esc returns"},
	{"Z", "pause: the data freezes, keys keep working"},
	{"Space  U", "tag the row (and move down), on every pane; U untags all"},
	{"k  F9", "tenants: signal all their processes; processes: send a signal; sockets: close them "
		  "(SOCK_DESTROY); asks first. A closed socket stays held (CLOSE*) until its process closes it or "
		  "is signalled"},
	{"b", "learn the normal levels (5 min; b again stops early), saved"},
	{"t T g", "replay: one refresh back / forward, go to a time; Space plays"},
	{"[ ]", "scroll the wide column (COMMAND, REMOTE, TENANT) left / right; the detail line shows the cursor row whole"},
	{"c", "tag every leaking row: tenants or processes with leaks, CLOSE_WAIT sockets (then k or x)"},
	{"x", "close every CLOSE_WAIT of the tagged (or cursor) tenants or processes, or of the sockets pane"},
	{"u l s", "processes: only this user; open its sockets (htop's lsof); how to strace it"},
	{"+ -", "refresh delay longer / shorter (0.2 0.5 1 1.5 2 3 5 10 15 30 60 s)"},
	{"F2 S", "Setup: delay, colours, ports, and per pane the sort and the columns shown in their order; "
		 "saved at once to ~/.config/tenantop/tenantoprc"},
	{"h ? F1", "this help"},
	{"q F10 Ctrl-C", "quit"},
};

void ui_draw_help(tt_ui *ui)
{
	struct pager pg;
	pg_begin(&pg, ui);
	pg_text(&pg, 0, "tenantop - who is leaking database connections", ui_attr(ui, P_TITLE));
	pg_line(&pg, 0, "", A_NORMAL);
	for (size_t i = 0; i < sizeof(help_keys) / sizeof(help_keys[0]); i++)
		pg_pair(&pg, help_keys[i][0], 28, A_BOLD, help_keys[i][1], A_NORMAL);
	pg_line(&pg, 0, "", A_NORMAL);
	const tt_pane *pane = tt_view_pane(&ui->view);
	char buf[160];
	snprintf(buf, sizeof(buf), "%s pane columns (narrow terminals drop the last ones first):", pane->title);
	pg_text(&pg, 0, buf, ui_attr(ui, P_TITLE));
	for (size_t i = 0; i < pane->ncols; i++)
		pg_pair(&pg, pane->cols[i].title, 12, A_BOLD, pane->cols[i].help, A_NORMAL);
	pg_line(&pg, 0, "", A_NORMAL);
	pg_line(&pg, 0, "Alerts (worst first: severity, then a pool about to fill, then leaked and growing):",
		ui_attr(ui, P_TITLE));
	size_t nkinds;
	const tt_alert_kind_info *kinds = tt_alert_kinds(&nkinds);
	for (size_t i = 0; i < nkinds; i++)
		pg_pair(&pg, kinds[i].name, 18, A_BOLD, kinds[i].meaning, A_NORMAL);
	pg_line(&pg, 0, "", A_NORMAL);
	pg_line(&pg, 0, "Tenant rules (RULE column; first match wins):", ui_attr(ui, P_TITLE));
	static const char *rules[][2] = {
		{"user", "the process's Unix user"},
		{"cgroup", "a pattern over the process's cgroup path"},
		{"path", "a pattern over the executable or working directory"},
		{"cmdline", "a pattern over the command line"},
		{"remote", "the peer address (cidr)"},
		{"port", "the local or remote port"},
		{"parent", "an ancestor process's match"},
		{"netns", "the network namespace the socket lives in"},
		{"memory", "no rule now: the owner seen earlier on this connection"},
	};
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		pg_pair(&pg, rules[i][0], 18, A_BOLD, rules[i][1], A_NORMAL);
	pg_end(&pg, "help");
}

/* Every alert whole, worst first, with its numbers. */
void ui_draw_alert_list(tt_ui *ui)
{
	struct pager pg;
	pg_begin(&pg, ui);
	char buf[700], age[32], first[32], e[32];
	snprintf(buf, sizeof(buf), "%zu alert%s, worst first", ui->ses.alerts.n, ui->ses.alerts.n == 1 ? "" : "s");
	pg_line(&pg, 0, buf, ui_attr(ui, P_TITLE));
	if (!ui->ses.alerts.n)
		pg_line(&pg, 1, "no alerts", ui_attr(ui, P_OK));
	for (size_t i = 0; i < ui->ses.alerts.n; i++) {
		const tt_alert *a = &ui->ses.alerts.v[i];
		time_t fs = (time_t)a->first_seen;
		struct tm tm;
		localtime_r(&fs, &tm);
		strftime(first, sizeof(first), "%H:%M:%S", &tm);
		tt_fmt_age(ui->ses.model.time - a->first_seen, age, sizeof(age));
		snprintf(buf, sizeof(buf), "%s  %s  %s  for %s (since %s)", tt_severity_name(a->severity), a->tenant,
			 tt_alert_kind_name(a->kind), age, first);
		pg_line(&pg, 0, "", A_NORMAL);
		pg_text(&pg, 0, buf, ui_attr(ui, ui_sev_pair(a->severity)) | A_BOLD);
		pg_text(&pg, 2, a->message, A_NORMAL);
		if (a->fill >= 0) { /* a pool's use of its limit */
			if (a->fill >= 1)
				snprintf(buf, sizeof(buf), "%.0f %% of its limit: %s", a->fill * 100, a->fill > 1 ? "over" : "full");
			else if (a->eta_s >= 0)
				snprintf(buf, sizeof(buf), "%.0f %% of its limit, full in about %s", a->fill * 100,
					 tt_fmt_age(a->eta_s, e, sizeof(e)));
			else
				snprintf(buf, sizeof(buf), "%.0f %% of its limit, steady (not growing)", a->fill * 100);
			pg_text(&pg, 2, buf, ui_attr(ui, P_DIM));
		}
	}
	pg_end(&pg, "alerts");
}

/* How many lines an alert takes in the bottom panel. */
static int alert_lines(const tt_ui *ui, const tt_alert *a, char lines[][WRAP_LINE], int max)
{
	static const char *sev[] = {"info", "WARN", "CRIT"};
	char buf[700], age[32], eta[48] = "";
	tt_fmt_age(ui->ses.model.time - a->first_seen, age, sizeof(age));
	if (a->fill >= 1) {
		snprintf(eta, sizeof(eta), "  %s", a->fill > 1 ? "OVER" : "FULL");
	} else if (a->eta_s >= 0) {
		char e[32];
		snprintf(eta, sizeof(eta), "  ETA full %s", tt_fmt_age(a->eta_s, e, sizeof(e)));
	}
	snprintf(buf, sizeof(buf), "%s %5s  %s %s: %s%s", sev[a->severity >= 0 && a->severity <= 2 ? a->severity : 0], age,
		 a->tenant, tt_alert_kind_name(a->kind), a->message, eta);
	return ui_wrap(buf, COLS - 2, lines, max, NULL);
}

/* The alerts panel at the bottom: the worst first, each message wrapped
 * whole; when they do not all fit, a key shows them all. */
void ui_draw_alert_panel(tt_ui *ui, int top, int rows)
{
	ui_fill(top, 0, COLS, ui_attr(ui, P_COLHDR));
	char buf[200];
	snprintf(buf, sizeof(buf), "ALERTS %zu, worst first%s", ui->ses.alerts.n, COLS >= 50 ? "   (a: all of them, whole)" : "");
	ui_put(top, 0, buf, COLS, ui_attr(ui, P_COLHDR));
	int y = top + 1, end = top + rows;
	for (size_t i = 0; i < ui->ses.alerts.n && y < end; i++) {
		const tt_alert *a = &ui->ses.alerts.v[i];
		char lines[6][WRAP_LINE];
		int n = alert_lines(ui, a, lines, 6);
		bool last_room = y + n > end - (i + 1 < ui->ses.alerts.n ? 1 : 0);
		if (last_room && i) {
			snprintf(buf, sizeof(buf), "%s %zu more: press a to see every alert", ui_ellipsis(ui), ui->ses.alerts.n - i);
			ui_put(end - 1 < y ? y : end - 1, 0, buf, COLS, ui_attr(ui, P_DIM));
			break;
		}
		for (int k = 0; k < n && y < end; k++, y++) {
			if (k == 0) {
				/* the severity word in its colour, the rest plain */
				size_t sw = strcspn(lines[0], " ");
				char sevw[8];
				snprintf(sevw, sizeof(sevw), "%.*s", (int)(sw < 7 ? sw : 7), lines[0]);
				int x = ui_put(y, 0, sevw, COLS, ui_attr(ui, ui_sev_pair(a->severity)));
				ui_put(y, x, lines[0] + sw, COLS - x, A_NORMAL);
			} else {
				ui_put(y, 2, lines[k], COLS - 2, A_NORMAL);
			}
		}
	}
}

int ui_panel_need(const tt_ui *ui)
{
	int need = 1;
	for (size_t i = 0; i < ui->ses.alerts.n && need < 200; i++) {
		char lines[6][WRAP_LINE];
		need += alert_lines(ui, &ui->ses.alerts.v[i], lines, 6);
	}
	return need;
}

