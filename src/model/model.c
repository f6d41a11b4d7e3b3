/* src/model/ owns the tenant -> process -> socket tree built from each refresh, the
 * tenant rules and the per-tenant histories.
 *
 * The model: a snapshot merged into the tenant -> process -> socket tree.
 *
 * The tree is rebuilt on every refresh (like tmux's mode-tree); what must
 * survive refreshes is kept in maps keyed by stable ids:
 *   socket id -> first seen, state, state since  (ages)
 *   cookie    -> tenant that held the connection (owner-less TIME_WAIT: exact)
 *   4-tuple   -> tenant last seen on it          (the same without cookies, /proc
 *                                                 text: a guess)
 *   tenant    -> history ring                     (sparklines, trends)
 * Entries not seen for forget_after_s are swept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_priv.h"
#include "tenantop/lifecycle.h"
#include "tenantop/model.h"

/* ---------------------------------------------------------------- counts */

uint32_t tt_counts_total(const tt_counts *c)
{
	uint32_t t = 0;
	for (int i = 0; i < TT_ST_COUNT; i++)
		t += c->st[i];
	return t;
}

uint32_t tt_counts_other(const tt_counts *c)
{
	return tt_counts_total(c) - c->st[TT_ST_ESTABLISHED] - c->st[TT_ST_CLOSE_WAIT] -
	       c->st[TT_ST_CLOSE] - c->st[TT_ST_TIME_WAIT];
}

void tt_counts_add(tt_counts *dst, const tt_counts *src)
{
	for (int i = 0; i < TT_ST_COUNT; i++)
		dst->st[i] += src->st[i];
}

double tt_counts_leak_ratio(const tt_counts *c)
{
	if (c->st[TT_ST_ESTABLISHED] == 0)
		return -1;
	return (double)tt_counts_leaked(c) / c->st[TT_ST_ESTABLISHED];
}

double tt_counts_leak_share(const tt_counts *c)
{
	double held = (double)tt_counts_leaked(c) + c->st[TT_ST_ESTABLISHED];
	return held > 0 ? tt_counts_leaked(c) / held : -1;
}

/* ---------------------------------------------------------------- life */

int tt_model_init(tt_model *m, const tt_model_opts *opts)
{
	memset(m, 0, sizeof(*m));
	m->opts = *opts;
	if (m->opts.trend_window_s <= 0)
		m->opts.trend_window_s = 120;
	if (m->opts.forget_after_s <= 0)
		m->opts.forget_after_s = 300;
	tt_snapshot_init(&m->snap);
	struct model_priv *pv = calloc(1, sizeof(*pv));
	if (!pv)
		return -1;
	tt_memvec_init(&pv->socks, sizeof(struct sockmem));
	tt_memvec_init(&pv->tuples, sizeof(struct tuplemem));
	tt_memvec_init(&pv->tenants, sizeof(struct tenantmem));
	tt_u64set_init(&pv->tenant_ix);
	tt_u64set_init(&pv->match_ix);
	if (!m->opts.rules) {
		pv->own_rules = tt_rules_default();
		if (!pv->own_rules) {
			free(pv);
			return -1;
		}
		m->opts.rules = pv->own_rules;
	}
	pv->rctx = tt_rule_ctx_new(m->opts.rules);
	m->life = tt_lifecycle_new(0);
	if (!pv->rctx || !m->life) {
		tt_rule_ctx_free(pv->rctx);
		tt_lifecycle_free(m->life);
		tt_rules_free(pv->own_rules);
		free(pv);
		return -1;
	}
	m->priv = pv;
	return 0;
}

void tt_model_free(tt_model *m)
{
	struct model_priv *pv = m->priv;
	if (pv) {
		tt_memvec_free(&pv->socks);
		tt_memvec_free(&pv->tuples);
		tt_memvec_free(&pv->tenants);
		tt_u64set_free(&pv->tenant_ix);
		tt_u64set_free(&pv->match_ix);
		free(pv->pairs);
		free(pv->buckets);
		free(pv->owner_start);
		free(pv->memo_v);
		free(pv->matches);
		free(pv->remap);
		free(pv->sockmem_ix);
		tt_rules_free(pv->own_rules);
		tt_rule_ctx_free(pv->rctx);
		free(pv);
	}
	tt_lifecycle_free(m->life);
	tt_snapshot_free(&m->snap);
	free(m->socks);
	free(m->procs);
	free(m->refs);
	free(m->tenants);
	free(m->unattr);
	memset(m, 0, sizeof(*m));
}

void tt_model_release(tt_model *m, tt_snapshot *into)
{
	tt_snapshot_free(into);
	*into = m->snap;
	tt_snapshot_clear(into);
	tt_snapshot_init(&m->snap);
	m->nsocks = m->nprocs = m->nrefs = m->ntenants = m->nunattr = 0;
}

/* ---------------------------------------------------------------- lookups */

const char *tt_model_str(const tt_model *m, uint32_t off)
{
	return tt_snapshot_get_str(&m->snap, off);
}

long tt_model_find_tenant(const tt_model *m, const char *name)
{
	for (size_t i = 0; i < m->ntenants; i++)
		if (strcmp(m->tenants[i].name, name) == 0)
			return (long)i;
	return -1;
}

long tt_model_find_proc(const tt_model *m, long tenant, int32_t pid, uint64_t start_time)
{
	size_t lo = 0, hi = m->nprocs;
	if (tenant >= 0 && (size_t)tenant < m->ntenants) {
		lo = m->tenants[tenant].first_proc;
		hi = lo + m->tenants[tenant].nprocs;
	}
	for (size_t i = lo; i < hi; i++)
		if (m->procs[i].p->pid == pid && m->procs[i].p->start_time == start_time)
			return (long)i;
	return -1;
}

long tt_model_find_sock(const tt_model *m, uint64_t id)
{
	for (size_t i = 0; i < m->nsocks; i++)
		if (m->socks[i].id == id)
			return (long)i;
	return -1;
}

double tt_msock_age(const tt_model *m, const tt_msock *ms)
{
	return m->time - ms->first_seen;
}

double tt_msock_state_age(const tt_model *m, const tt_msock *ms)
{
	return m->time - ms->state_since;
}
