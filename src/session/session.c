/* src/session/ owns the per-refresh pipeline shared by the dashboard and
 * batch (session.h): recording, the database side, model, baseline,
 * detection, alert sinks and the metrics' publication; replay seeking. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tenantop/alertsink.h"
#include "tenantop/exporter.h"
#include "tenantop/record.h"
#include "tenantop/selfcpu.h"
#include "tenantop/session.h"
#include "tenantop/textfile.h"

__attribute__((format(printf, 3, 4))) static void say(tt_session *s, int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (level == TT_SAY_ERROR)
		s->errors = true;
	if (s->say)
		s->say(s->say_ctx, level, msg);
}

static int open_outputs(tt_session *s, char *err, size_t errlen)
{
	tt_app *app = s->app;
	if (app->alert_log || app->syslog || app->on_alert) {
		tt_alert_sink_opts so = {app->alert_log, app->syslog, app->on_alert, s->mode == TT_SES_DASHBOARD};
		if (!(s->sink = tt_alert_sink_new(&so, err, errlen)))
			return -1;
	}
	if (app->listen && !(s->exporter = tt_exporter_start(app->listen, app->web_config ? &app->web : NULL, err, errlen)))
		return -1;
	if (app->replay_path) {
		if (!(s->replay = tt_replay_open(app->replay_path, err, errlen)))
			return -1;
		if (s->mode == TT_SES_DASHBOARD && !tt_replay_count(s->replay)) {
			snprintf(err, errlen, "%s: no complete record (%s)", app->replay_path, tt_replay_note(s->replay));
			return -1;
		}
	} else if (app->record_path && !(s->recorder = tt_app_recorder_open(app, err, errlen))) {
		return -1;
	}
	return 0;
}

int tt_session_open(tt_session *s, tt_app *app, int mode, tt_say_fn sayfn, void *say_ctx, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->app = app;
	s->mode = mode;
	s->say = sayfn;
	s->say_ctx = say_ctx;
	tt_alerts_init(&s->alerts);
	tt_snapshot_init(&s->spare);
	tt_baseline_init(&s->base);
	tt_model_opts mo = {.ports = app->collect.ports, .rules = app->conf.rules};
	if (tt_model_init(&s->model, &mo) < 0 || !(s->det = tt_detector_new(&app->conf.detect))) {
		snprintf(err, errlen, "out of memory");
		tt_session_close(s);
		return -1;
	}
	s->baseline_rc = tt_app_baseline_load(app, &s->base, s->baseline_msg, sizeof(s->baseline_msg));
	tt_detector_set_baseline(s->det, &s->base);
	s->out.baseline = &s->base;
	s->out.self_cpu_ms = s->out.self_rss_kb = -1;
	s->out.max_tenants = app->max_tenants;
	if (open_outputs(s, err, errlen) < 0) {
		tt_session_close(s);
		return -1;
	}
	/* database probes: the live machine only (not a recording, not the demo) */
	char dberr[256];
	if (tt_dbstate_start(&s->db, !app->no_db && !app->replay_path && !app->demo, app->collect.proc_root,
			     app->delay, dberr, sizeof(dberr)) < 0)
		say(s, TT_SAY_WARN, "%s (going on without database probes)", dberr);
	return 0;
}

void tt_session_close(tt_session *s)
{
	tt_dbstate_free(&s->db);
	tt_exporter_stop(s->exporter);
	tt_recorder_close(s->recorder);
	tt_replay_close(s->replay);
	tt_alert_sink_free(s->sink);
	tt_baseline_free(&s->base);
	tt_snapshot_free(&s->spare);
	tt_alerts_free(&s->alerts);
	tt_detector_free(s->det);
	tt_model_free(&s->model);
	s->exporter = NULL;
	s->recorder = NULL;
	s->replay = NULL;
	s->sink = NULL;
	s->det = NULL;
}

int tt_session_record(tt_session *s, const tt_snapshot *snap)
{
	char err[512];
	if (!s->recorder || tt_recorder_write(s->recorder, snap, err, sizeof(err)) >= 0)
		return 0;
	say(s, TT_SAY_ERROR, "%s", err);
	return -1;
}

static void save_baseline(tt_session *s)
{
	char path[4096], err[600];
	tt_app_baseline_path(s->app, path, sizeof(path));
	if (tt_baseline_save(&s->base, path, err, sizeof(err)) < 0)
		say(s, TT_SAY_ERROR, "%s", err);
	else
		say(s, TT_SAY_OK, "baseline learned from %u refreshes over %.0f s, saved to %s", s->base.samples,
		    s->base.learned_until - s->base.learned_from, path);
}

void tt_session_baseline_start(tt_session *s, double seconds)
{
	tt_baseline_start(&s->base, s->model.time, seconds);
	say(s, TT_SAY_INFO, "learning the normal levels for %.0f minutes (b again to stop early)", seconds / 60);
}

void tt_session_baseline_stop(tt_session *s)
{
	if (tt_baseline_finish(&s->base, s->model.time))
		save_baseline(s);
	else
		say(s, TT_SAY_WARN, "baseline: no refresh seen yet; nothing learned");
}

/* The metrics for --listen and --textfile; a --textfile error is said once
 * until it changes. */
static void publish(tt_session *s)
{
	if (!s->exporter && !s->app->textfile)
		return;
	size_t len = 0;
	char *text = tt_prometheus_text(&s->model, &s->alerts, &s->out, &len);
	if (!text) {
		say(s, TT_SAY_ERROR, "out of memory while writing the metrics");
		return;
	}
	if (s->exporter)
		tt_exporter_publish(s->exporter, text, len);
	char err[600];
	if (s->app->textfile && tt_textfile_write(s->app->textfile, text, len, err, sizeof(err)) < 0) {
		if (strcmp(err, s->textfile_err))
			say(s, TT_SAY_ERROR, "%s", err);
		else
			s->errors = true;
		snprintf(s->textfile_err, sizeof(s->textfile_err), "%s", err);
	} else {
		s->textfile_err[0] = '\0';
	}
	free(text);
}

int tt_session_apply(tt_session *s, tt_snapshot *snap, double db_wait_s, double cpu0_ms)
{
	/* a live refresh: this process's own sockets are its probes' */
	if (!s->replay && !strcmp(s->app->collect.proc_root, "/proc"))
		snap->self_pid = (int32_t)getpid();
	/* the database side: the latest finished probe results */
	tt_dbstate_update(&s->db, snap, &s->app->conf.dbs, db_wait_s);
	tt_dbstate_annotate(&s->db, snap);
	if (tt_model_update(&s->model, snap) < 0) {
		say(s, TT_SAY_ERROR, "out of memory while building the model");
		return -1;
	}
	if (s->mode == TT_SES_BATCH && s->app->baseline_learn > 0 && !s->have_data)
		tt_baseline_start(&s->base, s->model.time, s->app->baseline_learn);
	if (tt_baseline_observe(&s->base, &s->model))
		save_baseline(s);
	s->model.snap.dbuser = NULL; /* the model has read them */
	s->model.snap.pooled_by = NULL;
	tt_detector_set_db_limits(s->det, s->dblim,
				  tt_dbstate_limits(&s->db, &s->model, &s->app->conf.detect, s->dblim, TT_DB_LIMITS_MAX));
	if (tt_detect_run(s->det, &s->model, &s->alerts) < 0)
		say(s, TT_SAY_ERROR, "out of memory while detecting");
	s->out.pools = tt_detector_pools(s->det, &s->out.npools);
	s->out.db = s->db.valid ? &s->db.res : NULL;
	s->out.dbjoin = s->db.valid ? &s->db.join : NULL;
	if (s->sink)
		tt_alert_sink_update(s->sink, &s->alerts, s->model.time);
	if (cpu0_ms >= 0)
		s->out.self_cpu_ms = tt_self_cpu_ms(&s->out.self_rss_kb) - cpu0_ms;
	publish(s);
	s->have_data = true;
	return 0;
}

size_t tt_session_replay_count(const tt_session *s)
{
	return s->replay ? tt_replay_count(s->replay) : 0;
}

static void replay_apply(tt_session *s, size_t i)
{
	char err[512];
	if (tt_replay_read(s->replay, i, &s->spare, err, sizeof(err)) < 0) {
		say(s, TT_SAY_ERROR, "%s", err);
		return;
	}
	tt_session_apply(s, &s->spare, 0, -1);
	s->replay_pos = i;
}

void tt_session_seek(tt_session *s, size_t target)
{
	size_t n = tt_session_replay_count(s);
	if (!n)
		return;
	if (target >= n)
		target = n - 1;
	if (s->have_data && target == s->replay_pos)
		return;
	size_t from = s->replay_pos + 1;
	if (!s->have_data || target < s->replay_pos) {
		/* back in time: rebuild the model from the first record */
		tt_model_opts mo = s->model.opts;
		tt_model_free(&s->model);
		tt_model_init(&s->model, &mo);
		tt_detector_free(s->det);
		s->det = tt_detector_new(&s->app->conf.detect);
		tt_detector_set_baseline(s->det, &s->base);
		s->have_data = false;
		from = 0;
	}
	for (size_t i = from; i <= target; i++)
		replay_apply(s, i);
}

int tt_session_replay_step(tt_session *s, double cpu0_ms)
{
	char err[512];
	while (s->replay_next < tt_session_replay_count(s)) {
		size_t i = s->replay_next;
		if (tt_replay_read(s->replay, i, &s->spare, err, sizeof(err)) == 0) {
			s->replay_next++;
			s->replay_pos = i;
			return tt_session_apply(s, &s->spare, 0, cpu0_ms) == 0 ? 1 : 0;
		}
		/* a damaged stretch: skipped up to the next whole record */
		size_t next = tt_replay_next_whole(s->replay, i);
		char lost[64];
		if (next - i > 1)
			snprintf(lost, sizeof(lost), "records %zu-%zu", i + 1, next);
		else
			snprintf(lost, sizeof(lost), "record %zu", i + 1);
		if (next < tt_session_replay_count(s))
			say(s, TT_SAY_ERROR, "%s; %s lost, going on from record %zu", err, lost, next + 1);
		else
			say(s, TT_SAY_ERROR, "%s; %s lost (to the end of the recording)", err, lost);
		s->replay_next = next;
	}
	return 0;
}

void tt_session_log_action(tt_session *s, const char *action, const char *tenant, const char *target, bool ok,
			   const char *result)
{
	tt_alert_sink_action(s->sink, (double)time(NULL), action, tenant, target, ok, result);
}
