/* The dashboard's rows: build, filter, sort, cursor by stable id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/view.h"

void tt_view_init(tt_view *v)
{
	memset(v, 0, sizeof(*v));
	tt_u64set_init(&v->tags);
	for (int l = 0; l < TT_LV_COUNT; l++) {
		size_t n;
		const tt_column *cols = tt_columns(l, &n);
		/* default sort: leaks first */
		const char *def = l == TT_LV_SOCKETS ? "state" : "leaked";
		for (size_t i = 0; i < n; i++)
			if (cols[i].cmp && !strcmp(cols[i].id, def)) {
				v->pane[l].sort_col = i;
				v->pane[l].sort_desc = cols[i].desc;
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

uint64_t tt_view_row_key(const tt_view *v, uint32_t row)
{
	if (!v->m || row == TT_ROW_UNATTRIBUTED || row == TT_ROW_NOPROC)
		return 0;
	if (v->level == TT_LV_TENANTS && row < v->m->ntenants) {
		uint64_t k = tt_hash_mix(0x74656e61ULL, v->m->tenants[row].key);
		return k ? k : 1;
	}
	if (v->level == TT_LV_PROCS && row < v->m->nprocs) {
		const tt_proc *p = v->m->procs[row].p;
		uint64_t k = tt_hash_mix(tt_hash_mix(0x70726f63ULL, (uint64_t)p->pid), p->start_time);
		return k ? k : 1;
	}
	if (v->level == TT_LV_SOCKETS && row < v->m->nsocks)
		return v->m->socks[row].id ? v->m->socks[row].id : 1;
	return 0;
}

bool tt_view_tag_toggle(tt_view *v)
{
	const tt_pane_state *ps = &v->pane[v->level];
	if (ps->cursor >= v->nrows)
		return false;
	uint64_t k = tt_view_row_key(v, v->rows[ps->cursor]);
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
	size_t n = 0;
	for (size_t i = 0; v->m && i < v->nrows; i++) {
		uint32_t row = v->rows[i];
		uint64_t k = tt_view_row_key(v, row);
		bool leaking = false;
		if (!k)
			continue;
		if (v->level == TT_LV_TENANTS)
			leaking = tt_counts_leaked(&v->m->tenants[row].counts) > 0;
		else if (v->level == TT_LV_PROCS)
			leaking = tt_counts_leaked(&v->m->procs[row].counts) > 0;
		else
			leaking = v->m->socks[row].s->state == TT_ST_CLOSE_WAIT;
		if (leaking && tt_u64set_add(&v->tags, k) == 0)
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
	const tt_pane_state *ps = &v->pane[v->level];
	if (ps->cursor < v->nrows && max && tt_view_row_key(v, v->rows[ps->cursor]))
		out[n++] = v->rows[ps->cursor];
	return n;
}

const tt_mtenant *tt_view_tenant(const tt_view *v, uint32_t row)
{
	if (!v->m || row >= v->m->ntenants)
		return NULL;
	return &v->m->tenants[row];
}

static void row_id(const tt_view *v, uint32_t row, tt_cursor_id *id)
{
	memset(id, 0, sizeof(*id));
	const tt_model *m = v->m;
	if (row == TT_ROW_UNATTRIBUTED || row == TT_ROW_NOPROC) {
		id->special = row;
		return;
	}
	switch (v->level) {
	case TT_LV_TENANTS:
		snprintf(id->tenant, sizeof(id->tenant), "%s", m->tenants[row].name);
		break;
	case TT_LV_PROCS:
		id->pid = m->procs[row].p->pid;
		id->start = m->procs[row].p->start_time;
		break;
	default:
		id->sock = m->socks[row].id;
		break;
	}
}

static bool id_equal(const tt_cursor_id *a, const tt_cursor_id *b)
{
	return a->special == b->special && a->pid == b->pid && a->start == b->start && a->sock == b->sock &&
	       !strcmp(a->tenant, b->tenant);
}

static int push(tt_view *v, uint32_t row)
{
	if (v->nrows == v->rows_cap) {
		size_t ncap = v->rows_cap ? v->rows_cap * 2 : 256;
		uint32_t *p = realloc(v->rows, ncap * sizeof(*p));
		if (!p)
			return -1;
		v->rows = p;
		v->rows_cap = ncap;
	}
	v->rows[v->nrows++] = row;
	return 0;
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
	size_t n;
	const tt_column *cols = tt_columns(v->level, &n);
	const tt_pane_state *ps = &v->pane[v->level];
	int c = 0;
	if (ps->sort_col < n && cols[ps->sort_col].cmp)
		c = cols[ps->sort_col].cmp(v, x, y);
	if (ps->sort_desc)
		c = -c;
	if (c == 0) /* stable tie-break: the model's own order */
		c = (x > y) - (x < y);
	return c;
}

void tt_view_row_text(const tt_view *v, uint32_t row, char *buf, size_t len)
{
	const tt_model *m = v->m;
	buf[0] = '\0';
	if (row == TT_ROW_UNATTRIBUTED || row == TT_ROW_NOPROC) {
		snprintf(buf, len, "%s", row == TT_ROW_UNATTRIBUTED ? "(unattributed)" : "(no process)");
		return;
	}
	if (!m)
		return;
	char l[80], r[80];
	switch (v->level) {
	case TT_LV_TENANTS:
		snprintf(buf, len, "%s %s", m->tenants[row].name, m->tenants[row].detail);
		break;
	case TT_LV_PROCS: {
		const tt_proc *p = m->procs[row].p;
		snprintf(buf, len, "%d %s %s %s", p->pid, tt_model_str(m, p->user), tt_model_str(m, p->comm),
			 tt_model_str(m, p->cmdline));
		break;
	}
	default: {
		const tt_sock *k = m->socks[row].s;
		snprintf(buf, len, "%s %s %s %llu", tt_state_name(k->state), tt_sock_fmt_local(k, &m->snap, l, sizeof(l)),
			 tt_sock_fmt_remote(k, &m->snap, r, sizeof(r)), (unsigned long long)k->inode);
		break;
	}
	}
}

int tt_view_rebuild(tt_view *v, const tt_model *m, const tt_alerts *alerts)
{
	v->m = m;
	v->alerts = alerts;
	v->nrows = 0;
	v->gone = false;
	int rc = 0;
	switch (v->level) {
	case TT_LV_TENANTS:
		for (uint32_t i = 0; i < m->ntenants && rc == 0; i++)
			if (passes(v, i))
				rc = push(v, i);
		if (m->nunattr && rc == 0 && passes(v, TT_ROW_UNATTRIBUTED))
			rc = push(v, TT_ROW_UNATTRIBUTED);
		break;
	case TT_LV_PROCS: {
		long t = tt_model_find_tenant(m, v->tenant);
		if (t < 0) {
			v->gone = true;
			break;
		}
		const tt_mtenant *mt = &m->tenants[t];
		for (uint32_t i = 0; i < mt->nprocs && rc == 0; i++)
			if (passes(v, mt->first_proc + i))
				rc = push(v, mt->first_proc + i);
		if (mt->nunowned && rc == 0 && passes(v, TT_ROW_NOPROC))
			rc = push(v, TT_ROW_NOPROC);
		break;
	}
	default:
		if (v->tenant_unattr) {
			for (size_t i = 0; i < m->nunattr && rc == 0; i++)
				if (passes(v, m->unattr[i]))
					rc = push(v, m->unattr[i]);
			break;
		}
		long t = tt_model_find_tenant(m, v->tenant);
		if (t < 0) {
			v->gone = true;
			break;
		}
		const tt_mtenant *mt = &m->tenants[t];
		uint32_t first, n;
		if (v->noproc) {
			first = mt->first_unowned;
			n = mt->nunowned;
		} else {
			long p = tt_model_find_proc(m, t, v->pid, v->start);
			if (p < 0) {
				v->gone = true;
				break;
			}
			first = m->procs[p].first_ref;
			n = m->procs[p].nrefs;
		}
		for (uint32_t i = 0; i < n && rc == 0; i++)
			if (passes(v, m->refs[first + i]))
				rc = push(v, m->refs[first + i]);
		if (n == 0)
			v->gone = true;
		break;
	}
	if (v->nrows > 1)
		qsort_r(v->rows, v->nrows, sizeof(*v->rows), sort_cmp, v);
	/* the cursor follows its row; a row that left keeps the position */
	tt_pane_state *ps = &v->pane[v->level];
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
	return rc;
}

static void remember(tt_view *v)
{
	tt_pane_state *ps = &v->pane[v->level];
	if (ps->cursor < v->nrows) {
		row_id(v, v->rows[ps->cursor], &ps->id);
		ps->have_id = true;
	}
}

static void scroll_to(tt_view *v, size_t height)
{
	tt_pane_state *ps = &v->pane[v->level];
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
	tt_pane_state *ps = &v->pane[v->level];
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
		tt_view_move(v, (long)row - (long)v->pane[v->level].cursor, height);
}

bool tt_view_enter(tt_view *v)
{
	tt_pane_state *ps = &v->pane[v->level];
	if (ps->cursor >= v->nrows || v->level == TT_LV_SOCKETS)
		return false;
	uint32_t row = v->rows[ps->cursor];
	remember(v);
	tt_u64set_clear(&v->tags);
	if (v->level == TT_LV_TENANTS) {
		v->tenant_unattr = row == TT_ROW_UNATTRIBUTED;
		v->noproc = false;
		if (v->tenant_unattr) {
			snprintf(v->tenant, sizeof(v->tenant), "(unattributed)");
			v->level = TT_LV_SOCKETS;
		} else {
			snprintf(v->tenant, sizeof(v->tenant), "%s", v->m->tenants[row].name);
			v->level = TT_LV_PROCS;
		}
	} else {
		v->noproc = row == TT_ROW_NOPROC;
		if (!v->noproc) {
			v->pid = v->m->procs[row].p->pid;
			v->start = v->m->procs[row].p->start_time;
		}
		v->level = TT_LV_SOCKETS;
	}
	tt_pane_state *np = &v->pane[v->level];
	np->cursor = 0;
	np->scroll = 0;
	np->have_id = false;
	v->filter[0] = '\0';
	return true;
}

bool tt_view_back(tt_view *v)
{
	if (v->level == TT_LV_TENANTS)
		return false;
	if (v->level == TT_LV_SOCKETS && v->tenant_unattr)
		v->level = TT_LV_TENANTS;
	else
		v->level--;
	v->filter[0] = '\0';
	tt_u64set_clear(&v->tags);
	return true; /* the pane's saved id puts the cursor back on the row we came from */
}

void tt_view_sort_next(tt_view *v, int dir)
{
	size_t n;
	const tt_column *cols = tt_columns(v->level, &n);
	tt_pane_state *ps = &v->pane[v->level];
	size_t c = ps->sort_col;
	for (size_t i = 0; i < n; i++) {
		c = (c + n + (size_t)(dir < 0 ? -1 : 1)) % n;
		if (cols[c].cmp)
			break;
	}
	tt_view_sort_by(v, c);
}

void tt_view_sort_by(tt_view *v, size_t col)
{
	size_t n;
	const tt_column *cols = tt_columns(v->level, &n);
	tt_pane_state *ps = &v->pane[v->level];
	if (col >= n || !cols[col].cmp)
		return;
	if (ps->sort_col == col) {
		ps->sort_desc = !ps->sort_desc;
		return;
	}
	ps->sort_col = col;
	ps->sort_desc = cols[col].desc;
}

void tt_view_invert(tt_view *v)
{
	v->pane[v->level].sort_desc = !v->pane[v->level].sort_desc;
}

bool tt_view_search(tt_view *v, const char *text, bool here, size_t height)
{
	if (!text[0] || !v->nrows)
		return false;
	tt_pane_state *ps = &v->pane[v->level];
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
	int n = snprintf(buf, len, "tenants");
	if (v->level >= TT_LV_PROCS && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " %s %s", sep, v->tenant);
	if (v->level == TT_LV_SOCKETS && !v->tenant_unattr && n >= 0 && (size_t)n < len) {
		if (v->noproc) {
			snprintf(buf + n, len - (size_t)n, " %s (no process)", sep);
		} else {
			const char *comm = "";
			if (v->m) {
				long t = tt_model_find_tenant(v->m, v->tenant);
				long p = t >= 0 ? tt_model_find_proc(v->m, t, v->pid, v->start) : -1;
				if (p >= 0)
					comm = tt_model_str(v->m, v->m->procs[p].p->comm);
			}
			snprintf(buf + n, len - (size_t)n, " %s %d %s", sep, v->pid, comm);
		}
	}
}
