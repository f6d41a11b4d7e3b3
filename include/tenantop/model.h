/* The model: the snapshot merged into a tenant -> process -> socket tree,
 * with per-state counts at every level, socket ages and history.
 * Pure C, no I/O: tests feed it snapshots.
 *
 * The tree is rebuilt from each snapshot; what must survive refreshes (first
 * seen times, the owner last seen on a 4-tuple, per-tenant history) lives in
 * persistent maps keyed by stable ids: (netns, inode) or the 4-tuple for a
 * socket, the name for a tenant, (pid, start time) for a process. */
#ifndef TENANTOP_MODEL_H
#define TENANTOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenantop/history.h"
#include "tenantop/portset.h"
#include "tenantop/snapshot.h"
#include "tenantop/tenant.h"
#include "tenantop/u64set.h"

typedef struct tt_counts {
	uint32_t st[TT_ST_COUNT];
} tt_counts;

static inline uint32_t tt_counts_leaked(const tt_counts *c)
{
	return c->st[TT_ST_CLOSE_WAIT] + c->st[TT_ST_CLOSE];
}
uint32_t tt_counts_total(const tt_counts *c);
/* Everything but ESTABLISHED, CLOSE_WAIT, CLOSE and TIME_WAIT. */
uint32_t tt_counts_other(const tt_counts *c);
void tt_counts_add(tt_counts *dst, const tt_counts *src);
/* (CLOSE_WAIT + CLOSE) / ESTABLISHED; -1 when there is no ESTABLISHED. */
double tt_counts_leak_ratio(const tt_counts *c);
/* LEAK% on screen and in the text output: leaked over leaked + ESTABLISHED,
 * the leaked share of the connections held (0..1); -1 when none is held. */
double tt_counts_leak_share(const tt_counts *c);

/* How a socket got its tenant. */
enum tt_owner_kind {
	TT_OWN_NONE = 0,   /* unattributed */
	TT_OWN_FD = 1,     /* a process holds it */
	TT_OWN_RULE = 2,   /* a socket rule (port/remote) */
	TT_OWN_MEMORY = 3, /* the owner seen earlier on the same connection (cookie) or 4-tuple */
	TT_OWN_SOCKET_UID = 4, /* no readable descriptor: the socket's own uid */
	TT_OWN_EVENT = 5,  /* no descriptor: the process a kernel event saw connect/close it */
	TT_OWN_POOLED = 6  /* a pooler's server connection: the tenant of the client it serves now */
};

typedef struct tt_msock {
	const tt_sock *s;     /* into model.snap */
	uint64_t id;          /* stable: hash of (netns, inode) or of the 4-tuple */
	double first_seen;    /* wall clock of the first sighting */
	double state_since;   /* wall clock it was first seen in its current state */
	uint8_t role;         /* enum tt_role */
	uint8_t owner_kind;   /* enum tt_owner_kind */
	uint16_t nholders;    /* processes holding it */
	uint16_t port;        /* the watched (database) port of the connection */
	int32_t tenant;       /* index in model.tenants; -1 unattributed */
	int32_t holder;       /* index in model.snap.procs of the first holder, -1 none */
} tt_msock;

/* A process under a tenant.  A process whose sockets belong to several
 * tenants (a database server split by remote rules) appears under each. */
typedef struct tt_mproc {
	const tt_proc *p;     /* into model.snap */
	uint32_t proc;        /* index in model.snap.procs */
	int32_t tenant;
	tt_counts counts;
	uint32_t first_ref, nrefs; /* model.refs[first_ref .. first_ref+nrefs) = socket indices */
	double oldest_leak_s; /* age in state of its oldest CLOSE_WAIT/CLOSE, 0 none */
	tt_match match;       /* why this process is this tenant */
	uint32_t endpoint_unknown; /* dead connections held whose endpoint could not be
				    * learnt: not among its sockets, never a leak */
} tt_mproc;

typedef struct tt_mtenant {
	char name[TT_NAME_MAX];
	uint64_t key;         /* hash of the name: the key of the tenant's memory */
	const char *rule;     /* rule kind of the first match that put something here */
	char detail[96];
	tt_counts counts;     /* distinct sockets */
	uint32_t first_proc, nprocs; /* model.procs[first_proc .. +nprocs) */
	uint32_t first_unowned, nunowned; /* model.refs[...]: sockets with no holder (rules, memory) */
	double oldest_leak_s;
	double leak_slope;    /* leaked sockets per minute, least squares over the trend window */
	const tt_history *hist;
	uint32_t endpoint_unknown; /* as tt_mproc's, distinct sockets */
} tt_mtenant;

typedef struct tt_model_opts {
	tt_portset ports;        /* watched ports (for role and the database port) */
	const tt_rules *rules;   /* NULL = default [user] */
	double trend_window_s;   /* default 120 */
	double forget_after_s;   /* drop memory of sockets/tuples unseen for this long; default 300 */
} tt_model_opts;

typedef struct tt_model {
	tt_model_opts opts;
	tt_snapshot snap;        /* current snapshot, owned */
	tt_msock *socks;         /* parallel to snap.socks */
	size_t nsocks, socks_cap;
	tt_mproc *procs;         /* grouped by tenant */
	size_t nprocs, procs_cap;
	uint32_t *refs;          /* socket index lists of procs and tenants */
	size_t nrefs, refs_cap;
	tt_mtenant *tenants;     /* sorted by leaked desc, then total desc, then name */
	size_t ntenants, tenants_cap;
	uint32_t *unattr;        /* socket indices with no tenant */
	size_t nunattr, unattr_cap;
	tt_counts unattributed;
	tt_counts totals;
	uint32_t endpoint_unknown; /* sockets of no known endpoint, in no count */
	tt_history total_hist;
	uint64_t generation;     /* refreshes merged */
	double time;             /* snapshot time */
	struct tt_lifecycle *life; /* connection lifecycle per tenant (lifecycle.h) */
	/* persistent memory (private to model.c) */
	void *priv;
} tt_model;

int tt_model_init(tt_model *m, const tt_model_opts *opts);
void tt_model_free(tt_model *m);
/* Merge a snapshot.  The model takes the snapshot's contents; on return
 * *snap holds the previous snapshot's buffers, cleared, ready to be filled
 * again (no allocation churn).  0, or -1 when out of memory (the model then
 * keeps the previous tree). */
int tt_model_update(tt_model *m, tt_snapshot *snap);
/* Between two refreshes, for a caller that shows nothing of the last one
 * until the next (batch): the snapshot's buffers go to *into, cleared (its
 * own freed), for the next collection to fill, so that one snapshot's
 * memory is resident instead of two; the tree is empty until the next
 * tt_model_update, the memory kept between refreshes stays. */
void tt_model_release(tt_model *m, tt_snapshot *into);

const char *tt_model_str(const tt_model *m, uint32_t off);
/* Lookups by stable id (for a cursor that follows rows across refreshes). */
long tt_model_find_tenant(const tt_model *m, const char *name);
long tt_model_find_proc(const tt_model *m, long tenant, int32_t pid, uint64_t start_time);
long tt_model_find_sock(const tt_model *m, uint64_t id);
/* Age in seconds of a socket at model time. */
double tt_msock_age(const tt_model *m, const tt_msock *ms);
double tt_msock_state_age(const tt_model *m, const tt_msock *ms);

#endif
