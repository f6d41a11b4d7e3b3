/* F2 Setup, as in htop: the refresh delay, the colours, the watched ports,
 * and per pane the sort and the columns shown in their order.  Every
 * change is written at once (tt_ui_settings_sync), not on a clean exit. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tenantop/settings.h"
#include "tenantop/ui.h"

#define KEY_ESC 27

enum { ROW_DELAY = 0, ROW_COLOR, ROW_SPACE, ROW_PORTS, ROW_PANE, ROW_SORT, ROW_COLS };

static size_t setup_rows(const tt_ui *ui)
{
	size_t n;
	tt_columns((size_t)ui->setup_pane, &n);
	return ROW_COLS + n;
}

void tt_ui_settings_current(const tt_ui *ui, tt_settings *cur)
{
	*cur = ui->set;
	for (size_t l = 0; l < tt_pane_count(); l++) {
		cur->pane[l].have_sort = true;
		cur->pane[l].sort_col = ui->view.sort[l].col;
		cur->pane[l].sort_desc = ui->view.sort[l].desc;
	}
}

void tt_ui_settings_sync(tt_ui *ui)
{
	if (!ui->set_path[0])
		return;
	tt_settings cur;
	tt_ui_settings_current(ui, &cur);
	if (ui->delay_changed)
		cur.delay = ui->delay;
	if (ui->ports_changed)
		tt_portset_format(&ui->app->collect.ports, cur.ports, sizeof(cur.ports));
	char text[8192], err[600];
	if (tt_settings_format(&cur, text, sizeof(text)) < 0 || !strcmp(text, ui->set_saved))
		return;
	ui->set = cur;
	if (tt_settings_save(&cur, ui->set_path, err, sizeof(err)) < 0) {
		/* said once, not at every key */
		if (!ui->set_failed)
			tt_ui_message(ui, TT_TONE_WARN, "%s", err);
		ui->set_failed = true;
	} else {
		ui->set_failed = false;
	}
	snprintf(ui->set_saved, sizeof(ui->set_saved), "%s", text);
}

static void apply_color(tt_ui *ui)
{
	bool want = ui->set.color != TT_COLOR_OFF && !ui->app->no_color && has_colors();
	if (want && !ui->color) {
		ui->color = true;
		tt_ui_theme_init(ui);
	}
	ui->color = want;
}

void tt_ui_setup_draw(tt_ui *ui)
{
	erase();
	char buf[4200], val[300];
	tt_ui_put(ui, 0, 0, "Setup", COLS, P_TITLE, true);
	snprintf(buf, sizeof(buf), "  saved as it changes to %s", ui->set_path[0] ? ui->set_path : "(no HOME: not saved)");
	tt_ui_put(ui, 0, 5, buf, COLS - 5, P_DIM, false);
	size_t n;
	const tt_column *cols = tt_columns((size_t)ui->setup_pane, &n);
	const tt_pane_settings *p = &ui->set.pane[ui->setup_pane];
	const tt_pane_sort *ps = &ui->view.sort[ui->setup_pane];
	size_t total = setup_rows(ui);
	int height = LINES - 3;
	if (height < 1)
		height = 1;
	if (ui->setup_row < ui->setup_top)
		ui->setup_top = ui->setup_row;
	if (ui->setup_row >= ui->setup_top + height)
		ui->setup_top = ui->setup_row - height + 1;
	for (size_t r = (size_t)ui->setup_top; r < total && (int)(r - (size_t)ui->setup_top) < height; r++) {
		int y = 2 + (int)(r - (size_t)ui->setup_top);
		const char *label = "";
		const char *help = "";
		switch (r) {
		case ROW_DELAY:
			label = "Refresh delay";
			snprintf(val, sizeof(val), "%g s", ui->delay);
			help = "Left/Right";
			break;
		case ROW_COLOR:
			label = "Colours";
			snprintf(val, sizeof(val), "%s%s", ui->set.color == TT_COLOR_ON ? "on" : ui->set.color == TT_COLOR_OFF ? "off (monochrome)" : "auto",
				 ui->app->no_color ? " (NO_COLOR/--no-color wins)" : "");
			help = "Left/Right";
			break;
		case ROW_SPACE:
			label = "Space (tenants)";
			snprintf(val, sizeof(val), "%s", ui->set.space_pauses ? "pauses (Z too)" : "tags, as in htop (Z pauses)");
			help = "Left/Right";
			break;
		case ROW_PORTS:
			label = "Watched ports";
			tt_portset_format(&ui->app->collect.ports, val, sizeof(val));
			help = "Enter edits";
			break;
		case ROW_PANE:
			label = "Pane";
			snprintf(val, sizeof(val), "%s", tt_pane_at((size_t)ui->setup_pane)->id);
			help = "Left/Right: the pane whose sort and columns follow";
			break;
		case ROW_SORT:
			label = "Sort";
			snprintf(val, sizeof(val), "%s %s", ps->col < n ? cols[ps->col].title : "-", ps->desc ? "desc" : "asc");
			help = "Left/Right column, I inverts";
			break;
		default: {
			size_t k = r - ROW_COLS;
			size_t ci = p->ncols ? p->order[k] : k;
			label = NULL;
			snprintf(val, sizeof(val), "[%c] %-10s %s", ci < n && !p->hidden[ci] ? 'x' : ' ', ci < n ? cols[ci].title : "?",
				 ci < n ? cols[ci].help : "");
			break;
		}
		}
		bool cur = (int)r == ui->setup_row;
		if (cur)
			tt_ui_fill(ui, y, 0, COLS, P_SEL);
		int pair = cur ? P_SEL : 0;
		if (label) {
			tt_ui_put(ui, y, 1, label, 16, pair, true);
			int x = 18 + tt_ui_put(ui, y, 18, val, COLS - 18, pair, false);
			if (COLS - x > 12)
				tt_ui_put(ui, y, x + 2, help, COLS - x - 2, cur ? pair : P_DIM, false);
		} else {
			tt_ui_put(ui, y, 3, val, COLS - 3, pair, false);
		}
	}
	snprintf(buf, sizeof(buf), COLS >= 70 ? "Up/Down choose  Left/Right change  Space shows/hides  [ ] or F7 F8 move a column  Esc back"
					     : "arrows, Space, [ ] move, Esc back");
	tt_ui_fill(ui, LINES - 1, 0, COLS, P_FLABEL);
	tt_ui_put(ui, LINES - 1, 0, buf, COLS, P_FLABEL, false);
}

static void move_col(tt_ui *ui, int dir)
{
	tt_pane_settings *p = &ui->set.pane[ui->setup_pane];
	size_t k = (size_t)(ui->setup_row - ROW_COLS);
	if (!p->ncols || k >= p->ncols)
		return;
	size_t j = dir < 0 ? k - 1 : k + 1;
	if ((dir < 0 && k == 0) || j >= p->ncols)
		return;
	size_t t = p->order[k];
	p->order[k] = p->order[j];
	p->order[j] = t;
	ui->setup_row += dir;
}

/* Left/Right on a value. */
static int change(tt_ui *ui, int r, int dir)
{
	size_t n;
	const tt_column *cols = tt_columns((size_t)ui->setup_pane, &n);
	switch (r) {
	case ROW_DELAY:
		ui->delay = tt_settings_delay_step(ui->delay, dir);
		ui->delay_changed = true;
		tt_refresher_set_delay(ui->ref, ui->delay);
		break;
	case ROW_COLOR:
		ui->set.color = (ui->set.color + (dir > 0 ? 1 : 2)) % 3;
		apply_color(ui);
		break;
	case ROW_SPACE:
		ui->set.space_pauses = !ui->set.space_pauses;
		break;
	case ROW_PANE:
		ui->setup_pane = (ui->setup_pane + (dir > 0 ? 1 : (int)tt_pane_count() - 1)) % (int)tt_pane_count();
		break;
	case ROW_SORT: {
		tt_pane_sort *ps = &ui->view.sort[ui->setup_pane];
		size_t c = ps->col;
		for (size_t i = 0; i < n; i++) {
			c = (c + n + (size_t)dir) % n;
			if (cols[c].cmp)
				break;
		}
		ps->col = c;
		ps->desc = cols[c].desc;
		break;
	}
	default:
		break;
	}
	return TT_R_REDRAW;
}

/* Space or Enter: edit the ports, invert the sort, show or hide a column;
 * on the other rows a step right. */
static int activate(tt_ui *ui, int r)
{
	if (r == ROW_PORTS) {
		char buf[512];
		return tt_ui_prompt_start(ui, TT_MODE_PORTS, tt_portset_format(&ui->app->collect.ports, buf, sizeof(buf)));
	}
	if (r == ROW_SORT) {
		ui->view.sort[ui->setup_pane].desc = !ui->view.sort[ui->setup_pane].desc;
		return TT_R_REDRAW;
	}
	if (r < ROW_COLS)
		return change(ui, r, 1);
	tt_pane_settings *p = &ui->set.pane[ui->setup_pane];
	size_t k = (size_t)(r - ROW_COLS);
	size_t ci = p->ncols ? p->order[k] : k;
	if (ci == 0) {
		size_t n;
		tt_ui_message(ui, TT_TONE_WARN, "%s names the row: always shown", tt_columns((size_t)ui->setup_pane, &n)[0].title);
		return TT_R_REDRAW;
	}
	if (ci < TT_SET_MAXCOLS)
		p->hidden[ci] = !p->hidden[ci];
	return TT_R_REDRAW;
}

int tt_ui_setup_key(tt_ui *ui, int key)
{
	int rows = (int)setup_rows(ui);
	int r = ui->setup_row;
	switch (key) {
	case KEY_ESC:
	case 'q':
	case KEY_F(2):
	case KEY_F(10):
	case 'S':
		ui->mode = TT_MODE_NORMAL;
		return TT_R_REBUILD;
	case KEY_UP:
	case 'k':
		ui->setup_row = r > 0 ? r - 1 : 0;
		return TT_R_REDRAW;
	case KEY_DOWN:
	case 'j':
		ui->setup_row = r + 1 < rows ? r + 1 : r;
		return TT_R_REDRAW;
	case KEY_HOME:
		ui->setup_row = 0;
		return TT_R_REDRAW;
	case KEY_END:
		ui->setup_row = rows - 1;
		return TT_R_REDRAW;
	case KEY_LEFT:
	case '-':
		return change(ui, r, -1);
	case KEY_RIGHT:
	case '+':
		return change(ui, r, 1);
	case '[':
	case KEY_F(7):
	case ']':
	case KEY_F(8):
		if (r >= ROW_COLS)
			move_col(ui, key == '[' || key == KEY_F(7) ? -1 : 1);
		return TT_R_REDRAW;
	case 'I':
		if (r == ROW_SORT)
			ui->view.sort[ui->setup_pane].desc = !ui->view.sort[ui->setup_pane].desc;
		return TT_R_REDRAW;
	case ' ':
	case '\n':
	case '\r':
	case KEY_ENTER:
		return activate(ui, r);
	default:
		return 0;
	}
}
