/* Rings of samples: sparklines and least-squares trends. */
#include <string.h>

#include "tenantop/history.h"

void tt_history_push(tt_history *h, double t, const uint32_t vals[TT_SER_COUNT])
{
	for (int s = 0; s < TT_SER_COUNT; s++)
		h->v[s][h->head] = vals[s];
	h->t[h->head] = t;
	h->head = (h->head + 1) % TT_HIST_LEN;
	if (h->count < TT_HIST_LEN)
		h->count++;
}

static size_t slot(const tt_history *h, size_t i)
{
	return (h->head + TT_HIST_LEN - 1 - i) % TT_HIST_LEN;
}

uint32_t tt_history_get(const tt_history *h, int series, size_t i)
{
	if (i >= h->count || series < 0 || series >= TT_SER_COUNT)
		return 0;
	return h->v[series][slot(h, i)];
}

double tt_history_time(const tt_history *h, size_t i)
{
	return i < h->count ? h->t[slot(h, i)] : 0;
}

uint32_t tt_history_sum(const tt_history *h, unsigned mask, size_t i)
{
	uint32_t sum = 0;
	for (int s = 0; s < TT_SER_COUNT; s++)
		if (mask & TT_SER_BIT(s))
			sum += tt_history_get(h, s, i);
	return sum;
}

double tt_history_slope_per_min(const tt_history *h, unsigned mask, double window_s)
{
	if (h->count < 3)
		return 0;
	double t0 = tt_history_time(h, 0);
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	size_t n = 0;
	for (size_t i = 0; i < h->count; i++) {
		double t = tt_history_time(h, i);
		if (t0 - t > window_s)
			break;
		double x = t - t0, y = tt_history_sum(h, mask, i);
		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
		n++;
	}
	if (n < 3)
		return 0;
	double den = (double)n * sxx - sx * sx;
	if (den <= 1e-9)
		return 0;
	return ((double)n * sxy - sx * sy) / den * 60.0;
}
