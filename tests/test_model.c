/* Model: tree building, counts, roles, ages, 4-tuple memory, ordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tenantop/model.h"

static uint32_t add_proc(tt_snapshot *s, int pid, int ppid, uint32_t uid, const char *user, const char *comm)
{
	tt_proc *p = tt_snapshot_add_proc(s);
	p->pid = pid;
	p->ppid = ppid;
	p->uid = uid;
	p->start_time = 1000u + (uint64_t)pid;
	p->user = tt_snapshot_str_trusted(s, user);
	p->comm = tt_snapshot_str_trusted(s, comm);
	return (uint32_t)(s->nprocs - 1);
}

static void add_sock(tt_snapshot *s, uint64_t inode, int state, uint16_t lport, uint16_t rport)
{
	tt_sock *k = tt_snapshot_add_sock(s);
	k->family = TT_FAM_TCP4;
	k->state = (uint8_t)state;
	k->inode = inode;
	k->laddr[0] = 127;
	k->laddr[3] = 1;
	k->raddr[0] = 127;
	k->raddr[3] = 1;
	k->lport = lport;
	k->rport = rport;
}

static void own(tt_snapshot *s, uint64_t inode, uint32_t proc, int fd)
{
	tt_owner *o = tt_snapshot_add_owner(s);
	o->inode = inode;
	o->proc = proc;
	o->fd = fd;
}

/* alice: php-fpm parent+child sharing socket 11 (ESTAB), 3 CLOSE_WAIT in the
 * child; bob: one held CLOSE; mysqld (uid 106) server side; one TIME_WAIT. */
static void fill(tt_snapshot *s, double t)
{
	tt_snapshot_clear(s);
	s->time = t;
	uint32_t a1 = add_proc(s, 100, 1, 1001, "alice", "php-fpm");
	uint32_t a2 = add_proc(s, 101, 100, 1001, "alice", "php-fpm");
	uint32_t b = add_proc(s, 200, 1, 1002, "bob", "worker");
	uint32_t my = add_proc(s, 300, 1, 106, "mysql", "mysqld");
	add_sock(s, 11, TT_ST_ESTABLISHED, 50001, 3306);
	own(s, 11, a1, 5);
	own(s, 11, a2, 5);
	for (int i = 0; i < 3; i++) {
		add_sock(s, 20 + (uint64_t)i, TT_ST_CLOSE_WAIT, (uint16_t)(50010 + i), 3306);
		own(s, 20 + (uint64_t)i, a2, 6 + i);
	}
	add_sock(s, 30, TT_ST_CLOSE, 50020, 3306);
	s->socks[s->nsocks - 1].flags |= TT_SF_HELD_ONLY;
	own(s, 30, b, 3);
	add_sock(s, 40, TT_ST_LISTEN, 3306, 0);
	own(s, 40, my, 10);
	add_sock(s, 41, TT_ST_ESTABLISHED, 3306, 50001);
	own(s, 41, my, 11);
	add_sock(s, 0, TT_ST_TIME_WAIT, 50030, 3306);
	tt_snapshot_index_owners(s);
}

static tt_model_opts opts(void)
{
	tt_model_opts o;
	memset(&o, 0, sizeof(o));
	tt_portset_add(&o.ports, 3306);
	return o;
}

static void test_tree_counts(void **state)
{
	(void)state;
	tt_model m;
	tt_model_opts o = opts();
	tt_snapshot s;
	tt_snapshot_init(&s);
	assert_int_equal(tt_model_init(&m, &o), 0);
	fill(&s, 1000.0);
	assert_int_equal(tt_model_update(&m, &s), 0);

	assert_int_equal(m.nsocks, 8);
	assert_int_equal(m.totals.st[TT_ST_ESTABLISHED], 2);
	assert_int_equal(m.totals.st[TT_ST_CLOSE_WAIT], 3);
	assert_int_equal(m.totals.st[TT_ST_CLOSE], 1);
	assert_int_equal(m.totals.st[TT_ST_TIME_WAIT], 1);
	assert_int_equal(m.ntenants, 3);
	/* most leaked first: alice (3), bob (1), mysql (0) */
	assert_string_equal(m.tenants[0].name, "alice");
	assert_string_equal(m.tenants[1].name, "bob");
	assert_string_equal(m.tenants[2].name, "mysql");
	assert_string_equal(m.tenants[0].rule, "user");
	/* the shared socket counts once for the tenant, once per process */
	assert_int_equal(m.tenants[0].counts.st[TT_ST_ESTABLISHED], 1);
	assert_int_equal(m.tenants[0].counts.st[TT_ST_CLOSE_WAIT], 3);
	assert_int_equal(m.tenants[0].nprocs, 2);
	const tt_mproc *p0 = &m.procs[m.tenants[0].first_proc];
	const tt_mproc *p1 = p0 + 1;
	assert_int_equal(p0->p->pid, 100);
	assert_int_equal(p0->counts.st[TT_ST_ESTABLISHED], 1);
	assert_int_equal(p1->p->pid, 101);
	assert_int_equal(p1->counts.st[TT_ST_ESTABLISHED], 1);
	assert_int_equal(p1->counts.st[TT_ST_CLOSE_WAIT], 3);
	assert_int_equal(p1->nrefs, 4);
	assert_int_equal(m.tenants[1].counts.st[TT_ST_CLOSE], 1);
	/* the TIME_WAIT has no owner and nobody was seen on its 4-tuple */
	assert_int_equal(m.nunattr, 1);
	assert_int_equal(m.unattributed.st[TT_ST_TIME_WAIT], 1);
	/* holders */
	long si = tt_model_find_sock(&m, m.socks[0].id);
	assert_int_equal(si, 0);
	assert_int_equal(m.socks[0].nholders, 2);
	tt_snapshot_free(&s);
	tt_model_free(&m);
}

static void test_roles(void **state)
{
	(void)state;
	tt_model m;
	tt_model_opts o = opts();
	tt_snapshot s;
	tt_snapshot_init(&s);
	tt_model_init(&m, &o);
	fill(&s, 1000.0);
	tt_model_update(&m, &s);
	for (size_t i = 0; i < m.nsocks; i++) {
		const tt_msock *ms = &m.socks[i];
		if (ms->s->inode == 41 || ms->s->inode == 40)
			assert_int_equal(ms->role, TT_ROLE_SERVER);
		else
			assert_int_equal(ms->role, TT_ROLE_CLIENT);
		assert_int_equal(ms->port, 3306);
	}
	tt_snapshot_free(&s);
	tt_model_free(&m);
}

static void test_ages_and_state_change(void **state)
{
	(void)state;
	tt_model m;
	tt_model_opts o = opts();
	tt_snapshot s;
	tt_snapshot_init(&s);
	tt_model_init(&m, &o);
	fill(&s, 1000.0);
	tt_model_update(&m, &s);
	fill(&s, 1010.0);
	/* socket 11 goes to CLOSE_WAIT at the second refresh */
	for (size_t i = 0; i < s.nsocks; i++)
		if (s.socks[i].inode == 11)
			s.socks[i].state = TT_ST_CLOSE_WAIT;
	tt_model_update(&m, &s);
	for (size_t i = 0; i < m.nsocks; i++) {
		const tt_msock *ms = &m.socks[i];
		if (ms->s->inode == 11) {
			assert_true(tt_msock_age(&m, ms) > 9.9 && tt_msock_age(&m, ms) < 10.1);
			assert_true(tt_msock_state_age(&m, ms) < 0.01);
		} else if (ms->s->inode == 20) {
			assert_true(tt_msock_state_age(&m, ms) > 9.9);
		}
	}
	long a = tt_model_find_tenant(&m, "alice");
	assert_true(a >= 0);
	assert_true(m.tenants[a].oldest_leak_s > 9.9 && m.tenants[a].oldest_leak_s < 10.1);
	assert_int_equal(m.tenants[a].counts.st[TT_ST_CLOSE_WAIT], 4);
	assert_true(tt_model_find_proc(&m, a, 101, 1101) >= 0);
	assert_int_equal(tt_model_find_proc(&m, a, 101, 9999), -1);
	tt_snapshot_free(&s);
	tt_model_free(&m);
}

/* Released between refreshes (batch): the tree is empty, the snapshot's
 * buffers are handed back with their room, and the memory kept between
 * refreshes is whole: the next refresh's ages are the same as without it. */
static void test_release_between_refreshes(void **state)
{
	(void)state;
	tt_model m;
	tt_model_opts o = opts();
	tt_snapshot s;
	tt_snapshot_init(&s);
	tt_model_init(&m, &o);
	fill(&s, 1000.0);
	tt_model_update(&m, &s);
	tt_sock *held = m.snap.socks;
	size_t cap = m.snap.socks_cap;
	tt_model_release(&m, &s);
	assert_int_equal(m.nsocks, 0);
	assert_int_equal(m.ntenants, 0);
	assert_int_equal(m.snap.nsocks, 0);
	assert_null(m.snap.socks);
	assert_ptr_equal(s.socks, held); /* the same buffers, to be filled again */
	assert_int_equal(s.socks_cap, cap);
	assert_int_equal(s.nsocks, 0);
	fill(&s, 1010.0);
	assert_int_equal(tt_model_update(&m, &s), 0);
	assert_int_equal(m.nsocks, 8);
	long a = tt_model_find_tenant(&m, "alice");
	assert_true(a >= 0);
	assert_true(m.tenants[a].oldest_leak_s > 9.9 && m.tenants[a].oldest_leak_s < 10.1);
	for (size_t i = 0; i < m.nsocks; i++)
		if (m.socks[i].s->inode == 11)
			assert_true(tt_msock_age(&m, &m.socks[i]) > 9.9);
	tt_snapshot_free(&s);
	tt_model_free(&m);
}

static void test_time_wait_memory(void **state)
{
	(void)state;
	tt_model m;
	tt_model_opts o = opts();
	tt_snapshot s;
	tt_snapshot_init(&s);
	tt_model_init(&m, &o);
	fill(&s, 1000.0);
	tt_model_update(&m, &s);
	/* bob's client 50020 -> 3306 closes; its TIME_WAIT has inode 0 and no owner */
	tt_snapshot_clear(&s);
	s.time = 1002.0;
	add_sock(&s, 0, TT_ST_TIME_WAIT, 50020, 3306);
	tt_snapshot_index_owners(&s);
	tt_model_update(&m, &s);
	assert_int_equal(m.ntenants, 1);
	assert_string_equal(m.tenants[0].name, "bob");
	assert_string_equal(m.tenants[0].rule, "memory");
	assert_int_equal(m.tenants[0].nunowned, 1);
	assert_int_equal(m.tenants[0].counts.st[TT_ST_TIME_WAIT], 1);
	assert_int_equal(m.socks[0].owner_kind, TT_OWN_MEMORY);
	assert_int_equal(m.nunattr, 0);
	tt_snapshot_free(&s);
	tt_model_free(&m);
}

/* A refresh of alice's two connections, 50001 (inode 11) passed to bob or not. */
static void two_held(tt_model *m, tt_snapshot *s, double t, bool passed)
{
	tt_snapshot_clear(s);
	s->time = t;
	uint32_t a = add_proc(s, 100, 1, 1001, "alice", "php-fpm");
	uint32_t b = add_proc(s, 200, 1, 1002, "bob", "worker");
	add_sock(s, 11, TT_ST_ESTABLISHED, 50001, 3306);
	add_sock(s, 12, TT_ST_ESTABLISHED, 50002, 3306);
	own(s, 11, passed ? b : a, 5);
	own(s, 12, a, 6);
	tt_snapshot_index_owners(s);
	tt_model_update(m, s);
}

/* The connection memory is told again only what changed: a socket that
 * passes to another tenant's process leaves its TIME_WAIT to that tenant,
 * however few refreshes apart; one unchanged is still remembered after the
 * refreshes that did not tell it again. */
static void test_time_wait_memory_follows_owner(void **state)
{
	(void)state;
	tt_model m;
	tt_model_opts o = opts();
	tt_snapshot s;
	tt_snapshot_init(&s);
	tt_model_init(&m, &o);
	for (int r = 0; r < 3; r++) /* held by alice, three refreshes */
		two_held(&m, &s, 1000.0 + r, false);
	two_held(&m, &s, 1003.0, true); /* socket 11 passed to bob */
	tt_snapshot_clear(&s); /* both close into TIME_WAIT */
	s.time = 1004.0;
	add_sock(&s, 0, TT_ST_TIME_WAIT, 50001, 3306);
	add_sock(&s, 0, TT_ST_TIME_WAIT, 50002, 3306);
	tt_snapshot_index_owners(&s);
	tt_model_update(&m, &s);
	assert_int_equal(m.ntenants, 2);
	assert_int_equal(m.nunattr, 0);
	for (size_t i = 0; i < m.nsocks; i++) {
		assert_int_equal(m.socks[i].owner_kind, TT_OWN_MEMORY);
		assert_string_equal(m.tenants[m.socks[i].tenant].name, m.socks[i].s->lport == 50001 ? "bob" : "alice");
	}
	tt_snapshot_free(&s);
	tt_model_free(&m);
}

/* A refresh that holds only one owner-less TIME_WAIT (with a cookie, or 0). */
static void time_wait_refresh(tt_model *m, tt_snapshot *s, double t, uint64_t cookie)
{
	tt_snapshot_clear(s);
	s->time = t;
	add_sock(s, 0, TT_ST_TIME_WAIT, 50040, 3306);
	s->socks[0].cookie = cookie;
	tt_snapshot_index_owners(s);
	tt_model_update(m, s);
}

/* A refresh where bob holds the connection on 50040 (its cookie, or 0: the
 * /proc text source gives none). */
static void bob_holds(tt_model *m, tt_snapshot *s, double t, uint64_t inode, uint64_t cookie)
{
	tt_snapshot_clear(s);
	s->time = t;
	uint32_t b = add_proc(s, 200, 1, 1002, "bob", "worker");
	add_sock(s, inode, TT_ST_ESTABLISHED, 50040, 3306);
	s->socks[0].cookie = cookie;
	own(s, inode, b, 6);
	tt_snapshot_index_owners(s);
	tt_model_update(m, s);
}

/* Ports are reused at high connection rates: a TIME_WAIT on the 4-tuple bob
 * held a moment ago may come from a connection nobody saw alive.  Its cookie
 * says which connection it was. */
static void test_time_wait_cookie_memory(void **state)
{
	(void)state;
	tt_model m;
	tt_model_opts o = opts();
	tt_snapshot s;
	tt_snapshot_init(&s);
	tt_model_init(&m, &o);
	bob_holds(&m, &s, 1000.0, 32, 0xb0b);
	/* another connection on the same 4-tuple, never seen alive */
	time_wait_refresh(&m, &s, 1001.0, 0x5eed);
	assert_int_equal(m.ntenants, 0);
	assert_int_equal(m.nunattr, 1);
	/* bob's own connection turned TIME_WAIT: exact */
	time_wait_refresh(&m, &s, 1002.0, 0xb0b);
	assert_int_equal(m.ntenants, 1);
	assert_string_equal(m.tenants[0].name, "bob");
	assert_int_equal(m.socks[0].owner_kind, TT_OWN_MEMORY);
	assert_string_equal(m.tenants[0].detail, "owner seen holding this connection");
	/* without cookies (the /proc text source) the 4-tuple is the guess:
	 * bob seen holding the connection with no cookie, then its TIME_WAIT */
	bob_holds(&m, &s, 1003.0, 33, 0);
	time_wait_refresh(&m, &s, 1004.0, 0);
	assert_int_equal(m.ntenants, 1);
	assert_string_equal(m.tenants[0].detail, "owner seen earlier on this address pair");
	tt_snapshot_free(&s);
	tt_model_free(&m);
}

/* Kernel events tell when a socket entered its state: its age in state is
 * that, not the time since tenantop first saw it. */
static void test_kernel_state_time(void **state)
{
	(void)state;
	tt_model m;
	tt_model_opts o = opts();
	tt_snapshot s;
	tt_snapshot_init(&s);
	tt_model_init(&m, &o);
	tt_snapshot_clear(&s);
	s.time = 1000.0;
	uint32_t a = add_proc(&s, 100, 1, 1001, "alice", "php-fpm");
	add_sock(&s, 41, TT_ST_CLOSE_WAIT, 50041, 3306);
	s.socks[0].state_ms = 42000;
	add_sock(&s, 42, TT_ST_CLOSE_WAIT, 50042, 3306); /* entered before events were seen */
	own(&s, 41, a, 5);
	own(&s, 42, a, 6);
	tt_snapshot_index_owners(&s);
	tt_model_update(&m, &s);
	assert_true(tt_msock_state_age(&m, &m.socks[0]) > 41.9 && tt_msock_state_age(&m, &m.socks[0]) < 42.1);
	assert_true(tt_msock_age(&m, &m.socks[0]) >= 41.9);
	assert_true(tt_msock_state_age(&m, &m.socks[1]) < 0.1);
	assert_true(m.tenants[0].oldest_leak_s > 41.9);
	tt_snapshot_free(&s);
	tt_model_free(&m);
}

/* One TIME_WAIT attributed from memory does not make the tenant's RULE
 * "memory" while its process still holds sockets a real rule names. */
static void test_memory_does_not_rename_rule(void **state)
{
	(void)state;
	tt_model m;
	tt_model_opts o = opts();
	tt_snapshot s;
	tt_snapshot_init(&s);
	tt_model_init(&m, &o);
	fill(&s, 1000.0);
	tt_model_update(&m, &s);
	/* bob's 50020 is now TIME_WAIT (remembered, listed first); bob keeps a new socket */
	tt_snapshot_clear(&s);
	s.time = 1002.0;
	add_sock(&s, 0, TT_ST_TIME_WAIT, 50020, 3306);
	uint32_t b = add_proc(&s, 200, 1, 1002, "bob", "worker");
	add_sock(&s, 31, TT_ST_ESTABLISHED, 50021, 3306);
	own(&s, 31, b, 4);
	tt_snapshot_index_owners(&s);
	tt_model_update(&m, &s);
	long t = tt_model_find_tenant(&m, "bob");
	assert_true(t >= 0);
	assert_int_equal(m.tenants[t].counts.st[TT_ST_TIME_WAIT], 1);
	assert_int_equal(m.tenants[t].counts.st[TT_ST_ESTABLISHED], 1);
	assert_string_equal(m.tenants[t].rule, "user");
	tt_snapshot_free(&s);
	tt_model_free(&m);
}

static void test_history_and_trend(void **state)
{
	(void)state;
	tt_model m;
	tt_model_opts o = opts();
	tt_snapshot s;
	tt_snapshot_init(&s);
	tt_model_init(&m, &o);
	/* alice leaks one more CLOSE_WAIT every 10 s: slope 6/min */
	for (int r = 0; r < 6; r++) {
		tt_snapshot_clear(&s);
		s.time = 1000.0 + 10 * r;
		uint32_t a = add_proc(&s, 100, 1, 1001, "alice", "php");
		for (int i = 0; i <= r; i++) {
			add_sock(&s, 100 + (uint64_t)i, TT_ST_CLOSE_WAIT, (uint16_t)(40000 + i), 3306);
			own(&s, 100 + (uint64_t)i, a, 10 + i);
		}
		tt_snapshot_index_owners(&s);
		tt_model_update(&m, &s);
	}
	assert_int_equal(m.ntenants, 1);
	assert_non_null(m.tenants[0].hist);
	assert_int_equal(m.tenants[0].hist->count, 6);
	assert_int_equal(tt_history_get(m.tenants[0].hist, TT_SER_CLOSE_WAIT, 0), 6);
	assert_true(m.tenants[0].leak_slope > 5.9 && m.tenants[0].leak_slope < 6.1);
	assert_int_equal(m.total_hist.count, 6);
	tt_snapshot_free(&s);
	tt_model_free(&m);
}

static void test_empty_snapshot(void **state)
{
	(void)state;
	tt_model m;
	tt_model_opts o = opts();
	tt_snapshot s;
	tt_snapshot_init(&s);
	tt_model_init(&m, &o);
	s.time = 5;
	assert_int_equal(tt_model_update(&m, &s), 0);
	assert_int_equal(m.ntenants, 0);
	assert_int_equal(m.nsocks, 0);
	assert_int_equal(tt_counts_total(&m.totals), 0);
	tt_snapshot_free(&s);
	tt_model_free(&m);
}

static void test_counts_helpers(void **state)
{
	(void)state;
	tt_counts c;
	memset(&c, 0, sizeof(c));
	assert_true(tt_counts_leak_ratio(&c) < 0);
	c.st[TT_ST_ESTABLISHED] = 10;
	c.st[TT_ST_CLOSE_WAIT] = 3;
	c.st[TT_ST_CLOSE] = 1;
	c.st[TT_ST_LISTEN] = 2;
	c.st[TT_ST_TIME_WAIT] = 5;
	assert_int_equal(tt_counts_leaked(&c), 4);
	assert_int_equal(tt_counts_total(&c), 21);
	assert_int_equal(tt_counts_other(&c), 2);
	assert_true(tt_counts_leak_ratio(&c) > 0.399 && tt_counts_leak_ratio(&c) < 0.401);
}

/* A pooler's server connection (pgbouncer -> postgres) serving bob's
 * client now goes to bob, with the pooler's process; the rest of the
 * pooler's sockets stay with its own user. */
static void test_pooled_server_connection(void **state)
{
	(void)state;
	tt_snapshot s;
	tt_snapshot_init(&s);
	s.time = 100;
	uint32_t pgb = add_proc(&s, 500, 1, 120, "pgbouncer", "pgbouncer");
	uint32_t bob = add_proc(&s, 200, 1, 1002, "bob", "worker");
	add_sock(&s, 61, TT_ST_ESTABLISHED, 41000, 6432); /* bob -> pgbouncer */
	own(&s, 61, bob, 3);
	add_sock(&s, 62, TT_ST_ESTABLISHED, 42000, 5432); /* pgbouncer -> postgres, serving bob */
	own(&s, 62, pgb, 7);
	add_sock(&s, 63, TT_ST_ESTABLISHED, 42001, 5432); /* an idle server connection */
	own(&s, 63, pgb, 8);
	tt_snapshot_index_owners(&s);
	int32_t pooled[3] = {-1, 0, -1};
	s.pooled_by = pooled;
	s.npooled_by = 3;
	tt_model_opts o;
	memset(&o, 0, sizeof(o));
	tt_portset_add(&o.ports, 5432);
	tt_portset_add(&o.ports, 6432);
	tt_model m;
	assert_int_equal(tt_model_init(&m, &o), 0);
	assert_int_equal(tt_model_update(&m, &s), 0);
	long tb = tt_model_find_tenant(&m, "bob"), tp = tt_model_find_tenant(&m, "pgbouncer");
	assert_true(tb >= 0 && tp >= 0);
	assert_int_equal(m.tenants[tb].counts.st[TT_ST_ESTABLISHED], 2);
	assert_int_equal(m.tenants[tp].counts.st[TT_ST_ESTABLISHED], 1);
	assert_int_equal(m.socks[1].tenant, tb);
	assert_int_equal(m.socks[1].owner_kind, TT_OWN_POOLED);
	assert_int_equal(m.socks[2].owner_kind, TT_OWN_FD);
	/* bob's processes: his worker and the pooler serving him */
	assert_int_equal(m.tenants[tb].nprocs, 2);
	bool pooler = false;
	for (uint32_t i = 0; i < m.tenants[tb].nprocs; i++) {
		const tt_mproc *mp = &m.procs[m.tenants[tb].first_proc + i];
		if (mp->p->pid == 500) {
			pooler = true;
			assert_string_equal(mp->match.rule, "pooled");
		}
	}
	assert_true(pooler);
	tt_model_free(&m);
	tt_snapshot_free(&s);
}

/* tenantop's own sockets (its database probes) are a tenant of their own,
 * not the tenant of the user running it. */
static void test_own_probes(void **state)
{
	(void)state;
	tt_snapshot s;
	tt_snapshot_init(&s);
	fill(&s, 100);
	uint32_t me = add_proc(&s, 4242, 1, 0, "root", "tenantop");
	add_sock(&s, 90, TT_ST_ESTABLISHED, 51000, 3306);
	own(&s, 90, me, 9);
	tt_snapshot_index_owners(&s);
	s.self_pid = 4242;
	tt_model_opts o = opts();
	tt_model m;
	assert_int_equal(tt_model_init(&m, &o), 0);
	assert_int_equal(tt_model_update(&m, &s), 0);
	long t = tt_model_find_tenant(&m, "(tenantop)");
	assert_true(t >= 0);
	assert_string_equal(m.tenants[t].rule, "self");
	assert_int_equal(m.tenants[t].counts.st[TT_ST_ESTABLISHED], 1);
	assert_int_equal(tt_model_find_tenant(&m, "root"), -1);
	tt_model_free(&m);
	tt_snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_counts),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_ages_and_state_change),
		cmocka_unit_test(test_release_between_refreshes),
		cmocka_unit_test(test_time_wait_memory),
		cmocka_unit_test(test_time_wait_memory_follows_owner),
		cmocka_unit_test(test_time_wait_cookie_memory),
		cmocka_unit_test(test_kernel_state_time),
		cmocka_unit_test(test_memory_does_not_rename_rule),
		cmocka_unit_test(test_history_and_trend),
		cmocka_unit_test(test_empty_snapshot),
		cmocka_unit_test(test_counts_helpers),
		cmocka_unit_test(test_pooled_server_connection),
		cmocka_unit_test(test_own_probes),
	};
	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
