/* What the model keeps between refreshes and per refresh, shared by its
 * life and lookups (model.c) and its update (update.c).  Private to
 * src/model. */
#ifndef TENANTOP_MODEL_PRIV_H
#define TENANTOP_MODEL_PRIV_H

#include "model/memvec.h"
#include "tenantop/model.h"

struct sockmem {
	uint64_t id;
	double first_seen;
	double state_since;
	uint32_t last_gen; /* the model's generation, modulo 2^32 */
	uint8_t state;
	/* what the connection memory was last told of it (a digest of its
	 * keys and tenant, 0 nothing), and when (whole seconds): told again
	 * only when that changes, or as it grows old */
	uint32_t told;
	uint32_t told_s;
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

struct pair {
	uint32_t tenant;
	uint32_t proc; /* UINT32_MAX: no holder */
	uint32_t sock;
	uint32_t match; /* index in priv->matches */
};

/* A process's tenant and match, found once per refresh (generation). */
struct proc_memo {
	uint64_t gen;
	uint32_t tenant, match;
};

struct model_priv {
	tt_memvec socks, tuples, tenants;
	struct pair *pairs;
	size_t npairs, pairs_cap;
	uint32_t *buckets;      /* per refresh: the pairs' sort's buckets */
	size_t buckets_cap;
	struct proc_memo *memo; /* per refresh: by process index; NULL off */
	struct proc_memo *memo_v;
	size_t memo_cap, memo_init; /* memo_v[0 .. memo_init) zeroed once */
	uint32_t *owner_start;  /* per refresh: the owners' index (update.c) */
	size_t owner_start_cap, owner_buckets;
	unsigned owner_shift;
	tt_match *matches; /* distinct per refresh: most pairs share a few */
	size_t nmatches, matches_cap;
	tt_u64set match_ix; /* per refresh: hash of a match -> index in matches */
	size_t last_match;  /* the match used last: consecutive sockets mostly share it */
	size_t last_tenant; /* likewise the tenant */
	uint64_t mem_key;   /* the last owner remembered on a connection, and its match */
	bool mem_exact;     /* ... remembered by cookie */
	tt_match mem_match;
	uint32_t *sockmem_ix; /* per refresh: by socket, the index of its struct sockmem */
	size_t sockmem_ix_cap;
	uint32_t *remap; /* the old -> new tenant index map */
	size_t remap_cap;
	tt_u64set tenant_ix; /* per refresh: name key -> tenant index */
	tt_portset listening;
	tt_portset ports;    /* per refresh: the options' ports and those the collector watched */
	tt_rules *own_rules; /* default rules when opts.rules is NULL */
	tt_rule_ctx *rctx;   /* rule matching with per-process caching */
};


#endif
