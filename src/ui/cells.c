/* Cells the panes share (src/ui/cells.h). */
#include <stdio.h>
#include <string.h>

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

static int tenant_severity(const tt_rowctx *c, const char *tenant)
{
	int sev = -1;
	for (size_t i = 0; c->alerts && i < c->alerts->n; i++)
		if (!strcmp(c->alerts->v[i].tenant, tenant) && c->alerts->v[i].severity > sev)
			sev = c->alerts->v[i].severity;
	return sev;
}

int tt_cell_tenant_tone(const tt_rowctx *c, const char *tenant)
{
	int sev = tenant_severity(c, tenant);
	return sev == TT_SEV_CRIT ? TT_TONE_CRIT : sev == TT_SEV_WARN ? TT_TONE_WARN : TT_TONE_NORMAL;
}

int tt_cell_leak_tone(const tt_rowctx *c, const char *tenant, uint32_t n)
{
	return n ? tt_cell_tenant_tone(c, tenant) : TT_TONE_DIM;
}

const tt_alert *tt_cell_tenant_pool(const tt_rowctx *c, const char *tenant)
{
	for (size_t i = 0; c->alerts && i < c->alerts->n; i++) {
		const tt_alert *a = &c->alerts->v[i];
		/* alerts are sorted worst first: the first is the one to show */
		if (!strcmp(a->kind, "pool") && !strcmp(a->tenant, tenant))
			return a;
	}
	return NULL;
}
