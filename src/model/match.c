/* Tenant rules tried in order, first match wins, for a socket and the
 * process holding it; with a per-refresh cache of each process's answer
 * (the cached context). */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/rules_priv.h"
#include "tenantop/sanitize.h"
#include "tenantop/tenant.h"
#include "tenantop/vec.h"

bool tt_cidr_match(const struct cidr *c, const uint8_t *addr, bool v6)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (v6 && !c->v6 && memcmp(addr, mapped, 12) == 0) {
		addr += 12; /* ::ffff:a.b.c.d against an IPv4 network */
		v6 = false;
	}
	if (v6 != (bool)c->v6)
		return false;
	int full = c->bits / 8, rest = c->bits % 8;
	if (memcmp(addr, c->addr, (size_t)full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((addr[full] & mask) != (c->addr[full] & mask))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------- matching */

/* Expand the template with the captures; false when the result is empty. */
static bool expand(const char *tmpl, const char *subject, const regmatch_t *mt, size_t ngroups, char *out,
		   size_t outlen)
{
	char raw[256];
	size_t o = 0;
	for (const char *p = tmpl; *p && o < sizeof(raw) - 1; p++) {
		if (*p == '\\' && p[1] >= '1' && p[1] <= '9') {
			size_t g = (size_t)(p[1] - '0');
			p++;
			if (g > ngroups || mt[g].rm_so < 0)
				continue;
			size_t n = (size_t)(mt[g].rm_eo - mt[g].rm_so);
			if (n > sizeof(raw) - 1 - o)
				n = sizeof(raw) - 1 - o;
			memcpy(raw + o, subject + mt[g].rm_so, n);
			o += n;
		} else {
			raw[o++] = *p;
		}
	}
	raw[o] = '\0';
	if (!o)
		return false;
	/* the subject comes from the snapshot's string pool and the template was
	 * checked when it was added: both are already safe; cut at a character */
	if (o >= outlen) {
		o = outlen - 1;
		while (o > 0 && ((unsigned char)raw[o] & 0xc0) == 0x80)
			o--;
	}
	memcpy(out, raw, o);
	out[o] = '\0';
	return true;
}

static bool match_re(const struct tt_rule *r, const char *subject, const char *what, tt_match *out)
{
	regmatch_t mt[10];
	if (!*subject || regexec(&r->re, subject, 10, mt, 0) != 0)
		return false;
	if (!expand(r->tmpl, subject, mt, r->ngroups < 9 ? r->ngroups : 9, out->tenant, sizeof(out->tenant)))
		return false;
	out->rule = tt_rule_kind_name(r->kind);
	snprintf(out->detail, sizeof(out->detail), "%s %s", what, subject);
	return true;
}

static bool match_user(const struct tt_rule *r, const tt_snapshot *s, const tt_proc *p, tt_match *out)
{
	for (size_t i = 0; i < r->nexcl; i++)
		if (p->uid >= r->excl_lo[i] && p->uid <= r->excl_hi[i]) {
			if (!r->group[0])
				return false;
			snprintf(out->tenant, sizeof(out->tenant), "%s", r->group);
			out->rule = "user";
			snprintf(out->detail, sizeof(out->detail), "uid %u (excluded range)", p->uid);
			return true;
		}
	const char *user = tt_snapshot_get_str(s, p->user);
	if (*user)
		snprintf(out->tenant, sizeof(out->tenant), "%s", user);
	else
		snprintf(out->tenant, sizeof(out->tenant), "%u", p->uid);
	out->rule = "user";
	snprintf(out->detail, sizeof(out->detail), "uid %u", p->uid);
	return true;
}

/* A process in another network namespace (a container, an ip netns): named
 * by the pattern on its cgroup path, else the rule's tenant, else the
 * namespace's ip netns name, else netns-INODE. */
static bool match_netns(const struct tt_rule *r, const tt_snapshot *s, const tt_proc *p, tt_match *out)
{
	if (!p->netns)
		return false;
	const char *nsname = tt_snapshot_get_str(s, p->netns_name);
	if (r->has_re && match_re(r, tt_snapshot_get_str(s, p->cgroup), "cgroup", out)) {
		char d[sizeof(out->detail)];
		snprintf(d, sizeof(d), "%s", out->detail);
		snprintf(out->detail, sizeof(out->detail), "netns %llu, %.70s", (unsigned long long)p->netns, d);
		return true;
	}
	if (r->name[0])
		snprintf(out->tenant, sizeof(out->tenant), "%s", r->name);
	else if (*nsname)
		snprintf(out->tenant, sizeof(out->tenant), "%s", nsname);
	else
		snprintf(out->tenant, sizeof(out->tenant), "netns-%llu", (unsigned long long)p->netns);
	out->rule = "netns";
	snprintf(out->detail, sizeof(out->detail), "netns %llu%s%s", (unsigned long long)p->netns, *nsname ? " " : "",
		 nsname);
	return true;
}

/* A process rule (not parent) on process p. */
static bool match_proc_rule(const struct tt_rule *r, const tt_snapshot *s, const tt_proc *p, tt_match *out)
{
	switch (r->kind) {
	case RK_USER:
		return match_user(r, s, p, out);
	case RK_CGROUP:
		return match_re(r, tt_snapshot_get_str(s, p->cgroup), "cgroup", out);
	case RK_CMDLINE:
		return match_re(r, tt_snapshot_get_str(s, p->cmdline), "cmdline", out);
	case RK_PATH:
		if (r->field != PF_EXE && match_re(r, tt_snapshot_get_str(s, p->cwd), "cwd", out))
			return true;
		return r->field != PF_CWD && match_re(r, tt_snapshot_get_str(s, p->exe), "exe", out);
	case RK_NETNS:
		return match_netns(r, s, p, out);
	default:
		return false;
	}
}

/* A socket rule: remote, port, dbuser (the server end of a connection
 * whose database session logs in as a matching user). */
static bool is_sock_rule(const struct tt_rule *r)
{
	return r->kind == RK_REMOTE || r->kind == RK_PORT || r->kind == RK_DBUSER;
}

static bool match_sock_rule(const struct tt_rule *r, const tt_snapshot *s, const tt_sock *k, int role, tt_match *out)
{
	if (r->kind == RK_DBUSER) {
		if (role != TT_ROLE_SERVER || !s || !s->dbuser || k < s->socks || k >= s->socks + s->nsocks)
			return false;
		size_t ix = (size_t)(k - s->socks);
		return ix < s->ndbuser && s->dbuser[ix] && match_re(r, s->dbuser[ix], "db user", out);
	}
	if (k->family != TT_FAM_TCP4 && k->family != TT_FAM_TCP6)
		return false;
	char a[64];
	if (r->kind == RK_REMOTE) {
		if (role == TT_ROLE_CLIENT || (k->flags & TT_SF_ENDPOINT_UNKNOWN))
			return false; /* the remote of a client socket is the database, not a tenant */
		for (size_t i = 0; i < r->ncidrs; i++)
			if (tt_cidr_match(&r->cidrs[i], k->raddr, k->family == TT_FAM_TCP6)) {
				snprintf(out->tenant, sizeof(out->tenant), "%s", r->name);
				out->rule = "remote";
				tt_fmt_endpoint(k->family, k->raddr, k->rport, a, sizeof(a));
				snprintf(out->detail, sizeof(out->detail), "remote %s", a);
				return true;
			}
		return false;
	}
	if (r->kind == RK_PORT) {
		uint16_t port = 0;
		if (role == TT_ROLE_SERVER)
			port = k->lport;
		else if (role == TT_ROLE_CLIENT)
			port = k->rport;
		else if (tt_portset_has(r->ports, k->lport))
			port = k->lport;
		else
			port = k->rport;
		if (!port || !tt_portset_has(r->ports, port))
			return false;
		snprintf(out->tenant, sizeof(out->tenant), "%s", r->name);
		out->rule = "port";
		snprintf(out->detail, sizeof(out->detail), "port %u", port);
		return true;
	}
	return false;
}

typedef const tt_proc *(*find_pid_fn)(void *ctx, int32_t pid);

/* Process rules from index `from`, in order; parent rules climb. */
static bool match_process(const tt_rules *rs, size_t from, const tt_snapshot *s, const tt_proc *p,
			  find_pid_fn find, void *fctx, size_t *rule_ix, tt_match *out)
{
	for (size_t i = from; i < rs->n; i++) {
		const struct tt_rule *r = &rs->v[i];
		if (r->kind == RK_REMOTE || r->kind == RK_PORT)
			continue;
		if (r->kind == RK_PARENT) {
			const tt_proc *a = p;
			for (int d = 1; d <= r->depth; d++) {
				a = a->ppid > 0 ? find(fctx, a->ppid) : NULL;
				if (!a)
					break;
				for (size_t j = 0; j < rs->n; j++) {
					const struct tt_rule *q = &rs->v[j];
					if (q->kind == RK_PARENT || q->kind == RK_REMOTE || q->kind == RK_PORT)
						continue;
					tt_match am;
					memset(&am, 0, sizeof(am));
					if (match_proc_rule(q, s, a, &am)) {
						*out = am;
						out->rule = "parent";
						snprintf(out->detail, sizeof(out->detail), "pid %d, %d up: %s %.60s", a->pid, d,
							 tt_rule_kind_name(q->kind), am.detail);
						*rule_ix = i;
						return true;
					}
				}
			}
			continue;
		}
		if (match_proc_rule(r, s, p, out)) {
			*rule_ix = i;
			return true;
		}
	}
	return false;
}

static const tt_proc *find_linear(void *ctx, int32_t pid)
{
	const tt_snapshot *s = ctx;
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	return NULL;
}

/* An empty rule set acts as [user]. */
static const struct tt_rule builtin_user = {.kind = RK_USER};
static const tt_rules builtin_rules = {(struct tt_rule *)&builtin_user, 1, 1, false};

static const tt_rules *effective(const tt_rules *r)
{
	return r && r->n ? r : &builtin_rules;
}

bool tt_rules_match(const tt_rules *rules, const tt_snapshot *s, const tt_sock *k, int role, const tt_proc *p,
		    tt_match *out)
{
	const tt_rules *r = effective(rules);
	memset(out, 0, sizeof(*out));
	size_t pix = r->n;
	tt_match pm;
	memset(&pm, 0, sizeof(pm));
	bool pm_ok = p && match_process(r, 0, s, p, find_linear, (void *)s, &pix, &pm);
	for (size_t i = 0; i < r->n && i < pix; i++)
		if (is_sock_rule(&r->v[i]) && match_sock_rule(&r->v[i], s, k, role, out))
			return true;
	if (pm_ok)
		*out = pm;
	return pm_ok;
}

/* ------------------------------------------------------- cached context */

struct pidix {
	int32_t pid;
	uint32_t ix;
};

struct cache {
	int state; /* 0 unknown, 1 matched, 2 no match */
	size_t rule_ix;
	tt_match m;
};

struct tt_rule_ctx {
	const tt_rules *r;
	const tt_snapshot *s;
	struct pidix *pids;
	size_t npids, pids_cap;
	struct cache *cache;
	size_t cache_cap;
};

tt_rule_ctx *tt_rule_ctx_new(const tt_rules *r)
{
	tt_rule_ctx *c = calloc(1, sizeof(*c));
	if (c)
		c->r = effective(r);
	return c;
}

void tt_rule_ctx_free(tt_rule_ctx *c)
{
	if (!c)
		return;
	free(c->pids);
	free(c->cache);
	free(c);
}

static int pid_cmp(const void *a, const void *b)
{
	const struct pidix *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

int tt_rule_ctx_begin(tt_rule_ctx *c, const tt_snapshot *s)
{
	c->s = s;
	if (TT_VEC_RESERVE(c->cache, c->cache_cap, s->nprocs) < 0 || TT_VEC_RESERVE(c->pids, c->pids_cap, s->nprocs) < 0)
		return -1;
	for (size_t i = 0; i < s->nprocs; i++) {
		c->cache[i].state = 0;
		c->pids[i] = (struct pidix){s->procs[i].pid, (uint32_t)i};
	}
	c->npids = s->nprocs;
	if (c->npids > 1)
		qsort(c->pids, c->npids, sizeof(*c->pids), pid_cmp);
	return 0;
}

static const tt_proc *find_indexed(void *ctx, int32_t pid)
{
	tt_rule_ctx *c = ctx;
	struct pidix key = {pid, 0};
	const struct pidix *hit = c->npids ? bsearch(&key, c->pids, c->npids, sizeof(key), pid_cmp) : NULL;
	return hit ? &c->s->procs[hit->ix] : NULL;
}

bool tt_rule_ctx_match(tt_rule_ctx *c, const tt_sock *k, int role, long proc, tt_match *out)
{
	const tt_rules *r = c->r;
	memset(out, 0, sizeof(*out));
	struct cache *pc = NULL;
	if (proc >= 0 && (size_t)proc < c->s->nprocs) {
		pc = &c->cache[proc];
		if (pc->state == 0) {
			memset(&pc->m, 0, sizeof(pc->m));
			pc->rule_ix = r->n;
			pc->state = match_process(r, 0, c->s, &c->s->procs[proc], find_indexed, c, &pc->rule_ix, &pc->m)
					    ? 1
					    : 2;
		}
	}
	if (r->have_socket_rules) {
		size_t lim = pc && pc->state == 1 ? pc->rule_ix : r->n;
		for (size_t i = 0; i < lim; i++)
			if (is_sock_rule(&r->v[i]) && match_sock_rule(&r->v[i], c->s, k, role, out))
				return true;
	}
	if (pc && pc->state == 1) {
		*out = pc->m;
		return true;
	}
	return false;
}
