/* Batch output: JSON contract fields and escaping, text table, ages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tenantop/output.h"

/* 127.0.0.1:LPORT -> 127.0.0.1:3306 */
static void add_tcp4(tt_snapshot *s, int state, uint64_t inode, uint16_t lport, uint8_t flags)
{
	tt_sock *k = tt_snapshot_add_sock(s);
	k->family = TT_FAM_TCP4;
	k->state = (uint8_t)state;
	k->inode = inode;
	k->flags = flags;
	k->laddr[0] = 127;
	k->laddr[3] = 1;
	k->raddr[0] = 127;
	k->raddr[3] = 1;
	k->lport = lport;
	k->rport = 3306;
}

static void build(tt_model *m, tt_snapshot *s)
{
	tt_model_opts o;
	memset(&o, 0, sizeof(o));
	tt_portset_add(&o.ports, 3306);
	assert_int_equal(tt_model_init(m, &o), 0);
	tt_snapshot_init(s);
	s->time = 1764000000.5;
	snprintf(s->stats.source, sizeof(s->stats.source), "proc");
	tt_proc *p = tt_snapshot_add_proc(s);
	p->pid = 4242;
	p->ppid = 1;
	p->uid = 1001;
	p->user = tt_snapshot_str(s, "alice", 5, 64);
	const char comm[] = "evil\x1b[2J\"name";
	p->comm = tt_snapshot_str(s, comm, sizeof(comm) - 1, 64);
	const char cmd[] = "php-fpm: pool alice\n\xff";
	p->cmdline = tt_snapshot_str(s, cmd, sizeof(cmd) - 1, 4096);
	add_tcp4(s, TT_ST_CLOSE_WAIT, 145096, 50344, 0);
	add_tcp4(s, TT_ST_CLOSE, 145097, 50345, TT_SF_HELD_ONLY | TT_SF_ENDPOINT_REMEMBERED);
	/* reset, endpoint unknown: shown apart, in no count */
	tt_sock *k = tt_snapshot_add_sock(s);
	k->family = TT_FAM_TCP4;
	k->state = TT_ST_CLOSE;
	k->inode = 145098;
	k->flags = TT_SF_HELD_ONLY | TT_SF_ENDPOINT_UNKNOWN;
	k = tt_snapshot_add_sock(s);
	k->family = TT_FAM_TCP6;
	k->state = TT_ST_TIME_WAIT;
	k->raddr[15] = 1;
	k->rport = 3306;
	k->lport = 40000;
	tt_owner *ow = tt_snapshot_add_owner(s);
	ow->inode = 145096;
	ow->fd = 7;
	ow = tt_snapshot_add_owner(s);
	ow->inode = 145097;
	ow->fd = 8;
	ow = tt_snapshot_add_owner(s);
	ow->inode = 145098;
	ow->fd = 9;
	tt_snapshot_index_owners(s);
	assert_int_equal(tt_model_update(m, s), 0);
}

static char *render(int json, const tt_model *m, const tt_alerts *a)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	tt_output_opts oo = {.sockets = true, .host = "db1"};
	assert_int_equal(json ? tt_write_json(f, m, a, &oo) : tt_write_text(f, m, a, &oo), 0);
	fclose(f);
	return buf;
}

static void test_json_contract(void **state)
{
	(void)state;
	tt_model m;
	tt_snapshot s;
	build(&m, &s);
	tt_alerts a;
	tt_alerts_init(&a);
	tt_alert *al = tt_alerts_add(&a);
	snprintf(al->tenant, sizeof(al->tenant), "alice");
	al->kind = TT_AK_CLOSE_WAIT_RATIO;
	snprintf(al->message, sizeof(al->message), "alice: 1 CLOSE_WAIT");
	al->eta_s = -1;
	char *out = render(1, &m, &a);
	/* one line */
	assert_non_null(strchr(out, '\n'));
	assert_int_equal(strchr(out, '\n')[1], '\0');
	assert_non_null(strstr(out, "{\"time\":1764000000.500,"));
	assert_non_null(strstr(out, "\"totals\":{\"TIME_WAIT\":1,\"CLOSE\":1,\"CLOSE_WAIT\":1}"));
	assert_non_null(strstr(out, "\"tenants\":[{\"name\":\"alice\",\"rule\":\"user\""));
	assert_non_null(strstr(out, "\"states\":{\"CLOSE\":1,\"CLOSE_WAIT\":1}"));
	assert_non_null(strstr(out, "\"pid\":4242,\"ppid\":1"));
	assert_non_null(strstr(out, "{\"inode\":145096,\"state\":\"CLOSE_WAIT\",\"role\":\"client\","
				    "\"family\":\"tcp4\",\"local\":\"127.0.0.1:50344\","
				    "\"remote\":\"127.0.0.1:3306\",\"age_s\":0.0"));
	assert_non_null(strstr(out, "\"held\":true,\"endpoints\":\"remembered\""));
	assert_null(strstr(out, "\"endpoints\":\"unknown\""));
	assert_non_null(strstr(out, "\"states\":{\"CLOSE\":1,\"CLOSE_WAIT\":1},\"endpoint_unknown\":1,\"sockets\""));
	assert_non_null(strstr(out, "\"attribution\":{\"complete\":true,\"endpoint_unknown\":1,"));
	assert_non_null(strstr(out, "\"unattributed\":{\"states\":{\"TIME_WAIT\":1},\"sockets\":[{\"inode\":0,\"state\":\"TIME_WAIT\""));
	assert_non_null(strstr(out, "\"alerts\":[{\"tenant\":\"alice\",\"kind\":\"close_wait_ratio\""));
	/* hostile strings: escaped by the snapshot, then JSON-escaped */
	assert_non_null(strstr(out, "\"comm\":\"evil\\\\e[2J\\\"name\""));
	assert_non_null(strstr(out, "\"cmdline\":\"php-fpm: pool alice\\\\n\\\\xff\""));
	assert_null(strchr(out, '\x1b'));
	free(out);
	tt_alerts_free(&a);
	tt_snapshot_free(&s);
	tt_model_free(&m);
}

static void test_text_table(void **state)
{
	(void)state;
	tt_model m;
	tt_snapshot s;
	build(&m, &s);
	char *out = render(0, &m, NULL);
	assert_non_null(strstr(out, "TENANT"));
	assert_non_null(strstr(out, "CLOSE_WAIT"));
	assert_non_null(strstr(out, "alice"));
	assert_non_null(strstr(out, "(unattributed)"));
	assert_non_null(strstr(out, "processes holding leaked sockets"));
	assert_non_null(strstr(out, "4242"));
	assert_null(strchr(out, '\x1b'));
	free(out);
	tt_snapshot_free(&s);
	tt_model_free(&m);
}

static void test_empty_text_says_so(void **state)
{
	(void)state;
	tt_model m;
	tt_model_opts o;
	memset(&o, 0, sizeof(o));
	tt_model_init(&m, &o);
	tt_snapshot s;
	tt_snapshot_init(&s);
	s.time = 1;
	tt_model_update(&m, &s);
	char *out = render(0, &m, NULL);
	assert_non_null(strstr(out, "--all-ports"));
	free(out);
	out = render(1, &m, NULL);
	assert_non_null(strstr(out, "\"tenants\":[]"));
	free(out);
	tt_snapshot_free(&s);
	tt_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_contract),
		cmocka_unit_test(test_text_table),
		cmocka_unit_test(test_empty_text_says_so),
	};
	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
