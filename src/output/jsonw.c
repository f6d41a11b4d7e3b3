/* A streaming JSON writer that always produces valid documents. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "tenantop/jsonw.h"

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
			fputc(',', w->f);
		w->need_comma[w->depth] = true;
	}
}

static void open_(tt_jsonw *w, char c)
{
	sep(w);
	fputc(c, w->f);
	w->depth++;
	if (w->depth < 32)
		w->need_comma[w->depth] = false;
}

static void close_(tt_jsonw *w, char c)
{
	fputc(c, w->f);
	if (w->depth > 0)
		w->depth--;
}

void tt_jw_obj_begin(tt_jsonw *w) { open_(w, '{'); }
void tt_jw_obj_end(tt_jsonw *w) { close_(w, '}'); }
void tt_jw_arr_begin(tt_jsonw *w) { open_(w, '['); }
void tt_jw_arr_end(tt_jsonw *w) { close_(w, ']'); }

/* Length of a valid UTF-8 sequence at s (0 if invalid). */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t v, min;
	if (c < 0x80)
		return 1;
	if ((c & 0xE0) == 0xC0) { n = 2; v = c & 0x1F; min = 0x80; }
	else if ((c & 0xF0) == 0xE0) { n = 3; v = c & 0x0F; min = 0x800; }
	else if ((c & 0xF8) == 0xF0) { n = 4; v = c & 0x07; min = 0x10000; }
	else return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	return n;
}

void tt_json_escape(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if (c < 0x20 || c == 0x7F) {
			switch (c) {
			case '\n': fputs("\\n", f); break;
			case '\t': fputs("\\t", f); break;
			case '\r': fputs("\\r", f); break;
			default: fprintf(f, "\\u%04x", c); break;
			}
			i++;
		} else if (c < 0x80) {
			fputc(c, f);
			i++;
		} else {
			size_t n = utf8_len(s + i, len - i);
			if (n == 0) {
				fputs("\\ufffd", f);
				i++;
			} else {
				fwrite(s + i, 1, n, f);
				i += n;
			}
		}
	}
}

void tt_jw_key(tt_jsonw *w, const char *key)
{
	sep(w);
	fputc('"', w->f);
	tt_json_escape(w->f, key, strlen(key));
	fputs("\":", w->f);
	w->after_key = true;
}

void tt_jw_strn(tt_jsonw *w, const char *s, size_t len)
{
	sep(w);
	fputc('"', w->f);
	tt_json_escape(w->f, s ? s : "", s ? len : 0);
	fputc('"', w->f);
}

void tt_jw_str(tt_jsonw *w, const char *s)
{
	tt_jw_strn(w, s, s ? strlen(s) : 0);
}

void tt_jw_int(tt_jsonw *w, long long v)
{
	sep(w);
	fprintf(w->f, "%lld", v);
}

void tt_jw_uint(tt_jsonw *w, unsigned long long v)
{
	sep(w);
	fprintf(w->f, "%llu", v);
}

void tt_jw_double(tt_jsonw *w, double v, int decimals)
{
	sep(w);
	if (!isfinite(v))
		fputs("null", w->f);
	else
		fprintf(w->f, "%.*f", decimals, v);
}

void tt_jw_bool(tt_jsonw *w, bool v)
{
	sep(w);
	fputs(v ? "true" : "false", w->f);
}

void tt_jw_null(tt_jsonw *w)
{
	sep(w);
	fputs("null", w->f);
}
