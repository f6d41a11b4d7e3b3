/* Tenant rules, one kind at a time, on hand-made processes and sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tenantop/tenant.h"

static tt_snapshot snap;

static const tt_proc *mkproc(int pid, int ppid, uint32_t uid, const char *user, const char *cmdline,
			     const char *cwd, const char *exe, const char *cgroup)
{
	tt_proc *p = tt_snapshot_add_proc(&snap);
	size_t ix = snap.nprocs - 1;
	p->pid = pid;
	p->ppid = ppid;
	p->uid = uid;
	uint32_t u = tt_snapshot_str_trusted(&snap, user);
	uint32_t c = tt_snapshot_str(&snap, cmdline, strlen(cmdline), 4096);
	uint32_t w = tt_snapshot_str(&snap, cwd, strlen(cwd), 4096);
	uint32_t e = tt_snapshot_str(&snap, exe, strlen(exe), 4096);
	uint32_t g = tt_snapshot_str(&snap, cgroup, strlen(cgroup), 4096);
	p = &snap.procs[ix];
	p->user = u, p->cmdline = c, p->cwd = w, p->exe = e, p->cgroup = g;
	return p;
}

static tt_sock mksock(int state, const char *raddr4, uint16_t lport, uint16_t rport)
{
	tt_sock k;
	memset(&k, 0, sizeof(k));
	k.family = TT_FAM_TCP4;
	k.state = (uint8_t)state;
	k.lport = lport;
	k.rport = rport;
	unsigned a, b, c, d;
	if (raddr4 && sscanf(raddr4, "%u.%u.%u.%u", &a, &b, &c, &d) == 4) {
		k.raddr[0] = (uint8_t)a, k.raddr[1] = (uint8_t)b, k.raddr[2] = (uint8_t)c, k.raddr[3] = (uint8_t)d;
	}
	return k;
}

static tt_rules *rules1(tt_rule_spec sp)
{
	tt_rules *r = tt_rules_new();
	const char *bad;
	char err[256];
	if (tt_rules_add(r, &sp, &bad, err, sizeof(err)) < 0)
		fail_msg("rule rejected: %s (%s)", err, bad);
	return r;
}

static int setup(void **state)
{
	(void)state;
	tt_snapshot_init(&snap);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tt_snapshot_free(&snap);
	return 0;
}

static void test_default_user(void **state)
{
	(void)state;
	const tt_proc *p = mkproc(10, 1, 1001, "alice", "php", "/", "/usr/bin/php", "/");
	tt_sock k = mksock(TT_ST_ESTABLISHED, "127.0.0.1", 40000, 3306);
	tt_match m;
	assert_true(tt_rules_match(NULL, &snap, &k, TT_ROLE_CLIENT, p, &m));
	assert_string_equal(m.tenant, "alice");
	assert_string_equal(m.rule, "user");
	assert_string_equal(m.detail, "uid 1001");
	/* no owner: no process rule can match */
	assert_false(tt_rules_match(NULL, &snap, &k, TT_ROLE_CLIENT, NULL, &m));
}

static void test_user_exclude_group(void **state)
{
	(void)state;
	const tt_proc *sys = mkproc(10, 1, 33, "www-data", "nginx", "/", "/usr/sbin/nginx", "/");
	const tt_proc *bob = mkproc(11, 1, 1002, "", "app", "/", "/app", "/");
	tt_sock k = mksock(TT_ST_ESTABLISHED, "127.0.0.1", 40000, 3306);
	tt_match m;
	tt_rules *r = rules1((tt_rule_spec){.kind = "user", .exclude = "0-999, 65534"});
	assert_false(tt_rules_match(r, &snap, &k, TT_ROLE_CLIENT, sys, &m));
	assert_true(tt_rules_match(r, &snap, &k, TT_ROLE_CLIENT, bob, &m));
	assert_string_equal(m.tenant, "1002"); /* no user name: the uid */
	tt_rules_free(r);
	r = rules1((tt_rule_spec){.kind = "user", .exclude = "0-999", .group = "system"});
	assert_true(tt_rules_match(r, &snap, &k, TT_ROLE_CLIENT, sys, &m));
	assert_string_equal(m.tenant, "system");
	tt_rules_free(r);
}

static void test_cgroup_and_template(void **state)
{
	(void)state;
	const tt_proc *p = mkproc(10, 1, 0, "root", "java -jar app.jar", "/", "/usr/bin/java",
				  "/system.slice/docker-3f2a9c1b7d4e5f60718293a4b5c6.scope");
	tt_sock k = mksock(TT_ST_ESTABLISHED, "127.0.0.1", 40000, 3306);
	tt_match m;
	tt_rules *r = rules1((tt_rule_spec){.kind = "cgroup", .pattern = "/docker-([0-9a-f]{12})[0-9a-f]*\\.scope$",
					    .tenant = "ctr-\\1"});
	assert_true(tt_rules_match(r, &snap, &k, TT_ROLE_CLIENT, p, &m));
	assert_string_equal(m.tenant, "ctr-3f2a9c1b7d4e");
	assert_string_equal(m.rule, "cgroup");
	assert_non_null(strstr(m.detail, "docker-3f2a"));
	tt_rules_free(r);
}

static void test_path_fields(void **state)
{
	(void)state;
	const tt_proc *p = mkproc(10, 1, 1001, "u", "php-cgi", "/home/erin/public_html", "/opt/home/x/bin", "/");
	tt_sock k = mksock(TT_ST_ESTABLISHED, "127.0.0.1", 40000, 3306);
	tt_match m;
	tt_rules *r = rules1((tt_rule_spec){.kind = "path", .pattern = "^/home/([^/]+)/", .field = "cwd"});
	assert_true(tt_rules_match(r, &snap, &k, TT_ROLE_CLIENT, p, &m));
	assert_string_equal(m.tenant, "erin");
	assert_string_equal(m.detail, "cwd /home/erin/public_html");
	tt_rules_free(r);
	r = rules1((tt_rule_spec){.kind = "path", .pattern = "^/home/([^/]+)/", .field = "exe"});
	assert_false(tt_rules_match(r, &snap, &k, TT_ROLE_CLIENT, p, &m));
	tt_rules_free(r);
}

static void test_cmdline_shorthands(void **state)
{
	(void)state;
	const tt_proc *p = mkproc(10, 1, 33, "www-data", "php-fpm: pool dave\tx", "/", "/", "/");
	tt_sock k = mksock(TT_ST_CLOSE_WAIT, "127.0.0.1", 40000, 3306);
	tt_match m;
	tt_rules *r = rules1((tt_rule_spec){.kind = "cmdline", .pattern = "^php-fpm: pool (\\S+)$"});
	/* the tab is stored escaped (a backslash and a t), so \S+ runs to the end */
	assert_true(tt_rules_match(r, &snap, &k, TT_ROLE_CLIENT, p, &m));
	assert_string_equal(m.tenant, "dave\\tx");
	tt_rules_free(r);
	r = rules1((tt_rule_spec){.kind = "cmdline", .pattern = "pool (\\w+)"});
	assert_true(tt_rules_match(r, &snap, &k, TT_ROLE_CLIENT, p, &m));
	assert_string_equal(m.tenant, "dave");
	tt_rules_free(r);
	/* inside a bracket expression a backslash stays a backslash */
	r = rules1((tt_rule_spec){.kind = "cmdline", .pattern = "pool ([d\\w]+)"});
	assert_true(tt_rules_match(r, &snap, &k, TT_ROLE_CLIENT, p, &m));
	assert_string_equal(m.tenant, "d");
	tt_rules_free(r);
}

static void test_hostile_capture(void **state)
{
	(void)state;
	const tt_proc *p = mkproc(10, 1, 1001, "u", "run --tenant=\x1b]0;owned\x07", "/", "/", "/");
	tt_sock k = mksock(TT_ST_ESTABLISHED, "127.0.0.1", 40000, 3306);
	tt_match m;
	tt_rules *r = rules1((tt_rule_spec){.kind = "cmdline", .pattern = "--tenant=(.*)"});
	assert_true(tt_rules_match(r, &snap, &k, TT_ROLE_CLIENT, p, &m));
	assert_string_equal(m.tenant, "\\e]0;owned\\x07");
	for (const char *q = m.tenant; *q; q++)
		assert_true((unsigned char)*q >= 0x20);
	tt_rules_free(r);
}

static void test_remote_cidr(void **state)
{
	(void)state;
	const tt_proc *db = mkproc(70, 1, 106, "mysql", "mysqld", "/", "/", "/");
	tt_rules *r = rules1((tt_rule_spec){.kind = "remote", .cidr = "10.20.0.0/16, 192.168.1.7", .tenant = "office"});
	tt_match m;
	tt_sock k = mksock(TT_ST_ESTABLISHED, "10.20.200.9", 3306, 50000);
	assert_true(tt_rules_match(r, &snap, &k, TT_ROLE_SERVER, db, &m));
	assert_string_equal(m.tenant, "office");
	assert_string_equal(m.detail, "remote 10.20.200.9:50000");
	k = mksock(TT_ST_ESTABLISHED, "10.21.0.1", 3306, 50000);
	assert_false(tt_rules_match(r, &snap, &k, TT_ROLE_SERVER, NULL, &m));
	k = mksock(TT_ST_ESTABLISHED, "192.168.1.7", 3306, 50000);
	assert_true(tt_rules_match(r, &snap, &k, TT_ROLE_SERVER, NULL, &m));
	/* the remote of a client socket is the database: not a tenant */
	k = mksock(TT_ST_ESTABLISHED, "10.20.0.1", 50000, 3306);
	assert_false(tt_rules_match(r, &snap, &k, TT_ROLE_CLIENT, NULL, &m));
	/* v4-mapped IPv6 against an IPv4 network */
	tt_sock k6;
	memset(&k6, 0, sizeof(k6));
	k6.family = TT_FAM_TCP6;
	k6.state = TT_ST_ESTABLISHED;
	k6.raddr[10] = k6.raddr[11] = 0xff;
	k6.raddr[12] = 10, k6.raddr[13] = 20, k6.raddr[14] = 1, k6.raddr[15] = 5;
	assert_true(tt_rules_match(r, &snap, &k6, TT_ROLE_SERVER, NULL, &m));
	tt_rules_free(r);
}

static void test_port_rule_owner_less(void **state)
{
	(void)state;
	tt_rules *r = rules1((tt_rule_spec){.kind = "port", .ports = "3307-3308", .tenant = "ivan"});
	assert_true(tt_rules_have_socket_rules(r));
	tt_match m;
	tt_sock tw = mksock(TT_ST_TIME_WAIT, "127.0.0.1", 41000, 3307);
	assert_true(tt_rules_match(r, &snap, &tw, TT_ROLE_CLIENT, NULL, &m));
	assert_string_equal(m.tenant, "ivan");
	assert_string_equal(m.detail, "port 3307");
	tt_sock other = mksock(TT_ST_TIME_WAIT, "127.0.0.1", 3307, 3306); /* ephemeral 3307 on a client */
	assert_false(tt_rules_match(r, &snap, &other, TT_ROLE_CLIENT, NULL, &m));
	tt_rules_free(r);
}

static void test_parent_climbs(void **state)
{
	(void)state;
	mkproc(60, 1, 1104, "heidi", "appserver", "/srv/heidi", "/app", "/");
	mkproc(61, 60, 65534, "nobody", "worker", "/", "/app", "/");
	mkproc(62, 61, 65534, "nobody", "subworker", "/", "/app", "/");
	tt_rules *r = tt_rules_new();
	const char *bad;
	char err[256];
	tt_rule_spec u = {.kind = "user", .exclude = "0-999,65534"}, par = {.kind = "parent", .depth = "1"};
	assert_int_equal(tt_rules_add(r, &u, &bad, err, sizeof(err)), 0);
	assert_int_equal(tt_rules_add(r, &par, &bad, err, sizeof(err)), 0);
	assert_int_equal(tt_rules_parent_depth(r), 1);
	tt_sock k = mksock(TT_ST_ESTABLISHED, "127.0.0.1", 40000, 3306);
	tt_match m;
	assert_true(tt_rules_match(r, &snap, &k, TT_ROLE_CLIENT, &snap.procs[1], &m));
	assert_string_equal(m.tenant, "heidi");
	assert_string_equal(m.rule, "parent");
	/* depth 1 does not reach the grandparent */
	assert_false(tt_rules_match(r, &snap, &k, TT_ROLE_CLIENT, &snap.procs[2], &m));
	/* the cached context agrees */
	tt_rule_ctx *c = tt_rule_ctx_new(r);
	assert_int_equal(tt_rule_ctx_begin(c, &snap), 0);
	assert_true(tt_rule_ctx_match(c, &k, TT_ROLE_CLIENT, 1, &m));
	assert_string_equal(m.tenant, "heidi");
	assert_false(tt_rule_ctx_match(c, &k, TT_ROLE_CLIENT, 2, &m));
	assert_false(tt_rule_ctx_match(c, &k, TT_ROLE_CLIENT, -1, &m));
	tt_rule_ctx_free(c);
	tt_rules_free(r);
}

static void test_order_first_match_wins(void **state)
{
	(void)state;
	const tt_proc *p = mkproc(10, 1, 1001, "alice", "php-fpm: pool carol", "/", "/", "/");
	tt_rules *r = tt_rules_new();
	const char *bad;
	char err[256];
	tt_rule_spec a = {.kind = "port", .ports = "3306", .tenant = "shared-db"}, b = {.kind = "cmdline", .pattern = "pool (\\S+)"};
	assert_int_equal(tt_rules_add(r, &b, &bad, err, sizeof(err)), 0);
	assert_int_equal(tt_rules_add(r, &a, &bad, err, sizeof(err)), 0);
	tt_sock k = mksock(TT_ST_ESTABLISHED, "127.0.0.1", 40000, 3306);
	tt_match m;
	assert_true(tt_rules_match(r, &snap, &k, TT_ROLE_CLIENT, p, &m));
	assert_string_equal(m.tenant, "carol"); /* the cmdline rule comes first */
	tt_rule_ctx *c = tt_rule_ctx_new(r);
	tt_rule_ctx_begin(c, &snap);
	assert_true(tt_rule_ctx_match(c, &k, TT_ROLE_CLIENT, 0, &m));
	assert_string_equal(m.tenant, "carol");
	tt_rule_ctx_free(c);
	tt_rules_free(r);
}

static void test_rejects(void **state)
{
	(void)state;
	static const struct {
		tt_rule_spec sp;
		const char *bad_key, *msg;
	} cases[] = {
		{{.kind = NULL}, "kind", "needs 'kind'"},
		{{.kind = "uid"}, "kind", "unknown rule kind 'uid'"},
		{{.kind = "cgroup"}, "kind", "needs 'pattern'"},
		{{.kind = "cgroup", .pattern = "user-([0-9]+"}, "pattern", "bad pattern"},
		{{.kind = "cmdline", .pattern = "php-fpm"}, "pattern", "no (group)"},
		{{.kind = "cmdline", .pattern = "(a+)+++++"}, "pattern", "too costly"},
		{{.kind = "cmdline", .pattern = "((a{1,30}){1,30}){1,99}(x)"}, "pattern", "too costly"},
		{{.kind = "cmdline", .pattern = "(a)", .tenant = "\\2"}, "tenant", "uses \\2"},
		{{.kind = "path", .pattern = "(a)", .field = "root"}, "field", "cwd, exe or any"},
		{{.kind = "remote", .tenant = "x"}, "kind", "needs 'cidr'"},
		{{.kind = "remote", .cidr = "10.0.0.0/33", .tenant = "x"}, "cidr", "bad network '10.0.0.0/33'"},
		{{.kind = "remote", .cidr = "10.0.0.0/8"}, "kind", "needs 'tenant'"},
		{{.kind = "port", .ports = "70000", .tenant = "x"}, "ports", "bad port"},
		{{.kind = "user", .exclude = "999-0"}, "exclude", "bad uid range"},
		{{.kind = "parent", .depth = "0"}, "depth", "1-64"},
		{{.kind = "user", .pattern = "(x)"}, "pattern", "does not apply to a user rule"},
		{{.kind = "port", .ports = "3307", .tenant = "a\x01"}, "tenant", "control character"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tt_rules *r = tt_rules_new();
		const char *bad = NULL;
		char err[256] = "";
		assert_int_equal(tt_rules_add(r, &cases[i].sp, &bad, err, sizeof(err)), -1);
		if (strcmp(bad, cases[i].bad_key) || !strstr(err, cases[i].msg))
			fail_msg("case %zu: key %s, message '%s'", i, bad, err);
		assert_int_equal(tt_rules_count(r), 0);
		tt_rules_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_default_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_exclude_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_and_template, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmdline_shorthands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_capture, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote_cidr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_rule_owner_less, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_climbs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_first_match_wins, setup, teardown),
		cmocka_unit_test(test_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
