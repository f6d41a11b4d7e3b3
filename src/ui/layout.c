/* Which columns fit (include/tenantop/layout.h). */
#include <string.h>

#include "tenantop/layout.h"

/* Drop the columns numbered floor and above, the highest first, while the
 * need is over the width. */
static void drop_from(const tt_column *cols, size_t n, bool *on, const int *w, int floor, int width, int *need)
{
	while (*need > width) {
		int worst = -1;
		for (size_t i = 0; i < n; i++)
			if (on[i] && cols[i].prio >= floor && (worst < 0 || cols[i].prio >= cols[worst].prio))
				worst = (int)i;
		if (worst < 0)
			return;
		on[worst] = false;
		*need -= w[worst] + 1;
	}
}

static void shrink(const tt_column *cols, size_t n, const bool *on, int *w, int width, int *need)
{
	for (size_t i = 0; i < n && *need > width; i++)
		if (on[i] && cols[i].minw && w[i] > cols[i].minw) {
			int cut = *need - width < w[i] - cols[i].minw ? *need - width : w[i] - cols[i].minw;
			w[i] -= cut;
			*need -= cut;
		}
}

void tt_layout_columns(const tt_column *cols, size_t n, const bool *avail, const tt_pane_settings *pset, int width,
		       tt_col_layout *out)
{
	static const tt_pane_settings none;
	bool on[TT_MAX_SHOWN] = {false};
	int w[TT_MAX_SHOWN] = {0};
	int need = -1;
	if (!pset)
		pset = &none;
	if (n > TT_MAX_SHOWN)
		n = TT_MAX_SHOWN;
	for (size_t i = 0; i < n; i++) {
		on[i] = (!avail || avail[i]) && !(i < TT_SET_MAXCOLS && pset->hidden[i]);
		w[i] = cols[i].width;
		if (on[i])
			need += w[i] + 1;
	}
	drop_from(cols, n, on, w, 2, width, &need);
	shrink(cols, n, on, w, width, &need);
	drop_from(cols, n, on, w, 1, width, &need);
	int extra = width - need;
	out->n = 0;
	int x = 0;
	/* in the order chosen in Setup (the table's order by default) */
	size_t norder = pset->ncols ? pset->ncols : n;
	for (size_t k = 0; k < norder; k++) {
		size_t i = pset->ncols ? pset->order[k] : k;
		if (i >= n || !on[i])
			continue;
		int cw = w[i];
		if (cols[i].flex && extra > 0)
			cw += extra;
		if (x + cw > width) {
			/* a number cut short would show other digits ("1" for 15): left
			 * out; text keeps what fits, its cut marked */
			if (cols[i].right && !cols[i].flex)
				continue;
			cw = width - x;
		}
		if (cw <= 0)
			break;
		out->idx[out->n] = i;
		out->x[out->n] = x;
		out->w[out->n] = cw;
		out->n++;
		x += cw + 1;
	}
}
