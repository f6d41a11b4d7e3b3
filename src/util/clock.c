/* The monotonic clock (clock.h). */
#include <time.h>

#include "tenantop/clock.h"

double tt_mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
