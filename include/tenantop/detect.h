/* Leak detection: pure functions of the model -> alerts with a reason. */
#ifndef TENANTOP_DETECT_H
#define TENANTOP_DETECT_H

#include <stddef.h>

#include "tenantop/model.h"

enum tt_severity { TT_SEV_INFO = 0, TT_SEV_WARN = 1, TT_SEV_CRIT = 2 };

typedef struct tt_alert {
	char tenant[TT_NAME_MAX];
	char kind[32];        /* "close_wait_ratio", "leak_age", "leak_growth", ... */
	int severity;         /* enum tt_severity */
	double first_seen;    /* wall clock */
	double eta_s;         /* pool exhaustion forecast, -1 when none */
	char message[256];    /* one line with the numbers, safe */
} tt_alert;

typedef struct tt_alerts {
	tt_alert *v;
	size_t n, cap;
} tt_alerts;

void tt_alerts_init(tt_alerts *a);
void tt_alerts_clear(tt_alerts *a);
void tt_alerts_free(tt_alerts *a);
tt_alert *tt_alerts_add(tt_alerts *a);
const char *tt_severity_name(int sev); /* "info", "warning", "critical" */

#endif
