/* The refresher: runs the collector on its own thread so that the dashboard
 * answers keys at once, even during a long collection.  The UI thread takes
 * finished snapshots when the refresher's file descriptor is readable.
 * Never includes ncurses. */
#ifndef TENANTOP_REFRESHER_H
#define TENANTOP_REFRESHER_H

#include <stdbool.h>
#include <stddef.h>

#include "tenantop/collect.h"

typedef struct tt_refresher tt_refresher;

/* Opens the collector (errors as tt_collector_new) and starts collecting. */
tt_refresher *tt_refresher_new(const tt_collect_opts *o, double delay, char *err, size_t errlen);
/* Readable when a snapshot (or an error) is waiting. */
int tt_refresher_fd(const tt_refresher *r);
/* Take the newest snapshot: swaps it with *snap (whose buffers go back to
 * the worker).  1 when taken, 0 when none is waiting, -1 when the last
 * collection failed (message in err; the worker keeps trying). */
int tt_refresher_take(tt_refresher *r, tt_snapshot *snap, char *err, size_t errlen);
void tt_refresher_set_delay(tt_refresher *r, double delay);
/* New port filter, used from the next collection on, which starts now. */
void tt_refresher_set_ports(tt_refresher *r, const tt_portset *ports);
/* Paused: no collection at all (the data on screen stays as it was). */
void tt_refresher_pause(tt_refresher *r, bool paused);
/* Collect now instead of waiting for the delay. */
void tt_refresher_kick(tt_refresher *r);
/* "netlink" or "proc". */
const char *tt_refresher_source(tt_refresher *r);
void tt_refresher_free(tt_refresher *r);

#endif
