/* Cells the panes share (src/ui/cells.h). */
#include <stdio.h>
#include <string.h>

#include "tenantop/format.h"
#include "tenantop/output.h"

#include "cells.h"

int tt_cell_dash(char *buf, size_t len)
{
	snprintf(buf, len, "-");
	return TT_TONE_DIM;
}

int tt_cell_num(char *buf, size_t len, uint32_t n)
{
	snprintf(buf, len, "%u", n);
	return n ? TT_TONE_NORMAL : TT_TONE_DIM;
}

int tt_cell_age(char *buf, size_t len, double s, int tone)
{
	if (s <= 0)
		return tt_cell_dash(buf, len);
	tt_fmt_age(s, buf, len);
	return tone;
}

/* The tenant's verdict (detect/alerts.c judged it once per refresh), by
 * model index or TT_ROW_UNATTRIBUTED. */
static const tt_tenant_verdict *verdict(const tt_rowctx *c, uint32_t tenant)
{
	static const tt_tenant_verdict none = {-1, -1};
	if (!c->alerts)
		return &none;
	return tt_alerts_verdict(c->alerts, tenant == TT_ROW_UNATTRIBUTED ? TT_ALERTS_UNATTRIBUTED : tenant);
}

int tt_cell_tenant_tone(const tt_rowctx *c, uint32_t tenant)
{
	int sev = verdict(c, tenant)->severity;
	return sev == TT_SEV_CRIT ? TT_TONE_CRIT : sev == TT_SEV_WARN ? TT_TONE_WARN : TT_TONE_NORMAL;
}

int tt_cell_leak_tone(const tt_rowctx *c, const char *tenant, uint32_t n)
{
	if (!n)
		return TT_TONE_DIM;
	if (!strcmp(tenant, "(unattributed)"))
		return tt_cell_tenant_tone(c, TT_ROW_UNATTRIBUTED);
	long t = tt_model_find_tenant(c->m, tenant);
	return t < 0 ? TT_TONE_NORMAL : tt_cell_tenant_tone(c, (uint32_t)t);
}

const tt_alert *tt_cell_tenant_pool(const tt_rowctx *c, uint32_t tenant)
{
	long i = verdict(c, tenant)->pool;
	return i >= 0 && (size_t)i < c->alerts->n ? &c->alerts->v[i] : NULL;
}

void tt_cell_tenant_row_id(const tt_rowctx *c, uint32_t row, tt_cursor_id *id)
{
	snprintf(id->tenant, sizeof(id->tenant), "%s", c->m->tenants[row].name);
}

uint64_t tt_cell_tenant_row_key(const tt_rowctx *c, uint32_t row, uint64_t salt)
{
	if (row >= c->m->ntenants)
		return 0;
	uint64_t k = tt_hash_mix(salt, c->m->tenants[row].key);
	return k ? k : 1;
}

void tt_cell_act_proc(const tt_model *m, const tt_mproc *mp, bool leaks, const char *tenant, const tt_act_sink *sink)
{
	if (!leaks) {
		sink->proc(sink->ctx, mp->p, tenant);
		return;
	}
	for (uint32_t i = 0; i < mp->nrefs; i++) {
		const tt_msock *ms = &m->socks[m->refs[mp->first_ref + i]];
		if (ms->s->state == TT_ST_CLOSE_WAIT)
			sink->sock(sink->ctx, ms, tenant);
	}
}
