/* Database servers and what they listen on (src/collect/discover.c). */
#ifndef TT_COLLECT_DISCOVER_H
#define TT_COLLECT_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collect/pids.h"
#include "collect/unix.h"
#include "tenantop/snapshot.h"

typedef struct tt_discovered {
	uint8_t family;   /* TT_FAM_TCP4/6, TT_FAM_UNIX */
	uint16_t port;
	int32_t pid;
	char comm[16];
	char path[108];
} tt_discovered;
typedef struct tt_discover tt_discover;
bool tt_is_db_server(const char *comm, const char *extra_names);
tt_discover *tt_discover_new(const char *extra_names); /* extra: "name,name" or NULL */
void tt_discover_free(tt_discover *d);
/* pids: this refresh's processes; listeners: the LISTEN TCP sockets of
 * every port; utab: the Unix stream sockets.  Then tt_discover_found lists
 * the servers' listening endpoints. */
int tt_discover_run(tt_discover *d, int rootfd, const tt_pids *pids, const tt_snapshot *listeners,
		    const tt_unix_table *utab);
const tt_discovered *tt_discover_found(const tt_discover *d, size_t *n);

#endif
