/* The dashboard's view of the model: a stack of open panes (each with its
 * context and cursor), the rows the top one shows, in which order.  Pure
 * C over the model (no ncurses, no /proc), so tests drive it directly.
 *
 * What a row is and what Enter opens is the pane's (include/tenantop/
 * pane.h); the view filters, sorts and keeps the cursor by the row's
 * stable id, so it follows the same row across refreshes and re-sorts. */
#ifndef TENANTOP_VIEW_H
#define TENANTOP_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenantop/pane.h"

/* An open pane: which one, what it was opened on, where its cursor is. */
#define TT_VIEW_DEPTH 8
typedef struct tt_pane_state {
	size_t pane;         /* index in the pane table */
	tt_pane_ctx at;      /* what it was opened on */
	size_t cursor;       /* row index */
	size_t scroll;       /* first row shown */
	tt_cursor_id id;     /* what the cursor is on */
	bool have_id;
} tt_pane_state;

/* The sort of a kind of pane (kept while it is closed, saved in Setup). */
typedef struct tt_pane_sort {
	size_t col;          /* index in the column table */
	bool desc;
} tt_pane_sort;

typedef struct tt_view {
	tt_rowctx rc;        /* the data (rc.at unused: tt_view_rowctx gives the top pane's) */
	tt_pane_state stack[TT_VIEW_DEPTH]; /* the open panes, [0] the first */
	size_t depth;
	tt_pane_sort sort[TT_PANE_MAX]; /* by pane table index */
	char filter[128];    /* case-insensitive substring, "" = none */
	uint32_t *rows;
	size_t nrows, rows_cap;
	bool gone;           /* what was drilled into has no sockets now */
	tt_u64set tags;      /* tagged rows of the top pane, by its row key */
} tt_view;

void tt_view_init(tt_view *v);
void tt_view_free(tt_view *v);
/* Rebuild the rows for the current level from the model (after a refresh,
 * a sort or a filter change) and put the cursor back on its row. */
int tt_view_rebuild(tt_view *v, const tt_model *m, const tt_alerts *alerts);
/* Cursor moves; the visible height is needed for page moves and scrolling. */
void tt_view_move(tt_view *v, long delta, size_t height);
void tt_view_home(tt_view *v, size_t height);
void tt_view_end(tt_view *v, size_t height);
void tt_view_select(tt_view *v, size_t row, size_t height);
/* The top pane, its state, its sort; the cursor's row (false: no rows). */
const tt_pane *tt_view_pane(const tt_view *v);
tt_pane_state *tt_view_top(tt_view *v);
const tt_pane_state *tt_view_top_c(const tt_view *v);
tt_pane_sort *tt_view_sort(tt_view *v);
bool tt_view_cursor_row(const tt_view *v, uint32_t *row);
/* What the top pane's cells read: the data and the top pane's context. */
tt_rowctx tt_view_rowctx(const tt_view *v);
/* Enter: open what the pane leads to from the cursor row (false: nothing). */
bool tt_view_enter(tt_view *v);
/* Open pane `pane` on top with context at (NULL: none); false when the
 * stack is full or there is no such pane. */
bool tt_view_open(tt_view *v, size_t pane, const tt_pane_ctx *at);
/* Back: close the top pane, cursor on the row we came from (false at the
 * first pane). */
bool tt_view_back(tt_view *v);
void tt_view_sort_next(tt_view *v, int dir);
void tt_view_sort_by(tt_view *v, size_t col);
void tt_view_invert(tt_view *v);
/* Incremental search: the first row from the cursor (including it when
 * `here`) whose text contains `text`; false when none. */
bool tt_view_search(tt_view *v, const char *text, bool here, size_t height);
/* The text a row is searched and filtered by. */
void tt_view_row_text(const tt_view *v, uint32_t row, char *buf, size_t len);
/* "tenants › alice › 4242 php-fpm" (sep between parts): each open pane's part. */
void tt_view_breadcrumb(const tt_view *v, const char *sep, char *buf, size_t len);
/* Tags (htop's Space): rows of the top pane, kept by identity across
 * refreshes, dropped when the pane changes.  The key of a row is 0 when it
 * cannot be tagged (pseudo rows). */
uint64_t tt_view_row_key(const tt_view *v, uint32_t row);
bool tt_view_tag_toggle(tt_view *v); /* the cursor row; false when not taggable */
bool tt_view_tagged(const tt_view *v, uint32_t row);
void tt_view_untag_all(tt_view *v);
/* htop's c, in bulk: tag every leaking row of the pane (tenants and
 * processes with leaked sockets, CLOSE_WAIT sockets); returns how many. */
size_t tt_view_tag_leaking(tt_view *v);
/* The rows an action applies to: the tagged ones, else the cursor row.
 * Fills out (model indices) up to max; returns how many. */
size_t tt_view_targets(const tt_view *v, uint32_t *out, size_t max);

#endif
