/* The snapshot's owner index (snapshot.h): sorted by (netns, inode, proc,
 * fd) and found by binary search, whichever way it was sorted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tenantop/snapshot.h"

static int cmp(const void *a, const void *b)
{
	const tt_owner *x = a, *y = b;
	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

static void add(tt_snapshot *s, uint64_t netns, uint64_t inode, uint32_t proc, int32_t fd)
{
	tt_owner *o = tt_snapshot_add_owner(s);
	assert_non_null(o);
	*o = (tt_owner){.inode = inode, .netns = netns, .proc = proc, .fd = fd};
}

/* The index equals a plain sort of the same owners, each found. */
static void check_index(tt_snapshot *s)
{
	size_t n = s->nowners;
	tt_owner *want = malloc(n * sizeof(*want));
	assert_non_null(want);
	memcpy(want, s->owners, n * sizeof(*want));
	qsort(want, n, sizeof(*want), cmp);
	tt_snapshot_index_owners(s);
	assert_memory_equal(s->owners, want, n * sizeof(*want));
	for (size_t i = 0; i < n; i++) {
		const tt_owner *f = tt_snapshot_find_owner(s, want[i].netns, want[i].inode);
		assert_non_null(f);
		assert_int_equal(f->inode, want[i].inode);
	}
	assert_null(tt_snapshot_find_owner(s, 0, 0xffffffffffULL));
	free(want);
}

/* As the owner scan writes them: by process and descriptor, inodes in any
 * order, shared sockets (one inode, several holders), inodes on both sides
 * of 2^16. */
static void test_scan_order(void **state)
{
	(void)state;
	tt_snapshot s;
	tt_snapshot_init(&s);
	uint64_t x = 88172645463325252ULL;
	for (uint32_t p = 0; p < 300; p++)
		for (int32_t fd = 3; fd < 200; fd++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			add(&s, 0, fd % 50 == 0 ? 777 + (uint64_t)fd : 1000 + x % 4000000000ULL, p, fd);
		}
	check_index(&s);
	tt_snapshot_free(&s);
}

/* Not in scan order, several namespaces, an inode above 2^32: sorted all the same. */
static void test_other_orders(void **state)
{
	(void)state;
	tt_snapshot s;
	tt_snapshot_init(&s);
	add(&s, 0, 50, 2, 4);
	add(&s, 0, 40, 1, 9); /* a process before the one above */
	add(&s, 0, 50, 1, 3);
	check_index(&s);
	tt_snapshot_clear(&s);
	add(&s, 4026532000ULL, 10, 0, 3);
	add(&s, 0, 20, 1, 3);
	add(&s, 0, 10, 1, 4);
	check_index(&s);
	tt_snapshot_clear(&s);
	add(&s, 0, 1ULL << 33, 0, 3);
	add(&s, 0, 7, 0, 4);
	check_index(&s);
	tt_snapshot_clear(&s);
	add(&s, 0, 9, 0, 3);
	check_index(&s);
	tt_snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_scan_order), cmocka_unit_test(test_other_orders)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
