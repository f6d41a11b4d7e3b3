/* A connection's lifecycle from its state changes (collect/connlife.h):
 * the connecting and the accepting end's opening and close with their
 * times, the owner seen at connect and close, time in state, a close with
 * no opening seen, a reset, the sweep after a full read, forgetting ports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "collect/connlife.h"

enum { EST = 1, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN };
#define MS 1000000ull

static tt_connlife T;

static int setup(void **state)
{
	(void)state;
	tt_connlife_init(&T);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tt_connlife_free(&T);
	return 0;
}

static const tt_life_owner APP = {4242, 777 * MS, "php-fpm"};

/* one change; the record it told (rc 1), else rc */
static int step(uint64_t cookie, uint64_t ms, int from, int to, uint8_t flags, uint16_t lp, uint16_t rp,
		const tt_life_owner *o, tt_conn_life *out)
{
	tt_life_step s = {.cookie = cookie, .ts = ms * MS, .from = (uint8_t)from, .to = (uint8_t)to, .flags = flags,
			  .lport = lp, .rport = rp, .uid = 1001, .owner = o};
	memset(out, 0, sizeof(*out));
	return tt_connlife_step(&T, &s, out);
}

/* the connecting end: opened at SYN_SENT, told once connected (its ports
 * known: its own is 0 at connect), closed at its close() (FIN_WAIT1), not
 * at the CLOSE that leaves its TIME_WAIT; the owner from connect() */
static void test_client(void **state)
{
	(void)state;
	tt_conn_life l;
	assert_int_equal(step(7, 1000, CLOSE, SYN_SENT, 0, 0, 3306, &APP, &l), 0);
	assert_int_equal(step(7, 1001, SYN_SENT, EST, 0, 40000, 3306, NULL, &l), 1);
	assert_true(l.flags & TT_LF_OPEN);
	assert_true(l.flags & TT_LF_CLIENT);
	assert_int_equal(l.opened, 1000 * MS);
	assert_int_equal(l.lport, 40000);
	assert_int_equal(l.rport, 3306);
	assert_int_equal(l.tgid, 4242);
	assert_string_equal(l.comm, "php-fpm");
	assert_int_equal(l.start_ns, 777 * MS);
	uint8_t st;
	assert_int_equal(tt_connlife_since(&T, 7, &st), 1001 * MS);
	assert_int_equal(st, EST);
	assert_int_equal(step(7, 3000, EST, FIN_WAIT1, 0, 40000, 3306, &APP, &l), 0);
	assert_int_equal(step(7, 3001, FIN_WAIT1, FIN_WAIT2, 0, 40000, 3306, NULL, &l), 0);
	assert_int_equal(tt_connlife_since(&T, 7, &st), 3001 * MS);
	assert_int_equal(st, FIN_WAIT2);
	assert_int_equal(step(7, 3002, FIN_WAIT2, CLOSE, TT_LF_TIME_WAIT, 40000, 3306, NULL, &l), 1);
	assert_false(l.flags & TT_LF_OPEN);
	assert_true(l.flags & TT_LF_TIME_WAIT);
	assert_int_equal(l.opened, 1000 * MS);
	assert_int_equal(l.closed, 3000 * MS); /* its close(), the first of its ends */
	assert_int_equal(l.close_wait, 0);
	assert_int_equal(tt_connlife_count(&T), 0); /* gone at its close */
	assert_int_equal(tt_connlife_since(&T, 7, &st), 0);
}

/* the accepting end: opened at SYN_RECV -> ESTABLISHED (no owner then),
 * its peer closes (CLOSE_WAIT), its application closes 1 s later
 * (LAST_ACK, the owner from close()), closed at the last ACK */
static void test_server_close_wait(void **state)
{
	(void)state;
	tt_conn_life l;
	assert_int_equal(step(9, 500, LISTEN, SYN_RECV, 0, 5432, 0, NULL, &l), 0);
	assert_int_equal(step(9, 501, SYN_RECV, EST, 0, 5432, 41000, NULL, &l), 1);
	assert_int_equal(l.opened, 501 * MS);
	assert_false(l.flags & TT_LF_CLIENT);
	assert_int_equal(l.tgid, 0);
	assert_int_equal(step(9, 2501, EST, CLOSE_WAIT, 0, 5432, 41000, NULL, &l), 0);
	assert_int_equal(step(9, 3501, CLOSE_WAIT, LAST_ACK, 0, 5432, 41000, &APP, &l), 0);
	/* its port given back before the last change: the entry's stays */
	assert_int_equal(step(9, 3502, LAST_ACK, CLOSE, 0, 0, 41000, NULL, &l), 1);
	assert_int_equal(l.close_wait, 2501 * MS);
	assert_int_equal(l.app_closed, 3501 * MS);
	assert_int_equal(l.closed, 3501 * MS);
	assert_int_equal(l.lport, 5432);
	assert_int_equal(l.tgid, 4242);
}

/* CLOSE_WAIT closed with unread data: a reset, CLOSE_WAIT -> CLOSE */
static void test_reset(void **state)
{
	(void)state;
	tt_conn_life l;
	step(11, 0, LISTEN, SYN_RECV, 0, 6379, 0, NULL, &l);
	assert_int_equal(step(11, 1, SYN_RECV, EST, 0, 6379, 42000, NULL, &l), 1);
	step(11, 100, EST, CLOSE_WAIT, 0, 6379, 42000, NULL, &l);
	assert_int_equal(step(11, 400, CLOSE_WAIT, CLOSE, TT_LF_RESET, 6379, 42000, &APP, &l), 1);
	assert_true(l.flags & TT_LF_RESET);
	assert_false(l.flags & TT_LF_TIME_WAIT);
	assert_int_equal(l.app_closed, 400 * MS);
	assert_int_equal(l.closed, 400 * MS);
}

/* changes of a socket that was there before: no opening, no close told;
 * a connect that fails is no opening nor close either */
static void test_unseen_opening(void **state)
{
	(void)state;
	tt_conn_life l;
	assert_int_equal(step(13, 10, EST, CLOSE_WAIT, 0, 3306, 43000, NULL, &l), 0);
	uint8_t st;
	assert_int_equal(tt_connlife_since(&T, 13, &st), 10 * MS); /* its time in state is known */
	assert_int_equal(st, CLOSE_WAIT);
	assert_int_equal(step(13, 20, CLOSE_WAIT, LAST_ACK, 0, 3306, 43000, &APP, &l), 0);
	assert_int_equal(step(13, 21, LAST_ACK, CLOSE, 0, 3306, 43000, NULL, &l), 0);
	assert_int_equal(step(14, 30, EST, CLOSE, 0, 3306, 43001, NULL, &l), 0); /* never seen */
	assert_int_equal(step(15, 40, CLOSE, SYN_SENT, 0, 0, 3306, &APP, &l), 0);
	assert_int_equal(step(15, 41, SYN_SENT, CLOSE, TT_LF_RESET, 0, 3306, NULL, &l), 0); /* refused */
	assert_int_equal(tt_connlife_count(&T), 0);
}

/* a full read's sweep forgets what it did not have and no change told of
 * since the last sweep; many sockets, taken out of order, keep their own */
static void test_sweep(void **state)
{
	(void)state;
	tt_conn_life l;
	for (uint64_t c = 100; c < 1100; c++) {
		step(c, 1, LISTEN, SYN_RECV, 0, 5432, 0, NULL, &l);
		step(c, 2, SYN_RECV, EST, 0, 5432, (uint16_t)(20000 + c), NULL, &l);
	}
	for (uint64_t c = 100; c < 1100; c += 2) /* every other one closes */
		assert_int_equal(step(c, 3, EST, CLOSE, TT_LF_RESET, 5432, (uint16_t)(20000 + c), NULL, &l), 1);
	assert_int_equal(tt_connlife_count(&T), 500);
	tt_connlife_sweep(&T); /* all changed since the last sweep: kept */
	assert_int_equal(tt_connlife_count(&T), 500);
	for (uint64_t c = 101; c < 600; c += 2) /* the full read has these */
		tt_connlife_mark(&T, c);
	tt_connlife_sweep(&T);
	assert_int_equal(tt_connlife_count(&T), 250);
	uint8_t st;
	assert_int_equal(tt_connlife_since(&T, 101, &st), 2 * MS);
	assert_int_equal(tt_connlife_since(&T, 601, &st), 0);
	/* a change after the sweep keeps it through the next */
	step(103, 5, EST, CLOSE_WAIT, 0, 5432, 20103, NULL, &l);
	tt_connlife_sweep(&T);
	assert_int_equal(tt_connlife_count(&T), 1);
	assert_int_equal(tt_connlife_since(&T, 103, &st), 5 * MS);
}

static bool only_6379(const void *ctx, uint16_t port)
{
	(void)ctx;
	return port == 6379;
}

static void test_forget_unwatched(void **state)
{
	(void)state;
	tt_conn_life l;
	step(1, 1, CLOSE, SYN_SENT, 0, 0, 6379, &APP, &l);
	step(2, 1, CLOSE, SYN_SENT, 0, 0, 3306, &APP, &l);
	step(3, 1, LISTEN, SYN_RECV, 0, 3306, 0, NULL, &l);
	tt_connlife_forget(&T, only_6379, NULL);
	assert_int_equal(tt_connlife_count(&T), 1);
	uint8_t st;
	assert_int_equal(tt_connlife_since(&T, 1, &st), 1 * MS);
	assert_int_equal(tt_connlife_since(&T, 2, &st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_close_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unseen_opening, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget_unwatched, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
