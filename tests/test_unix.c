/* Unix stream sockets: the /proc/net/unix line parser, the UNIX_DIAG
 * message parser, the watched-path globs, and the pairing of client ends
 * with server ends across refreshes (a dead peer is CLOSE_WAIT, its target
 * remembered); the network namespace link parser. */
#include <libmnl/libmnl.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <dirent.h>

#include "fixture_util.h"
#include "collect/netns.h"
#include "collect/unix.h"
#include "tenantop/collect.h"

static void test_proc_lines(void **state)
{
	(void)state;
	tt_unix_raw r;
	const char *l = "0000000000000000: 00000002 00000000 00010000 0001 01 6000 /run/mysqld/mysqld.sock\n";
	assert_int_equal(tt_procunix_parse_line(l, strlen(l), &r), 0);
	assert_int_equal(r.inode, 6000);
	assert_int_equal(r.type, SOCK_STREAM);
	assert_int_equal(r.state, 10); /* listening */
	assert_string_equal(r.name, "/run/mysqld/mysqld.sock");
	assert_false(r.has_peer);

	l = "ffff8f0a4c1e8000: 00000003 00000000 00000000 0001 03 6002\n";
	assert_int_equal(tt_procunix_parse_line(l, strlen(l), &r), 0);
	assert_int_equal(r.state, 1);
	assert_int_equal(r.namelen, 0);

	l = "0000000000000000: 00000002 00000000 00000000 0001 01 6010 @/tmp/.X11-unix/X0\n";
	assert_int_equal(tt_procunix_parse_line(l, strlen(l), &r), 0);
	assert_int_equal(r.state, 7);
	assert_string_equal(r.name, "@/tmp/.X11-unix/X0");

	l = "0000000000000000: 00000002 00000000 00000000 0001 01 6011 /home/eve/my sock\n";
	assert_int_equal(tt_procunix_parse_line(l, strlen(l), &r), 0);
	assert_string_equal(r.name, "/home/eve/my sock");

	const char *bad[] = {
		"Num       RefCount Protocol Flags    Type St Inode Path\n",
		"this line is damaged\n",
		"0000000000000000: 00000002 00000000 00000000 0001 09 6012 /x\n", /* no such state */
		"0000000000000000: 00000002 00000000 00000000 0001 01\n",        /* cut */
		"0000000000000000: 00000002 00000000 00000000 0001 01 0 /x\n",   /* inode 0 */
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tt_procunix_parse_line(bad[i], strlen(bad[i]), &r), -1);
}

/* A UNIX_DIAG answer as the kernel builds it. */
static struct nlmsghdr *diag_msg(char *buf, uint32_t ino, uint8_t state, const char *name, size_t namelen,
				 int peer)
{
	memset(buf, 0, 1024);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	struct unix_diag_msg *m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->udiag_family = AF_UNIX;
	m->udiag_type = SOCK_STREAM;
	m->udiag_state = state;
	m->udiag_ino = ino;
	if (name)
		mnl_attr_put(nlh, UNIX_DIAG_NAME, namelen, name);
	if (peer >= 0)
		mnl_attr_put_u32(nlh, UNIX_DIAG_PEER, (uint32_t)peer);
	struct unix_diag_rqlen q = {3, 128};
	mnl_attr_put(nlh, UNIX_DIAG_RQLEN, sizeof(q), &q);
	return nlh;
}

static void test_netlink_message(void **state)
{
	(void)state;
	char buf[1024];
	tt_unix_raw r;
	/* the kernel counts the path's terminating NUL */
	struct nlmsghdr *nlh = diag_msg(buf, 41, 1, "/run/mysqld/mysqld.sock", 24, 42);
	assert_int_equal(tt_nl_unix_parse(nlh, &r), 0);
	assert_int_equal(r.inode, 41);
	assert_int_equal(r.peer, 42);
	assert_true(r.has_peer);
	assert_int_equal(r.namelen, 23);
	assert_string_equal(r.name, "/run/mysqld/mysqld.sock");
	assert_int_equal(r.rq, 3);
	assert_int_equal(r.wq, 128);

	nlh = diag_msg(buf, 43, 1, "\0abstract", 9, 0); /* abstract name, peer gone */
	assert_int_equal(tt_nl_unix_parse(nlh, &r), 0);
	assert_string_equal(r.name, "@abstract");
	assert_true(r.has_peer);
	assert_int_equal(r.peer, 0);

	nlh = diag_msg(buf, 44, 1, NULL, 0, 0);
	nlh->nlmsg_len = NLMSG_LENGTH(4); /* cut short */
	assert_int_equal(tt_nl_unix_parse(nlh, &r), -1);
	nlh = diag_msg(buf, 45, 1, NULL, 0, 0);
	((struct unix_diag_msg *)mnl_nlmsg_get_payload(nlh))->udiag_family = AF_INET;
	assert_int_equal(tt_nl_unix_parse(nlh, &r), -1);
}

static void test_watch_globs(void **state)
{
	(void)state;
	tt_unix_watch w;
	char err[200];
	assert_int_equal(tt_unix_watch_parse(&w, NULL, err, sizeof(err)), 0);
	assert_true(tt_unix_watch_match(&w, "/run/mysqld/mysqld.sock"));
	assert_true(tt_unix_watch_match(&w, "/var/lib/mysql/mysql.sock"));
	assert_true(tt_unix_watch_match(&w, "/var/run/postgresql/.s.PGSQL.5432"));
	assert_true(tt_unix_watch_match(&w, "/run/redis/redis-server.sock"));
	assert_false(tt_unix_watch_match(&w, "/run/dbus/system_bus_socket"));
	assert_false(tt_unix_watch_match(&w, ""));

	assert_int_equal(tt_unix_watch_parse(&w, " /srv/*/db.sock , @mysql ", err, sizeof(err)), 0);
	assert_int_equal(w.n, 2);
	assert_true(tt_unix_watch_match(&w, "/srv/alice/db.sock"));
	assert_true(tt_unix_watch_match(&w, "@mysql"));
	assert_int_equal(tt_unix_watch_parse(&w, "none", err, sizeof(err)), 0);
	assert_int_equal(w.n, 0);
	assert_int_equal(tt_unix_watch_parse(&w, "run/mysqld.sock", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "absolute path"));
}

static tt_unix_raw raw(uint64_t ino, uint8_t state, const char *name, uint64_t peer)
{
	tt_unix_raw r;
	memset(&r, 0, sizeof(r));
	r.inode = ino;
	r.type = SOCK_STREAM;
	r.state = state;
	r.peer = peer;
	r.has_peer = true;
	if (name) {
		r.namelen = (uint16_t)strlen(name);
		memcpy(r.name, name, r.namelen);
	}
	return r;
}

static const tt_sock *find(const tt_snapshot *s, uint64_t ino)
{
	for (size_t i = 0; i < s->nsocks; i++)
		if (s->socks[i].inode == ino)
			return &s->socks[i];
	return NULL;
}

static void test_pairing_and_memory(void **state)
{
	(void)state;
	tt_unix_watch w;
	char err[200], a[256];
	assert_int_equal(tt_unix_watch_parse(&w, NULL, err, sizeof(err)), 0);
	tt_unix_mem mem;
	tt_unix_mem_init(&mem);
	tt_snapshot s;
	tt_snapshot_init(&s);
	const char *my = "/run/mysqld/mysqld.sock";
	tt_unix_raw v1[] = {
		raw(10, 10, my, 0),                /* the listener */
		raw(11, 1, my, 21),                /* accepted: server end of 21 */
		raw(12, 1, my, 22),                /* server end of 22 */
		raw(21, 1, NULL, 11),              /* a client */
		raw(22, 1, NULL, 12),              /* another client */
		raw(30, 1, "/run/other.sock", 31), /* not watched */
		raw(31, 1, NULL, 30),
		raw(40, 1, NULL, 41), raw(41, 1, NULL, 40), /* a socketpair */
		raw(50, 1, "/tmp/\033[2J/mysqld.sock", 51), raw(51, 1, NULL, 50), /* hostile name */
	};
	tt_unix_table t = {v1, sizeof(v1) / sizeof(v1[0]), 0};
	tt_unix_select(&t, &w, false, &mem, &s);
	tt_unix_mem_commit(&mem);
	const tt_sock *k = find(&s, 10);
	assert_non_null(k);
	assert_int_equal(k->state, TT_ST_LISTEN);
	assert_int_equal(k->family, TT_FAM_UNIX);
	assert_string_equal(tt_sock_fmt_local(k, &s, a, sizeof(a)), my);
	k = find(&s, 21);
	assert_non_null(k);
	assert_int_equal(k->state, TT_ST_ESTABLISHED);
	assert_string_equal(tt_sock_fmt_local(k, &s, a, sizeof(a)), "*");
	assert_string_equal(tt_sock_fmt_remote(k, &s, a, sizeof(a)), my);
	k = find(&s, 11);
	assert_non_null(k);
	assert_string_equal(tt_sock_fmt_remote(k, &s, a, sizeof(a)), "*");
	assert_null(find(&s, 30));
	assert_null(find(&s, 31));
	assert_null(find(&s, 40));
	/* a path a tenant chose reaches the snapshot escaped */
	k = find(&s, 51);
	assert_non_null(k);
	assert_null(strchr(tt_sock_fmt_remote(k, &s, a, sizeof(a)), '\033'));
	assert_non_null(strstr(a, "/tmp/\\e[2J/mysqld.sock"));
	assert_int_equal(s.nsocks, 7);

	/* the server timed 21 out: its end is gone, 21 stays connected to nothing */
	tt_snapshot_clear(&s);
	tt_unix_raw v2[] = {
		raw(10, 10, my, 0), raw(12, 1, my, 22), raw(22, 1, NULL, 12), raw(21, 1, NULL, 0),
		raw(60, 1, NULL, 0), /* dead before we ever saw it */
	};
	tt_unix_table t2 = {v2, sizeof(v2) / sizeof(v2[0]), 0};
	tt_unix_select(&t2, &w, false, &mem, &s);
	tt_unix_mem_commit(&mem);
	k = find(&s, 21);
	assert_non_null(k);
	assert_int_equal(k->state, TT_ST_CLOSE_WAIT);
	assert_true(k->flags & TT_SF_ENDPOINT_REMEMBERED);
	assert_string_equal(tt_sock_fmt_remote(k, &s, a, sizeof(a)), my);
	k = find(&s, 60);
	assert_non_null(k);
	assert_true(k->flags & TT_SF_ENDPOINT_UNKNOWN);
	assert_string_equal(tt_sock_fmt_remote(k, &s, a, sizeof(a)), "?");

	/* and is still known a refresh later; once closed it is forgotten */
	tt_snapshot_clear(&s);
	tt_unix_select(&t2, &w, false, &mem, &s);
	tt_unix_mem_commit(&mem);
	k = find(&s, 21);
	assert_non_null(k);
	assert_string_equal(tt_sock_fmt_remote(k, &s, a, sizeof(a)), my);
	tt_snapshot_clear(&s);
	t2.n = 3;
	tt_unix_select(&t2, &w, false, &mem, &s);
	tt_unix_mem_commit(&mem);
	uint64_t v;
	assert_false(tt_u64set_get(&mem.peer_of, 21, &v));

	/* all: every stream socket */
	tt_snapshot_clear(&s);
	tt_unix_select(&t, &w, true, &mem, &s);
	tt_unix_mem_commit(&mem);
	assert_int_equal(s.nsocks, t.n);
	tt_snapshot_free(&s);
	tt_unix_mem_free(&mem);
}

/* Inputs that once crashed a fuzzer (tests/fixtures/fuzz-crashes/netlink),
 * each in a buffer of its exact size, as the harness gave it: under
 * AddressSanitizer (make check) a read past the end fails the test. */
static void test_fuzz_regressions(void **state)
{
	(void)state;
	char dir[512];
	fixture_path("fuzz-crashes/netlink", dir, sizeof(dir));
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char p[1024];
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		FILE *f = fopen(p, "rb");
		assert_non_null(f);
		unsigned char tmp[65536];
		size_t size = fread(tmp, 1, sizeof(tmp), f);
		fclose(f);
		assert_true(size >= sizeof(struct nlmsghdr));
		struct nlmsghdr *nlh = malloc(size);
		assert_non_null(nlh);
		memcpy(nlh, tmp, size);
		if (nlh->nlmsg_len > size || nlh->nlmsg_len < sizeof(struct nlmsghdr))
			nlh->nlmsg_len = (uint32_t)size;
		tt_sock k;
		tt_unix_raw u;
		tt_nl_inet_parse(nlh, &k);
		tt_nl_unix_parse(nlh, &u);
		free(nlh);
		n++;
	}
	closedir(d);
	assert_true(n >= 1);
}

static void test_netns_link(void **state)
{
	(void)state;
	assert_int_equal(tt_parse_netns_link("net:[4026531840]", 16), 4026531840ULL);
	assert_int_equal(tt_parse_netns_link("net:[]", 6), 0);
	assert_int_equal(tt_parse_netns_link("mnt:[4026531840]", 16), 0);
	assert_int_equal(tt_parse_netns_link("net:[40265x1840]", 16), 0);
	assert_int_equal(tt_parse_netns_link("net:[99999999999999999999999]", 29), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_lines),     cmocka_unit_test(test_netlink_message),
		cmocka_unit_test(test_watch_globs),    cmocka_unit_test(test_pairing_and_memory),
		cmocka_unit_test(test_netns_link),     cmocka_unit_test(test_fuzz_regressions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
