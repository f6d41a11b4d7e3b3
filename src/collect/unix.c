/* Unix stream sockets: database connections through a socket file.
 *
 * Read with netlink UNIX_DIAG (name, peer inode, queue lengths) or, as a
 * fallback, /proc/net/unix (no peers: only the server ends can be known).
 * A socket is watched when its bound path matches one of the configured
 * patterns (the server's listening and accepted sockets carry the path);
 * a client socket is watched when its peer is a watched server socket, and
 * is then shown as a connection "to" that path.  A connected socket whose
 * peer is gone (the kernel reports peer 0) is the Unix form of CLOSE_WAIT:
 * the other side closed, this one still holds it.  Each client's target is
 * remembered, so it is still known after the server side vanished. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <libmnl/libmnl.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collect/unix.h"
#include "collect/procinfo.h"
#include "tenantop/vec.h"

/* kernel socket states used by Unix sockets (include/net/tcp_states.h) */
#define K_ESTABLISHED 1
#define K_CLOSE 7
#define K_LISTEN 10

/* ---------------------------------------------------------------- table */

static tt_unix_raw *table_add(tt_unix_table *t)
{
	return TT_VEC_PUSH(t->v, t->n, t->cap);
}

void tt_unix_table_free(tt_unix_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* ---------------------------------------------------------------- netlink */

struct uparse {
	const struct nlattr *name, *peer, *rqlen, *uid;
};

static int uattr_cb(const struct nlattr *a, void *data)
{
	struct uparse *u = data;
	switch (mnl_attr_get_type(a)) {
	case UNIX_DIAG_NAME: u->name = a; break;
	case UNIX_DIAG_PEER: u->peer = a; break;
	case UNIX_DIAG_RQLEN: u->rqlen = a; break;
#ifdef UNIX_DIAG_UID
	case UNIX_DIAG_UID: u->uid = a; break;
#endif
	default: break;
	}
	return MNL_CB_OK;
}

static void set_name(tt_unix_raw *r, const char *p, size_t n)
{
	/* an abstract name starts with a NUL byte: shown as '@' like ss */
	if (n > 0 && p[0] == '\0') {
		r->name[0] = '@';
		p++, n--;
		r->namelen = 1;
	} else {
		while (n > 0 && p[n - 1] == '\0')
			n--; /* the kernel may count the path's terminating NUL */
	}
	if (n > sizeof(r->name) - 1 - r->namelen)
		n = sizeof(r->name) - 1 - r->namelen;
	memcpy(r->name + r->namelen, p, n);
	r->namelen += (uint16_t)n;
	r->name[r->namelen] = '\0';
}

int tt_nl_unix_parse(const struct nlmsghdr *nlh, tt_unix_raw *out)
{
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg)))
		return -1;
	const struct unix_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	memset(out, 0, sizeof(*out));
	if (m->udiag_family != AF_UNIX)
		return -1;
	out->type = m->udiag_type;
	out->state = m->udiag_state;
	out->inode = m->udiag_ino;
	struct uparse u = {0};
	if (mnl_attr_parse(nlh, sizeof(*m), uattr_cb, &u) < 0)
		return -1;
	if (u.name)
		set_name(out, mnl_attr_get_payload(u.name), tt_nl_attr_len(nlh, u.name));
	if (u.peer && tt_nl_attr_len(nlh, u.peer) >= 4) {
		out->peer = mnl_attr_get_u32(u.peer);
		out->has_peer = true;
	} else if (out->state == K_ESTABLISHED) {
		out->has_peer = true; /* asked for the peer and got none: it is gone */
	}
	if (u.rqlen && tt_nl_attr_len(nlh, u.rqlen) >= sizeof(struct unix_diag_rqlen)) {
		const struct unix_diag_rqlen *q = mnl_attr_get_payload(u.rqlen);
		out->rq = q->udiag_rqueue;
		out->wq = q->udiag_wqueue;
	}
	if (u.uid && tt_nl_attr_len(nlh, u.uid) >= 4) {
		out->uid = mnl_attr_get_u32(u.uid);
		out->has_uid = true;
	}
	return 0;
}

struct udump {
	tt_unix_table *t;
	uint32_t *bad;
	int oom;
};

static int udump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct udump *d = data;
	tt_unix_raw r;
	if (tt_nl_unix_parse(nlh, &r) < 0) {
		(*d->bad)++;
		return MNL_CB_OK;
	}
	if (r.type != SOCK_STREAM)
		return MNL_CB_OK;
	tt_unix_raw *dst = table_add(d->t);
	if (!dst) {
		d->oom = 1;
		return MNL_CB_ERROR;
	}
	*dst = r;
	return MNL_CB_OK;
}

int tt_nl_unix_dump(tt_nl_inet *nl, tt_unix_table *t, uint32_t *bad, char *err, size_t errlen)
{
	char req[256];
	memset(req, 0, sizeof(req));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	struct unix_diag_req *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
	r->sdiag_family = AF_UNIX;
	r->udiag_states = (1u << K_ESTABLISHED) | (1u << K_LISTEN);
	r->udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN;
#ifdef UDIAG_SHOW_UID
	r->udiag_show |= UDIAG_SHOW_UID;
#endif
	struct udump d = {t, bad, 0};
	return tt_nl_dump(nl, nlh, udump_cb, &d, &d.oom, err, errlen);
}

/* ---------------------------------------------------------------- /proc text */

/* "Num RefCount Protocol Flags Type St Inode Path"
 * 0000000000000000: 00000002 00000000 00010000 0001 01 12345 /run/mysqld/mysqld.sock */
int tt_procunix_parse_line(const char *line, size_t len, tt_unix_raw *out)
{
	char buf[512];
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	memset(out, 0, sizeof(*out));
	unsigned long long num, inode;
	unsigned refcnt, proto, flags, type, st;
	int used = 0;
	if (sscanf(buf, "%llx: %x %x %x %x %x %llu%n", &num, &refcnt, &proto, &flags, &type, &st, &inode,
		   &used) != 7)
		return -1;
	if (st > 4 || inode == 0)
		return -1;
	out->inode = inode;
	out->type = (uint8_t)type;
	/* __SO_ACCEPTCON marks a listening socket; SS_CONNECTED (3) a connection */
	out->state = (flags & 0x10000) ? K_LISTEN : st == 3 ? K_ESTABLISHED : K_CLOSE;
	const char *p = buf + used;
	while (*p == ' ')
		p++;
	size_t n = strlen(p);
	while (n && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	if (n) {
		/* the kernel prints an abstract name with '@' for its NUL byte */
		memcpy(out->name, p, n < sizeof(out->name) - 1 ? n : sizeof(out->name) - 1);
		out->namelen = (uint16_t)(n < sizeof(out->name) - 1 ? n : sizeof(out->name) - 1);
	}
	return 0;
}

int tt_procunix_read(int rootfd, const char *relpath, tt_unix_table *t, uint32_t *bad)
{
	int fd = tt_openat_beneath(rootfd, relpath, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	FILE *f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool header = true;
	int rc = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (header) {
			header = false;
			continue;
		}
		tt_unix_raw r;
		if (tt_procunix_parse_line(line, (size_t)n, &r) < 0) {
			(*bad)++;
			continue;
		}
		if (r.type != SOCK_STREAM || (r.state != K_ESTABLISHED && r.state != K_LISTEN))
			continue;
		tt_unix_raw *dst = table_add(t);
		if (!dst) {
			errno = ENOMEM;
			rc = -1;
			break;
		}
		*dst = r;
	}
	free(line);
	fclose(f);
	return rc;
}

/* ---------------------------------------------------------------- watch list */

int tt_unix_watch_parse(tt_unix_watch *w, const char *list, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	if (!list)
		list = TT_UNIX_PATHS_DEFAULT;
	while (*list) {
		while (*list == ',' || *list == ' ' || *list == '\t')
			list++;
		const char *e = list;
		while (*e && *e != ',')
			e++;
		size_t n = (size_t)(e - list);
		while (n && (list[n - 1] == ' ' || list[n - 1] == '\t'))
			n--;
		if (n == 4 && !strncmp(list, "none", 4)) {
			w->n = 0;
			return 0;
		}
		if (n) {
			if (w->n == TT_UNIX_WATCH_MAX) {
				snprintf(err, errlen, "more than %d socket path patterns", TT_UNIX_WATCH_MAX);
				return -1;
			}
			if (n >= sizeof(w->pat[0]) || (list[0] != '/' && list[0] != '*' && list[0] != '@')) {
				snprintf(err, errlen, "socket path pattern '%.*s': expected an absolute path or a glob "
					 "starting with * (at most %zu bytes)", (int)(n > 60 ? 60 : n), list,
					 sizeof(w->pat[0]) - 1);
				return -1;
			}
			memcpy(w->pat[w->n], list, n);
			w->pat[w->n][n] = '\0';
			w->n++;
		}
		list = e;
	}
	return 0;
}

bool tt_unix_watch_match(const tt_unix_watch *w, const char *path)
{
	if (!path[0])
		return false;
	for (size_t i = 0; i < w->n; i++)
		if (fnmatch(w->pat[i], path, 0) == 0)
			return true;
	for (size_t i = 0; i < w->nexact; i++)
		if (strcmp(w->exact[i], path) == 0)
			return true;
	return false;
}

int tt_unix_watch_add_exact(tt_unix_watch *w, const char *path)
{
	size_t n = strlen(path);
	if (w->nexact == TT_UNIX_EXACT_MAX || n >= sizeof(w->exact[0]))
		return -1;
	memcpy(w->exact[w->nexact++], path, n + 1);
	return 0;
}

/* ---------------------------------------------------------------- selection */

static uint64_t intern(tt_unix_mem *m, const char *path)
{
	for (size_t i = 0; i < m->npaths; i++)
		if (!strcmp(m->paths[i], path))
			return i;
	if (m->npaths >= 4096 || TT_VEC_RESERVE(m->paths, m->cap, m->npaths + 1) < 0)
		return UINT64_MAX;
	char *s = strdup(path);
	if (!s)
		return UINT64_MAX;
	m->paths[m->npaths] = s;
	return m->npaths++;
}

void tt_unix_mem_init(tt_unix_mem *m)
{
	memset(m, 0, sizeof(*m));
	tt_u64set_init(&m->peer_of);
	tt_u64set_init(&m->next);
}

void tt_unix_mem_free(tt_unix_mem *m)
{
	for (size_t i = 0; i < m->npaths; i++)
		free(m->paths[i]);
	free(m->paths);
	tt_u64set_free(&m->peer_of);
	tt_u64set_free(&m->next);
	memset(m, 0, sizeof(*m));
}

static tt_sock *add(tt_snapshot *out, const tt_unix_raw *r, int state)
{
	tt_sock *k = tt_snapshot_add_sock(out);
	if (!k)
		return NULL;
	k->inode = r->inode;
	k->family = TT_FAM_UNIX;
	k->state = (uint8_t)state;
	k->rxq = r->rq;
	k->txq = r->wq;
	k->uid = r->has_uid ? r->uid : 0;
	if (!r->has_uid)
		k->flags |= TT_SF_NO_UID;
	k->peer_inode = r->peer;
	if (r->namelen)
		k->path = tt_snapshot_str(out, r->name, r->namelen, 256);
	return k;
}

void tt_unix_select(const tt_unix_table *t, const tt_unix_watch *w, bool all, tt_unix_mem *mem,
		    tt_snapshot *out)
{
	tt_u64set ix;
	tt_u64set_init(&ix);
	for (size_t i = 0; i < t->n; i++)
		tt_u64set_put(&ix, t->v[i].inode, i);
	for (size_t i = 0; i < t->n; i++) {
		const tt_unix_raw *r = &t->v[i];
		bool gone = r->has_peer && r->state == K_ESTABLISHED && r->peer == 0;
		int state = r->state == K_LISTEN ? TT_ST_LISTEN : gone ? TT_ST_CLOSE_WAIT : TT_ST_ESTABLISHED;
		if (r->namelen && (all || tt_unix_watch_match(w, r->name))) {
			/* a server end: the listener or an accepted connection */
			tt_sock *k = add(out, r, state);
			if (k && r->peer) {
				uint64_t pi;
				if (tt_u64set_get(&ix, r->peer, &pi) && t->v[pi].namelen)
					k->peer_path = tt_snapshot_str(out, t->v[pi].name, t->v[pi].namelen, 256);
			}
			continue;
		}
		if (r->state != K_ESTABLISHED)
			continue;
		/* a client end: by its live peer, or by the peer remembered */
		uint64_t pi, pid = UINT64_MAX;
		const char *target = NULL;
		if (r->peer && tt_u64set_get(&ix, r->peer, &pi) && t->v[pi].namelen &&
		    (all || tt_unix_watch_match(w, t->v[pi].name))) {
			target = t->v[pi].name;
			pid = intern(mem, target);
		} else if (gone && tt_u64set_get(&mem->peer_of, r->inode, &pid) && pid < mem->npaths) {
			target = mem->paths[pid];
		} else if (all) {
			add(out, r, state);
			continue;
		} else if (gone) {
			/* its server end vanished before we saw it: kept only when
			 * its holder has watched sockets too (see owners.c) */
			tt_sock *k = add(out, r, state);
			if (k)
				k->flags |= TT_SF_ENDPOINT_UNKNOWN;
			continue;
		}
		if (!target)
			continue;
		tt_sock *k = add(out, r, state);
		if (!k)
			continue;
		k->peer_path = tt_snapshot_str(out, target, strlen(target), 256);
		if (gone)
			k->flags |= TT_SF_ENDPOINT_REMEMBERED;
		if (pid != UINT64_MAX)
			tt_u64set_put(&mem->next, r->inode, pid);
	}
	tt_u64set_free(&ix);
}

void tt_unix_mem_learn(tt_unix_mem *m, uint64_t inode, const char *path)
{
	uint64_t i = intern(m, path);
	if (i != UINT64_MAX)
		tt_u64set_put(&m->peer_of, inode, i);
}

const char *tt_unix_mem_target(const tt_unix_mem *m, uint64_t inode)
{
	uint64_t i;
	return tt_u64set_get(&m->peer_of, inode, &i) && i < m->npaths ? m->paths[i] : NULL;
}

void tt_unix_mem_commit(tt_unix_mem *m)
{
	tt_u64set t = m->peer_of;
	m->peer_of = m->next;
	m->next = t;
	tt_u64set_clear(&m->next);
}
