/* Sanitising hostile strings for terminals, JSON and labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tenantop/sanitize.h"

static const char *san(const char *in, size_t len, char *out, size_t outlen)
{
	tt_sanitize(in, len, out, outlen);
	return out;
}

static void test_plain_and_utf8(void **state)
{
	(void)state;
	char out[128];
	assert_string_equal(san("php-fpm: pool alice", 19, out, sizeof(out)), "php-fpm: pool alice");
	assert_string_equal(san("caf\xc3\xa9 \xe6\x97\xa5", 9, out, sizeof(out)), "caf\xc3\xa9 \xe6\x97\xa5");
}

static void test_controls_escaped(void **state)
{
	(void)state;
	char out[128];
	assert_string_equal(san("a\x1b[31mred\n\t\r\x07", 13, out, sizeof(out)), "a\\e[31mred\\n\\t\\r\\x07");
	assert_string_equal(san("back\\slash", 10, out, sizeof(out)), "back\\\\slash");
	/* NUL inside is escaped, not a terminator */
	assert_string_equal(san("a\0b", 3, out, sizeof(out)), "a\\x00b");
	/* DEL, a C1 control (U+009B CSI) and a bidi override are escaped */
	assert_string_equal(san("\x7f", 1, out, sizeof(out)), "\\x7f");
	assert_string_equal(san("\xc2\x9b" "2J", 4, out, sizeof(out)), "\\xc2\\x9b2J");
	assert_string_equal(san("\xe2\x80\xae" "abc", 6, out, sizeof(out)), "\\xe2\\x80\\xaeabc");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	char out[128];
	assert_string_equal(san("\xff\xfe", 2, out, sizeof(out)), "\\xff\\xfe");
	assert_string_equal(san("\xc0\xaf", 2, out, sizeof(out)), "\\xc0\\xaf");         /* overlong */
	assert_string_equal(san("\xed\xa0\x80", 3, out, sizeof(out)), "\\xed\\xa0\\x80"); /* surrogate */
	assert_string_equal(san("ab\xe6\x97", 4, out, sizeof(out)), "ab\\xe6\\x97");      /* truncated */
}

static void test_cut_at_boundary(void **state)
{
	(void)state;
	char out[10];
	size_t n = tt_sanitize("abcdefghijklmnop", 16, out, sizeof(out));
	assert_int_equal(n, 9);
	assert_string_equal(out, "abcdef...");
	/* never cut inside an escape or a multi-byte character */
	n = tt_sanitize("abcde\x1b\x1b\x1b\x1b", 9, out, sizeof(out));
	assert_string_equal(out, "abcde...");
	char out2[8];
	tt_sanitize("\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5", 9, out2, sizeof(out2));
	assert_string_equal(out2, "\xe6\x97\xa5...");
	assert_int_equal(tt_sanitized_len("a\x1b", 2), 3);
}

static void test_long_input(void **state)
{
	(void)state;
	static char in[65536], out[4096];
	memset(in, 'x', sizeof(in));
	in[100] = '\x1b';
	size_t n = tt_sanitize(in, sizeof(in), out, sizeof(out));
	assert_int_equal(n, sizeof(out) - 1);
	assert_memory_equal(out + n - 3, "...", 3);
	assert_null(memchr(out, '\x1b', n));
}

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(tt_display_width("abc"), 3);
	assert_int_equal(tt_display_width("\xe6\x97\xa5\xe6\x9c\xac"), 4);
	assert_int_equal(tt_display_prefix("\xe6\x97\xa5\xe6\x9c\xac", 3), 3);
	assert_int_equal(tt_display_prefix("abcdef", 4), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_utf8), cmocka_unit_test(test_controls_escaped),
		cmocka_unit_test(test_invalid_utf8),   cmocka_unit_test(test_cut_at_boundary),
		cmocka_unit_test(test_long_input),     cmocka_unit_test(test_width),
	};
	return cmocka_run_group_tests_name("sanitize", tests, NULL, NULL);
}
