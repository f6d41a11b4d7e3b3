/* Batch output of a model: JSON (one object per refresh, one per line, as in
 * DESIGN.md) and a readable per-tenant text table.  Views read the model,
 * never the machine. */
#ifndef TENANTOP_OUTPUT_H
#define TENANTOP_OUTPUT_H

#include <stdio.h>

#include "tenantop/detect.h"
#include "tenantop/model.h"
#include "tenantop/probe.h"

typedef struct tt_output_opts {
	bool sockets;      /* list sockets under processes (JSON: always) */
	const char *host;  /* host name for the text header */
	double self_cpu_ms; /* tenantop's own CPU time for this refresh, < 0 unknown */
	double self_collect_cpu_ms; /* the part of it spent reading the machine (the collector) */
	long self_rss_kb;   /* tenantop's peak resident memory, < 0 unknown */
	const struct tt_baseline *baseline; /* normal levels to show beside the counts, or NULL */
	unsigned max_tenants; /* Prometheus: tenants with their own label (0 = all); the rest are "other" */
	const tt_pool_use *pools; /* the configured limits' use (tt_detector_pools), or NULL */
	size_t npools;
	/* a replay: whose rules attributed it ("recorded", "re-attributed",
	 * "unrecorded"), said how, the config's name, the recorded interval */
	const char *replay_settings, *replay_note, *replay_config;
	double replay_interval;
	const tt_db_results *db;  /* database probes' latest results, NULL when off */
	const tt_db_join *dbjoin; /* their sessions per socket of the model's snapshot */
} tt_output_opts;

int tt_write_json(FILE *f, const tt_model *m, const tt_alerts *alerts, const tt_output_opts *o);
/* Prometheus text exposition format (also served by --listen). */
int tt_write_prometheus(FILE *f, const tt_model *m, const tt_alerts *alerts, const tt_output_opts *o);
/* The same exposition in memory (for --listen and --textfile): malloc'd text
 * and its length, or NULL when out of memory. */
char *tt_prometheus_text(const tt_model *m, const tt_alerts *alerts, const tt_output_opts *o, size_t *len);
int tt_write_text(FILE *f, const tt_model *m, const tt_alerts *alerts, const tt_output_opts *o);

#endif
