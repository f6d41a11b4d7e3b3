/* src/sim owns tenantop-sim: a simulated socket population of tenants on loopback. */
/* tenantop-sim: a known socket population on loopback, for tests, the demo
 * and the benchmark. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/number.h"
#include "tenantop/sim.h"

static const char usage[] =
	"Usage: tenantop-sim [OPTION]... --tenant SPEC [--tenant SPEC]...\n"
	"Make a known TCP population on loopback: a server and client processes that hold\n"
	"connections ESTABLISHED, leak them (CLOSE_WAIT), hold reset ones (CLOSE) and cycle\n"
	"them (TIME_WAIT).  Runs until --duration ends or SIGTERM; cleans up after itself.\n\n"
	"  --tenant SPEC      UID:estab=N,cw=N,reset=N,tw=N,procs=N[,share][,churn=R][,leak=R][,name=W]\n"
	"                     UID '-' = your own; other uids need root.  share: a twin process\n"
	"                     holds the same sockets; churn: TIME_WAIT cycles/s; leak: CLOSE_WAIT/min\n"
	"  --addr ADDR        server address: 127.0.0.1 (default), ::1, or :: (v4-mapped)\n"
	"  --port PORT        server port (default 23306)\n"
	"  --src-addrs N      spread clients over 127.0.0.10.. (N addresses; for >28k sockets)\n"
	"  --server-uid UID   run the server as UID (root only)\n"
	"  --duration S       stop after S seconds (default 60, at most 86400)\n"
	"  --ready-file FILE  write FILE when every socket is in its state\n"
	"  --quiet            no summary on stdout\n"
	"  --help\n";

int main(int argc, char **argv)
{
	tt_sim_cfg c;
	tt_sim_cfg_default(&c);
	tt_sim_set_argv(argc, argv);
	static const struct option opts[] = {
		{"tenant", required_argument, NULL, 't'},   {"addr", required_argument, NULL, 'a'},
		{"port", required_argument, NULL, 'p'},     {"src-addrs", required_argument, NULL, 's'},
		{"server-uid", required_argument, NULL, 'u'}, {"duration", required_argument, NULL, 'd'},
		{"ready-file", required_argument, NULL, 'r'}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
	int o;
	char err[512];
	char *end;
	while ((o = getopt_long(argc, argv, "t:a:p:s:u:d:r:qh", opts, NULL)) != -1) {
		errno = 0;
		switch (o) {
		case 't':
			if (tt_sim_parse_tenant(&c, optarg, err, sizeof(err)) < 0) {
				fprintf(stderr, "tenantop-sim: %s\n", err);
				return 2;
			}
			break;
		case 'a':
			snprintf(c.addr, sizeof(c.addr), "%s", optarg);
			break;
		case 'p': {
			long v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 1 || v > 65535) {
				fprintf(stderr, "tenantop-sim: --port wants 1-65535\n");
				return 2;
			}
			c.port = (uint16_t)v;
			break;
		}
		case 's': {
			long v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 0 || v > 200) {
				fprintf(stderr, "tenantop-sim: --src-addrs wants 0-200\n");
				return 2;
			}
			c.src_addrs = (uint32_t)v;
			break;
		}
		case 'u': {
			long v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 0) {
				fprintf(stderr, "tenantop-sim: --server-uid wants a number\n");
				return 2;
			}
			c.server_uid = v;
			break;
		}
		case 'd':
			if (tt_parse_number(optarg, 0, 86400, &c.duration) < 0 || c.duration <= 0) {
				fprintf(stderr, "tenantop-sim: --duration wants seconds, 0 < S <= 86400\n");
				return 2;
			}
			break;
		case 'r':
			c.ready_file = optarg;
			break;
		case 'q':
			c.quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc || c.ntenants == 0) {
		fprintf(stderr, "tenantop-sim: %s\n", c.ntenants ? "unexpected argument" : "give at least one --tenant");
		fputs(usage, stderr);
		return 2;
	}
	return tt_sim_run(&c);
}
