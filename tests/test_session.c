/* The session: refreshes in (the fixture tree's collector, or a
 * recording), model, alerts and outputs out, the same for the dashboard
 * and batch.  Recording then replaying gives back the same refreshes, and
 * seeking back rebuilds the model from the first record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tenantop/app.h"
#include "tenantop/collect.h"
#include "tenantop/record.h"
#include "tenantop/session.h"

struct said {
	int n, errors;
	char last[1024];
};

static void say(void *ctx, int level, const char *msg)
{
	struct said *s = ctx;
	s->n++;
	if (level == TT_SAY_ERROR)
		s->errors++;
	snprintf(s->last, sizeof(s->last), "%s", msg);
}

static char dir[64];

static void app_of(tt_app *app, const char *extra1, const char *extra2)
{
	static char base[128], conf[128];
	snprintf(base, sizeof(base), "%s/baseline", dir);
	snprintf(conf, sizeof(conf), "%s/empty.conf", dir);
	FILE *f = fopen(conf, "w");
	assert_non_null(f);
	fclose(f);
	char *argv[16] = {"tenantop", "--batch", "--no-db", "--proc", "tests/fixtures/proc-basic", "--baseline", base,
			  "--config", conf};
	int argc = 9;
	if (extra1)
		argv[argc++] = (char *)extra1;
	if (extra2)
		argv[argc++] = (char *)extra2;
	assert_int_equal(tt_app_parse(app, argc, argv), 0);
}

static void collect_apply(tt_session *s, tt_collector *c, tt_snapshot *snap)
{
	char err[256];
	assert_int_equal(tt_collect(c, snap, err, sizeof(err)), 0);
	if (tt_session_record(s, snap) < 0)
		fail_msg("recording: %s", ((struct said *)s->say_ctx)->last);
	assert_int_equal(tt_session_apply(s, snap, 0, -1), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tt-session-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The fixture's leak (alice: CLOSE_WAIT and CLOSE) reaches the alerts, the
 * verdicts and the JSON; the metrics file is written. */
static void test_live_refreshes(void **state)
{
	(void)state;
	char prom[128], rec[128], err[256];
	snprintf(prom, sizeof(prom), "%s/metrics.prom", dir);
	snprintf(rec, sizeof(rec), "--record=%s/rec.ttrec", dir);
	char tf[160];
	snprintf(tf, sizeof(tf), "--textfile=%s", prom);
	tt_app app;
	app_of(&app, tf, rec);
	struct said said = {0};
	tt_session s;
	assert_int_equal(tt_session_open(&s, &app, TT_SES_BATCH, say, &said, err, sizeof(err)), 0);
	assert_int_equal(s.baseline_rc, -1); /* no baseline file yet: said, not fatal */
	assert_non_null(strstr(s.baseline_msg, "b learns one"));
	assert_false(s.have_data);
	tt_collector *c = tt_collector_new(&app.collect, err, sizeof(err));
	assert_non_null(c);
	tt_snapshot snap;
	tt_snapshot_init(&snap);
	for (int i = 0; i < 3; i++)
		collect_apply(&s, c, &snap);
	assert_true(s.have_data);
	long alice = tt_model_find_tenant(&s.model, "alice");
	assert_true(alice >= 0);
	assert_int_equal(tt_counts_leaked(&s.model.tenants[alice].counts), 2);
	/* the metrics file holds the model's figures */
	FILE *f = fopen(prom, "r");
	assert_non_null(f);
	char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "tenantop_leaked_sockets{tenant=\"alice\"} 2"));
	/* and the JSON says the same through the session's output options */
	char *js = NULL;
	size_t jl = 0;
	FILE *m = open_memstream(&js, &jl);
	assert_int_equal(tt_write_json(m, &s.model, &s.alerts, &s.out), 0);
	fclose(m);
	assert_non_null(strstr(js, "\"name\":\"alice\""));
	free(js);
	assert_int_equal(said.errors, 0);
	assert_false(s.errors);
	tt_snapshot_free(&snap);
	tt_collector_free(c);
	tt_session_close(&s);
	tt_app_free(&app);
}

/* The recording of the first test, replayed: every record, in turn; a seek
 * back rebuilds the model to the same place. */
static void test_replay_and_seek(void **state)
{
	(void)state;
	char rp[160], err[256];
	snprintf(rp, sizeof(rp), "--replay=%s/rec.ttrec", dir);
	tt_app app;
	app_of(&app, rp, NULL);
	assert_int_equal(tt_app_replay_settings(&app, err, sizeof(err)), 0);
	struct said said = {0};
	tt_session s;
	assert_int_equal(tt_session_open(&s, &app, TT_SES_BATCH, say, &said, err, sizeof(err)), 0);
	assert_int_equal(tt_session_replay_count(&s), 3);
	int steps = 0;
	while (tt_session_replay_step(&s, -1) == 1)
		steps++;
	assert_int_equal(steps, 3);
	assert_int_equal(s.replay_pos, 2);
	uint64_t gen_end = s.model.generation;
	long alice = tt_model_find_tenant(&s.model, "alice");
	assert_true(alice >= 0);
	/* back to the first record: a model rebuilt from it */
	tt_session_seek(&s, 0);
	assert_int_equal(s.replay_pos, 0);
	assert_true(s.model.generation < gen_end);
	tt_session_seek(&s, 99); /* past the end: the last */
	assert_int_equal(s.replay_pos, 2);
	assert_int_equal(s.model.generation, gen_end);
	assert_int_equal(said.errors, 0);
	tt_session_close(&s);
	tt_app_free(&app);
}

/* Batch with --baseline-learn: learning starts with the first refresh, ends
 * with a saved file (said), which the next session loads. */
static void test_baseline_learned_and_loaded(void **state)
{
	(void)state;
	char err[256];
	tt_app app;
	app_of(&app, "--baseline-learn", "1");
	struct said said = {0};
	tt_session s;
	assert_int_equal(tt_session_open(&s, &app, TT_SES_BATCH, say, &said, err, sizeof(err)), 0);
	tt_collector *c = tt_collector_new(&app.collect, err, sizeof(err));
	assert_non_null(c);
	tt_snapshot snap;
	tt_snapshot_init(&snap);
	collect_apply(&s, c, &snap);
	assert_true(s.base.learning);
	usleep(1100 * 1000);
	collect_apply(&s, c, &snap);
	assert_false(s.base.learning);
	if (!strstr(said.last, "baseline learned from 2 refreshes"))
		fail_msg("said: %s", said.last);
	tt_snapshot_free(&snap);
	tt_collector_free(c);
	tt_session_close(&s);
	tt_app_free(&app);

	app_of(&app, NULL, NULL);
	assert_int_equal(tt_session_open(&s, &app, TT_SES_DASHBOARD, say, &said, err, sizeof(err)), 0);
	assert_int_equal(s.baseline_rc, 0);
	assert_non_null(tt_baseline_find(&s.base, "alice"));
	tt_session_close(&s);
	tt_app_free(&app);
}

/* A recording that cannot be opened fails the open with the reason. */
static void test_open_fails_clearly(void **state)
{
	(void)state;
	char err[256] = "";
	tt_app app;
	app_of(&app, "--replay=/nonexistent/rec.ttrec", NULL);
	tt_session s;
	assert_int_equal(tt_session_open(&s, &app, TT_SES_BATCH, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/rec.ttrec"));
	tt_app_free(&app);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_refreshes),
		cmocka_unit_test(test_replay_and_seek),
		cmocka_unit_test(test_baseline_learned_and_loaded),
		cmocka_unit_test(test_open_fails_clearly),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
