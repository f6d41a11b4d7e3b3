/* A streaming JSON writer that always produces valid documents. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "tenantop/jsonw.h"
#include "tenantop/sanitize.h"

void tt_jw_init(tt_jsonw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

static void sep(tt_jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0 && w->depth < 32) {
		if (w->need_comma[w->depth])
			putc_unlocked(',', w->f);
		w->need_comma[w->depth] = true;
	}
}

static void open_(tt_jsonw *w, char c)
{
	sep(w);
	putc_unlocked(c, w->f);
	w->depth++;
	if (w->depth < 32)
		w->need_comma[w->depth] = false;
}

static void close_(tt_jsonw *w, char c)
{
	putc_unlocked(c, w->f);
	if (w->depth > 0)
		w->depth--;
}

void tt_jw_obj_begin(tt_jsonw *w) { open_(w, '{'); }
void tt_jw_obj_end(tt_jsonw *w) { close_(w, '}'); }
void tt_jw_arr_begin(tt_jsonw *w) { open_(w, '['); }
void tt_jw_arr_end(tt_jsonw *w) { close_(w, ']'); }

/* Plain printable ASCII, written as it is. */
static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
}

void tt_json_escape(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		size_t run = i;
		while (run < len && plain(s[run]))
			run++;
		if (run > i) { /* the common case: a run written at once */
			fwrite_unlocked(s + i, 1, run - i, f);
			i = run;
			continue;
		}
		unsigned char c = s[i];
		if (c == '"' || c == '\\') {
			putc_unlocked('\\', f);
			putc_unlocked(c, f);
			i++;
		} else if (c < 0x20 || c == 0x7F) {
			switch (c) {
			case '\n': fputs_unlocked("\\n", f); break;
			case '\t': fputs_unlocked("\\t", f); break;
			case '\r': fputs_unlocked("\\r", f); break;
			default: fprintf(f, "\\u%04x", c); break;
			}
			i++;
		} else {
			uint32_t cp;
			size_t n = tt_utf8_decode(s + i, len - i, &cp);
			if (n == 0) {
				fputs_unlocked("\\ufffd", f);
				i++;
			} else {
				fwrite_unlocked(s + i, 1, n, f);
				i += n;
			}
		}
	}
}

void tt_jw_key(tt_jsonw *w, const char *key)
{
	sep(w);
	putc_unlocked('"', w->f);
	tt_json_escape(w->f, key, strlen(key));
	fputs_unlocked("\":", w->f);
	w->after_key = true;
}

void tt_jw_strn(tt_jsonw *w, const char *s, size_t len)
{
	sep(w);
	putc_unlocked('"', w->f);
	tt_json_escape(w->f, s ? s : "", s ? len : 0);
	putc_unlocked('"', w->f);
}

void tt_jw_str(tt_jsonw *w, const char *s)
{
	tt_jw_strn(w, s, s ? strlen(s) : 0);
}

/* An integer's digits, without printf's format parsing (most of a large
 * document is integers). */
static void put_uint(FILE *f, unsigned long long v, bool minus)
{
	char buf[24];
	size_t i = sizeof(buf);
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (minus)
		buf[--i] = '-';
	fwrite_unlocked(buf + i, 1, sizeof(buf) - i, f);
}

void tt_jw_int(tt_jsonw *w, long long v)
{
	sep(w);
	put_uint(w->f, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, v < 0);
}

void tt_jw_uint(tt_jsonw *w, unsigned long long v)
{
	sep(w);
	put_uint(w->f, v, false);
}

void tt_jw_double(tt_jsonw *w, double v, int decimals)
{
	sep(w);
	if (!isfinite(v))
		fputs_unlocked("null", w->f);
	else
		fprintf(w->f, "%.*f", decimals, v);
}

void tt_jw_bool(tt_jsonw *w, bool v)
{
	sep(w);
	fputs_unlocked(v ? "true" : "false", w->f);
}

void tt_jw_null(tt_jsonw *w)
{
	sep(w);
	fputs_unlocked("null", w->f);
}
