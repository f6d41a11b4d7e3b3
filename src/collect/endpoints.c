/* Endpoint memory (see endpoints.h). */
#include <stdlib.h>
#include <string.h>

#include "collect/endpoints.h"
#include "tenantop/vec.h"

#define FORGET_AFTER_S 600

void tt_endpoints_init(tt_endpoints *m)
{
	memset(m, 0, sizeof(*m));
	tt_u64set_init(&m->index);
}

void tt_endpoints_free(tt_endpoints *m)
{
	tt_u64set_free(&m->index);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

const struct tt_endpoint_mem *tt_endpoints_find(const tt_endpoints *m, uint64_t inode)
{
	uint64_t ix;
	if (!tt_u64set_get(&m->index, inode, &ix) || ix >= m->n)
		return NULL;
	return &m->v[ix];
}

static uint32_t add_ms(uint32_t a, double s)
{
	double v = a + s * 1000.0;
	return v >= UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* The entry of inode, a new one (info_at 0) when there is none; NULL out of memory. */
static struct tt_endpoint_mem *entry(tt_endpoints *m, uint64_t inode)
{
	bool created;
	return TT_VEC_KEYED(m->v, m->n, m->cap, m->index, inode, &created);
}

static void remember_info(struct tt_endpoint_mem *e, tt_sock *k, double mono, bool carry)
{
	if (k->flags & TT_SF_HAS_INFO) {
		e->last_data_sent_ms = k->last_data_sent_ms;
		e->last_data_recv_ms = k->last_data_recv_ms;
		e->last_ack_recv_ms = k->last_ack_recv_ms;
		e->rtt_us = k->rtt_us;
		e->probes = k->timeout;
		e->info_at = mono;
	} else if (carry && e->info_at > 0) {
		/* a quiet connection is exact, a busy one looks idle for at most the interval */
		double since = mono - e->info_at;
		k->last_data_sent_ms = add_ms(e->last_data_sent_ms, since);
		k->last_data_recv_ms = add_ms(e->last_data_recv_ms, since);
		k->last_ack_recv_ms = add_ms(e->last_ack_recv_ms, since);
		k->rtt_us = e->rtt_us;
		k->timeout = e->probes;
		k->flags |= TT_SF_HAS_INFO;
	}
}

void tt_endpoints_remember(tt_endpoints *m, tt_snapshot *s, double now, bool carry)
{
	for (size_t i = 0; i < s->nsocks; i++) {
		tt_sock *k = &s->socks[i];
		if (!k->inode || (k->flags & TT_SF_HELD_ONLY) || k->family == TT_FAM_UNIX)
			continue;
		struct tt_endpoint_mem *e = entry(m, k->inode);
		if (!e)
			return;
		e->inode = k->inode;
		e->last_seen = now;
		e->family = k->family;
		e->lport = k->lport;
		e->rport = k->rport;
		memcpy(e->laddr, k->laddr, 16);
		memcpy(e->raddr, k->raddr, 16);
		e->uid = k->uid;
		remember_info(e, k, s->mono, carry);
	}
}

void tt_endpoints_sweep(tt_endpoints *m, const tt_snapshot *s, double now)
{
	for (size_t i = 0; i < s->nsocks; i++) {
		uint64_t ix;
		if ((s->socks[i].flags & TT_SF_HELD_ONLY) && tt_u64set_get(&m->index, s->socks[i].inode, &ix))
			m->v[ix].last_seen = now;
	}
	size_t w = 0;
	for (size_t i = 0; i < m->n; i++)
		if (now - m->v[i].last_seen <= FORGET_AFTER_S)
			m->v[w++] = m->v[i];
	if (w == m->n)
		return;
	m->n = w;
	tt_u64set_clear(&m->index);
	for (size_t i = 0; i < m->n; i++)
		tt_u64set_put(&m->index, m->v[i].inode, i);
}
