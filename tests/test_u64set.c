/* The u64 hash map: put, get, delete, iterate, growth with tombstones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tenantop/u64set.h"

static void test_basic(void **state)
{
	(void)state;
	tt_u64set s;
	tt_u64set_init(&s);
	assert_false(tt_u64set_has(&s, 5));
	assert_int_equal(tt_u64set_put(&s, 0, 1), -1);
	for (uint64_t k = 1; k <= 10000; k++)
		assert_int_equal(tt_u64set_put(&s, k * 7919, k), 0);
	uint64_t v;
	for (uint64_t k = 1; k <= 10000; k++) {
		assert_true(tt_u64set_get(&s, k * 7919, &v));
		assert_int_equal(v, k);
	}
	assert_false(tt_u64set_has(&s, 3));
	for (uint64_t k = 1; k <= 10000; k += 2)
		assert_true(tt_u64set_del(&s, k * 7919));
	assert_false(tt_u64set_del(&s, 7919));
	size_t pos = 0, n = 0;
	uint64_t key;
	while (tt_u64set_next(&s, &pos, &key, &v)) {
		assert_int_equal(key, v * 7919);
		assert_int_equal(v % 2, 0);
		n++;
	}
	assert_int_equal(n, 5000);
	/* churn: deleting and adding many times must not fill the table */
	for (uint64_t round = 0; round < 50; round++) {
		for (uint64_t k = 1; k <= 2000; k++)
			assert_int_equal(tt_u64set_put(&s, 1000000 + round * 2000 + k, k), 0);
		for (uint64_t k = 1; k <= 2000; k++)
			assert_true(tt_u64set_del(&s, 1000000 + round * 2000 + k));
	}
	assert_true(tt_u64set_get(&s, 2 * 7919, &v));
	assert_int_equal(v, 2);
	tt_u64set_clear(&s);
	assert_false(tt_u64set_has(&s, 2 * 7919));
	tt_u64set_free(&s);
}

static void test_mix(void **state)
{
	(void)state;
	assert_true(tt_hash_mix(0, 0) != 0);
	assert_true(tt_hash_mix(1, 2) != tt_hash_mix(2, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_mix),
	};
	return cmocka_run_group_tests_name("u64set", tests, NULL, NULL);
}
