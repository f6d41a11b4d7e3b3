/* TCP states by their kernel numbers, socket families, connection roles. */
#ifndef TENANTOP_STATE_H
#define TENANTOP_STATE_H

#include <stdint.h>

/* Values are the kernel's (include/net/tcp_states.h), so a hex state from
 * /proc/net/tcp or an idiag_state from netlink maps directly. */
enum tt_state {
	TT_ST_UNKNOWN = 0,
	TT_ST_ESTABLISHED = 1,
	TT_ST_SYN_SENT = 2,
	TT_ST_SYN_RECV = 3,
	TT_ST_FIN_WAIT1 = 4,
	TT_ST_FIN_WAIT2 = 5,
	TT_ST_TIME_WAIT = 6,
	TT_ST_CLOSE = 7,
	TT_ST_CLOSE_WAIT = 8,
	TT_ST_LAST_ACK = 9,
	TT_ST_LISTEN = 10,
	TT_ST_CLOSING = 11,
	TT_ST_COUNT = 12
};

enum tt_family {
	TT_FAM_NONE = 0,
	TT_FAM_TCP4 = 1,
	TT_FAM_TCP6 = 2,
	TT_FAM_UNIX = 3
};

enum tt_role {
	TT_ROLE_UNKNOWN = 0,
	TT_ROLE_CLIENT = 1, /* the watched port is the remote one */
	TT_ROLE_SERVER = 2  /* the watched port is the local one */
};

/* "ESTABLISHED", ... ; "UNKNOWN" for anything out of range. */
const char *tt_state_name(int state);
/* Short label for narrow columns: "ESTAB", "CLOSE_WAIT", "TIME_WAIT", ... */
const char *tt_state_short(int state);
/* Kernel name to number; TT_ST_UNKNOWN when not a state name. */
int tt_state_from_name(const char *name);
/* Map a kernel state number (1..12, including NEW_SYN_RECV=12) to ours. */
int tt_state_from_kernel(unsigned kstate);

const char *tt_family_name(int family); /* "tcp4", "tcp6", "unix" */
const char *tt_role_name(int role);     /* "client", "server", "unknown" */

/* A leak is a socket that a process still holds although the peer is gone. */
static inline int tt_state_is_leak(int state)
{
	return state == TT_ST_CLOSE_WAIT || state == TT_ST_CLOSE;
}

#endif
