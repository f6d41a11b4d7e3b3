/* Numbers typed by people (number.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "tenantop/number.h"

int tt_parse_number(const char *v, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (end == v || *end || errno || !isfinite(d) || d < lo || d > hi)
		return -1;
	*out = d;
	return 0;
}

int tt_parse_decimal(const char *s, double *out)
{
	size_t digits = 0, i = 0;
	while (s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (s[i] == '.')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	if (s[i] || !digits || i > 32)
		return -1;
	return tt_parse_number(s, 0, INFINITY, out);
}

int tt_parse_duration(const char *v, double *out)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (end == v || errno || !isfinite(d) || d < 0)
		return -1;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		d *= 60, end++;
	else if (*end == 'h')
		d *= 3600, end++;
	if (*end)
		return -1;
	*out = d;
	return 0;
}
