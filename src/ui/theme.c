/* The theme: colour pairs by severity with a monochrome fallback, and the
 * drawing primitives every part of the screen uses (a safe string in a
 * width, a filled run, word wrap, the line-art glyphs). */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tenantop/sanitize.h"
#include "tenantop/ui.h"

#include "draw.h"

attr_t ui_attr(const tt_ui *ui, int p)
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

int ui_tone_pair(int tone)
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
int ui_put(int y, int x, const char *s, int cols, attr_t a)
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

void ui_fill(int y, int x, int cols, attr_t a)
{
	attron(a);
	for (int i = 0; i < cols && x + i < COLS; i++)
		mvaddch(y, x + i, ' ');
	attroff(a);
}

/* For setup.c: pair is a P_* index (0 = normal) */
int tt_ui_put(const tt_ui *ui, int y, int x, const char *s, int cols, int pair, bool bold)
{
	return ui_put(y, x, s, cols, (pair ? ui_attr(ui, pair) : A_NORMAL) | (bold ? A_BOLD : 0));
}
void tt_ui_fill(const tt_ui *ui, int y, int x, int cols, int pair)
{
	ui_fill(y, x, cols, pair ? ui_attr(ui, pair) : A_NORMAL);
}

const char *ui_glyph_sep(const tt_ui *ui)
{
	return ui->ascii ? ">" : "\xe2\x80\xba"; /* › */
}

/* Word-wrap s into at most max lines of `width` columns (out[i], each
 * LINE_MAX bytes); returns the count, *rest = what did not fit ("" = all). */
int ui_wrap(const char *s, int width, char out[][WRAP_LINE], int max, const char **rest)
{
	int n = 0;
	const char *p = s;
	if (width < 1)
		width = 1;
	while (*p && n < max) {
		if (n)
			while (*p == ' ')
				p++;
		if (!*p)
			break;
		size_t fit = tt_display_prefix(p, (size_t)width);
		if (fit >= WRAP_LINE)
			fit = tt_display_prefix(p, 100);
		size_t cut = fit;
		if (p[fit]) {
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = fit ? fit : 1;
		}
		memcpy(out[n], p, cut);
		out[n][cut] = '\0';
		n++;
		p += cut;
	}
	if (n)
		while (*p == ' ')
			p++;
	if (rest)
		*rest = p;
	return n;
}

/* Wrap text so that `tail` ends the last line, whole and always visible:
 * when the text needs more than max lines it is cut with an ellipsis. */
int ui_wrap_tail(const tt_ui *ui, const char *text, const char *tail, int width, char out[][WRAP_LINE], int max)
{
	const char *rest;
	int n = ui_wrap(text, width, out, max, &rest);
	int tw = (int)tt_display_width(tail);
	if (!*rest && n && (int)tt_display_width(out[n - 1]) + tw <= width) {
		size_t o = strlen(out[n - 1]);
		snprintf(out[n - 1] + o, WRAP_LINE - o, "%s", tail);
		return n;
	}
	if (!*rest && n < max) {
		const char *t = tail;
		while (*t == ' ')
			t++;
		snprintf(out[n], WRAP_LINE, "%s", t);
		return *t ? n + 1 : n;
	}
	if (!n)
		return 0;
	/* cut the last line to make room for an ellipsis and the tail */
	char *last = out[n - 1];
	size_t keep = tt_display_prefix(last, (size_t)(width > tw + 1 ? width - tw - 1 : 0));
	last[keep] = '\0';
	size_t o = strlen(last);
	snprintf(last + o, WRAP_LINE - o, "%s%s", ui->ascii ? "~" : "\xe2\x80\xa6", tail);
	return n;
}

const char *ui_ellipsis(const tt_ui *ui)
{
	return ui->ascii ? "~" : "\xe2\x80\xa6";
}

/* ---------------------------------------------------------------- header */
int ui_sev_pair(int sev)
{
	return sev == TT_SEV_CRIT ? P_CRIT : sev == TT_SEV_WARN ? P_WARN : P_INFO;
}

