/* The one parser of numbers typed by people: options, config, settings. */
#ifndef TENANTOP_NUMBER_H
#define TENANTOP_NUMBER_H

/* A whole-string finite number in [lo, hi] (strtod syntax); -1 otherwise. */
int tt_parse_number(const char *v, double lo, double hi, double *out);

/* Plain decimal: digits, optionally a point and more digits ("2", "0.5",
 * ".5"); no sign, exponent, hex, blanks, inf or nan. */
int tt_parse_decimal(const char *s, double *out);

/* A duration: "90", "90s", "5m", "1h" (seconds, not negative). */
int tt_parse_duration(const char *v, double *out);

#endif
