/* Which sockets a socket source keeps (src/collect/sockfilter.c). */
#ifndef TT_COLLECT_FILTER_H
#define TT_COLLECT_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "tenantop/portset.h"
#include "tenantop/snapshot.h"

/* The port filter (either end), and a state mask (bit 1<<state; 0 = every state). */
typedef struct tt_sock_filter {
	const tt_portset *ports;
	uint32_t state_mask;
} tt_sock_filter;

bool tt_sock_filter_match(const tt_sock_filter *f, const tt_sock *k);

#endif
