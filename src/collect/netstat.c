/* The kernel's TCP counters (see netstat.h). */
#include <stdlib.h>
#include <string.h>

#include "collect/netstat.h"

/* The end of the line that starts at p (its '\n' or end). */
static const char *eol(const char *p, const char *end)
{
	const char *n = memchr(p, '\n', (size_t)(end - p));
	return n ? n : end;
}

int64_t tt_parse_netstat(const char *buf, size_t len, const char *name)
{
	const char *p = buf, *end = buf + len;
	size_t nlen = strlen(name);
	while (p < end) {
		const char *hend = eol(p, end);
		if (hend - p < 7 || memcmp(p, "TcpExt:", 7) != 0) {
			p = hend + 1;
			continue;
		}
		const char *v = hend + 1;
		if (v >= end)
			return -1;
		const char *vend = eol(v, end);
		if (vend - v < 7 || memcmp(v, "TcpExt:", 7) != 0)
			return -1;
		/* the column of name in the header, then the same column's value */
		const char *h = p + 7;
		v += 7;
		for (;;) {
			while (h < hend && *h == ' ')
				h++;
			while (v < vend && *v == ' ')
				v++;
			if (h >= hend || v >= vend)
				return -1;
			const char *hs = h, *vs = v;
			while (h < hend && *h != ' ')
				h++;
			while (v < vend && *v != ' ')
				v++;
			if ((size_t)(h - hs) == nlen && !memcmp(hs, name, nlen)) {
				if (vs == v || *vs < '0' || *vs > '9')
					return -1;
				int64_t n = 0;
				for (const char *d = vs; d < v; d++) {
					if (*d < '0' || *d > '9' || n > (INT64_MAX - 9) / 10)
						return -1;
					n = n * 10 + (*d - '0');
				}
				return n;
			}
		}
	}
	return -1;
}
