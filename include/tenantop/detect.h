/* Leak detection: pure functions of the model -> alerts with a reason. */
#ifndef TENANTOP_DETECT_H
#define TENANTOP_DETECT_H

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

/* A connection limit: e.g. MySQL max_connections on a port, or a pooler's
 * per-user limit for a tenant.  tenant "" = every tenant, port 0 = any port. */
typedef struct tt_limit {
	char tenant[TT_NAME_MAX];
	uint16_t port;
	uint32_t max;
} tt_limit;

#define TT_MAX_LIMITS 64

typedef struct tt_detect_opts {
	double leak_age_s;        /* CLOSE_WAIT/CLOSE older than this is persistent (60) */
	double leak_ratio;        /* (CLOSE_WAIT+CLOSE)/ESTABLISHED alert level (0.20) */
	uint32_t min_leaks;       /* no ratio alert below this many leaked sockets (5) */
	double growth_window_s;   /* least-squares window for trends (300) */
	double growth_per_min;    /* leaks growing faster than this are flagged (1.0) */
	double tw_storm_per_s;    /* new TIME_WAIT per second per tenant (50) */
	double idle_s;            /* static ESTABLISHED idle threshold (600) */
	double eta_horizon_s;     /* forecast alert when the pool fills sooner (1200) */
	double rearm_s;           /* hysteresis: an alert clears only after this long below (30) */
	tt_limit limits[TT_MAX_LIMITS];
	size_t nlimits;
} tt_detect_opts;

void tt_detect_opts_default(tt_detect_opts *o);
/* Set one option by its config-file key ("leak_age", "leak_ratio", ...);
 * -1 with a message (unknown key, bad value, what was expected). */
int tt_detect_opts_set(tt_detect_opts *o, const char *key, const char *value, char *err,
		       size_t errlen);

/* A limit a database server reports (src/probe), fed every refresh: the
 * server's max_connections (tenant "") or a database user's own limit
 * (tenant: the one whose sessions log in as that user); a pooler's waiting
 * clients (max 0).  Checked like a configured limit ("pool"), waiting
 * clients as "pool_waiting". */
typedef struct tt_db_limit {
	char tenant[TT_NAME_MAX];
	char what[128];          /* "mariadb 127.0.0.1:3306 max_connections" */
	uint32_t used, max;
	uint32_t waiting;
	double longest_wait_s;
} tt_db_limit;

typedef struct tt_detector tt_detector;
/* The limits read from the servers for the next tt_detect_run (copied;
 * replaces the previous set).  0, or -1 when out of memory. */
int tt_detector_set_db_limits(tt_detector *d, const tt_db_limit *v, size_t n);
tt_detector *tt_detector_new(const tt_detect_opts *o);
void tt_detector_free(tt_detector *d);
/* Evaluate the model after a refresh: out receives the active alerts
 * (de-duplicated, with their first-seen times kept across calls). */
int tt_detect_run(tt_detector *d, const tt_model *m, tt_alerts *out);

/* A configured limit's use at the last tt_detect_run (pool headroom). */
typedef struct tt_pool_use {
	const tt_limit *limit; /* the detector's copy */
	uint32_t used;         /* connections counted against it */
	double per_min;        /* growth, least squares over growth_window */
	double eta_s;          /* seconds until full at that growth: 0 full, -1 not growing */
} tt_pool_use;

/* One per configured limit, in config order; valid until the next run. */
const tt_pool_use *tt_detector_pools(const tt_detector *d, size_t *n);

/* Compare with learned normal levels (NULL: none). */
struct tt_baseline;
void tt_detector_set_baseline(tt_detector *d, const struct tt_baseline *b);

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
