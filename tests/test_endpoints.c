/* Endpoint memory: a listed TCP socket is remembered with its endpoints and
 * uid; held and Unix sockets are not; a refresh without tcp_info carries the
 * last sample forward with the idle times grown; entries unseen for ten
 * minutes are forgotten, held sockets keep theirs fresh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "collect/endpoints.h"

static tt_sock *add(tt_snapshot *s, uint64_t inode, uint8_t family, uint16_t lport, uint16_t rport, uint8_t flags)
{
	tt_sock *k = tt_snapshot_add_sock(s);
	assert_non_null(k);
	k->inode = inode;
	k->family = family;
	k->lport = lport;
	k->rport = rport;
	k->laddr[0] = 127, k->laddr[3] = 1;
	k->raddr[0] = 127, k->raddr[3] = 2;
	k->uid = 1000 + (uint32_t)inode;
	k->flags = flags;
	return k;
}

static void test_remember(void **state)
{
	(void)state;
	tt_endpoints m;
	tt_endpoints_init(&m);
	tt_snapshot s;
	tt_snapshot_init(&s);
	s.mono = 100;
	add(&s, 11, TT_FAM_TCP4, 40000, 3306, 0);
	add(&s, 12, TT_FAM_UNIX, 0, 0, 0);
	add(&s, 13, TT_FAM_TCP4, 40001, 3306, TT_SF_HELD_ONLY);
	add(&s, 0, TT_FAM_TCP4, 40002, 3306, 0);
	for (uint64_t i = 100; i < 1100; i++)
		add(&s, i, TT_FAM_TCP6, (uint16_t)i, 5432, 0);
	tt_endpoints_remember(&m, &s, 1000.0, false);
	assert_int_equal(m.n, 1001);
	const struct tt_endpoint_mem *e = tt_endpoints_find(&m, 11);
	assert_non_null(e);
	assert_int_equal(e->lport, 40000);
	assert_int_equal(e->rport, 3306);
	assert_int_equal(e->uid, 1011);
	assert_int_equal(e->raddr[3], 2);
	assert_int_equal(e->family, TT_FAM_TCP4);
	assert_true(e->last_seen == 1000.0);
	assert_true(e->info_at == 0);
	assert_null(tt_endpoints_find(&m, 12)); /* Unix */
	assert_null(tt_endpoints_find(&m, 13)); /* held: its endpoints are the memory's, not new */
	assert_null(tt_endpoints_find(&m, 0));
	assert_non_null(tt_endpoints_find(&m, 1099));
	/* seen again: updated in place */
	tt_snapshot_clear(&s);
	add(&s, 11, TT_FAM_TCP4, 40000, 3307, 0);
	tt_endpoints_remember(&m, &s, 1001.0, false);
	assert_int_equal(m.n, 1001);
	assert_int_equal(tt_endpoints_find(&m, 11)->rport, 3307);
	tt_snapshot_free(&s);
	tt_endpoints_free(&m);
}

static void test_carry(void **state)
{
	(void)state;
	tt_endpoints m;
	tt_endpoints_init(&m);
	tt_snapshot s;
	tt_snapshot_init(&s);
	s.mono = 50;
	tt_sock *k = add(&s, 7, TT_FAM_TCP4, 40000, 3306, TT_SF_HAS_INFO);
	k->last_data_sent_ms = 100, k->last_data_recv_ms = 200, k->last_ack_recv_ms = 300;
	k->rtt_us = 42, k->timeout = 3;
	tt_endpoints_remember(&m, &s, 1000.0, false);
	/* 2.5 s later, no tcp_info asked: the sample carried, idle times grown */
	tt_snapshot_clear(&s);
	s.mono = 52.5;
	k = add(&s, 7, TT_FAM_TCP4, 40000, 3306, 0);
	tt_sock *fresh = add(&s, 8, TT_FAM_TCP4, 40001, 3306, 0);
	tt_endpoints_remember(&m, &s, 1002.5, true);
	k = &s.socks[0];
	fresh = &s.socks[1];
	assert_true(k->flags & TT_SF_HAS_INFO);
	assert_int_equal(k->last_data_sent_ms, 2600);
	assert_int_equal(k->last_data_recv_ms, 2700);
	assert_int_equal(k->last_ack_recv_ms, 2800);
	assert_int_equal(k->rtt_us, 42);
	assert_int_equal(k->timeout, 3);
	assert_false(fresh->flags & TT_SF_HAS_INFO); /* never sampled: nothing to carry */
	/* without carry a socket keeps what the source said */
	tt_snapshot_clear(&s);
	s.mono = 53;
	k = add(&s, 7, TT_FAM_TCP4, 40000, 3306, 0);
	tt_endpoints_remember(&m, &s, 1003, false);
	assert_false(s.socks[0].flags & TT_SF_HAS_INFO);
	/* the sum saturates */
	tt_snapshot_clear(&s);
	s.mono = 50 + 5e6;
	add(&s, 7, TT_FAM_TCP4, 40000, 3306, 0);
	tt_endpoints_remember(&m, &s, 1004, true);
	assert_int_equal(s.socks[0].last_ack_recv_ms, UINT32_MAX);
	tt_snapshot_free(&s);
	tt_endpoints_free(&m);
}

static void test_sweep(void **state)
{
	(void)state;
	tt_endpoints m;
	tt_endpoints_init(&m);
	tt_snapshot s;
	tt_snapshot_init(&s);
	for (uint64_t i = 1; i <= 3; i++)
		add(&s, i, TT_FAM_TCP4, (uint16_t)(40000 + i), 3306, 0);
	tt_endpoints_remember(&m, &s, 1000, false);
	/* ten minutes on: 2 is held (its entry kept fresh), 1 and 3 are not seen */
	tt_snapshot_clear(&s);
	add(&s, 2, TT_FAM_TCP4, 40002, 3306, TT_SF_HELD_ONLY);
	tt_endpoints_sweep(&m, &s, 1600);
	assert_int_equal(m.n, 3); /* exactly 600 s: kept */
	tt_endpoints_sweep(&m, &s, 1600.5);
	assert_int_equal(m.n, 1);
	assert_null(tt_endpoints_find(&m, 1));
	assert_null(tt_endpoints_find(&m, 3));
	const struct tt_endpoint_mem *e = tt_endpoints_find(&m, 2);
	assert_non_null(e);
	assert_int_equal(e->lport, 40002);
	/* a held socket's endpoints stay while it is held */
	tt_snapshot_clear(&s);
	tt_endpoints_sweep(&m, &s, 2300);
	assert_int_equal(m.n, 0);
	tt_snapshot_free(&s);
	tt_endpoints_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remember),
		cmocka_unit_test(test_carry),
		cmocka_unit_test(test_sweep),
	};
	return cmocka_run_group_tests_name("endpoints", tests, NULL, NULL);
}
