/* The model's update: one refresh merged, in named phases (take the
 * snapshot, attribute each socket, remember owners, count, order the
 * tenants, build the tree, histories, forget).  See model.c for what the
 * maps keep. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_priv.h"
#include "tenantop/lifecycle.h"
#include "tenantop/model.h"
#include "tenantop/vec.h"

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
		const struct tenantmem *tm = tt_memvec_find(&pv->tenants, tenant);
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

static int add_pair_ix(struct model_priv *pv, uint32_t tenant, uint32_t proc, uint32_t sock, long mi)
{
	if (mi < 0 || tt_vec_reserve((void **)&pv->pairs, &pv->pairs_cap, pv->npairs + 1, sizeof(struct pair)) < 0)
		return -1;
	pv->pairs[pv->npairs++] = (struct pair){tenant, proc, sock, (uint32_t)mi};
	return 0;
}

static int add_pair(struct model_priv *pv, uint32_t tenant, uint32_t proc, uint32_t sock,
		    const tt_match *mt)
{
	return add_pair_ix(pv, tenant, proc, sock, intern_match(pv, mt));
}

/* How many sockets ahead a loop asks for the memory it will read (hash
 * slots, records): far enough to hide a cache miss, near enough to stay. */
#define AHEAD 16

/* Ages: first seen, and since when in this state. */
static int track_age(tt_model *m, struct model_priv *pv, tt_msock *ms, uint32_t *ix)
{
	const tt_sock *k = ms->s;
	bool created;
	struct sockmem *sm = tt_memvec_get(&pv->socks, ms->id, &created);
	if (!sm)
		return -1;
	*ix = (uint32_t)(sm - (struct sockmem *)pv->socks.v);
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
	sm->last_gen = (uint32_t)m->generation;
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
	const uint64_t *gen = arg;
	/* missing from more than three refreshes in a row (generations kept
	 * modulo 2^32: the difference is what counts) */
	return (uint32_t)((uint32_t)*gen - s->last_gen) > 3;
}

/* Phase 1: take the new snapshot (handing back the old buffers) and start
 * this refresh's tree empty. */
static int take_snapshot(tt_model *m, struct model_priv *pv, tt_snapshot *snap)
{
	tt_snapshot old = m->snap;
	m->snap = *snap;
	*snap = old;
	tt_snapshot_clear(snap);
	const tt_snapshot *s = &m->snap;
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
	/* the per-process memory of this refresh's matches: only where no
	 * socket rule can make two sockets of one process differ */
	pv->memo = NULL;
	if (!tt_rules_have_socket_rules(m->opts.rules) && s->nprocs &&
	    tt_vec_reserve((void **)&pv->memo_v, &pv->memo_cap, s->nprocs, sizeof(struct proc_memo)) == 0) {
		/* new room is no refresh's (generations start at 1) */
		memset(pv->memo_v + pv->memo_init, 0, (pv->memo_cap - pv->memo_init) * sizeof(struct proc_memo));
		pv->memo_init = pv->memo_cap;
		pv->memo = pv->memo_v;
	}
	return tt_rule_ctx_begin(pv->rctx, s);
}

/* Phase 2: the watched ports (the options', and what the collector
 * discovered) and the listening ones, for the sockets' roles. */
static void watched_ports(tt_model *m, struct model_priv *pv)
{
	const tt_snapshot *s = &m->snap;
	pv->ports = m->opts.ports;
	for (size_t i = 0; i < s->nwatched; i++)
		if (s->watched[i].family != TT_FAM_UNIX)
			tt_portset_add(&pv->ports, s->watched[i].port);
	/* listening ports, for the role of connections between two watched ports */
	tt_portset_clear(&pv->listening);
	for (size_t i = 0; i < s->nsocks; i++)
		if (s->socks[i].state == TT_ST_LISTEN)
			tt_portset_add(&pv->listening, s->socks[i].lport);
}

/* tenantop's own connections (its database probes): a tenant of their own. */
static void self_match(tt_match *mt)
{
	memset(mt, 0, sizeof(*mt));
	snprintf(mt->tenant, sizeof(mt->tenant), "(tenantop)");
	mt->rule = "self";
	snprintf(mt->detail, sizeof(mt->detail), "tenantop's own database probes");
}

/* The owners' index, per refresh: the owners are sorted by (netns,
 * inode); in one namespace (the common case) start[b] is the first owner
 * whose inode is at or past base + (b << shift), so an inode's owners are
 * among the few of its bucket.  Off (bisection alone) over several
 * namespaces. */
static int index_owners(struct model_priv *pv, const tt_snapshot *s)
{
	const tt_owner *o = s->owners;
	size_t n = s->nowners;
	pv->owner_buckets = 0;
	if (n < 64 || n >= UINT32_MAX || o[0].netns != o[n - 1].netns)
		return 0;
	uint64_t span = o[n - 1].inode - o[0].inode;
	unsigned shift = 0;
	while (shift < 63 && (span >> shift) > n / 4)
		shift++;
	size_t nb = (size_t)(span >> shift) + 1;
	if (tt_vec_reserve((void **)&pv->owner_start, &pv->owner_start_cap, nb + 1, sizeof(uint32_t)) < 0)
		return -1;
	size_t j = 0;
	for (size_t bk = 0; bk <= nb; bk++) {
		while (j < n && ((o[j].inode - o[0].inode) >> shift) < bk)
			j++;
		pv->owner_start[bk] = (uint32_t)j;
	}
	pv->owner_shift = shift;
	pv->owner_buckets = nb;
	return 0;
}

/* The range of owners [*lo, *hi) where the lower bound of (netns, inode)
 * lies (it may be *hi); false when no owner can be it. */
static bool owner_range(const struct model_priv *pv, const tt_snapshot *s, uint64_t netns, uint64_t inode,
			size_t *lo, size_t *hi)
{
	*lo = 0;
	*hi = s->nowners;
	if (!pv->owner_buckets)
		return true;
	const tt_owner *o = s->owners;
	if (netns != o[0].netns || inode < o[0].inode || inode > o[s->nowners - 1].inode)
		return false;
	size_t bk = (size_t)((inode - o[0].inode) >> pv->owner_shift);
	*lo = pv->owner_start[bk];
	*hi = pv->owner_start[bk + 1];
	return true;
}

/* The first owner of (netns, inode), as tt_snapshot_find_owner (the lower
 * bound in the sorted owners, bisected within its bucket). */
static const tt_owner *find_owner(const struct model_priv *pv, const tt_snapshot *s, uint64_t netns, uint64_t inode)
{
	const tt_owner *o = s->owners;
	size_t lo, hi;
	if (!owner_range(pv, s, netns, inode, &lo, &hi))
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (o[mid].netns < netns || (o[mid].netns == netns && o[mid].inode < inode))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->nowners && o[lo].netns == netns && o[lo].inode == inode)
		return &o[lo];
	return NULL;
}

/* One pair per process holding the socket; false when none holds it.
 * -1 when out of memory. */
static int attribute_holders(tt_model *m, struct model_priv *pv, size_t i)
{
	const tt_snapshot *s = &m->snap;
	const tt_sock *k = &s->socks[i];
	tt_msock *ms = &m->socks[i];
	tt_match mt;
	const tt_owner *o = k->inode ? find_owner(pv, s, k->netns, k->inode) : NULL;
	const tt_owner *end = s->owners + s->nowners;
	for (; o && o < end && o->inode == k->inode && o->netns == k->netns; o++) {
		/* one pair per holding process (several fds of one process count once) */
		if (o > s->owners && o[-1].inode == k->inode && o[-1].netns == k->netns && o[-1].proc == o->proc)
			continue;
		if (o->proc >= s->nprocs)
			continue;
		ms->nholders++;
		if (ms->holder < 0)
			ms->holder = (int32_t)o->proc;
		long t, mi;
		struct proc_memo *pm = pv->memo ? &pv->memo[o->proc] : NULL;
		bool self = s->self_pid && s->procs[o->proc].pid == s->self_pid;
		if (self) {
			self_match(&mt);
		} else if (pm && pm->gen == m->generation) {
			/* without socket rules a process's match is the same for all
			 * its sockets: its tenant and match as found for the first */
			t = pm->tenant;
			mi = pm->match;
			goto have;
		} else if (!tt_rule_ctx_match(pv->rctx, k, ms->role, (long)o->proc, &mt)) {
			continue;
		}
		t = tenant_slot(m, pv, &mt);
		mi = t < 0 ? -1 : intern_match(pv, &mt);
		if (pm && !self && t >= 0 && mi >= 0)
			*pm = (struct proc_memo){m->generation, (uint32_t)t, (uint32_t)mi};
	have:
		if (t < 0 || add_pair_ix(pv, (uint32_t)t, o->proc, (uint32_t)i, mi) < 0)
			return -1;
		if (ms->tenant < 0) {
			ms->tenant = (int32_t)t;
			ms->owner_kind = (s->procs[o->proc].flags & TT_PF_SOCKET_UID) ? TT_OWN_SOCKET_UID : TT_OWN_FD;
		}
	}
	return 0;
}

/* A socket no process holds: the process a kernel event saw connect or
 * close it, then socket rules, then the owner remembered on this
 * connection.  -1 when out of memory. */
static int attribute_unheld(tt_model *m, struct model_priv *pv, size_t i)
{
	const tt_snapshot *s = &m->snap;
	const tt_sock *k = &s->socks[i];
	tt_msock *ms = &m->socks[i];
	tt_match mt;
	uint32_t proc = UINT32_MAX;
	if (k->event_proc && k->event_proc <= s->nprocs &&
	    tt_rule_ctx_match(pv->rctx, k, ms->role, (long)k->event_proc - 1, &mt)) {
		proc = k->event_proc - 1;
		ms->owner_kind = TT_OWN_EVENT;
	} else if (tt_rule_ctx_match(pv->rctx, k, ms->role, -1, &mt)) {
		ms->owner_kind = TT_OWN_RULE;
	} else {
		/* with a cookie, only the connection itself counts: the last
		 * owner of its 4-tuple may have been anyone */
		bool exact = k->cookie != 0;
		const struct tuplemem *tm = tt_memvec_find(&pv->tuples, exact ? cookie_key(k->cookie) : tuple_key(k));
		if (!tm || !remembered_match(pv, tm->tenant, exact, &mt))
			return 0;
		ms->owner_kind = TT_OWN_MEMORY;
	}
	long t = tenant_slot(m, pv, &mt);
	if (t < 0 || add_pair(pv, (uint32_t)t, proc, (uint32_t)i, &mt) < 0)
		return -1;
	ms->tenant = (int32_t)t;
	return 0;
}

/* Phase 3: every socket's id, role, age, totals and owners -> (tenant,
 * proc, sock) pairs. */
static int attribute_sockets(tt_model *m, struct model_priv *pv)
{
	const tt_snapshot *s = &m->snap;
	size_t n = s->nsocks;
	/* the ids first, so that the ages' lookups can ask for their slots ahead */
	for (size_t i = 0; i < n; i++) {
		tt_msock *ms = &m->socks[i];
		memset(ms, 0, sizeof(*ms));
		ms->s = &s->socks[i];
		ms->id = sock_id(ms->s);
		ms->tenant = -1;
		ms->holder = -1;
	}
	if (tt_vec_reserve((void **)&pv->sockmem_ix, &pv->sockmem_ix_cap, n, sizeof(uint32_t)) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (i + 2 * AHEAD < n)
			tt_memvec_prefetch_slot(&pv->socks, m->socks[i + 2 * AHEAD].id);
		if (track_age(m, pv, &m->socks[i], &pv->sockmem_ix[i]) < 0)
			return -1;
	}
	if (index_owners(pv, s) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const tt_sock *k = &s->socks[i];
		tt_msock *ms = &m->socks[i];
		size_t lo, hi;
		if (pv->owner_buckets && i + AHEAD < n && s->socks[i + AHEAD].inode &&
		    owner_range(pv, s, s->socks[i + AHEAD].netns, s->socks[i + AHEAD].inode, &lo, &hi) && lo < hi) {
			__builtin_prefetch(&s->owners[lo]);
			__builtin_prefetch(&s->owners[hi - 1]);
		}
		role_of(pv, &pv->ports, k, &ms->role, &ms->port);
		if (k->state < TT_ST_COUNT && !(k->flags & TT_SF_ENDPOINT_UNKNOWN))
			m->totals.st[k->state]++;
		else if (k->flags & TT_SF_ENDPOINT_UNKNOWN)
			m->endpoint_unknown++;
		if (attribute_holders(m, pv, i) < 0)
			return -1;
		if (!ms->nholders && attribute_unheld(m, pv, i) < 0)
			return -1;
	}
	m->nsocks = s->nsocks;
	return 0;
}

/* Phase 3b: a pooler's server connection goes to the tenant of the client
 * it serves now (its pairs keep the pooler's process): a pooled backend is
 * the customer's, not the pooler user's. */
static int attribute_pooled(tt_model *m, struct model_priv *pv)
{
	const tt_snapshot *s = &m->snap;
	/* the pairs so far were added socket by socket: in socket order */
	size_t sorted = pv->npairs;
	for (size_t i = 0; s->pooled_by && i < s->npooled_by && i < m->nsocks; i++) {
		int32_t c = s->pooled_by[i];
		tt_msock *ms = &m->socks[i];
		if (c < 0 || (size_t)c >= m->nsocks || m->socks[c].tenant < 0 || m->socks[c].tenant == ms->tenant)
			continue;
		const tt_mtenant *client = &m->tenants[m->socks[c].tenant];
		tt_match mt;
		memset(&mt, 0, sizeof(mt));
		memcpy(mt.tenant, client->name, sizeof(mt.tenant));
		mt.rule = "pooled";
		snprintf(mt.detail, sizeof(mt.detail), "a pooler's server connection, serving %.40s's client now", client->name);
		long t = tenant_slot(m, pv, &mt), mi = intern_match(pv, &mt);
		if (t < 0 || mi < 0)
			return -1;
		size_t lo = 0, hi = sorted;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (pv->pairs[mid].sock < i)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t p = lo; p < sorted && pv->pairs[p].sock == i; p++) {
			pv->pairs[p].tenant = (uint32_t)t;
			pv->pairs[p].match = (uint32_t)mi;
		}
		if (ms->tenant < 0 && add_pair(pv, (uint32_t)t, UINT32_MAX, (uint32_t)i, &mt) < 0)
			return -1;
		ms->tenant = (int32_t)t;
		ms->owner_kind = TT_OWN_POOLED;
	}
	return 0;
}

/* Phase 4: remember who owned each connection (cookie and 4-tuple), for
 * the TIME_WAIT it leaves behind. */
static bool remembered(const tt_msock *ms)
{
	return ms->owner_kind == TT_OWN_FD && ms->s->family != TT_FAM_UNIX && !(ms->s->flags & TT_SF_ENDPOINT_UNKNOWN);
}

/* A socket's key in the connection memory: its cookie's, which is what a
 * socket with a cookie is looked up by (its TIME_WAIT keeps it); its
 * 4-tuple's only for a source that gives none (/proc/net/tcp), looked up
 * by 4-tuple too.  One entry a socket. */
static uint64_t owner_key(const tt_msock *ms)
{
	return ms->s->cookie ? cookie_key(ms->s->cookie) : tuple_key(ms->s);
}

#define RING (4 * AHEAD) /* above 2 * AHEAD; AHEAD a power of two */

/* What socket i tells the connection memory (its key, its tenant's), in
 * 32 bits, never 0; and whether the memory already has it, told recently
 * enough that it is not forgotten (an eighth of the memory's life: a
 * connection's TIME_WAIT outlives its close by 60 s). */
static bool told_already(const tt_model *m, const struct model_priv *pv, size_t i, uint64_t key, uint32_t *digest)
{
	const tt_msock *ms = &m->socks[i];
	uint64_t h = tt_hash_mix(key, m->tenants[ms->tenant].key);
	*digest = (uint32_t)(h ^ h >> 32) ? (uint32_t)(h ^ h >> 32) : 1;
	const struct sockmem *sm = (const struct sockmem *)pv->socks.v + pv->sockmem_ix[i];
	return sm->told == *digest && m->time - (double)sm->told_s < m->opts.forget_after_s / 8;
}

static int remember_owners(tt_model *m, struct model_priv *pv)
{
	/* keys computed 2 * AHEAD sockets early, their slots asked for then
	 * (only for the sockets whose memory must be told again) */
	uint64_t ring[RING];
	uint32_t digest[RING];
	bool skip[RING];
	size_t n = m->nsocks;
	for (size_t j = 0; j < 2 * AHEAD && j < n; j++) {
		if (remembered(&m->socks[j])) {
			ring[j % RING] = owner_key(&m->socks[j]);
			skip[j % RING] = told_already(m, pv, j, ring[j % RING], &digest[j % RING]);
		}
	}
	for (size_t i = 0; i < n; i++) {
		size_t j = i + 2 * AHEAD;
		if (j < n && remembered(&m->socks[j])) {
			ring[j % RING] = owner_key(&m->socks[j]);
			skip[j % RING] = told_already(m, pv, j, ring[j % RING], &digest[j % RING]);
			if (!skip[j % RING])
				tt_memvec_prefetch_slot(&pv->tuples, ring[j % RING]);
		}
		tt_msock *ms = &m->socks[i];
		if (!remembered(ms) || skip[i % RING])
			continue;
		bool created;
		struct tuplemem *tm = tt_memvec_get(&pv->tuples, ring[i % RING], &created);
		if (!tm)
			return -1;
		tm->tenant = m->tenants[ms->tenant].key;
		tm->last_seen = m->time;
		struct sockmem *sm = (struct sockmem *)pv->socks.v + pv->sockmem_ix[i];
		sm->told = digest[i % RING];
		sm->told_s = m->time > 0 ? (uint32_t)m->time : 0;
	}
	return 0;
}

/* Phase 5: count distinct sockets per tenant: the pairs of one socket were
 * added together (one per holding process), so a socket held by two
 * processes of one tenant is counted once by looking back within its group. */
static void count_tenants(tt_model *m, struct model_priv *pv)
{
	for (size_t i = 0, g = 0; i < pv->npairs; i++) {
		const struct pair *p = &pv->pairs[i];
		if (i == 0 || pv->pairs[i - 1].sock != p->sock)
			g = i;
		bool seen = false;
		for (size_t j = g; j < i && !seen; j++)
			seen = pv->pairs[j].tenant == p->tenant;
		const tt_sock *k = &m->snap.socks[p->sock];
		if (!seen && (k->flags & TT_SF_ENDPOINT_UNKNOWN))
			m->tenants[p->tenant].endpoint_unknown++;
		else if (!seen && k->state < TT_ST_COUNT)
			m->tenants[p->tenant].counts.st[k->state]++;
	}
}

/* One stable counting pass: the pairs of src into dst by bucket. */
static void count_pass(const struct pair *src, struct pair *dst, size_t n, uint32_t *start, size_t nb, bool by_tenant,
		       uint32_t nprocs)
{
	memset(start, 0, (nb + 1) * sizeof(*start));
	for (size_t i = 0; i < n; i++) {
		uint32_t b = by_tenant ? src[i].tenant : src[i].proc == UINT32_MAX ? nprocs : src[i].proc;
		start[b + 1]++;
	}
	for (size_t b = 0; b < nb; b++)
		start[b + 1] += start[b];
	for (size_t i = 0; i < n; i++) {
		uint32_t b = by_tenant ? src[i].tenant : src[i].proc == UINT32_MAX ? nprocs : src[i].proc;
		dst[start[b]++] = src[i];
	}
}

/* The pairs in (tenant, proc, sock) order (pair_cmp).  Added socket by
 * socket, they are mostly in socket order already: then two stable
 * counting passes (by process, then by tenant) give that order in linear
 * time; otherwise (a pooled connection's pair added late) a sort. */
static int sort_pairs(tt_model *m, struct model_priv *pv)
{
	size_t n = pv->npairs;
	if (n < 2)
		return 0;
	uint32_t nprocs = (uint32_t)m->snap.nprocs;
	bool linear = m->snap.nprocs < UINT32_MAX - 1;
	for (size_t i = 0; linear && i < n; i++) {
		const struct pair *p = &pv->pairs[i];
		if ((i && pv->pairs[i - 1].sock > p->sock) || p->tenant >= m->ntenants ||
		    (p->proc != UINT32_MAX && p->proc >= nprocs))
			linear = false;
	}
	size_t nb = (size_t)nprocs + 1 > m->ntenants ? (size_t)nprocs + 1 : m->ntenants;
	/* the passes' room is taken for the sort only, as qsort's own would be */
	struct pair *tmp = linear ? malloc(n * sizeof(*tmp)) : NULL;
	if (!tmp || tt_vec_reserve((void **)&pv->buckets, &pv->buckets_cap, nb + 1, sizeof(uint32_t)) < 0) {
		free(tmp);
		qsort(pv->pairs, n, sizeof(struct pair), pair_cmp);
		return 0;
	}
	count_pass(pv->pairs, tmp, n, pv->buckets, (size_t)nprocs + 1, false, nprocs);
	count_pass(tmp, pv->pairs, n, pv->buckets, m->ntenants, true, nprocs);
	free(tmp);
	return 0;
}

/* Phase 6: order the tenants, then remap the pairs' and sockets' tenant
 * indices to that order and sort the pairs. */
static int order_tenants(tt_model *m, struct model_priv *pv)
{
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
	return sort_pairs(m, pv);
}

static double leak_age(const tt_model *m, const tt_msock *ms)
{
	return tt_state_is_leak(ms->s->state) ? m->time - ms->state_since : 0;
}

/* One process of tenant t from the sorted pairs at *i (its sockets follow). */
static int build_proc(tt_model *m, struct model_priv *pv, size_t t, size_t *i)
{
	tt_mtenant *tn = &m->tenants[t];
	uint32_t proc = pv->pairs[*i].proc;
	if (tt_vec_reserve((void **)&m->procs, &m->procs_cap, m->nprocs + 1, sizeof(tt_mproc)) < 0)
		return -1;
	tt_mproc *mp = &m->procs[m->nprocs++];
	memset(mp, 0, sizeof(*mp));
	mp->p = &m->snap.procs[proc];
	mp->proc = proc;
	mp->tenant = (int32_t)t;
	mp->match = pv->matches[pv->pairs[*i].match];
	mp->first_ref = (uint32_t)m->nrefs;
	for (; *i < pv->npairs && pv->pairs[*i].tenant == t && pv->pairs[*i].proc == proc; (*i)++) {
		if (*i + AHEAD < pv->npairs) {
			__builtin_prefetch(&m->socks[pv->pairs[*i + AHEAD].sock]);
			__builtin_prefetch(&m->snap.socks[pv->pairs[*i + AHEAD].sock]);
		}
		uint32_t si = pv->pairs[*i].sock;
		const tt_msock *ms = &m->socks[si];
		if (ms->s->flags & TT_SF_ENDPOINT_UNKNOWN) {
			mp->endpoint_unknown++; /* apart: not a socket of any known kind */
			continue;
		}
		m->refs[m->nrefs++] = si;
		mp->nrefs++;
		if (ms->s->state < TT_ST_COUNT)
			mp->counts.st[ms->s->state]++;
		if (leak_age(m, ms) > mp->oldest_leak_s)
			mp->oldest_leak_s = leak_age(m, ms);
	}
	if (mp->oldest_leak_s > tn->oldest_leak_s)
		tn->oldest_leak_s = mp->oldest_leak_s;
	tn->nprocs++;
	return 0;
}

/* Phase 7: the tree: each tenant's processes and their socket references,
 * then its sockets no process holds; then the unattributed sockets. */
static int build_tree(tt_model *m, struct model_priv *pv)
{
	if (tt_vec_reserve((void **)&m->refs, &m->refs_cap, pv->npairs, sizeof(uint32_t)) < 0)
		return -1;
	size_t i = 0;
	for (size_t t = 0; t < m->ntenants; t++) {
		tt_mtenant *tn = &m->tenants[t];
		tn->first_proc = (uint32_t)m->nprocs;
		tn->nprocs = 0;
		tn->oldest_leak_s = 0;
		while (i < pv->npairs && pv->pairs[i].tenant == t && pv->pairs[i].proc != UINT32_MAX)
			if (build_proc(m, pv, t, &i) < 0)
				return -1;
		tn->first_unowned = (uint32_t)m->nrefs;
		tn->nunowned = 0;
		for (; i < pv->npairs && pv->pairs[i].tenant == t; i++) {
			uint32_t si = pv->pairs[i].sock;
			m->refs[m->nrefs++] = si;
			tn->nunowned++;
			if (leak_age(m, &m->socks[si]) > tn->oldest_leak_s)
				tn->oldest_leak_s = leak_age(m, &m->socks[si]);
		}
	}
	if (tt_vec_reserve((void **)&m->unattr, &m->unattr_cap, m->nsocks, sizeof(uint32_t)) < 0)
		return -1;
	for (size_t j = 0; j < m->nsocks; j++) {
		if (m->socks[j].tenant >= 0)
			continue;
		m->unattr[m->nunattr++] = (uint32_t)j;
		if (m->socks[j].s->state < TT_ST_COUNT)
			m->unattributed.st[m->socks[j].s->state]++;
	}
	return 0;
}

static void series_of(const tt_counts *c, uint32_t vals[TT_SER_COUNT])
{
	vals[TT_SER_ESTAB] = c->st[TT_ST_ESTABLISHED];
	vals[TT_SER_CLOSE_WAIT] = c->st[TT_ST_CLOSE_WAIT];
	vals[TT_SER_CLOSE] = c->st[TT_ST_CLOSE];
	vals[TT_SER_TIME_WAIT] = c->st[TT_ST_TIME_WAIT];
}

/* The tenants' history pointers and trends, into the tenant memory. */
static void link_histories(tt_model *m, struct model_priv *pv)
{
	for (size_t t = 0; t < m->ntenants; t++) {
		tt_mtenant *tn = &m->tenants[t];
		struct tenantmem *tm = tt_memvec_find(&pv->tenants, name_key(tn->name));
		tn->hist = tm ? &tm->hist : NULL;
		tn->leak_slope = tm ? tt_history_slope_per_min(&tm->hist, TT_SER_LEAKS, m->opts.trend_window_s) : 0;
	}
}

/* Phase 8: every tenant's history and trend, and the totals'. */
static int push_histories(tt_model *m, struct model_priv *pv)
{
	uint32_t vals[TT_SER_COUNT];
	for (size_t t = 0; t < m->ntenants; t++) {
		tt_mtenant *tn = &m->tenants[t];
		bool created;
		struct tenantmem *tm = tt_memvec_get(&pv->tenants, name_key(tn->name), &created);
		if (!tm)
			return -1;
		if (created)
			memcpy(tm->name, tn->name, sizeof(tm->name));
		tm->last_seen = m->time;
		series_of(&tn->counts, vals);
		tt_history_push(&tm->hist, m->time, vals);
	}
	link_histories(m, pv);
	series_of(&m->totals, vals);
	tt_history_push(&m->total_hist, m->time, vals);
	return 0;
}

/* Phase 9: forget what has not been seen for a while (a socket missing
 * from three refreshes in a row is gone). */
static void forget_stale(tt_model *m, struct model_priv *pv)
{
	struct sweep_arg sa = {m->time, m->opts.forget_after_s};
	tt_memvec_sweep(&pv->socks, sock_stale_gen, &m->generation);
	tt_memvec_sweep(&pv->tuples, tuple_stale, &sa);
	tt_memvec_sweep(&pv->tenants, tenant_stale, &sa);
	/* tenant memory moved: refresh the history pointers */
	for (size_t t = 0; t < m->ntenants; t++) {
		struct tenantmem *tm = tt_memvec_find(&pv->tenants, name_key(m->tenants[t].name));
		m->tenants[t].hist = tm ? &tm->hist : NULL;
	}
}

int tt_model_update(tt_model *m, tt_snapshot *snap)
{
	struct model_priv *pv = m->priv;
	if (take_snapshot(m, pv, snap) < 0)
		return -1;
	watched_ports(m, pv);
	if (attribute_sockets(m, pv) < 0 || attribute_pooled(m, pv) < 0 || remember_owners(m, pv) < 0)
		return -1;
	count_tenants(m, pv);
	if (order_tenants(m, pv) < 0 || build_tree(m, pv) < 0 || push_histories(m, pv) < 0)
		return -1;
	forget_stale(m, pv);
	/* the connections opened and closed since the last refresh */
	return tt_lifecycle_update(m->life, m);
}

