/* Optional libraries loaded when first used (tenantop/dynlib.h): found,
 * missing (the message names the library and its package), missing a
 * function, and asked again (the first answer stands). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tenantop/dynlib.h"

static void test_found(void **state)
{
	(void)state;
	size_t (*len)(const char *) = NULL;
	const struct tt_dynsym syms[] = {{"strlen", &len}};
	tt_dynlib l = {"libc.so.6", "libc6", syms, 1, false, 0, ""};
	char err[300] = "";
	assert_int_equal(tt_dynlib_load(&l, err, sizeof(err)), 0);
	assert_non_null(len);
	assert_int_equal(len("tenant"), 6);
	assert_int_equal(tt_dynlib_load(&l, err, sizeof(err)), 0);
}

static void test_missing_library(void **state)
{
	(void)state;
	void (*f)(void) = NULL;
	const struct tt_dynsym syms[] = {{"tt_none", &f}};
	tt_dynlib l = {"libtenantop-absent.so.9", "libtenantop-absent9", syms, 1, false, 0, ""};
	char err[300] = "";
	assert_int_equal(tt_dynlib_load(&l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot load libtenantop-absent.so.9"));
	assert_non_null(strstr(err, "Debian package libtenantop-absent9"));
	assert_null(f);
	/* asked again: the same answer, without trying again */
	err[0] = '\0';
	assert_int_equal(tt_dynlib_load(&l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot load"));
	assert_int_equal(tt_dynlib_load(&l, NULL, 0), -1);
}

static void test_missing_function(void **state)
{
	(void)state;
	size_t (*len)(const char *) = NULL;
	void (*f)(void) = NULL;
	const struct tt_dynsym syms[] = {{"strlen", &len}, {"tt_no_such_function", &f}};
	tt_dynlib l = {"libc.so.6", "libc6", syms, 2, false, 0, ""};
	char err[300] = "";
	assert_int_equal(tt_dynlib_load(&l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "libc.so.6 has no tt_no_such_function"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_missing_function),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
