/* The owner scan in named phases: list the processes and scan the
 * descriptors that changed (fdcache.c; or take every descriptor from the
 * BPF iterator's list, fdlist.c), scan again where a watched socket is
 * unexplained, then emit each process's owners and held sockets (held.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "collect/owners.h"
#include "tenantop/vec.h"

/* A process of this refresh: its cache slot, whether its descriptors were
 * just read (fresh) and whether that worked (ok). */
struct todo {
	size_t slot;
	bool fresh, ok;
};
struct todo_list {
	struct todo *v;
	size_t n, cap;
};

void tt_owners_init(tt_owners *o)
{
	tt_fdcache_init(&o->fc);
	tt_heldmem_init(&o->hm);
}

void tt_owners_free(tt_owners *o)
{
	tt_fdcache_free(&o->fc);
	tt_heldmem_free(&o->hm);
}

void tt_scan_ctx_init(tt_scan_ctx *sc)
{
	memset(sc, 0, sizeof(*sc));
	tt_u64set_init(&sc->wanted);
	tt_u64set_init(&sc->all_inodes);
	tt_u64set_init(&sc->ns_inodes);
	tt_u64set_init(&sc->held);
	tt_u64set_init(&sc->unknown_ix);
}

void tt_scan_ctx_free(tt_scan_ctx *sc)
{
	tt_u64set_free(&sc->wanted);
	tt_u64set_free(&sc->all_inodes);
	tt_u64set_free(&sc->ns_inodes);
	tt_u64set_free(&sc->held);
	tt_u64set_free(&sc->unknown_ix);
}

/* The descriptor count, for free, from the fd folder's size (the kernel's
 * /proc only; -1 otherwise).  false: the process cannot be looked into (counted). */
static bool fd_count(const tt_scan_ctx *sc, struct tt_pentry *e, int64_t *fd_size, tt_snapshot *out)
{
	*fd_size = -1;
	if (!sc->real_proc)
		return true;
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "%d/fd", (int)e->pid);
	if (fstatat(sc->rootfd, path, &st, 0) < 0) {
		if (errno == EACCES || errno == EPERM)
			out->stats.fd_denied++;
		else
			out->stats.vanished++;
		e->fd_size = -1;
		e->nsock = 0;
		return false;
	}
	*fd_size = st.st_size > 0 ? (int64_t)st.st_size : -1;
	e->uid = st.st_uid;
	return true;
}

/* Phase 1: every process of the refresh; read the descriptors of those new
 * or changed (or due for a check), keep the others' from the cache. */
static int list_processes(tt_owners *o, tt_scan_ctx *sc, struct todo_list *todo, tt_snapshot *out)
{
	tt_fdcache *fc = &o->fc;
	for (size_t i = 0; i < sc->pids->n; i++) {
		int32_t pid = sc->pids->v[i].pid;
		out->stats.procs++;
		bool created;
		struct tt_pentry *e = tt_fdcache_get(fc, pid, &created);
		if (!e)
			continue;
		e->gen = fc->gen;
		int64_t fd_size;
		if (!fd_count(sc, e, &fd_size, out))
			continue;
		bool verify = sc->verify && (uint32_t)pid % TT_FD_VERIFY_EVERY == fc->gen % TT_FD_VERIFY_EVERY;
		bool fresh = created || fd_size < 0 || e->fd_size != fd_size || verify;
		bool ok;
		if (sc->fdl) {
			/* the iterator's list is whole every refresh: taken, not scanned */
			size_t n;
			const struct tt_sockfd *recs = tt_fdlist_of(sc->fdl, (uint32_t)pid, &n);
			size_t first = recs ? (size_t)(recs - sc->fdl->v) : 0;
			ok = tt_fdcache_take(fc, sc->rootfd, e, fd_size, fresh, recs, n, first, out) == 0;
		} else {
			ok = !fresh || tt_fdcache_scan(fc, sc->rootfd, e, fd_size, out) == 0;
		}
		struct todo *t = TT_VEC_PUSH(todo->v, todo->n, todo->cap);
		if (!t)
			return -1;
		*t = (struct todo){(size_t)(e - fc->v), fresh, ok};
	}
	return 0;
}

/* The watched sockets no cached descriptor explains (into missing); true
 * when one of them is new since the last refresh (its uid into uids). */
static bool unexplained(tt_fdcache *fc, const struct todo_list *todo, const tt_snapshot *out, tt_u64set *missing,
			tt_u64set *uids)
{
	tt_u64set *have = &fc->have;
	tt_u64set_clear(have);
	for (size_t t = 0; t < todo->n; t++) {
		const struct tt_pentry *e = &fc->v[todo->v[t].slot];
		for (size_t i = 0; todo->v[t].ok && i < e->nsock; i++)
			tt_u64set_add(have, e->fds[i].inode);
	}
	tt_u64set_clear(uids);
	tt_u64set_clear(missing);
	bool any_new = false;
	for (size_t i = 0; i < out->nsocks; i++) {
		const tt_sock *k = &out->socks[i];
		if (!k->inode || tt_u64set_has(have, k->inode))
			continue;
		tt_u64set_add(missing, k->inode);
		if (!tt_u64set_has(&fc->missing, k->inode)) {
			tt_u64set_add(uids, k->uid);
			any_new = true;
		}
	}
	return any_new;
}

/* Phase 2: a watched socket no descriptor explains, new since the last
 * refresh: someone swapped descriptors without changing their count.  Scan
 * the processes of that socket's uid again, then, if that was not enough,
 * every process not scanned this time (once per new socket). */
static void rescan_unexplained(tt_owners *o, tt_scan_ctx *sc, struct todo_list *todo, tt_snapshot *out)
{
	tt_fdcache *fc = &o->fc;
	tt_u64set uids, next_missing;
	tt_u64set_init(&uids);
	tt_u64set_init(&next_missing);
	for (int round = 0; round < 2; round++) {
		if (!unexplained(fc, todo, out, &next_missing, &uids))
			break;
		for (size_t t = 0; t < todo->n; t++) {
			struct tt_pentry *e = &fc->v[todo->v[t].slot];
			if (todo->v[t].fresh || (round == 0 && !tt_u64set_has(&uids, e->uid)))
				continue;
			todo->v[t].fresh = true;
			todo->v[t].ok = tt_fdcache_scan(fc, sc->rootfd, e, e->fd_size, out) == 0;
		}
	}
	tt_u64set_free(&fc->missing);
	fc->missing = next_missing;
	tt_u64set_free(&uids);
}

/* Does the process hold a watched socket?  (A dead connection whose
 * endpoint cannot be learnt may be anyone's: shown apart, only for a
 * process that holds watched sockets too.) */
static bool holds_watched(const tt_scan_ctx *sc, const struct tt_pentry *e)
{
	if (sc->ports && sc->ports->all)
		return true;
	uint64_t v;
	for (size_t i = 0; i < e->nsock; i++)
		if ((tt_u64set_get(&sc->wanted, e->fds[i].inode, &v) && !(v & TT_WANT_WEAK)) ||
		    tt_endpoints_find(sc->eps, e->fds[i].inode))
			return true;
	return false;
}

/* Is this descriptor's socket one the process owns in the snapshot? */
static bool owned(tt_owners *o, tt_scan_ctx *sc, const struct tt_pentry *e, const struct tt_pfd *fd, bool fresh,
		  bool watched, tt_snapshot *out)
{
	uint64_t v;
	if (tt_u64set_get(&sc->wanted, fd->inode, &v))
		return !(v & TT_WANT_WEAK) || tt_held_unix(sc, &o->hm, e, fd, watched, out);
	if (!sc->check_held)
		return false;
	uint64_t known;
	if (tt_u64set_get(&sc->held, fd->inode, &known))
		return known != 0; /* 0: held, on an unwatched port */
	return tt_held_tcp(sc, &o->hm, e, fd, fresh, watched, out);
}

/* Phase 3: the owners (and held sockets) of one process.  fresh: its
 * descriptors were just read, so every unlisted TCP socket is a candidate;
 * otherwise only sockets already known to be held are. */
static void emit(tt_owners *o, tt_scan_ctx *sc, struct tt_pentry *e, bool fresh, tt_snapshot *out)
{
	size_t owners_mark = out->nowners;
	bool watched = holds_watched(sc, e);
	for (size_t i = 0; i < e->nsock; i++) {
		const struct tt_pfd *fd = &e->fds[i];
		if (!owned(o, sc, e, fd, fresh, watched, out))
			continue;
		tt_owner *ow = tt_snapshot_add_owner(out);
		if (!ow)
			break;
		uint64_t ns = 0;
		if (tt_u64set_get(&sc->wanted, fd->inode, &ns) && (ns & ~TT_WANT_WEAK) != TT_OWN_NS)
			ow->netns = ns & ~TT_WANT_WEAK;
		ow->inode = fd->inode;
		ow->fd = fd->fd;
		ow->proc = UINT32_MAX; /* set below */
	}
	if (out->nowners == owners_mark)
		return;
	long pi = tt_fdcache_push_proc(sc->rootfd, sc->real_proc, sc->users, e, out);
	if (pi < 0) {
		out->nowners = owners_mark;
		return;
	}
	for (size_t i = owners_mark; i < out->nowners; i++)
		out->owners[i].proc = (uint32_t)pi;
}

int tt_owners_scan(tt_owners *o, tt_scan_ctx *sc, tt_snapshot *out)
{
	o->fc.gen++;
	o->hm.gen = o->fc.gen;
	tt_u64set_clear(&sc->held);
	/* the iterator's list, read now that the watched ports are known; /proc when it fails */
	if (sc->fdl && tt_fdlist_fill(sc->fdl, sc->ports && !sc->ports->all ? sc->ports : NULL) < 0)
		sc->fdl = NULL;
	struct todo_list todo = {0};
	list_processes(o, sc, &todo, out);
	if (sc->real_proc && !sc->fdl)
		rescan_unexplained(o, sc, &todo, out);
	for (size_t t = 0; t < todo.n; t++)
		if (todo.v[t].ok)
			emit(o, sc, &o->fc.v[todo.v[t].slot], todo.v[t].fresh, out);
	free(todo.v);
	/* forget what was learnt of descriptors and processes that are gone */
	tt_heldmem_sweep(&o->hm);
	tt_fdcache_sweep(&o->fc);
	return 0;
}
