/* The dashboard's view of the model: which rows each pane shows, in which
 * order, and where the cursor is.  Pure C over the model (no ncurses, no
 * /proc), so tests drive it directly.
 *
 * Levels: tenants -> processes of one tenant -> sockets of one process.
 * Rows are indices into the model (tenants, procs, socks); pseudo rows
 * (unattributed sockets, sockets with no process) use TT_ROW_* values.
 * The cursor is kept by stable id (tenant name, pid + start time, socket
 * id), so it follows the same row across refreshes and re-sorts. */
#ifndef TENANTOP_VIEW_H
#define TENANTOP_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenantop/detect.h"
#include "tenantop/model.h"
#include "tenantop/probe.h"
#include "tenantop/u64set.h"

enum tt_level { TT_LV_TENANTS = 0, TT_LV_PROCS = 1, TT_LV_SOCKETS = 2, TT_LV_COUNT = 3 };

#define TT_ROW_UNATTRIBUTED 0xffffffffu /* tenants pane: the unattributed group */
#define TT_ROW_NOPROC 0xfffffffeu       /* processes pane: sockets no process holds */

/* A column: a row of the column table drives the header, the cell text,
 * the sort order and which columns drop first on a narrow terminal. */
enum tt_cell_tone { TT_TONE_NORMAL = 0, TT_TONE_DIM, TT_TONE_OK, TT_TONE_WARN, TT_TONE_CRIT, TT_TONE_INFO };

struct tt_view;
typedef struct tt_column {
	const char *id;      /* stable name, e.g. "close_wait" */
	const char *title;   /* header text */
	const char *help;    /* one line for the help screen */
	int width;           /* columns; the flexible column takes what is left */
	int prio;            /* 0 = never dropped; higher numbers drop first */
	bool right;          /* right-aligned (numbers) */
	bool flex;           /* takes the remaining width */
	bool desc;           /* default sort direction: descending */
	/* format row into buf; returns a tone for colouring */
	int (*cell)(const struct tt_view *v, uint32_t row, char *buf, size_t len);
	/* compare two rows (ascending); NULL = not sortable */
	int (*cmp)(const struct tt_view *v, uint32_t a, uint32_t b);
	int minw;            /* narrow terminals: may shrink to this (0 = never) */
	bool keep_end;       /* a cut cell keeps its end (an address's port) */
} tt_column;

/* The column tables (src/ui/columns.c). */
const tt_column *tt_columns(int level, size_t *n);

typedef struct tt_cursor_id {
	char tenant[TT_NAME_MAX];
	int32_t pid;
	uint64_t start;
	uint64_t sock;
	uint32_t special; /* TT_ROW_* for pseudo rows, 0 otherwise */
} tt_cursor_id;

typedef struct tt_pane_state {
	size_t sort_col;     /* index in the column table */
	bool sort_desc;
	size_t cursor;       /* row index */
	size_t scroll;       /* first row shown */
	tt_cursor_id id;     /* what the cursor is on */
	bool have_id;
} tt_pane_state;

typedef struct tt_view {
	const tt_model *m;
	const tt_alerts *alerts;
	const tt_db_results *db;   /* database sessions (NULL: none), paired per */
	const tt_db_join *dbjoin;  /* socket of m->snap by dbjoin */
	int level;
	tt_pane_state pane[TT_LV_COUNT];
	/* the path drilled into */
	char tenant[TT_NAME_MAX];
	bool tenant_unattr;  /* the unattributed group */
	int32_t pid;
	uint64_t start;
	bool noproc;         /* the "(no process)" row */
	char filter[128];    /* case-insensitive substring, "" = none */
	uint32_t *rows;
	size_t nrows, rows_cap;
	bool gone;           /* what was drilled into has no sockets now */
	bool ascii;          /* no UTF-8: ASCII arrows and line art */
	const struct tt_baseline *base; /* normal levels, or NULL */
	tt_u64set tags;      /* tagged rows of the current level, by tt_view_row_key */
	const tt_u64set *closed; /* sockets closed from the dashboard (ids), or NULL */
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
/* Enter: one level down from the cursor row (false when there is none). */
bool tt_view_enter(tt_view *v);
/* Back: one level up, cursor on the row we came from (false at the top). */
bool tt_view_back(tt_view *v);
void tt_view_sort_next(tt_view *v, int dir);
void tt_view_sort_by(tt_view *v, size_t col);
void tt_view_invert(tt_view *v);
/* Incremental search: the first row from the cursor (including it when
 * `here`) whose text contains `text`; false when none. */
bool tt_view_search(tt_view *v, const char *text, bool here, size_t height);
/* The text a row is searched and filtered by. */
void tt_view_row_text(const tt_view *v, uint32_t row, char *buf, size_t len);
/* "tenants › alice › 4242 php-fpm" (sep between parts). */
void tt_view_breadcrumb(const tt_view *v, const char *sep, char *buf, size_t len);
/* The tenant a tenants-pane row stands for (NULL for the unattributed row). */
const tt_mtenant *tt_view_tenant(const tt_view *v, uint32_t row);
/* Tags (htop's Space): tenants, processes and sockets, kept by identity
 * across refreshes, dropped when the level changes.  The key of a row is 0
 * when it cannot be tagged (pseudo rows). */
uint64_t tt_view_row_key(const tt_view *v, uint32_t row);
bool tt_view_tag_toggle(tt_view *v); /* the cursor row; false when not taggable */
bool tt_view_tagged(const tt_view *v, uint32_t row);
void tt_view_untag_all(tt_view *v);
/* htop's c, in bulk: tag every leaking row of the level (tenants and
 * processes with leaked sockets, CLOSE_WAIT sockets); returns how many. */
size_t tt_view_tag_leaking(tt_view *v);
/* The rows an action applies to: the tagged ones, else the cursor row.
 * Fills out (model indices) up to max; returns how many. */
size_t tt_view_targets(const tt_view *v, uint32_t *out, size_t max);

#endif
