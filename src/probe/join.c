/* The joiner: each server session paired with the sockets of the snapshot,
 * exactly, never from what a client says about itself.
 *   TCP:  the session's client address:port is one end of the socket, and
 *         the other end's port is one the server listens on;
 *   Unix: the server's descriptor of the session -> its socket inode (read
 *         by the probe, or, for a PostgreSQL backend, the one Unix socket
 *         the backend holds per the snapshot's owners) = the server end;
 *         the client end is the socket whose peer is that inode.
 * Pure: no I/O. */
#include <stdlib.h>
#include <string.h>

#include "tenantop/probe.h"
#include "tenantop/u64set.h"
#include "tenantop/vec.h"

void tt_db_join_init(tt_db_join *j)
{
	memset(j, 0, sizeof(*j));
}

void tt_db_join_free(tt_db_join *j)
{
	free(j->sock_session);
	tt_db_join_init(j);
}

/* An endpoint in one form: v4-mapped IPv6 becomes IPv4. */
static uint64_t ep_key(uint8_t family, const uint8_t addr[16], uint16_t port, uint8_t out[16], uint8_t *ofam)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	memset(out, 0, 16);
	if (family == TT_FAM_TCP6 && !memcmp(addr, mapped, 12)) {
		memcpy(out, addr + 12, 4);
		family = TT_FAM_TCP4;
	} else {
		memcpy(out, addr, family == TT_FAM_TCP4 ? 4 : 16);
	}
	*ofam = family;
	uint64_t a, b;
	memcpy(&a, out, 8);
	memcpy(&b, out + 8, 8);
	return tt_hash_mix(tt_hash_mix(a, b), ((uint64_t)family << 16) | port);
}

static bool server_port(const tt_db_server *srv, uint16_t port)
{
	for (unsigned i = 0; i < srv->t.ntcp_ports; i++)
		if (srv->t.tcp_ports[i] == port)
			return true;
	return srv->t.ntcp_ports == 0 && srv->t.port == port;
}

/* The session whose client endpoint is (family, addr, port), or -1. */
static long tcp_session(const tt_u64set *map, const tt_db_results *r, uint8_t family, const uint8_t addr[16],
			uint16_t port, uint16_t other_port)
{
	uint8_t a[16], f;
	uint64_t v, key = ep_key(family, addr, port, a, &f);
	if (!tt_u64set_get(map, key, &v))
		return -1;
	const tt_db_session *s = &r->sessions[v];
	uint8_t sa[16], sf;
	ep_key(s->family, s->addr, s->port, sa, &sf);
	if (sf != f || s->port != port || memcmp(sa, a, 16) != 0)
		return -1;
	if (s->server >= r->nservers || !server_port(&r->servers[s->server], other_port))
		return -1;
	return (long)v;
}

/* PostgreSQL Unix sessions whose socket the probe could not name: the
 * backend's one Unix socket among the snapshot's owners.  0, or -1 out of memory. */
static int name_unix_backends(const tt_snapshot *s, tt_db_results *r)
{
	int rc = 0;
	tt_u64set backends, unix_socks;
	tt_u64set_init(&backends);
	tt_u64set_init(&unix_socks);
	for (size_t i = 0; i < r->nsessions; i++) {
		tt_db_session *ss = &r->sessions[i];
		if (ss->family == TT_FAM_UNIX && !ss->server_inode && ss->backend_pid > 0)
			rc |= tt_u64set_put(&backends, (uint64_t)ss->backend_pid, i);
	}
	if (backends.len) {
		for (size_t i = 0; i < s->nsocks; i++)
			if (s->socks[i].family == TT_FAM_UNIX && s->socks[i].inode && s->socks[i].state != TT_ST_LISTEN)
				rc |= tt_u64set_put(&unix_socks, s->socks[i].inode, i);
		for (size_t i = 0; i < s->nowners; i++) {
			const tt_owner *o = &s->owners[i];
			uint64_t si;
			if (o->proc >= s->nprocs || !tt_u64set_get(&backends, (uint64_t)s->procs[o->proc].pid, &si))
				continue;
			if (!tt_u64set_has(&unix_socks, o->inode))
				continue;
			tt_db_session *ss = &r->sessions[si];
			/* two Unix sockets in one backend: not knowable, leave it */
			ss->server_inode = ss->server_inode && ss->server_inode != o->inode ? UINT64_MAX : o->inode;
		}
		for (size_t i = 0; i < r->nsessions; i++)
			if (r->sessions[i].server_inode == UINT64_MAX)
				r->sessions[i].server_inode = 0;
	}
	tt_u64set_free(&backends);
	tt_u64set_free(&unix_socks);
	return rc;
}

/* The session of each snapshot socket: by TCP endpoint (tcp) or by the
 * server end's Unix inode (unix_srv). */
static void pair_sockets(tt_db_join *j, const tt_snapshot *s, const tt_db_results *r, const tt_u64set *tcp,
			 const tt_u64set *unix_srv, bool *paired)
{
	for (size_t i = 0; i < s->nsocks; i++) {
		const tt_sock *k = &s->socks[i];
		if (k->state == TT_ST_LISTEN)
			continue;
		long si = -1;
		if (k->family == TT_FAM_TCP4 || k->family == TT_FAM_TCP6) {
			if (!tcp->len || (k->flags & TT_SF_ENDPOINT_UNKNOWN))
				continue;
			/* the client's own socket, then the server's end */
			si = tcp_session(tcp, r, k->family, k->laddr, k->lport, k->rport);
			if (si < 0)
				si = tcp_session(tcp, r, k->family, k->raddr, k->rport, k->lport);
		} else if (k->family == TT_FAM_UNIX && unix_srv->len) {
			uint64_t v;
			if (k->inode && tt_u64set_get(unix_srv, k->inode, &v))
				si = (long)v;
			else if (k->peer_inode && tt_u64set_get(unix_srv, k->peer_inode, &v))
				si = (long)v;
		}
		if (si >= 0) {
			j->sock_session[i] = (int32_t)si;
			paired[si] = true;
		}
	}
}

/* A pooler's server connection: the backend session whose client end is
 * the pooler's end of it serves the pooler client named by the link. */
static void link_pooled(tt_db_results *r, const tt_u64set *tcp)
{
	for (size_t i = 0; i < r->nsessions; i++)
		r->sessions[i].link = -1;
	for (size_t k = 0; k < r->nlinks; k++) {
		const tt_db_link *l = &r->links[k];
		long ci = -1, bi = -1;
		for (size_t i = 0; i < r->nsessions && ci < 0; i++)
			if (r->sessions[i].server == l->server && !strcmp(r->sessions[i].id, l->client_id))
				ci = (long)i;
		uint8_t a[16], f;
		uint64_t v, key = ep_key(l->family, l->addr, l->port, a, &f);
		if (ci >= 0 && tt_u64set_get(tcp, key, &v) && r->sessions[v].server != l->server) {
			const tt_db_session *b = &r->sessions[v];
			uint8_t ba[16], bf;
			ep_key(b->family, b->addr, b->port, ba, &bf);
			if (bf == f && b->port == l->port && !memcmp(ba, a, 16))
				bi = (long)v;
		}
		if (bi >= 0)
			r->sessions[bi].link = (int32_t)ci;
	}
}

int tt_db_join_run(tt_db_join *j, const tt_snapshot *s, tt_db_results *r)
{
	if (TT_VEC_RESERVE(j->sock_session, j->cap, s->nsocks) < 0)
		return -1;
	j->n = s->nsocks;
	for (size_t i = 0; i < j->n; i++)
		j->sock_session[i] = -1;
	j->unpaired = 0;
	bool *paired = calloc(r->nsessions ? r->nsessions : 1, sizeof(bool));
	if (!paired)
		return -1;
	int rc = name_unix_backends(s, r);
	tt_u64set tcp, unix_srv;
	tt_u64set_init(&tcp);
	tt_u64set_init(&unix_srv);
	for (size_t i = 0; i < r->nsessions; i++) {
		const tt_db_session *ss = &r->sessions[i];
		if ((ss->family == TT_FAM_TCP4 || ss->family == TT_FAM_TCP6) && ss->port) {
			uint8_t a[16], f;
			rc |= tt_u64set_put(&tcp, ep_key(ss->family, ss->addr, ss->port, a, &f), i);
		} else if (ss->family == TT_FAM_UNIX && ss->server_inode) {
			rc |= tt_u64set_put(&unix_srv, ss->server_inode, i);
		}
	}
	pair_sockets(j, s, r, &tcp, &unix_srv, paired);
	link_pooled(r, &tcp);
	for (size_t i = 0; i < r->nservers; i++)
		r->servers[i].paired = r->servers[i].unpaired = 0;
	for (size_t i = 0; i < r->nsessions; i++) {
		uint32_t sv = r->sessions[i].server;
		if (sv >= r->nservers)
			continue;
		if (paired[i])
			r->servers[sv].paired++;
		else
			r->servers[sv].unpaired++, j->unpaired++;
	}
	free(paired);
	tt_u64set_free(&tcp);
	tt_u64set_free(&unix_srv);
	return rc ? -1 : 0;
}
