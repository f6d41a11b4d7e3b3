/* A small streaming JSON writer.  Strings are escaped per RFC 8259 and any
 * byte that is not valid UTF-8 is written as U+FFFD, so a document stays
 * valid whatever a tenant put in its process name. */
#ifndef TENANTOP_JSONW_H
#define TENANTOP_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct tt_jsonw {
	FILE *f;
	int depth;
	bool need_comma[32];
	bool after_key;
} tt_jsonw;

void tt_jw_init(tt_jsonw *w, FILE *f);
void tt_jw_obj_begin(tt_jsonw *w);
void tt_jw_obj_end(tt_jsonw *w);
void tt_jw_arr_begin(tt_jsonw *w);
void tt_jw_arr_end(tt_jsonw *w);
void tt_jw_key(tt_jsonw *w, const char *key);
void tt_jw_str(tt_jsonw *w, const char *s);
void tt_jw_strn(tt_jsonw *w, const char *s, size_t len);
void tt_jw_int(tt_jsonw *w, long long v);
void tt_jw_uint(tt_jsonw *w, unsigned long long v);
void tt_jw_double(tt_jsonw *w, double v, int decimals); /* NaN/inf -> null */
void tt_jw_bool(tt_jsonw *w, bool v);
void tt_jw_null(tt_jsonw *w);
/* Escape into f directly (used by writers of other formats too). */
void tt_json_escape(FILE *f, const char *s, size_t len);

#endif
