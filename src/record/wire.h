/* The recording's wire form, shared by the snapshot codec (codec.c), its
 * delta form (delta.c), the writer (writer.c) and the reader (reader.c):
 * the file's constants, little-endian and LEB128 primitives, and the parts
 * of a snapshot's encoding.  Private to src/record. */
#ifndef TENANTOP_RECORD_WIRE_H
#define TENANTOP_RECORD_WIRE_H

#include <stdint.h>
#include <string.h>

#include "tenantop/record.h"
#include "tenantop/vec.h"

#define HDR_LEN 32
#define REC_HDR 16
#define BODY_VERSION 3 /* 2: processes carry netns_name; 3: what was watched (discovered ports) */
#define MAX_PLAIN (512u << 20) /* a record claiming more is damaged */
#define FILE_MAGIC ((const unsigned char *)"TTREC\0\0")
#define REC_MAGIC ((const unsigned char *)"TTRR")   /* a whole snapshot */
#define DELTA_MAGIC ((const unsigned char *)"TTRD") /* changes since the record before */
#define META_MAGIC ((const unsigned char *)"TTRM")  /* the settings of the run that follows */
#define MAX_META (2u << 20)
#define KEY_EVERY 60 /* a whole snapshot at least this often: a damaged record costs at most this many */


struct wbuf {
	unsigned char *p;
	size_t len, cap;
	int oom;
};

static inline void put(struct wbuf *w, const void *v, size_t n)
{
	if (w->oom)
		return;
	if (TT_VEC_RESERVE(w->p, w->cap, w->len + n) < 0) {
		w->oom = 1;
		return;
	}
	memcpy(w->p + w->len, v, n);
	w->len += n;
}

/* little-endian writers (the machines this runs on are; kept explicit) */
static inline void u8(struct wbuf *w, uint8_t v) { put(w, &v, 1); }
static inline void u16(struct wbuf *w, uint16_t v) { unsigned char b[2] = {(unsigned char)v, (unsigned char)(v >> 8)}; put(w, b, 2); }
static inline void u32(struct wbuf *w, uint32_t v)
{
	unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
	put(w, b, 4);
}
static inline void u64(struct wbuf *w, uint64_t v)
{
	u32(w, (uint32_t)v);
	u32(w, (uint32_t)(v >> 32));
}
static inline void f64(struct wbuf *w, double d)
{
	uint64_t v;
	memcpy(&v, &d, 8);
	u64(w, v);
}

/* unsigned LEB128, and zigzag for signed differences */
static inline void uv(struct wbuf *w, uint64_t v)
{
	unsigned char b[10];
	size_t n = 0;
	do {
		b[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	put(w, b, n);
}
static inline uint64_t zz(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int64_t unzz(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }


struct rbuf {
	const unsigned char *p;
	size_t len, off;
	int bad;
};

static inline const unsigned char *take(struct rbuf *r, size_t n)
{
	if (r->bad || r->len - r->off < n) {
		r->bad = 1;
		return NULL;
	}
	const unsigned char *q = r->p + r->off;
	r->off += n;
	return q;
}
static inline uint8_t g8(struct rbuf *r)
{
	const unsigned char *q = take(r, 1);
	return q ? q[0] : 0;
}
static inline uint16_t g16(struct rbuf *r)
{
	const unsigned char *q = take(r, 2);
	return q ? (uint16_t)(q[0] | q[1] << 8) : 0;
}
static inline uint32_t g32(struct rbuf *r)
{
	const unsigned char *q = take(r, 4);
	return q ? (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24 : 0;
}
static inline uint64_t g64(struct rbuf *r)
{
	uint64_t lo = g32(r);
	return lo | (uint64_t)g32(r) << 32;
}
static inline double gf64(struct rbuf *r)
{
	uint64_t v = g64(r);
	double d;
	memcpy(&d, &v, 8);
	return d;
}
static inline void gbytes(struct rbuf *r, void *dst, size_t n)
{
	const unsigned char *q = take(r, n);
	if (q)
		memcpy(dst, q, n);
	else
		memset(dst, 0, n);
}

static inline uint64_t gv(struct rbuf *r)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		const unsigned char *q = take(r, 1);
		if (!q)
			return 0;
		v |= (uint64_t)(q[0] & 0x7f) << shift;
		if (!(q[0] & 0x80))
			return v;
	}
	r->bad = 1;
	return 0;
}


static inline void le32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)v, b[1] = (unsigned char)(v >> 8), b[2] = (unsigned char)(v >> 16), b[3] = (unsigned char)(v >> 24);
}
static inline uint32_t rd32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}


void tt_rec_enc_head(struct wbuf *w, const tt_snapshot *s);
void tt_rec_enc_sock(struct wbuf *w, const tt_sock *k);
void tt_rec_enc_procs(struct wbuf *w, const tt_snapshot *s);
void tt_rec_enc_owner(struct wbuf *w, const tt_owner *o);
int tt_rec_enc_finish(struct wbuf *w, const tt_snapshot *s, unsigned char **buf, size_t *len);
int tt_rec_dec_head(struct rbuf *r, tt_snapshot *out, uint32_t *version);
int tt_rec_dec_sock(struct rbuf *r, tt_snapshot *out);
int tt_rec_dec_procs(struct rbuf *r, tt_snapshot *out, uint32_t version);
int tt_rec_dec_owner(struct rbuf *r, tt_snapshot *out);
int tt_rec_dec_finish(struct rbuf *r, tt_snapshot *out, uint32_t version);
int tt_rec_snap_copy(tt_snapshot *dst, const tt_snapshot *src);
int tt_rec_check_header(const unsigned char *h, const char *path, char *err, size_t errlen);

#endif
