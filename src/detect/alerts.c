/* The list of active alerts and severity names. */
#include <stdlib.h>
#include <string.h>

#include "tenantop/detect.h"

void tt_alerts_init(tt_alerts *a)
{
	memset(a, 0, sizeof(*a));
}

void tt_alerts_clear(tt_alerts *a)
{
	a->n = 0;
}

void tt_alerts_free(tt_alerts *a)
{
	free(a->v);
	memset(a, 0, sizeof(*a));
}

tt_alert *tt_alerts_add(tt_alerts *a)
{
	if (a->n == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 16;
		tt_alert *p = realloc(a->v, ncap * sizeof(*p));
		if (!p)
			return NULL;
		a->v = p;
		a->cap = ncap;
	}
	tt_alert *x = &a->v[a->n++];
	memset(x, 0, sizeof(*x));
	x->eta_s = -1;
	return x;
}

const char *tt_severity_name(int sev)
{
	switch (sev) {
	case TT_SEV_CRIT: return "critical";
	case TT_SEV_WARN: return "warning";
	default: return "info";
	}
}
