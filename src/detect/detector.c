/* src/detect/ owns the business rules over the model: thresholds, alerts and their
 * kinds, pool forecasts, the learned baseline.
 *
 * The detector: rules over the model, with hysteresis and first-seen times.
 *
 * Rules (each per tenant unless said otherwise):
 *   close_wait_ratio  (CLOSE_WAIT+CLOSE)/ESTABLISHED above leak_ratio, at least min_leaks
 *   leak_age          a leaked socket older than leak_age in its state
 *   leak_growth       leaked sockets growing faster than growth_per_min (least squares)
 *   time_wait_storm   TIME_WAIT created faster than time_wait_storm per second
 *                     (estimated as TIME_WAIT count / 60 s, the kernel's TIME_WAIT life)
 *   idle              ESTABLISHED sockets with no data either way for `idle` (tcp_info)
 *   pool              a configured limit, or one a database server reports (max_connections,
 *                     a database user's own limit): near full, or forecast to fill within eta_horizon
 *   pool_waiting      a pooler's clients of this tenant wait for a server connection now
 * An alert stays active until its condition has been false for rearm seconds. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/baseline.h"
#include "tenantop/lifecycle.h"
#include "tenantop/detect.h"
#include "tenantop/vec.h"

#define TW_LIFETIME_S 60.0
#define POOL_SAMPLES 180

struct active {
	char tenant[TT_NAME_MAX];
	int kind;
	double first_seen;
	double last_true;
	bool seen_now;
	tt_alert last; /* the latest instance, kept while re-arming */
};

struct pool_hist {
	double t[POOL_SAMPLES];
	double v[POOL_SAMPLES];
	size_t head, count;
};

struct tt_detector {
	tt_detect_opts o;
	struct active *act;
	size_t nact, capact;
	struct pool_hist pools[TT_MAX_LIMITS];
	tt_pool_use use[TT_MAX_LIMITS];
	size_t nuse;
	const tt_baseline *base;
	/* limits the database servers report, and their histories by (tenant, what) */
	tt_db_limit *dbl;
	size_t ndbl, capdbl;
	struct db_hist {
		char key[TT_NAME_MAX + 130];
		bool seen;
		struct pool_hist h;
	} *dbh;
	size_t ndbh, capdbh;
};

const tt_pool_use *tt_detector_pools(const tt_detector *d, size_t *n)
{
	*n = d->nuse;
	return d->use;
}

void tt_detector_set_baseline(tt_detector *d, const tt_baseline *b)
{
	d->base = b;
}

tt_detector *tt_detector_new(const tt_detect_opts *o)
{
	struct tt_detector *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	if (o)
		d->o = *o;
	else
		tt_detect_opts_default(&d->o);
	return d;
}

void tt_detector_free(tt_detector *d)
{
	if (!d)
		return;
	free(d->act);
	free(d->dbl);
	free(d->dbh);
	free(d);
}

static struct active *active_get(tt_detector *d, const char *tenant, int kind, double now)
{
	for (size_t i = 0; i < d->nact; i++)
		if (d->act[i].kind == kind && !strcmp(d->act[i].tenant, tenant))
			return &d->act[i];
	struct active *a = TT_VEC_PUSH(d->act, d->nact, d->capact);
	if (!a)
		return NULL;
	snprintf(a->tenant, sizeof(a->tenant), "%s", tenant);
	a->kind = kind;
	a->first_seen = now;
	return a;
}

__attribute__((format(printf, 7, 8))) static void raise_alert(tt_detector *d, double now, const char *tenant,
							     int kind, int sev, double impact,
							     const char *fmt, ...)
{
	struct active *a = active_get(d, tenant, kind, now);
	if (!a)
		return;
	/* severity only goes up while the alert is active: a count hovering at
	 * a threshold does not flap warning/critical */
	if (a->last_true > 0 && a->last.severity > sev)
		sev = a->last.severity;
	a->last_true = now;
	a->seen_now = true;
	tt_alert *x = &a->last;
	memset(x, 0, sizeof(*x));
	snprintf(x->tenant, sizeof(x->tenant), "%s", tenant);
	x->kind = kind;
	x->severity = sev;
	x->first_seen = a->first_seen;
	x->eta_s = -1;
	x->fill = -1;
	x->impact = impact;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->message, sizeof(x->message), fmt, ap);
	va_end(ap);
}

/* Least squares over the samples of the last window_s seconds (at least
 * the last three); 0 with fewer than three samples. */
static double slope_per_s(const struct pool_hist *h, double window_s)
{
	if (h->count < 3)
		return 0;
	size_t latest = (h->head + POOL_SAMPLES - 1) % POOL_SAMPLES;
	double tl = h->t[latest];
	double st = 0, sv = 0, stt = 0, stv = 0;
	size_t n = 0;
	for (size_t i = 0; i < h->count; i++) {
		size_t ix = (h->head + POOL_SAMPLES - 1 - i) % POOL_SAMPLES;
		double t = h->t[ix] - tl;
		if (-t > window_s && n >= 3)
			break;
		st += t, sv += h->v[ix], stt += t * t, stv += t * h->v[ix];
		n++;
	}
	if (n < 3)
		return 0;
	double den = n * stt - st * st;
	return den > 1e-9 ? (n * stv - st * sv) / den : 0;
}

/* How fast a pool fills now, per second; 0 when it is not growing.  The
 * slope is taken over the recent past (POOL_RECENT_S, within the trend
 * window), not the whole trend window, so a fill that stopped is not
 * forecast for minutes; and a count no higher than it was POOL_STEADY_S
 * ago (and at least two refreshes ago) is steady whatever the slope says. */
#define POOL_RECENT_S 60.0
#define POOL_STEADY_S 15.0
static double pool_growth_per_s(const struct pool_hist *h, double growth_window_s)
{
	if (h->count < 3)
		return 0;
	size_t latest = (h->head + POOL_SAMPLES - 1) % POOL_SAMPLES;
	double tl = h->t[latest], vl = h->v[latest];
	for (size_t i = 2; i < h->count; i++) {
		size_t ix = (h->head + POOL_SAMPLES - 1 - i) % POOL_SAMPLES;
		if (tl - h->t[ix] >= POOL_STEADY_S) {
			if (vl <= h->v[ix])
				return 0;
			break;
		}
		if (i + 1 == h->count && vl <= h->v[ix])
			return 0;
	}
	double w = growth_window_s < POOL_RECENT_S ? growth_window_s : POOL_RECENT_S;
	double sl = slope_per_s(h, w);
	return sl > 0 ? sl : 0;
}

static void fmt_dur(double s, char *buf, size_t len)
{
	if (s < 120)
		snprintf(buf, len, "%.0fs", s);
	else if (s < 7200)
		snprintf(buf, len, "%.0fm", s / 60);
	else
		snprintf(buf, len, "%.1fh", s / 3600);
}

/* A pool's forecast from its recent counts: growth per second, seconds until
 * full (0 full, -1 not growing), the alert's impact (a pool about to fill is
 * the worst thing on the screen: the sooner, the worse; a steady one comes
 * after the growing ones) and the words for it. */
static void pool_forecast(const struct pool_hist *h, double window_s, uint32_t used, uint32_t max, double *sl,
			  double *eta, double *impact, char *grow, size_t growlen)
{
	*sl = pool_growth_per_s(h, window_s);
	*eta = used >= max ? 0 : *sl > 1e-6 ? (max - used) / *sl : -1;
	*impact = *eta >= 0 ? 1e9 - *eta : 5e8 + (double)used / max * 1000;
	if (*eta > 0) {
		char a1[16];
		fmt_dur(*eta, a1, sizeof(a1));
		snprintf(grow, growlen, "growing %.1f/min: full in about %s", *sl * 60, a1);
	} else {
		snprintf(grow, growlen, "steady");
	}
}

static void check_tenant(tt_detector *d, const tt_model *m, size_t ti)
{
	const tt_detect_opts *o = &d->o;
	const tt_mtenant *t = &m->tenants[ti];
	double now = m->time;
	const tt_counts *c = &t->counts;
	uint32_t leaked = tt_counts_leaked(c), estab = c->st[TT_ST_ESTABLISHED];
	char a1[16];

	/* close_wait_ratio: no ESTABLISHED at all counts as an infinite ratio */
	double ratio = estab ? (double)leaked / estab : (leaked ? INFINITY : 0);
	double slope = t->hist ? tt_history_slope_per_min(t->hist, TT_SER_LEAKS, o->growth_window_s) : 0;
	char trend[48] = "";
	/* how bad a leak is: what is held now and what five more minutes add */
	double leak_impact = leaked + 5 * (slope > 0 ? slope : 0);
	if (slope >= 0.1)
		snprintf(trend, sizeof(trend), ", growing %.1f/min", slope);
	if (leaked >= o->min_leaks && leaked > 0 && ratio >= o->leak_ratio) {
		int sev = ratio >= 2 * o->leak_ratio || ratio >= 1 ? TT_SEV_CRIT : TT_SEV_WARN;
		fmt_dur(t->oldest_leak_s, a1, sizeof(a1));
		if (estab)
			raise_alert(d, now, t->name, TT_AK_CLOSE_WAIT_RATIO, sev, leak_impact,
				    "%u leaked (CLOSE_WAIT %u, CLOSE %u) = %.0f%% of %u ESTABLISHED (limit %.0f%%), oldest %s%s",
				    leaked, c->st[TT_ST_CLOSE_WAIT], c->st[TT_ST_CLOSE], ratio * 100, estab,
				    o->leak_ratio * 100, a1, trend);
		else
			raise_alert(d, now, t->name, TT_AK_CLOSE_WAIT_RATIO, sev, leak_impact,
				    "%u leaked (CLOSE_WAIT %u, CLOSE %u) and no ESTABLISHED connection, oldest %s%s",
				    leaked, c->st[TT_ST_CLOSE_WAIT], c->st[TT_ST_CLOSE], a1, trend);
	}
	/* leak_age */
	if (leaked && t->oldest_leak_s >= o->leak_age_s) {
		fmt_dur(t->oldest_leak_s, a1, sizeof(a1));
		char a2[16];
		fmt_dur(o->leak_age_s, a2, sizeof(a2));
		raise_alert(d, now, t->name, TT_AK_LEAK_AGE, t->oldest_leak_s >= 10 * o->leak_age_s ? TT_SEV_CRIT : TT_SEV_WARN,
			    leak_impact,
			    "oldest leaked socket held for %s (threshold %s); %u leaked", a1, a2, leaked);
	}
	/* leak_growth */
	if (t->hist) {
		if (slope >= o->growth_per_min && o->growth_per_min > 0 && leaked > 0)
			raise_alert(d, now, t->name, TT_AK_LEAK_GROWTH, TT_SEV_WARN, leak_impact,
				    "leaked sockets growing %.1f/min (threshold %.1f/min); now %u", slope,
				    o->growth_per_min, leaked);
	}
	/* against the learned normal levels */
	const tt_baseline_entry *be = d->base ? tt_baseline_find(d->base, t->name) : NULL;
	double tw_limit = o->tw_storm_per_s;
	if (be) {
		double normal = tt_baseline_normal_leaked(be), peak = tt_baseline_peak_leaked(be);
		if (leaked >= o->min_leaks && leaked > 2 * peak + o->min_leaks)
			raise_alert(d, now, t->name, TT_AK_ABOVE_BASELINE, TT_SEV_WARN, leak_impact,
				    "%u leaked; its normal is %.1f (peak %.0f) in the baseline", leaked, normal, peak);
		/* its connections' lifecycle against their usual (kernel events) */
		tt_lifecycle_verdict lv;
		if (tt_lifecycle_check(tt_lifecycle_tenant(m->life, t->name), be, &lv))
			raise_alert(d, now, t->name, TT_AK_LIFECYCLE, lv.severity, lv.impact, "%s", lv.message);
		/* cycling: above twice its normal rate */
		double normal_rate = be->mean[TT_BL_TIME_WAIT] / TW_LIFETIME_S;
		if (2 * normal_rate > tw_limit)
			tw_limit = 2 * normal_rate;
	}
	/* time_wait_storm */
	double tw_rate = c->st[TT_ST_TIME_WAIT] / TW_LIFETIME_S;
	if (tw_limit > 0 && tw_rate >= tw_limit)
		raise_alert(d, now, t->name, TT_AK_TIME_WAIT_STORM, tw_rate >= 4 * o->tw_storm_per_s ? TT_SEV_CRIT : TT_SEV_WARN,
			    tw_rate,
			    "%u TIME_WAIT: about %.0f new connections/s (threshold %.0f/s%s); reuse connections",
			    c->st[TT_ST_TIME_WAIT], tw_rate, tw_limit, tw_limit > o->tw_storm_per_s ? ", from the baseline" : "");
}

static void check_idle(tt_detector *d, const tt_model *m)
{
	if (d->o.idle_s <= 0 || !m->ntenants)
		return;
	uint32_t *idle = calloc(m->ntenants, sizeof(*idle));
	uint32_t *busy = calloc(m->ntenants, sizeof(*busy));
	double *oldest = calloc(m->ntenants, sizeof(*oldest));
	if (!idle || !oldest || !busy) {
		free(idle);
		free(oldest);
		free(busy);
		return;
	}
	for (size_t i = 0; i < m->nsocks; i++) {
		const tt_msock *ms = &m->socks[i];
		const tt_sock *k = ms->s;
		if (ms->tenant < 0 || k->state != TT_ST_ESTABLISHED || !(k->flags & TT_SF_HAS_INFO))
			continue;
		uint32_t quiet = k->last_data_recv_ms < k->last_data_sent_ms ? k->last_data_recv_ms : k->last_data_sent_ms;
		if (quiet / 1000.0 >= d->o.idle_s) {
			idle[ms->tenant]++;
			if (quiet / 1000.0 > oldest[ms->tenant])
				oldest[ms->tenant] = quiet / 1000.0;
		} else if (quiet < 60000) {
			busy[ms->tenant]++;
		}
	}
	/* static connections matter while the tenant's others carry traffic:
	 * a slot held idle is one the busy ones cannot use */
	for (size_t t = 0; t < m->ntenants; t++) {
		if (!idle[t] || !busy[t])
			continue;
		char a1[16], a2[16];
		fmt_dur(oldest[t], a1, sizeof(a1));
		fmt_dur(d->o.idle_s, a2, sizeof(a2));
		raise_alert(d, m->time, m->tenants[t].name, TT_AK_IDLE, TT_SEV_INFO, idle[t],
			    "%u ESTABLISHED idle longer than %s (longest %s) while %u carry traffic: pool slots held doing nothing",
			    idle[t], a2, a1, busy[t]);
	}
	free(idle);
	free(oldest);
	free(busy);
}

static bool limit_counts(const tt_model *m, const tt_limit *l, const tt_msock *ms, int role)
{
	const tt_sock *k = ms->s;
	if (k->state == TT_ST_LISTEN || k->state == TT_ST_TIME_WAIT || k->state == TT_ST_SYN_SENT)
		return false;
	if (l->port && ms->port != l->port)
		return false;
	if (role && ms->role != role)
		return false;
	if (l->tenant[0] && (ms->tenant < 0 || strcmp(m->tenants[ms->tenant].name, l->tenant)))
		return false;
	return true;
}

static void check_limits(tt_detector *d, const tt_model *m)
{
	d->nuse = 0;
	for (size_t li = 0; li < d->o.nlimits; li++) {
		const tt_limit *l = &d->o.limits[li];
		/* a local server: count its side once (both ends are on this host) */
		uint32_t srv = 0, cli = 0;
		for (size_t i = 0; i < m->nsocks; i++) {
			if (limit_counts(m, l, &m->socks[i], TT_ROLE_SERVER))
				srv++;
			else if (limit_counts(m, l, &m->socks[i], TT_ROLE_CLIENT))
				cli++;
		}
		uint32_t used = l->tenant[0] ? (cli ? cli : srv) : (srv ? srv : cli);
		struct pool_hist *h = &d->pools[li];
		h->t[h->head] = m->time;
		h->v[h->head] = used;
		h->head = (h->head + 1) % POOL_SAMPLES;
		if (h->count < POOL_SAMPLES)
			h->count++;
		char who[TT_NAME_MAX + 16], label[TT_NAME_MAX + 24];
		if (l->port)
			snprintf(label, sizeof(label), "%s%sport %u", l->tenant, l->tenant[0] ? " " : "", l->port);
		else
			snprintf(label, sizeof(label), "%s", l->tenant);
		snprintf(who, sizeof(who), "%s", l->tenant[0] ? l->tenant : "*");
		double sl, eta, impact;
		char grow[96];
		pool_forecast(h, d->o.growth_window_s, used, l->max, &sl, &eta, &impact, grow, sizeof(grow));
		double fill = (double)used / l->max;
		d->use[li] = (tt_pool_use){.limit = l, .used = used, .per_min = sl * 60, .eta_s = eta};
		d->nuse = li + 1;
		if (used > l->max) {
			raise_alert(d, m->time, who, TT_AK_POOL, TT_SEV_CRIT, impact,
				    "%s: %u of %u connections in use (%.0f%%): over its limit", label, used, l->max,
				    fill * 100);
		} else if (used == l->max) {
			raise_alert(d, m->time, who, TT_AK_POOL, TT_SEV_CRIT, impact,
				    "%s: %u of %u connections in use: FULL", label, used, l->max);
		} else if (fill >= 0.9) {
			raise_alert(d, m->time, who, TT_AK_POOL,
				    eta >= 0 && eta < d->o.eta_horizon_s / 4 ? TT_SEV_CRIT : TT_SEV_WARN, impact,
				    "%s: %u of %u connections in use (%.0f%%), %s", label, used, l->max, fill * 100, grow);
		} else if (eta >= 0 && eta <= d->o.eta_horizon_s) {
			raise_alert(d, m->time, who, TT_AK_POOL, eta < d->o.eta_horizon_s / 4 ? TT_SEV_CRIT : TT_SEV_WARN,
				    impact, "%s: %u of %u in use, %s", label, used, l->max, grow);
		} else {
			/* below the alert levels: an alert still re-arming shows the
			 * numbers of now, not a forecast that no longer holds */
			for (size_t i = 0; i < d->nact; i++) {
				struct active *ra = &d->act[i];
				if (strcmp(ra->tenant, who) || ra->kind != TT_AK_POOL)
					continue;
				snprintf(ra->last.message, sizeof(ra->last.message), "%s: %u of %u in use, %s", label,
					 used, l->max, grow);
				ra->last.eta_s = eta;
				ra->last.fill = fill;
				ra->last.impact = impact;
			}
			continue;
		}
		struct active *a = active_get(d, who, TT_AK_POOL, m->time);
		if (a) {
			a->last.eta_s = eta;
			a->last.fill = fill;
		}
	}
}

int tt_detector_set_db_limits(tt_detector *d, const tt_db_limit *v, size_t n)
{
	d->ndbl = 0;
	for (size_t i = 0; i < n; i++) {
		tt_db_limit *x = TT_VEC_PUSH(d->dbl, d->ndbl, d->capdbl);
		if (!x)
			return -1;
		*x = v[i];
	}
	return 0;
}

static struct pool_hist *db_hist(tt_detector *d, const tt_db_limit *l)
{
	char key[sizeof(d->dbh->key)];
	snprintf(key, sizeof(key), "%s|%s", l->tenant, l->what);
	for (size_t i = 0; i < d->ndbh; i++)
		if (!strcmp(d->dbh[i].key, key)) {
			d->dbh[i].seen = true;
			return &d->dbh[i].h;
		}
	struct db_hist *h = TT_VEC_PUSH(d->dbh, d->ndbh, d->capdbh);
	if (!h)
		return NULL;
	snprintf(h->key, sizeof(h->key), "%s", key);
	h->seen = true;
	return &h->h;
}

static void check_db_limits(tt_detector *d, const tt_model *m)
{
	for (size_t i = 0; i < d->ndbh; i++)
		d->dbh[i].seen = false;
	for (size_t li = 0; li < d->ndbl; li++) {
		const tt_db_limit *l = &d->dbl[li];
		const char *who = l->tenant[0] ? l->tenant : "*";
		if (l->waiting) {
			/* customers delayed now: right after a pool that is full */
			raise_alert(d, m->time, who, TT_AK_POOL_WAITING, l->longest_wait_s >= 5 ? TT_SEV_CRIT : TT_SEV_WARN,
				    1e9 - 1 + l->waiting / 1e6,
				    "%s: %u client%s waiting for a server connection now (longest %.1f s)", l->what,
				    l->waiting, l->waiting == 1 ? "" : "s", l->longest_wait_s);
		}
		if (!l->max)
			continue;
		struct pool_hist *h = db_hist(d, l);
		if (!h)
			continue;
		h->t[h->head] = m->time;
		h->v[h->head] = l->used;
		h->head = (h->head + 1) % POOL_SAMPLES;
		if (h->count < POOL_SAMPLES)
			h->count++;
		double sl, eta, impact;
		char grow[96];
		pool_forecast(h, d->o.growth_window_s, l->used, l->max, &sl, &eta, &impact, grow, sizeof(grow));
		double fill = (double)l->used / l->max;
		if (l->used >= l->max) {
			raise_alert(d, m->time, who, TT_AK_POOL, TT_SEV_CRIT, impact,
				    "%s: %u of %u connections in use (%.0f%%, the server's own limit): FULL", l->what, l->used,
				    l->max, fill * 100);
		} else if (fill >= 0.9) {
			raise_alert(d, m->time, who, TT_AK_POOL,
				    eta >= 0 && eta < d->o.eta_horizon_s / 4 ? TT_SEV_CRIT : TT_SEV_WARN, impact,
				    "%s: %u of %u connections in use (%.0f%%, the server's own limit), %s", l->what, l->used,
				    l->max, fill * 100, grow);
		} else if (eta >= 0 && eta <= d->o.eta_horizon_s) {
			raise_alert(d, m->time, who, TT_AK_POOL, eta < d->o.eta_horizon_s / 4 ? TT_SEV_CRIT : TT_SEV_WARN,
				    impact, "%s: %u of %u in use (the server's own limit), %s", l->what, l->used, l->max, grow);
		} else {
			continue;
		}
		struct active *a = active_get(d, who, TT_AK_POOL, m->time);
		if (a) {
			a->last.eta_s = eta;
			a->last.fill = fill;
		}
	}
	/* forget the histories of limits no longer reported */
	size_t w = 0;
	for (size_t i = 0; i < d->ndbh; i++)
		if (d->dbh[i].seen)
			d->dbh[w++] = d->dbh[i];
	d->ndbh = w;
}

/* Worst first: severity, then impact (a pool about to fill, then the most
 * leaked and fastest growing), then the oldest. */
static int alert_cmp(const void *a, const void *b)
{
	const tt_alert *x = a, *y = b;
	if (x->severity != y->severity)
		return y->severity - x->severity;
	if (x->impact != y->impact)
		return x->impact > y->impact ? -1 : 1;
	if (x->first_seen != y->first_seen)
		return x->first_seen < y->first_seen ? -1 : 1;
	int c = strcmp(x->tenant, y->tenant);
	return c ? c : strcmp(tt_alert_kind_name(x->kind), tt_alert_kind_name(y->kind));
}

int tt_detect_run(tt_detector *d, const tt_model *m, tt_alerts *out)
{
	tt_alerts_clear(out);
	for (size_t i = 0; i < d->nact; i++)
		d->act[i].seen_now = false;
	for (size_t t = 0; t < m->ntenants; t++)
		check_tenant(d, m, t);
	/* TIME_WAIT has no process: a storm often shows only here */
	double tw_rate = m->unattributed.st[TT_ST_TIME_WAIT] / TW_LIFETIME_S;
	if (d->o.tw_storm_per_s > 0 && tw_rate >= d->o.tw_storm_per_s)
		raise_alert(d, m->time, "(unattributed)", TT_AK_TIME_WAIT_STORM,
			    tw_rate >= 4 * d->o.tw_storm_per_s ? TT_SEV_CRIT : TT_SEV_WARN, tw_rate,
			    "%u TIME_WAIT with no owner: about %.0f new connections/s (threshold %.0f/s); "
			    "a port or remote rule can name them",
			    m->unattributed.st[TT_ST_TIME_WAIT], tw_rate, d->o.tw_storm_per_s);
	check_idle(d, m);
	check_limits(d, m);
	check_db_limits(d, m);
	/* keep, re-arm or drop */
	size_t w = 0;
	for (size_t i = 0; i < d->nact; i++) {
		struct active *a = &d->act[i];
		if (!a->seen_now && m->time - a->last_true >= d->o.rearm_s)
			continue;
		d->act[w++] = *a;
	}
	d->nact = w;
	for (size_t i = 0; i < d->nact; i++) {
		tt_alert *x = tt_alerts_add(out);
		if (!x)
			return -1;
		*x = d->act[i].last;
		/* re-arming (its condition is false now): after those still true */
		if (!d->act[i].seen_now)
			x->impact = -1;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), alert_cmp);
	return tt_alerts_judge(out, m);
}
