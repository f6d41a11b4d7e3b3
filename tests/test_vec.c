/* Growable arrays and generation sweeps (vec.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tenantop/vec.h"

struct ent {
	int32_t pid;
	uint32_t gen;
	uint64_t inode;
};

static void test_push_and_sweep(void **state)
{
	(void)state;
	struct ent *v = NULL;
	size_t n = 0, cap = 0;
	tt_u64set by_pid, by_inode;
	tt_u64set_init(&by_pid);
	tt_u64set_init(&by_inode);
	for (int i = 0; i < 40; i++) {
		struct ent *e = TT_VEC_PUSH(v, n, cap);
		assert_non_null(e);
		assert_int_equal(e->pid, 0); /* zeroed */
		e->pid = 100 + i;
		e->inode = 5000 + (uint64_t)i;
		e->gen = i % 3 == 0 ? 7 : 6; /* 14 of them seen in generation 7 */
		tt_u64set_put(&by_pid, (uint64_t)e->pid, n - 1);
	}
	assert_int_equal(n, 40);

	TT_VEC_SWEEP(v, n, 7, by_pid, pid);
	assert_int_equal(n, 14);
	for (size_t i = 0; i < n; i++) {
		uint64_t ix;
		assert_int_equal(v[i].pid, 100 + 3 * (int)i); /* order kept */
		assert_true(tt_u64set_get(&by_pid, (uint64_t)v[i].pid, &ix));
		assert_int_equal(ix, i);
	}
	assert_false(tt_u64set_has(&by_pid, 101));
	/* a 64-bit key */
	for (size_t i = 0; i < n; i++)
		v[i].gen = i < 2 ? 8 : 7;
	TT_VEC_SWEEP(v, n, 8, by_inode, inode);
	assert_int_equal(n, 2);
	uint64_t ix;
	assert_true(tt_u64set_get(&by_inode, 5003, &ix));
	assert_int_equal(ix, 1);
	/* all kept: unchanged */
	TT_VEC_SWEEP(v, n, 8, by_inode, inode);
	assert_int_equal(n, 2);
	free(v);
	tt_u64set_free(&by_pid);
	tt_u64set_free(&by_inode);
}

static void test_keyed(void **state)
{
	(void)state;
	struct ent *v = NULL;
	size_t n = 0, cap = 0;
	tt_u64set ix;
	tt_u64set_init(&ix);
	bool created = false;
	for (uint64_t k = 1; k <= 100; k++) {
		struct ent *e = TT_VEC_KEYED(v, n, cap, ix, k * 7919, &created);
		assert_non_null(e);
		assert_true(created);
		assert_int_equal(e->inode, 0); /* zeroed */
		e->inode = k;
	}
	assert_int_equal(n, 100);
	/* found again, not made twice, wherever the array moved to */
	for (uint64_t k = 1; k <= 100; k++) {
		struct ent *e = TT_VEC_KEYED(v, n, cap, ix, k * 7919, &created);
		assert_non_null(e);
		assert_false(created);
		assert_int_equal(e->inode, k);
	}
	assert_int_equal(n, 100);
	/* an index entry past the array (a sweep shortened it) is not found */
	n = 50;
	struct ent *e = TT_VEC_KEYED(v, n, cap, ix, 60 * 7919, &created);
	assert_true(created);
	assert_int_equal(n, 51);
	assert_int_equal(e->inode, 0);
	free(v);
	tt_u64set_free(&ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_push_and_sweep), cmocka_unit_test(test_keyed)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
