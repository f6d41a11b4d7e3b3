/* Endpoint memory: what each TCP socket looked like when the tables last
 * listed it (src/collect/endpoints.c).  A socket reset by its peer leaves
 * the tables, and this is how it keeps its addresses; a refresh that does
 * not ask for tcp_info carries each socket's last sample forward. */
#ifndef TT_COLLECT_ENDPOINTS_H
#define TT_COLLECT_ENDPOINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenantop/snapshot.h"
#include "tenantop/u64set.h"

struct tt_endpoint_mem {
	uint64_t inode;
	double last_seen;
	uint8_t family;
	uint16_t lport, rport;
	uint8_t laddr[16], raddr[16];
	uint32_t uid;
	/* the last tcp_info sample, taken at info_at (monotonic; 0 none) */
	uint32_t last_data_sent_ms, last_data_recv_ms, last_ack_recv_ms, rtt_us, probes;
	double info_at;
};

typedef struct tt_endpoints {
	struct tt_endpoint_mem *v;
	size_t n, cap;
	tt_u64set index; /* inode -> index */
} tt_endpoints;

void tt_endpoints_init(tt_endpoints *m);
void tt_endpoints_free(tt_endpoints *m);
/* Remember each listed TCP socket of s (seen at now, wall seconds); with
 * carry (a refresh that did not ask for tcp_info), give each socket its
 * last sample, the idle times grown by the time since (s->mono). */
void tt_endpoints_remember(tt_endpoints *m, tt_snapshot *s, double now, bool carry);
/* After the owner scan: held sockets keep theirs fresh; forget endpoints
 * unseen for 10 minutes. */
void tt_endpoints_sweep(tt_endpoints *m, const tt_snapshot *s, double now);
const struct tt_endpoint_mem *tt_endpoints_find(const tt_endpoints *m, uint64_t inode); /* NULL none */

#endif
