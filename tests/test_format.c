/* Figures in words: one module for every output (format.h); moved here
 * with tt_fmt_age from the output tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tenantop/format.h"

static void test_age(void **state)
{
	(void)state;
	char b[32];
	assert_string_equal(tt_fmt_age(-1, b, sizeof(b)), "-");
	assert_string_equal(tt_fmt_age(0, b, sizeof(b)), "0s");
	assert_string_equal(tt_fmt_age(42, b, sizeof(b)), "42s");
	assert_string_equal(tt_fmt_age(59.4, b, sizeof(b)), "59s");
	assert_string_equal(tt_fmt_age(372, b, sizeof(b)), "6m12s");
	assert_string_equal(tt_fmt_age(3 * 3600 + 5 * 60, b, sizeof(b)), "3h05m");
	assert_string_equal(tt_fmt_age(2 * 86400 + 4 * 3600, b, sizeof(b)), "2d04h");
}

static void test_share(void **state)
{
	(void)state;
	char b[16];
	assert_string_equal(tt_fmt_share(-1, b, sizeof(b)), "-");
	assert_string_equal(tt_fmt_share(0, b, sizeof(b)), "0%");
	assert_string_equal(tt_fmt_share(0.374, b, sizeof(b)), "37%");
	assert_string_equal(tt_fmt_share(1, b, sizeof(b)), "100%");
}

/* One threshold for the screen and the text output alike. */
static void test_trend(void **state)
{
	(void)state;
	char b[32];
	assert_int_equal(tt_fmt_trend(4, TT_TREND_WORDS, b, sizeof(b)), 1);
	assert_string_equal(b, "+4.0/min");
	assert_int_equal(tt_fmt_trend(-2, TT_TREND_WORDS, b, sizeof(b)), -1);
	assert_string_equal(b, "-2.0/min");
	assert_int_equal(tt_fmt_trend(0.3, TT_TREND_WORDS, b, sizeof(b)), 0);
	assert_string_equal(b, "flat");
	assert_int_equal(tt_fmt_trend(0.3, TT_TREND_ARROWS, b, sizeof(b)), 0);
	assert_string_equal(b, "\xe2\x86\x92");
	assert_int_equal(tt_fmt_trend(3, TT_TREND_ARROWS, b, sizeof(b)), 1);
	assert_string_equal(b, "\xe2\x86\x91" "3/m");
	assert_int_equal(tt_fmt_trend(-3, TT_TREND_ASCII, b, sizeof(b)), -1);
	assert_string_equal(b, "v3/m");
	assert_int_equal(tt_fmt_trend(0, TT_TREND_ASCII, b, sizeof(b)), 0);
	assert_string_equal(b, "=");
	/* the threshold itself counts as moving, either way */
	assert_int_equal(tt_trend_dir(TT_TREND_FLAT_PER_MIN), 1);
	assert_int_equal(tt_trend_dir(-TT_TREND_FLAT_PER_MIN), -1);
	assert_int_equal(tt_trend_dir(TT_TREND_FLAT_PER_MIN * 0.99), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_share),
		cmocka_unit_test(test_trend),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
