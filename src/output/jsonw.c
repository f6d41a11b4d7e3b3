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
			uint32_t cp;
			size_t n = tt_utf8_decode(s + i, len - i, &cp);
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
