/* tenantop's own CPU time: a helper's use, once waited for, is added to the
 * process's own (the BPF loader's work counts in the first refresh), and the
 * peak RSS is the larger of the process's and its helpers'. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "tenantop/selfcpu.h"

static void test_helper_counted(void **state)
{
	(void)state;
	long rss0 = 0;
	double before = tt_self_cpu_ms(&rss0);
	assert_true(before >= 0);
	assert_true(rss0 > 0);
	struct rusage ru;
	memset(&ru, 0, sizeof(ru));
	ru.ru_utime.tv_sec = 2;          /* 2 000 ms */
	ru.ru_stime.tv_usec = 250000;    /* + 250 ms */
	ru.ru_maxrss = rss0 + 1000000;   /* a helper far larger than this test */
	tt_self_cpu_add_helper(&ru);
	long rss1 = 0;
	double after = tt_self_cpu_ms(&rss1);
	/* the process's own time only grows: at least the helper's 2 250 ms more */
	assert_true(after - before >= 2250.0);
	assert_true(after - before < 2250.0 + 1000.0);
	assert_int_equal(rss1, rss0 + 1000000);
	/* a smaller helper leaves the peak as it was; its time adds up */
	ru.ru_utime.tv_sec = 0;
	ru.ru_stime.tv_usec = 1000;
	ru.ru_maxrss = 1;
	tt_self_cpu_add_helper(&ru);
	long rss2 = 0;
	assert_true(tt_self_cpu_ms(&rss2) - after >= 1.0);
	assert_int_equal(rss2, rss0 + 1000000);
	assert_true(tt_self_cpu_ms(NULL) >= after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_helper_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
