/* Detection thresholds: defaults and the config-file keys that set them. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/detect.h"
#include "tenantop/number.h"
#include "tenantop/sanitize.h"

void tt_detect_opts_default(tt_detect_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->leak_age_s = 60;
	o->leak_ratio = 0.20;
	o->min_leaks = 5;
	o->growth_window_s = 300;
	o->growth_per_min = 1.0;
	o->tw_storm_per_s = 50;
	o->idle_s = 600;
	o->eta_horizon_s = 1200;
	o->rearm_s = 30;
}

static int parse_ratio(const char *v, double *out)
{
	size_t n = strlen(v);
	if (n > 1 && v[n - 1] == '%') {
		char tmp[32];
		if (n >= sizeof(tmp))
			return -1;
		memcpy(tmp, v, n - 1);
		tmp[n - 1] = '\0';
		double d;
		if (tt_parse_number(tmp, 0, 10000, &d) < 0)
			return -1;
		*out = d / 100;
		return 0;
	}
	return tt_parse_number(v, 0, 100, out);
}

/* "limit" values: "3306=151", "alice:5432=20", "alice=50". */
static int parse_limit(tt_detect_opts *o, const char *v, char *err, size_t errlen)
{
	if (o->nlimits >= TT_MAX_LIMITS) {
		snprintf(err, errlen, "too many limits (at most %d)", TT_MAX_LIMITS);
		return -1;
	}
	const char *eq = strrchr(v, '=');
	if (!eq || !eq[1]) {
		snprintf(err, errlen, "limit wants [TENANT:]PORT=MAX or TENANT=MAX, e.g. 3306=151");
		return -1;
	}
	char lhs[TT_NAME_MAX + 8];
	size_t ll = (size_t)(eq - v);
	if (ll == 0 || ll >= sizeof(lhs)) {
		snprintf(err, errlen, "limit wants [TENANT:]PORT=MAX, e.g. 3306=151");
		return -1;
	}
	memcpy(lhs, v, ll);
	lhs[ll] = '\0';
	double max;
	if (tt_parse_number(eq + 1, 1, 1e9, &max) < 0 || max != floor(max)) {
		snprintf(err, errlen, "limit maximum must be a whole number >= 1, got '%.40s'", eq + 1);
		return -1;
	}
	tt_limit *l = &o->limits[o->nlimits];
	memset(l, 0, sizeof(*l));
	l->max = (uint32_t)max;
	char *colon = strrchr(lhs, ':');
	const char *portstr = colon ? colon + 1 : lhs;
	char *pend;
	long port = strtol(portstr, &pend, 10);
	bool is_port = *portstr && !*pend && port >= 1 && port <= 65535;
	if (colon) {
		*colon = '\0';
		if (!is_port) {
			snprintf(err, errlen, "limit port must be 1-65535, got '%.20s'", portstr);
			return -1;
		}
		tt_sanitize(lhs, strlen(lhs), l->tenant, sizeof(l->tenant));
		l->port = (uint16_t)port;
	} else if (is_port) {
		l->port = (uint16_t)port;
	} else {
		tt_sanitize(lhs, strlen(lhs), l->tenant, sizeof(l->tenant));
	}
	o->nlimits++;
	return 0;
}

int tt_detect_opts_set(tt_detect_opts *o, const char *key, const char *value, char *err,
		       size_t errlen)
{
	double d;
	if (!strcmp(key, "leak_age")) {
		if (tt_parse_duration(value, &o->leak_age_s) < 0)
			goto bad_duration;
	} else if (!strcmp(key, "leak_ratio")) {
		if (parse_ratio(value, &o->leak_ratio) < 0) {
			snprintf(err, errlen, "leak_ratio wants a ratio like 0.2 or 20%%, got '%.40s'", value);
			return -1;
		}
	} else if (!strcmp(key, "min_leaks")) {
		if (tt_parse_number(value, 0, 1e9, &d) < 0 || d != floor(d)) {
			snprintf(err, errlen, "min_leaks wants a whole number, got '%.40s'", value);
			return -1;
		}
		o->min_leaks = (uint32_t)d;
	} else if (!strcmp(key, "growth_window")) {
		if (tt_parse_duration(value, &o->growth_window_s) < 0 || o->growth_window_s < 10)
			goto bad_duration;
	} else if (!strcmp(key, "growth_per_min")) {
		if (tt_parse_number(value, 0, 1e9, &o->growth_per_min) < 0) {
			snprintf(err, errlen, "growth_per_min wants sockets per minute, got '%.40s'", value);
			return -1;
		}
	} else if (!strcmp(key, "time_wait_storm")) {
		if (tt_parse_number(value, 0, 1e9, &o->tw_storm_per_s) < 0) {
			snprintf(err, errlen, "time_wait_storm wants new TIME_WAIT per second, got '%.40s'", value);
			return -1;
		}
	} else if (!strcmp(key, "idle")) {
		if (tt_parse_duration(value, &o->idle_s) < 0)
			goto bad_duration;
	} else if (!strcmp(key, "eta_horizon")) {
		if (tt_parse_duration(value, &o->eta_horizon_s) < 0)
			goto bad_duration;
	} else if (!strcmp(key, "rearm")) {
		if (tt_parse_duration(value, &o->rearm_s) < 0)
			goto bad_duration;
	} else if (!strcmp(key, "limit")) {
		return parse_limit(o, value, err, errlen);
	} else {
		snprintf(err, errlen,
			 "unknown key '%.40s' (expected leak_age, leak_ratio, min_leaks, growth_window, "
			 "growth_per_min, time_wait_storm, idle, eta_horizon, rearm, limit)",
			 key);
		return -1;
	}
	return 0;
bad_duration:
	snprintf(err, errlen, "%s wants a duration like 90, 90s, 5m or 1h, got '%.40s'", key, value);
	return -1;
}
