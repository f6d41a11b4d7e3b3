/* Port sets: parse "3306,5432,6000-6010", test membership, format. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/portset.h"

void tt_portset_clear(tt_portset *p)
{
	memset(p, 0, sizeof(*p));
}

void tt_portset_add(tt_portset *p, uint16_t port)
{
	uint64_t bit = 1ULL << (port & 63);
	if (!(p->bits[port >> 6] & bit)) {
		p->bits[port >> 6] |= bit;
		p->count++;
	}
}

static int parse_port(const char *s, const char *end, unsigned *out)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (s == end || end - s > 5)
		return -1;
	unsigned v = 0;
	for (const char *c = s; c < end; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		v = v * 10 + (unsigned)(*c - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*out = v;
	return 0;
}

int tt_portset_parse(tt_portset *p, const char *text, char *err, size_t errlen)
{
	tt_portset_clear(p);
	if (strcmp(text, "all") == 0) {
		p->all = true;
		return 0;
	}
	if (!*text) {
		snprintf(err, errlen, "no port given: expected e.g. 3306,5432 or 6000-6010");
		return -1;
	}
	const char *s = text;
	for (;;) {
		const char *e = strchr(s, ',');
		if (!e)
			e = s + strlen(s);
		const char *dash = memchr(s, '-', (size_t)(e - s));
		unsigned a, b;
		if (dash) {
			if (parse_port(s, dash, &a) < 0 || parse_port(dash + 1, e, &b) < 0 || b < a)
				goto bad;
		} else {
			if (parse_port(s, e, &a) < 0)
				goto bad;
			b = a;
		}
		for (unsigned v = a; v <= b; v++)
			tt_portset_add(p, (uint16_t)v);
		if (!*e)
			break;
		s = e + 1;
		continue;
	bad:
		snprintf(err, errlen, "bad port '%.*s' in '%s': expected ports 1-65535 or ranges A-B, separated by commas",
			 (int)(e - s), s, text);
		return -1;
	}
	if (p->count == 0) {
		snprintf(err, errlen, "no port given: expected e.g. 3306,5432 or 6000-6010");
		return -1;
	}
	return 0;
}

size_t tt_portset_list(const tt_portset *p, uint16_t *out, size_t max)
{
	size_t n = 0;
	if (p->all)
		return 0;
	for (unsigned w = 0; w < 1024 && n < max; w++) {
		uint64_t bits = p->bits[w];
		while (bits && n < max) {
			unsigned b = (unsigned)__builtin_ctzll(bits);
			out[n++] = (uint16_t)(w * 64 + b);
			bits &= bits - 1;
		}
	}
	return n;
}

char *tt_portset_format(const tt_portset *p, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (p->all) {
		snprintf(buf, len, "all");
		return buf;
	}
	size_t o = 0;
	unsigned v = 1;
	while (v <= 65535) {
		if (!tt_portset_has(p, (uint16_t)v)) {
			v++;
			continue;
		}
		unsigned e = v;
		while (e + 1 <= 65535 && tt_portset_has(p, (uint16_t)(e + 1)))
			e++;
		int n = (e == v) ? snprintf(buf + o, len - o, "%s%u", o ? "," : "", v)
				 : snprintf(buf + o, len - o, "%s%u-%u", o ? "," : "", v, e);
		if (n < 0 || (size_t)n >= len - o) {
			buf[o] = '\0';
			break;
		}
		o += (size_t)n;
		v = e + 1;
	}
	return buf;
}
