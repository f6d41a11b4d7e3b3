/* The descriptor side: which process holds which socket (/proc/PID/fd), and
 * TCP sockets a process holds that no table lists any more (reset, held). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "tenantop/clock.h"
#include "tenantop/collect_internal.h"
#include "tenantop/vec.h"

enum { PROTO_OTHER = 1, PROTO_TCP = 2, PROTO_TCP6 = 3 };

/* Protocol of a socket from its descriptor: sockfs' "system.sockprotoname"
 * xattr; fixture trees (no xattrs) keep it in PID/fdproto/N. */
static int sock_proto(tt_scan_ctx *sc, int pid, const char *fdname, uint64_t inode)
{
	uint64_t v;
	if (tt_u64set_get(&sc->proto_cache, inode, &v))
		return (int)v;
	char path[4200], name[32];
	ssize_t n = -1;
	snprintf(path, sizeof(path), "%s/%d/fd/%s", sc->root_path, pid, fdname);
	if (sc->real_proc)
		n = getxattr(path, "system.sockprotoname", name, sizeof(name) - 1);
	if (n < 0) {
		snprintf(path, sizeof(path), "%d/fdproto/%s", pid, fdname);
		n = tt_read_file_at(sc->rootfd, path, name, sizeof(name) - 1);
		if (n < 0)
			return -1;
		while (n > 0 && (name[n - 1] == '\n' || name[n - 1] == ' '))
			n--;
	}
	name[n] = '\0';
	int proto = strcmp(name, "TCP") == 0 ? PROTO_TCP : strcmp(name, "TCPv6") == 0 ? PROTO_TCP6 : PROTO_OTHER;
	tt_u64set_put(&sc->proto_cache, inode, (uint64_t)proto);
	return proto;
}

/* What is known of a socket no table lists (or that might be so), kept
 * across refreshes while a descriptor holds it. */
enum { PM_LIVE = 1, PM_HELD, PM_UNKNOWN, PM_UNCONNECTED, PM_UNIX_TARGET, PM_UNIX_OTHER };
struct peekmem {
	uint64_t inode;
	uint32_t gen;
	uint8_t what;       /* PM_* */
	uint8_t family;
	uint8_t remembered; /* endpoints from an earlier sighting in the tables */
	uint16_t lport, rport;
	uint8_t laddr[16], raddr[16];
};

/* The held socket of a descriptor, with what is known of its endpoints,
 * appended to the snapshot once (several processes may hold it).  -1 when
 * the port filter does not keep it. */
static long held_socket(tt_scan_ctx *sc, tt_snapshot *out, uint64_t inode, int proto, const struct peekmem *pm)
{
	uint64_t ix;
	if (tt_u64set_get(&sc->held, inode, &ix))
		return ix ? (long)ix - 1 : -1;
	tt_sock k;
	memset(&k, 0, sizeof(k));
	k.inode = inode;
	k.state = TT_ST_CLOSE;
	k.family = proto == PROTO_TCP6 ? TT_FAM_TCP6 : TT_FAM_TCP4;
	k.flags = TT_SF_HELD_ONLY;
	if (pm->what == PM_HELD) {
		k.family = pm->family;
		memcpy(k.laddr, pm->laddr, 16);
		memcpy(k.raddr, pm->raddr, 16);
		k.lport = pm->lport;
		k.rport = pm->rport;
		const struct tt_endpoint_mem *em = tt_endpoints_find(sc, inode);
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

/* ------------------------------------------------------- process cache
 *
 * Attribution is incremental: a process whose descriptor count (st_size of
 * /proc/PID/fd) is unchanged keeps the socket list of its last full scan;
 * its facts (cmdline, cwd, ...) are re-read every FACTS_TTL seconds.  A
 * full scan happens for new processes, changed descriptor counts, every
 * VERIFY_EVERY refreshes (pid reuse), and for the processes of a socket's
 * uid when a watched socket appears that no cached descriptor explains.
 * Fixture trees (not the kernel's /proc) are always scanned in full. */

#define FACTS_TTL 30.0
#define VERIFY_EVERY 10

enum { S_COMM, S_CMDLINE, S_CWD, S_EXE, S_CGROUP, S_USER, S_COUNT };

struct pfd {
	uint64_t inode;
	int32_t fd;
};

struct pentry {
	int32_t pid;
	uint64_t start;
	int64_t fd_size;    /* st_size of PID/fd at the last full scan, -1 unknown */
	uint32_t uid;       /* owner of PID/fd: the process's effective uid */
	uint32_t nfds;
	struct pfd *fds;    /* every socket descriptor */
	uint32_t nsock, cap;
	uint32_t gen, scanned_gen;
	bool has_facts;
	double facts_at;
	tt_proc facts;      /* string fields unused: see s[] */
	char *s[S_COUNT];
};

struct pcache {
	struct pentry *v;
	size_t n, cap;
	tt_u64set index;    /* pid -> slot */
	uint32_t gen;
	struct peekmem *pm;  /* what was learnt of sockets no table listed */
	size_t npm, pm_cap;
	tt_u64set pm_index;  /* inode -> index in pm */
	tt_u64set missing;   /* watched inodes no descriptor explained last refresh */
	tt_u64set have;      /* per refresh: inodes of every cached descriptor (kept for its capacity) */
};

static void pentry_clear(struct pentry *e)
{
	free(e->fds);
	for (int i = 0; i < S_COUNT; i++)
		free(e->s[i]);
	memset(e, 0, sizeof(*e));
}

static struct pcache *pcache_of(tt_scan_ctx *sc)
{
	if (!sc->pcache) {
		struct pcache *pc = calloc(1, sizeof(*pc));
		if (!pc)
			return NULL;
		tt_u64set_init(&pc->index);
		tt_u64set_init(&pc->pm_index);
		tt_u64set_init(&pc->missing);
		tt_u64set_init(&pc->have);
		sc->pcache = pc;
	}
	return sc->pcache;
}

void tt_owners_free(tt_scan_ctx *sc)
{
	struct pcache *pc = sc->pcache;
	if (!pc)
		return;
	for (size_t i = 0; i < pc->n; i++)
		pentry_clear(&pc->v[i]);
	free(pc->v);
	tt_u64set_free(&pc->index);
	tt_u64set_free(&pc->pm_index);
	free(pc->pm);
	tt_u64set_free(&pc->missing);
	tt_u64set_free(&pc->have);
	free(pc);
	sc->pcache = NULL;
}

static struct pentry *pentry_get(struct pcache *pc, int32_t pid, bool *created)
{
	uint64_t ix;
	*created = false;
	if (tt_u64set_get(&pc->index, (uint64_t)pid, &ix))
		return &pc->v[ix];
	if (pc->n == pc->cap) {
		size_t ncap = pc->cap ? pc->cap * 2 : 256;
		struct pentry *p = realloc(pc->v, ncap * sizeof(*p));
		if (!p)
			return NULL;
		pc->v = p;
		pc->cap = ncap;
	}
	if (tt_u64set_put(&pc->index, (uint64_t)pid, pc->n) < 0)
		return NULL;
	struct pentry *e = &pc->v[pc->n++];
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	e->fd_size = -1;
	*created = true;
	return e;
}

/* Drop the entries of processes not seen this refresh. */
static void pcache_sweep(struct pcache *pc)
{
	size_t w = 0;
	bool moved = false;
	for (size_t i = 0; i < pc->n; i++) {
		if (pc->v[i].gen != pc->gen) {
			pentry_clear(&pc->v[i]);
			moved = true;
			continue;
		}
		pc->v[w++] = pc->v[i];
	}
	if (!moved)
		return;
	pc->n = w;
	tt_u64set_clear(&pc->index);
	for (size_t i = 0; i < pc->n; i++)
		tt_u64set_put(&pc->index, (uint64_t)pc->v[i].pid, i);
}

/* Full scan of one process's descriptors into its entry.  0, or -1 when it
 * vanished or its descriptors are unreadable (counted). */
static int full_scan(tt_scan_ctx *sc, struct pentry *e, int64_t fd_size, tt_snapshot *out)
{
	char path[64];
	uint64_t start0, start1;
	int32_t ppid;
	int pid = e->pid;
	if (tt_read_stat_at(sc->rootfd, pid, NULL, 0, &ppid, &start0) < 0) {
		if (errno == ENOENT || errno == ESRCH)
			out->stats.vanished++;
		return -1;
	}
	snprintf(path, sizeof(path), "%d/fd", pid);
	int dfd = tt_openat_beneath(sc->rootfd, path, O_RDONLY | O_DIRECTORY);
	if (dfd < 0) {
		if (errno == EACCES || errno == EPERM)
			out->stats.fd_denied++;
		else if (errno == ENOENT || errno == ESRCH)
			out->stats.vanished++;
		return -1;
	}
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -1;
	}
	e->nsock = 0;
	e->nfds = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		e->nfds++;
		char link[64];
		ssize_t ln = readlinkat(dfd, de->d_name, link, sizeof(link) - 1);
		if (ln < 0)
			continue;
		uint64_t inode = tt_parse_socket_link(link, (size_t)ln);
		if (!inode)
			continue;
		if (e->nsock == e->cap) {
			uint32_t ncap = e->cap ? e->cap * 2 : 16;
			struct pfd *p = realloc(e->fds, ncap * sizeof(*p));
			if (!p)
				break;
			e->fds = p;
			e->cap = ncap;
		}
		e->fds[e->nsock++] = (struct pfd){inode, atoi(de->d_name)};
	}
	closedir(d);
	/* the pid may have been reused while we read it */
	if (tt_read_stat_at(sc->rootfd, pid, NULL, 0, &ppid, &start1) < 0 || start1 != start0) {
		out->stats.pid_reused += start1 != start0;
		e->nsock = 0;
		e->fd_size = -1;
		return -1;
	}
	if (e->start != start0)
		e->has_facts = false; /* another process now */
	e->start = start0;
	e->fd_size = fd_size;
	e->scanned_gen = ((struct pcache *)sc->pcache)->gen;
	return 0;
}

/* Put the process into the snapshot: its facts from the cache, re-read
 * when stale.  Returns its index, -1 when it vanished. */
static long push_proc(tt_scan_ctx *sc, struct pentry *e, tt_snapshot *out)
{
	double now = tt_mono_s();
	if (!e->has_facts || now - e->facts_at > FACTS_TTL || !sc->real_proc) {
		long pi = tt_read_proc(sc->rootfd, e->pid, sc->users, out);
		if (pi < 0)
			return -1;
		const tt_proc *p = &out->procs[pi];
		if (p->start_time != e->start) {
			out->stats.pid_reused++;
			out->nprocs--;
			e->fd_size = -1;
			return -1;
		}
		e->facts = *p;
		const uint32_t offs[S_COUNT] = {p->comm, p->cmdline, p->cwd, p->exe, p->cgroup, p->user};
		for (int i = 0; i < S_COUNT; i++) {
			free(e->s[i]);
			e->s[i] = strdup(tt_snapshot_get_str(out, offs[i]));
		}
		e->has_facts = true;
		e->facts_at = now;
		out->procs[pi].nfds = e->nfds;
		return pi;
	}
	tt_proc *p = tt_snapshot_add_proc(out);
	if (!p)
		return -1;
	long pi = (long)out->nprocs - 1;
	*p = e->facts;
	p->nfds = e->nfds;
	uint32_t offs[S_COUNT];
	for (int i = 0; i < S_COUNT; i++)
		offs[i] = e->s[i] ? tt_snapshot_str_trusted(out, e->s[i]) : 0;
	p = &out->procs[pi];
	p->comm = offs[S_COMM], p->cmdline = offs[S_CMDLINE], p->cwd = offs[S_CWD];
	p->exe = offs[S_EXE], p->cgroup = offs[S_CGROUP], p->user = offs[S_USER];
	return pi;
}

static struct peekmem *pm_find(struct pcache *pc, uint64_t inode)
{
	uint64_t ix;
	return tt_u64set_get(&pc->pm_index, inode, &ix) && ix < pc->npm ? &pc->pm[ix] : NULL;
}

static struct peekmem *pm_new(struct pcache *pc, uint64_t inode)
{
	struct peekmem *pm = pm_find(pc, inode);
	if (pm)
		return pm;
	if (tt_u64set_put(&pc->pm_index, inode, pc->npm) < 0)
		return NULL;
	pm = TT_VEC_PUSH(pc->pm, pc->npm, pc->pm_cap);
	if (!pm) {
		tt_u64set_del(&pc->pm_index, inode);
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

/* A TCP socket of this descriptor that no table listed: is it held after a
 * reset, and to where?  Asked once; the answer is kept while the
 * descriptor lives (a reset socket stays closed, a live one keeps its
 * endpoints).  NULL: not a held socket (or gone). */
static const struct peekmem *classify_tcp(tt_scan_ctx *sc, struct pcache *pc, const struct pentry *e,
					  const struct pfd *fd, bool fresh, tt_snapshot *out)
{
	struct peekmem *pm = pm_find(pc, fd->inode);
	const struct tt_endpoint_mem *em = tt_endpoints_find(sc, fd->inode);
	tt_sock_filter f = {sc->ports, 0};
	if (pm) {
		pm->gen = pc->gen;
		if (pm->what == PM_HELD || pm->what == PM_UNKNOWN)
			return pm;
		if (pm->what == PM_UNCONNECTED && !fresh)
			return NULL;
		if (pm->what == PM_LIVE) {
			tt_sock k;
			memset(&k, 0, sizeof(k));
			k.lport = pm->lport, k.rport = pm->rport;
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
	int rc = sc->try_pidfd || !sc->real_proc ? tt_peek_socket(sc->rootfd, sc->real_proc, e->pid, fd->fd, false, &pk, &why)
						  : TT_PEEK_DENIED;
	if (rc == TT_PEEK_GONE)
		return NULL;
	if (rc == TT_PEEK_DENIED && why == ENOSYS)
		sc->try_pidfd = false;
	if (rc == TT_PEEK_DENIED && !sc->all_inodes_valid) {
		/* cannot ask the socket: is it listed at all? (an unfiltered dump, once) */
		if (!(sc->load_all_inodes && sc->load_all_inodes(sc) == 0 && sc->all_inodes_valid))
			return NULL;
		if (tt_u64set_has(&sc->all_inodes, fd->inode))
			return NULL;
	}
	if (!pm && !(pm = pm_new(pc, fd->inode)))
		return NULL;
	pm->gen = pc->gen;
	if (rc == TT_PEEK_OK && pk.state >= 0 && pk.state != TT_ST_CLOSE) {
		pm->what = PM_LIVE; /* it moved after the table was read, or is unwatched */
		pm->lport = pk.lport, pm->rport = pk.rport;
		return NULL;
	}
	if (rc == TT_PEEK_OK && pk.local) {
		pm->family = pk.family;
		memcpy(pm->laddr, pk.laddr, 16);
		pm->lport = pk.lport;
	}
	if (rc == TT_PEEK_OK && pk.peer) {
		pm->what = PM_HELD;
		if (!pk.local)
			pm->family = pk.family;
		memcpy(pm->raddr, pk.raddr, 16);
		pm->rport = pk.rport;
		if (!pk.local && em) {
			memcpy(pm->laddr, em->laddr, 16);
			pm->lport = em->lport;
		}
	} else if (em) {
		pm->what = PM_HELD; /* seen in the tables before it was reset */
		pm->remembered = 1;
		pm->family = em->family;
		memcpy(pm->laddr, em->laddr, 16);
		memcpy(pm->raddr, em->raddr, 16);
		pm->lport = em->lport, pm->rport = em->rport;
	} else if (rc == TT_PEEK_OK) {
		pm->what = PM_UNCONNECTED; /* never connected: nobody's connection */
		return NULL;
	} else {
		pm->what = PM_UNKNOWN;
		peek_failed(out, why);
	}
	return pm;
}

/* A Unix client whose server end is gone, never seen alive: ask it where
 * it was connected.  false: not a watched connection (drop it). */
static bool classify_unix(tt_scan_ctx *sc, struct pcache *pc, const struct pentry *e, const struct pfd *fd,
			  bool watched, tt_snapshot *out)
{
	uint64_t ix;
	if (!tt_u64set_get(&sc->unknown_ix, fd->inode, &ix) || ix >= out->nsocks)
		return watched;
	tt_sock *k = &out->socks[ix];
	if (!(k->flags & TT_SF_ENDPOINT_UNKNOWN))
		return true; /* answered for another holder already */
	struct peekmem *pm = pm_find(pc, fd->inode);
	tt_peek pk;
	memset(&pk, 0, sizeof(pk));
	if (!pm || pm->what == PM_UNKNOWN) {
		int why = 0;
		int rc = tt_peek_socket(sc->rootfd, sc->real_proc, e->pid, fd->fd, true, &pk, &why);
		if (rc == TT_PEEK_GONE)
			return false;
		if (!pm && !(pm = pm_new(pc, fd->inode)))
			return watched;
		if (rc == TT_PEEK_DENIED) {
			pm->what = PM_UNKNOWN;
			peek_failed(out, why);
		} else if (pk.peer && (sc->ports->all || tt_unix_watch_match(sc->uwatch, pk.path))) {
			pm->what = PM_UNIX_TARGET;
			tt_unix_mem_learn(sc->umem, fd->inode, pk.path);
		} else {
			pm->what = PM_UNIX_OTHER;
		}
	}
	pm->gen = pc->gen;
	if (pm->what == PM_UNIX_TARGET) {
		const char *path = pk.path[0] ? pk.path : tt_unix_mem_target(sc->umem, fd->inode);
		if (path) {
			k->peer_path = tt_snapshot_str(out, path, strlen(path), 256);
			k->flags &= (uint8_t)~TT_SF_ENDPOINT_UNKNOWN;
			return true;
		}
	}
	if (pm->what == PM_UNKNOWN) {
		if (watched)
			out->stats.held_unknown++;
		return watched;
	}
	k->flags |= TT_SF_DROP;
	return false;
}

/* The owners (and held sockets) of one process.  fresh: its descriptors
 * were just read, so every unlisted TCP socket is a candidate; otherwise
 * only sockets already known to be held are. */
static void emit(tt_scan_ctx *sc, struct pcache *pc, struct pentry *e, bool fresh, tt_snapshot *out)
{
	size_t owners_mark = out->nowners;
	/* a dead connection whose endpoint cannot be learnt may be anyone's:
	 * shown apart, only for a process that holds watched sockets too */
	bool watched = sc->ports && sc->ports->all;
	uint64_t v;
	for (uint32_t i = 0; i < e->nsock && !watched; i++)
		watched = (tt_u64set_get(&sc->wanted, e->fds[i].inode, &v) && !(v & TT_WANT_WEAK)) ||
			  tt_endpoints_find(sc, e->fds[i].inode);
	for (uint32_t i = 0; i < e->nsock; i++) {
		const struct pfd *fd = &e->fds[i];
		uint64_t inode = fd->inode;
		if (tt_u64set_get(&sc->wanted, inode, &v)) {
			if ((v & TT_WANT_WEAK) && !classify_unix(sc, pc, e, fd, watched, out))
				continue;
		} else {
			if (!sc->check_held)
				continue;
			uint64_t known;
			if (!tt_u64set_get(&sc->held, inode, &known)) {
				char fdname[16];
				snprintf(fdname, sizeof(fdname), "%d", fd->fd);
				int proto = sock_proto(sc, e->pid, fdname, inode);
				if (proto != PROTO_TCP && proto != PROTO_TCP6)
					continue;
				const struct peekmem *pm = classify_tcp(sc, pc, e, fd, fresh, out);
				if (!pm || (pm->what == PM_UNKNOWN && !watched) ||
				    held_socket(sc, out, inode, proto, pm) < 0)
					continue;
			} else if (!known) {
				continue; /* held, on an unwatched port */
			}
		}
		tt_owner *o = tt_snapshot_add_owner(out);
		if (!o)
			break;
		uint64_t ns = 0;
		if (tt_u64set_get(&sc->wanted, inode, &ns) && (ns & ~TT_WANT_WEAK) != TT_OWN_NS)
			o->netns = ns & ~TT_WANT_WEAK;
		o->inode = inode;
		o->fd = fd->fd;
		o->proc = UINT32_MAX; /* set below */
	}
	if (out->nowners == owners_mark)
		return;
	long pi = push_proc(sc, e, out);
	if (pi < 0) {
		out->nowners = owners_mark;
		return;
	}
	for (size_t i = owners_mark; i < out->nowners; i++)
		out->owners[i].proc = (uint32_t)pi;
}

int tt_owners_scan(tt_scan_ctx *sc, tt_snapshot *out)
{
	struct pcache *pc = pcache_of(sc);
	if (!pc)
		return -1;
	pc->gen++;
	DIR *d = tt_opendir_at(sc->rootfd);
	if (!d)
		return -1;
	tt_u64set_clear(&sc->held);
	/* pass 1: which processes need a full scan; scan them */
	struct todo {
		size_t slot;
		bool fresh, ok;
	} *todo = NULL;
	size_t ntodo = 0, todo_cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *s = de->d_name;
		long pid = tt_pid_of_name(s);
		if (pid < 0)
			continue;
		out->stats.procs++;
		bool created;
		struct pentry *e = pentry_get(pc, (int32_t)pid, &created);
		if (!e)
			continue;
		e->gen = pc->gen;
		/* the descriptor count, for free, from the fd folder's size */
		char path[64];
		struct stat st;
		snprintf(path, sizeof(path), "%ld/fd", pid);
		int64_t fd_size = -1;
		if (sc->real_proc) {
			if (fstatat(sc->rootfd, path, &st, 0) < 0) {
				if (errno == EACCES || errno == EPERM)
					out->stats.fd_denied++;
				else
					out->stats.vanished++;
				e->fd_size = -1;
				e->nsock = 0;
				continue;
			}
			fd_size = st.st_size > 0 ? (int64_t)st.st_size : -1;
			e->uid = st.st_uid;
		}
		bool verify = (uint32_t)pid % VERIFY_EVERY == pc->gen % VERIFY_EVERY;
		bool fresh = created || fd_size < 0 || e->fd_size != fd_size || verify;
		bool ok = !fresh || full_scan(sc, e, fd_size, out) == 0;
		if (ntodo == todo_cap) {
			size_t ncap = todo_cap ? todo_cap * 2 : 256;
			struct todo *t = realloc(todo, ncap * sizeof(*t));
			if (!t)
				break;
			todo = t;
			todo_cap = ncap;
		}
		todo[ntodo++] = (struct todo){(size_t)(e - pc->v), fresh, ok};
	}
	closedir(d);

	/* a watched socket no descriptor explains, new since the last refresh:
	 * someone swapped descriptors without changing their count.  Scan the
	 * processes of that socket's uid again, then, if that was not enough,
	 * every process not scanned this time (once per new socket). */
	if (sc->real_proc) {
		tt_u64set uids, next_missing;
		tt_u64set_init(&uids);
		tt_u64set_init(&next_missing);
		for (int round = 0; round < 2; round++) {
			tt_u64set *have = &pc->have;
			tt_u64set_clear(have);
			for (size_t t = 0; t < ntodo; t++) {
				const struct pentry *e = &pc->v[todo[t].slot];
				for (uint32_t i = 0; todo[t].ok && i < e->nsock; i++)
					tt_u64set_add(have, e->fds[i].inode);
			}
			tt_u64set_clear(&uids);
			tt_u64set_clear(&next_missing);
			bool any_new = false;
			for (size_t i = 0; i < out->nsocks; i++) {
				const tt_sock *k = &out->socks[i];
				if (!k->inode || tt_u64set_has(have, k->inode))
					continue;
				tt_u64set_add(&next_missing, k->inode);
				if (!tt_u64set_has(&pc->missing, k->inode)) {
					tt_u64set_add(&uids, k->uid);
					any_new = true;
				}
			}
			if (!any_new)
				break;
			for (size_t t = 0; t < ntodo; t++) {
				struct pentry *e = &pc->v[todo[t].slot];
				if (todo[t].fresh || (round == 0 && !tt_u64set_has(&uids, e->uid)))
					continue;
				todo[t].fresh = true;
				todo[t].ok = full_scan(sc, e, e->fd_size, out) == 0;
			}
		}
		tt_u64set_free(&pc->missing);
		pc->missing = next_missing;
		tt_u64set_free(&uids);
	}
	/* pass 2: owners, held sockets, process facts */
	for (size_t t = 0; t < ntodo; t++)
		if (todo[t].ok)
			emit(sc, pc, &pc->v[todo[t].slot], todo[t].fresh, out);
	free(todo);
	/* forget what was learnt of descriptors that are gone */
	TT_VEC_SWEEP(pc->pm, pc->npm, pc->gen, pc->pm_index, inode);
	pcache_sweep(pc);
	return 0;
}
