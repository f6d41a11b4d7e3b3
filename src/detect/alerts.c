/* The list of active alerts and severity names. */
#include <stdlib.h>
#include <string.h>

#include "tenantop/detect.h"
#include "tenantop/vec.h"

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
	tt_alert *x = TT_VEC_PUSH(a->v, a->n, a->cap);
	if (!x)
		return NULL;
	x->eta_s = -1;
	x->fill = -1;
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
