/* Connection lifecycle per tenant (lifecycle.h): the events of each
 * refresh attributed by the tenant rules, counted, and kept in log-bucket
 * histograms over a sliding window of slots. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/lifecycle.h"
#include "tenantop/model.h"
#include "tenantop/vec.h"

#define SLOTS 12 /* the window in slots: it slides by window / SLOTS */

/* ---------------------------------------------------------------- histogram */

int tt_lc_bucket(double seconds)
{
	double ms = seconds * 1000.0;
	if (!(ms >= 1.0))
		return 0;
	double b = 1.0 + floor(2.0 * log2(ms));
	return b >= TT_LC_BUCKETS - 1 ? TT_LC_BUCKETS - 1 : (int)b;
}

double tt_lc_bucket_upper(int bucket)
{
	if (bucket >= TT_LC_BUCKETS - 1)
		return INFINITY;
	return pow(2.0, bucket / 2.0) / 1000.0;
}

void tt_lc_hist_add(tt_lc_hist *h, double seconds)
{
	if (!(seconds >= 0))
		seconds = 0;
	int b = tt_lc_bucket(seconds);
	h->n[b]++;
	h->sum[b] += seconds;
	h->count++;
	if (seconds > h->max)
		h->max = seconds;
}

void tt_lc_hist_merge(tt_lc_hist *dst, const tt_lc_hist *src)
{
	for (int i = 0; i < TT_LC_BUCKETS; i++) {
		dst->n[i] += src->n[i];
		dst->sum[i] += src->sum[i];
	}
	dst->count += src->count;
	if (src->max > dst->max)
		dst->max = src->max;
}

double tt_lc_hist_quantile(const tt_lc_hist *h, double q)
{
	if (!h->count)
		return -1;
	/* the rank of the value asked for, 1-based: the smallest whose share of
	 * the values at or below it reaches q */
	double want = ceil(q * (double)h->count);
	if (want < 1)
		want = 1;
	uint64_t seen = 0;
	for (int i = 0; i < TT_LC_BUCKETS; i++) {
		seen += h->n[i];
		if (h->n[i] && (double)seen >= want)
			return h->sum[i] / h->n[i];
	}
	return h->max;
}

static void cum_add(tt_lc_cum *c, double seconds)
{
	if (!(seconds >= 0))
		seconds = 0;
	c->n[tt_lc_bucket(seconds)]++;
	c->sum += seconds;
	c->count++;
}

/* ---------------------------------------------------------------- tenants */

struct tenant_lc {
	uint64_t key;
	tt_lifecycle_figs f;
	double last_event;
	int64_t epoch[SLOTS]; /* which slot of time each holds, -1 none */
	tt_lc_hist life[SLOTS], cw[SLOTS];
};

struct tt_lifecycle {
	double window_s, slot_s;
	struct tenant_lc **t;
	size_t n, cap;
	tt_u64set ix; /* name key -> index in t */
	bool on;
	uint64_t dropped_total, dropped_now;
	uint32_t unattr_now;
	double last_time;
	tt_rule_ctx *rctx;
	const tt_rules *rules;
	tt_u64set by_cookie; /* cookie -> model tenant index + 1 */
};

static uint64_t name_key(const char *name)
{
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h ? h : 1;
}

tt_lifecycle *tt_lifecycle_new(double window_s)
{
	tt_lifecycle *lc = calloc(1, sizeof(*lc));
	if (!lc)
		return NULL;
	lc->window_s = window_s > 0 ? window_s : 60;
	lc->slot_s = lc->window_s / SLOTS;
	tt_u64set_init(&lc->ix);
	tt_u64set_init(&lc->by_cookie);
	return lc;
}

void tt_lifecycle_free(tt_lifecycle *lc)
{
	if (!lc)
		return;
	for (size_t i = 0; i < lc->n; i++)
		free(lc->t[i]);
	free(lc->t);
	tt_u64set_free(&lc->ix);
	tt_u64set_free(&lc->by_cookie);
	tt_rule_ctx_free(lc->rctx);
	free(lc);
}

static struct tenant_lc *tenant_get(tt_lifecycle *lc, const char *name)
{
	uint64_t key = name_key(name), i;
	if (tt_u64set_get(&lc->ix, key, &i) && i < lc->n)
		return lc->t[i];
	if (TT_VEC_RESERVE(lc->t, lc->cap, lc->n + 1) < 0)
		return NULL;
	struct tenant_lc *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (tt_u64set_put(&lc->ix, key, lc->n) < 0) {
		free(t);
		return NULL;
	}
	t->key = key;
	size_t len = strnlen(name, sizeof(t->f.name) - 1);
	memcpy(t->f.name, name, len);
	for (int s = 0; s < SLOTS; s++)
		t->epoch[s] = -1;
	lc->t[lc->n++] = t;
	return t;
}

void tt_lifecycle_begin(tt_lifecycle *lc)
{
	for (size_t i = 0; i < lc->n; i++) {
		tt_lifecycle_figs *f = &lc->t[i]->f;
		f->opened_now = f->closed_now = f->time_wait_now = 0;
	}
	lc->unattr_now = 0;
	lc->on = true;
}

int tt_lifecycle_add(tt_lifecycle *lc, const char *tenant, const tt_conn_event *e)
{
	struct tenant_lc *t = tenant_get(lc, tenant);
	if (!t)
		return -1;
	tt_lifecycle_figs *f = &t->f;
	if (e->at > t->last_event)
		t->last_event = e->at;
	if (e->flags & TT_CE_OPEN) {
		f->opened_now++;
		f->opened++;
		return 0;
	}
	f->closed_now++;
	f->closed++;
	if (e->flags & TT_CE_TIME_WAIT) {
		f->time_wait_now++;
		f->time_wait++;
	}
	cum_add(&f->lifetime, e->lifetime_s);
	if (e->close_wait_s >= 0)
		cum_add(&f->close_wait, e->close_wait_s);
	int64_t ep = (int64_t)floor(e->at / lc->slot_s);
	int s = (int)(((ep % SLOTS) + SLOTS) % SLOTS);
	if (t->epoch[s] != ep) {
		if (t->epoch[s] > ep)
			return 0; /* older than the window */
		t->epoch[s] = ep;
		memset(&t->life[s], 0, sizeof(t->life[s]));
		memset(&t->cw[s], 0, sizeof(t->cw[s]));
	}
	tt_lc_hist_add(&t->life[s], e->lifetime_s);
	if (e->close_wait_s >= 0)
		tt_lc_hist_add(&t->cw[s], e->close_wait_s);
	return 0;
}

void tt_lifecycle_finish(tt_lifecycle *lc, double now, double since)
{
	double dt = lc->last_time > 0 ? now - lc->last_time : since > 0 ? now - since : 0;
	lc->last_time = now;
	int64_t cur = (int64_t)floor(now / lc->slot_s);
	for (size_t i = 0; i < lc->n;) {
		struct tenant_lc *t = lc->t[i];
		tt_lifecycle_figs *f = &t->f;
		f->opened_per_s = dt > 0 ? f->opened_now / dt : 0;
		f->closed_per_s = dt > 0 ? f->closed_now / dt : 0;
		f->time_wait_per_s = dt > 0 ? f->time_wait_now / dt : 0;
		tt_lc_hist life, cw;
		memset(&life, 0, sizeof(life));
		memset(&cw, 0, sizeof(cw));
		for (int s = 0; s < SLOTS; s++) {
			if (t->epoch[s] < 0 || t->epoch[s] <= cur - SLOTS)
				continue;
			tt_lc_hist_merge(&life, &t->life[s]);
			tt_lc_hist_merge(&cw, &t->cw[s]);
		}
		f->window_closes = (uint32_t)life.count;
		f->window_close_waits = (uint32_t)cw.count;
		f->lifetime_p50 = tt_lc_hist_quantile(&life, 0.50);
		f->lifetime_p90 = tt_lc_hist_quantile(&life, 0.90);
		f->lifetime_p99 = tt_lc_hist_quantile(&life, 0.99);
		f->close_wait_p50 = tt_lc_hist_quantile(&cw, 0.50);
		f->close_wait_p90 = tt_lc_hist_quantile(&cw, 0.90);
		f->close_wait_max = cw.count ? cw.max : -1;
		/* a tenant quiet for ten windows is forgotten */
		if (now - t->last_event > 10 * lc->window_s && !f->opened_now && !f->closed_now) {
			tt_u64set_del(&lc->ix, t->key);
			free(t);
			lc->t[i] = lc->t[--lc->n];
			if (i < lc->n)
				tt_u64set_put(&lc->ix, lc->t[i]->key, i);
			continue;
		}
		i++;
	}
}

/* ---------------------------------------------------------------- update */

int tt_lifecycle_update(tt_lifecycle *lc, const tt_model *m)
{
	const tt_snapshot *s = &m->snap;
	tt_lifecycle_begin(lc);
	lc->on = s->stats.events;
	lc->dropped_now = s->stats.events_dropped > lc->dropped_total ? s->stats.events_dropped - lc->dropped_total : 0;
	if (s->stats.events_dropped > lc->dropped_total)
		lc->dropped_total = s->stats.events_dropped;
	if (!lc->on)
		return 0;
	if (!lc->rctx || lc->rules != m->opts.rules) {
		tt_rule_ctx_free(lc->rctx);
		lc->rules = m->opts.rules;
		lc->rctx = tt_rule_ctx_new(m->opts.rules);
		if (!lc->rctx)
			return -1;
	}
	if (s->nevents && tt_rule_ctx_begin(lc->rctx, s) < 0)
		return -1;
	/* the watched ports, as the model's: its options' and the discovered */
	tt_portset ports = m->opts.ports;
	for (size_t i = 0; i < s->nwatched; i++)
		if (s->watched[i].family != TT_FAM_UNIX)
			tt_portset_add(&ports, s->watched[i].port);
	bool cookies = false;
	for (size_t i = 0; i < s->nevents; i++) {
		const tt_conn_event *e = &s->events[i];
		bool lw = tt_portset_has(&ports, e->lport), rw = tt_portset_has(&ports, e->rport);
		if (!lw && !rw)
			continue;
		int role = lw && rw ? ((e->flags & TT_CE_CLIENT) ? TT_ROLE_CLIENT : TT_ROLE_SERVER)
				    : lw ? TT_ROLE_SERVER : TT_ROLE_CLIENT;
		tt_sock k;
		memset(&k, 0, sizeof(k));
		k.family = (e->flags & TT_CE_V6) ? TT_FAM_TCP6 : TT_FAM_TCP4;
		k.state = (e->flags & TT_CE_OPEN) ? TT_ST_ESTABLISHED : TT_ST_CLOSE;
		k.lport = e->lport;
		k.rport = e->rport;
		k.uid = e->uid;
		k.cookie = e->cookie;
		tt_match mt;
		const char *name = NULL;
		if (e->proc && e->proc <= s->nprocs && tt_rule_ctx_match(lc->rctx, &k, role, (long)e->proc - 1, &mt)) {
			name = mt.tenant;
		} else {
			/* no owner seen: the tenant of the live socket (an accepted
			 * connection opens in softirq, its owner known by its descriptor) */
			if (!cookies) {
				tt_u64set_clear(&lc->by_cookie);
				for (size_t j = 0; j < m->nsocks; j++)
					if (m->socks[j].tenant >= 0 && m->socks[j].s->cookie)
						tt_u64set_put(&lc->by_cookie, m->socks[j].s->cookie,
							      (uint64_t)m->socks[j].tenant + 1);
				cookies = true;
			}
			uint64_t ti;
			if (e->cookie && tt_u64set_get(&lc->by_cookie, e->cookie, &ti) && ti && ti <= m->ntenants)
				name = m->tenants[ti - 1].name;
			else if (tt_rule_ctx_match(lc->rctx, &k, role, -1, &mt))
				name = mt.tenant;
		}
		if (!name) {
			lc->unattr_now++;
			continue;
		}
		if (tt_lifecycle_add(lc, name, e) < 0)
			return -1;
	}
	tt_lifecycle_finish(lc, s->time, s->stats.events_since);
	return 0;
}

bool tt_lifecycle_on(const tt_lifecycle *lc)
{
	return lc && lc->on;
}

uint64_t tt_lifecycle_dropped_now(const tt_lifecycle *lc)
{
	return lc ? lc->dropped_now : 0;
}

uint64_t tt_lifecycle_dropped_total(const tt_lifecycle *lc)
{
	return lc ? lc->dropped_total : 0;
}

uint32_t tt_lifecycle_unattributed_now(const tt_lifecycle *lc)
{
	return lc ? lc->unattr_now : 0;
}

const tt_lifecycle_figs *tt_lifecycle_tenant(const tt_lifecycle *lc, const char *name)
{
	uint64_t i;
	if (!lc || !lc->on || !tt_u64set_get(&lc->ix, name_key(name), &i) || i >= lc->n)
		return NULL;
	return strcmp(lc->t[i]->f.name, name) == 0 ? &lc->t[i]->f : NULL;
}

size_t tt_lifecycle_count(const tt_lifecycle *lc)
{
	return lc && lc->on ? lc->n : 0;
}

const tt_lifecycle_figs *tt_lifecycle_at(const tt_lifecycle *lc, size_t i)
{
	return lc && i < lc->n ? &lc->t[i]->f : NULL;
}
