/* The socket sources' parsers: /proc/net/tcp{,6} lines (IPv4, IPv6,
 * v4-mapped, every field, malformed and truncated lines) from fixture
 * files, and the netlink message parser and bytecode. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture_util.h"
#include "collect/nl.h"
#include "collect/procnet.h"
#include "tenantop/u64set.h"

static int open_fixture_dir(void)
{
	char p[512];
	int fd = open(fixture_path("procnet", p, sizeof(p)), O_PATH | O_DIRECTORY);
	assert_true(fd >= 0);
	return fd;
}

static const tt_sock *by_inode(const tt_snapshot *s, uint64_t ino)
{
	for (size_t i = 0; i < s->nsocks; i++)
		if (s->socks[i].inode == ino)
			return &s->socks[i];
	return NULL;
}

static void test_tcp4_file(void **state)
{
	(void)state;
	int fd = open_fixture_dir();
	tt_snapshot s;
	tt_snapshot_init(&s);
	tt_u64set all;
	tt_u64set_init(&all);
	assert_int_equal(tt_procnet_read(fd, "tcp", TT_FAM_TCP4, NULL, &s, &all), 0);
	/* lines 4 (state 0D), 5 (truncated), 6 (bad hex), 8 (cut): skipped and counted */
	assert_int_equal(s.stats.bad_lines, 4);
	assert_int_equal(s.nsocks, 5);
	assert_true(tt_u64set_has(&all, 145096));
	const tt_sock *k = by_inode(&s, 145096);
	assert_non_null(k);
	assert_int_equal(k->family, TT_FAM_TCP4);
	assert_int_equal(k->state, TT_ST_ESTABLISHED);
	assert_int_equal(k->lport, 50376);
	assert_int_equal(k->rport, 3306);
	assert_memory_equal(k->laddr, ((uint8_t[]){127, 0, 0, 1}), 4);
	assert_int_equal(k->uid, 1001);
	assert_int_equal(k->txq, 0x1a);
	assert_int_equal(k->timer, 2);
	assert_int_equal(k->timer_ms, 0xAFC80 * 10);
	assert_int_equal(k->retrans, 3);
	assert_int_equal(by_inode(&s, 145097)->state, TT_ST_CLOSE_WAIT);
	assert_int_equal(by_inode(&s, 145097)->rxq, 1);
	assert_int_equal(by_inode(&s, 1000)->state, TT_ST_LISTEN);
	/* TIME_WAIT: inode 0, the kernel's short line */
	const tt_sock *tw = NULL;
	for (size_t i = 0; i < s.nsocks; i++)
		if (s.socks[i].state == TT_ST_TIME_WAIT)
			tw = &s.socks[i];
	assert_non_null(tw);
	assert_int_equal(tw->inode, 0);
	assert_int_equal(tw->timer, 3);
	assert_int_equal(tw->timer_ms, 60000);
	char buf[64];
	assert_string_equal(tt_sock_fmt_remote(by_inode(&s, 145200), &s, buf, sizeof(buf)), "10.0.0.1:54321");
	tt_u64set_free(&all);
	tt_snapshot_free(&s);
	close(fd);
}

static void test_tcp6_file(void **state)
{
	(void)state;
	int fd = open_fixture_dir();
	tt_snapshot s;
	tt_snapshot_init(&s);
	assert_int_equal(tt_procnet_read(fd, "tcp6", TT_FAM_TCP6, NULL, &s, NULL), 0);
	assert_int_equal(s.nsocks, 4);
	assert_int_equal(s.stats.bad_lines, 1);
	char buf[80];
	const tt_sock *k = by_inode(&s, 2001);
	assert_int_equal(k->family, TT_FAM_TCP6);
	assert_string_equal(tt_sock_fmt_local(k, &s, buf, sizeof(buf)), "[::1]:40010");
	assert_string_equal(tt_sock_fmt_remote(k, &s, buf, sizeof(buf)), "[::1]:5432");
	k = by_inode(&s, 2002);
	assert_int_equal(k->state, TT_ST_CLOSE_WAIT);
	assert_string_equal(tt_sock_fmt_local(k, &s, buf, sizeof(buf)), "[::ffff:127.0.0.1]:3306");
	uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
	assert_memory_equal(k->raddr, mapped, 16);
	k = by_inode(&s, 2003);
	assert_string_equal(tt_sock_fmt_local(k, &s, buf, sizeof(buf)), "[2001:db8::1]:5432");
	tt_snapshot_free(&s);
	close(fd);
}

static void test_filter_and_missing(void **state)
{
	(void)state;
	int fd = open_fixture_dir();
	tt_snapshot s;
	tt_snapshot_init(&s);
	tt_portset ps;
	char err[128];
	assert_int_equal(tt_portset_parse(&ps, "22", err, sizeof(err)), 0);
	tt_sock_filter f = {&ps, 0};
	assert_int_equal(tt_procnet_read(fd, "tcp", TT_FAM_TCP4, &f, &s, NULL), 0);
	assert_int_equal(s.nsocks, 1);
	assert_int_equal(s.socks[0].inode, 145200);
	/* a state filter */
	tt_snapshot_clear(&s);
	tt_sock_filter fs = {NULL, 1u << TT_ST_CLOSE_WAIT};
	assert_int_equal(tt_procnet_read(fd, "tcp", TT_FAM_TCP4, &fs, &s, NULL), 0);
	assert_int_equal(s.nsocks, 1);
	/* no IPv6 in the kernel: not an error */
	assert_int_equal(tt_procnet_read(fd, "no-such-file", TT_FAM_TCP6, NULL, &s, NULL), 0);
	tt_snapshot_free(&s);
	close(fd);
}

static void test_garbage_lines(void **state)
{
	(void)state;
	tt_sock k;
	static const char *bad[] = {"", "   ", "0:", "   0: 0100007F:0CEA", "   0: 0100007F:0CEA 0100007F",
				    "   0: ZZ00007F:0CEA 0100007F:C4C8 01 0:0 00:0 0 0 0 1",
				    "   0: 0100007F:0CEA 0100007F:C4C8 00 00000000:00000000 00:00000000 00000000 0 0 1",
				    "   0: 0100007F:0CEA 0100007F:C4C8 01 00000000:00000000 00:00000000 00000000 x 0 1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tt_procnet_parse_line(bad[i], strlen(bad[i]), TT_FAM_TCP4, &k), -1);
	char junk[2000];
	memset(junk, 'A', sizeof(junk));
	assert_int_equal(tt_procnet_parse_line(junk, sizeof(junk), TT_FAM_TCP4, &k), -1);
	/* an IPv4 line read as IPv6 is malformed, not misread */
	const char *v4 = "   1: 0100007F:C4C8 0100007F:0CEA 01 00000000:00000000 00:00000000 00000000  1001 0 145096";
	assert_int_equal(tt_procnet_parse_line(v4, strlen(v4), TT_FAM_TCP6, &k), -1);
	assert_int_equal(tt_procnet_parse_line(v4, strlen(v4), TT_FAM_TCP4, &k), 0);
}

/* A hand-built sock_diag reply message. */
static void test_netlink_parse(void **state)
{
	(void)state;
	union {
		struct nlmsghdr h;
		char buf[512];
	} u;
	memset(&u, 0, sizeof(u));
	struct inet_diag_msg *m = NLMSG_DATA(&u.h);
	u.h.nlmsg_len = NLMSG_LENGTH(sizeof(*m));
	m->idiag_family = AF_INET6;
	m->idiag_state = 8;
	m->id.idiag_sport = htons(3306);
	m->id.idiag_dport = htons(40011);
	uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
	memcpy(m->id.idiag_src, mapped, 16);
	memcpy(m->id.idiag_dst, mapped, 16);
	m->idiag_uid = 106;
	m->idiag_inode = 2002;
	m->idiag_rqueue = 1;
	tt_sock k;
	assert_int_equal(tt_nl_inet_parse(&u.h, &k), 0);
	assert_int_equal(k.family, TT_FAM_TCP6);
	assert_int_equal(k.state, TT_ST_CLOSE_WAIT);
	assert_int_equal(k.lport, 3306);
	assert_int_equal(k.rport, 40011);
	assert_int_equal(k.inode, 2002);
	assert_int_equal(k.uid, 106);
	assert_false(k.flags & TT_SF_HAS_INFO);
	/* NEW_SYN_RECV is what /proc calls SYN_RECV */
	m->idiag_state = 12;
	assert_int_equal(tt_nl_inet_parse(&u.h, &k), 0);
	assert_int_equal(k.state, TT_ST_SYN_RECV);
	/* malformed: unknown family, unknown state, short message */
	m->idiag_family = 99;
	assert_int_equal(tt_nl_inet_parse(&u.h, &k), -1);
	m->idiag_family = AF_INET;
	m->idiag_state = 0;
	assert_int_equal(tt_nl_inet_parse(&u.h, &k), -1);
	m->idiag_state = 1;
	u.h.nlmsg_len = NLMSG_LENGTH(8);
	assert_int_equal(tt_nl_inet_parse(&u.h, &k), -1);
}

/* Run the bytecode the way the kernel does (inet_diag_bc_run). */
static int bc_run(const uint8_t *bc, size_t len, uint16_t sport, uint16_t dport)
{
	const uint8_t *p = bc;
	long left = (long)len;
	while (left > 0) {
		struct inet_diag_bc_op op;
		memcpy(&op, p, sizeof(op));
		int yes = 1;
		struct inet_diag_bc_op arg;
		switch (op.code) {
		case INET_DIAG_BC_S_GE: memcpy(&arg, p + 4, 4); yes = sport >= arg.no; break;
		case INET_DIAG_BC_S_LE: memcpy(&arg, p + 4, 4); yes = sport <= arg.no; break;
		case INET_DIAG_BC_D_GE: memcpy(&arg, p + 4, 4); yes = dport >= arg.no; break;
		case INET_DIAG_BC_D_LE: memcpy(&arg, p + 4, 4); yes = dport <= arg.no; break;
		case INET_DIAG_BC_JMP: yes = 0; break;
		default: return -1;
		}
		long step = yes ? op.yes : op.no;
		p += step;
		left -= step;
	}
	return left == 0;
}

static void test_netlink_bytecode(void **state)
{
	(void)state;
	uint8_t bc[1024];
	uint16_t ports[] = {3306, 5432};
	size_t n = tt_nl_inet_bytecode(ports, 2, bc, sizeof(bc));
	assert_true(n > 0);
	assert_int_equal(bc_run(bc, n, 3306, 50000), 1);
	assert_int_equal(bc_run(bc, n, 50000, 5432), 1);
	assert_int_equal(bc_run(bc, n, 50000, 3307), 0);
	assert_int_equal(bc_run(bc, n, 3305, 3307), 0);
	assert_int_equal(tt_nl_inet_bytecode(ports, 0, bc, sizeof(bc)), 0);
	assert_int_equal(tt_nl_inet_bytecode(ports, 2, bc, 8), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp4_file),     cmocka_unit_test(test_tcp6_file),
		cmocka_unit_test(test_filter_and_missing), cmocka_unit_test(test_garbage_lines),
		cmocka_unit_test(test_netlink_parse), cmocka_unit_test(test_netlink_bytecode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
