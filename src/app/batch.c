/* Batch mode: refresh, print, repeat (like top -b). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "tenantop/alertsink.h"
#include "tenantop/app.h"
#include "tenantop/baseline.h"
#include "tenantop/clock.h"
#include "tenantop/exporter.h"
#include "tenantop/record.h"
#include "tenantop/output.h"
#include "tenantop/probe.h"
#include "tenantop/sanitize.h"
#include "tenantop/textfile.h"

static volatile sig_atomic_t batch_stop;

static void on_stop(int sig)
{
	(void)sig;
	batch_stop = 1;
}

/* CPU time (user + system) of this process, ms; peak RSS in KiB. */
static double cpu_ms(long *maxrss_kb)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return -1;
	if (maxrss_kb)
		*maxrss_kb = ru.ru_maxrss;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
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

int tt_batch_run(tt_app *app)
{
	char err[512], rawhost[256] = "", host[256], textfile_err[512] = "";
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

	tt_collector *c = NULL;
	tt_replay *rp = NULL;
	tt_recorder *rec = NULL;
	if (app->replay_path) {
		/* the recording's rules and interval, unless --config says otherwise */
		if (tt_app_replay_settings(app, err, sizeof(err)) < 0) {
			fprintf(stderr, "tenantop: %s\n", err);
			return 1;
		}
		if (strcmp(app->replay_settings, "recorded") != 0)
			fprintf(stderr, "tenantop: %s: %s\n", app->replay_path, app->replay_note);
		rp = tt_replay_open(app->replay_path, err, sizeof(err));
		if (!rp) {
			fprintf(stderr, "tenantop: %s\n", err);
			return 1;
		}
		if (*tt_replay_note(rp))
			fprintf(stderr, "tenantop: %s: %s\n", app->replay_path, tt_replay_note(rp));
	} else {
		c = tt_collector_new(&app->collect, err, sizeof(err));
		if (!c) {
			fprintf(stderr, "tenantop: %s\n", err);
			return 1;
		}
		if (app->record_path && !(rec = tt_app_recorder_open(app, err, sizeof(err)))) {
			fprintf(stderr, "tenantop: %s\n", err);
			tt_collector_free(c);
			return 1;
		}
	}
	tt_model m;
	tt_model_opts mo = {.ports = app->collect.ports, .rules = app->conf.rules};
	tt_detector *det = tt_detector_new(&app->conf.detect);
	tt_alerts alerts;
	tt_snapshot snap;
	tt_alerts_init(&alerts);
	tt_snapshot_init(&snap);
	if (tt_model_init(&m, &mo) < 0 || !det) {
		fprintf(stderr, "tenantop: out of memory\n");
		tt_collector_free(c);
		tt_detector_free(det);
		return 1;
	}
	tt_output_opts oo = {.sockets = true, .host = host, .self_cpu_ms = -1, .self_rss_kb = -1};
	tt_baseline base;
	tt_baseline_init(&base);
	char bmsg[600];
	if (tt_app_baseline_load(app, &base, bmsg, sizeof(bmsg)) < 0 && !app->baseline_learn)
		fprintf(stderr, "tenantop: %s\n", bmsg);
	tt_detector_set_baseline(det, &base);
	oo.baseline = &base;
	tt_alert_sink *sink = NULL;
	if (app->alert_log || app->syslog || app->on_alert) {
		tt_alert_sink_opts so = {app->alert_log, app->syslog, app->on_alert, false};
		sink = tt_alert_sink_new(&so, err, sizeof(err));
		if (!sink) {
			fprintf(stderr, "tenantop: %s\n", err);
			rc = 1;
			batch_stop = 1;
		}
	}
	oo.max_tenants = app->max_tenants;
	if (app->replay_path) {
		oo.replay_settings = app->replay_settings;
		oo.replay_note = app->replay_note;
		oo.replay_config = app->config_path ? app->config_path : app->conf.path;
		oo.replay_interval = app->replay_interval;
	}
	tt_exporter *ex = NULL;
	if (app->listen && !batch_stop) {
		ex = tt_exporter_start(app->listen, app->web_config ? &app->web : NULL, err, sizeof(err));
		if (!ex) {
			fprintf(stderr, "tenantop: %s\n", err);
			rc = 1;
			batch_stop = 1;
		}
	}

	/* database probes: live machine only (not a recording, not a fixture tree) */
	tt_dbstate db;
	tt_db_limit dblim[TT_DB_LIMITS_MAX];
	if (tt_dbstate_start(&db, !app->no_db && !rp && !app->demo, app->collect.proc_root,
			     app->delay, err, sizeof(err)) < 0)
		fprintf(stderr, "tenantop: %s (going on without database probes)\n", err);

	/* iterations 0: until stopped (the exporter service) */
	size_t rec_i = 0; /* replay: the record to print next */
	for (int i = 0; (app->iterations == 0 || i < app->iterations) && !batch_stop; i++) {
		double next = tt_mono_s() + app->delay;
		double cpu0 = cpu_ms(NULL);
		if (rp) {
			/* a recording: every record in turn, no waiting; a damaged
			 * stretch is skipped up to the next whole record, said on
			 * stderr, and makes the exit status 1 */
			bool got = false;
			while (rec_i < tt_replay_count(rp)) {
				if (tt_replay_read(rp, rec_i, &snap, err, sizeof(err)) == 0) {
					got = true;
					rec_i++;
					break;
				}
				size_t next_whole = tt_replay_next_whole(rp, rec_i);
				char lost[64];
				if (next_whole - rec_i > 1)
					snprintf(lost, sizeof(lost), "records %zu-%zu", rec_i + 1, next_whole);
				else
					snprintf(lost, sizeof(lost), "record %zu", rec_i + 1);
				if (next_whole < tt_replay_count(rp))
					fprintf(stderr, "tenantop: %s; %s lost, going on from record %zu\n", err, lost,
						next_whole + 1);
				else
					fprintf(stderr, "tenantop: %s; %s lost (to the end of the recording)\n", err, lost);
				rc = 1;
				rec_i = next_whole;
			}
			if (!got)
				break;
			next = 0;
		} else if (tt_collect(c, &snap, err, sizeof(err)) < 0) {
			fprintf(stderr, "tenantop: %s\n", err);
			rc = 1;
			break;
		}
		if (snap.stats.unreadable && !unreadable_seen) {
			/* printed, marked incomplete, and the exit status says so; an
			 * exporter keeps serving (attribution_complete 0) */
			fprintf(stderr, "tenantop: %s\n", snap.stats.partial_reason);
			unreadable_seen = true;
			if (!app->listen)
				rc = 1;
		}
		oo.self_collect_cpu_ms = cpu_ms(NULL) - cpu0;
		if (rec && tt_recorder_write(rec, &snap, err, sizeof(err)) < 0) {
			fprintf(stderr, "tenantop: %s\n", err);
			rc = 1;
			break;
		}
		/* the latest finished results; only the first refresh waits for a
		 * first round, until the next refresh is due (2.5 s at most): a hung
		 * server shows "not probed yet" and the refreshes keep their pace */
		double dbwait = i == 0 ? next - tt_mono_s() : 0;
		tt_dbstate_update(&db, &snap, &app->conf.dbs, dbwait < 2.5 ? dbwait : 2.5);
		tt_dbstate_annotate(&db, &snap);
		if (tt_model_update(&m, &snap) < 0) {
			fprintf(stderr, "tenantop: out of memory while building the model\n");
			rc = 1;
			break;
		}
		if (app->baseline_learn > 0 && i == 0)
			tt_baseline_start(&base, m.time, app->baseline_learn);
		if (tt_baseline_observe(&base, &m)) {
			char path[4096];
			tt_app_baseline_path(app, path, sizeof(path));
			if (tt_baseline_save(&base, path, err, sizeof(err)) < 0) {
				fprintf(stderr, "tenantop: %s\n", err);
				rc = 1;
			} else {
				fprintf(stderr, "tenantop: baseline learned from %u refreshes over %.0f s, saved to %s\n",
					base.samples, base.learned_until - base.learned_from, path);
			}
		}
		m.snap.dbuser = NULL; /* the model has read them */
		oo.db = db.valid ? &db.res : NULL;
		oo.dbjoin = db.valid ? &db.join : NULL;
		tt_detector_set_db_limits(det, dblim, tt_dbstate_limits(&db, &m, &app->conf.detect, dblim, TT_DB_LIMITS_MAX));
		tt_detect_run(det, &m, &alerts);
		oo.pools = tt_detector_pools(det, &oo.npools);
		if (sink)
			tt_alert_sink_update(sink, &alerts, m.time);
		oo.self_cpu_ms = cpu_ms(&oo.self_rss_kb) - cpu0;
		if (ex || app->textfile) {
			size_t len = 0;
			char *text = tt_prometheus_text(&m, &alerts, &oo, &len);
			if (!text) {
				fprintf(stderr, "tenantop: out of memory while writing the metrics\n");
				rc = 1;
			} else {
				if (ex)
					tt_exporter_publish(ex, text, len);
				if (app->textfile && tt_textfile_write(app->textfile, text, len, err, sizeof(err)) < 0) {
					/* said once per different error; the next refresh tries again */
					if (strcmp(err, textfile_err))
						fprintf(stderr, "tenantop: %s\n", err);
					snprintf(textfile_err, sizeof(textfile_err), "%s", err);
					rc = 1;
				} else {
					textfile_err[0] = '\0';
				}
				free(text);
			}
		}
		int w = 0;
		if (!app->quiet)
			w = app->format == TT_FMT_JSON ? tt_write_json(stdout, &m, &alerts, &oo)
			    : app->format == TT_FMT_PROMETHEUS ? tt_write_prometheus(stdout, &m, &alerts, &oo)
							       : tt_write_text(stdout, &m, &alerts, &oo);
		if (w < 0 || fflush(stdout) == EOF) {
			if (errno != EPIPE) {
				fprintf(stderr, "tenantop: cannot write the output: %s\n", strerror(errno));
				rc = 1;
			}
			break;
		}
		if (app->iterations == 0 || i + 1 < app->iterations)
			sleep_until(next);
	}

	tt_dbstate_free(&db);
	if (base.learning)
		fprintf(stderr, "tenantop: stopped before the baseline was learned; nothing saved\n");
	tt_baseline_free(&base);
	tt_exporter_stop(ex);
	tt_recorder_close(rec);
	tt_replay_close(rp);
	tt_alert_sink_free(sink);
	tt_snapshot_free(&snap);
	tt_alerts_free(&alerts);
	tt_detector_free(det);
	tt_model_free(&m);
	tt_collector_free(c);
	return rc;
}
