/* Drawing the dashboard: one frame put together from its parts (the
 * header, the pane's table, the alerts panel, the bottom line, or a page
 * over it all).  The parts are in header.c, table.c, fbar.c, overlays.c;
 * colours and primitives in theme.c. */
#include <curses.h>

#include "tenantop/clock.h"
#include "tenantop/ui.h"

#include "draw.h"

/* A page over the whole screen (help, every alert). */
static void draw_page(tt_ui *ui)
{
	for (int pass = 0; pass < 2; pass++) {
		int before = ui->pager_top;
		if (ui->mode == TT_MODE_HELP)
			ui_draw_help(ui);
		else
			ui_draw_alert_list(ui);
		if (ui->pager_top == before)
			break; /* clamped: draw once more at the new top */
	}
}

/* The lines under the table: the detail of the cursor row, the message,
 * the action's question (it replaces the bar), each wrapped. */
struct bottom {
	char p[8][WRAP_LINE], m[2][WRAP_LINE], d[2][WRAP_LINE];
	int np, nm, nd;
	bool act;
};

static void bottom_lines(tt_ui *ui, struct bottom *b, bool compact)
{
	b->np = b->nm = b->nd = 0;
	b->act = ui->mode == TT_MODE_SIGNAL || ui->mode == TT_MODE_CONFIRM;
	if (b->act) {
		char q[1024];
		tt_ui_act_prompt(ui, q, sizeof(q));
		const char *tail = ui->mode == TT_MODE_CONFIRM ? "  y/N" : "  Enter TERM, Esc cancel";
		/* as many lines as it needs (up to 6), leaving the header and a row */
		int maxl = LINES - 6 < 2 ? 2 : LINES - 6 > 6 ? 6 : LINES - 6;
		b->np = ui_wrap_tail(ui, q, tail, COLS, b->p, maxl);
	}
	if (ui->msg[0] && tt_mono_s() < ui->msg_until)
		b->nm = ui_wrap(ui->msg, COLS, b->m, LINES >= 16 ? 2 : 1, NULL);
	if (!b->act && !compact && LINES >= 20 && ui->mode != TT_MODE_SORT) {
		char d[2048];
		ui_detail_text(ui, d, sizeof(d));
		if (d[0])
			b->nd = ui_wrap_tail(ui, d, "", COLS, b->d, tt_view_pane(&ui->view)->detail_lines);
	}
}

/* The last line(s): the action's question, a prompt, or the function bar. */
static void draw_last(tt_ui *ui, const struct bottom *b, int bottom)
{
	if (b->act) {
		curs_set(0);
		for (int i = 0; i < b->np; i++) {
			ui_fill(bottom + i, 0, COLS, A_NORMAL);
			ui_put(bottom + i, 0, b->p[i], COLS, ui_attr(ui, ui->mode == TT_MODE_CONFIRM ? P_CRIT : P_WARN));
		}
	} else if (ui->mode == TT_MODE_SEARCH || ui->mode == TT_MODE_FILTER || ui->mode == TT_MODE_PORTS ||
		   ui->mode == TT_MODE_GOTO) {
		curs_set(1);
		ui_draw_prompt(ui, bottom);
	} else {
		curs_set(0);
		ui_draw_fbar(ui, bottom);
	}
}

/* The alerts take the bottom of the table's room when there is enough. */
static int panel_rows(const tt_ui *ui, int height)
{
	if (!ui->ses.alerts.n || height < 10 || ui->mode == TT_MODE_SORT)
		return 0;
	int panel = ui_panel_need(ui);
	int cap = height * 2 / 5;
	if (panel > cap)
		panel = cap;
	return panel < 3 ? 3 : panel;
}

void tt_ui_draw(tt_ui *ui)
{
	erase();
	if (ui->mode == TT_MODE_SETUP) {
		tt_ui_setup_draw(ui);
		refresh();
		return;
	}
	if (ui->mode == TT_MODE_HELP || ui->mode == TT_MODE_ALERTS) {
		draw_page(ui);
		refresh();
		return;
	}
	bool compact = LINES < 16;
	int y = 0;
	ui_draw_title(ui, y++, compact);
	ui_draw_totals(ui, y++);
	if (!compact)
		ui_draw_alerts(ui, y++);
	ui_layout_columns(ui); /* first: the breadcrumb says when the sort column is hidden */
	ui_draw_crumb(ui, y++);
	ui->header_row = y;
	ui_draw_header(ui, y++);
	struct bottom b;
	bottom_lines(ui, &b, compact);
	int bottom = b.act ? LINES - b.np : LINES - 1; /* the function bar or a prompt */
	int height = bottom - y - b.nm - b.nd;
	int panel = panel_rows(ui, height);
	height -= panel;
	ui_draw_list(ui, y, height > 0 ? height : 0);
	int yy = y + (height > 0 ? height : 0);
	if (panel) {
		ui_draw_alert_panel(ui, yy, panel);
		yy += panel;
	}
	if (ui->mode == TT_MODE_SORT)
		ui_draw_sort_menu(ui, y, height);
	for (int i = 0; i < b.nd; i++, yy++) {
		ui_fill(yy, 0, COLS, A_NORMAL);
		ui_put(yy, 0, b.d[i], COLS, A_NORMAL);
	}
	for (int i = 0; i < b.nm; i++, yy++) {
		ui_fill(yy, 0, COLS, A_NORMAL);
		ui_put(yy, 0, b.m[i], COLS, ui_attr(ui, ui_tone_pair(ui->msg_tone)));
	}
	draw_last(ui, &b, bottom);
	refresh();
}
