/* Database probes without a database: the parsers of the servers' rows, the
 * targets found in a snapshot, the config sections, and the pairing of
 * sessions with sockets on canned snapshots. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tenantop/config.h"
#include "tenantop/detect.h"
#include "tenantop/model.h"
#include "tenantop/probe.h"

static tt_db_target *push_target(tt_db_targets *t)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 4;
		t->v = realloc(t->v, t->cap * sizeof(*t->v));
		assert_non_null(t->v);
	}
	memset(&t->v[t->n], 0, sizeof(t->v[0]));
	return &t->v[t->n++];
}
#define TT_TEST_PUSH(t) push_target(t)

static void test_kinds(void **state)
{
	(void)state;
	assert_string_equal(tt_db_kind_name(TT_DB_MARIADB), "mariadb");
	assert_string_equal(tt_db_kind_name(TT_DB_PGBOUNCER), "pgbouncer");
	assert_string_equal(tt_db_kind_name(99), "");
	assert_int_equal(tt_db_kind_parse("mysql"), TT_DB_MARIADB);
	assert_int_equal(tt_db_kind_parse("postgres"), TT_DB_POSTGRESQL);
	assert_int_equal(tt_db_kind_parse("redis"), TT_DB_REDIS);
	assert_int_equal(tt_db_kind_parse("oracle"), TT_DB_NONE);
	assert_int_equal(tt_db_kind_of_process("mariadbd", "/usr/sbin/mariadbd"), TT_DB_MARIADB);
	assert_int_equal(tt_db_kind_of_process("mysqld", ""), TT_DB_MARIADB);
	assert_int_equal(tt_db_kind_of_process("postgres", "/usr/lib/postgresql/15/bin/postgres"), TT_DB_POSTGRESQL);
	/* a renamed comm: the executable still tells */
	assert_int_equal(tt_db_kind_of_process("redis-server *:", "/usr/bin/redis-check-rdb"), TT_DB_NONE);
	assert_int_equal(tt_db_kind_of_process("x", "/usr/bin/redis-server"), TT_DB_REDIS);
	assert_int_equal(tt_db_kind_of_process("pgbouncer", NULL), TT_DB_PGBOUNCER);
	assert_int_equal(tt_db_kind_of_process("php-fpm8.2", "/usr/sbin/php-fpm8.2"), TT_DB_NONE);
}

static void test_hostport(void **state)
{
	(void)state;
	uint8_t fam, a[16];
	uint16_t port;
	assert_int_equal(tt_db_parse_hostport("127.0.0.1:50344", &fam, a, &port), 0);
	assert_int_equal(fam, TT_FAM_TCP4);
	assert_int_equal(port, 50344);
	assert_memory_equal(a, "\x7f\0\0\x01", 4);
	assert_int_equal(tt_db_parse_hostport("[::1]:6000", &fam, a, &port), 0);
	assert_int_equal(fam, TT_FAM_TCP6);
	assert_int_equal(a[15], 1);
	/* v4-mapped (MariaDB on a dual-stack listener): tcp4 */
	assert_int_equal(tt_db_parse_hostport("::ffff:10.1.2.3:7000", &fam, a, &port), 0);
	assert_int_equal(fam, TT_FAM_TCP4);
	assert_memory_equal(a, "\x0a\x01\x02\x03", 4);
	assert_int_equal(port, 7000);
	assert_int_equal(tt_db_parse_hostport("localhost:3306", &fam, a, &port), -1);
	assert_int_equal(tt_db_parse_hostport("localhost", &fam, a, &port), -1);
	assert_int_equal(tt_db_parse_hostport("1.2.3.4:99999", &fam, a, &port), -1);
	assert_int_equal(tt_db_parse_hostport("1.2.3.4:", &fam, a, &port), -1);
	assert_int_equal(tt_db_parse_hostport("", &fam, a, &port), -1);
	/* pg_stat_activity's inet text */
	assert_int_equal(tt_db_parse_addr("192.168.0.7/32", 0, &fam, a), 0);
	assert_int_equal(fam, TT_FAM_TCP4);
	assert_int_equal(a[3], 7);
	assert_int_equal(tt_db_parse_addr("not an address", 0, &fam, a), -1);
}

static void test_redis_client(void **state)
{
	(void)state;
	const char *tcp = "id=3 addr=127.0.0.1:34074 laddr=127.0.0.1:6379 fd=8 name= age=12 idle=7 flags=N db=2 "
			  "sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 "
			  "obl=0 oll=0 omem=0 tot-mem=1800 events=r cmd=client|id user=default redir=-1 resp=2\r\n";
	tt_db_session s;
	int fd;
	memset(&s, 0, sizeof(s));
	assert_int_equal(tt_redis_parse_client(tcp, strlen(tcp), &s, &fd), 0);
	assert_string_equal(s.id, "3");
	assert_int_equal(fd, 8);
	assert_int_equal(s.family, TT_FAM_TCP4);
	assert_int_equal(s.port, 34074);
	assert_string_equal(s.user, "default");
	assert_string_equal(s.database, "2");
	assert_string_equal(s.command, "client|id");
	assert_string_equal(s.state, "N");
	assert_int_equal(s.in_transaction, 0);
	assert_true(s.time_s == 7);
	const char *ux = "id=4 addr=/run/redis/redis.sock:0 laddr=/run/redis/redis.sock fd=9 name=x age=1 idle=0 "
			 "flags=x db=0 cmd=exec user=a\x1b[31m";
	memset(&s, 0, sizeof(s));
	assert_int_equal(tt_redis_parse_client(ux, strlen(ux), &s, &fd), 0);
	assert_int_equal(s.family, TT_FAM_UNIX);
	assert_int_equal(fd, 9);
	assert_int_equal(s.in_transaction, 1);
	/* a user name a tenant chose reaches no terminal raw */
	assert_string_equal(s.user, "a\\e[31m");
	assert_int_equal(tt_redis_parse_client("garbage", 7, &s, &fd), -1);
	const char *info = "# Clients\r\nconnected_clients:3\r\nmaxclients:55\r\n# Stats\r\nrejected_connections:0\r\n";
	assert_int_equal(tt_redis_info_long(info, "connected_clients"), 3);
	assert_int_equal(tt_redis_info_long(info, "maxclients"), 55);
	assert_int_equal(tt_redis_info_long(info, "rejected_connections"), 0);
	assert_int_equal(tt_redis_info_long(info, "clients"), -1);
}

static void test_conf(void **state)
{
	(void)state;
	tt_db_conf c;
	char err[300];
	memset(&c, 0, sizeof(c));
	assert_int_equal(tt_db_conf_set(&c, "shop", "kind", "mysql", err, sizeof(err)), 0);
	assert_int_equal(tt_db_conf_set(&c, "shop", "host", "10.0.0.5:3307", err, sizeof(err)), 0);
	assert_int_equal(tt_db_conf_set(&c, "shop", "user", "monitor", err, sizeof(err)), 0);
	assert_int_equal(tt_db_conf_set(&c, "shop", "password_file", "/etc/tenantop/shop.pw", err, sizeof(err)), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].host, "10.0.0.5");
	assert_int_equal(c.v[0].port, 3307);
	assert_int_equal(tt_db_conf_check(&c, err, sizeof(err)), 0);
	assert_int_equal(tt_db_conf_set(&c, "shop", "kind", "oracle", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "kind wants"));
	assert_int_equal(tt_db_conf_set(&c, "shop", "socket", "relative.sock", err, sizeof(err)), -1);
	assert_int_equal(tt_db_conf_set(&c, "shop", "port", "0", err, sizeof(err)), -1);
	assert_int_equal(tt_db_conf_set(&c, "shop", "colour", "red", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown key"));
	assert_int_equal(tt_db_conf_set(&c, "cache", "socket", "/run/redis/redis.sock", err, sizeof(err)), 0);
	assert_int_equal(tt_db_conf_check(&c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "[database cache]: give its kind"));
	assert_int_equal(tt_db_conf_set(&c, "cache", "kind", "redis", err, sizeof(err)), 0);
	assert_int_equal(tt_db_conf_check(&c, err, sizeof(err)), 0);
}

/* [database NAME] in the config file: loaded, or refused with FILE:LINE */
static int load_text(tt_conf *c, const char *text, char *err, size_t errlen)
{
	char path[] = "/tmp/tt-probe-conf.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	int rc = tt_conf_load(c, path, err, errlen);
	unlink(path);
	return rc;
}

static void test_conf_file(void **state)
{
	(void)state;
	tt_conf c;
	char err[600];
	assert_int_equal(tt_conf_init(&c), 0);
	assert_int_equal(load_text(&c,
				   "[database shop]\nkind = mariadb\nsocket = /run/mysqld/mysqld.sock\nuser = monitor\n"
				   "[database cache]\nkind = redis\nhost = 127.0.0.1:6380\n",
				   err, sizeof(err)),
			 0);
	assert_int_equal(c.dbs.n, 2);
	assert_string_equal(c.dbs.v[0].name, "shop");
	assert_string_equal(c.dbs.v[0].user, "monitor");
	assert_int_equal(c.dbs.v[1].port, 6380);
	assert_int_equal(load_text(&c, "[database shop]\nkind = mariadb\nflavour = galera\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":3: unknown key 'flavour' in [database]"));
	assert_int_equal(load_text(&c, "[database shop]\nkind = mariadb\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "[database shop]: give socket = PATH or host = ADDRESS:PORT"));
	/* nothing half-applied: the good file's servers are still there */
	assert_int_equal(c.dbs.n, 2);
	tt_conf_free(&c);
}

/* ---- canned snapshots ---- */

static long add_proc(tt_snapshot *s, int pid, uint32_t uid, const char *comm, const char *exe)
{
	tt_proc *p = tt_snapshot_add_proc(s);
	assert_non_null(p);
	p->pid = pid;
	p->uid = uid;
	p->comm = tt_snapshot_str_trusted(s, comm);
	p->exe = tt_snapshot_str_trusted(s, exe);
	return (long)(s->nprocs - 1);
}

static tt_sock *add_tcp(tt_snapshot *s, uint64_t inode, int state, const char *la, uint16_t lp, const char *ra,
			uint16_t rp)
{
	tt_sock *k = tt_snapshot_add_sock(s);
	assert_non_null(k);
	k->inode = inode;
	k->family = TT_FAM_TCP4;
	k->state = (uint8_t)state;
	inet_pton(AF_INET, la, k->laddr);
	inet_pton(AF_INET, ra, k->raddr);
	k->lport = lp;
	k->rport = rp;
	return k;
}

static tt_sock *add_unix(tt_snapshot *s, uint64_t inode, int state, const char *path, uint64_t peer)
{
	tt_sock *k = tt_snapshot_add_sock(s);
	assert_non_null(k);
	k->inode = inode;
	k->family = TT_FAM_UNIX;
	k->state = (uint8_t)state;
	k->path = path ? tt_snapshot_str_trusted(s, path) : 0;
	k->peer_inode = peer;
	return k;
}

static void own(tt_snapshot *s, uint64_t inode, long proc, int fd)
{
	tt_owner *o = tt_snapshot_add_owner(s);
	assert_non_null(o);
	o->inode = inode;
	o->proc = (uint32_t)proc;
	o->fd = fd;
}

static void test_targets(void **state)
{
	(void)state;
	tt_snapshot s;
	tt_snapshot_init(&s);
	long my = add_proc(&s, 100, 105, "mariadbd", "/usr/sbin/mariadbd");
	long pm = add_proc(&s, 200, 110, "postgres", "/usr/lib/postgresql/15/bin/postgres");
	long be = add_proc(&s, 250, 110, "postgres", "/usr/lib/postgresql/15/bin/postgres");
	long php = add_proc(&s, 300, 33, "php-fpm8.2", "/usr/sbin/php-fpm8.2");
	add_tcp(&s, 11, TT_ST_LISTEN, "0.0.0.0", 3306, "0.0.0.0", 0);
	own(&s, 11, my, 20);
	add_unix(&s, 12, TT_ST_LISTEN, "/run/mysqld/mysqld.sock", 0);
	own(&s, 12, my, 21);
	add_tcp(&s, 21, TT_ST_LISTEN, "127.0.0.1", 5432, "0.0.0.0", 0);
	own(&s, 21, be, 5); /* a backend listed first still holds it: the postmaster is the server */
	own(&s, 21, pm, 5);
	add_unix(&s, 22, TT_ST_LISTEN, "/var/run/postgresql/.s.PGSQL.5432", 0);
	own(&s, 22, pm, 6);
	add_tcp(&s, 31, TT_ST_LISTEN, "0.0.0.0", 9000, "0.0.0.0", 0);
	own(&s, 31, php, 3);
	add_tcp(&s, 41, TT_ST_ESTABLISHED, "127.0.0.1", 3306, "127.0.0.1", 40000);
	own(&s, 41, my, 30);
	tt_snapshot_index_owners(&s);

	tt_db_conf conf;
	char err[200];
	memset(&conf, 0, sizeof(conf));
	assert_int_equal(tt_db_conf_set(&conf, "main", "kind", "mariadb", err, sizeof(err)), 0);
	assert_int_equal(tt_db_conf_set(&conf, "main", "socket", "/run/mysqld/mysqld.sock", err, sizeof(err)), 0);
	assert_int_equal(tt_db_conf_set(&conf, "main", "user", "monitor", err, sizeof(err)), 0);
	assert_int_equal(tt_db_conf_set(&conf, "far", "kind", "redis", err, sizeof(err)), 0);
	assert_int_equal(tt_db_conf_set(&conf, "far", "host", "10.0.0.9:6380", err, sizeof(err)), 0);

	tt_db_targets t = {0};
	assert_int_equal(tt_db_targets_build(&t, &s, NULL), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.v[0].kind, TT_DB_MARIADB);
	assert_int_equal(t.v[0].pid, 100);
	assert_int_equal(t.v[0].uid, 105);
	assert_string_equal(t.v[0].unix_path, "/run/mysqld/mysqld.sock");
	assert_string_equal(t.v[0].host, "127.0.0.1");
	assert_int_equal(t.v[0].port, 3306);
	assert_string_equal(t.v[0].endpoints, "0.0.0.0:3306, /run/mysqld/mysqld.sock");
	assert_int_equal(t.v[1].kind, TT_DB_POSTGRESQL);
	assert_int_equal(t.v[1].pid, 200);
	assert_int_equal(t.v[1].port, 5432);
	assert_int_equal(t.v[1].ntcp_ports, 1);

	/* with the config: "main" is the discovered MariaDB, "far" is added */
	assert_int_equal(tt_db_targets_build(&t, &s, &conf), 0);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.v[0].name, "main");
	assert_string_equal(t.v[0].user, "monitor");
	assert_int_equal(t.v[0].pid, 100);
	assert_int_equal(t.v[0].tcp_ports[0], 3306);
	assert_string_equal(t.v[2].name, "far");
	assert_int_equal(t.v[2].kind, TT_DB_REDIS);
	assert_int_equal(t.v[2].pid, 0);
	assert_string_equal(t.v[2].endpoints, "10.0.0.9:6380");
	tt_db_targets_free(&t);
	tt_snapshot_free(&s);
}

static tt_db_session *tcp_session(tt_db_results *r, const char *addr, uint16_t port)
{
	tt_db_session *ss = tt_db_results_add_session(r);
	assert_non_null(ss);
	assert_int_equal(tt_db_parse_addr(addr, port, &ss->family, ss->addr), 0);
	ss->port = port;
	return ss;
}

static void test_join(void **state)
{
	(void)state;
	tt_snapshot s;
	tt_snapshot_init(&s);
	long app = add_proc(&s, 4242, 1001, "php-fpm8.2", "/usr/sbin/php-fpm8.2");
	long my = add_proc(&s, 100, 105, "mariadbd", "/usr/sbin/mariadbd");
	long backend = add_proc(&s, 300, 110, "postgres", "/usr/lib/postgresql/15/bin/postgres");
	/* 0, 1: both ends of one TCP connection to 3306 */
	add_tcp(&s, 1001, TT_ST_ESTABLISHED, "127.0.0.1", 40000, "127.0.0.1", 3306);
	own(&s, 1001, app, 7);
	add_tcp(&s, 1002, TT_ST_ESTABLISHED, "127.0.0.1", 3306, "127.0.0.1", 40000);
	own(&s, 1002, my, 30);
	/* 2: a client port that is a session's, but to another server port */
	add_tcp(&s, 1003, TT_ST_ESTABLISHED, "127.0.0.1", 40001, "127.0.0.1", 9999);
	own(&s, 1003, app, 8);
	/* 3, 4: a Unix connection: server end 500 (the probe read its inode), client 501 */
	add_unix(&s, 500, TT_ST_ESTABLISHED, "/run/mysqld/mysqld.sock", 501);
	own(&s, 500, my, 31);
	add_unix(&s, 501, TT_ST_ESTABLISHED, NULL, 500);
	own(&s, 501, app, 9);
	/* 5, 6: a PostgreSQL Unix session known by its backend only */
	add_unix(&s, 600, TT_ST_ESTABLISHED, "/var/run/postgresql/.s.PGSQL.5432", 601);
	own(&s, 600, backend, 9);
	add_unix(&s, 601, TT_ST_ESTABLISHED, NULL, 600);
	own(&s, 601, app, 10);
	/* 7: the listener is never paired */
	add_tcp(&s, 1, TT_ST_LISTEN, "127.0.0.1", 3306, "0.0.0.0", 0);
	tt_snapshot_index_owners(&s);

	tt_db_results r;
	tt_db_results_init(&r);
	tt_db_server *my_srv = tt_db_results_add_server(&r);
	my_srv->t.kind = TT_DB_MARIADB;
	my_srv->t.pid = 100;
	my_srv->t.tcp_ports[0] = 3306;
	my_srv->t.ntcp_ports = 1;
	tt_db_session *a = tcp_session(&r, "127.0.0.1", 40000); /* 0: paired, both ends */
	strcpy(a->id, "a");
	tt_db_session *b = tcp_session(&r, "127.0.0.1", 40001); /* 1: port to 9999: not ours */
	strcpy(b->id, "b");
	tt_db_session *c = tt_db_results_add_session(&r); /* 2: Unix, by the server's fd */
	c->family = TT_FAM_UNIX;
	c->server_inode = 500;
	tt_db_session *d = tcp_session(&r, "::ffff:192.0.2.1", 5555); /* 3: a remote client, not on this host */
	(void)d;
	tt_db_server *pg_srv = tt_db_results_add_server(&r);
	pg_srv->t.kind = TT_DB_POSTGRESQL;
	pg_srv->t.tcp_ports[0] = 5432;
	pg_srv->t.ntcp_ports = 1;
	tt_db_session *e = tt_db_results_add_session(&r); /* 4: PostgreSQL backend 300 */
	e->family = TT_FAM_UNIX;
	e->backend_pid = 300;
	assert_int_equal(e->server, 1);

	tt_db_join j;
	tt_db_join_init(&j);
	assert_int_equal(tt_db_join_run(&j, &s, &r), 0);
	assert_int_equal(j.n, s.nsocks);
	assert_int_equal(j.sock_session[0], 0);
	assert_int_equal(j.sock_session[1], 0);
	assert_int_equal(j.sock_session[2], -1);
	assert_int_equal(j.sock_session[3], 2);
	assert_int_equal(j.sock_session[4], 2);
	assert_int_equal(j.sock_session[5], 4);
	assert_int_equal(j.sock_session[6], 4);
	assert_int_equal(j.sock_session[7], -1);
	assert_int_equal(r.sessions[4].server_inode, 600);
	assert_int_equal(r.servers[0].paired, 2);
	assert_int_equal(r.servers[0].unpaired, 2);
	assert_int_equal(r.servers[1].paired, 1);
	assert_int_equal(r.servers[1].unpaired, 0);
	assert_int_equal(j.unpaired, 2);

	/* a backend holding two Unix sockets: which one is the session's is
	 * not knowable from the fds: left unpaired, never guessed */
	add_unix(&s, 700, TT_ST_ESTABLISHED, "/var/run/postgresql/.s.PGSQL.5432", 0);
	own(&s, 700, backend, 11);
	tt_snapshot_index_owners(&s);
	r.sessions[4].server_inode = 0;
	assert_int_equal(tt_db_join_run(&j, &s, &r), 0);
	assert_int_equal(j.sock_session[5], -1);
	assert_int_equal(r.servers[1].unpaired, 1);

	/* a pooler's server connection: the PostgreSQL session whose client end
	 * is pgbouncer's end of it serves the pgbouncer client its link names */
	tt_db_server *bo = tt_db_results_add_server(&r);
	bo->t.kind = TT_DB_PGBOUNCER;
	bo->t.tcp_ports[0] = 6432;
	bo->t.ntcp_ports = 1;
	tt_db_session *pc = tcp_session(&r, "127.0.0.1", 41000);
	strcpy(pc->id, "0xabc");
	size_t pci = r.nsessions - 1;
	tt_db_session *other = tcp_session(&r, "127.0.0.1", 41001);
	strcpy(other->id, "0xdef");
	r.nservers--; /* the backend session belongs to PostgreSQL (server 1) */
	tt_db_session *be = tcp_session(&r, "127.0.0.1", 50000);
	be->server = 1;
	r.nservers++;
	size_t bei = r.nsessions - 1;
	tt_db_link *lk = tt_db_results_add_link(&r);
	assert_int_equal(lk->server, 2);
	assert_int_equal(tt_db_parse_addr("127.0.0.1", 50000, &lk->family, lk->addr), 0);
	lk->port = 50000;
	strcpy(lk->client_id, "0xabc");
	assert_int_equal(tt_db_join_run(&j, &s, &r), 0);
	assert_int_equal(r.sessions[bei].link, (int32_t)pci);
	assert_int_equal(r.sessions[pci].link, -1);
	strcpy(lk->client_id, "0xnone"); /* a link to no listed client: nothing */
	assert_int_equal(tt_db_join_run(&j, &s, &r), 0);
	assert_int_equal(r.sessions[bei].link, -1);

	/* results copied as the prober hands them over: indices follow */
	tt_db_results all;
	tt_db_results_init(&all);
	assert_int_equal(tt_db_results_append(&all, &r), 0);
	assert_int_equal(tt_db_results_append(&all, &r), 0);
	assert_int_equal(all.nservers, 6);
	assert_int_equal(all.nlinks, 2);
	assert_int_equal(all.links[1].server, 5);
	assert_int_equal(all.sessions[r.nsessions + 4].server, 4);
	tt_db_results_free(&all);
	tt_db_join_free(&j);
	tt_db_results_free(&r);
	tt_snapshot_free(&s);
}

/* The prober thread: targets in, results out with their errors; a server
 * that accepts and never answers costs its timeout, then says so. */
static void test_prober(void **state)
{
	(void)state;
	char dir[] = "/tmp/tt-probe-test.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char hung[64];
	snprintf(hung, sizeof(hung), "%s/hung.sock", dir);
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", hung);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 8), 0); /* never accepted: connects, then silence */

	tt_probe_opts po = {.timeout_s = 0.2, .proc_root = "/proc"};
	char err[200];
	tt_prober *p = tt_prober_new(&po, 0.2, err, sizeof(err));
	assert_non_null(p);
	tt_db_targets t = {0};
	tt_db_target *a = TT_TEST_PUSH(&t);
	a->kind = TT_DB_REDIS;
	snprintf(a->unix_path, sizeof(a->unix_path), "%.60s/absent.sock", dir);
	tt_db_target *b = TT_TEST_PUSH(&t);
	b->kind = TT_DB_REDIS;
	snprintf(b->unix_path, sizeof(b->unix_path), "%s", hung);
	tt_prober_set_targets(p, &t);
	assert_true(tt_prober_wait_round(p, 60));
	tt_db_results r;
	tt_db_results_init(&r);
	assert_int_equal(tt_prober_take(p, &r), 0);
	assert_int_equal(r.nservers, 2);
	assert_non_null(strstr(r.servers[0].error, "connect:"));
	assert_true(r.servers[1].error[0] != '\0');
	assert_string_not_equal(r.servers[1].error, "not probed yet");
	assert_true(r.servers[1].probed_at > 0);
	/* a server no longer listed is no longer reported */
	t.n = 1;
	tt_prober_set_targets(p, &t);
	assert_int_equal(tt_prober_take(p, &r), 0);
	assert_int_equal(r.nservers, 1);
	tt_prober_free(p);
	tt_db_results_free(&r);
	tt_db_targets_free(&t);
	close(lfd);
	unlink(hung);
	rmdir(dir);
}

/* The servers' limits for the detector: the server's own, a database
 * user's with the tenant whose sessions log in as it; a configured limit
 * on the port wins. */
static void test_limits(void **state)
{
	(void)state;
	tt_snapshot s;
	tt_snapshot_init(&s);
	s.time = 1000;
	long app = add_proc(&s, 4242, 1001, "php-fpm8.2", "/usr/sbin/php-fpm8.2");
	s.procs[app].user = tt_snapshot_str_trusted(&s, "alice");
	long my = add_proc(&s, 100, 105, "mariadbd", "/usr/sbin/mariadbd");
	s.procs[my].user = tt_snapshot_str_trusted(&s, "mysql");
	add_tcp(&s, 1001, TT_ST_ESTABLISHED, "127.0.0.1", 40000, "127.0.0.1", 3306);
	own(&s, 1001, app, 7);
	add_tcp(&s, 1002, TT_ST_ESTABLISHED, "127.0.0.1", 3306, "127.0.0.1", 40000);
	own(&s, 1002, my, 30);
	tt_snapshot_index_owners(&s);
	tt_model m;
	tt_model_opts mo = {0};
	char err[100];
	assert_int_equal(tt_portset_parse(&mo.ports, "3306", err, sizeof(err)), 0);
	assert_int_equal(tt_model_init(&m, &mo), 0);
	assert_int_equal(tt_model_update(&m, &s), 0);

	tt_dbstate d;
	assert_int_equal(tt_dbstate_start(&d, false, "/proc", 1, err, sizeof(err)), 0);
	tt_db_server *srv = tt_db_results_add_server(&d.res);
	srv->t.kind = TT_DB_MARIADB;
	srv->t.tcp_ports[0] = 3306;
	srv->t.ntcp_ports = 1;
	snprintf(srv->t.endpoints, sizeof(srv->t.endpoints), "127.0.0.1:3306");
	srv->max_connections = 10;
	srv->connections = 9;
	srv->probed_at = 999;
	tt_db_session *a = tcp_session(&d.res, "127.0.0.1", 40000);
	strcpy(a->user, "shop");
	tt_db_session *b = tcp_session(&d.res, "192.0.2.9", 50000); /* remote: no tenant here */
	strcpy(b->user, "shop");
	tt_db_userlimit *ul = tt_db_results_add_limit(&d.res);
	strcpy(ul->user, "shop@%");
	ul->limit = 3;
	ul = tt_db_results_add_limit(&d.res);
	strcpy(ul->user, "shop@localhost"); /* the same user's other account: the smallest counts once */
	ul->limit = 2;
	assert_int_equal(tt_db_join_run(&d.join, &m.snap, &d.res), 0);
	d.valid = true;

	tt_detect_opts conf;
	tt_detect_opts_default(&conf);
	tt_db_limit out[8];
	size_t n = tt_dbstate_limits(&d, &m, &conf, out, 8);
	assert_int_equal(n, 2);
	assert_string_equal(out[0].tenant, "");
	assert_int_equal(out[0].used, 9);
	assert_int_equal(out[0].max, 10);
	assert_non_null(strstr(out[0].what, "max_connections"));
	assert_string_equal(out[1].tenant, "alice");
	assert_int_equal(out[1].used, 2);
	assert_int_equal(out[1].max, 2);
	assert_non_null(strstr(out[1].what, "user shop MAX_USER_CONNECTIONS"));

	/* the detector raises pool for alice at her user's limit, and for the server */
	tt_detector *det = tt_detector_new(&conf);
	tt_alerts al;
	tt_alerts_init(&al);
	assert_int_equal(tt_detector_set_db_limits(det, out, n), 0);
	assert_int_equal(tt_detect_run(det, &m, &al), 0);
	int pools = 0;
	for (size_t i = 0; i < al.n; i++)
		if (al.v[i].kind == TT_AK_POOL && (!strcmp(al.v[i].tenant, "alice") || !strcmp(al.v[i].tenant, "*")))
			pools++;
	assert_int_equal(pools, 2);

	/* a configured limit on the port wins over the server's own */
	assert_int_equal(tt_detect_opts_set(&conf, "limit", "3306=151", err, sizeof(err)), 0);
	n = tt_dbstate_limits(&d, &m, &conf, out, 8);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].tenant, "alice");
	/* and one for the tenant wins over its user's */
	assert_int_equal(tt_detect_opts_set(&conf, "limit", "alice=40", err, sizeof(err)), 0);
	assert_int_equal(tt_dbstate_limits(&d, &m, &conf, out, 8), 0);

	tt_alerts_free(&al);
	tt_detector_free(det);
	tt_dbstate_free(&d);
	tt_model_free(&m);
	tt_snapshot_free(&s);
}

/* The dbuser rule: the server end of a connection is the tenant its
 * session's database user names; other sockets are left to the next rule. */
static void test_dbuser_rule(void **state)
{
	(void)state;
	tt_rules *r = tt_rules_new();
	assert_non_null(r);
	const char *bad;
	char err[200];
	tt_rule_spec db = {.kind = "dbuser", .pattern = "^shop_([a-z]+)$", .tenant = "shop-\\1"};
	assert_int_equal(tt_rules_add(r, &db, &bad, err, sizeof(err)), 0);
	tt_rule_spec user = {.kind = "user"};
	assert_int_equal(tt_rules_add(r, &user, &bad, err, sizeof(err)), 0);
	tt_rule_spec nopat = {.kind = "dbuser"};
	assert_int_equal(tt_rules_add(r, &nopat, &bad, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "needs 'pattern'"));
	assert_true(tt_rules_have_socket_rules(r));

	tt_snapshot s;
	tt_snapshot_init(&s);
	long my = add_proc(&s, 100, 105, "mariadbd", "/usr/sbin/mariadbd");
	s.procs[my].user = tt_snapshot_str_trusted(&s, "mysql");
	add_tcp(&s, 1, TT_ST_ESTABLISHED, "127.0.0.1", 3306, "192.0.2.7", 40000);
	add_unix(&s, 2, TT_ST_ESTABLISHED, "/run/mysqld/mysqld.sock", 3);
	add_tcp(&s, 4, TT_ST_ESTABLISHED, "127.0.0.1", 3306, "192.0.2.8", 40001);
	const char *users[3] = {"shop_alice", "shop_bob", "root"};
	s.dbuser = users;
	s.ndbuser = 3;
	tt_match m;
	assert_true(tt_rules_match(r, &s, &s.socks[0], TT_ROLE_SERVER, &s.procs[my], &m));
	assert_string_equal(m.tenant, "shop-alice");
	assert_string_equal(m.rule, "dbuser");
	assert_string_equal(m.detail, "db user shop_alice");
	assert_true(tt_rules_match(r, &s, &s.socks[1], TT_ROLE_SERVER, &s.procs[my], &m));
	assert_string_equal(m.tenant, "shop-bob");
	/* a user the pattern does not name, a client end, no probes: the next rule */
	assert_true(tt_rules_match(r, &s, &s.socks[2], TT_ROLE_SERVER, &s.procs[my], &m));
	assert_string_equal(m.rule, "user");
	assert_true(tt_rules_match(r, &s, &s.socks[0], TT_ROLE_CLIENT, &s.procs[my], &m));
	assert_string_equal(m.rule, "user");
	s.dbuser = NULL;
	assert_true(tt_rules_match(r, &s, &s.socks[0], TT_ROLE_SERVER, &s.procs[my], &m));
	assert_string_equal(m.tenant, "mysql");
	tt_snapshot_free(&s);
	tt_rules_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),       cmocka_unit_test(test_hostport), cmocka_unit_test(test_redis_client),
		cmocka_unit_test(test_conf),        cmocka_unit_test(test_targets),  cmocka_unit_test(test_join),
		cmocka_unit_test(test_prober),      cmocka_unit_test(test_limits),   cmocka_unit_test(test_conf_file),
		cmocka_unit_test(test_dbuser_rule),
	};
	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
