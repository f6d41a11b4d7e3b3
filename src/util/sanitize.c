/* Safe forms of tenant-controlled strings (rules in sanitize.h). */
#include <stdint.h>
#include <string.h>

#include "tenantop/sanitize.h"

size_t tt_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		n = 2; v = c & 0x1F; min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3; v = c & 0x0F; min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4; v = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

/* Code points shown escaped although valid: C1 controls, bidirectional
 * overrides and isolates (they reorder what follows on the line), line and
 * paragraph separators. */
static int cp_is_unsafe(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 || cp == 0x200E ||
	       cp == 0x200F || cp == 0x061C;
}

/* The safe form of one unit at in[0..len): writes to tmp (at most 16 bytes)
 * and returns its length; *consumed gets the input bytes used. */
static size_t safe_unit(const unsigned char *in, size_t len, char *tmp, size_t *consumed)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t cp;
	size_t n = tt_utf8_decode(in, len, &cp);
	if (n == 1 && cp >= 0x20 && cp < 0x7F) {
		*consumed = 1;
		if (cp == '\\') {
			tmp[0] = '\\';
			tmp[1] = '\\';
			return 2;
		}
		tmp[0] = (char)cp;
		return 1;
	}
	if (n == 1) {
		*consumed = 1;
		char e = 0;
		switch (cp) {
		case '\n': e = 'n'; break;
		case '\t': e = 't'; break;
		case '\r': e = 'r'; break;
		case 0x1B: e = 'e'; break;
		default: break;
		}
		tmp[0] = '\\';
		if (e) {
			tmp[1] = e;
			return 2;
		}
		tmp[1] = 'x';
		tmp[2] = hex[cp >> 4];
		tmp[3] = hex[cp & 15];
		return 4;
	}
	if (n > 1 && !cp_is_unsafe(cp)) {
		memcpy(tmp, in, n);
		*consumed = n;
		return n;
	}
	/* invalid byte, or a valid but unsafe sequence: escape its bytes */
	size_t take = n ? n : 1, o = 0;
	for (size_t i = 0; i < take; i++) {
		tmp[o++] = '\\';
		tmp[o++] = 'x';
		tmp[o++] = hex[in[i] >> 4];
		tmp[o++] = hex[in[i] & 15];
	}
	*consumed = take;
	return o;
}

size_t tt_sanitized_len(const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	char tmp[16];
	size_t out = 0, i = 0, used;
	while (i < len) {
		out += safe_unit(s + i, len - i, tmp, &used);
		i += used;
	}
	return out;
}

size_t tt_sanitize(const char *in, size_t len, char *out, size_t outlen)
{
	const unsigned char *s = (const unsigned char *)in;
	char tmp[16];
	size_t o = 0, i = 0, used;
	if (outlen == 0)
		return 0;
	while (i < len) {
		size_t n = safe_unit(s + i, len - i, tmp, &used);
		if (o + n > outlen - 1) {
			/* cut: back off so "..." fits, at a unit boundary */
			size_t keep = outlen - 1 >= 3 ? outlen - 1 - 3 : 0;
			while (o > keep) {
				o--;
				while (o > 0 && ((unsigned char)out[o] & 0xC0) == 0x80)
					o--;
			}
			/* do not leave a lone backslash that starts an escape */
			size_t bs = 0;
			while (bs < o && out[o - 1 - bs] == '\\')
				bs++;
			if (bs % 2)
				o--;
			if (outlen - 1 >= 3) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			out[o] = '\0';
			return o;
		}
		memcpy(out + o, tmp, n);
		o += n;
		i += used;
	}
	out[o] = '\0';
	return o;
}

static int cp_width(uint32_t cp)
{
	if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x200B && cp <= 0x200D) || cp == 0xFE0F)
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
	    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
	    (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD))
		return 2;
	return 1;
}

/* Walk s up to `cols` terminal columns: the bytes taken, and their width. */
static size_t walk_columns(const char *s, size_t cols, size_t *width)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, w = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = tt_utf8_decode(p + i, len - i, &cp);
		if (!n) {
			n = 1;
			cp = '?';
		}
		size_t cw = (size_t)cp_width(cp);
		if (w + cw > cols)
			break;
		w += cw;
		i += n;
	}
	*width = w;
	return i;
}

size_t tt_display_width(const char *s)
{
	size_t w;
	walk_columns(s, SIZE_MAX, &w);
	return w;
}

size_t tt_display_prefix(const char *s, size_t cols)
{
	size_t w;
	return walk_columns(s, cols, &w);
}
