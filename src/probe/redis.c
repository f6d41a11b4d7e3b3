/* Redis probe (hiredis): INFO (version, connected_clients,
 * rejected_connections, maxclients), CONFIG GET maxclients, CLIENT LIST.
 * TCP clients are paired by addr=, Unix ones by fd= -> the socket inode of
 * that descriptor in redis-server.  No password unless password_file. */
#include <hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/api_hiredis.h"
#include "tenantop/probe.h"

static redisReply *cmd(redisContext *c, tt_db_server *srv, const char *fmt, const char *arg)
{
	redisReply *rep = arg ? redisCommand(c, fmt, arg) : redisCommand(c, fmt);
	if (!rep) {
		snprintf(srv->error, sizeof(srv->error), "%s", c->errstr[0] ? c->errstr : "no answer");
		return NULL;
	}
	if (rep->type == REDIS_REPLY_ERROR) {
		tt_db_copy(srv->error, sizeof(srv->error), rep->str, rep->len);
		freeReplyObject(rep);
		return NULL;
	}
	return rep;
}

void *tt_redis_connect(const tt_probe_opts *o, tt_db_server *srv)
{
	const tt_db_target *t = &srv->t;
	if (tt_hiredis_load(srv->error, sizeof(srv->error)) < 0)
		return NULL;
	double tmo = o->timeout_s > 0 ? o->timeout_s : 1;
	struct timeval tv = {(time_t)tmo, (suseconds_t)((tmo - (double)(time_t)tmo) * 1e6)};
	redisContext *c = t->unix_path[0] ? redisConnectUnixWithTimeout(t->unix_path, tv)
					  : redisConnectWithTimeout(t->host, t->port, tv);
	if (!c || c->err) {
		snprintf(srv->error, sizeof(srv->error), "connect: %s", c ? c->errstr : "out of memory");
		redisFree(c);
		return NULL;
	}
	redisSetTimeout(c, tv);
	if (t->password_file[0]) {
		char pw[256];
		if (tt_db_read_password(t->password_file, pw, sizeof(pw)) < 0) {
			snprintf(srv->error, sizeof(srv->error), "cannot read the password file %.150s", t->password_file);
			redisFree(c);
			return NULL;
		}
		redisReply *rep = t->user[0] ? redisCommand(c, "AUTH %s %s", t->user, pw) : redisCommand(c, "AUTH %s", pw);
		memset(pw, 0, sizeof(pw));
		if (!rep || rep->type == REDIS_REPLY_ERROR) {
			snprintf(srv->error, sizeof(srv->error), "login refused: %.150s",
				 rep && rep->str ? rep->str : c->errstr);
			if (rep)
				freeReplyObject(rep);
			redisFree(c);
			return NULL;
		}
		freeReplyObject(rep);
	}
	return c;
}

void tt_redis_close(void *h)
{
	redisFree(h);
}

int tt_redis_body(const tt_probe_opts *o, tt_db_results *r, size_t si, void *h)
{
	redisContext *c = h;
	tt_db_server *srv = &r->servers[si];
	const tt_db_target t = srv->t;
	redisReply *rep;
	int rc = -1;
	if (!(rep = cmd(c, srv, "INFO", NULL)))
		return -1;
	if (rep->type == REDIS_REPLY_STRING) {
		srv->connections = tt_redis_info_long(rep->str, "connected_clients");
		srv->rejected = tt_redis_info_long(rep->str, "rejected_connections");
		srv->max_connections = tt_redis_info_long(rep->str, "maxclients");
		const char *v = strstr(rep->str, "redis_version:");
		if (v) {
			v += 14;
			tt_db_copy(srv->version, sizeof(srv->version), v, strcspn(v, "\r\n"));
		}
	}
	freeReplyObject(rep);
	if (srv->max_connections < 0 && (rep = cmd(c, srv, "CONFIG GET %s", "maxclients"))) {
		if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 && rep->element[1]->str)
			srv->max_connections = strtol(rep->element[1]->str, NULL, 10);
		freeReplyObject(rep);
	}
	srv->error[0] = '\0';
	long long self = -1;
	if ((rep = cmd(c, srv, "CLIENT ID", NULL))) {
		if (rep->type == REDIS_REPLY_INTEGER)
			self = rep->integer;
		freeReplyObject(rep);
	}
	if (!(rep = cmd(c, srv, "CLIENT LIST", NULL)))
		return -1;
	size_t first = r->nsessions;
	if (rep->type == REDIS_REPLY_STRING) {
		const char *p = rep->str, *end = rep->str + rep->len;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			tt_db_session s0;
			memset(&s0, 0, sizeof(s0));
			s0.time_s = -1;
			s0.in_transaction = -1;
			s0.link = -1;
			int fd = -1;
			if (tt_redis_parse_client(p, len, &s0, &fd) == 0 &&
			    (self < 0 || strtoll(s0.id, NULL, 10) != self)) {
				tt_db_session *s = tt_db_results_add_session(r);
				if (!s)
					break;
				*s = s0;
				s->server = (uint32_t)si;
				if (s->family == TT_FAM_UNIX)
					s->server_inode = tt_db_fd_inode(o->proc_root, t.pid, fd);
			}
			p += len + 1;
		}
	}
	freeReplyObject(rep);
	r->servers[si].nsessions = (uint32_t)(r->nsessions - first);
	rc = 0;
	return rc;
}
