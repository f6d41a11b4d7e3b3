/* The JSON writer: structure, escaping, invalid UTF-8, numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "tenantop/jsonw.h"

static void test_document(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	tt_jsonw w;
	tt_jw_init(&w, f);
	tt_jw_obj_begin(&w);
	tt_jw_key(&w, "a");
	tt_jw_int(&w, -3);
	tt_jw_key(&w, "list");
	tt_jw_arr_begin(&w);
	tt_jw_str(&w, "x\"y\\z");
	tt_jw_strn(&w, "\x1b[2J\n\xff\xc3\xa9", 8);
	tt_jw_double(&w, 1.25, 2);
	tt_jw_double(&w, NAN, 2);
	tt_jw_bool(&w, true);
	tt_jw_null(&w);
	tt_jw_obj_begin(&w);
	tt_jw_obj_end(&w);
	tt_jw_arr_end(&w);
	tt_jw_key(&w, "u");
	tt_jw_uint(&w, 18446744073709551615ULL);
	tt_jw_obj_end(&w);
	fclose(f);
	assert_string_equal(buf, "{\"a\":-3,\"list\":[\"x\\\"y\\\\z\",\"\\u001b[2J\\n\\ufffd\xc3\xa9\","
				 "1.25,null,true,null,{}],\"u\":18446744073709551615}");
	free(buf);
}

/* Integers at their limits, and plain runs between escapes (written a run
 * at a time). */
static void test_numbers_and_runs(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	tt_jsonw w;
	tt_jw_init(&w, f);
	tt_jw_arr_begin(&w);
	tt_jw_int(&w, 0);
	tt_jw_int(&w, INT64_MIN);
	tt_jw_int(&w, INT64_MAX);
	tt_jw_uint(&w, 0);
	tt_jw_strn(&w, "abc\"def\x7f\tghi\xe2\x82", 14);
	tt_jw_arr_end(&w);
	fclose(f);
	assert_string_equal(buf, "[0,-9223372036854775808,9223372036854775807,0,"
				 "\"abc\\\"def\\u007f\\tghi\\ufffd\\ufffd\"]");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_numbers_and_runs),
	};
	return cmocka_run_group_tests_name("jsonw", tests, NULL, NULL);
}
