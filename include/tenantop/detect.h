/* Leak detection: thresholds, limits and the detector, pure functions of
 * the model -> alerts with a reason (alerts.h). */
#ifndef TENANTOP_DETECT_H
#define TENANTOP_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenantop/alerts.h"
#include "tenantop/model.h"

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

#endif
