/* Fixed-size rings of samples for sparklines and trends. */
#ifndef TENANTOP_HISTORY_H
#define TENANTOP_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#define TT_HIST_LEN 180 /* samples kept (6 minutes at 2 s) */

enum tt_series { TT_SER_ESTAB = 0, TT_SER_CLOSE_WAIT, TT_SER_CLOSE, TT_SER_TIME_WAIT, TT_SER_COUNT };

typedef struct tt_history {
	uint32_t v[TT_SER_COUNT][TT_HIST_LEN];
	double t[TT_HIST_LEN]; /* sample times (wall clock) */
	size_t head;           /* index of the next write */
	size_t count;          /* samples held, <= TT_HIST_LEN */
} tt_history;

void tt_history_push(tt_history *h, double t, const uint32_t vals[TT_SER_COUNT]);
/* The i-th newest sample of a series (i = 0 is the latest); 0 when absent. */
uint32_t tt_history_get(const tt_history *h, int series, size_t i);
double tt_history_time(const tt_history *h, size_t i);
#define TT_SER_BIT(s) (1u << (s))
#define TT_SER_LEAKS (TT_SER_BIT(TT_SER_CLOSE_WAIT) | TT_SER_BIT(TT_SER_CLOSE))
/* Sum of the series in mask for the i-th newest sample. */
uint32_t tt_history_sum(const tt_history *h, unsigned mask, size_t i);
/* Least-squares slope per minute of the summed series over the newest
 * window_s seconds (0 when fewer than 3 samples). */
double tt_history_slope_per_min(const tt_history *h, unsigned mask, double window_s);

#endif
