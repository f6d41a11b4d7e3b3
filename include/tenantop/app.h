/* The program's settings, from the command line and the config file. */
#ifndef TENANTOP_APP_H
#define TENANTOP_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "tenantop/collect.h"
#include "tenantop/config.h"
#include "tenantop/webconfig.h"

enum tt_format { TT_FMT_TEXT = 0, TT_FMT_JSON = 1, TT_FMT_PROMETHEUS = 2 };

typedef struct tt_app {
	bool batch;
	int iterations;          /* batch: default 1 (0 = forever with --listen); dashboard: 0 */
	bool quiet;              /* batch exporter (--listen, --textfile): no output on stdout */
	double delay;            /* seconds between refreshes (default 2) */
	bool delay_given;        /* --delay on the command line (wins over the dashboard settings) */
	int format;              /* enum tt_format */
	tt_collect_opts collect; /* proc root, ports, source */
	bool ports_given;        /* --ports / --all-ports on the command line */
	const char *config_path;
	const char *record_path;
	const char *replay_path;
	const char *listen;
	const char *textfile;    /* --textfile FILE: the exposition, replaced each refresh */
	const char *web_config;  /* --web-config FILE: TLS, basic auth (loaded into web) */
	tt_web_config web;
	const char *alert_log;   /* --alert-log FILE */
	bool syslog;             /* --syslog */
	const char *on_alert;    /* --on-alert COMMAND */
	const char *baseline_path; /* --baseline FILE */
	double baseline_learn;     /* --baseline-learn SECONDS, 0 = no */
	unsigned max_tenants;    /* Prometheus tenant labels ([general] max_tenants) */
	bool demo;
	bool read_only;
	bool no_color;
	bool no_db;               /* --no-db: no database probes */
	tt_conf conf;            /* loaded config */
	/* replay: whose settings attribute the records (tt_app_replay_settings) */
	char replay_settings[16]; /* "recorded", "re-attributed" (--config), "unrecorded" (older file) */
	char replay_note[480];    /* said in the header */
	double replay_interval;   /* the recorded refresh interval, 0 unknown */
} tt_app;

/* Parse the command line.  Returns 0 to run, 1 when --help/--version was
 * printed (exit 0), 2 on a usage error (message printed to stderr). */
int tt_app_parse(tt_app *app, int argc, char **argv);
void tt_app_free(tt_app *app);

/* The baseline file: --baseline, else the default path. */
struct tt_baseline;
const char *tt_app_baseline_path(const tt_app *app, char *buf, size_t len);
/* Load it when it exists: 0 loaded, 1 none (msg ""), -1 damaged or
 * unreadable (msg says so; the baseline stays empty). */
int tt_app_baseline_load(const tt_app *app, struct tt_baseline *b, char *msg, size_t len);

/* --record: open the recording and write this run's settings first. */
struct tt_recorder;
struct tt_recorder *tt_app_recorder_open(const tt_app *app, char *err, size_t errlen);
/* --replay: take the recording's rules, thresholds, ports and interval
 * (unless --config, --ports, --delay say otherwise).  0, or -1 with a
 * message (the recorded config does not load). */
int tt_app_replay_settings(tt_app *app, char *err, size_t errlen);

#endif
