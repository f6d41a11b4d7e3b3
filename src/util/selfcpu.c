/* tenantop's own CPU time (selfcpu.h). */
#include <sys/resource.h>

#include "tenantop/selfcpu.h"

static double helpers_ms;
static long helpers_rss_kb;

static double ms(const struct rusage *ru)
{
	return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e3 +
	       (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e3;
}

void tt_self_cpu_add_helper(const struct rusage *ru)
{
	helpers_ms += ms(ru);
	if (ru->ru_maxrss > helpers_rss_kb)
		helpers_rss_kb = ru->ru_maxrss;
}

double tt_self_cpu_ms(long *maxrss_kb)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	if (maxrss_kb)
		*maxrss_kb = ru.ru_maxrss > helpers_rss_kb ? ru.ru_maxrss : helpers_rss_kb;
	return ms(&ru) + helpers_ms;
}
