/* The drawing's parts, shared by the files that draw (internal to src/ui):
 * theme.c (colours, primitives), header.c, table.c, fbar.c, overlays.c;
 * draw.c puts a frame together from them. */
#ifndef TT_UI_DRAW_H
#define TT_UI_DRAW_H

#include <curses.h>
#include <stdbool.h>

#include "tenantop/ui.h"

/* theme.c: the attribute of a colour pair (P_*), monochrome aware */
attr_t ui_attr(const tt_ui *ui, int p);
int ui_tone_pair(int tone);               /* TT_TONE_* -> P_* */
int ui_sev_pair(int sev);                 /* TT_SEV_* -> P_* */
/* a safe string at (y, x) in at most cols columns; returns columns used */
int ui_put(int y, int x, const char *s, int cols, attr_t a);
void ui_fill(int y, int x, int cols, attr_t a);
const char *ui_glyph_sep(const tt_ui *ui); /* the breadcrumb's separator */
const char *ui_ellipsis(const tt_ui *ui);
/* Word-wrap s into at most max lines of `width` columns; returns the
 * count, *rest = what did not fit ("" = all). */
#define WRAP_LINE 512
int ui_wrap(const char *s, int width, char out[][WRAP_LINE], int max, const char **rest);
/* the same, `tail` always whole at the end of the last line */
int ui_wrap_tail(const tt_ui *ui, const char *text, const char *tail, int width, char out[][WRAP_LINE], int max);

/* header.c */
void ui_draw_title(tt_ui *ui, int y, bool compact);
void ui_draw_totals(tt_ui *ui, int y);
void ui_draw_alerts(tt_ui *ui, int y);

/* table.c: layout_columns first (the crumb says when the sort column is hidden) */
bool ui_col_available(const tt_ui *ui, const tt_column *c);
void ui_layout_columns(tt_ui *ui);
void ui_draw_crumb(tt_ui *ui, int y);
void ui_draw_header(tt_ui *ui, int y);
void ui_draw_list(tt_ui *ui, int top, int height);
void ui_detail_text(tt_ui *ui, char *out, size_t len);

/* fbar.c */
void ui_draw_fbar(tt_ui *ui, int y);
void ui_draw_prompt(tt_ui *ui, int y);

/* overlays.c */
void ui_draw_sort_menu(tt_ui *ui, int top, int height);
void ui_draw_help(tt_ui *ui);
void ui_draw_alert_list(tt_ui *ui);
void ui_draw_alert_panel(tt_ui *ui, int top, int rows);
int ui_panel_need(const tt_ui *ui);

#endif
