/* Where alerts go besides the screen and JSON: a log file (JSON lines),
 * syslog, and an --on-alert hook.  Each alert is reported when it is
 * raised, when its severity changes and when it clears, never on every
 * refresh.  The hook (run without a shell) gets the alert in environment
 * variables only
 * (TENANTOP_EVENT, _TENANT, _KIND, _SEVERITY, _MESSAGE, _ETA_S,
 * _FIRST_SEEN): tenant names are hostile and never reach a shell line. */
#ifndef TENANTOP_ALERTSINK_H
#define TENANTOP_ALERTSINK_H

#include <stdbool.h>
#include <stddef.h>

#include "tenantop/detect.h"

typedef struct tt_alert_sink_opts {
	const char *log_path;  /* append JSON lines; NULL = none */
	bool syslog;
	const char *on_alert;  /* run with /bin/sh -c, the alert in the environment */
	bool quiet_hooks;      /* hook output to /dev/null (the dashboard owns the terminal) */
} tt_alert_sink_opts;

typedef struct tt_alert_sink tt_alert_sink;

/* Split a command into words without a shell: blanks separate, '...' and
 * "..." group, nothing else is special.  Returns the word count, -1 when it
 * does not fit or a quote is unclosed.  argv[n] is NULL. */
int tt_split_words(const char *cmd, char *buf, size_t len, char **argv, int max);

/* The hook's program exists and may be run (as execvp finds it): 0, else -1
 * with "--on-alert: PROG: why" in err. */
int tt_hook_check(const char *cmd, char *err, size_t errlen);

/* NULL with a message (the log file cannot be opened). */
tt_alert_sink *tt_alert_sink_new(const tt_alert_sink_opts *o, char *err, size_t errlen);
/* Report what changed since the last call.  Returns the number of events. */
int tt_alert_sink_update(tt_alert_sink *s, const tt_alerts *now, double time);
/* Record an operator's action (a signal sent, a socket closed) in the log
 * and syslog: {"event":"action","action":...,"tenant":...,"target":...,
 * "ok":...,"result":...}.  Hooks are not run for actions. */
void tt_alert_sink_action(tt_alert_sink *s, double time, const char *action, const char *tenant,
			  const char *target, bool ok, const char *result);
/* Hooks started and hooks skipped because too many were still running. */
void tt_alert_sink_stats(const tt_alert_sink *s, unsigned *hooks_run, unsigned *hooks_skipped);
void tt_alert_sink_free(tt_alert_sink *s);

#endif
