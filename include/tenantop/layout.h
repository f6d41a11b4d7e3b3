/* Which columns of a pane fit in a width, and where: the columns with the
 * highest drop numbers go first (down to 2), the shrinkable ones shrink,
 * then the 1s go; 0 never goes; the flexible column takes what is left.
 * It depends on the width only (not on the sort), so < and > never change
 * what is shown.  Pure C: tests drive it directly. */
#ifndef TENANTOP_LAYOUT_H
#define TENANTOP_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "tenantop/pane.h"
#include "tenantop/settings.h"

#define TT_MAX_SHOWN 32

typedef struct tt_col_layout {
	size_t n;                 /* columns shown, left to right */
	size_t idx[TT_MAX_SHOWN]; /* index in the column table */
	int x[TT_MAX_SHOWN], w[TT_MAX_SHOWN];
} tt_col_layout;

/* avail[i]: column i has something to show (NULL: all have); pset: the
 * order and the hidden columns chosen in Setup (NULL: the table's). */
void tt_layout_columns(const tt_column *cols, size_t n, const bool *avail, const tt_pane_settings *pset, int width,
		       tt_col_layout *out);

#endif
