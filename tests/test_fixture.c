/* The collector and the model over the fixture proc tree tests/fixtures/proc-basic
 * (see make-proc-basic.sh): counts, ownership and the whole JSON document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_util.h"
#include "collect/discover.h"
#include "collect/peek.h"
#include "tenantop/config.h"

static tt_collector *open_fixture(tt_snapshot *snap, const char *ports)
{
	char root[512], err[512];
	tt_collect_opts co;
	memset(&co, 0, sizeof(co));
	co.proc_root = fixture_path("proc-basic", root, sizeof(root));
	co.source = TT_SRC_AUTO; /* a fixture root must fall back to text */
	assert_int_equal(tt_portset_parse(&co.ports, ports, err, sizeof(err)), 0);
	tt_collector *c = tt_collector_new(&co, err, sizeof(err));
	assert_non_null(c);
	tt_snapshot_init(snap);
	assert_int_equal(tt_collect(c, snap, err, sizeof(err)), 0);
	return c;
}

static size_t owners_of(const tt_snapshot *s, uint64_t inode)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nowners; i++)
		n += s->owners[i].inode == inode;
	return n;
}

static const tt_sock *sock_by_inode(const tt_snapshot *s, uint64_t inode)
{
	for (size_t i = 0; i < s->nsocks; i++)
		if (s->socks[i].inode == inode)
			return &s->socks[i];
	return NULL;
}

static void test_scan_counts(void **state)
{
	(void)state;
	tt_snapshot s;
	tt_collector *c = open_fixture(&s, "3306,5432");
	assert_string_equal(tt_collector_source(c), "proc");
	assert_string_equal(s.stats.source, "proc");
	/* 10 good watched sockets in the tables + 2 reset-but-held (one of them of
	 * unknown endpoint); port 22 and the reset HTTPS call filtered */
	assert_int_equal(s.nsocks, 13);
	assert_null(sock_by_inode(&s, 1005));
	assert_int_equal(s.stats.bad_lines, 2);
	assert_int_equal(s.stats.vanished, 1);
	assert_int_equal(s.stats.held, 1);
	assert_int_equal(s.stats.held_unknown, 1);
	assert_true(s.stats.attribution_partial);
	assert_int_equal(s.stats.sk_alloc, 13);
	assert_int_equal(s.stats.sk_inuse, 9);
	/* fork: the same socket held by parent and child */
	assert_int_equal(owners_of(&s, 1001), 2);
	assert_int_equal(owners_of(&s, 1002), 1);
	/* the vanished pid 300 claims 1003 but is not counted as its holder */
	assert_int_equal(owners_of(&s, 1003), 1);
	/* the UNIX socket of pid 100 is not taken for a held TCP socket */
	assert_null(sock_by_inode(&s, 5555));
	const tt_sock *held = sock_by_inode(&s, 1099);
	assert_non_null(held);
	assert_int_equal(held->state, TT_ST_CLOSE);
	assert_true(held->flags & TT_SF_HELD_ONLY);
	/* its peer, as the socket itself says (SO_PEERNAME) */
	assert_false(held->flags & TT_SF_ENDPOINT_UNKNOWN);
	assert_int_equal(held->family, TT_FAM_TCP4);
	assert_int_equal(held->rport, 3306);
	assert_int_equal(held->raddr[0], 127);
	assert_null(sock_by_inode(&s, 1098)); /* reset, but to port 443: not ours */
	held = sock_by_inode(&s, 1097);
	assert_non_null(held);
	assert_true(held->flags & TT_SF_ENDPOINT_UNKNOWN);
	assert_int_equal(owners_of(&s, 1097), 1);
	/* process facts */
	const tt_proc *p = NULL;
	for (size_t i = 0; i < s.nprocs; i++)
		if (s.procs[i].pid == 100)
			p = &s.procs[i];
	assert_non_null(p);
	assert_int_equal(p->ppid, 1);
	assert_int_equal(p->uid, 1001);
	assert_int_equal(p->nfds, 6);
	assert_int_equal(p->start_time, 900);
	assert_string_equal(tt_snapshot_get_str(&s, p->user), "alice");
	assert_string_equal(tt_snapshot_get_str(&s, p->cmdline), "php-fpm: pool alice");
	assert_string_equal(tt_snapshot_get_str(&s, p->cwd), "/home/alice/public_html");
	assert_string_equal(tt_snapshot_get_str(&s, p->cgroup), "/system.slice/php-fpm-alice.service");
	tt_snapshot_free(&s);
	tt_collector_free(c);
}

static void test_hostile_strings(void **state)
{
	(void)state;
	tt_snapshot s;
	tt_collector *c = open_fixture(&s, "3306");
	for (size_t i = 0; i < s.nprocs; i++) {
		const char *fields[] = {tt_snapshot_get_str(&s, s.procs[i].comm),
					tt_snapshot_get_str(&s, s.procs[i].cmdline)};
		for (int k = 0; k < 2; k++)
			for (const char *q = fields[k]; *q; q++)
				assert_true((unsigned char)*q >= 0x20 && *q != 0x7f);
		if (s.procs[i].pid == 200) {
			assert_string_equal(fields[0], "evil\\e[31m");
			assert_string_equal(fields[1], "python3 app.py --title=\\e]0;pwned\\x07");
		}
	}
	tt_snapshot_free(&s);
	tt_collector_free(c);
}

static void test_all_ports(void **state)
{
	(void)state;
	tt_snapshot s;
	char root[512], err[512];
	tt_collect_opts co;
	memset(&co, 0, sizeof(co));
	co.proc_root = fixture_path("proc-basic", root, sizeof(root));
	co.ports.all = true;
	tt_collector *c = tt_collector_new(&co, err, sizeof(err));
	assert_non_null(c);
	tt_snapshot_init(&s);
	assert_int_equal(tt_collect(c, &s, err, sizeof(err)), 0);
	assert_non_null(sock_by_inode(&s, 1005));
	assert_int_equal(s.nsocks, 15); /* every table socket, the three held ones */
	tt_snapshot_free(&s);
	tt_collector_free(c);
}

static void test_missing_root(void **state)
{
	(void)state;
	char err[512] = "";
	tt_collect_opts co;
	memset(&co, 0, sizeof(co));
	co.proc_root = "/nonexistent/tenantop-proc";
	assert_null(tt_collector_new(&co, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/tenantop-proc"));
}

/* The hosting fixture runs a second mysqld on 3307 (not a default port) and
 * the first one's socket file: discovery watches them, and says why. */
static void test_discovery(void **state)
{
	(void)state;
	assert_true(tt_is_db_server("mariadbd", NULL));
	assert_true(tt_is_db_server("pgbouncer", NULL));
	assert_false(tt_is_db_server("php-fpm8.2", NULL));
	assert_true(tt_is_db_server("tidb-server", "clickhouse, tidb-server"));
	assert_false(tt_is_db_server("tidb", "clickhouse, tidb-server"));
	char root[512], err[512];
	for (int on = 0; on < 2; on++) {
		tt_collect_opts co;
		memset(&co, 0, sizeof(co));
		co.proc_root = fixture_path("proc-hosting", root, sizeof(root));
		co.discover = on;
		assert_int_equal(tt_portset_parse(&co.ports, TT_DEFAULT_PORTS, err, sizeof(err)), 0);
		tt_collector *c = tt_collector_new(&co, err, sizeof(err));
		assert_non_null(c);
		tt_snapshot s;
		tt_snapshot_init(&s);
		assert_int_equal(tt_collect(c, &s, err, sizeof(err)), 0);
		/* 3001: mysqld 71's listener on 3307, 3071: judy's client of it */
		assert_int_equal(sock_by_inode(&s, 3001) != NULL, on);
		assert_int_equal(sock_by_inode(&s, 3071) != NULL, on);
		const tt_watch *w3307 = NULL, *wsock = NULL;
		for (size_t i = 0; i < s.nwatched; i++) {
			const tt_watch *w = &s.watched[i];
			if (w->family != TT_FAM_UNIX && w->port == 3307)
				w3307 = w;
			if (w->family == TT_FAM_UNIX && !strcmp(tt_snapshot_get_str(&s, w->path), "/run/mysqld/mysqld.sock"))
				wsock = w;
		}
		if (!on) {
			assert_null(w3307);
		} else {
			assert_non_null(w3307);
			assert_int_equal(w3307->why, TT_WHY_DISCOVERED);
			assert_int_equal(w3307->pid, 71);
			assert_string_equal(tt_snapshot_get_str(&s, w3307->server), "mysqld");
			/* the socket file is watched by default already: the row names its server */
			assert_non_null(wsock);
			assert_int_equal(wsock->why, TT_WHY_DEFAULT);
			assert_int_equal(wsock->pid, 70);
		}
		tt_snapshot_free(&s);
		tt_collector_free(c);
	}
}

/* What a held socket says of itself, in the form fixture trees keep it. */
static void test_parse_endpoint(void **state)
{
	(void)state;
	tt_peek pk;
	memset(&pk, 0, sizeof(pk));
	assert_int_equal(tt_parse_endpoint("127.0.0.1:3306\n", 15, &pk), 0);
	assert_int_equal(pk.family, TT_FAM_TCP4);
	assert_int_equal(pk.rport, 3306);
	assert_int_equal(pk.raddr[0], 127);
	assert_int_equal(pk.raddr[3], 1);
	assert_true(pk.peer);
	memset(&pk, 0, sizeof(pk));
	assert_int_equal(tt_parse_endpoint("[::ffff:10.0.0.1]:5432", 22, &pk), 0);
	assert_int_equal(pk.family, TT_FAM_TCP6);
	assert_int_equal(pk.rport, 5432);
	assert_int_equal(pk.raddr[10], 0xff);
	assert_int_equal(pk.raddr[12], 10);
	memset(&pk, 0, sizeof(pk));
	assert_int_equal(tt_parse_endpoint("/run/mysqld/mysqld.sock", 23, &pk), 0);
	assert_string_equal(pk.path, "/run/mysqld/mysqld.sock");
	const char *bad[] = {"", "3306", "127.0.0.1:", "127.0.0.1:70000", "[::1:5432", "host:80", "1.2.3.4:-1", ":80"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tt_parse_endpoint(bad[i], strlen(bad[i]), &pk), -1);
}

static void test_expected_json(void **state)
{
	(void)state;
	char *got = fixture_json("proc-basic", "3306,5432", NULL);
	assert_non_null(got);
	assert_true(fixture_compare(got, "proc-basic.expected.json"));
	free(got);
}

/* tenantop.conf.example over the hosting tree: every rule kind names the
 * tenants the example documents. */
static void test_hosting_rules(void **state)
{
	(void)state;
	tt_conf conf;
	char err[512], path[512];
	const char *src = getenv("TT_SRCDIR");
	snprintf(path, sizeof(path), "%s/tenantop.conf.example", src ? src : ".");
	assert_int_equal(tt_conf_init(&conf), 0);
	if (tt_conf_load(&conf, path, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	char *got = fixture_json("proc-hosting", "3306,3307", conf.rules);
	assert_non_null(got);
	static const char *want[][2] = {
		{"carol", "cmdline"}, {"dave", "cmdline"}, {"erin", "path"},   {"grace", "cgroup"},
		{"container-3f2a9c1b7d4e", "cgroup"},       {"heidi", "parent"}, {"ivan", "port"},
		{"office", "remote"}, {"system", "user"}, {"netns-4026532900", "netns"},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char needle[128];
		snprintf(needle, sizeof(needle), "{\"name\":\"%s\",\"rule\":\"%s\"", want[i][0], want[i][1]);
		if (!strstr(got, needle))
			fail_msg("tenant %s by rule %s missing", want[i][0], want[i][1]);
	}
	assert_true(fixture_compare(got, "proc-hosting.expected.json"));
	free(got);
	tt_conf_free(&conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_counts),   cmocka_unit_test(test_hostile_strings),
		cmocka_unit_test(test_all_ports),     cmocka_unit_test(test_missing_root),
		cmocka_unit_test(test_discovery),     cmocka_unit_test(test_parse_endpoint),
		cmocka_unit_test(test_expected_json), cmocka_unit_test(test_hosting_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
