/* The workload simulator: a TCP server on loopback and client processes
 * (optionally under given uids) that hold connections ESTABLISHED, leak
 * them into CLOSE_WAIT, get them reset while holding them (CLOSE), and
 * cycle them (TIME_WAIT).  Bounded in count and time; cleans up after
 * itself.  Used by tenantop-sim, tenantop --demo, the tests and the bench. */
#ifndef TENANTOP_SIM_H
#define TENANTOP_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TT_SIM_MAX_TENANTS 64
#define TT_SIM_MAX_CONNS 200000 /* per tenant, per kind */
#define TT_SIM_MAX_PROCS 1000   /* per tenant */

typedef struct tt_sim_tenant {
	char name[32];      /* shown in the client's command line: "tenantop-sim: client NAME" */
	long uid;           /* -1: the caller's uid */
	uint32_t estab, cw, reset, tw; /* connections per kind, over all its processes */
	uint32_t procs;     /* client processes (default 1) */
	bool share;         /* each client forks a twin holding the same sockets */
	double churn;       /* connections cycled per second (TIME_WAIT), after ready */
	double leak;        /* new CLOSE_WAIT leaks per minute, after ready */
} tt_sim_tenant;

typedef struct tt_sim_cfg {
	char addr[64];      /* server address: 127.0.0.1 (default), ::1, or :: (dual stack) */
	uint16_t port;      /* default 23306 */
	uint32_t src_addrs; /* clients bind to 127.0.0.10 .. +N-1 (IPv4 only; 0 = no bind) */
	double duration;    /* seconds, default 60, at most 86400 */
	long server_uid;    /* -1: the caller's uid */
	const char *ready_file;
	bool quiet;
	tt_sim_tenant tenants[TT_SIM_MAX_TENANTS];
	size_t ntenants;
} tt_sim_cfg;

void tt_sim_cfg_default(tt_sim_cfg *c);
/* "UID:estab=N,cw=N,reset=N,tw=N,procs=N,share,churn=R,leak=R,name=S"
 * (UID may be "-" for the caller's).  0, or -1 with a message. */
int tt_sim_parse_tenant(tt_sim_cfg *c, const char *spec, char *err, size_t errlen);
/* Run the population until the duration ends or SIGTERM/SIGINT arrives;
 * returns the exit status (0 ok, 1 failure). */
int tt_sim_run(const tt_sim_cfg *c);
/* Give the simulator the argv area so clients can show a process title
 * ("tenantop-sim: client NAME #N"), as tenant rules on cmdline see it. */
void tt_sim_set_argv(int argc, char **argv);

#endif
