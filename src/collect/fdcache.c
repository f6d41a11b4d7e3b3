/* The per-process descriptor cache (see fdcache.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/fdcache.h"
#include "collect/fdlist.h"
#include "collect/procinfo.h"
#include "tenantop/clock.h"
#include "tenantop/vec.h"

#define FACTS_TTL 30.0

static void pentry_clear(struct tt_pentry *e)
{
	free(e->fds);
	for (int i = 0; i < TT_PS_COUNT; i++)
		free(e->s[i]);
	memset(e, 0, sizeof(*e));
}

void tt_fdcache_init(tt_fdcache *fc)
{
	memset(fc, 0, sizeof(*fc));
	tt_u64set_init(&fc->index);
	tt_u64set_init(&fc->missing);
	tt_u64set_init(&fc->have);
}

void tt_fdcache_free(tt_fdcache *fc)
{
	for (size_t i = 0; i < fc->n; i++)
		pentry_clear(&fc->v[i]);
	free(fc->v);
	tt_u64set_free(&fc->index);
	tt_u64set_free(&fc->missing);
	tt_u64set_free(&fc->have);
	memset(fc, 0, sizeof(*fc));
}

struct tt_pentry *tt_fdcache_get(tt_fdcache *fc, int32_t pid, bool *created)
{
	uint64_t ix;
	*created = false;
	if (tt_u64set_get(&fc->index, (uint64_t)pid, &ix))
		return &fc->v[ix];
	if (tt_u64set_put(&fc->index, (uint64_t)pid, fc->n) < 0)
		return NULL;
	struct tt_pentry *e = TT_VEC_PUSH(fc->v, fc->n, fc->cap);
	if (!e) {
		tt_u64set_del(&fc->index, (uint64_t)pid);
		return NULL;
	}
	e->pid = pid;
	e->fd_size = -1;
	*created = true;
	return e;
}

void tt_fdcache_sweep(tt_fdcache *fc)
{
	size_t w = 0;
	for (size_t i = 0; i < fc->n; i++) {
		if (fc->v[i].gen != fc->gen) {
			pentry_clear(&fc->v[i]);
			continue;
		}
		fc->v[w++] = fc->v[i];
	}
	if (w == fc->n)
		return;
	fc->n = w;
	tt_u64set_clear(&fc->index);
	for (size_t i = 0; i < fc->n; i++)
		tt_u64set_put(&fc->index, (uint64_t)fc->v[i].pid, i);
}

/* The socket descriptors listed in the open fd folder (nfds: every descriptor). */
static void read_socket_fds(int dfd, DIR *d, struct tt_pentry *e)
{
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
		struct tt_pfd *p = TT_VEC_PUSH(e->fds, e->nsock, e->cap);
		if (!p)
			break;
		*p = (struct tt_pfd){inode, atoi(de->d_name), TT_PROTO_UNKNOWN, 0};
	}
}

/* The entry's descriptors were just read, of the process started at start. */
static void adopt(tt_fdcache *fc, struct tt_pentry *e, uint64_t start, int64_t fd_size)
{
	if (e->start != start)
		e->has_facts = false; /* another process now */
	e->start = start;
	e->no_start = false;
	e->fd_size = fd_size;
	e->scanned_gen = fc->gen;
}

int tt_fdcache_scan(tt_fdcache *fc, int rootfd, struct tt_pentry *e, int64_t fd_size, tt_snapshot *out)
{
	char path[64];
	uint64_t start0, start1;
	int32_t ppid;
	int pid = e->pid;
	if (tt_read_stat_at(rootfd, pid, NULL, 0, &ppid, &start0) < 0) {
		if (errno == ENOENT || errno == ESRCH)
			out->stats.vanished++;
		return -1;
	}
	snprintf(path, sizeof(path), "%d/fd", pid);
	int dfd = tt_openat_beneath(rootfd, path, O_RDONLY | O_DIRECTORY);
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
	read_socket_fds(dfd, d, e);
	closedir(d);
	/* the pid may have been reused while we read it */
	if (tt_read_stat_at(rootfd, pid, NULL, 0, &ppid, &start1) < 0 || start1 != start0) {
		out->stats.pid_reused += start1 != start0;
		e->nsock = 0;
		e->fd_size = -1;
		return -1;
	}
	adopt(fc, e, start0, fd_size);
	return 0;
}

int tt_fdcache_take(tt_fdcache *fc, int rootfd, struct tt_pentry *e, int64_t fd_size, bool fresh,
		    const struct tt_sockfd *recs, size_t n, size_t first, tt_snapshot *out)
{
	if ((fresh || e->no_start) && n == 0) {
		/* nothing it holds could be a watched socket: its start time is read
		 * once it holds one; its count is kept, so that a refresh that reads
		 * /proc instead of the iterator does not read its descriptors again
		 * while the count stays */
		e->nsock = 0;
		e->fd_size = fd_size;
		e->no_start = true;
		e->nfds = fd_size > 0 ? (uint32_t)fd_size : 0;
		return 0;
	}
	if (fresh || e->no_start) {
		uint64_t start;
		int32_t ppid;
		if (tt_read_stat_at(rootfd, e->pid, NULL, 0, &ppid, &start) < 0) {
			if (errno == ENOENT || errno == ESRCH)
				out->stats.vanished++;
			e->nsock = 0;
			e->fd_size = -1;
			return -1;
		}
		adopt(fc, e, start, fd_size);
	}
	e->nsock = 0;
	if (TT_VEC_RESERVE(e->fds, e->cap, n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct tt_sockfd *r = &recs[i];
		bool tcp = r->protocol == IPPROTO_TCP && (r->family == AF_INET || r->family == AF_INET6);
		uint8_t proto = !tcp ? TT_PROTO_OTHER : r->family == AF_INET6 ? TT_PROTO_TCP6 : TT_PROTO_TCP;
		e->fds[e->nsock++] = (struct tt_pfd){r->ino, r->fd, proto, (uint32_t)(first + i + 1)};
	}
	e->nfds = fd_size > 0 ? (uint32_t)fd_size : (uint32_t)n;
	return 0;
}

/* Read the process's facts into the snapshot and keep them in the entry. */
static long read_facts(int rootfd, tt_users *users, struct tt_pentry *e, double now, tt_snapshot *out)
{
	long pi = tt_read_proc(rootfd, e->pid, users, out);
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
	const uint32_t offs[TT_PS_COUNT] = {p->comm, p->cmdline, p->cwd, p->exe, p->cgroup, p->user};
	for (int i = 0; i < TT_PS_COUNT; i++) {
		free(e->s[i]);
		e->s[i] = strdup(tt_snapshot_get_str(out, offs[i]));
	}
	e->has_facts = true;
	e->facts_at = now;
	out->procs[pi].nfds = e->nfds;
	return pi;
}

long tt_fdcache_push_proc(int rootfd, bool real_proc, tt_users *users, struct tt_pentry *e, tt_snapshot *out)
{
	double now = tt_mono_s();
	if (!e->has_facts || now - e->facts_at > FACTS_TTL || !real_proc)
		return read_facts(rootfd, users, e, now, out);
	tt_proc *p = tt_snapshot_add_proc(out);
	if (!p)
		return -1;
	long pi = (long)out->nprocs - 1;
	*p = e->facts;
	p->nfds = e->nfds;
	uint32_t offs[TT_PS_COUNT];
	for (int i = 0; i < TT_PS_COUNT; i++)
		offs[i] = e->s[i] ? tt_snapshot_str_trusted(out, e->s[i]) : 0;
	p = &out->procs[pi];
	p->comm = offs[TT_PS_COMM], p->cmdline = offs[TT_PS_CMDLINE], p->cwd = offs[TT_PS_CWD];
	p->exe = offs[TT_PS_EXE], p->cgroup = offs[TT_PS_CGROUP], p->user = offs[TT_PS_USER];
	return pi;
}
