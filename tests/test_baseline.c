/* Baselines: learning over refreshes, the file round trip, and damaged
 * files reported, never trusted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tenantop/baseline.h"

static char path[64];

/* A model with one tenant whose counts we set directly. */
static void fake_model(tt_model *m, double t, uint32_t estab, uint32_t cw, uint32_t tw)
{
	static tt_mtenant tenants[1];
	memset(m, 0, sizeof(*m));
	memset(tenants, 0, sizeof(tenants));
	snprintf(tenants[0].name, sizeof(tenants[0].name), "alice smith");
	tenants[0].counts.st[TT_ST_ESTABLISHED] = estab;
	tenants[0].counts.st[TT_ST_CLOSE_WAIT] = cw;
	m->tenants = tenants;
	m->ntenants = 1;
	m->unattributed.st[TT_ST_TIME_WAIT] = tw;
	m->time = t;
}

static void learn(tt_baseline *b)
{
	tt_model m;
	tt_baseline_start(b, 1000, 30);
	bool done = false;
	for (int i = 0; i <= 3; i++) {
		fake_model(&m, 1000 + i * 10, 10, (uint32_t)i, 60);
		done = tt_baseline_observe(b, &m);
	}
	assert_true(done);
	assert_false(b->learning);
}

static void test_learn_and_round_trip(void **state)
{
	(void)state;
	tt_baseline b;
	tt_baseline_init(&b);
	learn(&b);
	assert_true(tt_baseline_ready(&b));
	const tt_baseline_entry *e = tt_baseline_find(&b, "alice smith");
	assert_non_null(e);
	assert_true(e->mean[TT_BL_CLOSE_WAIT] == 1.5); /* 0,1,2,3 */
	assert_true(e->peak[TT_BL_CLOSE_WAIT] == 3);
	assert_true(e->mean[TT_BL_ESTAB] == 10);
	assert_non_null(tt_baseline_find(&b, "(unattributed)"));
	assert_null(tt_baseline_find(&b, "bob"));
	char err[600];
	snprintf(path, sizeof(path), "/tmp/tt-baseline-%d/sub/baseline", (int)getpid());
	assert_int_equal(tt_baseline_save(&b, path, err, sizeof(err)), 0);
	tt_baseline c;
	tt_baseline_init(&c);
	if (tt_baseline_load(&c, path, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	e = tt_baseline_find(&c, "alice smith"); /* a name with a space survives */
	assert_non_null(e);
	assert_true(e->mean[TT_BL_CLOSE_WAIT] == 1.5);
	assert_int_equal(c.samples, 4);
	tt_baseline_free(&c);
	tt_baseline_free(&b);
}

static void corrupt(const char *how)
{
	FILE *f = fopen(path, "r+");
	assert_non_null(f);
	char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	if (!strcmp(how, "flip")) {
		char *p = strstr(buf, "tenant ");
		p[8] = p[8] == '9' ? '8' : '9';
	} else if (!strcmp(how, "cut")) {
		n /= 2;
	} else if (!strcmp(how, "version")) {
		memcpy(buf, "tenantop-baseline 9", 19);
	} else if (!strcmp(how, "garbage")) {
		memcpy(buf, "hello", 5);
	}
	fclose(f);
	f = fopen(path, "w");
	fwrite(buf, 1, !strcmp(how, "cut") ? n : strlen(buf), f);
	fclose(f);
}

static void test_damaged_files(void **state)
{
	(void)state;
	static const struct {
		const char *how, *msg;
	} cases[] = {{"flip", "checksum mismatch"},
		     {"cut", "damaged"},
		     {"version", "version 9"},
		     {"garbage", "not a tenantop baseline"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tt_baseline b;
		tt_baseline_init(&b);
		learn(&b);
		char err[600];
		assert_int_equal(tt_baseline_save(&b, path, err, sizeof(err)), 0);
		tt_baseline_free(&b);
		corrupt(cases[i].how);
		tt_baseline c;
		tt_baseline_init(&c);
		assert_int_equal(tt_baseline_load(&c, path, err, sizeof(err)), -1);
		if (!strstr(err, cases[i].msg) || !strstr(err, path))
			fail_msg("%s: %s", cases[i].how, err);
		assert_false(tt_baseline_ready(&c)); /* not trusted */
		tt_baseline_free(&c);
	}
	tt_baseline b;
	tt_baseline_init(&b);
	char err[600];
	assert_int_equal(tt_baseline_load(&b, "/nonexistent/baseline", err, sizeof(err)), -1);
	unlink(path);
	char dir[80];
	snprintf(dir, sizeof(dir), "/tmp/tt-baseline-%d/sub", (int)getpid());
	rmdir(dir);
	snprintf(dir, sizeof(dir), "/tmp/tt-baseline-%d", (int)getpid());
	rmdir(dir);
}

static void test_stop_early(void **state)
{
	(void)state;
	tt_baseline b;
	tt_baseline_init(&b);
	tt_baseline_start(&b, 1000, 300);
	assert_false(tt_baseline_finish(&b, 1001)); /* nothing seen */
	tt_baseline_start(&b, 1000, 300);
	tt_model m;
	fake_model(&m, 1005, 4, 1, 0);
	assert_false(tt_baseline_observe(&b, &m));
	assert_true(tt_baseline_finish(&b, 1010));
	assert_true(tt_baseline_ready(&b));
	assert_true(b.learned_until == 1010);
	tt_baseline_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_and_round_trip),
		cmocka_unit_test(test_damaged_files),
		cmocka_unit_test(test_stop_early),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
