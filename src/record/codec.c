/* src/record/ owns recordings: their file format, writing, indexing and reading.
 *
 * Recordings: writer, indexer/reader, and the snapshot encoding.
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
#include "record/wire.h"

void tt_rec_enc_head(struct wbuf *w, const tt_snapshot *s)
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

void tt_rec_enc_sock(struct wbuf *w, const tt_sock *k)
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

void tt_rec_enc_procs(struct wbuf *w, const tt_snapshot *s)
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

void tt_rec_enc_owner(struct wbuf *w, const tt_owner *o)
{
	u64(w, o->inode), u64(w, o->netns), u32(w, o->proc), u32(w, (uint32_t)o->fd);
}

int tt_rec_enc_finish(struct wbuf *w, const tt_snapshot *s, unsigned char **buf, size_t *len)
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
	tt_rec_enc_head(&w, s);
	u32(&w, (uint32_t)s->nsocks);
	for (size_t i = 0; i < s->nsocks; i++)
		tt_rec_enc_sock(&w, &s->socks[i]);
	tt_rec_enc_procs(&w, s);
	u32(&w, (uint32_t)s->nowners);
	for (size_t i = 0; i < s->nowners; i++)
		tt_rec_enc_owner(&w, &s->owners[i]);
	return tt_rec_enc_finish(&w, s, buf, len);
}

int tt_rec_dec_head(struct rbuf *r, tt_snapshot *out, uint32_t *version)
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

int tt_rec_dec_sock(struct rbuf *r, tt_snapshot *out)
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

int tt_rec_dec_procs(struct rbuf *r, tt_snapshot *out, uint32_t version)
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

int tt_rec_dec_owner(struct rbuf *r, tt_snapshot *out)
{
	tt_owner *o = tt_snapshot_add_owner(out);
	if (!o)
		return -1;
	o->inode = g64(r), o->netns = g64(r), o->proc = g32(r), o->fd = (int32_t)g32(r);
	return o->proc >= out->nprocs || r->bad ? -1 : 0;
}

/* the string pool closes the body: offsets past its end read as "", and it
 * must end in NUL */
int tt_rec_dec_finish(struct rbuf *r, tt_snapshot *out, uint32_t version)
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
	if (tt_rec_dec_head(&r, out, &version) < 0)
		return -1;
	uint32_t n = g32(&r);
	if (n > (len - r.off) / 100) /* each socket takes 100+ bytes: a count beyond that is a lie */
		return -1;
	for (uint32_t i = 0; i < n; i++)
		if (tt_rec_dec_sock(&r, out) < 0)
			return -1;
	if (tt_rec_dec_procs(&r, out, version) < 0)
		return -1;
	n = g32(&r);
	if (n > (len - r.off) / 24)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		if (tt_rec_dec_owner(&r, out) < 0)
			return -1;
	return tt_rec_dec_finish(&r, out, version);
}

/* A deep copy (dst keeps its capacity). */
int tt_rec_snap_copy(tt_snapshot *dst, const tt_snapshot *src)
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

