/* Baselines: per-tenant normal levels of each state, learned over a
 * period, saved to a versioned, checksummed text file and loaded at start.
 * A damaged file is reported and not trusted.  Pure data: no ncurses. */
#ifndef TENANTOP_BASELINE_H
#define TENANTOP_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "tenantop/model.h"

#define TT_BASELINE_VERSION 1

/* The states a baseline keeps. */
enum { TT_BL_ESTAB = 0, TT_BL_CLOSE_WAIT, TT_BL_CLOSE, TT_BL_TIME_WAIT, TT_BL_OTHER, TT_BL_COUNT };

typedef struct tt_baseline_entry {
	char tenant[TT_NAME_MAX];
	double mean[TT_BL_COUNT];
	double peak[TT_BL_COUNT];
	double sum[TT_BL_COUNT]; /* while learning */
	unsigned samples;
	/* its usual connection lifecycle (kernel events), -1 unknown: the mean
	 * over the refreshes that had closes of the CLOSE_WAIT p90 and of the
	 * lifetime median */
	double close_wait_p90, lifetime_p50;
	double cw_sum, life_sum;   /* while learning */
	unsigned cw_n, life_n;
} tt_baseline_entry;

typedef struct tt_baseline {
	tt_baseline_entry *v;
	size_t n, cap;
	double learned_from, learned_until; /* wall clock; 0 = no baseline */
	unsigned samples;                   /* refreshes learned from */
	bool learning;
	double learn_until;                 /* wall clock */
} tt_baseline;

void tt_baseline_init(tt_baseline *b);
void tt_baseline_free(tt_baseline *b);
/* Start learning for `seconds` from `now` (the old levels are dropped). */
void tt_baseline_start(tt_baseline *b, double now, double seconds);
/* While learning: add one refresh.  Returns true when learning just ended
 * (then the means are ready and the caller saves). */
bool tt_baseline_observe(tt_baseline *b, const tt_model *m);
/* Stop learning now; keeps what was learned.  False when nothing was. */
bool tt_baseline_finish(tt_baseline *b, double now);
const tt_baseline_entry *tt_baseline_find(const tt_baseline *b, const char *tenant);
/* A tenant's normal leaked level (CLOSE_WAIT + CLOSE): its mean and its peak. */
double tt_baseline_normal_leaked(const tt_baseline_entry *e);
double tt_baseline_peak_leaked(const tt_baseline_entry *e);
bool tt_baseline_ready(const tt_baseline *b);

/* The default file: $XDG_STATE_HOME/tenantop/baseline, else
 * ~/.local/state/tenantop/baseline (the folders are created on save). */
const char *tt_baseline_default_path(char *buf, size_t len);
/* 0, or -1 with a message naming the file (and the line when damaged). */
int tt_baseline_save(const tt_baseline *b, const char *path, char *err, size_t errlen);
int tt_baseline_load(tt_baseline *b, const char *path, char *err, size_t errlen);

#endif
