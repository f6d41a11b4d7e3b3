/* Held sockets no table lists (see held.h). */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "collect/held.h"
#include "collect/peek.h"
#include "collect/procinfo.h"
#include "tenantop/vec.h"

/* The scan's pidfd, closed. */
static void drop_pidfd(tt_heldmem *hm)
{
	if (hm->pid && hm->pidfd >= 0)
		close(hm->pidfd);
	hm->pid = 0;
	hm->pidfd = -1;
}

void tt_heldmem_init(tt_heldmem *hm)
{
	memset(hm, 0, sizeof(*hm));
	hm->pidfd = -1;
	tt_u64set_init(&hm->pm_index);
	tt_u64set_init(&hm->proto_cache);
}

void tt_heldmem_free(tt_heldmem *hm)
{
	drop_pidfd(hm);
	free(hm->pm);
	tt_u64set_free(&hm->pm_index);
	tt_u64set_free(&hm->proto_cache);
	memset(hm, 0, sizeof(*hm));
}

void tt_heldmem_sweep(tt_heldmem *hm)
{
	drop_pidfd(hm);
	TT_VEC_SWEEP(hm->pm, hm->npm, hm->gen, hm->pm_index, inode);
}

/* The socket behind descriptor fd of process pid, duplicated through the
 * process's pidfd (opened once for all its descriptors in a scan): >= 0, or
 * TT_PEEK_GONE / TT_PEEK_DENIED with errno in *why. */
static int dup_sock(tt_heldmem *hm, int32_t pid, int fd, int *why)
{
	if (hm->pid != pid) {
		drop_pidfd(hm);
		hm->pid = pid;
		hm->pidfd = tt_peek_pidfd(pid, &hm->pidfd_why);
	}
	if (hm->pidfd < 0) {
		*why = hm->pidfd_why;
		return *why == ESRCH ? TT_PEEK_GONE : TT_PEEK_DENIED;
	}
	return tt_peek_dup(hm->pidfd, fd, why);
}

/* Ask a socket what it is through a duplicate of descriptor fd (sfd: one
 * already made, else -1; allowed: whether descriptors may be duplicated):
 * TT_PEEK_OK with pk filled, or TT_PEEK_GONE / TT_PEEK_DENIED (pk empty). */
static int ask_dup(tt_heldmem *hm, bool allowed, int32_t pid, int fd, int sfd, bool unix_sock, tt_peek *pk,
		   int *why)
{
	memset(pk, 0, sizeof(*pk));
	pk->state = -1;
	*why = 0;
	if (!allowed)
		return TT_PEEK_DENIED;
	bool own = sfd < 0;
	if (own && (sfd = dup_sock(hm, pid, fd, why)) < 0)
		return sfd;
	tt_peek_ask(sfd, unix_sock, pk);
	if (own)
		close(sfd);
	return TT_PEEK_OK;
}

static int proto_of(int family, int protocol)
{
	if (protocol != IPPROTO_TCP)
		return TT_PROTO_OTHER;
	return family == AF_INET ? TT_PROTO_TCP : family == AF_INET6 ? TT_PROTO_TCP6 : TT_PROTO_OTHER;
}

/* Protocol of a socket from its descriptor: asked of the socket itself
 * (duplicated, into *sfd, for what is asked next), else sockfs'
 * "system.sockprotoname" xattr ("TCP", "TCPv6": the same answer); fixture
 * trees (no xattrs) keep it in PID/fdproto/N.  -1: gone. */
static int sock_proto(tt_scan_ctx *sc, tt_heldmem *hm, int pid, int fd, uint64_t inode, int *sfd)
{
	uint64_t v;
	if (tt_u64set_get(&hm->proto_cache, inode, &v))
		return (int)v;
	if (sc->real_proc && sc->try_pidfd) {
		int why = 0, family, protocol;
		int s = dup_sock(hm, pid, fd, &why);
		if (s == TT_PEEK_GONE)
			return -1;
		if (s >= 0 && tt_peek_proto(s, &family, &protocol) == 0) {
			int proto = proto_of(family, protocol);
			tt_u64set_put(&hm->proto_cache, inode, (uint64_t)proto);
			*sfd = s;
			return proto;
		}
		if (s >= 0)
			close(s);
	}
	char path[4200], name[32];
	ssize_t n = -1;
	snprintf(path, sizeof(path), "%s/%d/fd/%d", sc->root_path, pid, fd);
	if (sc->real_proc)
		n = getxattr(path, "system.sockprotoname", name, sizeof(name) - 1);
	if (n < 0) {
		snprintf(path, sizeof(path), "%d/fdproto/%d", pid, fd);
		n = tt_read_file_at(sc->rootfd, path, name, sizeof(name) - 1);
		if (n < 0)
			return -1;
		while (n > 0 && (name[n - 1] == '\n' || name[n - 1] == ' '))
			n--;
	}
	name[n] = '\0';
	int proto = strcmp(name, "TCP") == 0 ? TT_PROTO_TCP : strcmp(name, "TCPv6") == 0 ? TT_PROTO_TCP6 : TT_PROTO_OTHER;
	tt_u64set_put(&hm->proto_cache, inode, (uint64_t)proto);
	return proto;
}

static struct tt_peekmem *pm_find(tt_heldmem *hm, uint64_t inode)
{
	uint64_t ix;
	return tt_u64set_get(&hm->pm_index, inode, &ix) && ix < hm->npm ? &hm->pm[ix] : NULL;
}

static struct tt_peekmem *pm_new(tt_heldmem *hm, uint64_t inode)
{
	struct tt_peekmem *pm = pm_find(hm, inode);
	if (pm)
		return pm;
	if (tt_u64set_put(&hm->pm_index, inode, hm->npm) < 0)
		return NULL;
	pm = TT_VEC_PUSH(hm->pm, hm->npm, hm->pm_cap);
	if (!pm) {
		tt_u64set_del(&hm->pm_index, inode);
		return NULL;
	}
	pm->inode = inode;
	return pm;
}

static void peek_failed(tt_snapshot *out, int why)
{
	if (!out->stats.peek_errno)
		out->stats.peek_errno = why ? why : EPERM;
}

/* The held socket of a descriptor, with what is known of its endpoints (em:
 * its endpoint memory, NULL none), appended to the snapshot once (several
 * processes may hold it).  -1 when the port filter does not keep it. */
static long held_socket(tt_scan_ctx *sc, tt_snapshot *out, uint64_t inode, int proto, const struct tt_peekmem *pm,
			const struct tt_endpoint_mem *em)
{
	uint64_t ix;
	if (tt_u64set_get(&sc->held, inode, &ix))
		return ix ? (long)ix - 1 : -1;
	tt_sock k;
	memset(&k, 0, sizeof(k));
	k.inode = inode;
	k.state = TT_ST_CLOSE;
	k.family = proto == TT_PROTO_TCP6 ? TT_FAM_TCP6 : TT_FAM_TCP4;
	k.flags = TT_SF_HELD_ONLY;
	if (pm->what == TT_PM_HELD) {
		k.family = pm->family;
		memcpy(k.laddr, pm->laddr, 16);
		memcpy(k.raddr, pm->raddr, 16);
		k.lport = pm->lport;
		k.rport = pm->rport;
		if (em)
			k.uid = em->uid;
		if (pm->remembered)
			k.flags |= TT_SF_ENDPOINT_REMEMBERED;
		tt_sock_filter f = {sc->ports, 0};
		if (!tt_sock_filter_match(&f, &k)) {
			tt_u64set_put(&sc->held, inode, 0);
			return -1;
		}
	} else {
		k.flags |= TT_SF_ENDPOINT_UNKNOWN;
		memcpy(k.laddr, pm->laddr, 16);
		k.lport = pm->lport;
	}
	tt_sock *dst = tt_snapshot_add_sock(out);
	if (!dst)
		return -1;
	*dst = k;
	if (k.flags & TT_SF_ENDPOINT_UNKNOWN)
		out->stats.held_unknown++;
	else
		out->stats.held++;
	tt_u64set_put(&sc->held, inode, out->nsocks);
	return (long)out->nsocks - 1;
}

/* Is the socket listed somewhere after all (then alive)?  Asked of the
 * source's unfiltered read, once a refresh, when the socket cannot be asked. */
static bool listed(tt_scan_ctx *sc, uint64_t inode, int rc)
{
	if (sc->all_inodes_valid && tt_u64set_has(&sc->all_inodes, inode))
		return true;
	if (rc != TT_PEEK_DENIED || sc->all_inodes_valid)
		return false;
	char err[160];
	if (!sc->src || !sc->src->ops || tt_source_all_inodes(sc->src, &sc->all_inodes, err, sizeof(err)) < 0)
		return true; /* cannot tell: not a held socket as far as anyone knows */
	sc->all_inodes_valid = true;
	return tt_u64set_has(&sc->all_inodes, inode);
}

/* What the socket said of itself (rc, pk) and its endpoint memory (em) into pm.
 * false: not a held socket. */
static bool learn(struct tt_peekmem *pm, int rc, const tt_peek *pk, int why, const struct tt_endpoint_mem *em,
		  tt_snapshot *out)
{
	if (rc == TT_PEEK_OK && (pk->connected || (pk->state >= 0 && pk->state != TT_ST_CLOSE))) {
		pm->what = TT_PM_LIVE; /* it moved after the table was read, or is unwatched */
		pm->lport = pk->lport, pm->rport = pk->rport;
		return false;
	}
	if (rc == TT_PEEK_OK && pk->local) {
		pm->family = pk->family;
		memcpy(pm->laddr, pk->laddr, 16);
		pm->lport = pk->lport;
	}
	if (rc == TT_PEEK_OK && pk->peer) {
		pm->what = TT_PM_HELD;
		if (!pk->local)
			pm->family = pk->family;
		memcpy(pm->raddr, pk->raddr, 16);
		pm->rport = pk->rport;
		if (!pk->local && em) {
			memcpy(pm->laddr, em->laddr, 16);
			pm->lport = em->lport;
		}
	} else if (em) {
		pm->what = TT_PM_HELD; /* seen in the tables before it was reset */
		pm->remembered = 1;
		pm->family = em->family;
		memcpy(pm->laddr, em->laddr, 16);
		memcpy(pm->raddr, em->raddr, 16);
		pm->lport = em->lport, pm->rport = em->rport;
	} else if (rc == TT_PEEK_OK) {
		pm->what = TT_PM_UNCONNECTED; /* never connected: nobody's connection */
		return false;
	} else {
		pm->what = TT_PM_UNKNOWN;
		peek_failed(out, why);
	}
	return true;
}

/* What the socket says of itself: from its iterator record when it has one
 * (the kernel's fields that getsockopt TCP_INFO, getsockname and
 * SO_PEERNAME give), else asked through a duplicate of the descriptor. */
static int ask_tcp(const tt_scan_ctx *sc, tt_heldmem *hm, const struct tt_pentry *e, const struct tt_pfd *fd,
		   int sfd, tt_peek *pk, int *why)
{
	const tt_fdlist *l = sc->fdl;
	const struct tt_sockfd *r = l && fd->rec && fd->rec <= l->n ? &l->v[fd->rec - 1] : NULL;
	if (!r || r->ino != fd->inode || (r->family != AF_INET && r->family != AF_INET6)) {
		if (!sc->real_proc)
			return tt_peek_socket(sc->rootfd, sc->real_proc, e->pid, fd->fd, false, pk, why);
		return ask_dup(hm, sc->try_pidfd, e->pid, fd->fd, sfd, false, pk, why);
	}
	memset(pk, 0, sizeof(*pk));
	*why = 0;
	pk->state = r->state;
	pk->local = true;
	pk->family = r->family == AF_INET6 ? TT_FAM_TCP6 : TT_FAM_TCP4;
	pk->lport = r->lport;
	pk->rport = r->rport;
	pk->peer = r->rport != 0;
	const struct tt_sockfd_addrs *a = tt_fdlist_addrs(l, r);
	if (a) {
		memcpy(pk->laddr, a->laddr, 16);
		if (pk->peer)
			memcpy(pk->raddr, a->raddr, 16);
	}
	return TT_PEEK_OK;
}

/* A TCP socket of this descriptor that no table listed: is it held after a
 * reset, and to where?  Asked once; the answer is kept while the
 * descriptor lives (a reset socket stays closed, a live one keeps its
 * endpoints).  NULL: not a held socket (or gone). */
static const struct tt_peekmem *classify_tcp(tt_scan_ctx *sc, tt_heldmem *hm, const struct tt_pentry *e,
					     const struct tt_pfd *fd, int sfd, bool fresh, const struct tt_endpoint_mem *em,
					     tt_snapshot *out)
{
	struct tt_peekmem *pm = pm_find(hm, fd->inode);
	if (pm) {
		pm->gen = hm->gen;
		if (pm->what == TT_PM_HELD || pm->what == TT_PM_UNKNOWN)
			return pm;
		if (pm->what == TT_PM_UNCONNECTED && !fresh)
			return NULL;
		if (pm->what == TT_PM_LIVE) {
			tt_sock k;
			memset(&k, 0, sizeof(k));
			k.lport = pm->lport, k.rport = pm->rport;
			tt_sock_filter f = {sc->ports, 0};
			if (!tt_sock_filter_match(&f, &k))
				return NULL; /* alive, and not a database connection */
		}
	} else if (!fresh && !em) {
		return NULL; /* a descriptor already looked at */
	}
	if (sc->all_inodes_valid && tt_u64set_has(&sc->all_inodes, fd->inode))
		return NULL; /* listed: alive */
	if (tt_u64set_has(&sc->ns_inodes, fd->inode))
		return NULL; /* listed in another namespace's table */
	tt_peek pk;
	int why = 0;
	int rc = ask_tcp(sc, hm, e, fd, sfd, &pk, &why);
	if (rc == TT_PEEK_GONE)
		return NULL;
	if (rc == TT_PEEK_DENIED && why == ENOSYS)
		sc->try_pidfd = false;
	if (rc == TT_PEEK_DENIED && listed(sc, fd->inode, rc))
		return NULL;
	if (!pm && !(pm = pm_new(hm, fd->inode)))
		return NULL;
	pm->gen = hm->gen;
	return learn(pm, rc, &pk, why, em, out) ? pm : NULL;
}

bool tt_held_tcp(tt_scan_ctx *sc, tt_heldmem *hm, const struct tt_pentry *e, const struct tt_pfd *fd, bool fresh,
		 bool watched, tt_snapshot *out)
{
	int sfd = -1; /* the socket, when asking its protocol duplicated it */
	int proto = fd->proto ? fd->proto : sock_proto(sc, hm, e->pid, fd->fd, fd->inode, &sfd);
	bool held = false;
	if (proto == TT_PROTO_TCP || proto == TT_PROTO_TCP6) {
		const struct tt_endpoint_mem *em = tt_endpoints_find(sc->eps, fd->inode);
		const struct tt_peekmem *pm = classify_tcp(sc, hm, e, fd, sfd, fresh, em, out);
		held = pm && !(pm->what == TT_PM_UNKNOWN && !watched) &&
		       held_socket(sc, out, fd->inode, proto, pm, em) >= 0;
	}
	if (sfd >= 0)
		close(sfd);
	return held;
}

/* Ask a Unix client where it was connected, into pm.  false: it is gone. */
static bool ask_unix(tt_scan_ctx *sc, tt_heldmem *hm, const struct tt_pentry *e, const struct tt_pfd *fd,
		     struct tt_peekmem **pmp, tt_peek *pk, bool *nomem, tt_snapshot *out)
{
	int why = 0;
	int rc = sc->real_proc ? ask_dup(hm, true, e->pid, fd->fd, -1, true, pk, &why)
			       : tt_peek_socket(sc->rootfd, sc->real_proc, e->pid, fd->fd, true, pk, &why);
	if (rc == TT_PEEK_GONE)
		return false;
	if (!*pmp && !(*pmp = pm_new(hm, fd->inode))) {
		*nomem = true;
		return true;
	}
	struct tt_peekmem *pm = *pmp;
	if (rc == TT_PEEK_DENIED) {
		pm->what = TT_PM_UNKNOWN;
		peek_failed(out, why);
	} else if (pk->peer && (sc->ports->all || tt_unix_watch_match(sc->uwatch, pk->path))) {
		pm->what = TT_PM_UNIX_TARGET;
		tt_unix_mem_learn(sc->umem, fd->inode, pk->path);
	} else {
		pm->what = TT_PM_UNIX_OTHER;
	}
	return true;
}

bool tt_held_unix(tt_scan_ctx *sc, tt_heldmem *hm, const struct tt_pentry *e, const struct tt_pfd *fd, bool watched,
		  tt_snapshot *out)
{
	uint64_t ix;
	if (!tt_u64set_get(&sc->unknown_ix, fd->inode, &ix) || ix >= out->nsocks)
		return watched;
	tt_sock *k = &out->socks[ix];
	if (!(k->flags & TT_SF_ENDPOINT_UNKNOWN))
		return true; /* answered for another holder already */
	struct tt_peekmem *pm = pm_find(hm, fd->inode);
	tt_peek pk;
	memset(&pk, 0, sizeof(pk));
	if (!pm || pm->what == TT_PM_UNKNOWN) {
		bool nomem = false;
		if (!ask_unix(sc, hm, e, fd, &pm, &pk, &nomem, out))
			return false;
		if (nomem)
			return watched;
	}
	pm->gen = hm->gen;
	if (pm->what == TT_PM_UNIX_TARGET) {
		const char *path = pk.path[0] ? pk.path : tt_unix_mem_target(sc->umem, fd->inode);
		if (path) {
			k->peer_path = tt_snapshot_str(out, path, strlen(path), 256);
			k->flags &= (uint8_t)~TT_SF_ENDPOINT_UNKNOWN;
			return true;
		}
	}
	if (pm->what == TT_PM_UNKNOWN) {
		if (watched)
			out->stats.held_unknown++;
		return watched;
	}
	k->flags |= TT_SF_DROP;
	return false;
}
