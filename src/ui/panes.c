/* The pane table: every pane of the dashboard, the first the one it opens
 * on.  A new pane: its file (src/ui/pane_NAME.c) and a line here. */
#include <string.h>

#include "tenantop/pane.h"

extern const tt_pane tt_pane_tenants, tt_pane_processes, tt_pane_sockets, tt_pane_lifecycle, tt_pane_databases,
	tt_pane_dbusers;

static const tt_pane *const panes[] = {
	&tt_pane_tenants,
	&tt_pane_processes,
	&tt_pane_sockets,
	&tt_pane_lifecycle,
	&tt_pane_databases,
	&tt_pane_dbusers,
};
_Static_assert(sizeof(panes) / sizeof(panes[0]) <= TT_PANE_MAX, "more panes than TT_PANE_MAX");

size_t tt_pane_count(void)
{
	return sizeof(panes) / sizeof(panes[0]);
}

const tt_pane *tt_pane_at(size_t i)
{
	return panes[i < tt_pane_count() ? i : 0];
}

long tt_pane_find(const char *id)
{
	for (size_t i = 0; i < tt_pane_count(); i++)
		if (!strcmp(panes[i]->id, id))
			return (long)i;
	return -1;
}

const tt_column *tt_columns(size_t pane, size_t *n)
{
	if (pane >= tt_pane_count()) {
		*n = 0;
		return NULL;
	}
	*n = panes[pane]->ncols;
	return panes[pane]->cols;
}
