/* The command line's strict parsers: decimal seconds, ADDR:PORT, the
 * --on-alert program. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tenantop/alertsink.h"
#include "tenantop/app.h"
#include "tenantop/exporter.h"
#include "tenantop/number.h"

static void test_decimal(void **state)
{
	(void)state;
	static const char *good[] = {"2", "0.5", ".5", "5.", "86400", "0.01"};
	static const double val[] = {2, 0.5, 0.5, 5, 86400, 0.01};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		double d = -1;
		assert_int_equal(tt_parse_decimal(good[i], &d), 0);
		assert_true(d == val[i]);
	}
	static const char *bad[] = {"", ".", "0x10", "1e1", "-1", "+1", " 2", "2 ", "inf", "nan", "1,5", "2s", "1.2.3"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		double d;
		if (tt_parse_decimal(bad[i], &d) == 0)
			fail_msg("'%s' accepted", bad[i]);
	}
}

static void test_listen(void **state)
{
	(void)state;
	struct sockaddr_storage ss;
	socklen_t sl;
	assert_int_equal(tt_listen_parse("127.0.0.1:9817", &ss, &sl), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(tt_listen_parse("[::1]:1", &ss, &sl), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(tt_listen_parse(":65535", &ss, &sl), 0);
	static const char *bad[] = {"127.0.0.1:99999", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:+80", "127.0.0.1: 80",
				    "127.0.0.1:0x50", "9817", "localhost:9817", "127.0.0.1:000009817", "[::1:80"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (tt_listen_parse(bad[i], &ss, &sl) == 0)
			fail_msg("'%s' accepted", bad[i]);
}

static void test_hook(void **state)
{
	(void)state;
	char err[512];
	assert_int_equal(tt_hook_check("/bin/true --flag", err, sizeof(err)), 0);
	assert_int_equal(tt_hook_check("true", err, sizeof(err)), 0);
	assert_int_equal(tt_hook_check("/nonexistent/hook", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/hook: No such file or directory"));
	assert_int_equal(tt_hook_check("/etc/passwd", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an executable file"));
	assert_int_equal(tt_hook_check("/tmp", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an executable file"));
	assert_int_equal(tt_hook_check("no-such-program-tt", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no such program in PATH"));
	assert_int_equal(tt_hook_check("'unclosed", err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_hook),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
