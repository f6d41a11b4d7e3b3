/* What the panes' cells share: number and age cells, the tone of a
 * tenant's severity, comparisons.  Internal to src/ui. */
#ifndef TT_UI_CELLS_H
#define TT_UI_CELLS_H

#include <stddef.h>
#include <stdint.h>

#include "tenantop/pane.h"

#define TT_CMP(a, b) (((a) > (b)) - ((a) < (b)))

/* "-" in the dim tone */
int tt_cell_dash(char *buf, size_t len);
/* a count, dim when 0 */
int tt_cell_num(char *buf, size_t len, uint32_t n);
/* an age, "-" (dim) when not positive, else in `tone` */
int tt_cell_age(char *buf, size_t len, double s, int tone);
/* the tone of a tenant's worst alert: crit, warn, else normal */
int tt_cell_tenant_tone(const tt_rowctx *c, uint32_t tenant); /* model index or TT_ROW_UNATTRIBUTED */
/* the tone of a leaked count of a tenant by name: dim when 0, else its alerts' */
int tt_cell_leak_tone(const tt_rowctx *c, const char *tenant, uint32_t n);
/* The tenant's pool alert (its own connection limit), the worst one; NULL none. */
const tt_alert *tt_cell_tenant_pool(const tt_rowctx *c, uint32_t tenant);

/* What k (the process) or x (leaks: its CLOSE_WAIT sockets) acts on. */
void tt_cell_act_proc(const tt_model *m, const tt_mproc *mp, bool leaks, const char *tenant, const tt_act_sink *sink);

/* A tenant row's stable id (its name), and its key for tags (salted by the
 * pane; never 0; 0 for a pseudo row). */
void tt_cell_tenant_row_id(const tt_rowctx *c, uint32_t row, tt_cursor_id *id);
uint64_t tt_cell_tenant_row_key(const tt_rowctx *c, uint32_t row, uint64_t salt);

#endif
