/* What the probes share: kind names, result arrays, parsers of the servers'
 * address forms and of Redis CLIENT LIST, the server's descriptors, and the
 * per-thread identity switch for peer authentication. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stddef.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tenantop/clock.h"
#include "tenantop/probe.h"
#include "tenantop/sanitize.h"
#include "tenantop/vec.h"

static const char *const kind_names[] = {"", "mariadb", "postgresql", "redis", "pgbouncer"};

const char *tt_db_kind_name(int kind)
{
	return kind > 0 && kind <= TT_DB_PGBOUNCER ? kind_names[kind] : "";
}

int tt_db_kind_parse(const char *s)
{
	for (int k = 1; k <= TT_DB_PGBOUNCER; k++)
		if (!strcmp(s, kind_names[k]))
			return k;
	if (!strcmp(s, "mysql"))
		return TT_DB_MARIADB;
	if (!strcmp(s, "postgres") || !strcmp(s, "pg"))
		return TT_DB_POSTGRESQL;
	return TT_DB_NONE;
}

int tt_db_kind_of_process(const char *comm, const char *exe)
{
	const char *base = exe ? strrchr(exe, '/') : NULL;
	base = base ? base + 1 : exe ? exe : "";
	const char *names[2] = {comm ? comm : "", base};
	for (int i = 0; i < 2; i++) {
		const char *n = names[i];
		if (!strcmp(n, "mysqld") || !strcmp(n, "mariadbd"))
			return TT_DB_MARIADB;
		if (!strcmp(n, "postgres") || !strcmp(n, "postmaster"))
			return TT_DB_POSTGRESQL;
		if (!strcmp(n, "redis-server"))
			return TT_DB_REDIS;
		if (!strcmp(n, "pgbouncer"))
			return TT_DB_PGBOUNCER;
	}
	return TT_DB_NONE;
}

/* ------------------------------------------------------------ results */

void tt_db_results_init(tt_db_results *r)
{
	memset(r, 0, sizeof(*r));
}

void tt_db_results_clear(tt_db_results *r)
{
	r->nservers = r->nsessions = r->npools = r->nlimits = r->nlinks = 0;
}

void tt_db_results_free(tt_db_results *r)
{
	free(r->servers);
	free(r->sessions);
	free(r->pools);
	free(r->limits);
	free(r->links);
	tt_db_results_init(r);
}

tt_db_server *tt_db_results_add_server(tt_db_results *r)
{
	tt_db_server *s = TT_VEC_PUSH(r->servers, r->nservers, r->servers_cap);
	if (s) {
		s->max_connections = s->connections = s->reserved = -1;
		s->max_user_connections = s->max_used = s->rejected = s->pool_size = -1;
	}
	return s;
}

tt_db_session *tt_db_results_add_session(tt_db_results *r)
{
	tt_db_session *s = TT_VEC_PUSH(r->sessions, r->nsessions, r->sessions_cap);
	if (s) {
		s->server = r->nservers ? (uint32_t)(r->nservers - 1) : 0;
		s->time_s = -1;
		s->in_transaction = -1;
		s->link = -1;
	}
	return s;
}

tt_db_link *tt_db_results_add_link(tt_db_results *r)
{
	tt_db_link *l = TT_VEC_PUSH(r->links, r->nlinks, r->links_cap);
	if (l)
		l->server = r->nservers ? (uint32_t)(r->nservers - 1) : 0;
	return l;
}

tt_db_pool *tt_db_results_add_pool(tt_db_results *r)
{
	tt_db_pool *p = TT_VEC_PUSH(r->pools, r->npools, r->pools_cap);
	if (p)
		p->server = r->nservers ? (uint32_t)(r->nservers - 1) : 0;
	return p;
}

tt_db_userlimit *tt_db_results_add_limit(tt_db_results *r)
{
	tt_db_userlimit *l = TT_VEC_PUSH(r->limits, r->nlimits, r->limits_cap);
	if (l)
		l->server = r->nservers ? (uint32_t)(r->nservers - 1) : 0;
	return l;
}

/* Append nsrc rows of `size` bytes to *dst, each one's uint32_t index at
 * `off` moved by base.  0, or -1 out of memory (nothing appended). */
static int append_rows(void **dst, size_t *n, size_t *cap, const void *src, size_t nsrc, size_t size, size_t off,
		       uint32_t base)
{
	if (!nsrc)
		return 0;
	if (tt_vec_reserve(dst, cap, *n + nsrc, size) < 0)
		return -1;
	char *row = (char *)*dst + *n * size;
	memcpy(row, src, nsrc * size);
	for (size_t i = 0; i < nsrc; i++, row += size) {
		uint32_t v;
		memcpy(&v, row + off, sizeof(v));
		v += base;
		memcpy(row + off, &v, sizeof(v));
	}
	*n += nsrc;
	return 0;
}
#define APPEND_ROWS(dst, src, arr, n, cap, field, base)                                                      \
	append_rows((void **)&(dst)->arr, &(dst)->n, &(dst)->cap, (src)->arr, (src)->n, sizeof(*(dst)->arr), \
		    offsetof(__typeof__(*(dst)->arr), field), (base))

int tt_db_results_append(tt_db_results *dst, const tt_db_results *src)
{
	uint32_t base = (uint32_t)dst->nservers, pbase = (uint32_t)dst->npools;
	if (APPEND_ROWS(dst, src, servers, nservers, servers_cap, first_pool, pbase) < 0 ||
	    APPEND_ROWS(dst, src, sessions, nsessions, sessions_cap, server, base) < 0 ||
	    APPEND_ROWS(dst, src, pools, npools, pools_cap, server, base) < 0 ||
	    APPEND_ROWS(dst, src, links, nlinks, links_cap, server, base) < 0 ||
	    APPEND_ROWS(dst, src, limits, nlimits, limits_cap, server, base) < 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------ parsers */

void tt_db_copy(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	if (!dstlen)
		return;
	if (!src) {
		dst[0] = '\0';
		return;
	}
	tt_sanitize(src, srclen, dst, dstlen);
}

int tt_db_parse_addr(const char *s, uint16_t port, uint8_t *family, uint8_t addr[16])
{
	char buf[64];
	size_t n = strlen(s);
	if (n >= sizeof(buf) || n == 0)
		return -1;
	memcpy(buf, s, n + 1);
	/* pg_stat_activity's inet may carry a prefix length */
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(addr, 0, 16);
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, buf, &a4) == 1) {
		memcpy(addr, &a4, 4);
		*family = TT_FAM_TCP4;
	} else if (inet_pton(AF_INET6, buf, &a6) == 1) {
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (!memcmp(a6.s6_addr, mapped, 12)) {
			memcpy(addr, a6.s6_addr + 12, 4);
			*family = TT_FAM_TCP4;
		} else {
			memcpy(addr, a6.s6_addr, 16);
			*family = TT_FAM_TCP6;
		}
	} else {
		return -1;
	}
	(void)port;
	return 0;
}

int tt_db_parse_hostport(const char *s, uint8_t *family, uint8_t addr[16], uint16_t *port)
{
	char buf[80];
	size_t n = strlen(s);
	if (n >= sizeof(buf) || n < 3)
		return -1;
	memcpy(buf, s, n + 1);
	char *colon = strrchr(buf, ':');
	if (!colon || colon == buf)
		return -1;
	char *end;
	errno = 0;
	long p = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || p < 0 || p > 65535)
		return -1;
	*colon = '\0';
	char *h = buf;
	if (*h == '[') {
		size_t hl = strlen(h);
		if (hl < 3 || h[hl - 1] != ']')
			return -1;
		h[hl - 1] = '\0';
		h++;
	}
	if (tt_db_parse_addr(h, (uint16_t)p, family, addr) < 0)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

/* The value of "key=" in a space-separated CLIENT LIST line; its length in *vl. */
static const char *field(const char *line, size_t len, const char *key, size_t *vl)
{
	size_t kl = strlen(key);
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && line[j] != ' ')
			j++;
		if (j - i > kl && !memcmp(line + i, key, kl) && line[i + kl] == '=') {
			*vl = j - i - kl - 1;
			return line + i + kl + 1;
		}
		i = j + 1;
	}
	return NULL;
}

static long field_long(const char *line, size_t len, const char *key)
{
	size_t vl;
	const char *v = field(line, len, key, &vl);
	if (!v || vl == 0 || vl > 20)
		return -1;
	char buf[24];
	memcpy(buf, v, vl);
	buf[vl] = '\0';
	char *end;
	long x = strtol(buf, &end, 10);
	return *end ? -1 : x;
}

int tt_redis_parse_client(const char *line, size_t len, tt_db_session *out, int *fd)
{
	size_t vl;
	const char *v;
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	if (!(v = field(line, len, "id", &vl)))
		return -1;
	tt_db_copy(out->id, sizeof(out->id), v, vl);
	*fd = (int)field_long(line, len, "fd");
	if ((v = field(line, len, "addr", &vl)) && vl < 80) {
		char a[80];
		memcpy(a, v, vl);
		a[vl] = '\0';
		if (a[0] == '/') {
			out->family = TT_FAM_UNIX;
		} else if (tt_db_parse_hostport(a, &out->family, out->addr, &out->port) < 0) {
			out->family = TT_FAM_NONE;
		}
	}
	if ((v = field(line, len, "user", &vl)))
		tt_db_copy(out->user, sizeof(out->user), v, vl);
	if ((v = field(line, len, "db", &vl)))
		tt_db_copy(out->database, sizeof(out->database), v, vl);
	if ((v = field(line, len, "cmd", &vl)))
		tt_db_copy(out->command, sizeof(out->command), v, vl);
	if ((v = field(line, len, "flags", &vl))) {
		tt_db_copy(out->state, sizeof(out->state), v, vl);
		out->in_transaction = memchr(v, 'x', vl) != NULL;
	}
	long idle = field_long(line, len, "idle");
	out->time_s = idle >= 0 ? (double)idle : -1;
	return 0;
}

long tt_redis_info_long(const char *info, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = info; p && *p;) {
		if (!strncmp(p, key, kl) && p[kl] == ':') {
			char *end;
			long v = strtol(p + kl + 1, &end, 10);
			return end == p + kl + 1 ? -1 : v;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* ------------------------------------------------------------ /proc */

static uint64_t socket_link_inode(const char *link)
{
	if (strncmp(link, "socket:[", 8) != 0)
		return 0;
	char *end;
	unsigned long long v = strtoull(link + 8, &end, 10);
	return *end == ']' ? (uint64_t)v : 0;
}

uint64_t tt_db_fd_inode(const char *proc_root, int pid, int fd)
{
	char path[4200], link[64];
	if (pid <= 0 || fd < 0)
		return 0;
	snprintf(path, sizeof(path), "%s/%d/fd/%d", proc_root, pid, fd);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	return socket_link_inode(link);
}

size_t tt_db_pid_sockets(const char *proc_root, int pid, uint64_t *out, size_t max)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%d/fd", proc_root, pid);
	DIR *d = opendir(path);
	if (!d)
		return 0;
	size_t n = 0;
	struct dirent *e;
	while (n < max && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char link[64];
		ssize_t l = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		if (l <= 0)
			continue;
		link[l] = '\0';
		uint64_t ino = socket_link_inode(link);
		if (ino)
			out[n++] = ino;
	}
	closedir(d);
	return n;
}

int tt_db_proc_ids(const char *proc_root, int pid, uint32_t *uid, uint32_t *gid)
{
	char path[4200], line[256];
	snprintf(path, sizeof(path), "%s/%d/status", proc_root, pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	int got = 0;
	unsigned long v;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Uid: %lu", &v) == 1) {
			*uid = (uint32_t)v;
			got |= 1;
		} else if (sscanf(line, "Gid: %lu", &v) == 1) {
			*gid = (uint32_t)v;
			got |= 2;
		}
	}
	fclose(f);
	return got == 3 ? 0 : -1;
}

int tt_db_read_password(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		buf[0] = '\0';
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

/* ------------------------------------------------------------ identity */

int tt_db_become(uint32_t uid, uint32_t gid)
{
	if (geteuid() != 0)
		return -1;
	if (syscall(SYS_setresgid, -1, (long)gid, -1) != 0)
		return -1;
	if (syscall(SYS_setresuid, -1, (long)uid, -1) != 0) {
		syscall(SYS_setresgid, -1, 0L, -1);
		return -1;
	}
	return 0;
}

void tt_db_become_root(void)
{
	/* the saved uid stayed 0: the thread may take root back */
	if (syscall(SYS_setresuid, -1, 0L, -1) != 0 || syscall(SYS_setresgid, -1, 0L, -1) != 0)
		abort(); /* never go on with a half-switched identity */
}

/* ------------------------------------------------------------ the dispatcher */

struct probe_ops {
	void *(*connect)(const tt_probe_opts *o, tt_db_server *srv);
	int (*body)(const tt_probe_opts *o, tt_db_results *r, size_t si, void *h);
	void (*close)(void *h);
};

static const struct probe_ops *ops_of(int kind)
{
	static const struct probe_ops ops[] = {
		[TT_DB_MARIADB] = {tt_mariadb_connect, tt_mariadb_body, tt_mariadb_close},
		[TT_DB_POSTGRESQL] = {tt_postgres_connect, tt_postgres_body, tt_pg_close},
		[TT_DB_REDIS] = {tt_redis_connect, tt_redis_body, tt_redis_close},
		[TT_DB_PGBOUNCER] = {tt_pgbouncer_connect, tt_pgbouncer_body, tt_pg_close},
	};
	return kind > 0 && kind <= TT_DB_PGBOUNCER ? &ops[kind] : NULL;
}

void tt_probe_conn_close(tt_probe_conn *conn)
{
	const struct probe_ops *op = ops_of(conn->kind);
	if (conn->h && op)
		op->close(conn->h);
	conn->h = NULL;
	conn->kind = 0;
}

/* Forget what a failed body appended: the server as it was added. */
static void rollback(tt_db_results *r, size_t si, size_t ns, size_t np, size_t nl, size_t nk)
{
	tt_db_target t = r->servers[si].t;
	r->nlinks = nk;
	r->nsessions = ns;
	r->npools = np;
	r->nlimits = nl;
	r->nservers = si;
	tt_db_server *s = tt_db_results_add_server(r);
	if (s)
		s->t = t;
}

void tt_probe_one(const tt_probe_opts *o, const tt_db_target *t, tt_db_results *r, tt_probe_conn *conn)
{
	tt_db_server *s = tt_db_results_add_server(r);
	if (!s)
		return;
	s->t = *t;
	size_t si = r->nservers - 1, ns = r->nsessions, np = r->npools, nl = r->nlimits, nk = r->nlinks;
	const struct probe_ops *op = ops_of(t->kind);
	if (!op) {
		snprintf(s->error, sizeof(s->error), "unknown kind");
		return;
	}
	double t0 = tt_mono_s();
	if (conn->h && conn->kind != t->kind)
		tt_probe_conn_close(conn);
	if (conn->h) {
		if (op->body(o, r, si, conn->h) == 0) {
			r->servers[si].duration_ms = (tt_mono_s() - t0) * 1e3;
			return;
		}
		/* the kept connection failed at once (closed by the server's idle
		 * timeout, a restart): once more on a new one; one that timed out
		 * (a hung server) is not asked twice in a round */
		tt_probe_conn_close(conn);
		if (tt_mono_s() - t0 >= 0.9 * (o->timeout_s > 0 ? o->timeout_s : 1)) {
			r->servers[si].duration_ms = (tt_mono_s() - t0) * 1e3;
			return;
		}
		rollback(r, si, ns, np, nl, nk);
	}
	void *h = op->connect(o, &r->servers[si]);
	if (h) {
		if (op->body(o, r, si, h) == 0) {
			conn->h = h;
			conn->kind = t->kind;
		} else {
			op->close(h);
		}
	}
	r->servers[si].duration_ms = (tt_mono_s() - t0) * 1e3;
}
