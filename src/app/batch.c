/* Batch mode: refresh, print, repeat (like top -b). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tenantop/app.h"
#include "tenantop/modes.h"
#include "tenantop/clock.h"
#include "tenantop/collect.h"
#include "tenantop/output.h"
#include "tenantop/record.h"
#include "tenantop/sanitize.h"
#include "tenantop/selfcpu.h"
#include "tenantop/session.h"

static volatile sig_atomic_t batch_stop;

static void on_stop(int sig)
{
	(void)sig;
	batch_stop = 1;
}

/* Sleep until the monotonic time `until`, waking early on a stop signal. */
static void sleep_until(double until)
{
	while (!batch_stop) {
		double left = until - tt_mono_s();
		if (left <= 0)
			return;
		struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
		if (nanosleep(&ts, NULL) == 0)
			return;
		if (errno != EINTR)
			return;
	}
}

/* Messages go to stderr; the session counts the errors. */
static void say_stderr(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	fprintf(stderr, "tenantop: %s\n", msg);
}

static int print_refresh(const tt_app *app, tt_session *ses)
{
	if (app->quiet)
		return 0;
	const tt_output_opts *oo = &ses->out;
	int w = app->format == TT_FMT_JSON ? tt_write_json(stdout, &ses->model, &ses->alerts, oo)
		: app->format == TT_FMT_PROMETHEUS ? tt_write_prometheus(stdout, &ses->model, &ses->alerts, oo)
						   : tt_write_text(stdout, &ses->model, &ses->alerts, oo);
	return w < 0 || fflush(stdout) == EOF ? -1 : 0;
}

/* One live refresh: collect, record, apply.  0, or -1 to stop (said). */
static int live_refresh(tt_session *ses, tt_collector *c, tt_snapshot *snap, bool first, double next)
{
	char err[512];
	/* the first refresh counts the start too: the BPF programs' loading
	 * (in a helper, counted) is part of what the first answer costs */
	double cpu0 = first ? 0 : tt_self_cpu_ms(NULL);
	if (tt_collect(c, snap, err, sizeof(err)) < 0) {
		fprintf(stderr, "tenantop: %s\n", err);
		return -1;
	}
	ses->out.self_collect_cpu_ms = tt_self_cpu_ms(NULL) - cpu0;
	if (tt_session_record(ses, snap) < 0)
		return -1;
	/* the latest finished results; only the first refresh waits for a
	 * first round, until the next refresh is due (2.5 s at most): a hung
	 * server shows "not probed yet" and the refreshes keep their pace */
	double dbwait = first ? next - tt_mono_s() : 0;
	return tt_session_apply(ses, snap, dbwait < 2.5 ? dbwait : 2.5, cpu0);
}

int tt_batch_run(tt_app *app)
{
	char err[512], rawhost[256] = "", host[256];
	int rc = 0;
	bool unreadable_seen = false;

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	gethostname(rawhost, sizeof(rawhost) - 1);
	tt_sanitize(rawhost, strlen(rawhost), host, sizeof(host));

	if (app->replay_path) {
		/* the recording's rules and interval, unless --config says otherwise */
		if (tt_app_replay_settings(app, err, sizeof(err)) < 0) {
			fprintf(stderr, "tenantop: %s\n", err);
			return 1;
		}
		if (strcmp(app->replay_settings, "recorded") != 0)
			fprintf(stderr, "tenantop: %s: %s\n", app->replay_path, app->replay_note);
	}
	tt_collector *c = NULL;
	if (!app->replay_path && !(c = tt_collector_new(&app->collect, err, sizeof(err)))) {
		fprintf(stderr, "tenantop: %s\n", err);
		return 1;
	}
	tt_session ses;
	if (tt_session_open(&ses, app, TT_SES_BATCH, say_stderr, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "tenantop: %s\n", err);
		tt_collector_free(c);
		return 1;
	}
	if (ses.replay && *tt_replay_note(ses.replay))
		fprintf(stderr, "tenantop: %s: %s\n", app->replay_path, tt_replay_note(ses.replay));
	if (ses.baseline_rc < 0 && !app->baseline_learn)
		fprintf(stderr, "tenantop: %s\n", ses.baseline_msg);
	tt_output_opts *oo = &ses.out;
	oo->sockets = true;
	oo->host = host;
	if (app->replay_path) {
		oo->replay_settings = app->replay_settings;
		oo->replay_note = app->replay_note;
		oo->replay_config = app->config_path ? app->config_path : app->conf.path;
		oo->replay_interval = app->replay_interval;
	}
	tt_snapshot snap;
	tt_snapshot_init(&snap);

	/* iterations 0: until stopped (the exporter service) */
	for (int i = 0; (app->iterations == 0 || i < app->iterations) && !batch_stop; i++) {
		double next = tt_mono_s() + app->delay;
		if (ses.replay) {
			/* a recording: every record in turn, no waiting */
			if (tt_session_replay_step(&ses, tt_self_cpu_ms(NULL)) <= 0)
				break;
			next = 0;
		} else if (live_refresh(&ses, c, &snap, i == 0, next) < 0) {
			rc = 1;
			break;
		}
		const tt_scan_stats *st = &ses.model.snap.stats;
		if (st->unreadable && !unreadable_seen) {
			/* printed, marked incomplete, and the exit status says so; an
			 * exporter keeps serving (attribution_complete 0) */
			fprintf(stderr, "tenantop: %s\n", st->partial_reason);
			unreadable_seen = true;
			if (!app->listen)
				rc = 1;
		}
		if (print_refresh(app, &ses) < 0) {
			if (errno != EPIPE) {
				fprintf(stderr, "tenantop: cannot write the output: %s\n", strerror(errno));
				rc = 1;
			}
			break;
		}
		if (!ses.replay)
			tt_model_release(&ses.model, &snap);
		if (app->iterations == 0 || i + 1 < app->iterations)
			sleep_until(next);
	}

	if (ses.base.learning)
		fprintf(stderr, "tenantop: stopped before the baseline was learned; nothing saved\n");
	if (ses.errors)
		rc = 1;
	tt_session_close(&ses);
	tt_snapshot_free(&snap);
	tt_collector_free(c);
	return rc;
}
