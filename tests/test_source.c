/* The socket source table: names, capabilities, the plans --source names,
 * the /proc text source over the fixture tree (every inode listed, the
 * filter applied), a source that cannot read another proc root, and the
 * pid list the namespaces and the owner scan share. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "collect/pids.h"
#include "collect/source.h"
#include "fixture_util.h"
#include "tenantop/collect.h"

static void test_table(void **state)
{
	(void)state;
	const tt_source_ops *nl = tt_source_find("netlink"), *text = tt_source_find("proc");
	assert_non_null(nl);
	assert_non_null(text);
	assert_null(tt_source_find("ebpf"));
	assert_null(tt_source_find(NULL));
	assert_string_equal(nl->name, "netlink");
	assert_string_equal(text->name, "proc");
	/* netlink gives tcp_info, cookies and Unix peers, and reads only the live kernel */
	assert_true(nl->caps & TT_CAP_TCP_INFO);
	assert_true(nl->caps & TT_CAP_COOKIES);
	assert_true(nl->caps & TT_CAP_UNIX_PEERS);
	assert_true(nl->caps & TT_CAP_LIVE_ONLY);
	assert_false(nl->caps & TT_CAP_ALL_INODES);
	/* text lists every inode while it reads, and gives nothing else */
	assert_int_equal(text->caps, TT_CAP_ALL_INODES);
	size_t n = 0;
	while (tt_source_at(n))
		n++;
	assert_int_equal(n, 2);
	/* the event augmenter needs cookies, adds owners and events */
	const tt_augment_ops *bpf = tt_augment_find("bpf");
	assert_non_null(bpf);
	assert_int_equal(bpf->needs, TT_CAP_COOKIES);
	assert_true(bpf->caps & TT_CAP_OWNERS);
	assert_true(bpf->caps & TT_CAP_EVENTS);
	assert_false(text->caps & bpf->needs); /* never over the text source */
	assert_null(tt_augment_find("netlink"));
}

static void test_plans(void **state)
{
	(void)state;
	tt_source_plan p;
	assert_int_equal(tt_source_plan_of(TT_SRC_AUTO, &p), 0);
	assert_string_equal(p.source, "netlink");
	assert_string_equal(p.augment, "bpf");
	assert_false(p.need_source);
	assert_false(p.need_augment);
	assert_int_equal(tt_source_plan_of(TT_SRC_NETLINK, &p), 0);
	assert_string_equal(p.source, "netlink");
	assert_null(p.augment);
	assert_true(p.need_source);
	assert_int_equal(tt_source_plan_of(TT_SRC_PROC, &p), 0);
	assert_string_equal(p.source, "proc");
	assert_null(p.augment);
	assert_int_equal(tt_source_plan_of(TT_SRC_BPF, &p), 0);
	assert_string_equal(p.option, "bpf");
	assert_true(p.need_source);
	assert_true(p.need_augment);
	assert_int_equal(tt_source_plan_of(42, &p), -1);
}

static int open_root(tt_source_env *env, char *path, size_t len)
{
	fixture_path("proc-basic", path, len);
	env->rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	env->root_path = path;
	env->real_proc = false;
	return env->rootfd;
}

static void test_text_source(void **state)
{
	(void)state;
	char path[512], err[256];
	tt_source_env env;
	assert_true(open_root(&env, path, sizeof(path)) >= 0);
	tt_source s;
	assert_int_equal(tt_source_open(&s, tt_source_find("proc"), &env, err, sizeof(err)), 0);
	assert_true(tt_source_has(&s, TT_CAP_ALL_INODES));
	assert_false(tt_source_has(&s, TT_CAP_COOKIES));
	tt_portset ports;
	assert_int_equal(tt_portset_parse(&ports, "3306", err, sizeof(err)), 0);
	tt_sock_filter f = {&ports, 0};
	tt_snapshot snap;
	tt_snapshot_init(&snap);
	tt_u64set all, every;
	tt_u64set_init(&all);
	tt_u64set_init(&every);
	assert_int_equal(s.ops->read_tcp(s.st, &f, true, &snap, &all, err, sizeof(err)), 0);
	assert_true(snap.nsocks > 0);
	for (size_t i = 0; i < snap.nsocks; i++) {
		assert_true(snap.socks[i].lport == 3306 || snap.socks[i].rport == 3306);
		assert_true(!snap.socks[i].inode || tt_u64set_has(&all, snap.socks[i].inode)); /* TIME_WAIT: inode 0 */
		assert_int_equal(snap.socks[i].cookie, 0); /* text has none */
	}
	/* every inode listed, filtered or not: what the unfiltered read gives too */
	assert_true(all.len >= snap.nsocks);
	assert_int_equal(tt_source_all_inodes(&s, &every, err, sizeof(err)), 0);
	assert_int_equal(every.len, all.len);
	tt_unix_table ut = {0};
	uint32_t bad = 0;
	s.ops->read_unix(s.st, &ut, &bad, err, sizeof(err)); /* the tree may have no net/unix */
	tt_unix_table_free(&ut);
	tt_u64set_free(&all);
	tt_u64set_free(&every);
	tt_snapshot_free(&snap);
	tt_source_close(&s);
	assert_null(s.ops);
	close(env.rootfd);
}

static void test_live_only(void **state)
{
	(void)state;
	char path[512], err[256] = "";
	tt_source_env env;
	assert_true(open_root(&env, path, sizeof(path)) >= 0);
	tt_source s;
	assert_int_equal(tt_source_open(&s, tt_source_find("netlink"), &env, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "netlink reads the live kernel, not "));
	assert_non_null(strstr(err, "proc-basic"));
	assert_null(s.ops);
	tt_source_close(&s); /* closing a source that did not open is harmless */
	close(env.rootfd);
}

static void test_pids(void **state)
{
	(void)state;
	char path[512];
	tt_source_env env;
	assert_true(open_root(&env, path, sizeof(path)) >= 0);
	tt_pids p = {0};
	assert_int_equal(tt_pids_read(&p, env.rootfd), 0);
	/* the fixture's process folders: 1 50 100 101 200 201 300 (not net, passwd, sockstat) */
	assert_int_equal(p.n, 7);
	int seen = 0;
	for (size_t i = 0; i < p.n; i++) {
		assert_true(p.v[i].pid > 0);
		seen += p.v[i].pid == 101;
	}
	assert_int_equal(seen, 1);
	/* read again: replaced, not appended */
	assert_int_equal(tt_pids_read(&p, env.rootfd), 0);
	assert_int_equal(p.n, 7);
	tt_pids_free(&p);
	close(env.rootfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),     cmocka_unit_test(test_plans), cmocka_unit_test(test_text_source),
		cmocka_unit_test(test_live_only), cmocka_unit_test(test_pids),
	};
	return cmocka_run_group_tests_name("source", tests, NULL, NULL);
}
