/* Port sets and their text form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tenantop/portset.h"

static void test_parse_format(void **state)
{
	(void)state;
	tt_portset p;
	char err[256], buf[256];
	assert_int_equal(tt_portset_parse(&p, TT_DEFAULT_PORTS, err, sizeof(err)), 0);
	assert_int_equal(p.count, 10);
	assert_true(tt_portset_has(&p, 3306));
	assert_true(tt_portset_has(&p, 27017));
	assert_false(tt_portset_has(&p, 3307));
	assert_int_equal(tt_portset_parse(&p, "6000-6003,3306,6002", err, sizeof(err)), 0);
	assert_int_equal(p.count, 5);
	assert_string_equal(tt_portset_format(&p, buf, sizeof(buf)), "3306,6000-6003");
	uint16_t list[8];
	assert_int_equal(tt_portset_list(&p, list, 8), 5);
	assert_int_equal(list[0], 3306);
	assert_int_equal(list[4], 6003);
	assert_int_equal(tt_portset_parse(&p, "all", err, sizeof(err)), 0);
	assert_true(p.all);
	assert_true(tt_portset_has(&p, 1));
	assert_string_equal(tt_portset_format(&p, buf, sizeof(buf)), "all");
}

static void test_errors(void **state)
{
	(void)state;
	tt_portset p;
	char err[256];
	const char *bad[] = {"", "0", "65536", "abc", "3306,", "10-5", "1-2-3", "33 06", "-5"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(tt_portset_parse(&p, bad[i], err, sizeof(err)), -1);
		assert_true(strlen(err) > 10);
	}
	tt_portset_parse(&p, "3306,x", err, sizeof(err));
	assert_non_null(strstr(err, "'x'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests_name("portset", tests, NULL, NULL);
}
