/* Drawing the dashboard: header, totals with sparklines, alerts, the
 * breadcrumb, the pane's table, the function-key bar, and the overlays
 * (help, sort menu, prompts).  Colours by severity, with a monochrome
 * fallback; UTF-8 line art with an ASCII fallback. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tenantop/output.h"
#include "tenantop/record.h"
#include "tenantop/sanitize.h"
#include "tenantop/ui.h"

enum pair {
	P_TITLE = 1,
	P_COLHDR,
	P_COLHDR_SORT,
	P_SEL,
	P_OK,
	P_WARN,
	P_CRIT,
	P_INFO,
	P_DIM,
	P_FKEY,
	P_FLABEL,
	P_PAUSED,
	P_TAG,
	P_COUNT
};

static attr_t attr_of(const tt_ui *ui, int p)
{
	if (ui->color)
		return COLOR_PAIR(p) | ((p == P_CRIT || p == P_TITLE || p == P_TAG) ? A_BOLD : 0);
	switch (p) { /* monochrome: bold, reverse, underline, dim */
	case P_COLHDR:
	case P_SEL:
	case P_FLABEL:
	case P_PAUSED:
		return A_REVERSE;
	case P_COLHDR_SORT:
		return A_REVERSE | A_BOLD;
	case P_CRIT:
	case P_TITLE:
		return A_BOLD;
	case P_WARN:
		return A_UNDERLINE;
	case P_TAG:
		return A_BOLD | A_UNDERLINE;
	case P_DIM:
		return A_DIM;
	default:
		return A_NORMAL;
	}
}

static int tone_pair(int tone)
{
	switch (tone) {
	case TT_TONE_OK: return P_OK;
	case TT_TONE_WARN: return P_WARN;
	case TT_TONE_CRIT: return P_CRIT;
	case TT_TONE_INFO: return P_INFO;
	case TT_TONE_DIM: return P_DIM;
	default: return 0;
	}
}

void tt_ui_theme_init(tt_ui *ui)
{
	if (!ui->color)
		return;
	start_color();
	use_default_colors();
	init_pair(P_TITLE, COLOR_CYAN, -1);
	init_pair(P_COLHDR, COLOR_BLACK, COLOR_GREEN);
	init_pair(P_COLHDR_SORT, COLOR_BLACK, COLOR_CYAN);
	init_pair(P_SEL, COLOR_BLACK, COLOR_CYAN);
	init_pair(P_OK, COLOR_GREEN, -1);
	init_pair(P_WARN, COLOR_YELLOW, -1);
	init_pair(P_CRIT, COLOR_RED, -1);
	init_pair(P_INFO, COLOR_BLUE, -1);
	init_pair(P_DIM, COLORS >= 16 ? 8 : COLOR_WHITE, -1);
	init_pair(P_FKEY, COLOR_WHITE, -1);
	init_pair(P_FLABEL, COLOR_BLACK, COLOR_CYAN);
	init_pair(P_PAUSED, COLOR_BLACK, COLOR_YELLOW);
	init_pair(P_TAG, COLOR_YELLOW, -1);
}

/* Put a safe string at (y, x) in at most `cols` columns; returns columns used. */
static int put(int y, int x, const char *s, int cols, attr_t a)
{
	if (cols <= 0 || x >= COLS)
		return 0;
	if (x + cols > COLS)
		cols = COLS - x;
	size_t n = tt_display_prefix(s, (size_t)cols);
	char tmp[1024];
	if (n >= sizeof(tmp))
		n = tt_display_prefix(s, 200);
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	attron(a);
	mvaddnstr(y, x, tmp, (int)n);
	attroff(a);
	return (int)tt_display_width(tmp);
}

static void fill(int y, int x, int cols, attr_t a)
{
	attron(a);
	for (int i = 0; i < cols && x + i < COLS; i++)
		mvaddch(y, x + i, ' ');
	attroff(a);
}

static const char *glyph_sep(const tt_ui *ui)
{
	return ui->ascii ? ">" : "\xe2\x80\xba"; /* › */
}

/* ---------------------------------------------------------------- header */

static void sparkline(const tt_ui *ui, int series, int width, char *buf, size_t len)
{
	static const char *blocks[8] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
					"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"};
	static const char ascii[] = "_.-:=+*#";
	const tt_history *h = &ui->model.total_hist;
	size_t n = h->count < (size_t)width ? h->count : (size_t)width;
	uint32_t max = 0, min = UINT32_MAX;
	for (size_t i = 0; i < n; i++) {
		uint32_t v = tt_history_get(h, series, i);
		if (v > max)
			max = v;
		if (v < min)
			min = v;
	}
	size_t o = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < (size_t)width && o + 4 < len; k++) {
		/* oldest on the left; missing samples as blanks */
		size_t i = (size_t)width - 1 - k;
		if (i >= n) {
			buf[o++] = ' ';
			continue;
		}
		uint32_t v = tt_history_get(h, series, i);
		/* scaled between the window's least and greatest; flat = a low bar */
		int level = max == min ? (max ? 1 : 0) : (int)((uint64_t)(v - min) * 7 / (max - min));
		if (ui->ascii) {
			buf[o++] = ascii[level];
		} else {
			memcpy(buf + o, blocks[level], 3);
			o += 3;
		}
	}
	buf[o] = '\0';
}

static void draw_title(tt_ui *ui, int y, bool compact)
{
	char buf[512], tbuf[32];
	time_t now = ui->refreshed_at > 0 ? (time_t)ui->refreshed_at : time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	fill(y, 0, COLS, A_NORMAL);
	int x = put(y, 0, "tenantop", COLS, attr_of(ui, P_TITLE));
	const tt_scan_stats *st = &ui->model.snap.stats;
	snprintf(buf, sizeof(buf), "  %s  %s  every %gs  %s", ui->host, tbuf, ui->delay,
		 ui->source[0] ? ui->source : "-");
	x += put(y, x, buf, COLS - x, A_NORMAL);
	if (ui->have_data) {
		if (st->attribution_partial)
			x += put(y, x, "  attribution PARTIAL", COLS - x, attr_of(ui, P_WARN));
		else
			x += put(y, x, "  attribution complete", COLS - x, attr_of(ui, P_DIM));
		if (st->netns_read || st->netns_failed) {
			snprintf(buf, sizeof(buf), "  netns %u", st->netns_read + 1);
			x += put(y, x, buf, COLS - x, A_NORMAL);
			if (st->netns_failed) {
				snprintf(buf, sizeof(buf), " (%u unreadable)", st->netns_failed);
				x += put(y, x, buf, COLS - x, attr_of(ui, P_WARN));
			}
		}
	}
	if (compact && ui->alerts.n) {
		snprintf(buf, sizeof(buf), "  %zu alert%s", ui->alerts.n, ui->alerts.n == 1 ? "" : "s");
		x += put(y, x, buf, COLS - x, attr_of(ui, P_CRIT));
	}
	if (ui->replay) {
		snprintf(buf, sizeof(buf), "  REPLAY %zu/%zu%s", ui->replay_pos + 1, tt_replay_count(ui->replay),
			 ui->playing ? " playing" : "");
		x += put(y, x, buf, COLS - x, attr_of(ui, P_INFO) | A_BOLD);
	}
	if (ui->base.learning) {
		snprintf(buf, sizeof(buf), "  LEARNING %.0fs", ui->base.learn_until - ui->model.time);
		x += put(y, x, buf, COLS - x, attr_of(ui, P_INFO) | A_BOLD);
	} else if (tt_baseline_ready(&ui->base)) {
		x += put(y, x, "  baseline", COLS - x, attr_of(ui, P_DIM));
	}
	if (ui->paused)
		put(y, COLS > 8 ? COLS - 8 : 0, " PAUSED ", 8, attr_of(ui, P_PAUSED));
}

static void draw_totals(tt_ui *ui, int y)
{
	static const struct {
		const char *label;
		int state, series, pair;
	} items[] = {{"ESTAB", TT_ST_ESTABLISHED, TT_SER_ESTAB, P_OK},
		     {"CLOSE_WAIT", TT_ST_CLOSE_WAIT, TT_SER_CLOSE_WAIT, P_CRIT},
		     {"CLOSE", TT_ST_CLOSE, TT_SER_CLOSE, P_CRIT},
		     {"TIME_WAIT", TT_ST_TIME_WAIT, TT_SER_TIME_WAIT, P_DIM}};
	const tt_counts *c = &ui->model.totals;
	int spark = COLS >= 110 ? 12 : COLS >= 90 ? 8 : COLS >= 70 ? 4 : 0;
	int x = 0;
	char buf[160], sp[64];
	fill(y, 0, COLS, A_NORMAL);
	for (size_t i = 0; i < 4; i++) {
		snprintf(buf, sizeof(buf), "%s ", items[i].label);
		x += put(y, x, buf, COLS - x, attr_of(ui, P_DIM));
		snprintf(buf, sizeof(buf), "%u", c->st[items[i].state]);
		x += put(y, x, buf, COLS - x,
			 c->st[items[i].state] && items[i].pair == P_CRIT ? attr_of(ui, P_CRIT) : A_BOLD);
		if (spark) {
			sparkline(ui, items[i].series, spark, sp, sizeof(sp));
			x += 1;
			x += put(y, x, sp, COLS - x, attr_of(ui, items[i].pair));
		}
		x += 2;
	}
	snprintf(buf, sizeof(buf), "other %u", tt_counts_other(c));
	put(y, x, buf, COLS - x, attr_of(ui, P_DIM));
}

static void draw_alerts(tt_ui *ui, int y)
{
	char buf[512];
	fill(y, 0, COLS, A_NORMAL);
	const tt_scan_stats *st = &ui->model.snap.stats;
	if (!ui->alerts.n) {
		if (ui->have_data && st->attribution_partial)
			put(y, 0, st->partial_reason, COLS, attr_of(ui, P_WARN));
		else
			put(y, 0, ui->have_data ? "no alerts" : "collecting...", COLS, attr_of(ui, P_OK));
		return;
	}
	const tt_alert *a = &ui->alerts.v[0]; /* sorted: most severe first */
	size_t crit = 0;
	for (size_t i = 0; i < ui->alerts.n; i++)
		crit += ui->alerts.v[i].severity == TT_SEV_CRIT;
	snprintf(buf, sizeof(buf), "%zu alert%s", ui->alerts.n, ui->alerts.n == 1 ? "" : "s");
	int x = put(y, 0, buf, COLS, attr_of(ui, crit ? P_CRIT : P_WARN));
	if (crit) {
		snprintf(buf, sizeof(buf), " (%zu critical)", crit);
		x += put(y, x, buf, COLS - x, attr_of(ui, P_CRIT));
	}
	snprintf(buf, sizeof(buf), "  %s %s: %s", a->tenant, a->kind, a->message);
	put(y, x, buf, COLS - x, attr_of(ui, a->severity == TT_SEV_CRIT ? P_CRIT : a->severity == TT_SEV_WARN ? P_WARN : P_INFO));
}

static void draw_crumb(tt_ui *ui, int y)
{
	char buf[512], right[200];
	fill(y, 0, COLS, A_NORMAL);
	tt_view_breadcrumb(&ui->view, glyph_sep(ui), buf, sizeof(buf));
	size_t n;
	const tt_column *cols = tt_columns(ui->view.level, &n);
	const tt_pane_state *ps = &ui->view.pane[ui->view.level];
	int o = snprintf(right, sizeof(right), "%zu rows  sort %s %s", ui->view.nrows,
			 ps->sort_col < n ? cols[ps->sort_col].title : "-", ps->sort_desc ? "desc" : "asc");
	if (ui->view.filter[0] && o > 0 && (size_t)o < sizeof(right))
		snprintf(right + o, sizeof(right) - (size_t)o, "  filter \"%s\"", ui->view.filter);
	int rw = (int)tt_display_width(right);
	int x = put(y, 0, buf, COLS - rw - 2 > 10 ? COLS - rw - 2 : COLS, A_BOLD);
	if (x + rw + 2 <= COLS)
		put(y, COLS - rw, right, rw, attr_of(ui, P_DIM));
}

/* ------------------------------------------------------------------ table */

/* Choose the columns that fit: drop the highest priority numbers first. */
static void layout_columns(tt_ui *ui)
{
	size_t n;
	const tt_column *cols = tt_columns(ui->view.level, &n);
	bool on[TT_MAX_SHOWN];
	int need = 0;
	bool any_eta = false;
	for (size_t i = 0; i < ui->alerts.n; i++)
		any_eta |= ui->alerts.v[i].eta_s >= 0;
	size_t sorted = ui->view.pane[ui->view.level].sort_col;
	for (size_t i = 0; i < n && i < TT_MAX_SHOWN; i++) {
		/* columns with nothing to say this time are left out */
		on[i] = !(!strcmp(cols[i].id, "vs_base") && !tt_baseline_ready(&ui->base)) &&
			!(!strcmp(cols[i].id, "eta") && !any_eta && i != sorted);
		if (on[i])
			need += cols[i].width + 1;
	}
	while (need - 1 > COLS) {
		int worst = -1;
		for (size_t i = 0; i < n; i++)
			if (on[i] && cols[i].prio > 0 && i != sorted &&
			    (worst < 0 || cols[i].prio >= cols[worst].prio))
				worst = (int)i;
		if (worst < 0)
			break;
		on[worst] = false;
		need -= cols[worst].width + 1;
	}
	int extra = COLS - (need - 1);
	ui->ncols = 0;
	int x = 0;
	for (size_t i = 0; i < n; i++) {
		if (!on[i])
			continue;
		int w = cols[i].width;
		if (cols[i].flex && extra > 0)
			w += extra;
		if (x + w > COLS)
			w = COLS - x;
		if (w <= 0)
			break;
		ui->col_idx[ui->ncols] = i;
		ui->col_x[ui->ncols] = x;
		ui->col_w[ui->ncols] = w;
		ui->ncols++;
		x += w + 1;
	}
}

static void draw_header(tt_ui *ui, int y)
{
	size_t n;
	const tt_column *cols = tt_columns(ui->view.level, &n);
	const tt_pane_state *ps = &ui->view.pane[ui->view.level];
	fill(y, 0, COLS, attr_of(ui, P_COLHDR));
	for (size_t k = 0; k < ui->ncols; k++) {
		size_t i = ui->col_idx[k];
		bool sorted = i == ps->sort_col;
		char t[64];
		const char *arrow = ui->ascii ? (ps->sort_desc ? "v" : "^") : (ps->sort_desc ? "\xe2\x96\xbc" : "\xe2\x96\xb2");
		int tw = (int)strlen(cols[i].title);
		if (sorted && tw + 1 <= ui->col_w[k])
			snprintf(t, sizeof(t), cols[i].right ? "%s%s" : "%s%s", cols[i].right ? arrow : cols[i].title,
				 cols[i].right ? cols[i].title : arrow);
		else
			snprintf(t, sizeof(t), "%s", cols[i].title);
		int w = (int)tt_display_width(t);
		int x = ui->col_x[k] + (cols[i].right && w < ui->col_w[k] ? ui->col_w[k] - w : 0);
		attr_t a = attr_of(ui, sorted ? P_COLHDR_SORT : P_COLHDR);
		if (sorted)
			fill(y, ui->col_x[k], ui->col_w[k], a);
		put(y, x, t, ui->col_w[k], a);
	}
}

static void draw_row(tt_ui *ui, int y, uint32_t row, bool selected)
{
	size_t n;
	const tt_column *cols = tt_columns(ui->view.level, &n);
	attr_t sel = attr_of(ui, P_SEL);
	bool tagged = tt_view_tagged(&ui->view, row);
	if (tagged)
		sel |= A_BOLD;
	if (selected)
		fill(y, 0, COLS, sel);
	for (size_t k = 0; k < ui->ncols; k++) {
		const tt_column *c = &cols[ui->col_idx[k]];
		char buf[1024];
		int tone = c->cell(&ui->view, row, buf, sizeof(buf));
		attr_t a = selected ? sel : tagged ? attr_of(ui, P_TAG) : attr_of(ui, tone_pair(tone));
		int w = (int)tt_display_width(buf);
		int x = ui->col_x[k];
		if (c->right && w < ui->col_w[k])
			x += ui->col_w[k] - w;
		put(y, x, buf, ui->col_w[k], a);
	}
}

static void draw_list(tt_ui *ui, int top, int height)
{
	tt_view *v = &ui->view;
	tt_pane_state *ps = &v->pane[v->level];
	ui->list_top = top;
	ui->list_height = height;
	/* keep the cursor visible after a resize or a refresh */
	if (ps->cursor < ps->scroll)
		ps->scroll = ps->cursor;
	if (height > 0 && ps->cursor >= ps->scroll + (size_t)height)
		ps->scroll = ps->cursor - (size_t)height + 1;
	if (ps->scroll + (size_t)height > v->nrows)
		ps->scroll = v->nrows > (size_t)height ? v->nrows - (size_t)height : 0;
	for (int i = 0; i < height; i++) {
		size_t r = ps->scroll + (size_t)i;
		if (r >= v->nrows)
			break;
		draw_row(ui, top + i, v->rows[r], r == ps->cursor);
	}
	if (!v->nrows && height > 0) {
		const char *why = !ui->have_data ? "collecting..."
				  : v->filter[0] ? "no row matches the filter (\\ to change it, Esc in the prompt clears it)"
				  : v->gone ? "gone: it holds no watched sockets now (Esc to go back)"
				  : v->level == TT_LV_TENANTS ? "no sockets on the watched ports (p to choose ports)"
				  : "nothing here";
		put(top, 1, why, COLS - 1, attr_of(ui, P_DIM));
	}
}

/* --------------------------------------------------------- function bar */

static void draw_fbar(tt_ui *ui, int y)
{
	static const struct {
		const char *key, *label;
		int min_level;
	} items[] = {{"F1", "Help", 0},  {"F3", "Search", 0}, {"F4", "Filter", 0}, {"F5", "Ports", 0},
		     {"F6", "SortBy", 0}, {"Spc", "Pause", 0},  {"Ent", "Open", 0},   {"F9", "Signal", 1},
		     {"Esc", "Back", 1},  {"F10", "Quit", 0}};
	fill(y, 0, COLS, A_NORMAL);
	int x = 0;
	char l[16];
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		if (ui->view.level < items[i].min_level)
			continue;
		if (!strcmp(items[i].key, "Ent") && ui->view.level == TT_LV_SOCKETS)
			continue;
		if (!strcmp(items[i].key, "F9")) {
			if (ui->app->read_only || ui->replay)
				continue;
			x += put(y, x, "F9", COLS - x, attr_of(ui, P_FKEY) | A_BOLD);
			snprintf(l, sizeof(l), COLS >= 90 ? "%-7s" : "%-6s",
				 ui->view.level == TT_LV_SOCKETS ? "Close" : "Signal");
			x += put(y, x, l, COLS - x, attr_of(ui, P_FLABEL));
			continue;
		}
		if (!strcmp(items[i].key, "Spc") && ui->view.level != TT_LV_TENANTS && !ui->replay) {
			x += put(y, x, "Spc", COLS - x, attr_of(ui, P_FKEY) | A_BOLD);
			snprintf(l, sizeof(l), COLS >= 90 ? "%-7s" : "%-6s", "Tag");
			x += put(y, x, l, COLS - x, attr_of(ui, P_FLABEL));
			continue;
		}
		if (!strcmp(items[i].key, "Spc") && ui->replay) {
			x += put(y, x, "Spc", COLS - x, attr_of(ui, P_FKEY) | A_BOLD);
			snprintf(l, sizeof(l), COLS >= 90 ? "%-7s" : "%-6s", ui->playing ? "Stop" : "Play");
			x += put(y, x, l, COLS - x, attr_of(ui, P_FLABEL));
			continue;
		}
		if (!strcmp(items[i].key, "Spc") && ui->paused) {
			x += put(y, x, "Spc", COLS - x, attr_of(ui, P_FKEY) | A_BOLD);
			x += put(y, x, "Resume", COLS - x, attr_of(ui, P_PAUSED));
			continue;
		}
		x += put(y, x, items[i].key, COLS - x, attr_of(ui, P_FKEY) | A_BOLD);
		snprintf(l, sizeof(l), COLS >= 90 ? "%-7s" : "%-6s", items[i].label);
		x += put(y, x, l, COLS - x, attr_of(ui, P_FLABEL));
	}
	if (x < COLS)
		fill(y, x, COLS - x, attr_of(ui, P_FLABEL));
}

static void draw_prompt(tt_ui *ui, int y)
{
	const char *label = ui->mode == TT_MODE_SEARCH   ? "Search: "
			    : ui->mode == TT_MODE_FILTER ? "Filter: "
			    : ui->mode == TT_MODE_GOTO   ? "Go to (HH:MM[:SS] or #record): "
							 : "Ports (e.g. 3306,5432,6000-6010 or all): ";
	fill(y, 0, COLS, A_NORMAL);
	int x = put(y, 0, label, COLS, attr_of(ui, P_FKEY) | A_BOLD);
	char safe[256];
	tt_sanitize(ui->input, ui->input_len, safe, sizeof(safe));
	x += put(y, x, safe, COLS - x, A_NORMAL);
	const char *hint = ui->mode == TT_MODE_SEARCH ? "   Enter keep, Esc cancel, F3 next" : "   Enter apply, Esc cancel";
	put(y, x + 1, hint, COLS - x - 1, attr_of(ui, P_DIM));
	move(y, x < COLS ? x : COLS - 1);
}

/* --------------------------------------------------------------- overlays */

static void draw_sort_menu(tt_ui *ui, int top, int height)
{
	size_t n;
	const tt_column *cols = tt_columns(ui->view.level, &n);
	int w = 16;
	fill(top, 0, w, attr_of(ui, P_COLHDR));
	put(top, 0, "Sort by", w, attr_of(ui, P_COLHDR));
	int y = top + 1;
	for (size_t i = 0; i < n && y < top + height; i++) {
		if (!cols[i].cmp)
			continue;
		bool cur = i == ui->sort_menu;
		fill(y, 0, w, cur ? attr_of(ui, P_SEL) : A_NORMAL);
		put(y, 1, cols[i].title, w - 1, cur ? attr_of(ui, P_SEL) : A_NORMAL);
		mvaddch(y, w, ui->ascii ? '|' : ' ');
		y++;
	}
}

static const char *help_keys[][2] = {
	{"Up/Down PgUp/PgDn Home/End", "move the cursor (mouse: click a row, wheel scrolls)"},
	{"Enter Right, double click", "open: tenant -> its processes -> their sockets"},
	{"Esc Backspace Left", "back up, the cursor on the row you came from"},
	{"< > , .  F6", "choose the sort column (mouse: click a column title)"},
	{"I", "invert the sort order"},
	{"/  F3", "incremental search; n or F3 again: next match"},
	{"\\  F4", "filter rows by text (Esc in the prompt clears)"},
	{"p  F5", "choose the watched ports"},
	{"Space  Z", "tenants: pause (Z anywhere): the data freezes, keys keep working"},
	{"Space  U", "processes, sockets: tag the row (and move down); U untags all"},
	{"k  F9", "processes: send a signal; sockets: close them (SOCK_DESTROY); asks first"},
	{"b", "learn the normal levels (5 min; b again stops early), saved"},
	{"t T g", "replay: one refresh back / forward, go to a time; Space plays"},
	{"+ -", "refresh delay longer / shorter"},
	{"h ? F1", "this help"},
	{"q F10 Ctrl-C", "quit"},
};

static void draw_help(tt_ui *ui)
{
	erase();
	int y = 0;
	put(y++, 0, "tenantop - who is leaking database connections", COLS, attr_of(ui, P_TITLE));
	y++;
	for (size_t i = 0; i < sizeof(help_keys) / sizeof(help_keys[0]) && y < LINES - 1; i++, y++) {
		put(y, 1, help_keys[i][0], 28, A_BOLD);
		put(y, 30, help_keys[i][1], COLS - 30, A_NORMAL);
	}
	y++;
	size_t n;
	const tt_column *cols = tt_columns(ui->view.level, &n);
	static const char *names[] = {"Tenants", "Processes", "Sockets"};
	char buf[128];
	snprintf(buf, sizeof(buf), "%s pane columns:", names[ui->view.level]);
	if (y < LINES - 1)
		put(y++, 0, buf, COLS, attr_of(ui, P_TITLE));
	for (size_t i = 0; i < n && y < LINES - 1; i++, y++) {
		put(y, 1, cols[i].title, 12, A_BOLD);
		put(y, 14, cols[i].help, COLS - 14, A_NORMAL);
	}
	y++;
	static const char *alerts[][2] = {
		{"close_wait_ratio", "leaked (CLOSE_WAIT+CLOSE) over ESTABLISHED above leak_ratio"},
		{"leak_age", "a leaked socket held longer than leak_age"},
		{"leak_growth", "leaked sockets growing faster than growth_per_min"},
		{"time_wait_storm", "connections opened and closed too fast (TIME_WAIT)"},
		{"idle", "ESTABLISHED with no traffic for `idle`: pool slots doing nothing"},
		{"pool", "a configured limit near full, or forecast to fill (ETA)"},
		{"above_baseline", "leaked sockets well above the tenant's learned normal"},
	};
	if (y < LINES - 1)
		put(y++, 0, "Alerts:", COLS, attr_of(ui, P_TITLE));
	for (size_t i = 0; i < sizeof(alerts) / sizeof(alerts[0]) && y < LINES - 1; i++, y++) {
		put(y, 1, alerts[i][0], 18, A_BOLD);
		put(y, 20, alerts[i][1], COLS - 20, A_NORMAL);
	}
	put(LINES - 1, 0, "Press any key to return.", COLS, attr_of(ui, P_DIM));
}

/* The alerts panel at the bottom: every active alert, most severe first. */
static void draw_alert_panel(tt_ui *ui, int top, int rows)
{
	fill(top, 0, COLS, attr_of(ui, P_COLHDR));
	char buf[512];
	snprintf(buf, sizeof(buf), "ALERTS %zu", ui->alerts.n);
	put(top, 0, buf, COLS, attr_of(ui, P_COLHDR));
	for (int i = 0; i + 1 < rows && (size_t)i < ui->alerts.n; i++) {
		const tt_alert *a = &ui->alerts.v[i];
		int y = top + 1 + i;
		if (i + 2 == rows && ui->alerts.n > (size_t)rows - 1) {
			snprintf(buf, sizeof(buf), "... and %zu more (all of them: tenantop --batch)", ui->alerts.n - (size_t)i);
			put(y, 0, buf, COLS, attr_of(ui, P_DIM));
			break;
		}
		int pr = a->severity == TT_SEV_CRIT ? P_CRIT : a->severity == TT_SEV_WARN ? P_WARN : P_INFO;
		static const char *sev[] = {"info", "WARN", "CRIT"};
		char age[32], eta[48] = "";
		tt_fmt_age(ui->model.time - a->first_seen, age, sizeof(age));
		if (a->eta_s >= 0) {
			char e[32];
			snprintf(eta, sizeof(eta), "  ETA full %s", tt_fmt_age(a->eta_s, e, sizeof(e)));
		}
		int x = put(y, 0, sev[a->severity >= 0 && a->severity <= 2 ? a->severity : 0], 5, attr_of(ui, pr));
		snprintf(buf, sizeof(buf), " %6s  %-16s %-16s %s%s", age, a->tenant, a->kind, a->message, eta);
		put(y, x, buf, COLS - x, A_NORMAL);
	}
}

void tt_ui_draw(tt_ui *ui)
{
	erase();
	if (ui->mode == TT_MODE_HELP) {
		draw_help(ui);
		refresh();
		return;
	}
	bool compact = LINES < 16;
	int y = 0;
	draw_title(ui, y++, compact);
	if (!compact) {
		draw_totals(ui, y++);
		draw_alerts(ui, y++);
	}
	draw_crumb(ui, y++);
	layout_columns(ui);
	ui->header_row = y;
	draw_header(ui, y++);
	int bottom = LINES - 1; /* the function bar or a prompt */
	double now = 0;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	bool msg = ui->msg[0] && now < ui->msg_until;
	int height = bottom - y - (msg ? 1 : 0);
	/* alerts take the bottom of the screen when there is room */
	int panel = 0;
	if (ui->alerts.n && height >= 10 && ui->mode != TT_MODE_SORT) {
		panel = (int)ui->alerts.n + 1;
		if (panel > height / 3)
			panel = height / 3;
		if (panel < 3)
			panel = 3;
		height -= panel;
	}
	draw_list(ui, y, height > 0 ? height : 0);
	if (panel)
		draw_alert_panel(ui, y + height, panel);
	if (ui->mode == TT_MODE_SORT)
		draw_sort_menu(ui, y, height);
	if (msg) {
		fill(bottom - 1, 0, COLS, A_NORMAL);
		put(bottom - 1, 0, ui->msg, COLS, attr_of(ui, tone_pair(ui->msg_tone)));
	}
	if (ui->mode == TT_MODE_SIGNAL || ui->mode == TT_MODE_CONFIRM) {
		char q[1024];
		tt_ui_act_prompt(ui, q, sizeof(q));
		curs_set(0);
		fill(bottom, 0, COLS, A_NORMAL);
		put(bottom, 0, q, COLS, attr_of(ui, ui->mode == TT_MODE_CONFIRM ? P_CRIT : P_WARN));
	} else if (ui->mode == TT_MODE_SEARCH || ui->mode == TT_MODE_FILTER || ui->mode == TT_MODE_PORTS ||
	    ui->mode == TT_MODE_GOTO) {
		curs_set(1);
		draw_prompt(ui, bottom);
	} else {
		curs_set(0);
		draw_fbar(ui, bottom);
	}
	refresh();
}
