/* Names of TCP states, families and roles. */
#include <string.h>

#include "tenantop/state.h"

static const char *const state_names[TT_ST_COUNT] = {
	"UNKNOWN",   "ESTABLISHED", "SYN_SENT", "SYN_RECV",   "FIN_WAIT1", "FIN_WAIT2",
	"TIME_WAIT", "CLOSE",       "CLOSE_WAIT", "LAST_ACK", "LISTEN",    "CLOSING",
};
static const char *const state_short[TT_ST_COUNT] = {
	"?",         "ESTAB", "SYN_SENT",   "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
	"TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN",    "CLOSING",
};

const char *tt_state_name(int state)
{
	return (state > 0 && state < TT_ST_COUNT) ? state_names[state] : state_names[0];
}

const char *tt_state_short(int state)
{
	return (state > 0 && state < TT_ST_COUNT) ? state_short[state] : state_short[0];
}

int tt_state_from_name(const char *name)
{
	for (int i = 1; i < TT_ST_COUNT; i++)
		if (strcmp(name, state_names[i]) == 0 || strcmp(name, state_short[i]) == 0)
			return i;
	return TT_ST_UNKNOWN;
}

int tt_state_from_kernel(unsigned kstate)
{
	if (kstate == 12) /* TCP_NEW_SYN_RECV: a request socket, shown as SYN_RECV in /proc */
		return TT_ST_SYN_RECV;
	return (kstate >= 1 && kstate < TT_ST_COUNT) ? (int)kstate : TT_ST_UNKNOWN;
}

const char *tt_family_name(int family)
{
	switch (family) {
	case TT_FAM_TCP4: return "tcp4";
	case TT_FAM_TCP6: return "tcp6";
	case TT_FAM_UNIX: return "unix";
	default: return "none";
	}
}

const char *tt_role_name(int role)
{
	switch (role) {
	case TT_ROLE_CLIENT: return "client";
	case TT_ROLE_SERVER: return "server";
	default: return "unknown";
	}
}
