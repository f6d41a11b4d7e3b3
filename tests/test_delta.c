/* The event-driven TCP table (src/collect/delta.c) and the kernel's TCP
 * counters (src/collect/netstat.c): a table read, then changes applied as
 * the kernel tells them, against what a read would list at each step. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture_util.h"
#include "collect/delta.h"
#include "collect/netstat.h"

#define HZ 250
#define NS 4026531840u

static void test_netstat_fixture(void **state)
{
	(void)state;
	char p[512], buf[8192];
	int fd = open(fixture_path("netstat/netstat", p, sizeof(p)), O_RDONLY);
	assert_true(fd >= 0);
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_true(n > 0);
	assert_int_equal(tt_parse_netstat(buf, (size_t)n, "TCPTimeWaitOverflow"), 4711);
	assert_int_equal(tt_parse_netstat(buf, (size_t)n, "TCPAbortOnData"), 12345678901LL);
	assert_int_equal(tt_parse_netstat(buf, (size_t)n, "NoSuchCounter"), -1);
	/* the IpExt section has the same shape: not taken for TcpExt's */
	assert_int_equal(tt_parse_netstat(buf, (size_t)n, "InNoRoutes"), -1);
}

static void test_netstat_malformed(void **state)
{
	(void)state;
	const char *cut = "TcpExt: A B C\nTcpExt: 1 2\n";
	assert_int_equal(tt_parse_netstat(cut, strlen(cut), "B"), 2);
	assert_int_equal(tt_parse_netstat(cut, strlen(cut), "C"), -1);
	const char *nonum = "TcpExt: A B\nTcpExt: 1 x\n";
	assert_int_equal(tt_parse_netstat(nonum, strlen(nonum), "B"), -1);
	const char *novalues = "TcpExt: A B\n";
	assert_int_equal(tt_parse_netstat(novalues, strlen(novalues), "A"), -1);
	const char *other = "TcpExt: A B\nIpExt: 1 2\n";
	assert_int_equal(tt_parse_netstat(other, strlen(other), "A"), -1);
	const char *huge = "TcpExt: A\nTcpExt: 99999999999999999999999\n";
	assert_int_equal(tt_parse_netstat(huge, strlen(huge), "A"), -1);
	assert_int_equal(tt_parse_netstat("", 0, "A"), -1);
}

static void test_wheel_expiry(void **state)
{
	(void)state;
	/* 60 s at 250 Hz (15 000 ticks) is on level 3: slots of 512 ticks,
	 * fired on the first tick of the slot after the expiry */
	assert_int_equal(tt_wheel_expiry(0, 15000), 15360);
	assert_int_equal(tt_wheel_expiry(360, 15000), 15872);
	assert_int_equal(tt_wheel_expiry(359, 15000), 15360);
	/* 60 s at 1000 Hz is on level 4 (4 096 ticks) */
	assert_int_equal(tt_wheel_expiry(0, 60000), 61440);
	/* short delays: level 0 fires the tick after */
	assert_int_equal(tt_wheel_expiry(100, 10), 111);
	assert_int_equal(tt_wheel_expiry(0, 63), 64);
}

static tt_sock sock4(uint64_t cookie, uint8_t state, uint8_t a, uint16_t lport, uint8_t b, uint16_t rport)
{
	tt_sock k;
	memset(&k, 0, sizeof(k));
	k.family = TT_FAM_TCP4;
	k.state = state;
	k.cookie = cookie;
	k.inode = cookie + 1000;
	k.laddr[0] = 127, k.laddr[3] = a;
	k.raddr[0] = 127, k.raddr[3] = b;
	k.lport = lport, k.rport = rport;
	k.uid = 1000;
	return k;
}

static tt_sock_change chg(const tt_sock *k, uint8_t from, uint8_t to, double at_s)
{
	tt_sock_change c;
	memset(&c, 0, sizeof(c));
	c.cookie = k->cookie;
	c.boot_ns = (uint64_t)(at_s * 1e9);
	c.jiffies = (uint64_t)(at_s * HZ);
	c.hz = HZ;
	c.inode = k->inode;
	c.netns = NS;
	c.uid = k->uid;
	c.family = k->family;
	c.lport = k->lport, c.rport = k->rport;
	memcpy(c.laddr, k->laddr, 16);
	memcpy(c.raddr, k->raddr, 16);
	c.from = from, c.to = to;
	return c;
}

struct fx {
	tt_delta d;
	tt_snapshot s;
	tt_portset ports;
	tt_sock_filter f;
};

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	tt_delta_init(&x->d);
	x->d.netns = NS;
	tt_snapshot_init(&x->s);
	tt_portset_add(&x->ports, 3306);
	x->f = (tt_sock_filter){&x->ports, 0};
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	tt_delta_free(&x->d);
	tt_snapshot_free(&x->s);
	free(x);
	return 0;
}

/* the table as a read would give it now */
static const tt_snapshot *now(struct fx *x, double boot_s)
{
	tt_snapshot_clear(&x->s);
	assert_int_equal(tt_delta_emit(&x->d, &x->f, boot_s, &x->s), 0);
	return &x->s;
}

static const tt_sock *find(const tt_snapshot *s, uint64_t cookie)
{
	for (size_t i = 0; i < s->nsocks; i++)
		if (s->socks[i].cookie == cookie)
			return &s->socks[i];
	return NULL;
}

static void rebase(struct fx *x, const tt_sock *k, size_t n, double boot_s)
{
	tt_snapshot_clear(&x->s);
	for (size_t i = 0; i < n; i++)
		*tt_snapshot_add_sock(&x->s) = k[i];
	tt_tick_clock clk = {(uint64_t)(boot_s * HZ), (uint64_t)(boot_s * 1e9), HZ};
	assert_int_equal(tt_delta_rebase(&x->d, &x->s, x->s.nsocks, &clk, &x->ports, 0, 0), 0);
}

static void test_lifecycle_of_a_connection(void **state)
{
	struct fx *x = *state;
	tt_sock listen = sock4(1, TT_ST_LISTEN, 1, 3306, 0, 0);
	rebase(x, &listen, 1, 100);
	assert_null(tt_delta_distrust(&x->d, &x->ports, 0, 0));
	/* a client connects: SYN_SENT before its port is chosen, then connected */
	tt_sock cli = sock4(10, TT_ST_ESTABLISHED, 2, 40000, 1, 3306);
	tt_sock srv = sock4(11, TT_ST_ESTABLISHED, 1, 3306, 2, 40000);
	tt_sock_change c[8];
	c[0] = chg(&cli, TT_ST_CLOSE, TT_ST_SYN_SENT, 100.1);
	c[0].lport = 0;
	c[1] = chg(&srv, TT_ST_LISTEN, TT_ST_SYN_RECV, 100.1);
	c[1].inode = 0; /* not accepted yet */
	c[2] = chg(&cli, TT_ST_SYN_SENT, TT_ST_ESTABLISHED, 100.1);
	c[3] = chg(&srv, TT_ST_SYN_RECV, TT_ST_ESTABLISHED, 100.1);
	c[3].inode = 0;
	assert_int_equal(tt_delta_apply(&x->d, c, 4, 100.2), 0);
	const tt_snapshot *s = now(x, 100.2);
	assert_int_equal(s->nsocks, 3);
	assert_int_equal(find(s, 10)->state, TT_ST_ESTABLISHED);
	assert_int_equal(find(s, 10)->lport, 40000);
	assert_int_equal(find(s, 10)->inode, 1010);
	assert_int_equal(find(s, 11)->inode, 0);
	assert_int_equal(find(s, 1)->state, TT_ST_LISTEN);
	/* the server closes first: its end goes to FIN_WAIT2 and a TIME_WAIT
	 * after the client's FIN; the client's goes to CLOSE_WAIT, then LAST_ACK, gone */
	c[0] = chg(&srv, TT_ST_ESTABLISHED, TT_ST_FIN_WAIT1, 101);
	c[1] = chg(&cli, TT_ST_ESTABLISHED, TT_ST_CLOSE_WAIT, 101);
	c[2] = chg(&srv, TT_ST_FIN_WAIT1, TT_ST_FIN_WAIT2, 101);
	assert_int_equal(tt_delta_apply(&x->d, c, 3, 101.5), 0);
	s = now(x, 101.5);
	assert_int_equal(find(s, 10)->state, TT_ST_CLOSE_WAIT);
	assert_int_equal(find(s, 11)->state, TT_ST_FIN_WAIT2);
	c[0] = chg(&cli, TT_ST_CLOSE_WAIT, TT_ST_LAST_ACK, 102);
	c[1] = chg(&srv, TT_ST_FIN_WAIT2, TT_ST_CLOSE, 102);
	c[1].time_wait = true, c[1].fin_in = true, c[1].lport = 0; /* its port went to the TIME_WAIT */
	c[2] = chg(&cli, TT_ST_LAST_ACK, TT_ST_CLOSE, 102);
	assert_int_equal(tt_delta_apply(&x->d, c, 3, 102.5), 0);
	s = now(x, 102.5);
	assert_int_equal(s->nsocks, 2);
	assert_null(find(s, 10));
	const tt_sock *tw = find(s, 11);
	assert_int_equal(tw->state, TT_ST_TIME_WAIT);
	assert_int_equal(tw->inode, 0);
	assert_int_equal(tw->uid, 0);
	assert_int_equal(tw->lport, 3306); /* the pair it had */
	assert_int_equal(tw->timer, 3);
	/* closed at tick 25 500: fires at the slot after 40 500, tick 40 960 (163.84 s) */
	assert_true(tw->timer_ms > 61000 && tw->timer_ms <= 61340);
	assert_int_equal(tt_delta_apply(&x->d, NULL, 0, 163.83), 0);
	assert_non_null(find(now(x, 163.83), 11));
	assert_int_equal(tt_delta_apply(&x->d, NULL, 0, 163.85), 0);
	assert_null(find(now(x, 163.85), 11));
	assert_int_equal(now(x, 163.85)->nsocks, 1);
}

static void test_fin_wait2_waits_for_its_peer(void **state)
{
	struct fx *x = *state;
	tt_sock cli = sock4(20, TT_ST_CLOSE_WAIT, 2, 40001, 1, 3306);
	tt_sock srv = sock4(21, TT_ST_FIN_WAIT2, 1, 3306, 2, 40001);
	tt_sock base[] = {cli, srv};
	rebase(x, base, 2, 200);
	/* the server's end closes without its peer's FIN: a FIN_WAIT2 one */
	tt_sock_change c[2];
	c[0] = chg(&srv, TT_ST_FIN_WAIT2, TT_ST_CLOSE, 200.5);
	c[0].time_wait = true;
	assert_int_equal(tt_delta_apply(&x->d, c, 1, 201), 0);
	assert_int_equal(find(now(x, 201), 21)->state, TT_ST_FIN_WAIT2);
	assert_int_equal(find(now(x, 201), 21)->inode, 0);
	/* its peer closes: its FIN makes it a TIME_WAIT for 60 s more */
	c[0] = chg(&cli, TT_ST_CLOSE_WAIT, TT_ST_LAST_ACK, 230);
	c[1] = chg(&cli, TT_ST_LAST_ACK, TT_ST_CLOSE, 230);
	/* past the FIN_WAIT2 one's end (262.1 s), within the TIME_WAIT's (290.8 s) */
	assert_int_equal(tt_delta_apply(&x->d, c, 2, 263), 0);
	const tt_sock *tw = find(now(x, 263), 21);
	assert_non_null(tw);
	assert_int_equal(tw->state, TT_ST_TIME_WAIT);
	assert_null(find(now(x, 263), 20));
	assert_int_equal(tt_delta_apply(&x->d, NULL, 0, 291), 0);
	assert_null(find(now(x, 291), 21));
}

static void test_time_wait_reused(void **state)
{
	struct fx *x = *state;
	tt_sock tw = sock4(30, TT_ST_TIME_WAIT, 2, 40002, 1, 3306);
	tw.inode = 0, tw.uid = 0, tw.timer = 3, tw.timer_ms = 50000;
	rebase(x, &tw, 1, 300);
	assert_int_equal(find(now(x, 300), 30)->state, TT_ST_TIME_WAIT);
	/* a new connection on the same address pair ends it (tcp_tw_reuse) */
	tt_sock again = sock4(31, TT_ST_ESTABLISHED, 2, 40002, 1, 3306);
	tt_sock_change c[2];
	c[0] = chg(&again, TT_ST_CLOSE, TT_ST_SYN_SENT, 301);
	c[0].lport = 0;
	c[1] = chg(&again, TT_ST_SYN_SENT, TT_ST_ESTABLISHED, 301);
	assert_int_equal(tt_delta_apply(&x->d, c, 2, 302), 0);
	const tt_snapshot *s = now(x, 302);
	assert_int_equal(s->nsocks, 1);
	assert_int_equal(find(s, 31)->state, TT_ST_ESTABLISHED);
}

/* A reset the kernel sent to a TIME_WAIT's address pair ends it, as no
 * state change tells: an IPv4 reset also the IPv6 socket's on the mapped
 * addresses; not a full socket's (its own change tells), not the peer's
 * pair, not when tcp_rfc1337 is set. */
static tt_sock_change reset_to(const tt_sock *k, double at_s)
{
	tt_sock_change c = chg(k, TT_ST_UNKNOWN, TT_ST_CLOSE, at_s);
	c.cookie = 0;
	c.inode = 0;
	c.reset_to = true;
	return c;
}

static void test_reset_ends_a_time_wait(void **state)
{
	struct fx *x = *state;
	tt_sock tw = sock4(40, TT_ST_TIME_WAIT, 2, 40003, 1, 3306);
	tw.inode = 0, tw.timer = 3, tw.timer_ms = 50000;
	tt_sock mapped = tw;
	mapped.cookie = 41, mapped.family = TT_FAM_TCP6, mapped.lport = 40004;
	memset(mapped.laddr, 0, 16), memset(mapped.raddr, 0, 16);
	mapped.laddr[10] = mapped.laddr[11] = mapped.raddr[10] = mapped.raddr[11] = 0xff;
	mapped.laddr[12] = 127, mapped.laddr[15] = 2, mapped.raddr[12] = 127, mapped.raddr[15] = 1;
	tt_sock est = sock4(42, TT_ST_ESTABLISHED, 2, 40005, 1, 3306);
	tt_sock fw2 = tw;
	fw2.cookie = 43, fw2.state = TT_ST_FIN_WAIT2, fw2.lport = 40006;
	tt_sock kept = tw;
	kept.cookie = 44, kept.lport = 40007;
	tt_sock base[] = {tw, mapped, est, fw2, kept};
	rebase(x, base, 5, 400);
	assert_int_equal(now(x, 400)->nsocks, 5);
	tt_sock v4 = mapped;
	v4.family = TT_FAM_TCP4;
	memset(v4.laddr, 0, 16), memset(v4.raddr, 0, 16);
	v4.laddr[0] = v4.raddr[0] = 127, v4.laddr[3] = 2, v4.raddr[3] = 1;
	tt_sock peer = sock4(0, 0, 1, 3306, 2, 40006); /* fw2's pair seen from its peer */
	tt_sock_change c[5] = {reset_to(&tw, 401), reset_to(&v4, 401), reset_to(&est, 401), reset_to(&peer, 401)};
	assert_int_equal(tt_delta_apply(&x->d, c, 4, 402), 0);
	const tt_snapshot *s = now(x, 402);
	assert_null(find(s, 40));
	assert_null(find(s, 41));
	assert_int_equal(find(s, 42)->state, TT_ST_ESTABLISHED);
	assert_int_equal(find(s, 43)->state, TT_ST_FIN_WAIT2);
	/* a FIN_WAIT2 one ends the same way */
	c[0] = reset_to(&fw2, 403);
	assert_int_equal(tt_delta_apply(&x->d, c, 1, 403), 0);
	assert_null(find(now(x, 403), 43));
	/* tcp_rfc1337: a TIME_WAIT ignores resets */
	x->d.rfc1337 = true;
	c[0] = reset_to(&kept, 404);
	assert_int_equal(tt_delta_apply(&x->d, c, 1, 404), 0);
	assert_int_equal(find(now(x, 404), 44)->state, TT_ST_TIME_WAIT);
	assert_int_equal(now(x, 404)->nsocks, 2);
}

static void test_time_wait_ends_kept_across_reads(void **state)
{
	struct fx *x = *state;
	tt_sock cli = sock4(40, TT_ST_FIN_WAIT2, 2, 40003, 1, 3306);
	rebase(x, &cli, 1, 400);
	tt_sock_change c = chg(&cli, TT_ST_FIN_WAIT2, TT_ST_CLOSE, 400.4);
	c.time_wait = true, c.fin_in = true;
	assert_int_equal(tt_delta_apply(&x->d, &c, 1, 401), 0);
	uint32_t left = find(now(x, 401), 40)->timer_ms;
	/* a read lists it with the timer it asked for (no wheel rounding);
	 * the table keeps the end its close told */
	tt_sock again = *find(now(x, 401), 40);
	again.timer_ms = 59400;
	rebase(x, &again, 1, 401);
	assert_int_equal(find(now(x, 401), 40)->timer_ms, left);
	/* one it never saw close is placed from the read's timer */
	tt_sock other = sock4(41, TT_ST_TIME_WAIT, 2, 40004, 1, 3306);
	other.inode = 0, other.timer = 3, other.timer_ms = 30000;
	tt_sock both[] = {again, other};
	rebase(x, both, 2, 410);
	uint32_t t = find(now(x, 410), 41)->timer_ms;
	assert_true(t >= 30000 && t <= 30000 + 2048 + 4);
}

static void test_not_trusted(void **state)
{
	struct fx *x = *state;
	tt_sock k = sock4(50, TT_ST_ESTABLISHED, 2, 40005, 1, 3306);
	assert_string_equal(tt_delta_distrust(&x->d, &x->ports, 0, 0), "first read"); /* never read */
	rebase(x, &k, 1, 500);
	assert_null(tt_delta_distrust(&x->d, &x->ports, 0, 0));
	assert_string_equal(tt_delta_distrust(&x->d, &x->ports, 1, 0), "events lost");
	/* a TIME_WAIT the kernel did not keep, or its counter unknown */
	assert_string_equal(tt_delta_distrust(&x->d, &x->ports, 0, 1), "TIME_WAIT table full");
	assert_string_equal(tt_delta_distrust(&x->d, &x->ports, 0, -1), "TIME_WAIT table full");
	tt_portset more = x->ports;
	tt_portset_add(&more, 5432);
	assert_string_equal(tt_delta_distrust(&x->d, &more, 0, 0), "watched ports changed");
	x->d.netns = 0;
	assert_string_equal(tt_delta_distrust(&x->d, &x->ports, 0, 0), "no namespace");
	x->d.netns = NS;
	/* no tick clock: no table */
	tt_tick_clock none = {0, 0, 0};
	assert_int_equal(tt_delta_rebase(&x->d, &x->s, x->s.nsocks, &none, &x->ports, 0, 0), -1);
	assert_string_equal(tt_delta_distrust(&x->d, &x->ports, 0, 0), "first read");
}

static void test_other_namespace_and_old_changes(void **state)
{
	struct fx *x = *state;
	tt_sock k = sock4(60, TT_ST_ESTABLISHED, 2, 40006, 1, 3306);
	rebase(x, &k, 1, 600);
	tt_sock elsewhere = sock4(61, TT_ST_ESTABLISHED, 2, 40007, 1, 3306);
	tt_sock_change c[3];
	c[0] = chg(&elsewhere, TT_ST_SYN_SENT, TT_ST_ESTABLISHED, 601);
	c[0].netns = NS + 1; /* read by polling, not here */
	c[1] = chg(&k, TT_ST_FIN_WAIT2, TT_ST_CLOSE, 601);
	c[1].time_wait = true, c[1].fin_in = true;
	c[2] = chg(&k, TT_ST_ESTABLISHED, TT_ST_CLOSE_WAIT, 601); /* after its TIME_WAIT: stale */
	assert_int_equal(tt_delta_apply(&x->d, c, 3, 602), 0);
	const tt_snapshot *s = now(x, 602);
	assert_int_equal(s->nsocks, 1);
	assert_int_equal(find(s, 60)->state, TT_ST_TIME_WAIT);
	/* a close of a socket never seen, its port gone already: left to the next read */
	tt_sock ghost = sock4(62, TT_ST_FIN_WAIT2, 2, 40008, 1, 3306);
	c[0] = chg(&ghost, TT_ST_FIN_WAIT2, TT_ST_CLOSE, 603);
	c[0].time_wait = true, c[0].lport = 0;
	assert_int_equal(tt_delta_apply(&x->d, c, 1, 603), 0);
	assert_int_equal(now(x, 603)->nsocks, 1);
}

static void test_many_keep_their_order(void **state)
{
	struct fx *x = *state;
	enum { N = 2000 };
	tt_sock *base = calloc(N, sizeof(*base));
	for (int i = 0; i < N; i++)
		base[i] = sock4(1000 + (uint64_t)i, TT_ST_ESTABLISHED, 2, (uint16_t)(20000 + i), 1, 3306);
	rebase(x, base, N, 700);
	/* every other one closes (enough to squeeze the table) */
	tt_sock_change *c = calloc(N / 2, sizeof(*c));
	for (int i = 0; i < N / 2; i++)
		c[i] = chg(&base[2 * i], TT_ST_ESTABLISHED, TT_ST_CLOSE, 701);
	assert_int_equal(tt_delta_apply(&x->d, c, N / 2, 702), 0);
	const tt_snapshot *s = now(x, 702);
	assert_int_equal(s->nsocks, N / 2);
	for (int i = 0; i < N / 2; i++)
		assert_int_equal(s->socks[i].cookie, 1000 + 2 * (uint64_t)i + 1);
	/* and the rest still answer to their cookies */
	c[0] = chg(&base[N - 1], TT_ST_ESTABLISHED, TT_ST_CLOSE_WAIT, 703);
	assert_int_equal(tt_delta_apply(&x->d, c, 1, 703), 0);
	assert_int_equal(find(now(x, 703), 1000 + N - 1)->state, TT_ST_CLOSE_WAIT);
	/* the filter: a port no longer watched is not written out */
	tt_portset none;
	memset(&none, 0, sizeof(none));
	x->f.ports = &none;
	assert_int_equal(now(x, 703)->nsocks, 0);
	free(c);
	free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netstat_fixture),
		cmocka_unit_test(test_netstat_malformed),
		cmocka_unit_test(test_wheel_expiry),
		cmocka_unit_test_setup_teardown(test_lifecycle_of_a_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fin_wait2_waits_for_its_peer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_wait_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_ends_a_time_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_wait_ends_kept_across_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_trusted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_namespace_and_old_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_keep_their_order, setup, teardown),
	};
	return cmocka_run_group_tests_name("delta", tests, NULL, NULL);
}
