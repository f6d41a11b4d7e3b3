/* The owner scan: which process holds which socket (/proc/PID/fd), and the
 * held sockets no table lists (src/collect/owners.c). */
#ifndef TT_COLLECT_OWNERS_H
#define TT_COLLECT_OWNERS_H

#include "collect/fdcache.h"
#include "collect/held.h"
#include "collect/scanctx.h"
#include "tenantop/snapshot.h"

typedef struct tt_owners {
	tt_fdcache fc;
	tt_heldmem hm;
} tt_owners;

void tt_owners_init(tt_owners *o);
void tt_owners_free(tt_owners *o);
/* Append the owners of the sockets in out (sc->wanted), the held sockets
 * and the processes that hold them.  0, or -1 with errno. */
int tt_owners_scan(tt_owners *o, tt_scan_ctx *sc, tt_snapshot *out);

#endif
