/* The lifecycle alert: a tenant's connections live unlike they usually do
 * (lifecycle.h, tt_lifecycle_check). */
#include <stdio.h>

#include "tenantop/baseline.h"
#include "tenantop/detect.h"
#include "tenantop/lifecycle.h"

#define MIN_CLOSE_WAITS 3    /* CLOSE_WAITs in the window before their p90 means anything */
#define MIN_CLOSE_WAIT_S 1.0 /* a p90 below this is no leak, whatever its normal */
#define MIN_CLOSES 20        /* closes in the window before their median means anything */
#define MIN_CLOSED_PER_S 1.0 /* cycling: at least this many closes a second */

static void secs(double s, char *buf, size_t len)
{
	if (s < 1)
		snprintf(buf, len, "%.0f ms", s * 1000);
	else if (s < 120)
		snprintf(buf, len, "%.1f s", s);
	else
		snprintf(buf, len, "%.0f min", s / 60);
}

int tt_lifecycle_check(const tt_lifecycle_figs *f, const struct tt_baseline_entry *be, tt_lifecycle_verdict *out)
{
	if (!f || !be)
		return 0;
	char now[24], usual[24];
	if (be->close_wait_p90 > 0 && f->window_close_waits >= MIN_CLOSE_WAITS && f->close_wait_p90 >= MIN_CLOSE_WAIT_S &&
	    f->close_wait_p90 >= 10 * be->close_wait_p90) {
		double times = f->close_wait_p90 / be->close_wait_p90;
		secs(f->close_wait_p90, now, sizeof(now));
		secs(be->close_wait_p90, usual, sizeof(usual));
		out->severity = times >= 100 ? TT_SEV_CRIT : TT_SEV_WARN;
		out->impact = times;
		snprintf(out->message, sizeof(out->message),
			 "CLOSE_WAIT lasts %s before the application closes (p90 of %u), %.0fx its usual %s",
			 now, f->window_close_waits, times, usual);
		return 1;
	}
	if (be->lifetime_p50 > 0 && f->window_closes >= MIN_CLOSES && f->closed_per_s >= MIN_CLOSED_PER_S &&
	    f->lifetime_p50 >= 0 && f->lifetime_p50 * 10 <= be->lifetime_p50) {
		secs(f->lifetime_p50, now, sizeof(now));
		secs(be->lifetime_p50, usual, sizeof(usual));
		out->severity = TT_SEV_WARN;
		out->impact = f->closed_per_s;
		snprintf(out->message, sizeof(out->message),
			 "connections live %s (median), their usual is %s: cycling at %.0f/s; reuse connections", now,
			 usual, f->closed_per_s);
		return 1;
	}
	return 0;
}
