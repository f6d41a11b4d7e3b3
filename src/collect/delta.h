/* The event-driven TCP table (src/collect/delta.c): the table a full read
 * gave, kept up to date by the kernel's state changes (eBPF) so that a
 * steady refresh need not read every socket again.
 *
 * A full read rebases it; each steady refresh applies the changes since
 * the last one, in their order, and writes the table out as a source
 * would.  What no event tells is handled here too: a TIME_WAIT ends 60 s
 * after it began (the kernel's fixed length), and a new connection on the
 * address pair of a TIME_WAIT ends that TIME_WAIT (its reuse), and so does
 * a reset the kernel sends to that pair (its peer is on this machine).  The table
 * is no longer trusted, and the next refresh reads every socket, when an
 * event was lost, the watched ports changed, or the kernel could not keep
 * a TIME_WAIT (its table was full). */
#ifndef TT_COLLECT_DELTA_H
#define TT_COLLECT_DELTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collect/filter.h"
#include "tenantop/portset.h"
#include "tenantop/snapshot.h"
#include "tenantop/u64set.h"

/* The kernel's tick count and boot clock at one moment, and its tick rate:
 * a TIME_WAIT's timer ends on a tick, rounded up by the timer wheel. */
typedef struct tt_tick_clock {
	uint64_t jiffies;
	uint64_t boot_ns;
	uint32_t hz; /* 0: unknown */
} tt_tick_clock;

/* One state change of one socket, as the kernel told it. */
typedef struct tt_sock_change {
	uint64_t cookie;
	uint64_t boot_ns;  /* when (CLOCK_BOOTTIME) */
	uint64_t inode;    /* 0: the socket has no file (yet) */
	uint32_t netns;    /* its network namespace's inode number */
	uint32_t tgid;     /* the process it ran in when that is its owner, else 0 */
	uint32_t uid;
	uint16_t lport, rport;
	uint8_t laddr[16], raddr[16];
	uint8_t family;    /* TT_FAM_TCP4 / TT_FAM_TCP6 */
	uint8_t from, to;  /* enum tt_state */
	bool time_wait;    /* a close that leaves a TIME_WAIT socket (FIN_WAIT2 while
			    * the peer's FIN has not come: fin_in false) */
	bool fin_in;
	bool reset_to;     /* no state change: the kernel sent a reset to the address
			    * pair (laddr:lport the end it goes to); a TIME_WAIT there
			    * ends, unless tcp_rfc1337 */
	uint64_t jiffies;  /* the tick count then */
	uint32_t hz;
} tt_sock_change;

/* One socket of the table: what a refresh from events says of it (the
 * rest of a read's record, timers and tcp_info, is the next read's). */
typedef struct tt_delta_sock {
	uint64_t cookie, inode;
	double tw_end;     /* when its TIME_WAIT (or FIN_WAIT2 one: a closed socket
			    * waiting for its peer's FIN) ends, s on the boot clock; 0 not one */
	uint8_t laddr[16], raddr[16];
	uint32_t uid, txq, rxq;
	uint16_t lport, rport;
	uint8_t family, state, flags; /* state TT_ST_UNKNOWN: gone */
} tt_delta_sock;

typedef struct tt_delta {
	tt_delta_sock *socks; /* the table (own network namespace) */
	size_t n, cap, gone;
	tt_u64set by_cookie; /* cookie -> index */
	tt_u64set tw_pair;   /* a TIME_WAIT's address pair -> index */
	bool valid;
	tt_portset ports;    /* what the table was read for */
	uint64_t lost;       /* events lost, as counted when it was read */
	int64_t tw_overflow; /* the kernel's TCPTimeWaitOverflow then, -1 unknown */
	uint32_t netns;      /* the own network namespace's inode number, 0 unknown */
	bool rfc1337;        /* tcp_rfc1337: a reset leaves a TIME_WAIT alone */
	uint32_t applied;    /* changes applied by the last tt_delta_apply */
} tt_delta;

void tt_delta_init(tt_delta *d);
void tt_delta_free(tt_delta *d);
/* After a full read: the table is out's first n sockets.  0, or -1 out of memory (then not valid). */
/* clk: the tick clock about when the read was made (the TIME_WAITs' timers
 * it gave are placed on it; those the table had keep the end their close told). */
int tt_delta_rebase(tt_delta *d, const tt_snapshot *out, size_t n, const tt_tick_clock *clk,
		    const tt_portset *ports, uint64_t lost, int64_t tw_overflow);
/* Why the table may not stand in for a full read now ("first read",
 * "events lost", "watched ports changed", "TIME_WAIT table full", "no
 * namespace"), NULL when it may. */
const char *tt_delta_distrust(const tt_delta *d, const tt_portset *ports, uint64_t lost, int64_t tw_overflow);
/* Apply the changes, then end the TIME_WAITs due by boot_now (s, boot
 * clock).  0, or -1 out of memory (then not valid). */
int tt_delta_apply(tt_delta *d, const tt_sock_change *c, size_t n, double boot_now);
/* Append the table's sockets that pass f to out, as a full read would
 * (no tcp_info: the last samples are carried).  0, or -1 out of memory. */
int tt_delta_emit(tt_delta *d, const tt_sock_filter *f, double boot_now, tt_snapshot *out);
/* When the tick wheel fires a timer armed at tick armed for timeo ticks. */
uint64_t tt_wheel_expiry(uint64_t armed, uint64_t timeo);

#endif
