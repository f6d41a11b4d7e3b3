/* Recordings: writer, indexer/reader, and the snapshot encoding.
 *
 * Snapshot encoding (inside a record, before compression), little-endian:
 *   u32 body version | f64 time | f64 mono | stats | u32 nsocks | socks |
 *   u32 nprocs | procs | u32 nowners | owners | u32 nwatched | watched (v3) |
 *   u32 strs_len | strs
 * Fixed-size fields are written one by one (not as raw structs), so the
 * layout does not depend on the compiler; every count and offset is
 * checked on the way back in: a recording is input like any other. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "tenantop/record.h"
#include "tenantop/u64set.h"
#include "tenantop/vec.h"

#define HDR_LEN 32
#define REC_HDR 16
#define BODY_VERSION 3 /* 2: processes carry netns_name; 3: what was watched (discovered ports) */
#define MAX_PLAIN (512u << 20) /* a record claiming more is damaged */
static const unsigned char file_magic[8] = {'T', 'T', 'R', 'E', 'C', 0, 0, 0};
static const unsigned char rec_magic[4] = {'T', 'T', 'R', 'R'};   /* a whole snapshot */
static const unsigned char delta_magic[4] = {'T', 'T', 'R', 'D'}; /* changes since the record before */
static const unsigned char meta_magic[4] = {'T', 'T', 'R', 'M'};  /* the settings of the run that follows */
#define MAX_META (2u << 20)
#define KEY_EVERY 60 /* a whole snapshot at least this often: a damaged record costs at most this many */

/* ------------------------------------------------------------ encoding */

struct wbuf {
	unsigned char *p;
	size_t len, cap;
	int oom;
};

static void put(struct wbuf *w, const void *v, size_t n)
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
static void u8(struct wbuf *w, uint8_t v) { put(w, &v, 1); }
static void u16(struct wbuf *w, uint16_t v) { unsigned char b[2] = {(unsigned char)v, (unsigned char)(v >> 8)}; put(w, b, 2); }
static void u32(struct wbuf *w, uint32_t v)
{
	unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
	put(w, b, 4);
}
static void u64(struct wbuf *w, uint64_t v)
{
	u32(w, (uint32_t)v);
	u32(w, (uint32_t)(v >> 32));
}
static void f64(struct wbuf *w, double d)
{
	uint64_t v;
	memcpy(&v, &d, 8);
	u64(w, v);
}

/* unsigned LEB128, and zigzag for signed differences */
static void uv(struct wbuf *w, uint64_t v)
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
static uint64_t zz(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static int64_t unzz(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

static void enc_head(struct wbuf *w, const tt_snapshot *s)
{
	const tt_scan_stats *st = &s->stats;
	u32(w, BODY_VERSION);
	f64(w, s->time);
	f64(w, s->mono);
	u32(w, st->procs), u32(w, st->vanished), u32(w, st->fd_denied), u32(w, st->pid_reused);
	u32(w, st->bad_lines), u32(w, st->held), u32(w, st->netns_read), u32(w, st->netns_failed);
	u64(w, (uint64_t)st->sk_inuse), u64(w, (uint64_t)st->sk_alloc), u64(w, (uint64_t)st->sk_orphan);
	u64(w, (uint64_t)st->sk_tw);
	u8(w, st->is_root), u8(w, st->hidepid), u8(w, st->attribution_partial);
	put(w, st->source, sizeof(st->source));
	put(w, st->partial_reason, sizeof(st->partial_reason));
	f64(w, st->collect_ms);
}

static void enc_sock(struct wbuf *w, const tt_sock *k)
{
	u64(w, k->inode), u64(w, k->netns);
	u8(w, k->family), u8(w, k->state), u8(w, k->flags), u8(w, k->timer);
	u16(w, k->lport), u16(w, k->rport);
	put(w, k->laddr, 16), put(w, k->raddr, 16);
	u32(w, k->uid), u32(w, k->txq), u32(w, k->rxq), u32(w, k->retrans), u32(w, k->timer_ms);
	u32(w, k->timeout), u32(w, k->refcnt), u32(w, k->last_data_sent_ms), u32(w, k->last_data_recv_ms);
	u32(w, k->last_ack_recv_ms), u32(w, k->rtt_us), u32(w, k->path), u32(w, k->peer_path);
	u64(w, k->peer_inode);
}

static void enc_procs(struct wbuf *w, const tt_snapshot *s)
{
	u32(w, (uint32_t)s->nprocs);
	for (size_t i = 0; i < s->nprocs; i++) {
		const tt_proc *p = &s->procs[i];
		u32(w, (uint32_t)p->pid), u32(w, (uint32_t)p->ppid), u32(w, p->uid), u32(w, p->nfds);
		u64(w, p->start_time), u64(w, p->netns), u32(w, p->netns_name);
		u32(w, p->comm), u32(w, p->cmdline), u32(w, p->cwd), u32(w, p->exe), u32(w, p->cgroup);
		u32(w, p->user), u32(w, p->flags);
	}
}

static void enc_owner(struct wbuf *w, const tt_owner *o)
{
	u64(w, o->inode), u64(w, o->netns), u32(w, o->proc), u32(w, (uint32_t)o->fd);
}

static int enc_finish(struct wbuf *w, const tt_snapshot *s, unsigned char **buf, size_t *len)
{
	/* what was watched: a replay then knows the discovered ports' roles */
	u32(w, (uint32_t)s->nwatched);
	for (size_t i = 0; i < s->nwatched; i++) {
		const tt_watch *x = &s->watched[i];
		u8(w, x->family), u8(w, x->why), u16(w, x->port);
		u32(w, (uint32_t)x->pid), u32(w, x->path), u32(w, x->server);
	}
	u32(w, (uint32_t)s->strs_len);
	if (s->strs_len)
		put(w, s->strs, s->strs_len);
	if (w->oom) {
		free(w->p);
		return -1;
	}
	*buf = w->p;
	*len = w->len;
	return 0;
}

int tt_snapshot_encode(const tt_snapshot *s, unsigned char **buf, size_t *len)
{
	struct wbuf w = {0};
	enc_head(&w, s);
	u32(&w, (uint32_t)s->nsocks);
	for (size_t i = 0; i < s->nsocks; i++)
		enc_sock(&w, &s->socks[i]);
	enc_procs(&w, s);
	u32(&w, (uint32_t)s->nowners);
	for (size_t i = 0; i < s->nowners; i++)
		enc_owner(&w, &s->owners[i]);
	return enc_finish(&w, s, buf, len);
}

/* ---- the delta form: what changed since the previous snapshot.
 * Sockets and owners come in runs: REF (count, first index in the previous
 * snapshot: the same sockets again) or LIT (count, then each in full).  A
 * socket is the same when everything but its counters is: for those
 * (queues, timers, tcp_info times) the difference from a prediction
 * follows (a quiet connection's "ms since last data" grows by the time
 * between the refreshes, a timer shrinks by it), usually one byte each.
 * Processes and strings are written in full (they are few). */
enum { RUN_REF = 0, RUN_LIT = 1 };
#define NVOL 10

static void vol_get(const tt_sock *k, uint32_t v[NVOL])
{
	v[0] = k->txq, v[1] = k->rxq, v[2] = k->retrans, v[3] = k->timer_ms, v[4] = k->timeout;
	v[5] = k->refcnt, v[6] = k->last_data_sent_ms, v[7] = k->last_data_recv_ms, v[8] = k->last_ack_recv_ms;
	v[9] = k->rtt_us;
}
static void vol_set(tt_sock *k, const uint32_t v[NVOL])
{
	k->txq = v[0], k->rxq = v[1], k->retrans = v[2], k->timer_ms = v[3], k->timeout = v[4];
	k->refcnt = v[5], k->last_data_sent_ms = v[6], k->last_data_recv_ms = v[7], k->last_ack_recv_ms = v[8];
	k->rtt_us = v[9];
}
static void vol_predict(const tt_sock *prev, int64_t dt_ms, int64_t pred[NVOL])
{
	uint32_t v[NVOL];
	vol_get(prev, v);
	for (int i = 0; i < NVOL; i++)
		pred[i] = v[i];
	pred[3] = v[3] > dt_ms ? v[3] - dt_ms : 0; /* a timer runs down */
	for (int i = 6; i <= 8; i++)              /* time since last data grows */
		pred[i] = v[i] + dt_ms;
}

/* Milliseconds between two snapshots, for the predictions (a recording is
 * input: a time that is not a sane number predicts nothing). */
static int64_t dt_of(const tt_snapshot *prev, const tt_snapshot *s)
{
	double d = (s->time - prev->time) * 1000.0;
	return d > 0 && d < 1e10 ? (int64_t)(d + 0.5) : 0;
}

/* The same socket, its counters aside; sockets with strings never are
 * (their offsets belong to another string pool). */
static bool same_fixed(const tt_sock *a, const tt_sock *b)
{
	return a->inode == b->inode && a->netns == b->netns && a->family == b->family && a->state == b->state &&
	       a->flags == b->flags && a->timer == b->timer && a->lport == b->lport && a->rport == b->rport &&
	       !memcmp(a->laddr, b->laddr, 16) && !memcmp(a->raddr, b->raddr, 16) && a->uid == b->uid &&
	       (a->family != TT_FAM_UNIX || (!a->path && !a->peer_path && !b->path && !b->peer_path));
}

static uint64_t sock_key(const tt_sock *k)
{
	uint64_t h = tt_hash_mix(tt_hash_mix(0x736f636bULL, k->netns), k->inode);
	if (!k->inode) {
		uint64_t a, b;
		memcpy(&a, k->laddr, 8), memcpy(&b, k->raddr, 8);
		h = tt_hash_mix(h, ((uint64_t)k->lport << 32) | ((uint64_t)k->rport << 16) | k->state);
		h = tt_hash_mix(tt_hash_mix(h, a), b);
		memcpy(&a, k->laddr + 8, 8), memcpy(&b, k->raddr + 8, 8);
		h = tt_hash_mix(tt_hash_mix(h, a), b);
	}
	return h > 1 ? h : 2; /* 0 and all-ones are not keys */
}

static long sock_match(const tt_snapshot *prev, const tt_u64set *ix, const tt_sock *k)
{
	uint64_t v;
	if (!tt_u64set_get(ix, sock_key(k), &v) || v == 0 || v > prev->nsocks)
		return -1;
	return same_fixed(k, &prev->socks[v - 1]) ? (long)v - 1 : -1;
}

static int owner_cmp(const tt_owner *a, const tt_owner *b)
{
	if (a->netns != b->netns)
		return a->netns < b->netns ? -1 : 1;
	if (a->inode != b->inode)
		return a->inode < b->inode ? -1 : 1;
	if (a->proc != b->proc)
		return a->proc < b->proc ? -1 : 1;
	return a->fd < b->fd ? -1 : a->fd > b->fd;
}

int tt_snapshot_encode_delta(const tt_snapshot *prev, const tt_snapshot *s, unsigned char **buf, size_t *len)
{
	struct wbuf w = {0};
	enc_head(&w, s);
	int64_t dt_ms = dt_of(prev, s);
	tt_u64set ix;
	tt_u64set_init(&ix);
	for (size_t i = 0; i < prev->nsocks; i++)
		tt_u64set_put(&ix, sock_key(&prev->socks[i]), i + 1);
	u32(&w, (uint32_t)s->nsocks);
	for (size_t i = 0; i < s->nsocks;) {
		long j = sock_match(prev, &ix, &s->socks[i]);
		size_t c = 1;
		if (j >= 0) {
			while (i + c < s->nsocks && (size_t)j + c < prev->nsocks &&
			       same_fixed(&s->socks[i + c], &prev->socks[j + c]))
				c++;
			u8(&w, RUN_REF), uv(&w, c), uv(&w, (uint64_t)j);
			for (size_t m = 0; m < c; m++) {
				int64_t pred[NVOL];
				uint32_t v[NVOL];
				vol_predict(&prev->socks[j + m], dt_ms, pred);
				vol_get(&s->socks[i + m], v);
				for (int f = 0; f < NVOL; f++)
					uv(&w, zz((int64_t)((uint64_t)v[f] - (uint64_t)pred[f])));
			}
		} else {
			while (i + c < s->nsocks && sock_match(prev, &ix, &s->socks[i + c]) < 0)
				c++;
			u8(&w, RUN_LIT), uv(&w, c);
			for (size_t m = 0; m < c; m++)
				enc_sock(&w, &s->socks[i + m]);
		}
		i += c;
	}
	tt_u64set_free(&ix);
	enc_procs(&w, s);
	/* owners: both lists are sorted, so a walk finds the same entries */
	u32(&w, (uint32_t)s->nowners);
	size_t p = 0;
	for (size_t i = 0; i < s->nowners;) {
		while (p < prev->nowners && owner_cmp(&prev->owners[p], &s->owners[i]) < 0)
			p++;
		size_t c = 1;
		if (p < prev->nowners && owner_cmp(&prev->owners[p], &s->owners[i]) == 0) {
			while (i + c < s->nowners && p + c < prev->nowners &&
			       owner_cmp(&prev->owners[p + c], &s->owners[i + c]) == 0)
				c++;
			u8(&w, RUN_REF), uv(&w, c), uv(&w, p);
			p += c;
		} else {
			u8(&w, RUN_LIT), uv(&w, 1);
			enc_owner(&w, &s->owners[i]);
		}
		i += c;
	}
	return enc_finish(&w, s, buf, len);
}

struct rbuf {
	const unsigned char *p;
	size_t len, off;
	int bad;
};

static const unsigned char *take(struct rbuf *r, size_t n)
{
	if (r->bad || r->len - r->off < n) {
		r->bad = 1;
		return NULL;
	}
	const unsigned char *q = r->p + r->off;
	r->off += n;
	return q;
}
static uint8_t g8(struct rbuf *r)
{
	const unsigned char *q = take(r, 1);
	return q ? q[0] : 0;
}
static uint16_t g16(struct rbuf *r)
{
	const unsigned char *q = take(r, 2);
	return q ? (uint16_t)(q[0] | q[1] << 8) : 0;
}
static uint32_t g32(struct rbuf *r)
{
	const unsigned char *q = take(r, 4);
	return q ? (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24 : 0;
}
static uint64_t g64(struct rbuf *r)
{
	uint64_t lo = g32(r);
	return lo | (uint64_t)g32(r) << 32;
}
static double gf64(struct rbuf *r)
{
	uint64_t v = g64(r);
	double d;
	memcpy(&d, &v, 8);
	return d;
}
static void gbytes(struct rbuf *r, void *dst, size_t n)
{
	const unsigned char *q = take(r, n);
	if (q)
		memcpy(dst, q, n);
	else
		memset(dst, 0, n);
}

static uint64_t gv(struct rbuf *r)
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

static int dec_head(struct rbuf *r, tt_snapshot *out, uint32_t *version)
{
	*version = g32(r);
	if (*version < 1 || *version > BODY_VERSION)
		return -1;
	out->time = gf64(r);
	out->mono = gf64(r);
	tt_scan_stats *st = &out->stats;
	st->procs = g32(r), st->vanished = g32(r), st->fd_denied = g32(r), st->pid_reused = g32(r);
	st->bad_lines = g32(r), st->held = g32(r), st->netns_read = g32(r), st->netns_failed = g32(r);
	st->sk_inuse = (int64_t)g64(r), st->sk_alloc = (int64_t)g64(r), st->sk_orphan = (int64_t)g64(r);
	st->sk_tw = (int64_t)g64(r);
	st->is_root = g8(r), st->hidepid = g8(r), st->attribution_partial = g8(r);
	gbytes(r, st->source, sizeof(st->source));
	gbytes(r, st->partial_reason, sizeof(st->partial_reason));
	st->source[sizeof(st->source) - 1] = '\0';
	st->partial_reason[sizeof(st->partial_reason) - 1] = '\0';
	st->collect_ms = gf64(r);
	return r->bad ? -1 : 0;
}

static int dec_sock(struct rbuf *r, tt_snapshot *out)
{
	tt_sock *k = tt_snapshot_add_sock(out);
	if (!k)
		return -1;
	k->inode = g64(r), k->netns = g64(r);
	k->family = g8(r), k->state = g8(r), k->flags = g8(r), k->timer = g8(r);
	k->lport = g16(r), k->rport = g16(r);
	gbytes(r, k->laddr, 16), gbytes(r, k->raddr, 16);
	k->uid = g32(r), k->txq = g32(r), k->rxq = g32(r), k->retrans = g32(r), k->timer_ms = g32(r);
	k->timeout = g32(r), k->refcnt = g32(r), k->last_data_sent_ms = g32(r), k->last_data_recv_ms = g32(r);
	k->last_ack_recv_ms = g32(r), k->rtt_us = g32(r);
	/* a unix socket's path fields share the room of the addresses above */
	uint32_t path = g32(r), peer_path = g32(r);
	uint64_t peer_inode = g64(r);
	if (k->family == TT_FAM_UNIX)
		k->path = path, k->peer_path = peer_path, k->peer_inode = peer_inode;
	return k->state >= TT_ST_COUNT || k->family > TT_FAM_UNIX || r->bad ? -1 : 0;
}

static int dec_procs(struct rbuf *r, tt_snapshot *out, uint32_t version)
{
	uint32_t n = g32(r);
	if (n > (r->len - r->off) / (version >= 2 ? 56 : 52))
		return -1;
	for (uint32_t i = 0; i < n && !r->bad; i++) {
		tt_proc *p = tt_snapshot_add_proc(out);
		if (!p)
			return -1;
		p->pid = (int32_t)g32(r), p->ppid = (int32_t)g32(r), p->uid = g32(r), p->nfds = g32(r);
		p->start_time = g64(r), p->netns = g64(r);
		if (version >= 2)
			p->netns_name = g32(r);
		p->comm = g32(r), p->cmdline = g32(r), p->cwd = g32(r), p->exe = g32(r), p->cgroup = g32(r);
		p->user = g32(r), p->flags = g32(r);
	}
	return r->bad ? -1 : 0;
}

static int dec_owner(struct rbuf *r, tt_snapshot *out)
{
	tt_owner *o = tt_snapshot_add_owner(out);
	if (!o)
		return -1;
	o->inode = g64(r), o->netns = g64(r), o->proc = g32(r), o->fd = (int32_t)g32(r);
	return o->proc >= out->nprocs || r->bad ? -1 : 0;
}

/* the string pool closes the body: offsets past its end read as "", and it
 * must end in NUL */
static int dec_finish(struct rbuf *r, tt_snapshot *out, uint32_t version)
{
	if (version >= 3) {
		uint32_t n = g32(r);
		if (r->bad || n > (r->len - r->off) / 14)
			return -1;
		for (uint32_t i = 0; i < n; i++) {
			tt_watch *x = tt_snapshot_add_watch(out);
			if (!x)
				return -1;
			x->family = g8(r), x->why = g8(r), x->port = g16(r);
			x->pid = (int32_t)g32(r), x->path = g32(r), x->server = g32(r);
		}
	}
	uint32_t sl = g32(r);
	const unsigned char *strs = take(r, sl);
	if (r->bad || r->off != r->len)
		return -1;
	if (sl) {
		if (strs[sl - 1] != '\0')
			return -1;
		if (sl > out->strs_cap) {
			char *q = realloc(out->strs, sl);
			if (!q)
				return -1;
			out->strs = q;
			out->strs_cap = sl;
		}
		memcpy(out->strs, strs, sl);
		out->strs_len = sl;
	}
	tt_snapshot_index_owners(out);
	return 0;
}

int tt_snapshot_decode(const unsigned char *buf, size_t len, tt_snapshot *out)
{
	struct rbuf r = {buf, len, 0, 0};
	tt_snapshot_clear(out);
	uint32_t version;
	if (dec_head(&r, out, &version) < 0)
		return -1;
	uint32_t n = g32(&r);
	if (n > (len - r.off) / 100) /* each socket takes 100+ bytes: a count beyond that is a lie */
		return -1;
	for (uint32_t i = 0; i < n; i++)
		if (dec_sock(&r, out) < 0)
			return -1;
	if (dec_procs(&r, out, version) < 0)
		return -1;
	n = g32(&r);
	if (n > (len - r.off) / 24)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		if (dec_owner(&r, out) < 0)
			return -1;
	return dec_finish(&r, out, version);
}

/* A run's head: its kind, its length (1 .. left) and, for a REF run, where
 * it starts among the previous snapshot's n entries. */
static int run_head(struct rbuf *r, uint32_t left, size_t n, uint8_t *kind, uint64_t *c, uint64_t *j)
{
	*kind = g8(r);
	*c = gv(r);
	*j = 0;
	if (r->bad || *c == 0 || *c > left)
		return -1;
	if (*kind == RUN_REF) {
		*j = gv(r);
		if (r->bad || *j > n || *c > n - *j)
			return -1;
	} else if (*kind != RUN_LIT) {
		return -1;
	}
	return 0;
}

int tt_snapshot_decode_delta(const unsigned char *buf, size_t len, const tt_snapshot *prev, tt_snapshot *out)
{
	struct rbuf r = {buf, len, 0, 0};
	tt_snapshot_clear(out);
	uint32_t version;
	if (dec_head(&r, out, &version) < 0)
		return -1;
	int64_t dt_ms = dt_of(prev, out);
	uint32_t n = g32(&r);
	/* a REF run of c sockets takes at least 3 + 10c bytes */
	if (n > len - r.off)
		return -1;
	for (uint32_t i = 0; i < n;) {
		uint8_t kind;
		uint64_t c, j;
		if (run_head(&r, n - i, prev->nsocks, &kind, &c, &j) < 0)
			return -1;
		if (kind == RUN_REF) {
			for (uint64_t m = 0; m < c; m++) {
				tt_sock *k = tt_snapshot_add_sock(out);
				if (!k)
					return -1;
				*k = prev->socks[j + m];
				int64_t pred[NVOL];
				uint32_t v[NVOL];
				vol_predict(k, dt_ms, pred);
				for (int f = 0; f < NVOL; f++)
					v[f] = (uint32_t)((uint64_t)pred[f] + (uint64_t)unzz(gv(&r)));
				vol_set(k, v);
			}
		} else if (kind == RUN_LIT) {
			for (uint64_t m = 0; m < c; m++)
				if (dec_sock(&r, out) < 0)
					return -1;
		} else {
			return -1;
		}
		if (r.bad)
			return -1;
		i += (uint32_t)c;
	}
	if (dec_procs(&r, out, version) < 0)
		return -1;
	n = g32(&r);
	if (n > len - r.off + prev->nowners)
		return -1;
	for (uint32_t i = 0; i < n;) {
		uint8_t kind;
		uint64_t c, j;
		if (run_head(&r, n - i, prev->nowners, &kind, &c, &j) < 0)
			return -1;
		if (kind == RUN_REF) {
			for (uint64_t m = 0; m < c; m++) {
				tt_owner *o = tt_snapshot_add_owner(out);
				if (!o)
					return -1;
				*o = prev->owners[j + m];
				if (o->proc >= out->nprocs)
					return -1;
			}
		} else if (kind == RUN_LIT) {
			for (uint64_t m = 0; m < c; m++)
				if (dec_owner(&r, out) < 0)
					return -1;
		} else {
			return -1;
		}
		i += (uint32_t)c;
	}
	return dec_finish(&r, out, version);
}

/* A deep copy (dst keeps its capacity). */
static int snap_copy(tt_snapshot *dst, const tt_snapshot *src)
{
	tt_snapshot_clear(dst);
	dst->time = src->time, dst->mono = src->mono, dst->stats = src->stats;
	for (size_t i = 0; i < src->nsocks; i++) {
		tt_sock *k = tt_snapshot_add_sock(dst);
		if (!k)
			return -1;
		*k = src->socks[i];
	}
	for (size_t i = 0; i < src->nprocs; i++) {
		tt_proc *p = tt_snapshot_add_proc(dst);
		if (!p)
			return -1;
		*p = src->procs[i];
	}
	for (size_t i = 0; i < src->nowners; i++) {
		tt_owner *o = tt_snapshot_add_owner(dst);
		if (!o)
			return -1;
		*o = src->owners[i];
	}
	for (size_t i = 0; i < src->nwatched; i++) {
		tt_watch *x = tt_snapshot_add_watch(dst);
		if (!x)
			return -1;
		*x = src->watched[i];
	}
	if (src->strs_len > dst->strs_cap) {
		char *q = realloc(dst->strs, src->strs_len);
		if (!q)
			return -1;
		dst->strs = q;
		dst->strs_cap = src->strs_len;
	}
	if (src->strs_len)
		memcpy(dst->strs, src->strs, src->strs_len);
	dst->strs_len = src->strs_len;
	return 0;
}

/* ---------------------------------------------------------------- writer */

struct tt_recorder {
	int fd;
	tt_snapshot prev; /* the last snapshot written: the base of the next delta */
	bool have_prev;
	unsigned since_key;
};

static void le32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)v, b[1] = (unsigned char)(v >> 8), b[2] = (unsigned char)(v >> 16), b[3] = (unsigned char)(v >> 24);
}
static uint32_t rd32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static int check_header(const unsigned char *h, const char *path, char *err, size_t errlen)
{
	if (memcmp(h, file_magic, 8) != 0) {
		snprintf(err, errlen, "%s: not a tenantop recording", path);
		return -1;
	}
	if (rd32(h + 8) < 1 || rd32(h + 8) > TT_REC_VERSION) {
		snprintf(err, errlen, "%s: recording version %u; this tenantop reads version %d", path, rd32(h + 8),
			 TT_REC_VERSION);
		return -1;
	}
	return 0;
}

tt_recorder *tt_recorder_open(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "--record %s: %s%s", path, strerror(errno),
			 errno == ELOOP ? " (a symbolic link: give the file itself)" : "");
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "--record %s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_size == 0) {
		unsigned char h[HDR_LEN] = {0};
		memcpy(h, file_magic, 8);
		le32(h + 8, TT_REC_VERSION);
		if (write(fd, h, HDR_LEN) != HDR_LEN) {
			snprintf(err, errlen, "--record %s: %s", path, strerror(errno));
			close(fd);
			return NULL;
		}
	} else {
		unsigned char h[HDR_LEN];
		if (pread(fd, h, HDR_LEN, 0) != HDR_LEN || check_header(h, path, err, errlen) < 0) {
			if (!err[0])
				snprintf(err, errlen, "--record %s: not a tenantop recording", path);
			close(fd);
			return NULL;
		}
	}
	struct tt_recorder *r = calloc(1, sizeof(*r));
	if (!r) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->fd = fd;
	tt_snapshot_init(&r->prev);
	return r;
}

/* Compress PLAIN and append it as one record with MAGIC: bytes written, or -1. */
static long write_record(int fd, const unsigned char *magic, const unsigned char *plain, size_t plen, char *err,
			 size_t errlen)
{
	uLongf clen = compressBound(plen);
	unsigned char *rec = malloc(REC_HDR + clen);
	if (!rec || compress2(rec + REC_HDR, &clen, plain, plen, 6) != Z_OK) {
		free(rec);
		snprintf(err, errlen, "recording: compression failed");
		return -1;
	}
	memcpy(rec, magic, 4);
	le32(rec + 4, (uint32_t)clen);
	le32(rec + 8, (uint32_t)plen);
	le32(rec + 12, (uint32_t)crc32(0L, rec + REC_HDR, (uInt)clen));
	/* one write: with O_APPEND a crash leaves at most a cut last record */
	size_t total = REC_HDR + clen, done = 0;
	while (done < total) {
		ssize_t n = write(fd, rec + done, total - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "recording: %s", strerror(errno));
			free(rec);
			return -1;
		}
		done += (size_t)n;
	}
	free(rec);
	return (long)total;
}

/* The settings record: "tenantop-meta 1\ninterval S\nports LIST\nconfig PATH\n\n" then
 * the config file's text ("-" as PATH: none, the built-in rules). */
long tt_recorder_write_meta(tt_recorder *r, const tt_rec_meta *m, char *err, size_t errlen)
{
	char head[2048];
	int hl = snprintf(head, sizeof(head), "tenantop-meta 1\ninterval %.6g\nports %s\nconfig %s\n\n", m->interval,
			  m->ports[0] ? m->ports : "-", m->config_path[0] ? m->config_path : "-");
	if (hl < 0 || (size_t)hl >= sizeof(head) || m->config_len > MAX_META - sizeof(head)) {
		snprintf(err, errlen, "recording: settings too large to record");
		return -1;
	}
	size_t plen = (size_t)hl + m->config_len;
	unsigned char *plain = malloc(plen ? plen : 1);
	if (!plain) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(plain, head, (size_t)hl);
	if (m->config_len)
		memcpy(plain + hl, m->config_text, m->config_len);
	long n = write_record(r->fd, meta_magic, plain, plen, err, errlen);
	free(plain);
	return n;
}

long tt_recorder_write(tt_recorder *r, const tt_snapshot *s, char *err, size_t errlen)
{
	unsigned char *plain;
	size_t plen;
	/* the first record a recorder writes is whole (the file may end with
	 * another run's records), then one whole record every KEY_EVERY */
	bool delta = r->have_prev && r->since_key < KEY_EVERY;
	if ((delta ? tt_snapshot_encode_delta(&r->prev, s, &plain, &plen) : tt_snapshot_encode(s, &plain, &plen)) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	long total = write_record(r->fd, delta ? delta_magic : rec_magic, plain, plen, err, errlen);
	free(plain);
	if (total < 0)
		return -1;
	r->since_key = delta ? r->since_key + 1 : 1;
	r->have_prev = snap_copy(&r->prev, s) == 0; /* out of memory: the next one is whole */
	return (long)total;
}

void tt_recorder_close(tt_recorder *r)
{
	if (!r)
		return;
	close(r->fd);
	tt_snapshot_free(&r->prev);
	free(r);
}

/* ---------------------------------------------------------------- reader */

struct recidx {
	off_t off;
	uint32_t clen, plen, crc;
	double time;
	bool delta;
	bool bad;  /* its header was damaged: nothing of it can be read */
	int meta;  /* the settings record in force, -1 none */
};

struct tt_replay {
	int fd;
	struct recidx *v;
	size_t n, cap;
	tt_rec_meta *metas;
	size_t nmetas;
	char note[256];
	char path[256];
	tt_snapshot cache, tmp; /* the last record decoded (a delta's base) */
	size_t cache_i;
	bool cache_ok;
};

static int parse_meta(const unsigned char *plain, size_t plen, tt_rec_meta *m)
{
	memset(m, 0, sizeof(*m));
	const char *s = (const char *)plain, *end = s + plen;
	const char *sep = NULL;
	for (const char *q = s; q + 1 < end; q++)
		if (q[0] == '\n' && q[1] == '\n') {
			sep = q;
			break;
		}
	if (!sep || plen < 16 || memcmp(s, "tenantop-meta 1\n", 16) != 0)
		return -1;
	for (const char *line = s + 16; line < sep;) {
		const char *nl = memchr(line, '\n', (size_t)(sep + 1 - line));
		if (!nl)
			break;
		int n = (int)(nl - line);
		if (n > 9 && !strncmp(line, "interval ", 9)) {
			char num[32];
			snprintf(num, sizeof(num), "%.*s", n - 9, line + 9);
			m->interval = strtod(num, NULL);
		} else if (n > 6 && !strncmp(line, "ports ", 6)) {
			snprintf(m->ports, sizeof(m->ports), "%.*s", n - 6, line + 6);
			if (!strcmp(m->ports, "-"))
				m->ports[0] = '\0';
		} else if (n > 7 && !strncmp(line, "config ", 7)) {
			snprintf(m->config_path, sizeof(m->config_path), "%.*s", n - 7, line + 7);
			if (!strcmp(m->config_path, "-"))
				m->config_path[0] = '\0';
		}
		line = nl + 1;
	}
	if (!(m->interval > 0 && m->interval <= 86400))
		m->interval = 0;
	size_t tl = (size_t)(end - (sep + 2));
	m->config_text = malloc(tl + 1);
	if (!m->config_text)
		return -1;
	memcpy(m->config_text, sep + 2, tl);
	m->config_text[tl] = '\0';
	m->config_len = tl;
	return 0;
}

/* Read and check a settings record at OFF. */
static int read_meta(int fd, off_t off, uint32_t clen, uint32_t plen, uint32_t crc, tt_rec_meta *m)
{
	if (plen > MAX_META || clen > MAX_META)
		return -1;
	unsigned char *c = malloc(clen), *plain = malloc(plen ? plen : 1);
	int rc = -1;
	uLongf pl = plen;
	if (c && plain && pread(fd, c, clen, off + REC_HDR) == (ssize_t)clen && (uint32_t)crc32(0L, c, clen) == crc &&
	    uncompress(plain, &pl, c, clen) == Z_OK && pl == plen)
		rc = parse_meta(plain, plen, m);
	free(c);
	free(plain);
	return rc;
}

/* A record header at OFF that is whole and whose data has the right CRC:
 * where reading goes on after a damaged stretch. */
static bool header_sane(int fd, off_t off, off_t size)
{
	unsigned char rh[REC_HDR];
	if (size - off < REC_HDR || pread(fd, rh, REC_HDR, off) != REC_HDR)
		return false;
	if (memcmp(rh, rec_magic, 4) && memcmp(rh, delta_magic, 4) && memcmp(rh, meta_magic, 4))
		return false;
	uint32_t clen = rd32(rh + 4), plen = rd32(rh + 8);
	if (!clen || plen > MAX_PLAIN || size - off - REC_HDR < (off_t)clen)
		return false;
	unsigned char *c = malloc(clen);
	bool ok = c && pread(fd, c, clen, off + REC_HDR) == (ssize_t)clen && (uint32_t)crc32(0L, c, clen) == rd32(rh + 12);
	free(c);
	return ok;
}

/* The next offset after FROM where a sane record starts, or SIZE. */
static off_t resync(int fd, off_t from, off_t size)
{
	unsigned char buf[65536];
	for (off_t base = from; base < size;) {
		ssize_t n = pread(fd, buf, sizeof(buf), base);
		if (n < 4)
			return size;
		for (ssize_t k = 0; k + 4 <= n; k++)
			if (buf[k] == 'T' && buf[k + 1] == 'T' && buf[k + 2] == 'R' &&
			    (buf[k + 3] == 'R' || buf[k + 3] == 'D' || buf[k + 3] == 'M') && header_sane(fd, base + k, size))
				return base + k;
		base += n - 3;
	}
	return size;
}

static bool index_grow(struct tt_replay *p)
{
	return TT_VEC_RESERVE(p->v, p->cap, p->n + 1) == 0;
}

tt_replay *tt_replay_open(const char *path, char *err, size_t errlen)
{
	/* O_NONBLOCK: a FIFO must not block the open */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "--replay %s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "--replay %s: %s, not a recording", path,
			 S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
		close(fd);
		return NULL;
	}
	unsigned char h[HDR_LEN];
	err[0] = '\0';
	if (pread(fd, h, HDR_LEN, 0) != HDR_LEN) {
		snprintf(err, errlen, "%s: not a tenantop recording (too short)", path);
		close(fd);
		return NULL;
	}
	if (check_header(h, path, err, errlen) < 0) {
		close(fd);
		return NULL;
	}
	struct tt_replay *p = calloc(1, sizeof(*p));
	if (!p) {
		close(fd);
		return NULL;
	}
	p->fd = fd;
	tt_snapshot_init(&p->cache);
	tt_snapshot_init(&p->tmp);
	snprintf(p->path, sizeof(p->path), "%s", path);
	off_t off = HDR_LEN;
	int meta = -1;
	size_t damaged = 0;
	while (off < st.st_size) {
		unsigned char rh[REC_HDR];
		if (st.st_size - off < REC_HDR || pread(fd, rh, REC_HDR, off) != REC_HDR) {
			snprintf(p->note, sizeof(p->note), "cut short after record %zu (a crash while writing?)", p->n);
			break;
		}
		uint32_t clen = rd32(rh + 4), plen = rd32(rh + 8);
		bool delta = memcmp(rh, delta_magic, 4) == 0;
		bool is_meta = memcmp(rh, meta_magic, 4) == 0;
		bool fits = st.st_size - off - REC_HDR >= (off_t)clen;
		if ((!delta && !is_meta && memcmp(rh, rec_magic, 4) != 0) || plen > MAX_PLAIN || clen == 0 ||
		    (!fits && header_sane(fd, resync(fd, off + 1, st.st_size), st.st_size))) {
			/* a damaged header: one record lost, reading goes on at the
			 * next record that checks out */
			off_t next = resync(fd, off + 1, st.st_size);
			if (!index_grow(p))
				break;
			p->v[p->n++] = (struct recidx){off, 0, 0, 0, 0, true, true, meta};
			damaged++;
			off = next;
			continue;
		}
		if (!fits) {
			snprintf(p->note, sizeof(p->note), "cut short after record %zu (a crash while writing?)", p->n);
			break;
		}
		if (is_meta) {
			tt_rec_meta m;
			void *q = realloc(p->metas, (p->nmetas + 1) * sizeof(*p->metas));
			if (q)
				p->metas = q;
			if (q && read_meta(fd, off, clen, plen, rd32(rh + 12), &m) == 0) {
				p->metas[p->nmetas] = m;
				meta = (int)p->nmetas++;
			}
			off += REC_HDR + clen;
			continue;
		}
		if (!index_grow(p))
			break;
		p->v[p->n++] = (struct recidx){off, clen, plen, rd32(rh + 12), 0, delta, false, meta};
		off += REC_HDR + clen;
	}
	if (damaged && !p->note[0])
		snprintf(p->note, sizeof(p->note), "%zu damaged record header%s skipped", damaged, damaged > 1 ? "s" : "");
	/* times, for the header and for jumps: decode each record's first bytes */
	for (size_t i = 0; i < p->n; i++) {
		tt_snapshot s;
		tt_snapshot_init(&s);
		char e2[64];
		if (tt_replay_read(p, i, &s, e2, sizeof(e2)) == 0)
			p->v[i].time = s.time;
		tt_snapshot_free(&s);
	}
	return p;
}

int tt_replay_read_settings(const char *path, tt_rec_meta *m)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -2;
	struct stat st;
	unsigned char h[HDR_LEN], rh[REC_HDR];
	int rc = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && pread(fd, h, HDR_LEN, 0) == HDR_LEN &&
	    !memcmp(h, file_magic, 8) && pread(fd, rh, REC_HDR, HDR_LEN) == REC_HDR && !memcmp(rh, meta_magic, 4))
		rc = read_meta(fd, HDR_LEN, rd32(rh + 4), rd32(rh + 8), rd32(rh + 12), m);
	close(fd);
	return rc;
}

const tt_rec_meta *tt_replay_meta(const tt_replay *p, size_t i)
{
	if (i >= p->n || p->v[i].meta < 0)
		return NULL;
	return &p->metas[p->v[i].meta];
}

size_t tt_replay_next_whole(const tt_replay *p, size_t i)
{
	for (size_t j = i + 1; j < p->n; j++)
		if (!p->v[j].delta && !p->v[j].bad)
			return j;
	return p->n;
}

size_t tt_replay_count(const tt_replay *p)
{
	return p->n;
}

const char *tt_replay_note(const tt_replay *p)
{
	return p->note;
}

double tt_replay_time(const tt_replay *p, size_t i)
{
	return i < p->n ? p->v[i].time : 0;
}

/* Decode record i (a delta against base) into out. */
static int read_one(tt_replay *p, size_t i, const tt_snapshot *base, tt_snapshot *out, char *err, size_t errlen)
{
	const struct recidx *x = &p->v[i];
	if (x->bad) {
		snprintf(err, errlen, "%s: record %zu is damaged (its header)", p->path, i + 1);
		return -1;
	}
	unsigned char *c = malloc(x->clen), *plain = malloc(x->plen ? x->plen : 1);
	int rc = -1;
	if (!c || !plain) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (pread(p->fd, c, x->clen, x->off + REC_HDR) != (ssize_t)x->clen) {
		snprintf(err, errlen, "%s: record %zu: %s", p->path, i + 1, strerror(errno));
		goto out;
	}
	if ((uint32_t)crc32(0L, c, x->clen) != x->crc) {
		snprintf(err, errlen, "%s: record %zu is damaged (checksum mismatch)", p->path, i + 1);
		goto out;
	}
	uLongf plen = x->plen;
	if (uncompress(plain, &plen, c, x->clen) != Z_OK || plen != x->plen ||
	    (x->delta ? tt_snapshot_decode_delta(plain, plen, base, out) : tt_snapshot_decode(plain, plen, out)) < 0) {
		snprintf(err, errlen, "%s: record %zu is damaged (does not decode)", p->path, i + 1);
		tt_snapshot_clear(out);
		goto out;
	}
	rc = 0;
out:
	free(c);
	free(plain);
	return rc;
}

int tt_replay_read(tt_replay *p, size_t i, tt_snapshot *out, char *err, size_t errlen)
{
	if (i >= p->n) {
		snprintf(err, errlen, "no record %zu", i);
		return -1;
	}
	/* a delta needs the records before it, back to a whole one; the last
	 * record decoded is kept, so reading in order decodes each once */
	size_t k = i;
	while (k > 0 && p->v[k].delta && !(p->cache_ok && p->cache_i == k))
		k--;
	if (!(p->cache_ok && p->cache_i == k)) {
		if (p->v[k].delta) {
			snprintf(err, errlen, "%s: record %zu: the record it builds on is missing", p->path, i + 1);
			return -1;
		}
		p->cache_ok = false;
		if (read_one(p, k, NULL, &p->cache, err, errlen) < 0)
			return -1;
		p->cache_i = k;
		p->cache_ok = true;
	}
	for (size_t j = k + 1; j <= i; j++) {
		if (read_one(p, j, &p->cache, &p->tmp, err, errlen) < 0) {
			if (j < i)
				snprintf(err, errlen, "%s: record %zu cannot be rebuilt: record %zu before it is damaged", p->path,
					 i + 1, j + 1);
			return -1;
		}
		tt_snapshot t = p->cache;
		p->cache = p->tmp;
		p->tmp = t;
		p->cache_i = j;
	}
	if (snap_copy(out, &p->cache) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void tt_replay_close(tt_replay *p)
{
	if (!p)
		return;
	close(p->fd);
	tt_snapshot_free(&p->cache);
	tt_snapshot_free(&p->tmp);
	for (size_t i = 0; i < p->nmetas; i++)
		free(p->metas[i].config_text);
	free(p->metas);
	free(p->v);
	free(p);
}
