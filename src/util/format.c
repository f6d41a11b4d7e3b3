/* Figures in words (format.h). */
#include <stdio.h>

#include "tenantop/format.h"

char *tt_fmt_age(double s, char *buf, size_t len)
{
	if (s < 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	unsigned long t = (unsigned long)(s + 0.5);
	if (t < 60)
		snprintf(buf, len, "%lus", t);
	else if (t < 3600)
		snprintf(buf, len, "%lum%02lus", t / 60, t % 60);
	else if (t < 86400)
		snprintf(buf, len, "%luh%02lum", t / 3600, (t % 3600) / 60);
	else
		snprintf(buf, len, "%lud%02luh", t / 86400, (t % 86400) / 3600);
	return buf;
}

char *tt_fmt_share(double share, char *buf, size_t len)
{
	if (share < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.0f%%", share * 100);
	return buf;
}

int tt_trend_dir(double per_min)
{
	return per_min >= TT_TREND_FLAT_PER_MIN ? 1 : per_min <= -TT_TREND_FLAT_PER_MIN ? -1 : 0;
}

int tt_fmt_trend(double per_min, int style, char *buf, size_t len)
{
	static const char *marks[][3] = {
		[TT_TREND_ARROWS] = {"\xe2\x86\x93", "\xe2\x86\x92", "\xe2\x86\x91"},
		[TT_TREND_ASCII] = {"v", "=", "^"},
	};
	int dir = tt_trend_dir(per_min);
	double mag = per_min < 0 ? -per_min : per_min;
	if (style == TT_TREND_WORDS) {
		if (dir)
			snprintf(buf, len, "%+.1f/min", per_min);
		else
			snprintf(buf, len, "flat");
	} else if (dir) {
		snprintf(buf, len, "%s%.0f/m", marks[style][dir + 1], mag);
	} else {
		snprintf(buf, len, "%s", marks[style][1]);
	}
	return dir;
}
