/* The list of active alerts and severity names. */
#include <stdlib.h>
#include <string.h>

#include "tenantop/alerts.h"
#include "tenantop/vec.h"

void tt_alerts_init(tt_alerts *a)
{
	memset(a, 0, sizeof(*a));
	a->unattributed.severity = -1;
	a->unattributed.pool = -1;
}

void tt_alerts_clear(tt_alerts *a)
{
	a->n = 0;
	a->ntenant = 0;
	a->tenant_pools = false;
	a->unattributed.severity = -1;
	a->unattributed.pool = -1;
}

void tt_alerts_free(tt_alerts *a)
{
	free(a->v);
	free(a->tenant);
	tt_alerts_init(a);
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

static const tt_alert_kind_info kinds[TT_AK_COUNT] = {
	[TT_AK_CLOSE_WAIT_RATIO] = {"close_wait_ratio", "leaked (CLOSE_WAIT+CLOSE) over ESTABLISHED above leak_ratio"},
	[TT_AK_LEAK_AGE] = {"leak_age", "a leaked socket held longer than leak_age"},
	[TT_AK_LEAK_GROWTH] = {"leak_growth", "leaked sockets growing faster than growth_per_min"},
	[TT_AK_TIME_WAIT_STORM] = {"time_wait_storm", "connections opened and closed too fast (TIME_WAIT)"},
	[TT_AK_IDLE] = {"idle", "ESTABLISHED with no traffic for `idle`: pool slots doing nothing"},
	[TT_AK_POOL] = {"pool", "a connection limit (configured, or read from the server) near full, or forecast to fill "
				"(ETA from the last minute's growth; steady when it stopped growing; FULL or over its limit)"},
	[TT_AK_POOL_WAITING] = {"pool_waiting", "a pooler's clients of this tenant waiting for a server connection now"},
	[TT_AK_ABOVE_BASELINE] = {"above_baseline", "leaked sockets well above the tenant's learned normal"},
	[TT_AK_LIFECYCLE] = {"lifecycle", "its connections' lifecycle departs from its learned normal (eBPF events): "
					  "CLOSE_WAIT lasting 10x its usual, or lifetimes collapsing to cycling"},
};

const tt_alert_kind_info *tt_alert_kinds(size_t *n)
{
	*n = TT_AK_COUNT;
	return kinds;
}

const char *tt_alert_kind_name(int kind)
{
	return kind >= 0 && kind < TT_AK_COUNT ? kinds[kind].name : "unknown";
}

static void verdict_take(tt_tenant_verdict *t, const tt_alert *x, long i)
{
	if (x->severity > t->severity)
		t->severity = x->severity;
	if (x->kind == TT_AK_POOL && t->pool < 0)
		t->pool = i; /* sorted worst first: the first is the one to show */
}

int tt_alerts_judge(tt_alerts *a, const tt_model *m)
{
	if (TT_VEC_RESERVE(a->tenant, a->captenant, m->ntenants) < 0)
		return -1;
	a->ntenant = m->ntenants;
	a->tenant_pools = false;
	static const tt_tenant_verdict none = {-1, -1};
	for (size_t i = 0; i < a->ntenant; i++)
		a->tenant[i] = none;
	a->unattributed = none;
	for (size_t i = 0; i < a->n; i++) {
		const tt_alert *x = &a->v[i];
		if (!strcmp(x->tenant, "(unattributed)")) {
			verdict_take(&a->unattributed, x, (long)i);
			continue;
		}
		long t = tt_model_find_tenant(m, x->tenant);
		if (t < 0)
			continue;
		verdict_take(&a->tenant[t], x, (long)i);
		if (x->kind == TT_AK_POOL)
			a->tenant_pools = true;
	}
	return 0;
}

const tt_tenant_verdict *tt_alerts_verdict(const tt_alerts *a, uint32_t tenant)
{
	static const tt_tenant_verdict none = {-1, -1};
	if (tenant == TT_ALERTS_UNATTRIBUTED)
		return &a->unattributed;
	return tenant < a->ntenant ? &a->tenant[tenant] : &none;
}

const tt_alert *tt_alerts_tenant_pool(const tt_alerts *a, uint32_t tenant)
{
	long i = tt_alerts_verdict(a, tenant)->pool;
	return i >= 0 && (size_t)i < a->n ? &a->v[i] : NULL;
}
