/* Alerts: what the detector raises, their kinds, and what they say of each
 * tenant (src/detect/alerts.c). */
#ifndef TENANTOP_ALERTS_H
#define TENANTOP_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenantop/model.h"

enum tt_severity { TT_SEV_INFO = 0, TT_SEV_WARN = 1, TT_SEV_CRIT = 2 };

/* What an alert is about.  The table (tt_alert_kinds) gives each its stable
 * name (JSON, metrics, hooks, logs) and its meaning (the help screen). */
enum tt_alert_kind {
	TT_AK_CLOSE_WAIT_RATIO = 0,
	TT_AK_LEAK_AGE,
	TT_AK_LEAK_GROWTH,
	TT_AK_TIME_WAIT_STORM,
	TT_AK_IDLE,
	TT_AK_POOL,
	TT_AK_POOL_WAITING,
	TT_AK_ABOVE_BASELINE,
	TT_AK_LIFECYCLE,
	TT_AK_COUNT
};
typedef struct tt_alert_kind_info {
	const char *name;    /* "close_wait_ratio" */
	const char *meaning; /* one line for people */
} tt_alert_kind_info;
/* Every kind, in enum order. */
const tt_alert_kind_info *tt_alert_kinds(size_t *n);
const char *tt_alert_kind_name(int kind);

typedef struct tt_alert {
	char tenant[TT_NAME_MAX];
	int kind;             /* enum tt_alert_kind */
	int severity;         /* enum tt_severity */
	double first_seen;    /* wall clock */
	double eta_s;         /* pool exhaustion forecast, -1 when none (not growing); 0 = full now */
	double fill;          /* pool: connections in use over the limit (1 = full), -1 for other kinds */
	double impact;        /* ordering within a severity: higher = worse (see alert_cmp) */
	char message[256];    /* one line with the numbers, safe */
} tt_alert;

/* What the alerts say about one tenant, worked out once per run. */
typedef struct tt_tenant_verdict {
	int severity;   /* its worst alert's, -1 when none */
	long pool;      /* index in v of its worst own pool alert, -1 when none */
} tt_tenant_verdict;

typedef struct tt_alerts {
	tt_alert *v;
	size_t n, cap;
	/* per model tenant (m->tenants order), then the unattributed group */
	tt_tenant_verdict *tenant;
	size_t ntenant, captenant;
	tt_tenant_verdict unattributed;
	bool tenant_pools; /* some tenant has a pool alert of its own */
} tt_alerts;

void tt_alerts_init(tt_alerts *a);
void tt_alerts_clear(tt_alerts *a);
void tt_alerts_free(tt_alerts *a);
tt_alert *tt_alerts_add(tt_alerts *a);
const char *tt_severity_name(int sev); /* "info", "warning", "critical" */
/* Work out each tenant's verdict from the (sorted) alerts.  0 or -1 (memory). */
int tt_alerts_judge(tt_alerts *a, const tt_model *m);
/* A tenant's verdict by model index; TT_ALERTS_UNATTRIBUTED for the group
 * of sockets no tenant owns.  Never NULL (an empty verdict when unknown). */
#define TT_ALERTS_UNATTRIBUTED 0xffffffffu
const tt_tenant_verdict *tt_alerts_verdict(const tt_alerts *a, uint32_t tenant);
/* Its worst own pool alert, or NULL. */
const tt_alert *tt_alerts_tenant_pool(const tt_alerts *a, uint32_t tenant);

#endif
