/* The dashboard's rows: a stack of open panes; the top one's rows built,
 * filtered, sorted, the cursor kept by stable id.  What a row is belongs
 * to the pane (src/ui/pane_*.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/view.h"

const tt_pane *tt_view_pane(const tt_view *v)
{
	return tt_pane_at(v->stack[v->depth ? v->depth - 1 : 0].pane);
}

tt_pane_state *tt_view_top(tt_view *v)
{
	return &v->stack[v->depth ? v->depth - 1 : 0];
}

const tt_pane_state *tt_view_top_c(const tt_view *v)
{
	return &v->stack[v->depth ? v->depth - 1 : 0];
}

tt_pane_sort *tt_view_sort(tt_view *v)
{
	return &v->sort[tt_view_top(v)->pane];
}

bool tt_view_cursor_row(const tt_view *v, uint32_t *row)
{
	const tt_pane_state *ps = tt_view_top_c(v);
	if (ps->cursor >= v->nrows)
		return false;
	*row = v->rows[ps->cursor];
	return true;
}

tt_rowctx tt_view_rowctx(const tt_view *v)
{
	tt_rowctx c = v->rc;
	c.at = &tt_view_top_c(v)->at;
	return c;
}

void tt_view_init(tt_view *v)
{
	memset(v, 0, sizeof(*v));
	tt_u64set_init(&v->tags);
	v->depth = 1;
	v->stack[0].pane = 0;
	for (size_t p = 0; p < tt_pane_count() && p < TT_PANE_MAX; p++) {
		const tt_pane *pane = tt_pane_at(p);
		for (size_t i = 0; i < pane->ncols; i++)
			if (pane->cols[i].cmp && !strcmp(pane->cols[i].id, pane->default_sort)) {
				v->sort[p].col = i;
				v->sort[p].desc = pane->cols[i].desc;
			}
	}
}

void tt_view_free(tt_view *v)
{
	free(v->rows);
	v->rows = NULL;
	v->nrows = v->rows_cap = 0;
	tt_u64set_free(&v->tags);
}

int tt_rows_push(tt_rows *r, uint32_t row)
{
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 256;
		uint32_t *p = realloc(r->v, ncap * sizeof(*p));
		if (!p)
			return -1;
		r->v = p;
		r->cap = ncap;
	}
	r->v[r->n++] = row;
	return 0;
}

uint64_t tt_view_row_key(const tt_view *v, uint32_t row)
{
	if (!v->rc.m)
		return 0;
	tt_rowctx c = tt_view_rowctx(v);
	return tt_view_pane(v)->row_key(&c, row);
}

bool tt_view_tag_toggle(tt_view *v)
{
	uint32_t row;
	if (!tt_view_cursor_row(v, &row))
		return false;
	uint64_t k = tt_view_row_key(v, row);
	if (!k)
		return false;
	if (!tt_u64set_del(&v->tags, k))
		tt_u64set_add(&v->tags, k);
	return true;
}

bool tt_view_tagged(const tt_view *v, uint32_t row)
{
	uint64_t k = tt_view_row_key(v, row);
	return k && tt_u64set_has(&v->tags, k);
}

void tt_view_untag_all(tt_view *v)
{
	tt_u64set_clear(&v->tags);
}

size_t tt_view_tag_leaking(tt_view *v)
{
	const tt_pane *p = tt_view_pane(v);
	tt_rowctx c = tt_view_rowctx(v);
	size_t n = 0;
	for (size_t i = 0; v->rc.m && p->leaking && i < v->nrows; i++) {
		uint32_t row = v->rows[i];
		uint64_t k = tt_view_row_key(v, row);
		if (k && p->leaking(&c, row) && tt_u64set_add(&v->tags, k) == 0)
			n++;
	}
	return n;
}

size_t tt_view_targets(const tt_view *v, uint32_t *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < v->nrows && n < max; i++)
		if (tt_view_tagged(v, v->rows[i]))
			out[n++] = v->rows[i];
	if (n)
		return n;
	uint32_t row;
	if (max && tt_view_cursor_row(v, &row) && tt_view_row_key(v, row))
		out[n++] = row;
	return n;
}

static void row_id(const tt_view *v, uint32_t row, tt_cursor_id *id)
{
	memset(id, 0, sizeof(*id));
	if (row == TT_ROW_UNATTRIBUTED || row == TT_ROW_NOPROC) {
		id->special = row;
		return;
	}
	tt_rowctx c = tt_view_rowctx(v);
	tt_view_pane(v)->row_id(&c, row, id);
}

static bool id_equal(const tt_cursor_id *a, const tt_cursor_id *b)
{
	return a->special == b->special && a->pid == b->pid && a->start == b->start && a->sock == b->sock &&
	       !strcmp(a->tenant, b->tenant);
}

void tt_view_row_text(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	buf[0] = '\0';
	if (row == TT_ROW_UNATTRIBUTED || row == TT_ROW_NOPROC) {
		snprintf(buf, len, "%s", row == TT_ROW_UNATTRIBUTED ? "(unattributed)" : "(no process)");
		return;
	}
	tt_rowctx c = tt_view_rowctx(v);
	if (v->rc.m)
		tt_view_pane(v)->row_text(&c, row, buf, len);
}

static bool passes(const tt_view *v, uint32_t row)
{
	if (!v->filter[0])
		return true;
	char text[1024];
	tt_view_row_text(v, row, text, sizeof(text));
	return strcasestr(text, v->filter) != NULL;
}

static int sort_cmp(const void *a, const void *b, void *ctx)
{
	const tt_view *v = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	/* the "(no process)" row stays at the bottom; "(unattributed)" sorts
	 * like any tenant (it is often where a TIME_WAIT storm shows) */
	bool px = x == TT_ROW_NOPROC, py = y == TT_ROW_NOPROC;
	if (px != py)
		return px ? 1 : -1;
	if (px)
		return 0;
	const tt_pane *p = tt_view_pane(v);
	const tt_pane_sort *s = &v->sort[tt_view_top_c(v)->pane];
	int c = 0;
	if (s->col < p->ncols && p->cols[s->col].cmp) {
		tt_rowctx rc = tt_view_rowctx(v);
		c = p->cols[s->col].cmp(&rc, x, y);
	}
	if (s->desc)
		c = -c;
	if (c == 0) /* stable tie-break: the model's own order */
		c = (x > y) - (x < y);
	return c;
}

/* The cursor follows its row; a row that left keeps the position. */
static void place_cursor(tt_view *v)
{
	tt_pane_state *ps = tt_view_top(v);
	if (ps->have_id) {
		for (size_t i = 0; i < v->nrows; i++) {
			tt_cursor_id id;
			row_id(v, v->rows[i], &id);
			if (id_equal(&id, &ps->id)) {
				ps->cursor = i;
				break;
			}
		}
	}
	if (ps->cursor >= v->nrows)
		ps->cursor = v->nrows ? v->nrows - 1 : 0;
	if (v->nrows) {
		row_id(v, v->rows[ps->cursor], &ps->id);
		ps->have_id = true;
	}
}

int tt_view_rebuild(tt_view *v, const tt_model *m, const tt_alerts *alerts)
{
	v->rc.m = m;
	v->rc.alerts = alerts;
	v->nrows = 0;
	v->gone = false;
	tt_rows r = {v->rows, 0, v->rows_cap};
	tt_rowctx c = tt_view_rowctx(v);
	int rc = tt_view_pane(v)->build(&c, &r, &v->gone);
	v->rows = r.v;
	v->rows_cap = r.cap;
	/* the filter keeps the rows whose text holds it, in the pane's order */
	for (size_t i = 0; i < r.n; i++)
		if (passes(v, r.v[i]))
			v->rows[v->nrows++] = r.v[i];
	if (v->nrows > 1)
		qsort_r(v->rows, v->nrows, sizeof(*v->rows), sort_cmp, v);
	place_cursor(v);
	return rc;
}

static void remember(tt_view *v)
{
	tt_pane_state *ps = tt_view_top(v);
	if (ps->cursor < v->nrows) {
		row_id(v, v->rows[ps->cursor], &ps->id);
		ps->have_id = true;
	}
}

static void scroll_to(tt_view *v, size_t height)
{
	tt_pane_state *ps = tt_view_top(v);
	if (height == 0)
		height = 1;
	if (ps->cursor < ps->scroll)
		ps->scroll = ps->cursor;
	else if (ps->cursor >= ps->scroll + height)
		ps->scroll = ps->cursor - height + 1;
	if (ps->scroll + height > v->nrows)
		ps->scroll = v->nrows > height ? v->nrows - height : 0;
}

void tt_view_move(tt_view *v, long delta, size_t height)
{
	tt_pane_state *ps = tt_view_top(v);
	if (!v->nrows)
		return;
	long c = (long)ps->cursor + delta;
	if (c < 0)
		c = 0;
	if ((size_t)c >= v->nrows)
		c = (long)v->nrows - 1;
	ps->cursor = (size_t)c;
	remember(v);
	scroll_to(v, height);
}

void tt_view_home(tt_view *v, size_t height)
{
	tt_view_move(v, -(long)v->nrows, height);
}

void tt_view_end(tt_view *v, size_t height)
{
	tt_view_move(v, (long)v->nrows, height);
}

void tt_view_select(tt_view *v, size_t row, size_t height)
{
	if (row < v->nrows)
		tt_view_move(v, (long)row - (long)tt_view_top(v)->cursor, height);
}

bool tt_view_open(tt_view *v, size_t pane, const tt_pane_ctx *at)
{
	if (v->depth >= TT_VIEW_DEPTH || pane >= tt_pane_count())
		return false;
	remember(v);
	tt_pane_state *np = &v->stack[v->depth++];
	memset(np, 0, sizeof(*np));
	np->pane = pane;
	if (at)
		np->at = *at;
	tt_u64set_clear(&v->tags);
	v->filter[0] = '\0';
	return true;
}

bool tt_view_enter(tt_view *v)
{
	const tt_pane *p = tt_view_pane(v);
	uint32_t row;
	if (!p->enter || !v->rc.m || !tt_view_cursor_row(v, &row))
		return false;
	tt_pane_ctx next;
	memset(&next, 0, sizeof(next));
	tt_rowctx c = tt_view_rowctx(v);
	const char *to = p->enter(&c, row, &next);
	long k = to ? tt_pane_find(to) : -1;
	return k >= 0 && tt_view_open(v, (size_t)k, &next);
}

bool tt_view_back(tt_view *v)
{
	if (v->depth <= 1)
		return false;
	v->depth--;
	v->filter[0] = '\0';
	tt_u64set_clear(&v->tags);
	return true; /* the pane's saved id puts the cursor back on the row we came from */
}

void tt_view_sort_next(tt_view *v, int dir)
{
	const tt_pane *p = tt_view_pane(v);
	size_t n = p->ncols;
	size_t c = tt_view_sort(v)->col;
	for (size_t i = 0; i < n; i++) {
		c = (c + n + (size_t)(dir < 0 ? -1 : 1)) % n;
		if (p->cols[c].cmp)
			break;
	}
	tt_view_sort_by(v, c);
}

void tt_view_sort_by(tt_view *v, size_t col)
{
	const tt_pane *p = tt_view_pane(v);
	tt_pane_sort *s = tt_view_sort(v);
	if (col >= p->ncols || !p->cols[col].cmp)
		return;
	if (s->col == col) {
		s->desc = !s->desc;
		return;
	}
	s->col = col;
	s->desc = p->cols[col].desc;
}

void tt_view_invert(tt_view *v)
{
	tt_view_sort(v)->desc = !tt_view_sort(v)->desc;
}

bool tt_view_search(tt_view *v, const char *text, bool here, size_t height)
{
	if (!text[0] || !v->nrows)
		return false;
	tt_pane_state *ps = tt_view_top(v);
	char buf[1024];
	for (size_t k = here ? 0 : 1; k <= v->nrows; k++) {
		size_t i = (ps->cursor + k) % v->nrows;
		tt_view_row_text(v, v->rows[i], buf, sizeof(buf));
		if (strcasestr(buf, text)) {
			tt_view_select(v, i, height);
			return true;
		}
	}
	return false;
}

void tt_view_breadcrumb(const tt_view *v, const char *sep, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < v->depth && o < len; i++) {
		tt_rowctx c = v->rc;
		c.at = &v->stack[i].at;
		char part[256];
		tt_pane_at(v->stack[i].pane)->crumb(&c, part, sizeof(part));
		int n = i ? snprintf(buf + o, len - o, " %s %s", sep, part) : snprintf(buf + o, len - o, "%s", part);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}
