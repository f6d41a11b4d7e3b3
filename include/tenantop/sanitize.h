/* Making tenant-controlled strings safe for a terminal, JSON or a metric label.
 *
 * Rules (one place for every output):
 * - valid printable UTF-8 passes through (multi-byte sequences kept whole);
 * - ASCII control characters become C escapes: \n \t \r \e, others \xNN;
 *   DEL and C1 controls (U+0080..U+009F) become \xNN per byte;
 * - a backslash becomes "\\" so an escape can't be forged;
 * - invalid UTF-8 bytes (overlong, surrogates, truncated) become \xNN;
 * - the output is cut at a character boundary to fit, ending with "..." when
 *   something was cut. */
#ifndef TENANTOP_SANITIZE_H
#define TENANTOP_SANITIZE_H

#include <stddef.h>
#include <stdint.h>

/* Write the safe form of in[0..len) into out (always NUL-terminated when
 * outlen > 0).  Returns the number of bytes written, without the NUL. */
size_t tt_sanitize(const char *in, size_t len, char *out, size_t outlen);
/* Length of the safe form of in[0..len) (without NUL), uncut. */
size_t tt_sanitized_len(const char *in, size_t len);
/* Number of terminal columns a safe UTF-8 string occupies (wide CJK = 2). */
size_t tt_display_width(const char *s);
/* Byte length of the longest prefix of s that fits in `cols` columns. */
size_t tt_display_prefix(const char *s, size_t cols);

/* Decode one UTF-8 sequence at s[0..len).  Returns its length and the code
 * point in *cp, or 0 when the bytes there are not valid UTF-8 (overlong,
 * surrogate, past U+10FFFF, cut short). */
size_t tt_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

#endif
