/* src/util/ owns the plain data and helpers every layer shares: the snapshot, port
 * sets, sets of integers, growable arrays, the clock, numbers, words for figures,
 * sanitising.
 *
 * The snapshot container: growable arrays and a string pool. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/sanitize.h"
#include "tenantop/snapshot.h"
#include "tenantop/vec.h"

void tt_scan_stats_reset(tt_scan_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->sk_inuse = st->sk_alloc = st->sk_orphan = st->sk_tw = -1;
}

void tt_snapshot_init(tt_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	tt_scan_stats_reset(&s->stats);
}

void tt_snapshot_clear(tt_snapshot *s)
{
	s->nsocks = s->nprocs = s->nowners = s->nwatched = s->nevents = 0;
	s->strs_len = 0;
	s->time = s->mono = 0;
	s->dbuser = NULL;
	s->ndbuser = 0;
	s->pooled_by = NULL;
	s->npooled_by = 0;
	s->self_pid = 0;
	tt_scan_stats_reset(&s->stats);
}

void tt_snapshot_free(tt_snapshot *s)
{
	free(s->socks);
	free(s->procs);
	free(s->owners);
	free(s->watched);
	free(s->events);
	free(s->strs);
	tt_snapshot_init(s);
}


tt_watch *tt_snapshot_add_watch(tt_snapshot *s)
{
	return tt_vec_push((void **)&s->watched, &s->nwatched, &s->watched_cap, sizeof(tt_watch));
}

tt_conn_event *tt_snapshot_add_event(tt_snapshot *s)
{
	return tt_vec_push((void **)&s->events, &s->nevents, &s->events_cap, sizeof(tt_conn_event));
}

tt_sock *tt_snapshot_add_sock(tt_snapshot *s)
{
	return tt_vec_push((void **)&s->socks, &s->nsocks, &s->socks_cap, sizeof(tt_sock));
}

tt_proc *tt_snapshot_add_proc(tt_snapshot *s)
{
	return tt_vec_push((void **)&s->procs, &s->nprocs, &s->procs_cap, sizeof(tt_proc));
}

tt_owner *tt_snapshot_add_owner(tt_snapshot *s)
{
	return tt_vec_push((void **)&s->owners, &s->nowners, &s->owners_cap, sizeof(tt_owner));
}

static int strs_reserve(tt_snapshot *s, size_t need)
{
	if (s->strs_len == 0)
		need += 1; /* offset 0 holds "" */
	if (TT_VEC_RESERVE(s->strs, s->strs_cap, s->strs_len + need) < 0)
		return -1;
	if (s->strs_len == 0) {
		s->strs[0] = '\0';
		s->strs_len = 1;
	}
	return 0;
}

uint32_t tt_snapshot_str(tt_snapshot *s, const char *raw, size_t len, size_t maxout)
{
	if (!raw || len == 0 || maxout == 0)
		return 0;
	size_t need = tt_sanitized_len(raw, len);
	if (need > maxout)
		need = maxout;
	if (s->strs_len + need + 2 > UINT32_MAX || strs_reserve(s, need + 1) < 0)
		return 0;
	uint32_t off = (uint32_t)s->strs_len;
	size_t n = tt_sanitize(raw, len, s->strs + off, need + 1);
	s->strs_len += n + 1;
	return off;
}

uint32_t tt_snapshot_str_trusted(tt_snapshot *s, const char *str)
{
	size_t len = str ? strlen(str) : 0;
	if (len == 0)
		return 0;
	if (s->strs_len + len + 2 > UINT32_MAX || strs_reserve(s, len + 1) < 0)
		return 0;
	uint32_t off = (uint32_t)s->strs_len;
	memcpy(s->strs + off, str, len + 1);
	s->strs_len += len + 1;
	return off;
}

static int owner_cmp(const void *a, const void *b)
{
	const tt_owner *x = a, *y = b;
	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* The owner scan writes owners in (proc, fd) order, of one namespace, with
 * inodes below 2^32, nearly always: then a stable sort by inode (two 16-bit
 * counting passes) gives the index's order in linear time.  false: not so
 * (or out of memory), nothing changed. */
static bool index_by_radix(tt_snapshot *s)
{
	tt_owner *o = s->owners;
	size_t n = s->nowners;
	if (o[0].inode >> 32)
		return false;
	for (size_t i = 1; i < n; i++)
		if (o[i].netns != o[0].netns || o[i].inode >> 32 || o[i].proc < o[i - 1].proc ||
		    (o[i].proc == o[i - 1].proc && o[i].fd < o[i - 1].fd))
			return false;
	enum { BUCKETS = 1 << 16 };
	tt_owner *tmp = malloc(n * sizeof(*tmp));
	uint32_t *start = malloc((BUCKETS + 1) * sizeof(*start));
	if (!tmp || !start) {
		free(tmp);
		free(start);
		return false;
	}
	tt_owner *src = o, *dst = tmp;
	for (unsigned shift = 0; shift < 32; shift += 16) {
		memset(start, 0, (BUCKETS + 1) * sizeof(*start));
		for (size_t i = 0; i < n; i++)
			start[((src[i].inode >> shift) & (BUCKETS - 1)) + 1]++;
		for (size_t b = 1; b <= BUCKETS; b++)
			start[b] += start[b - 1];
		for (size_t i = 0; i < n; i++)
			dst[start[(src[i].inode >> shift) & (BUCKETS - 1)]++] = src[i];
		tt_owner *t = src;
		src = dst;
		dst = t;
	}
	free(tmp); /* two passes: the sorted owners are back in s->owners */
	free(start);
	return true;
}

void tt_snapshot_index_owners(tt_snapshot *s)
{
	if (s->nowners > 1 && !index_by_radix(s))
		qsort(s->owners, s->nowners, sizeof(tt_owner), owner_cmp);
}

const tt_owner *tt_snapshot_find_owner(const tt_snapshot *s, uint64_t netns, uint64_t inode)
{
	size_t lo = 0, hi = s->nowners;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const tt_owner *o = &s->owners[mid];
		if (o->netns < netns || (o->netns == netns && o->inode < inode))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->nowners && s->owners[lo].netns == netns && s->owners[lo].inode == inode)
		return &s->owners[lo];
	return NULL;
}

char *tt_fmt_endpoint(int family, const uint8_t addr[16], uint16_t port, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	if (family == TT_FAM_TCP4) {
		inet_ntop(AF_INET, addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, port);
	} else if (family == TT_FAM_TCP6) {
		inet_ntop(AF_INET6, addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, port);
	} else {
		snprintf(buf, len, "?");
	}
	return buf;
}

char *tt_sock_fmt_local(const tt_sock *k, const tt_snapshot *s, char *buf, size_t len)
{
	if (k->family == TT_FAM_UNIX) {
		/* an unnamed (client) socket: "*" as ss shows it */
		snprintf(buf, len, "%s", k->path ? tt_snapshot_get_str(s, k->path) : "*");
		return buf;
	}
	if (k->flags & TT_SF_ENDPOINT_UNKNOWN) {
		snprintf(buf, len, "?");
		return buf;
	}
	return tt_fmt_endpoint(k->family, k->laddr, k->lport, buf, len);
}

char *tt_sock_fmt_remote(const tt_sock *k, const tt_snapshot *s, char *buf, size_t len)
{
	if (k->family == TT_FAM_UNIX) {
		/* no peer path: an unnamed client (or a listener); "?" a dead connection
		 * whose target was never seen */
		snprintf(buf, len, "%s", k->peer_path ? tt_snapshot_get_str(s, k->peer_path)
				   : (k->flags & TT_SF_ENDPOINT_UNKNOWN) ? "?" : "*");
		return buf;
	}
	if (k->flags & TT_SF_ENDPOINT_UNKNOWN) {
		snprintf(buf, len, "?");
		return buf;
	}
	return tt_fmt_endpoint(k->family, k->raddr, k->rport, buf, len);
}
