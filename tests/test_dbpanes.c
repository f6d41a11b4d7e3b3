/* The database panes over hand-built probe results: one row per server
 * (used / limit, the headroom, the tenants whose client sockets hold its
 * sessions), Enter: one row per database user; with no server, why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "view_fixture.h"

/* mariadb on 3306 (20 at most, 5 in use, 2 refused): shop's two sessions
 * on alice's sockets, web's on bob's; redis that refused the login */
static void db_fill(tt_db_results *r, tt_db_join *j, const tt_snapshot *s)
{
	tt_db_results_init(r);
	tt_db_join_init(j);
	tt_db_server *m = tt_db_results_add_server(r);
	m->t.kind = TT_DB_MARIADB;
	m->t.pid = 300;
	m->t.port = 3306;
	snprintf(m->t.endpoints, sizeof(m->t.endpoints), "127.0.0.1:3306, /run/mysqld/mysqld.sock");
	snprintf(m->version, sizeof(m->version), "10.11.6-MariaDB");
	m->max_connections = 20;
	m->connections = 5;
	m->rejected = 2;
	m->max_used = 7;
	m->probed_at = 1000;
	tt_db_userlimit *l = tt_db_results_add_limit(r);
	l->server = 0;
	snprintf(l->user, sizeof(l->user), "shop@%%"); /* MariaDB: user@host */
	l->limit = 2;
	tt_db_server *rd = tt_db_results_add_server(r);
	rd->t.kind = TT_DB_REDIS;
	rd->t.pid = 600;
	snprintf(rd->t.endpoints, sizeof(rd->t.endpoints), "127.0.0.1:6379");
	snprintf(rd->error, sizeof(rd->error), "NOAUTH Authentication required");
	const char *users[] = {"shop", "shop", "web"};
	for (int i = 0; i < 3; i++) {
		tt_db_session *x = tt_db_results_add_session(r);
		x->server = 0;
		snprintf(x->user, sizeof(x->user), "%s", users[i]);
		snprintf(x->database, sizeof(x->database), "%s", i < 2 ? "shopdb" : "webdb");
		snprintf(x->command, sizeof(x->command), "Sleep");
		x->time_s = 10.0 * (i + 1);
		x->in_transaction = i == 1;
	}
	m->nsessions = 3;
	/* the snapshot's sockets (view_fixture.h order): 0 alice's ESTABLISHED,
	 * 6 its server end (mysqld's), 1 one of alice's CLOSE_WAIT, 4 bob's CLOSE */
	j->n = j->cap = s->nsocks;
	j->sock_session = calloc(j->n, sizeof(*j->sock_session));
	for (size_t i = 0; i < j->n; i++)
		j->sock_session[i] = -1;
	j->sock_session[0] = j->sock_session[6] = 0;
	j->sock_session[1] = 1;
	j->sock_session[4] = 2;
}

static void test_servers(void **state)
{
	(void)state;
	vf f;
	tt_db_results r;
	tt_db_join j;
	char buf[128];
	vf_open(&f);
	db_fill(&r, &j, &f.m.snap);
	f.v.rc.db = &r;
	f.v.rc.dbjoin = &j;
	assert_true(tt_view_open(&f.v, (size_t)tt_pane_find("databases"), NULL));
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_int_equal(f.v.nrows, 2);
	/* the fullest first: mariadb (25 %), then redis (no figures) */
	assert_string_equal(vf_cell(&f, 0, "kind", buf, sizeof(buf)), "mariadb");
	assert_string_equal(vf_cell(&f, 0, "used", buf, sizeof(buf)), "5/20");
	assert_string_equal(vf_cell(&f, 0, "headroom", buf, sizeof(buf)), "15");
	assert_string_equal(vf_cell(&f, 0, "rejected", buf, sizeof(buf)), "2");
	/* the client ends only: mysqld's end of alice's connection is not counted */
	assert_string_equal(vf_cell(&f, 0, "tenants", buf, sizeof(buf)), "alice 2, bob 1");
	assert_string_equal(vf_cell(&f, 1, "used", buf, sizeof(buf)), "-");
	assert_string_equal(vf_cell(&f, 1, "tenants", buf, sizeof(buf)), "NOAUTH Authentication required");
	char crumb[256];
	tt_view_breadcrumb(&f.v, ">", crumb, sizeof(crumb));
	assert_string_equal(crumb, "tenants > databases");
	/* Enter: its database users */
	tt_view_select(&f.v, 0, 10);
	assert_true(tt_view_enter(&f.v));
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_string_equal(tt_view_pane(&f.v)->id, "dbusers");
	tt_view_breadcrumb(&f.v, ">", crumb, sizeof(crumb));
	assert_string_equal(crumb, "tenants > databases > mariadb 127.0.0.1:3306");
	assert_int_equal(f.v.nrows, 2);
	/* most sessions first: shop 2 (at its own limit of 2), web 1 */
	assert_string_equal(vf_cell(&f, 0, "user", buf, sizeof(buf)), "shop");
	assert_string_equal(vf_cell(&f, 0, "sessions", buf, sizeof(buf)), "2");
	assert_string_equal(vf_cell(&f, 0, "limit", buf, sizeof(buf)), "2");
	assert_string_equal(vf_cell(&f, 0, "in_txn", buf, sizeof(buf)), "1");
	assert_string_equal(vf_cell(&f, 0, "longest", buf, sizeof(buf)), "20s");
	assert_string_equal(vf_cell(&f, 0, "tenants", buf, sizeof(buf)), "alice 2");
	assert_string_equal(vf_cell(&f, 1, "user", buf, sizeof(buf)), "web");
	assert_string_equal(vf_cell(&f, 1, "limit", buf, sizeof(buf)), "-");
	assert_string_equal(vf_cell(&f, 1, "databases", buf, sizeof(buf)), "webdb");
	assert_string_equal(vf_cell(&f, 1, "tenants", buf, sizeof(buf)), "bob 1");
	/* the server's list changes order: the pane stays on the same server */
	tt_db_server tmp = r.servers[0];
	r.servers[0] = r.servers[1];
	r.servers[1] = tmp;
	for (size_t i = 0; i < r.nsessions; i++)
		r.sessions[i].server = 1;
	r.limits[0].server = 1;
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_int_equal(f.v.nrows, 2);
	assert_false(f.v.gone);
	f.v.rc.db = NULL;
	f.v.rc.dbjoin = NULL;
	tt_db_results_free(&r);
	tt_db_join_free(&j);
	vf_close(&f);
}

static void test_no_server_says_why(void **state)
{
	(void)state;
	vf f;
	char why[256];
	vf_open(&f);
	f.v.rc.db_why = "database probes are off (--no-db)";
	assert_true(tt_view_open(&f.v, (size_t)tt_pane_find("databases"), NULL));
	tt_view_rebuild(&f.v, &f.m, &f.alerts);
	assert_int_equal(f.v.nrows, 0);
	tt_rowctx rc = tt_view_rowctx(&f.v);
	tt_view_pane(&f.v)->empty(&rc, why, sizeof(why));
	assert_string_equal(why, "database probes are off (--no-db)");
	f.v.rc.db_why = NULL;
	rc = tt_view_rowctx(&f.v);
	tt_view_pane(&f.v)->empty(&rc, why, sizeof(why));
	assert_non_null(strstr(why, "no database server found"));
	vf_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_servers),
		cmocka_unit_test(test_no_server_says_why),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
