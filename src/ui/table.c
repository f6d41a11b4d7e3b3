/* The pane on the screen: the breadcrumb, which columns fit, the column
 * titles, the rows, and the detail line below them. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tenantop/sanitize.h"
#include "tenantop/ui.h"

#include "draw.h"

void ui_draw_crumb(tt_ui *ui, int y)
{
	char buf[512], right[240], sortdesc[160];
	ui_fill(y, 0, COLS, A_NORMAL);
	tt_view_breadcrumb(&ui->view, ui_glyph_sep(ui), buf, sizeof(buf));
	const tt_pane *pane = tt_view_pane(&ui->view);
	size_t n = pane->ncols;
	const tt_column *cols = pane->cols;
	const tt_pane_sort *ps = tt_view_sort(&ui->view);
	const char *title = ps->col < n ? cols[ps->col].title : "-";
	bool shown = false;
	for (size_t k = 0; k < ui->lay.n; k++)
		shown |= ui->lay.idx[k] == ps->col;
	const char *why = "";
	if (ps->col < n && !strcmp(cols[ps->col].id, "vs_base") && !tt_baseline_ready(&ui->ses.base))
		why = " (no baseline: b learns one)";
	else if (!shown)
		why = " (column hidden)";
	/* narrow: the arrow in the column titles says the sort; only a reason stays */
	if (COLS < 60 && !*why)
		sortdesc[0] = '\0';
	else if (COLS < 60)
		snprintf(sortdesc, sizeof(sortdesc), "sort %s%s", title, why);
	else
		snprintf(sortdesc, sizeof(sortdesc), "sort %s %s%s", title, ps->desc ? "desc" : "asc", why);
	int o = snprintf(right, sizeof(right), "%zu row%s%s%s", ui->view.nrows, ui->view.nrows == 1 ? "" : "s",
			 sortdesc[0] ? "  " : "", sortdesc);
	if (ui->view.filter[0] && o > 0 && (size_t)o < sizeof(right))
		snprintf(right + o, sizeof(right) - (size_t)o, "  filter \"%s\"", ui->view.filter);
	int rw = (int)tt_display_width(right);
	int x = ui_put(y, 0, buf, COLS - rw - 2 > 10 ? COLS - rw - 2 : COLS, A_BOLD);
	if (x + rw + 2 <= COLS)
		ui_put(y, COLS - rw, right, rw, ui_attr(ui, *why ? P_WARN : P_DIM));
}

/* ------------------------------------------------------------------ table */

bool ui_col_available(const tt_ui *ui, const tt_column *c)
{
	if (c->avail) {
		tt_rowctx rc = tt_view_rowctx(&ui->view);
		return c->avail(&rc);
	}
	if (!strcmp(c->id, "vs_base"))
		return tt_baseline_ready(&ui->ses.base);
	if (!strcmp(c->id, "eta")) {
		/* shown when a tenant has a limit of its own (a port's limit for
		 * every tenant has its ETA in the alert, not per tenant) */
		for (size_t i = 0; i < ui->app->conf.detect.nlimits; i++)
			if (ui->app->conf.detect.limits[i].tenant[0])
				return true;
		return ui->ses.alerts.tenant_pools;
	}
	return true;
}

/* Choose the columns that fit the terminal (src/ui/layout.c). */
void ui_layout_columns(tt_ui *ui)
{
	const tt_pane *pane = tt_view_pane(&ui->view);
	bool avail[TT_MAX_SHOWN];
	for (size_t i = 0; i < pane->ncols && i < TT_MAX_SHOWN; i++)
		avail[i] = ui_col_available(ui, &pane->cols[i]);
	tt_layout_columns(pane->cols, pane->ncols, avail, &ui->set.pane[tt_view_top(&ui->view)->pane], COLS, &ui->lay);
}

void ui_draw_header(tt_ui *ui, int y)
{
	const tt_column *cols = tt_view_pane(&ui->view)->cols;
	const tt_pane_sort *ps = tt_view_sort(&ui->view);
	ui_fill(y, 0, COLS, ui_attr(ui, P_COLHDR));
	const char *arrow = ui->ascii ? (ps->desc ? "v" : "^") : (ps->desc ? "\xe2\x96\xbc" : "\xe2\x96\xb2");
	for (size_t k = 0; k < ui->lay.n; k++) {
		size_t i = ui->lay.idx[k];
		bool sorted = i == ps->col;
		char t[128], title[48];
		snprintf(title, sizeof(title), "%s", cols[i].title);
		if (sorted && (int)strlen(title) + 1 > ui->lay.w[k] && ui->lay.w[k] > 1)
			title[ui->lay.w[k] - 1] = '\0'; /* a shrunk column keeps its arrow */
		if (sorted)
			snprintf(t, sizeof(t), "%s%s", cols[i].right ? arrow : title, cols[i].right ? title : arrow);
		else
			snprintf(t, sizeof(t), "%s", title);
		int tw = (int)tt_display_width(t);
		int x = ui->lay.x[k] + (cols[i].right && tw < ui->lay.w[k] ? ui->lay.w[k] - tw : 0);
		attr_t a = ui_attr(ui, sorted ? P_COLHDR_SORT : P_COLHDR);
		if (sorted)
			ui_fill(y, ui->lay.x[k], ui->lay.w[k], a);
		ui_put(y, x, t, ui->lay.w[k], a);
	}
}

/* A cell cut to w columns shows that it was cut: an ellipsis at the end,
 * or at the start for cells that keep their end (an address's port). */
static void cut_cell(const tt_ui *ui, char *buf, size_t len, int w, bool keep_end)
{
	int tw = (int)tt_display_width(buf);
	if (tw <= w || w < 2)
		return;
	const char *el = ui_ellipsis(ui);
	char tmp[1024];
	if (keep_end) {
		size_t skip = tt_display_prefix(buf, (size_t)(tw - (w - 1)));
		snprintf(tmp, sizeof(tmp), "%s%s", el, buf + skip);
	} else {
		size_t keep = tt_display_prefix(buf, (size_t)(w - 1));
		snprintf(tmp, sizeof(tmp), "%.*s%s", (int)keep, buf, el);
	}
	snprintf(buf, len, "%s", tmp);
}

static void draw_row(tt_ui *ui, const tt_rowctx *rc, int y, uint32_t row, bool selected)
{
	const tt_column *cols = tt_view_pane(&ui->view)->cols;
	attr_t sel = ui_attr(ui, P_SEL);
	bool tagged = tt_view_tagged(&ui->view, row);
	if (tagged)
		sel |= A_BOLD;
	if (selected)
		ui_fill(y, 0, COLS, sel);
	for (size_t k = 0; k < ui->lay.n; k++) {
		const tt_column *c = &cols[ui->lay.idx[k]];
		char buf[1024];
		int tone = c->cell(rc, row, buf, sizeof(buf));
		if (c->flex && ui->hscroll > 0 && ui->hscroll_pane == tt_view_top(&ui->view)->pane) {
			/* scrolled: drop the first columns, an ellipsis says so */
			size_t skip = tt_display_prefix(buf, (size_t)ui->hscroll);
			if (buf[skip]) {
				char tmp[1024];
				snprintf(tmp, sizeof(tmp), "%s%s", ui_ellipsis(ui), buf + skip);
				snprintf(buf, sizeof(buf), "%s", tmp);
			}
		}
		cut_cell(ui, buf, sizeof(buf), ui->lay.w[k], c->keep_end && !(c->flex && ui->hscroll > 0));
		attr_t a = selected ? sel : tagged ? ui_attr(ui, P_TAG) : ui_attr(ui, ui_tone_pair(tone));
		int w = (int)tt_display_width(buf);
		int x = ui->lay.x[k];
		if (c->right && w < ui->lay.w[k])
			x += ui->lay.w[k] - w;
		ui_put(y, x, buf, ui->lay.w[k], a);
	}
}

void ui_draw_list(tt_ui *ui, int top, int height)
{
	tt_view *v = &ui->view;
	tt_pane_state *ps = tt_view_top(v);
	tt_rowctx rc = tt_view_rowctx(v);
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
		draw_row(ui, &rc, top + i, v->rows[r], r == ps->cursor);
	}
	if (!v->nrows && height > 0) {
		char why[256] = "nothing here";
		if (!ui->ses.have_data)
			snprintf(why, sizeof(why), "collecting...");
		else if (v->filter[0])
			snprintf(why, sizeof(why), "no row matches the filter (\\ to change it, Esc in the prompt clears it)");
		else if (v->gone)
			snprintf(why, sizeof(why), "gone: it holds no watched sockets now (Esc to go back)");
		else if (tt_view_pane(v)->empty)
			tt_view_pane(v)->empty(&rc, why, sizeof(why));
		ui_put(top, 1, why, COLS - 1, ui_attr(ui, P_DIM));
	}
}

/* The cursor row in words, whole (the pane says them), made safe. */
void ui_detail_text(tt_ui *ui, char *out, size_t len)
{
	char raw[2048] = "";
	uint32_t row;
	out[0] = '\0';
	if (!ui->ses.have_data || !tt_view_cursor_row(&ui->view, &row))
		return;
	tt_rowctx rc = tt_view_rowctx(&ui->view);
	const tt_pane *p = tt_view_pane(&ui->view);
	if (p->detail)
		p->detail(&rc, row, raw, sizeof(raw));
	tt_sanitize(raw, strlen(raw), out, len);
}
