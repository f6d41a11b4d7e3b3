/* The one monotonic clock every loop and timer reads. */
#ifndef TENANTOP_CLOCK_H
#define TENANTOP_CLOCK_H

/* Seconds on CLOCK_MONOTONIC (never jumps with the wall clock). */
double tt_mono_s(void);

#endif
