/* The session: everything one refresh goes through after collection, in
 * one place for the dashboard and batch alike: record it, read the
 * database side, update the model, learn the baseline, detect, tell the
 * alert sinks, publish the metrics.  A replay seeks through recorded
 * refreshes the same way.  The dashboard keeps only its loop and curses,
 * batch only its loop and printing; a new correlator plugs in here. */
#ifndef TENANTOP_SESSION_H
#define TENANTOP_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "tenantop/app.h"
#include "tenantop/baseline.h"
#include "tenantop/detect.h"
#include "tenantop/model.h"
#include "tenantop/output.h"
#include "tenantop/probe.h"

/* How a message matters (the dashboard colours it, batch prints it). */
enum tt_say_level { TT_SAY_INFO = 0, TT_SAY_OK, TT_SAY_WARN, TT_SAY_ERROR };
typedef void (*tt_say_fn)(void *ctx, int level, const char *msg);

enum tt_session_mode { TT_SES_BATCH = 0, TT_SES_DASHBOARD };

typedef struct tt_session {
	/* read by the views and outputs; changed only through the functions below */
	tt_app *app;
	tt_model model;
	tt_detector *det;
	tt_alerts alerts;
	tt_baseline base;
	tt_dbstate db;              /* database probes and their pairing with model.snap */
	tt_output_opts out;         /* what the outputs are told (pools, database, baseline) */
	struct tt_replay *replay;   /* --replay: records instead of the machine */
	size_t replay_pos;          /* the record applied last */
	size_t replay_next;         /* batch: the record to read next */
	bool have_data;             /* a refresh has been applied */
	bool errors;                /* an error was said (batch: exit status 1) */
	int baseline_rc;            /* loading the baseline: 1 none, 0 loaded, -1 failed */
	char baseline_msg[600];
	/* private */
	int mode;
	tt_say_fn say;
	void *say_ctx;
	struct tt_alert_sink *sink;
	struct tt_exporter *exporter;
	struct tt_recorder *recorder;
	tt_snapshot spare;
	tt_db_limit dblim[TT_DB_LIMITS_MAX];
	char textfile_err[600];
} tt_session;

/* Open everything the app's options ask for: model, detector, baseline,
 * alert sinks, exporter, recorder or replay, database probes (live machine
 * only).  0, or -1 with the reason in err (nothing left open). */
int tt_session_open(tt_session *s, tt_app *app, int mode, tt_say_fn say, void *say_ctx, char *err,
		    size_t errlen);
void tt_session_close(tt_session *s);

/* Write a collected refresh to the recording (when recording).  0, or -1
 * (said). */
int tt_session_record(tt_session *s, const tt_snapshot *snap);

/* Apply one refresh (its buffers are swapped into the model's: snap comes
 * back with the previous one's, ready for reuse).  db_wait_s: how long the
 * first database round may be waited for.  cpu0_ms >= 0: the process CPU
 * time when the refresh began, for the self-usage metrics.  0, or -1 when
 * it could not be applied (said). */
int tt_session_apply(tt_session *s, tt_snapshot *snap, double db_wait_s, double cpu0_ms);

/* Replay: show record `target` (rebuilding from the first when going
 * back).  Said when a record cannot be read. */
void tt_session_seek(tt_session *s, size_t target);
size_t tt_session_replay_count(const tt_session *s);
/* Batch replay: apply the next whole record, skipping (and saying) damaged
 * stretches.  1 applied, 0 at the end. */
int tt_session_replay_step(tt_session *s, double cpu0_ms);

/* The baseline, by hand: start learning for `seconds`, or stop now and
 * save what was learned (said either way). */
void tt_session_baseline_start(tt_session *s, double seconds);
void tt_session_baseline_stop(tt_session *s);

/* An action taken from the dashboard, for the alert log and syslog. */
void tt_session_log_action(tt_session *s, const char *action, const char *tenant, const char *target, bool ok,
			   const char *result);

#endif
