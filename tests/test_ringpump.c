/* The ring's pump (collect/ringpump.h): records kept in order and aligned,
 * the cap that stops the thread, memory given back after a burst. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "collect/ringpump.h"

struct src {
	tt_ringpump *p;
	int next;   /* the next record's number */
	int per;    /* records a fill stages */
	int fills;
};

/* a record of size 1 + its number % 37, each byte its number */
static void fill(void *ctx)
{
	struct src *s = ctx;
	s->fills++;
	for (int i = 0; i < s->per; i++, s->next++) {
		unsigned char rec[64];
		size_t n = 1 + (size_t)(s->next % 37);
		memset(rec, s->next & 0xff, n);
		assert_int_equal(tt_ringpump_stage(s->p, rec, n), 0);
	}
}

struct seen {
	int n;
	bool aligned, right;
};

static void take(void *ctx, const void *data, size_t size)
{
	struct seen *v = ctx;
	const unsigned char *d = data;
	if ((uintptr_t)data % 8)
		v->aligned = false;
	if (size != 1 + (size_t)(v->n % 37))
		v->right = false;
	for (size_t i = 0; i < size; i++)
		if (d[i] != (v->n & 0xff))
			v->right = false;
	v->n++;
}

static void test_order_without_thread(void **state)
{
	(void)state;
	struct src s = {.per = 1000};
	s.p = tt_ringpump_new(fill, &s, 1u << 20);
	assert_non_null(s.p);
	char err[96];
	assert_int_equal(tt_ringpump_start(s.p, 0, err, sizeof(err)), 0); /* period 0: no thread */
	tt_ringpump_lock(s.p);
	fill(&s);
	fill(&s);
	assert_true(tt_ringpump_staged(s.p) > 0);
	struct seen v = {0, true, true};
	tt_ringpump_replay(s.p, take, &v);
	assert_int_equal(v.n, 2000);
	assert_true(v.aligned);
	assert_true(v.right);
	assert_int_equal(tt_ringpump_staged(s.p), 0);
	/* again: nothing left over */
	v.n = 0;
	tt_ringpump_replay(s.p, take, &v);
	assert_int_equal(v.n, 0);
	tt_ringpump_unlock(s.p);
	assert_int_equal(tt_ringpump_lost(s.p), 0);
	assert_int_equal(s.fills, 2);
	tt_ringpump_free(s.p);
}

/* a burst larger than the room kept: replayed whole, then given back */
static void test_burst(void **state)
{
	(void)state;
	struct src s = {.per = 300000}; /* some 7 MB staged */
	s.p = tt_ringpump_new(fill, &s, 64u << 20);
	tt_ringpump_lock(s.p);
	fill(&s);
	assert_true(tt_ringpump_staged(s.p) > (4u << 20));
	struct seen v = {0, true, true};
	tt_ringpump_replay(s.p, take, &v);
	assert_int_equal(v.n, 300000);
	assert_true(v.right);
	s.per = 3;
	fill(&s);
	v.n = 300000;
	tt_ringpump_replay(s.p, take, &v);
	assert_int_equal(v.n, 300003);
	assert_true(v.right);
	tt_ringpump_unlock(s.p);
	tt_ringpump_free(s.p);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* the thread fills every period until the cap is staged, then stops
 * (counted), and goes on once a replay emptied the stage */
static void test_thread_and_cap(void **state)
{
	(void)state;
	struct src s = {.per = 100};
	s.p = tt_ringpump_new(fill, &s, 4096); /* some 2 fills' worth */
	char err[96];
	assert_int_equal(tt_ringpump_start(s.p, 5, err, sizeof(err)), 0);
	/* up to 20 s on a busy machine: until it has stopped at the cap */
	uint64_t stalls = 0;
	for (int i = 0; i < 4000 && stalls < 3; i++) {
		sleep_ms(5);
		tt_ringpump_lock(s.p);
		stalls = tt_ringpump_stalls(s.p);
		tt_ringpump_unlock(s.p);
	}
	tt_ringpump_lock(s.p);
	assert_true(tt_ringpump_stalls(s.p) >= 3);
	int fills = s.fills;
	assert_true(fills >= 1);
	assert_true(tt_ringpump_staged(s.p) >= 4096);
	struct seen v = {0, true, true};
	tt_ringpump_replay(s.p, take, &v);
	assert_int_equal(v.n, fills * 100); /* every record the thread staged, in order */
	assert_true(v.right);
	tt_ringpump_unlock(s.p);
	for (int i = 0; i < 4000; i++) {
		tt_ringpump_lock(s.p);
		int now = s.fills;
		tt_ringpump_unlock(s.p);
		if (now > fills)
			break;
		sleep_ms(5);
	}
	tt_ringpump_lock(s.p);
	assert_true(s.fills > fills);
	tt_ringpump_unlock(s.p);
	tt_ringpump_free(s.p); /* joins the thread */
}

/* the wake descriptor calls for a pass before the period is up: with a
 * 10 s period, the first pass is at the start, a second comes once the
 * descriptor is readable (waited for up to 8 s; without the wake it would
 * come at 10 s), and a quit is heeded at once, not after the period */
static void wake_fill(void *ctx)
{
	struct src *s = ctx;
	uint64_t n;
	s->fills++;
	(void)!read(s->next, &n, sizeof(n)); /* heeded: no longer readable */
}

static int fills_now(struct src *s)
{
	tt_ringpump_lock(s->p);
	int n = s->fills;
	tt_ringpump_unlock(s->p);
	return n;
}

static void test_wake(void **state)
{
	(void)state;
	struct src s = {0};
	int efd = eventfd(0, EFD_NONBLOCK);
	assert_true(efd >= 0);
	s.next = efd;
	s.p = tt_ringpump_new(wake_fill, &s, 1u << 20);
	tt_ringpump_wake_fd(s.p, efd);
	char err[96];
	assert_int_equal(tt_ringpump_start(s.p, 10000, err, sizeof(err)), 0);
	for (int i = 0; i < 4000 && fills_now(&s) < 1; i++)
		sleep_ms(5);
	assert_int_equal(fills_now(&s), 1); /* the start's pass only */
	uint64_t one = 1;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(write(efd, &one, sizeof(one)), (ssize_t)sizeof(one));
	do { /* up to 8 s: less than the period */
		sleep_ms(5);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (fills_now(&s) < 2 && t1.tv_sec - t0.tv_sec < 8);
	assert_int_equal(fills_now(&s), 2);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tt_ringpump_free(s.p);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 9);
	close(efd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_without_thread),
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_thread_and_cap),
		cmocka_unit_test(test_wake),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
