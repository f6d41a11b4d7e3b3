/* The bottom line: the function-key bar (labels drop by priority on a
 * narrow terminal) or the prompt being typed. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tenantop/sanitize.h"
#include "tenantop/ui.h"

#include "draw.h"

void ui_draw_fbar(tt_ui *ui, int y)
{
	struct item {
		const char *key;
		char label[16];
		int prio; /* dropped first: highest */
		attr_t la;
	} items[16];
	int ni = 0;
	attr_t lab = ui_attr(ui, P_FLABEL);
#define ITEM(k, l, p) (items[ni] = (struct item){k, "", p, lab}, snprintf(items[ni].label, sizeof(items[ni].label), "%s", l), ni++)
	ITEM("F1", "Help", 0);
	ITEM("F2", "Setup", 5);
	ITEM("F3", "Search", 3);
	ITEM("F4", "Filter", 2);
	ITEM("F5", "Ports", 5);
	ITEM("F6", "SortBy", 4);
	const tt_pane *pane = tt_view_pane(&ui->view);
	bool space_pauses = pane->space_may_pause && ui->set.space_pauses;
	if (ui->ses.replay)
		ITEM("Spc", ui->playing ? "Stop" : "Play", 1);
	else if (ui->paused)
		(items[ni] = (struct item){space_pauses ? "Spc" : "Z", "Resume", 0, ui_attr(ui, P_PAUSED)}, ni++);
	else if (space_pauses)
		ITEM("Spc", "Pause", 3);
	else
		ITEM("Spc", "Tag", 2);
	if (pane->enter_label)
		ITEM("Ent", pane->enter_label, 4);
	if (pane->act_label && !ui->app->read_only && !ui->ses.replay)
		ITEM("F9", pane->act_label, 1);
	if (ui->view.depth > 1)
		ITEM("Esc", "Back", 3);
	if (ui->ses.alerts.n)
		ITEM("a", "Alerts", 2);
	ITEM("F10", "Quit", 0);
#undef ITEM
	bool on[16];
	int lw[16];
	int pad = COLS >= 90 ? 7 : 6;
	for (int shrink = 0; shrink < 2; shrink++) {
		int need = 0;
		for (int i = 0; i < ni; i++) {
			on[i] = true;
			int l = (int)strlen(items[i].label) + 1; /* always one space after a label */
			lw[i] = shrink ? l : l < pad ? pad : l;
			need += (int)strlen(items[i].key) + lw[i];
		}
		while (need > COLS) {
			int worst = -1;
			for (int i = 0; i < ni; i++)
				if (on[i] && items[i].prio > 0 && (worst < 0 || items[i].prio >= items[worst].prio))
					worst = i;
			if (worst < 0 || !shrink)
				break;
			on[worst] = false;
			need -= (int)strlen(items[worst].key) + lw[worst];
		}
		if (need <= COLS || shrink)
			break;
	}
	ui_fill(y, 0, COLS, A_NORMAL);
	int x = 0;
	char l[24];
	for (int i = 0; i < ni; i++) {
		if (!on[i])
			continue;
		x += ui_put(y, x, items[i].key, COLS - x, ui_attr(ui, P_FKEY) | A_BOLD);
		snprintf(l, sizeof(l), "%-*s", lw[i], items[i].label);
		x += ui_put(y, x, l, COLS - x, items[i].la);
	}
	if (x < COLS)
		ui_fill(y, x, COLS - x, ui_attr(ui, P_FLABEL));
}

void ui_draw_prompt(tt_ui *ui, int y)
{
	const char *label = ui->mode == TT_MODE_SEARCH   ? "Search: "
			    : ui->mode == TT_MODE_FILTER ? "Filter: "
			    : ui->mode == TT_MODE_GOTO   ? "Go to (HH:MM[:SS] or #record): "
							 : "Ports (e.g. 3306,5432,6000-6010 or all): ";
	ui_fill(y, 0, COLS, A_NORMAL);
	int x = ui_put(y, 0, label, COLS, ui_attr(ui, P_FKEY) | A_BOLD);
	char safe[256];
	tt_sanitize(ui->input, ui->input_len, safe, sizeof(safe));
	x += ui_put(y, x, safe, COLS - x, A_NORMAL);
	const char *hint = ui->mode == TT_MODE_SEARCH ? "   Enter keep, Esc cancel, F3 next" : "   Enter apply, Esc cancel";
	ui_put(y, x + 1, hint, COLS - x - 1, ui_attr(ui, P_DIM));
	move(y, x < COLS ? x : COLS - 1);
}

/* --------------------------------------------------------------- overlays */
