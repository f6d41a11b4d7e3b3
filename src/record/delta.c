/* The delta form of a snapshot: what changed since the one before, with
 * the volatile counters predicted from their rate (wire.h). */
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
#include "record/wire.h"

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
	tt_rec_enc_head(&w, s);
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
				tt_rec_enc_sock(&w, &s->socks[i + m]);
		}
		i += c;
	}
	tt_u64set_free(&ix);
	tt_rec_enc_procs(&w, s);
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
			tt_rec_enc_owner(&w, &s->owners[i]);
		}
		i += c;
	}
	return tt_rec_enc_finish(&w, s, buf, len);
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
	if (tt_rec_dec_head(&r, out, &version) < 0)
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
				if (tt_rec_dec_sock(&r, out) < 0)
					return -1;
		} else {
			return -1;
		}
		if (r.bad)
			return -1;
		i += (uint32_t)c;
	}
	if (tt_rec_dec_procs(&r, out, version) < 0)
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
				if (tt_rec_dec_owner(&r, out) < 0)
					return -1;
		} else {
			return -1;
		}
		i += (uint32_t)c;
	}
	return tt_rec_dec_finish(&r, out, version);
}

