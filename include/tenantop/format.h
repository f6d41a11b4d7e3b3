/* The one place figures become words: ages, shares and trends, for the
 * dashboard, the text output and the alert messages alike. */
#ifndef TENANTOP_FORMAT_H
#define TENANTOP_FORMAT_H

#include <stddef.h>

/* "42s", "6m12s", "3h05m", "2d04h"; "-" for negative. Returns buf. */
char *tt_fmt_age(double seconds, char *buf, size_t len);

/* A share 0..1 as "37%"; "-" when negative (nothing to share). Returns buf. */
char *tt_fmt_share(double share, char *buf, size_t len);

/* A trend per minute below this, either way, is flat. */
#define TT_TREND_FLAT_PER_MIN 0.5

/* +1 growing, -1 shrinking, 0 flat. */
int tt_trend_dir(double per_min);

enum tt_trend_style {
	TT_TREND_ARROWS = 0, /* "↑3/m", "↓2/m", "→" (the dashboard) */
	TT_TREND_ASCII,      /* "^3/m", "v2/m", "=" */
	TT_TREND_WORDS,      /* "+3.0/min", "-2.0/min", "flat" (text output) */
};
/* A trend per minute in words; returns its direction (tt_trend_dir). */
int tt_fmt_trend(double per_min, int style, char *buf, size_t len);

#endif
