/* The model: a snapshot merged into the tenant -> process -> socket tree.
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

#include "tenantop/lifecycle.h"
#include "tenantop/model.h"
#include "tenantop/vec.h"

struct sockmem {
	uint64_t id;
	double first_seen;
	double state_since;
	uint64_t last_gen;
	uint8_t state;
};

struct tuplemem {
	uint64_t key;
	double last_seen;
	uint64_t tenant; /* key of the tenant's memory (struct tenantmem), which outlives this */
};

struct tenantmem {
	uint64_t key;
	double last_seen;
	char name[TT_NAME_MAX];
	tt_history hist;
};

/* A vector of records indexed through a u64 map (key -> index). */
struct memvec {
	void *v;
	size_t n, cap, size;
	tt_u64set index;
};

struct pair {
	uint32_t tenant;
	uint32_t proc; /* UINT32_MAX: no holder */
	uint32_t sock;
	uint32_t match; /* index in priv->matches */
};

struct model_priv {
	struct memvec socks, tuples, tenants;
	struct pair *pairs;
	size_t npairs, pairs_cap;
	tt_match *matches; /* distinct per refresh: most pairs share a few */
	size_t nmatches, matches_cap;
	tt_u64set match_ix; /* per refresh: hash of a match -> index in matches */
	size_t last_match;  /* the match used last: consecutive sockets mostly share it */
	size_t last_tenant; /* likewise the tenant */
	uint64_t mem_key;   /* the last owner remembered on a connection, and its match */
	bool mem_exact;     /* ... remembered by cookie */
	tt_match mem_match;
	uint32_t *remap; /* the old -> new tenant index map */
	size_t remap_cap;
	tt_u64set tenant_ix; /* per refresh: name key -> tenant index */
	tt_portset listening;
	tt_portset ports;    /* per refresh: the options' ports and those the collector watched */
	tt_rules *own_rules; /* default rules when opts.rules is NULL */
	tt_rule_ctx *rctx;   /* rule matching with per-process caching */
};

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

/* ---------------------------------------------------------------- memvec */

static void memvec_init(struct memvec *mv, size_t size)
{
	memset(mv, 0, sizeof(*mv));
	mv->size = size;
	tt_u64set_init(&mv->index);
}

static void memvec_free(struct memvec *mv)
{
	free(mv->v);
	tt_u64set_free(&mv->index);
	memset(mv, 0, sizeof(*mv));
}

static void *memvec_at(struct memvec *mv, size_t i)
{
	return (char *)mv->v + i * mv->size;
}

/* Find the record with this key (its first field), or create a zeroed one. */
static void *memvec_get(struct memvec *mv, uint64_t key, bool *created)
{
	uint64_t ix;
	*created = false;
	if (tt_u64set_get(&mv->index, key, &ix))
		return memvec_at(mv, ix);
	if (tt_vec_reserve(&mv->v, &mv->cap, mv->n + 1, mv->size) < 0)
		return NULL;
	if (tt_u64set_put(&mv->index, key, mv->n) < 0)
		return NULL;
	void *rec = memvec_at(mv, mv->n++);
	memset(rec, 0, mv->size);
	memcpy(rec, &key, sizeof(key));
	*created = true;
	return rec;
}

static void *memvec_find(struct memvec *mv, uint64_t key)
{
	uint64_t ix;
	return tt_u64set_get(&mv->index, key, &ix) ? memvec_at(mv, ix) : NULL;
}

/* Remove records for which stale(rec) is true (swap with the last). */
static void memvec_sweep(struct memvec *mv, bool (*stale)(const void *rec, const void *arg),
			 const void *arg)
{
	size_t i = 0;
	while (i < mv->n) {
		void *rec = memvec_at(mv, i);
		if (!stale(rec, arg)) {
			i++;
			continue;
		}
		uint64_t key;
		memcpy(&key, rec, sizeof(key));
		tt_u64set_del(&mv->index, key);
		if (i != mv->n - 1) {
			void *last = memvec_at(mv, mv->n - 1);
			memcpy(rec, last, mv->size);
			memcpy(&key, rec, sizeof(key));
			tt_u64set_put(&mv->index, key, i);
		}
		mv->n--;
	}
	/* Tombstones accumulate in the index; rebuild it when it is mostly dead. */
	if (mv->index.len > 2 * mv->n + 1024) {
		tt_u64set_free(&mv->index);
		tt_u64set_init(&mv->index);
		for (size_t j = 0; j < mv->n; j++) {
			uint64_t key;
			memcpy(&key, memvec_at(mv, j), sizeof(key));
			tt_u64set_put(&mv->index, key, j);
		}
	}
}

struct sweep_arg {
	double now, forget;
};

static bool tuple_stale(const void *rec, const void *arg)
{
	const struct tuplemem *t = rec;
	const struct sweep_arg *a = arg;
	return a->now - t->last_seen > a->forget;
}

static bool tenant_stale(const void *rec, const void *arg)
{
	const struct tenantmem *t = rec;
	const struct sweep_arg *a = arg;
	return a->now - t->last_seen > a->forget;
}

/* ---------------------------------------------------------------- keys */

static uint64_t hash_bytes(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t x = 0;
	size_t i;
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&x, b + i, 8);
		h = tt_hash_mix(h, x);
	}
	if (i < len) {
		x = 0;
		memcpy(&x, b + i, len - i);
		h = tt_hash_mix(h, x ^ (uint64_t)(len - i) << 56);
	}
	return h;
}

static uint64_t tuple_key(const tt_sock *k)
{
	uint64_t h = tt_hash_mix(0x7475706c65ULL, k->family);
	h = tt_hash_mix(h, k->netns);
	h = tt_hash_mix(h, ((uint64_t)k->lport << 16) | k->rport);
	h = hash_bytes(h, k->laddr, 16);
	return hash_bytes(h, k->raddr, 16);
}

/* A TIME_WAIT socket keeps the cookie of the connection that became it. */
static uint64_t cookie_key(uint64_t cookie)
{
	return tt_hash_mix(tt_hash_mix(0x636f6f6b6965ULL, cookie), 0);
}

static uint64_t sock_id(const tt_sock *k)
{
	if (k->inode)
		return tt_hash_mix(tt_hash_mix(0x696e6f6465ULL, k->netns), k->inode);
	return tt_hash_mix(tuple_key(k), k->state);
}

static uint64_t name_key(const char *name)
{
	return hash_bytes(0x74656e616e74ULL, name, strlen(name));
}

/* ---------------------------------------------------------------- role */

static void role_of(const struct model_priv *pv, const tt_portset *ports, const tt_sock *k,
		    uint8_t *role, uint16_t *port)
{
	*role = TT_ROLE_UNKNOWN;
	*port = 0;
	if (k->family == TT_FAM_UNIX) {
		/* the server's sockets carry the socket file's path, clients none */
		if (k->path)
			*role = TT_ROLE_SERVER;
		else
			*role = TT_ROLE_CLIENT;
		return;
	}
	if (k->flags & TT_SF_ENDPOINT_UNKNOWN)
		return;
	bool lw = tt_portset_has(ports, k->lport), rw = tt_portset_has(ports, k->rport);
	bool server;
	if (k->state == TT_ST_LISTEN)
		server = true;
	else if (lw && !rw)
		server = true;
	else if (rw && !lw)
		server = false;
	else if (lw && rw)
		server = tt_portset_has(&pv->listening, k->lport) && !pv->listening.all;
	else
		return;
	*role = server ? TT_ROLE_SERVER : TT_ROLE_CLIENT;
	*port = server ? k->lport : k->rport;
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
	memvec_init(&pv->socks, sizeof(struct sockmem));
	memvec_init(&pv->tuples, sizeof(struct tuplemem));
	memvec_init(&pv->tenants, sizeof(struct tenantmem));
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
		memvec_free(&pv->socks);
		memvec_free(&pv->tuples);
		memvec_free(&pv->tenants);
		tt_u64set_free(&pv->tenant_ix);
		tt_u64set_free(&pv->match_ix);
		free(pv->pairs);
		free(pv->matches);
		free(pv->remap);
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

/* ---------------------------------------------------------------- update */

/* A tenant first met through a remembered owner takes the rule of the
 * first socket a real rule attributes: one TIME_WAIT remembered from an
 * earlier refresh does not make the whole tenant "memory". */
static size_t tenant_rule_upgrade(tt_mtenant *t, const tt_match *mt, size_t ix)
{
	if (t->rule && mt->rule && !strcmp(t->rule, "memory") && strcmp(mt->rule, "memory")) {
		t->rule = mt->rule;
		memcpy(t->detail, mt->detail, sizeof(t->detail));
		t->detail[sizeof(t->detail) - 1] = '\0';
	}
	return ix;
}

/* Find or add this refresh's tenant by name; returns its index or -1. */
static long tenant_slot(tt_model *m, struct model_priv *pv, const tt_match *mt)
{
	if (pv->last_tenant < m->ntenants && strcmp(m->tenants[pv->last_tenant].name, mt->tenant) == 0)
		return (long)tenant_rule_upgrade(&m->tenants[pv->last_tenant], mt, pv->last_tenant);
	uint64_t key = name_key(mt->tenant), ix;
	if (tt_u64set_get(&pv->tenant_ix, key, &ix))
		return (long)tenant_rule_upgrade(&m->tenants[ix], mt, pv->last_tenant = ix);
	if (tt_vec_reserve((void **)&m->tenants, &m->tenants_cap, m->ntenants + 1, sizeof(tt_mtenant)) < 0)
		return -1;
	tt_mtenant *t = &m->tenants[m->ntenants];
	memset(t, 0, sizeof(*t));
	memcpy(t->name, mt->tenant, sizeof(t->name));
	t->name[sizeof(t->name) - 1] = '\0';
	t->key = key;
	t->rule = mt->rule;
	memcpy(t->detail, mt->detail, sizeof(t->detail));
	t->detail[sizeof(t->detail) - 1] = '\0';
	if (tt_u64set_put(&pv->tenant_ix, key, m->ntenants) < 0)
		return -1;
	pv->last_tenant = m->ntenants;
	return (long)m->ntenants++;
}

/* The match of a socket attributed by the owner remembered on its
 * connection (exact: by cookie) or on its 4-tuple. */
static bool remembered_match(struct model_priv *pv, uint64_t tenant, bool exact, tt_match *mt)
{
	if (pv->mem_key != tenant || pv->mem_exact != exact || !pv->mem_match.rule) {
		const struct tenantmem *tm = memvec_find(&pv->tenants, tenant);
		if (!tm)
			return false;
		memset(&pv->mem_match, 0, sizeof(pv->mem_match));
		memcpy(pv->mem_match.tenant, tm->name, sizeof(pv->mem_match.tenant));
		pv->mem_match.rule = "memory";
		snprintf(pv->mem_match.detail, sizeof(pv->mem_match.detail),
			 exact ? "owner seen holding this connection" : "owner seen earlier on this address pair");
		pv->mem_key = tenant;
		pv->mem_exact = exact;
	}
	*mt = pv->mem_match;
	return true;
}

static bool match_eq(const tt_match *a, const tt_match *b)
{
	return a->rule == b->rule && strcmp(a->tenant, b->tenant) == 0 && strcmp(a->detail, b->detail) == 0;
}

/* The index of an equal match, stored once per refresh. */
static long intern_match(struct model_priv *pv, const tt_match *mt)
{
	if (pv->last_match < pv->nmatches && match_eq(&pv->matches[pv->last_match], mt))
		return (long)pv->last_match;
	uint64_t key = hash_bytes(name_key(mt->tenant), mt->detail, strlen(mt->detail)), ix;
	key = tt_hash_mix(key, (uint64_t)(uintptr_t)mt->rule);
	bool indexed = tt_u64set_get(&pv->match_ix, key, &ix);
	if (indexed && match_eq(&pv->matches[ix], mt))
		return (long)(pv->last_match = ix);
	if (tt_vec_reserve((void **)&pv->matches, &pv->matches_cap, pv->nmatches + 1, sizeof(tt_match)) < 0)
		return -1;
	pv->matches[pv->nmatches] = *mt;
	/* on a hash collision the first keeps the index; the other is stored each time */
	if (!indexed && tt_u64set_put(&pv->match_ix, key, pv->nmatches) < 0)
		return -1;
	pv->last_match = pv->nmatches;
	return (long)pv->nmatches++;
}

static int add_pair(struct model_priv *pv, uint32_t tenant, uint32_t proc, uint32_t sock,
		    const tt_match *mt)
{
	long mi = intern_match(pv, mt);
	if (mi < 0 || tt_vec_reserve((void **)&pv->pairs, &pv->pairs_cap, pv->npairs + 1, sizeof(struct pair)) < 0)
		return -1;
	pv->pairs[pv->npairs++] = (struct pair){tenant, proc, sock, (uint32_t)mi};
	return 0;
}

/* Ages: first seen, and since when in this state. */
static int track_age(tt_model *m, struct model_priv *pv, tt_msock *ms)
{
	const tt_sock *k = ms->s;
	bool created;
	struct sockmem *sm = memvec_get(&pv->socks, ms->id, &created);
	if (!sm)
		return -1;
	if (created) {
		double est = 0;
		/* Before the first refresh we know nothing; tcp_info tells how long
		 * the connection has been quiet, a lower bound of its age. */
		if (m->generation == 1 && (k->flags & TT_SF_HAS_INFO)) {
			uint32_t quiet = k->last_data_recv_ms < k->last_data_sent_ms ? k->last_data_recv_ms
										: k->last_data_sent_ms;
			est = quiet / 1000.0;
		}
		sm->first_seen = m->time - est;
		sm->state_since = m->time - est;
		sm->state = k->state;
	} else if (sm->state != k->state) {
		sm->state = k->state;
		sm->state_since = m->time;
	}
	/* the kernel's own time of the transition (eBPF events), when known */
	if (k->state_ms) {
		sm->state_since = m->time - k->state_ms / 1000.0;
		if (sm->first_seen > sm->state_since)
			sm->first_seen = sm->state_since;
	}
	sm->last_gen = m->generation;
	ms->first_seen = sm->first_seen;
	ms->state_since = sm->state_since;
	return 0;
}

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	if (x->tenant != y->tenant)
		return x->tenant < y->tenant ? -1 : 1;
	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	return (x->sock > y->sock) - (x->sock < y->sock);
}

static int tenant_cmp(const void *a, const void *b)
{
	const tt_mtenant *x = a, *y = b;
	uint32_t lx = tt_counts_leaked(&x->counts), ly = tt_counts_leaked(&y->counts);
	if (lx != ly)
		return lx > ly ? -1 : 1;
	uint32_t tx = tt_counts_total(&x->counts), ty = tt_counts_total(&y->counts);
	if (tx != ty)
		return tx > ty ? -1 : 1;
	return strcmp(x->name, y->name);
}

static bool sock_stale_gen(const void *rec, const void *arg)
{
	const struct sockmem *s = rec;
	const uint64_t *min_gen = arg;
	return s->last_gen < *min_gen;
}

int tt_model_update(tt_model *m, tt_snapshot *snap)
{
	struct model_priv *pv = m->priv;

	/* take the new snapshot, hand back the old buffers */
	tt_snapshot old = m->snap;
	m->snap = *snap;
	*snap = old;
	tt_snapshot_clear(snap);
	tt_snapshot *s = &m->snap;

	m->generation++;
	m->time = s->time;
	m->nsocks = m->nprocs = m->nrefs = m->ntenants = m->nunattr = 0;
	m->endpoint_unknown = 0;
	memset(&m->totals, 0, sizeof(m->totals));
	memset(&m->unattributed, 0, sizeof(m->unattributed));
	pv->npairs = pv->nmatches = 0;
	tt_u64set_clear(&pv->tenant_ix);
	tt_u64set_clear(&pv->match_ix);
	pv->last_match = pv->last_tenant = SIZE_MAX;

	if (tt_vec_reserve((void **)&m->socks, &m->socks_cap, s->nsocks, sizeof(tt_msock)) < 0)
		return -1;

	if (tt_rule_ctx_begin(pv->rctx, s) < 0)
		return -1;

	/* the watched ports: the options', and what the collector discovered */
	pv->ports = m->opts.ports;
	for (size_t i = 0; i < s->nwatched; i++)
		if (s->watched[i].family != TT_FAM_UNIX)
			tt_portset_add(&pv->ports, s->watched[i].port);
	/* listening ports, for the role of connections between two watched ports */
	tt_portset_clear(&pv->listening);
	for (size_t i = 0; i < s->nsocks; i++)
		if (s->socks[i].state == TT_ST_LISTEN)
			tt_portset_add(&pv->listening, s->socks[i].lport);

	/* sockets: ids, roles, ages, owners -> (tenant, proc, sock) pairs */
	for (size_t i = 0; i < s->nsocks; i++) {
		const tt_sock *k = &s->socks[i];
		tt_msock *ms = &m->socks[i];
		memset(ms, 0, sizeof(*ms));
		ms->s = k;
		ms->id = sock_id(k);
		ms->tenant = -1;
		ms->holder = -1;
		role_of(pv, &pv->ports, k, &ms->role, &ms->port);
		if (track_age(m, pv, ms) < 0)
			return -1;
		if (k->state < TT_ST_COUNT && !(k->flags & TT_SF_ENDPOINT_UNKNOWN))
			m->totals.st[k->state]++;
		else if (k->flags & TT_SF_ENDPOINT_UNKNOWN)
			m->endpoint_unknown++;

		tt_match mt;
		const tt_owner *o = k->inode ? tt_snapshot_find_owner(s, k->netns, k->inode) : NULL;
		const tt_owner *end = s->owners + s->nowners;
		for (; o && o < end && o->inode == k->inode && o->netns == k->netns; o++) {
			/* one pair per holding process (several fds of one process count once) */
			if (o > s->owners && o[-1].inode == k->inode && o[-1].netns == k->netns &&
			    o[-1].proc == o->proc)
				continue;
			if (o->proc >= s->nprocs)
				continue;
			ms->nholders++;
			if (ms->holder < 0)
				ms->holder = (int32_t)o->proc;
			if (!tt_rule_ctx_match(pv->rctx, k, ms->role, (long)o->proc, &mt))
				continue;
			long t = tenant_slot(m, pv, &mt);
			if (t < 0 || add_pair(pv, (uint32_t)t, o->proc, (uint32_t)i, &mt) < 0)
				return -1;
			if (ms->tenant < 0) {
				ms->tenant = (int32_t)t;
				ms->owner_kind = (s->procs[o->proc].flags & TT_PF_SOCKET_UID) ? TT_OWN_SOCKET_UID : TT_OWN_FD;
			}
		}
		if (ms->nholders)
			continue;
		/* no holder: the process a kernel event saw connect or close it */
		if (k->event_proc && k->event_proc <= s->nprocs &&
		    tt_rule_ctx_match(pv->rctx, k, ms->role, (long)k->event_proc - 1, &mt)) {
			long t = tenant_slot(m, pv, &mt);
			if (t < 0 || add_pair(pv, (uint32_t)t, k->event_proc - 1, (uint32_t)i, &mt) < 0)
				return -1;
			ms->tenant = (int32_t)t;
			ms->owner_kind = TT_OWN_EVENT;
			continue;
		}
		/* then socket rules, then the owner remembered on this connection */
		if (tt_rule_ctx_match(pv->rctx, k, ms->role, -1, &mt)) {
			ms->owner_kind = TT_OWN_RULE;
		} else {
			/* with a cookie, only the connection itself counts: the last
			 * owner of its 4-tuple may have been anyone */
			bool exact = k->cookie != 0;
			const struct tuplemem *tm =
				memvec_find(&pv->tuples, exact ? cookie_key(k->cookie) : tuple_key(k));
			if (!tm || !remembered_match(pv, tm->tenant, exact, &mt))
				continue;
			ms->owner_kind = TT_OWN_MEMORY;
		}
		long t = tenant_slot(m, pv, &mt);
		if (t < 0 || add_pair(pv, (uint32_t)t, UINT32_MAX, (uint32_t)i, &mt) < 0)
			return -1;
		ms->tenant = (int32_t)t;
	}
	m->nsocks = s->nsocks;

	/* remember who owned each connection (cookie and 4-tuple), for the TIME_WAIT it leaves behind */
	for (size_t i = 0; i < m->nsocks; i++) {
		tt_msock *ms = &m->socks[i];
		if (ms->owner_kind != TT_OWN_FD || ms->s->family == TT_FAM_UNIX ||
		    (ms->s->flags & TT_SF_ENDPOINT_UNKNOWN))
			continue;
		for (int by_cookie = 0; by_cookie < 2; by_cookie++) {
			if (by_cookie && !ms->s->cookie)
				break;
			bool created;
			struct tuplemem *tm = memvec_get(&pv->tuples, by_cookie ? cookie_key(ms->s->cookie)
										 : tuple_key(ms->s), &created);
			if (!tm)
				return -1;
			tm->tenant = m->tenants[ms->tenant].key;
			tm->last_seen = m->time;
		}
	}

	/* count distinct sockets per tenant: the pairs of one socket were added
	 * together (one per holding process), so a socket held by two processes
	 * of one tenant is counted once by looking back within its group */
	for (size_t i = 0, g = 0; i < pv->npairs; i++) {
		const struct pair *p = &pv->pairs[i];
		if (i == 0 || pv->pairs[i - 1].sock != p->sock)
			g = i;
		bool seen = false;
		for (size_t j = g; j < i && !seen; j++)
			seen = pv->pairs[j].tenant == p->tenant;
		const tt_sock *k = &s->socks[p->sock];
		if (!seen && (k->flags & TT_SF_ENDPOINT_UNKNOWN))
			m->tenants[p->tenant].endpoint_unknown++;
		else if (!seen && k->state < TT_ST_COUNT)
			m->tenants[p->tenant].counts.st[k->state]++;
	}
	/* order tenants, then remap the pairs' tenant indices to that order */
	for (size_t i = 0; i < m->ntenants; i++)
		m->tenants[i].first_proc = (uint32_t)i; /* old index, temporarily */
	if (m->ntenants > 1)
		qsort(m->tenants, m->ntenants, sizeof(tt_mtenant), tenant_cmp);
	if (tt_vec_reserve((void **)&pv->remap, &pv->remap_cap, m->ntenants, sizeof(uint32_t)) < 0)
		return -1;
	uint32_t *remap = pv->remap;
	for (size_t i = 0; i < m->ntenants; i++)
		remap[m->tenants[i].first_proc] = (uint32_t)i;
	for (size_t i = 0; i < pv->npairs; i++)
		pv->pairs[i].tenant = remap[pv->pairs[i].tenant];
	for (size_t i = 0; i < m->nsocks; i++)
		if (m->socks[i].tenant >= 0)
			m->socks[i].tenant = (int32_t)remap[m->socks[i].tenant];
	if (pv->npairs > 1)
		qsort(pv->pairs, pv->npairs, sizeof(struct pair), pair_cmp);

	/* build procs and refs from the sorted pairs */
	if (tt_vec_reserve((void **)&m->refs, &m->refs_cap, pv->npairs, sizeof(uint32_t)) < 0)
		return -1;
	size_t i = 0;
	for (size_t t = 0; t < m->ntenants; t++) {
		tt_mtenant *tn = &m->tenants[t];
		tn->first_proc = (uint32_t)m->nprocs;
		tn->nprocs = 0;
		tn->oldest_leak_s = 0;
		while (i < pv->npairs && pv->pairs[i].tenant == t && pv->pairs[i].proc != UINT32_MAX) {
			uint32_t proc = pv->pairs[i].proc;
			if (tt_vec_reserve((void **)&m->procs, &m->procs_cap, m->nprocs + 1, sizeof(tt_mproc)) < 0)
				return -1;
			tt_mproc *mp = &m->procs[m->nprocs++];
			memset(mp, 0, sizeof(*mp));
			mp->p = &s->procs[proc];
			mp->proc = proc;
			mp->tenant = (int32_t)t;
			mp->match = pv->matches[pv->pairs[i].match];
			mp->first_ref = (uint32_t)m->nrefs;
			for (; i < pv->npairs && pv->pairs[i].tenant == t && pv->pairs[i].proc == proc; i++) {
				uint32_t si = pv->pairs[i].sock;
				const tt_msock *ms = &m->socks[si];
				if (ms->s->flags & TT_SF_ENDPOINT_UNKNOWN) {
					mp->endpoint_unknown++; /* apart: not a socket of any known kind */
					continue;
				}
				m->refs[m->nrefs++] = si;
				mp->nrefs++;
				if (ms->s->state < TT_ST_COUNT)
					mp->counts.st[ms->s->state]++;
				if (tt_state_is_leak(ms->s->state)) {
					double age = m->time - ms->state_since;
					if (age > mp->oldest_leak_s)
						mp->oldest_leak_s = age;
				}
			}
			if (mp->oldest_leak_s > tn->oldest_leak_s)
				tn->oldest_leak_s = mp->oldest_leak_s;
			tn->nprocs++;
		}
		tn->first_unowned = (uint32_t)m->nrefs;
		tn->nunowned = 0;
		for (; i < pv->npairs && pv->pairs[i].tenant == t; i++) {
			uint32_t si = pv->pairs[i].sock;
			const tt_msock *ms = &m->socks[si];
			m->refs[m->nrefs++] = si;
			tn->nunowned++;
			if (tt_state_is_leak(ms->s->state) && m->time - ms->state_since > tn->oldest_leak_s)
				tn->oldest_leak_s = m->time - ms->state_since;
		}
	}

	/* unattributed sockets */
	if (tt_vec_reserve((void **)&m->unattr, &m->unattr_cap, m->nsocks, sizeof(uint32_t)) < 0)
		return -1;
	for (size_t j = 0; j < m->nsocks; j++) {
		if (m->socks[j].tenant >= 0)
			continue;
		m->unattr[m->nunattr++] = (uint32_t)j;
		if (m->socks[j].s->state < TT_ST_COUNT)
			m->unattributed.st[m->socks[j].s->state]++;
	}

	/* history and trends */
	uint32_t vals[TT_SER_COUNT];
	for (size_t t = 0; t < m->ntenants; t++) {
		tt_mtenant *tn = &m->tenants[t];
		bool created;
		struct tenantmem *tm = memvec_get(&pv->tenants, name_key(tn->name), &created);
		if (!tm)
			return -1;
		if (created)
			memcpy(tm->name, tn->name, sizeof(tm->name));
		tm->last_seen = m->time;
		vals[TT_SER_ESTAB] = tn->counts.st[TT_ST_ESTABLISHED];
		vals[TT_SER_CLOSE_WAIT] = tn->counts.st[TT_ST_CLOSE_WAIT];
		vals[TT_SER_CLOSE] = tn->counts.st[TT_ST_CLOSE];
		vals[TT_SER_TIME_WAIT] = tn->counts.st[TT_ST_TIME_WAIT];
		tt_history_push(&tm->hist, m->time, vals);
	}
	/* pointers into the tenant memory, now that it no longer moves */
	for (size_t t = 0; t < m->ntenants; t++) {
		tt_mtenant *tn = &m->tenants[t];
		struct tenantmem *tm = memvec_find(&pv->tenants, name_key(tn->name));
		tn->hist = tm ? &tm->hist : NULL;
		tn->leak_slope = tm ? tt_history_slope_per_min(&tm->hist, TT_SER_LEAKS, m->opts.trend_window_s) : 0;
	}
	vals[TT_SER_ESTAB] = m->totals.st[TT_ST_ESTABLISHED];
	vals[TT_SER_CLOSE_WAIT] = m->totals.st[TT_ST_CLOSE_WAIT];
	vals[TT_SER_CLOSE] = m->totals.st[TT_ST_CLOSE];
	vals[TT_SER_TIME_WAIT] = m->totals.st[TT_ST_TIME_WAIT];
	tt_history_push(&m->total_hist, m->time, vals);

	/* forget what has not been seen for a while */
	struct sweep_arg sa = {m->time, m->opts.forget_after_s};
	/* a socket missing from three refreshes in a row is gone */
	uint64_t min_gen = m->generation > 3 ? m->generation - 3 : 0;
	memvec_sweep(&pv->socks, sock_stale_gen, &min_gen);
	memvec_sweep(&pv->tuples, tuple_stale, &sa);
	memvec_sweep(&pv->tenants, tenant_stale, &sa);
	/* tenant memory moved: refresh the history pointers */
	for (size_t t = 0; t < m->ntenants; t++) {
		struct tenantmem *tm = memvec_find(&pv->tenants, name_key(m->tenants[t].name));
		m->tenants[t].hist = tm ? &tm->hist : NULL;
	}
	/* the connections opened and closed since the last refresh */
	return tt_lifecycle_update(m->life, m);
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
