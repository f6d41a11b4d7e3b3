/* Probe targets: the database servers a snapshot shows listening (TCP and
 * Unix LISTEN sockets held by mysqld/mariadbd, postgres, redis-server,
 * pgbouncer), and the [database NAME] config sections. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/probe.h"
#include "tenantop/vec.h"

void tt_db_targets_free(tt_db_targets *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------ config */

int tt_db_conf_set(tt_db_conf *c, const char *name, const char *key, const char *value, char *err,
		   size_t errlen)
{
	tt_db_target *t = NULL;
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].name, name))
			t = &c->v[i];
	if (!t) {
		if (c->n >= sizeof(c->v) / sizeof(c->v[0])) {
			snprintf(err, errlen, "too many [database] sections (at most %zu)", sizeof(c->v) / sizeof(c->v[0]));
			return -1;
		}
		if (!*name || strlen(name) >= sizeof(t->name)) {
			snprintf(err, errlen, "[database NAME] wants a name of 1 to %zu bytes", sizeof(t->name) - 1);
			return -1;
		}
		t = &c->v[c->n++];
		memset(t, 0, sizeof(*t));
		snprintf(t->name, sizeof(t->name), "%s", name);
	}
	size_t vl = strlen(value);
	if (!strcmp(key, "kind")) {
		int kind = tt_db_kind_parse(value);
		if (!kind) {
			snprintf(err, errlen, "kind wants mariadb, mysql, postgresql, redis or pgbouncer, not '%.40s'", value);
			return -1;
		}
		t->kind = (uint8_t)kind;
	} else if (!strcmp(key, "socket")) {
		if (value[0] != '/' || vl >= sizeof(t->unix_path)) {
			snprintf(err, errlen, "socket wants an absolute path of the socket file (under %zu bytes)",
				 sizeof(t->unix_path));
			return -1;
		}
		memcpy(t->unix_path, value, vl + 1);
	} else if (!strcmp(key, "host")) {
		/* host:port or host */
		const char *colon = strrchr(value, ':');
		size_t hl = vl;
		if (colon && !strchr(value, ']') && strchr(value, ':') == colon) {
			hl = (size_t)(colon - value);
			char *end;
			long p = strtol(colon + 1, &end, 10);
			if (*end || p < 1 || p > 65535) {
				snprintf(err, errlen, "host wants ADDRESS or ADDRESS:PORT, not '%.60s'", value);
				return -1;
			}
			t->port = (uint16_t)p;
		}
		if (hl == 0 || hl >= sizeof(t->host)) {
			snprintf(err, errlen, "host wants ADDRESS or ADDRESS:PORT, not '%.60s'", value);
			return -1;
		}
		memcpy(t->host, value, hl);
		t->host[hl] = '\0';
	} else if (!strcmp(key, "port")) {
		char *end;
		long p = strtol(value, &end, 10);
		if (*end || end == value || p < 1 || p > 65535) {
			snprintf(err, errlen, "port wants 1-65535, not '%.40s'", value);
			return -1;
		}
		t->port = (uint16_t)p;
	} else if (!strcmp(key, "user")) {
		if (vl >= sizeof(t->user)) {
			snprintf(err, errlen, "user is longer than %zu bytes", sizeof(t->user) - 1);
			return -1;
		}
		memcpy(t->user, value, vl + 1);
	} else if (!strcmp(key, "password_file")) {
		if (value[0] != '/' || vl >= sizeof(t->password_file)) {
			snprintf(err, errlen, "password_file wants an absolute path");
			return -1;
		}
		memcpy(t->password_file, value, vl + 1);
	} else {
		snprintf(err, errlen,
			 "unknown key '%.40s' in [database] (expected kind, socket, host, port, user, password_file)", key);
		return -1;
	}
	return 0;
}

int tt_db_conf_check(const tt_db_conf *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->n; i++) {
		const tt_db_target *t = &c->v[i];
		if (!t->kind) {
			snprintf(err, errlen, "[database %s]: give its kind (mariadb, postgresql, redis, pgbouncer)", t->name);
			return -1;
		}
		if (!t->unix_path[0] && !t->host[0]) {
			snprintf(err, errlen, "[database %s]: give socket = PATH or host = ADDRESS:PORT", t->name);
			return -1;
		}
		if (t->host[0] && !t->port) {
			snprintf(err, errlen, "[database %s]: host without a port (host = ADDRESS:PORT or port = N)",
				 t->name);
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ discovery */

static void add_endpoint(tt_db_target *t, const char *ep)
{
	size_t l = strlen(t->endpoints);
	if (strstr(t->endpoints, ep))
		return;
	snprintf(t->endpoints + l, sizeof(t->endpoints) - l, "%s%s", l ? ", " : "", ep);
}

static void add_port(tt_db_target *t, uint16_t port)
{
	for (unsigned i = 0; i < t->ntcp_ports; i++)
		if (t->tcp_ports[i] == port)
			return;
	if (t->ntcp_ports < TT_DB_MAX_PORTS)
		t->tcp_ports[t->ntcp_ports++] = port;
}

/* The PostgreSQL/pgbouncer port of ".s.PGSQL.5432", 0 when not that form. */
static uint16_t pgsql_port(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	if (strncmp(b, ".s.PGSQL.", 9) != 0)
		return 0;
	long p = strtol(b + 9, NULL, 10);
	return p > 0 && p < 65536 ? (uint16_t)p : 0;
}

/* The holder of a listening socket: the owner with the smallest pid (the
 * postmaster, not a backend that inherited it). */
static const tt_proc *listener(const tt_snapshot *s, const tt_sock *k)
{
	const tt_owner *o = tt_snapshot_find_owner(s, k->netns, k->inode);
	const tt_proc *best = NULL;
	for (; o && o < s->owners + s->nowners && o->inode == k->inode && o->netns == k->netns; o++) {
		if (o->proc >= s->nprocs)
			continue;
		const tt_proc *p = &s->procs[o->proc];
		if (!best || p->pid < best->pid)
			best = p;
	}
	return best;
}

static tt_db_target *find_pid(tt_db_targets *t, int kind, int32_t pid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].pid == pid && t->v[i].kind == kind)
			return &t->v[i];
	return NULL;
}

int tt_db_targets_build(tt_db_targets *t, const tt_snapshot *s, const tt_db_conf *conf)
{
	t->n = 0;
	for (size_t i = 0; i < s->nsocks; i++) {
		const tt_sock *k = &s->socks[i];
		if (k->state != TT_ST_LISTEN || !k->inode || k->netns)
			continue;
		const tt_proc *p = listener(s, k);
		if (!p)
			continue;
		int kind = tt_db_kind_of_process(tt_snapshot_get_str(s, p->comm), tt_snapshot_get_str(s, p->exe));
		if (!kind)
			continue;
		tt_db_target *d = find_pid(t, kind, p->pid);
		if (!d) {
			d = TT_VEC_PUSH(t->v, t->n, t->cap);
			if (!d)
				return -1;
			d->kind = (uint8_t)kind;
			d->pid = p->pid;
			d->uid = p->uid;
			d->gid = p->uid; /* replaced from /proc status by the probe when it matters */
		}
		char ep[160];
		if (k->family == TT_FAM_UNIX) {
			const char *path = tt_snapshot_get_str(s, k->path);
			if (!*path || *path == '@')
				continue;
			add_endpoint(d, path);
			/* PostgreSQL: the socket in the first directory wins; others keep the port */
			if (!d->unix_path[0] && strlen(path) < sizeof(d->unix_path)) {
				snprintf(d->unix_path, sizeof(d->unix_path), "%s", path);
				uint16_t pp = pgsql_port(path);
				if (pp && !d->port)
					d->port = pp;
			}
		} else {
			add_endpoint(d, tt_fmt_endpoint(k->family, k->laddr, k->lport, ep, sizeof(ep)));
			add_port(d, k->lport);
			if (!d->host[0]) {
				static const uint8_t any[16];
				bool v4 = k->family == TT_FAM_TCP4;
				if (!memcmp(k->laddr, any, v4 ? 4 : 16))
					snprintf(d->host, sizeof(d->host), "%s", v4 ? "127.0.0.1" : "::1");
				else
					inet_ntop(v4 ? AF_INET : AF_INET6, k->laddr, d->host, sizeof(d->host));
				if (!d->port || d->kind != TT_DB_POSTGRESQL)
					d->port = k->lport;
			}
		}
	}
	/* configured servers: replace a discovered one listening at the same place */
	for (size_t c = 0; conf && c < conf->n; c++) {
		const tt_db_target *ct = &conf->v[c];
		tt_db_target *d = NULL;
		for (size_t i = 0; i < t->n && !d; i++) {
			tt_db_target *x = &t->v[i];
			if (x->name[0])
				continue;
			if (ct->unix_path[0] && strstr(x->endpoints, ct->unix_path))
				d = x;
			for (unsigned j = 0; !d && ct->host[0] && j < x->ntcp_ports; j++)
				if (x->tcp_ports[j] == ct->port)
					d = x;
		}
		if (!d) {
			d = TT_VEC_PUSH(t->v, t->n, t->cap);
			if (!d)
				return -1;
		}
		tt_db_target keep = *d;
		*d = *ct;
		d->pid = keep.pid;
		d->uid = keep.uid;
		d->gid = keep.gid;
		memcpy(d->tcp_ports, keep.tcp_ports, sizeof(d->tcp_ports));
		d->ntcp_ports = keep.ntcp_ports;
		if (ct->host[0])
			add_port(d, ct->port);
		snprintf(d->endpoints, sizeof(d->endpoints), "%s", keep.endpoints);
		if (!d->endpoints[0]) {
			char ep[160];
			if (ct->unix_path[0])
				add_endpoint(d, ct->unix_path);
			if (ct->host[0]) {
				snprintf(ep, sizeof(ep), "%s:%u", ct->host, ct->port);
				add_endpoint(d, ep);
			}
		}
		if (!d->unix_path[0] && !ct->host[0])
			snprintf(d->unix_path, sizeof(d->unix_path), "%s", keep.unix_path);
		if (ct->unix_path[0] && !d->port) {
			uint16_t pp = pgsql_port(ct->unix_path);
			d->port = pp;
		}
	}
	return 0;
}
