/* Connection lifecycle per tenant, from kernel events (eBPF): connections
 * opened and closed per second, how long they lived, how long they sat in
 * CLOSE_WAIT before their application closed them, TIME_WAIT created per
 * second.  Fed by the snapshot's events (tt_snapshot.events) after each
 * model update; each event goes to the tenant of its owner by the same
 * tenant rules as the model's sockets (a process that has exited is still
 * named from what the event saw).  Only connections to or from the watched
 * ports count.  Distributions are log-bucket histograms over a sliding
 * window; Prometheus gets the cumulative ones.  Pure C, no I/O. */
#ifndef TENANTOP_LIFECYCLE_H
#define TENANTOP_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenantop/snapshot.h"

struct tt_model;

/* ---------------------------------------------------------------- histogram */

/* Bucket 0 holds [0, 1 ms); bucket i >= 1 holds [2^((i-1)/2), 2^(i/2)) ms:
 * each bucket 41 % wider than the one before, the last one open-ended
 * (about 50 days and more).  Each keeps the sum of its values, so that a
 * percentile is the mean of the values in its bucket: exact when they are
 * alike, never off by more than the bucket's width. */
#define TT_LC_BUCKETS 64

typedef struct tt_lc_hist {
	uint32_t n[TT_LC_BUCKETS];
	double sum[TT_LC_BUCKETS];
	uint64_t count;
	double max; /* the largest value, 0 none */
} tt_lc_hist;

int tt_lc_bucket(double seconds);
/* The bucket's upper bound in seconds (INFINITY for the last). */
double tt_lc_bucket_upper(int bucket);
void tt_lc_hist_add(tt_lc_hist *h, double seconds);
void tt_lc_hist_merge(tt_lc_hist *dst, const tt_lc_hist *src);
/* The q-quantile (0 < q <= 1), -1 when empty. */
double tt_lc_hist_quantile(const tt_lc_hist *h, double q);

/* Cumulative figures for Prometheus: counts per bucket since the start. */
typedef struct tt_lc_cum {
	uint64_t n[TT_LC_BUCKETS];
	double sum;
	uint64_t count;
} tt_lc_cum;

/* ---------------------------------------------------------------- per tenant */

typedef struct tt_lifecycle_figs {
	char name[64];           /* the tenant */
	/* this refresh */
	double opened_per_s, closed_per_s, time_wait_per_s;
	uint32_t opened_now, closed_now, time_wait_now;
	/* over the sliding window; -1 when no connection closed in it */
	double lifetime_p50, lifetime_p90, lifetime_p99;
	/* over the window, of the closes that had been in CLOSE_WAIT; -1 none */
	double close_wait_p50, close_wait_p90, close_wait_max;
	uint32_t window_closes, window_close_waits;
	/* since the events began */
	uint64_t opened, closed, time_wait;
	tt_lc_cum lifetime, close_wait;
} tt_lifecycle_figs;

typedef struct tt_lifecycle tt_lifecycle;

/* window_s: the percentiles' sliding window (default 60 s when <= 0). */
tt_lifecycle *tt_lifecycle_new(double window_s);
void tt_lifecycle_free(tt_lifecycle *lc);
/* Fold the events of the model's current snapshot (call after each
 * tt_model_update).  0, or -1 when out of memory. */
int tt_lifecycle_update(tt_lifecycle *lc, const struct tt_model *m);
/* Whether the source delivers events (else every figure is unknown). */
bool tt_lifecycle_on(const tt_lifecycle *lc);
/* Events lost this refresh (the kernel's ring buffer was full) and since
 * the events began. */
uint64_t tt_lifecycle_dropped_now(const tt_lifecycle *lc);
uint64_t tt_lifecycle_dropped_total(const tt_lifecycle *lc);
/* Events this refresh whose tenant no rule or owner told. */
uint32_t tt_lifecycle_unattributed_now(const tt_lifecycle *lc);
/* A tenant's figures, NULL when it has none (no events yet, or events off). */
const tt_lifecycle_figs *tt_lifecycle_tenant(const tt_lifecycle *lc, const char *name);
/* Every tenant with figures, in no particular order. */
size_t tt_lifecycle_count(const tt_lifecycle *lc);
const tt_lifecycle_figs *tt_lifecycle_at(const tt_lifecycle *lc, size_t i);

/* What the update does, step by step (the unit tests feed events
 * directly): begin a refresh, add each event to its tenant, finish. */
void tt_lifecycle_begin(tt_lifecycle *lc);
int tt_lifecycle_add(tt_lifecycle *lc, const char *tenant, const tt_conn_event *e);
/* End a refresh at time now (wall clock): the per-second rates over the
 * time since the last, the window's percentiles. */
void tt_lifecycle_finish(tt_lifecycle *lc, double now, double since);

/* ---------------------------------------------------------------- detection */

/* detect/lifecycle.c: whether a tenant's lifecycle departs from its learnt
 * normal (the baseline's close_wait_p90 and lifetime_p50): CLOSE_WAIT p90
 * 10 times its usual (and at least 1 s), or the lifetime median a tenth of
 * its usual while it closes at least a connection a second (cycling).  1
 * and the verdict when it does, else 0. */
struct tt_baseline_entry;
typedef struct tt_lifecycle_verdict {
	int severity;      /* enum tt_severity */
	double impact;
	char message[200];
} tt_lifecycle_verdict;
int tt_lifecycle_check(const tt_lifecycle_figs *f, const struct tt_baseline_entry *be, tt_lifecycle_verdict *out);

#endif
