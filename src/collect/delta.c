/* The event-driven TCP table (see delta.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "collect/delta.h"
#include "tenantop/vec.h"

#define TIME_WAIT_S 60u /* the kernel's TCP_TIMEWAIT_LEN (and tcp_fin_timeout's default) */

void tt_delta_init(tt_delta *d)
{
	memset(d, 0, sizeof(*d));
	tt_u64set_init(&d->by_cookie);
	tt_u64set_init(&d->tw_pair);
	struct stat st;
	if (stat("/proc/self/ns/net", &st) == 0)
		d->netns = (uint32_t)st.st_ino;
}

void tt_delta_free(tt_delta *d)
{
	free(d->socks);
	tt_u64set_free(&d->by_cookie);
	tt_u64set_free(&d->tw_pair);
	memset(d, 0, sizeof(*d));
}

/* The timer wheel (kernel/time/timer.c): a timer goes to the level whose
 * range holds its delay, 64 slots a level, each level's slots 8 times the
 * one below; it fires on the first tick of the slot after its expiry. */
uint64_t tt_wheel_expiry(uint64_t armed, uint64_t timeo)
{
	unsigned lvl = 0;
	while (lvl < 8 && timeo >= (63ull << (3 * lvl)))
		lvl++;
	unsigned shift = 3 * lvl;
	return (((armed + timeo) >> shift) + 1) << shift;
}

/* On the boot clock (s), the end of a TIME_WAIT timer armed at tick armed,
 * given a moment clk of the tick clock. */
static double tw_end_at(const tt_tick_clock *clk, uint64_t armed)
{
	uint64_t end = tt_wheel_expiry(armed, (uint64_t)TIME_WAIT_S * clk->hz);
	double ticks = (double)(int64_t)(end - clk->jiffies);
	return (double)clk->boot_ns / 1e9 + ticks / clk->hz;
}

static void pair_of(const tt_delta_sock *k, bool reversed, uint8_t family, uint64_t *key)
{
	uint16_t lp = reversed ? k->rport : k->lport, rp = reversed ? k->lport : k->rport;
	const uint8_t *la = reversed ? k->raddr : k->laddr, *ra = reversed ? k->laddr : k->raddr;
	uint64_t h = tt_hash_mix(0x7477ULL, ((uint64_t)family << 32) | ((uint64_t)lp << 16) | rp);
	for (int i = 0; i < 16; i += 8) {
		uint64_t a, b;
		memcpy(&a, la + i, 8);
		memcpy(&b, ra + i, 8);
		h = tt_hash_mix(tt_hash_mix(h, a), b);
	}
	*key = h;
}

static uint64_t pair_key(const tt_delta_sock *k)
{
	uint64_t h;
	pair_of(k, false, k->family, &h);
	return h;
}

static bool same_pair(const tt_delta_sock *a, const tt_delta_sock *b, bool reversed)
{
	if (a->family != b->family)
		return false;
	if (reversed)
		return a->lport == b->rport && a->rport == b->lport && !memcmp(a->laddr, b->raddr, 16) &&
		       !memcmp(a->raddr, b->laddr, 16);
	return a->lport == b->lport && a->rport == b->rport && !memcmp(a->laddr, b->laddr, 16) &&
	       !memcmp(a->raddr, b->raddr, 16);
}

static void invalidate(tt_delta *d)
{
	d->valid = false;
	d->n = d->gone = 0;
	tt_u64set_clear(&d->by_cookie);
	tt_u64set_clear(&d->tw_pair);
}

/* Append a socket; its index, or -1 out of memory. */
static long add(tt_delta *d, const tt_delta_sock *k)
{
	if (!TT_VEC_PUSH(d->socks, d->n, d->cap))
		return -1;
	size_t i = d->n - 1;
	d->socks[i] = *k;
	if (tt_u64set_put(&d->by_cookie, k->cookie, i) < 0)
		return -1;
	if (k->tw_end > 0 && tt_u64set_put(&d->tw_pair, pair_key(k), i) < 0)
		return -1;
	return (long)i;
}

static void drop(tt_delta *d, size_t i)
{
	tt_delta_sock *k = &d->socks[i];
	uint64_t v;
	if (tt_u64set_get(&d->by_cookie, k->cookie, &v) && v == i)
		tt_u64set_del(&d->by_cookie, k->cookie);
	if (k->tw_end > 0 && tt_u64set_get(&d->tw_pair, pair_key(k), &v) && v == i)
		tt_u64set_del(&d->tw_pair, pair_key(k));
	k->state = TT_ST_UNKNOWN;
	k->tw_end = 0;
	d->gone++;
}

/* The TIME_WAIT-kind socket on k's address pair (reversed: on its peer's), or -1. */
static long tw_on_pair(const tt_delta *d, const tt_delta_sock *k, bool reversed)
{
	uint64_t key, v;
	pair_of(k, reversed, k->family, &key);
	if (!tt_u64set_get(&d->tw_pair, key, &v) || v >= d->n || d->socks[v].tw_end <= 0 ||
	    !same_pair(&d->socks[v], k, reversed))
		return -1;
	return (long)v;
}

/* tcp_rfc1337 of the own namespace: a TIME_WAIT ignores resets (unreadable: it does not). */
static bool rfc1337(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_rfc1337", "r");
	int v = 0;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v != 0;
}

int tt_delta_rebase(tt_delta *d, const tt_snapshot *out, size_t n, const tt_tick_clock *clk,
		    const tt_portset *ports, uint64_t lost, int64_t tw_overflow)
{
	/* the ends the table's TIME_WAITs' closes told, by cookie (µs << 4 | state) */
	tt_u64set keep;
	tt_u64set_init(&keep);
	int rc = 0;
	for (size_t i = 0; d->valid && i < d->n; i++)
		if (d->socks[i].tw_end > 0 && d->socks[i].state != TT_ST_UNKNOWN &&
		    tt_u64set_put(&keep, d->socks[i].cookie, (uint64_t)(d->socks[i].tw_end * 1e6) << 4 | d->socks[i].state) < 0)
			rc = -1;
	invalidate(d);
	if (rc < 0 || !clk->hz) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const tt_sock *k = &out->socks[i];
		if (k->family == TT_FAM_UNIX || k->netns || !k->cookie)
			continue;
		double end = 0;
		uint64_t v;
		if (k->timer == 3) { /* a TIME_WAIT socket (or a FIN_WAIT2 one) */
			if (tt_u64set_get(&keep, k->cookie, &v) && (v & 15) == k->state) {
				end = (double)(v >> 4) / 1e6;
			} else {
				/* its timer as the read told it, in ms from then: back to ticks */
				uint64_t left = (uint64_t)k->timer_ms * clk->hz / 1000u;
				uint64_t armed = clk->jiffies + left - (uint64_t)TIME_WAIT_S * clk->hz;
				end = tw_end_at(clk, armed);
			}
		}
		tt_delta_sock e = {.cookie = k->cookie, .inode = k->inode, .tw_end = end, .uid = k->uid, .txq = k->txq,
				   .rxq = k->rxq, .lport = k->lport, .rport = k->rport, .family = k->family,
				   .state = k->state, .flags = k->flags & (uint8_t)~TT_SF_HAS_INFO};
		memcpy(e.laddr, k->laddr, 16);
		memcpy(e.raddr, k->raddr, 16);
		if (add(d, &e) < 0) {
			rc = -1;
			goto out;
		}
	}
	d->ports = *ports;
	d->lost = lost;
	d->tw_overflow = tw_overflow;
	d->rfc1337 = rfc1337();
	d->valid = true;
out:
	tt_u64set_free(&keep);
	if (rc < 0)
		invalidate(d);
	return rc;
}

const char *tt_delta_distrust(const tt_delta *d, const tt_portset *ports, uint64_t lost, int64_t tw_overflow)
{
	return !d->valid ? "first read"
	       : lost != d->lost ? "events lost"
	       : memcmp(ports, &d->ports, sizeof(*ports)) ? "watched ports changed"
	       : tw_overflow < 0 || tw_overflow != d->tw_overflow ? "TIME_WAIT table full"
	       : !d->netns ? "no namespace" : NULL;
}

static void set_pair(tt_delta_sock *k, const tt_sock_change *c)
{
	size_t alen = c->family == TT_FAM_TCP4 ? 4 : 16;
	k->lport = c->lport;
	k->rport = c->rport;
	memset(k->laddr, 0, 16);
	memset(k->raddr, 0, 16);
	memcpy(k->laddr, c->laddr, alen);
	memcpy(k->raddr, c->raddr, alen);
}

/* A connection on a TIME_WAIT's address pair ends that TIME_WAIT (its reuse). */
static void reuse_pair(tt_delta *d, const tt_delta_sock *k)
{
	long t;
	if (k->lport && (t = tw_on_pair(d, k, false)) >= 0 && d->socks[t].cookie != k->cookie)
		drop(d, (size_t)t);
}

/* A socket the table did not have, as the change tells it. */
static long add_new(tt_delta *d, const tt_sock_change *c)
{
	tt_delta_sock k = {.cookie = c->cookie, .family = c->family, .state = c->to, .uid = c->uid, .inode = c->inode};
	set_pair(&k, c);
	reuse_pair(d, &k);
	return add(d, &k);
}

/* When the TIME_WAIT a change begins ends (its timer armed at the change's
 * tick; without a tick rate, 60 s on the boot clock). */
static double change_tw_end(const tt_sock_change *c)
{
	if (!c->hz)
		return (double)c->boot_ns / 1e9 + TIME_WAIT_S;
	tt_tick_clock at = {c->jiffies, c->boot_ns, c->hz};
	return tw_end_at(&at, c->jiffies);
}

/* A close that leaves a TIME_WAIT socket, or a FIN_WAIT2 one while the
 * peer's FIN has not come (the kernel lists it in that state). */
static int to_time_wait(tt_delta *d, const tt_sock_change *c, long i)
{
	if (i < 0 && !c->lport)
		return 0; /* a socket never seen, its address pair unknown: left to the next read */
	if (i < 0 && (i = add_new(d, c)) < 0)
		return -1;
	tt_delta_sock *k = &d->socks[i];
	if (c->lport)
		set_pair(k, c); /* as it closed (a connecting socket had no port yet) */
	k->state = c->fin_in ? TT_ST_TIME_WAIT : TT_ST_FIN_WAIT2;
	k->inode = 0;
	k->uid = 0;
	k->txq = k->rxq = 0;
	k->tw_end = change_tw_end(c);
	return tt_u64set_put(&d->tw_pair, pair_key(k), (uint64_t)i);
}

/* A reset sent to a TIME_WAIT's address pair ends it (IPv4's also the
 * IPv6 socket's on the mapped addresses). */
static void reset_to(tt_delta *d, const tt_sock_change *c)
{
	if (d->rfc1337)
		return;
	tt_delta_sock k = {.family = c->family};
	set_pair(&k, c);
	long t = tw_on_pair(d, &k, false);
	if (t < 0 && c->family == TT_FAM_TCP4) {
		k.family = TT_FAM_TCP6;
		for (int i = 0; i < 2; i++) {
			uint8_t *a = i ? k.raddr : k.laddr;
			memmove(a + 12, a, 4);
			memset(a, 0, 10);
			a[10] = a[11] = 0xff;
		}
		t = tw_on_pair(d, &k, false);
	}
	if (t >= 0)
		drop(d, (size_t)t);
}

static int apply_one(tt_delta *d, const tt_sock_change *c)
{
	if (c->netns == d->netns && c->reset_to) {
		reset_to(d, c);
		return 0;
	}
	if (c->netns != d->netns || !c->cookie || c->to == TT_ST_UNKNOWN)
		return 0; /* another namespace's (read by polling), or not one sock_diag lists */
	uint64_t v;
	long i = tt_u64set_get(&d->by_cookie, c->cookie, &v) && v < d->n ? (long)v : -1;
	if (i >= 0 && d->socks[i].tw_end > 0)
		return 0; /* a TIME_WAIT has no more transitions: an old change */
	if (c->to == TT_ST_CLOSE) {
		if (c->time_wait)
			return to_time_wait(d, c, i);
		if (i >= 0)
			drop(d, (size_t)i);
		return 0;
	}
	if (i < 0)
		return add_new(d, c) < 0 ? -1 : 0;
	tt_delta_sock *k = &d->socks[i];
	k->state = c->to;
	if (c->inode)
		k->inode = c->inode;
	if (c->lport && (k->lport != c->lport || k->rport != c->rport)) {
		set_pair(k, c);
		reuse_pair(d, k);
	}
	if (c->to == TT_ST_LAST_ACK && c->from == TT_ST_CLOSE_WAIT) {
		/* its FIN ends its peer's wait: a FIN_WAIT2 one is a TIME_WAIT now */
		long p = tw_on_pair(d, k, true);
		if (p >= 0 && d->socks[p].state == TT_ST_FIN_WAIT2) {
			d->socks[p].state = TT_ST_TIME_WAIT;
			d->socks[p].tw_end = change_tw_end(c);
		}
	}
	return 0;
}

/* Squeeze out the gone sockets, keeping the order. */
static int compact(tt_delta *d)
{
	size_t w = 0;
	tt_u64set_clear(&d->by_cookie);
	tt_u64set_clear(&d->tw_pair);
	for (size_t i = 0; i < d->n; i++) {
		if (d->socks[i].state == TT_ST_UNKNOWN)
			continue;
		d->socks[w] = d->socks[i];
		if (tt_u64set_put(&d->by_cookie, d->socks[w].cookie, w) < 0 ||
		    (d->socks[w].tw_end > 0 && tt_u64set_put(&d->tw_pair, pair_key(&d->socks[w]), w) < 0))
			return -1;
		w++;
	}
	d->n = w;
	d->gone = 0;
	return 0;
}

int tt_delta_apply(tt_delta *d, const tt_sock_change *c, size_t n, double boot_now)
{
	d->applied = 0;
	for (size_t i = 0; i < n; i++) {
		if (apply_one(d, &c[i]) < 0) {
			invalidate(d);
			return -1;
		}
		d->applied++;
	}
	for (size_t i = 0; i < d->n; i++)
		if (d->socks[i].tw_end > 0 && d->socks[i].tw_end <= boot_now)
			drop(d, i);
	if (d->gone > d->n / 8 && compact(d) < 0) {
		invalidate(d);
		return -1;
	}
	return 0;
}

int tt_delta_emit(tt_delta *d, const tt_sock_filter *f, double boot_now, tt_snapshot *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const tt_delta_sock *k = &d->socks[i];
		if (k->state == TT_ST_UNKNOWN)
			continue;
		tt_sock o = {.cookie = k->cookie, .inode = k->inode, .family = k->family, .state = k->state,
			     .flags = k->flags, .lport = k->lport, .rport = k->rport, .uid = k->uid, .txq = k->txq,
			     .rxq = k->rxq};
		memcpy(o.laddr, k->laddr, 16);
		memcpy(o.raddr, k->raddr, 16);
		if (!tt_sock_filter_match(f, &o))
			continue;
		if (k->tw_end > 0) {
			o.timer = 3;
			double left = (k->tw_end - boot_now) * 1000.0;
			o.timer_ms = left > 0 ? (uint32_t)left : 0;
		}
		tt_sock *w = tt_snapshot_add_sock(out);
		if (!w)
			return -1;
		*w = o;
	}
	return 0;
}
