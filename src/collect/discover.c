/* Discovery: which processes are database servers, and what they listen on.
 *
 * A second MariaDB on 3316 with its own socket file, a pgbouncer on 6432, a
 * PostgreSQL whose socket directory is not the default: the servers say
 * where they are, by listening.  Each refresh this finds the server
 * processes (by comm, cached per /proc entry: a reused pid has another
 * inode) and the listening sockets they hold, so that the collector watches
 * those ports and socket files too.  A listening socket's holder is looked
 * up once; only a listener not seen before costs a read of the servers'
 * descriptors. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/discover.h"
#include "collect/procinfo.h"
#include "tenantop/vec.h"

static const char *const builtin[] = {"mysqld", "mariadbd", "postgres", "postmaster", "redis-server",
				      "pgbouncer", "proxysql", "memcached", "mongod", "valkey-server",
				      "keydb-server", "mysqld_safe"};

bool tt_is_db_server(const char *comm, const char *extra)
{
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (strcmp(comm, builtin[i]) == 0)
			return true;
	size_t cl = strlen(comm);
	for (const char *p = extra; p && *p;) {
		while (*p == ',' || *p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ',')
			e++;
		const char *t = e;
		while (t > p && t[-1] == ' ')
			t--;
		if ((size_t)(t - p) == cl && cl && memcmp(p, comm, cl) == 0)
			return true;
		p = e;
	}
	return false;
}

struct dproc {
	int32_t pid;
	uint64_t dino;   /* the /proc entry's inode: another process when it changes */
	bool server;
	char comm[16];
	uint32_t gen;
};

struct dlisten {
	uint64_t inode;
	int32_t pid;     /* its holder among the servers; 0 none */
	char comm[16];
	uint32_t gen;
};

struct tt_discover {
	char *extra;
	struct dproc *procs;
	size_t nprocs, procs_cap;
	tt_u64set proc_ix;   /* pid -> index */
	struct dlisten *ls;
	size_t nls, ls_cap;
	tt_u64set ls_ix;     /* listener inode -> index */
	uint32_t gen;
	tt_discovered *found;
	size_t nfound, found_cap;
};

tt_discover *tt_discover_new(const char *extra_names)
{
	tt_discover *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	if (extra_names && !(d->extra = strdup(extra_names))) {
		free(d);
		return NULL;
	}
	tt_u64set_init(&d->proc_ix);
	tt_u64set_init(&d->ls_ix);
	return d;
}

void tt_discover_free(tt_discover *d)
{
	if (!d)
		return;
	free(d->extra);
	free(d->procs);
	free(d->ls);
	free(d->found);
	tt_u64set_free(&d->proc_ix);
	tt_u64set_free(&d->ls_ix);
	free(d);
}

/* The server processes, from the /proc entries. */
static void find_servers(tt_discover *d, int rootfd, const tt_pids *pids)
{
	for (size_t i = 0; i < pids->n; i++) {
		long pid = pids->v[i].pid;
		uint64_t dino = pids->v[i].ino;
		uint64_t ix;
		struct dproc *p = NULL;
		if (tt_u64set_get(&d->proc_ix, (uint64_t)pid, &ix) && ix < d->nprocs) {
			p = &d->procs[ix];
			if (p->dino != dino)
				p->comm[0] = '\0', p->server = false, p->dino = 0; /* another process */
		} else {
			p = TT_VEC_PUSH(d->procs, d->nprocs, d->procs_cap);
			if (!p)
				break;
			if (tt_u64set_put(&d->proc_ix, (uint64_t)pid, d->nprocs - 1) < 0) {
				d->nprocs--;
				break;
			}
			p->pid = (int32_t)pid;
		}
		p->gen = d->gen;
		if (p->dino == dino && p->dino)
			continue;
		char comm[64];
		int32_t ppid;
		uint64_t start;
		if (tt_read_stat_at(rootfd, (int)pid, comm, sizeof(comm), &ppid, &start) < 0)
			continue; /* gone: looked at again next time */
		p->dino = dino ? dino : 1;
		p->server = tt_is_db_server(comm, d->extra);
		snprintf(p->comm, sizeof(p->comm), "%.15s", comm);
	}
	TT_VEC_SWEEP(d->procs, d->nprocs, d->gen, d->proc_ix, pid);
}

/* Which server holds each listener not seen before: one read of the
 * servers' descriptors, only when there is such a listener. */
static void resolve_listeners(tt_discover *d, int rootfd, const uint64_t *inodes, size_t n)
{
	bool unresolved = false;
	for (size_t i = 0; i < n; i++) {
		uint64_t ix;
		if (tt_u64set_get(&d->ls_ix, inodes[i], &ix) && ix < d->nls) {
			d->ls[ix].gen = d->gen;
			continue;
		}
		struct dlisten *l = TT_VEC_PUSH(d->ls, d->nls, d->ls_cap);
		if (!l || tt_u64set_put(&d->ls_ix, inodes[i], d->nls - 1) < 0) {
			if (l)
				d->nls--;
			continue;
		}
		l->inode = inodes[i];
		l->gen = d->gen;
		l->pid = -1; /* to look up */
		unresolved = true;
	}
	TT_VEC_SWEEP(d->ls, d->nls, d->gen, d->ls_ix, inode);
	if (!unresolved)
		return;
	for (size_t s = 0; s < d->nprocs; s++) {
		const struct dproc *p = &d->procs[s];
		if (!p->server)
			continue;
		char path[64];
		snprintf(path, sizeof(path), "%d/fd", p->pid);
		int dfd = tt_openat_beneath(rootfd, path, O_RDONLY | O_DIRECTORY);
		if (dfd < 0)
			continue;
		DIR *dir = fdopendir(dfd);
		if (!dir) {
			close(dfd);
			continue;
		}
		struct dirent *de;
		while ((de = readdir(dir))) {
			if (de->d_name[0] < '0' || de->d_name[0] > '9')
				continue;
			char link[64];
			ssize_t ln = readlinkat(dfd, de->d_name, link, sizeof(link) - 1);
			uint64_t inode = ln > 0 ? tt_parse_socket_link(link, (size_t)ln) : 0, ix;
			if (!inode || !tt_u64set_get(&d->ls_ix, inode, &ix) || ix >= d->nls || d->ls[ix].pid > 0)
				continue;
			d->ls[ix].pid = p->pid;
			snprintf(d->ls[ix].comm, sizeof(d->ls[ix].comm), "%s", p->comm);
		}
		closedir(dir);
	}
	for (size_t i = 0; i < d->nls; i++)
		if (d->ls[i].pid < 0)
			d->ls[i].pid = 0; /* nobody's we know: not looked up again */
}

static const struct dlisten *holder(const tt_discover *d, uint64_t inode)
{
	uint64_t ix;
	if (!tt_u64set_get(&d->ls_ix, inode, &ix) || ix >= d->nls || d->ls[ix].pid <= 0)
		return NULL;
	return &d->ls[ix];
}

int tt_discover_run(tt_discover *d, int rootfd, const tt_pids *pids, const tt_snapshot *listeners,
		    const tt_unix_table *utab)
{
	d->gen++;
	d->nfound = 0;
	find_servers(d, rootfd, pids);
	uint64_t *inodes = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; listeners && i < listeners->nsocks; i++) {
		uint64_t *v = TT_VEC_PUSH(inodes, n, cap);
		if (!v)
			break;
		*v = listeners->socks[i].inode;
	}
	for (size_t i = 0; utab && i < utab->n; i++) {
		if (utab->v[i].state != 10 || !utab->v[i].namelen) /* listening, named */
			continue;
		uint64_t *v = TT_VEC_PUSH(inodes, n, cap);
		if (!v)
			break;
		*v = utab->v[i].inode;
	}
	resolve_listeners(d, rootfd, inodes, n);
	free(inodes);
	for (size_t i = 0; listeners && i < listeners->nsocks; i++) {
		const tt_sock *k = &listeners->socks[i];
		const struct dlisten *l = holder(d, k->inode);
		if (!l)
			continue;
		tt_discovered *f = TT_VEC_PUSH(d->found, d->nfound, d->found_cap);
		if (!f)
			break;
		f->family = k->family;
		f->port = k->lport;
		f->pid = l->pid;
		snprintf(f->comm, sizeof(f->comm), "%s", l->comm);
	}
	for (size_t i = 0; utab && i < utab->n; i++) {
		const tt_unix_raw *r = &utab->v[i];
		const struct dlisten *l = r->state == 10 && r->namelen ? holder(d, r->inode) : NULL;
		if (!l || r->name[0] == '@')
			continue;
		tt_discovered *f = TT_VEC_PUSH(d->found, d->nfound, d->found_cap);
		if (!f)
			break;
		f->family = TT_FAM_UNIX;
		size_t m = r->namelen < sizeof(f->path) - 1 ? r->namelen : sizeof(f->path) - 1;
		memcpy(f->path, r->name, m);
		f->path[m] = '\0';
		f->pid = l->pid;
		snprintf(f->comm, sizeof(f->comm), "%s", l->comm);
	}
	return 0;
}

const tt_discovered *tt_discover_found(const tt_discover *d, size_t *n)
{
	*n = d->nfound;
	return d->found;
}
