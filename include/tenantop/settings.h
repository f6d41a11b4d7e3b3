/* The dashboard's own settings (F2 Setup): refresh delay, colours, watched
 * ports, and per pane the sort and the columns shown in their order.  Kept
 * in $XDG_CONFIG_HOME/tenantop/tenantoprc (default ~/.config/...), apart
 * from the rules file, written as soon as one changes (0600, never through
 * a symbolic link), read at start; a damaged file is reported and ignored.
 * Pure C: no ncurses, so tests drive it directly. */
#ifndef TENANTOP_SETTINGS_H
#define TENANTOP_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "tenantop/view.h"

#define TT_SET_MAXCOLS 32

enum tt_set_color { TT_COLOR_AUTO = 0, TT_COLOR_ON, TT_COLOR_OFF };

typedef struct tt_pane_settings {
	bool have_sort;
	size_t sort_col;           /* index in the pane's column table */
	bool sort_desc;
	size_t ncols;              /* 0 = the table's own order, all shown */
	size_t order[TT_SET_MAXCOLS]; /* column indices, in display order */
	bool hidden[TT_SET_MAXCOLS];  /* by column index */
} tt_pane_settings;

typedef struct tt_settings {
	double delay;              /* 0 = not set */
	int color;                 /* enum tt_set_color */
	char ports[256];           /* "" = not set */
	bool space_pauses;         /* Space on the tenants pane pauses (default: tags, as htop) */
	tt_pane_settings pane[TT_PANE_MAX]; /* by pane table index */
} tt_settings;

/* Defaults: nothing set; every pane in its table order, all shown. */
void tt_settings_default(tt_settings *s);
/* Fill in each pane's order/hidden from the column tables (ncols > 0 after). */
void tt_settings_complete(tt_settings *s);
/* The file's path; -1 when neither XDG_CONFIG_HOME nor HOME is set. */
int tt_settings_path(char *buf, size_t len);
/* Text form (what the file holds) and back.  parse: 0, or -1 with
 * "line N: why" (s is left at its defaults). */
int tt_settings_format(const tt_settings *s, char *buf, size_t len);
int tt_settings_parse(tt_settings *s, const char *text, char *err, size_t errlen);
/* load: 1 loaded, 0 no file, -1 damaged or unreadable (err says why; s is
 * the defaults).  save: 0, or -1 with a message (a symbolic link in the
 * file's place is refused). */
int tt_settings_load(tt_settings *s, const char *path, char *err, size_t errlen);
int tt_settings_save(const tt_settings *s, const char *path, char *err, size_t errlen);

/* The next refresh delay for + (dir 1) or - (dir -1), on a fixed ladder
 * from 0.2 s to 60 s (so 2 s is always reached again). */
double tt_settings_delay_step(double d, int dir);

#endif
