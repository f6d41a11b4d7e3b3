/* Each watched connection's lifecycle from its state changes (see connlife.h). */
#include <stdlib.h>
#include <string.h>

#include "collect/connlife.h"
#include "tenantop/vec.h"

#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_SYN_RECV 3
#define TCP_FIN_WAIT1 4
#define TCP_CLOSE 7
#define TCP_CLOSE_WAIT 8
#define TCP_LAST_ACK 9

#define TOLD 0x80 /* in the entry only: its opening was told */

struct tt_connlife_ent {
	uint64_t cookie;
	uint64_t ts;     /* when it entered its state */
	uint64_t opened, close_wait, app_closed;
	uint64_t ended;  /* this end closed: FIN_WAIT1, LAST_ACK or CLOSE, the first */
	uint64_t start_ns;
	uint32_t tgid, gen;
	uint16_t lport, rport; /* while connected (a closing socket may lose its own) */
	uint8_t state, flags;
	char comm[16];
};

void tt_connlife_init(tt_connlife *t)
{
	memset(t, 0, sizeof(*t));
	tt_u64set_init(&t->ix);
}

void tt_connlife_free(tt_connlife *t)
{
	free(t->v);
	tt_u64set_free(&t->ix);
	memset(t, 0, sizeof(*t));
}

static tt_connlife_ent *find(const tt_connlife *t, uint64_t cookie)
{
	uint64_t i;
	return tt_u64set_get(&t->ix, cookie, &i) && i < t->n ? &t->v[i] : NULL;
}

/* entry e goes: the last one takes its place */
static void drop(tt_connlife *t, tt_connlife_ent *e)
{
	size_t i = (size_t)(e - t->v);
	tt_u64set_del(&t->ix, e->cookie);
	if (i != t->n - 1) {
		t->v[i] = t->v[t->n - 1];
		if (tt_u64set_put(&t->ix, t->v[i].cookie, i) < 0) /* out of memory: forgotten too */
			tt_u64set_del(&t->ix, t->v[i].cookie);
	}
	t->n--;
}

/* the socket's entry, new or cleared (a socket that connects again) */
static tt_connlife_ent *fresh(tt_connlife *t, uint64_t cookie)
{
	bool created;
	tt_connlife_ent *e = TT_VEC_KEYED(t->v, t->n, t->cap, t->ix, cookie, &created);
	if (e) {
		memset(e, 0, sizeof(*e));
		e->cookie = cookie;
	}
	return e;
}

static void tell(const tt_connlife_ent *e, const tt_life_step *s, uint8_t lf, tt_conn_life *out)
{
	memset(out, 0, sizeof(*out));
	out->cookie = e->cookie;
	out->opened = e->opened;
	out->close_wait = e->close_wait;
	out->app_closed = e->app_closed;
	out->closed = lf & TT_LF_OPEN ? 0 : e->ended ? e->ended : s->ts;
	out->tgid = e->tgid;
	out->uid = s->uid;
	out->lport = e->lport;
	out->rport = e->rport;
	out->flags = (uint8_t)(lf | (e->flags & (TT_LF_CLIENT | TT_LF_V6)));
	out->start_ns = e->start_ns;
	memcpy(out->comm, e->comm, sizeof(out->comm));
}

int tt_connlife_step(tt_connlife *t, const tt_life_step *s, tt_conn_life *out)
{
	/* a connecting socket's first change, and an accepted one's (a child
	 * made in SYN_RECV; not a simultaneous open's): a new entry, whatever
	 * the cookie had before (a socket that connects again) */
	bool first = s->to == TCP_SYN_SENT || (s->to == TCP_SYN_RECV && s->from != TCP_SYN_SENT);
	tt_connlife_ent *e = first ? NULL : find(t, s->cookie);
	if (!e) {
		if (s->to == TCP_CLOSE) { /* closes with no change seen before: nothing to tell */
			if ((e = find(t, s->cookie)))
				drop(t, e);
			return 0;
		}
		if (!(e = fresh(t, s->cookie)))
			return -1;
		if (s->v6)
			e->flags = TT_LF_V6;
	}
	e->gen = t->gen + 1;
	e->ts = s->ts;
	e->state = s->to;
	if (!e->lport) {
		e->lport = s->lport;
		e->rport = s->rport;
	}
	if (!e->ended && (s->to == TCP_FIN_WAIT1 || s->to == TCP_LAST_ACK || s->to == TCP_CLOSE))
		e->ended = s->ts;
	if (s->owner) {
		e->tgid = s->owner->tgid;
		e->start_ns = s->owner->start_ns;
		memcpy(e->comm, s->owner->comm, sizeof(e->comm));
	}
	switch (s->to) {
	case TCP_SYN_SENT:
		e->opened = s->ts;
		e->flags |= TT_LF_CLIENT;
		return 0;
	case TCP_ESTABLISHED:
		/* the opening is told once connected, its ports known */
		if (s->from == TCP_SYN_RECV && !e->opened)
			e->opened = s->ts;
		if (!e->opened)
			return 0;
		if (s->lport || s->rport) {
			e->lport = s->lport;
			e->rport = s->rport;
		}
		e->flags |= TOLD;
		tell(e, s, TT_LF_OPEN, out);
		return 1;
	case TCP_CLOSE_WAIT:
		e->close_wait = s->ts;
		return 0;
	case TCP_LAST_ACK:
		if (s->from == TCP_CLOSE_WAIT)
			e->app_closed = s->ts;
		return 0;
	case TCP_CLOSE: {
		if (s->from == TCP_CLOSE_WAIT && !e->app_closed)
			e->app_closed = s->ts; /* closed with unread data: a reset instead of LAST_ACK */
		uint8_t lf = s->flags & TT_LF_RESET ? TT_LF_RESET : s->flags & TT_LF_TIME_WAIT;
		int told = 0;
		if (e->flags & TOLD) { /* a connection that never connected is no opening nor close */
			tell(e, s, lf, out);
			told = 1;
		}
		drop(t, e);
		return told;
	}
	default:
		return 0;
	}
}

uint64_t tt_connlife_since(const tt_connlife *t, uint64_t cookie, uint8_t *state)
{
	const tt_connlife_ent *e = find(t, cookie);
	*state = e ? e->state : 0;
	return e ? e->ts : 0;
}

void tt_connlife_mark(tt_connlife *t, uint64_t cookie)
{
	tt_connlife_ent *e = find(t, cookie);
	if (e)
		e->gen = t->gen + 1;
}

void tt_connlife_sweep(tt_connlife *t)
{
	++t->gen;
	TT_VEC_SWEEP(t->v, t->n, t->gen, t->ix, cookie);
}

void tt_connlife_forget(tt_connlife *t, bool (*watched)(const void *ctx, uint16_t port), const void *ctx)
{
	/* from the end: what takes a dropped entry's place was looked at already */
	for (size_t i = t->n; i-- > 0;) {
		const tt_connlife_ent *e = &t->v[i];
		if ((e->lport || e->rport) && !watched(ctx, e->lport) && !watched(ctx, e->rport))
			drop(t, &t->v[i]);
	}
}

size_t tt_connlife_count(const tt_connlife *t)
{
	return t->n;
}
