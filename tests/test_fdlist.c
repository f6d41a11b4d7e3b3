/* The descriptor iterator's list: records of a process found together,
 * ordered by descriptor, whatever order they came in; a process without
 * records has none; tgid 0 is not indexed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "collect/fdlist.h"
#include "tenantop/vec.h"

static void add(tt_fdlist *l, uint32_t tgid, int32_t fd, uint64_t ino)
{
	struct tt_sockfd *r = TT_VEC_PUSH(l->v, l->n, l->cap);
	assert_non_null(r);
	r->tgid = tgid;
	r->fd = fd;
	r->ino = ino;
}

static void test_sorted(void **state)
{
	(void)state;
	tt_fdlist l;
	tt_fdlist_init(&l);
	add(&l, 10, 3, 100);
	add(&l, 10, 4, 101);
	add(&l, 12, 5, 120);
	assert_int_equal(tt_fdlist_index(&l), 0);
	size_t n;
	const struct tt_sockfd *r = tt_fdlist_of(&l, 10, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].ino, 100);
	assert_int_equal(r[1].ino, 101);
	r = tt_fdlist_of(&l, 12, &n);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].fd, 5);
	assert_null(tt_fdlist_of(&l, 11, &n));
	assert_int_equal(n, 0);
	tt_fdlist_free(&l);
}

static void test_unsorted_and_reused(void **state)
{
	(void)state;
	tt_fdlist l;
	tt_fdlist_init(&l);
	/* a thread with a table of its own comes after its process's next neighbour */
	add(&l, 20, 7, 207);
	add(&l, 30, 1, 301);
	add(&l, 20, 2, 202);
	add(&l, 0, 9, 9); /* no process */
	assert_int_equal(tt_fdlist_index(&l), 0);
	size_t n;
	const struct tt_sockfd *r = tt_fdlist_of(&l, 20, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].fd, 2);
	assert_int_equal(r[1].fd, 7);
	assert_null(tt_fdlist_of(&l, 0, &n));
	/* read again (the next refresh): the old index is gone */
	l.n = 0;
	add(&l, 30, 1, 301);
	assert_int_equal(tt_fdlist_index(&l), 0);
	assert_null(tt_fdlist_of(&l, 20, &n));
	r = tt_fdlist_of(&l, 30, &n);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].ino, 301);
	tt_fdlist_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted),
		cmocka_unit_test(test_unsorted_and_reused),
	};
	return cmocka_run_group_tests_name("fdlist", tests, NULL, NULL);
}
