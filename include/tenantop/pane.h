/* A pane of the dashboard: one kind of row (tenants, processes, sockets,
 * ...), its column table, how its rows come from the model, what Enter
 * opens, its own keys and function-bar labels.  Each pane is one file in
 * src/ui (pane_*.c) filling a tt_pane; src/ui/panes.c lists them.  Adding
 * a pane is that file plus a line in the list.
 *
 * Pure C over the model (no ncurses, no /proc): cells read a row context
 * (the data and what the pane was opened on), never the whole view or the
 * dashboard, so tests drive them directly. */
#ifndef TENANTOP_PANE_H
#define TENANTOP_PANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenantop/detect.h"
#include "tenantop/model.h"
#include "tenantop/probe.h"
#include "tenantop/u64set.h"

struct tt_baseline;
struct tt_ui;

/* at most this many panes in the table (the settings keep one entry each) */
#define TT_PANE_MAX 8

/* Pseudo rows (not indices into the model). */
#define TT_ROW_UNATTRIBUTED 0xffffffffu /* tenants pane: the unattributed group */
#define TT_ROW_NOPROC 0xfffffffeu       /* processes pane: sockets no process holds; always last */

enum tt_cell_tone { TT_TONE_NORMAL = 0, TT_TONE_DIM, TT_TONE_OK, TT_TONE_WARN, TT_TONE_CRIT, TT_TONE_INFO };

/* What a pane was opened on: the row Enter was pressed on, one pane up. */
typedef struct tt_pane_ctx {
	char tenant[TT_NAME_MAX];
	bool tenant_unattr;  /* the unattributed group */
	int32_t pid;
	uint64_t start;
	bool noproc;         /* the "(no process)" row */
	long server;         /* databases: the server's index in the probe results */
} tt_pane_ctx;

/* What a cell reads: the data of this refresh and the pane's context. */
typedef struct tt_rowctx {
	const tt_model *m;
	const tt_alerts *alerts;
	const tt_db_results *db;   /* database probe results (NULL: none) */
	const tt_db_join *dbjoin;  /* session of each socket of m->snap */
	const char *db_why;        /* why there are no results ("" or NULL: there are) */
	const struct tt_baseline *base; /* normal levels, or NULL */
	const tt_u64set *closed;   /* sockets closed from the dashboard (ids), or NULL */
	bool ascii;                /* no UTF-8: ASCII arrows */
	const tt_pane_ctx *at;     /* what the pane was opened on */
} tt_rowctx;

/* A column: a row of the column table drives the header, the cell text,
 * the sort order and which columns drop first on a narrow terminal. */
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
	int (*cell)(const tt_rowctx *c, uint32_t row, char *buf, size_t len);
	/* compare two rows (ascending); NULL = not sortable */
	int (*cmp)(const tt_rowctx *c, uint32_t a, uint32_t b);
	int minw;            /* narrow terminals: may shrink to this (0 = never) */
	bool keep_end;       /* a cut cell keeps its end (an address's port) */
	/* whether it has anything to show now (NULL: always); when not, it is
	 * left out of the layout (Setup still lists it) */
	bool (*avail)(const tt_rowctx *c);
} tt_column;

/* The stable identity of a row, so the cursor follows it across refreshes. */
typedef struct tt_cursor_id {
	char tenant[TT_NAME_MAX];
	int32_t pid;
	uint64_t start;
	uint64_t sock;
	uint32_t special; /* TT_ROW_* for pseudo rows, 0 otherwise */
} tt_cursor_id;

/* The rows a pane builds (indices into the model, or TT_ROW_*). */
typedef struct tt_rows {
	uint32_t *v;
	size_t n, cap;
} tt_rows;
int tt_rows_push(tt_rows *r, uint32_t row); /* 0, or -1 out of memory */

/* What k and x collect: the pane hands processes and sockets to the
 * action menu, which copies them. */
typedef struct tt_act_sink {
	void *ctx;
	void (*proc)(void *ctx, const tt_proc *p, const char *tenant);
	void (*sock)(void *ctx, const tt_msock *ms, const char *tenant);
} tt_act_sink;
enum tt_pane_act { TT_PANE_ACT_NONE = 0, TT_PANE_ACT_SIGNAL, TT_PANE_ACT_CLOSE };

/* A key of the pane's own (looked up before the dashboard's keys); the
 * result is TT_R_* bits (include/tenantop/ui.h), or -1 to leave the key to
 * the dashboard. */
typedef struct tt_pane_key {
	int key;
	int (*fn)(struct tt_ui *ui);
} tt_pane_key;

typedef struct tt_pane {
	const char *id;            /* settings key, Setup: "tenants" */
	const char *title;         /* help heading: "Tenants" */
	const tt_column *cols;
	size_t ncols;
	const char *default_sort;  /* the id of the column sorted by at first */
	/* every row for this context (the view filters and sorts); *gone when
	 * what it was opened on is no longer there.  0, or -1 out of memory. */
	int (*build)(const tt_rowctx *c, tt_rows *out, bool *gone);
	void (*row_id)(const tt_rowctx *c, uint32_t row, tt_cursor_id *id);
	/* a tag's key; 0 = the row cannot be tagged (pseudo rows) */
	uint64_t (*row_key)(const tt_rowctx *c, uint32_t row);
	/* the text the row is searched and filtered by */
	void (*row_text)(const tt_rowctx *c, uint32_t row, char *buf, size_t len);
	/* c tags the leaking rows ("leaking tenants"); NULL: nothing leaks here */
	bool (*leaking)(const tt_rowctx *c, uint32_t row);
	const char *leaking_what;
	/* Enter on row: the id of the pane it opens and its context; NULL none */
	const char *(*enter)(const tt_rowctx *c, uint32_t row, tt_pane_ctx *next);
	/* this pane's part of the breadcrumb ("alice", "4242 php-fpm") */
	void (*crumb)(const tt_rowctx *c, char *buf, size_t len);
	/* the cursor row in words, whole (unsanitised); detail_lines at most */
	void (*detail)(const tt_rowctx *c, uint32_t row, char *buf, size_t len);
	int detail_lines;
	/* no rows, nothing filtered out, not gone: why (NULL: "nothing here") */
	void (*empty)(const tt_rowctx *c, char *buf, size_t len);
	/* k and x: what k does, the rows' processes or sockets (leaks: only
	 * the CLOSE_WAIT sockets, for x), the words after the target count */
	int act;
	void (*act_rows)(const tt_rowctx *c, uint32_t row, bool leaks, const tt_act_sink *sink);
	void (*act_scope)(const tt_rowctx *c, const uint32_t *rows, size_t n, bool leaks, char *buf, size_t len);
	bool x_every_row;          /* x: every row shown, not the tagged ones */
	const char *act_none;      /* k with no target row (NULL: the menu says) */
	/* its own keys, and its function-bar labels (NULL: not shown) */
	const tt_pane_key *keys;
	size_t nkeys;
	const char *enter_label;   /* "Open" */
	const char *act_label;     /* "Signal", "Close" */
	bool space_may_pause;      /* Setup's "Space pauses" applies here */
} tt_pane;

/* The members every pane file fills from its own `cols` table and its
 * functions of these names. */
#define TT_PANE_BASICS                                                                            \
	.cols = cols, .ncols = sizeof(cols) / sizeof(cols[0]), .build = build, .row_id = row_id,   \
	.row_key = row_key, .row_text = row_text, .crumb = crumb, .detail = detail

/* The pane table (src/ui/panes.c): the first is the one the dashboard
 * opens on. */
size_t tt_pane_count(void);
const tt_pane *tt_pane_at(size_t i);
long tt_pane_find(const char *id);
/* The column table of pane i (n = 0 and NULL past the table). */
const tt_column *tt_columns(size_t pane, size_t *n);

#endif
