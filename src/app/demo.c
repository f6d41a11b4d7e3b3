/* --demo: the simulator in a child process makes a small hosting server's
 * worth of tenants on loopback, and tenantop watches it.  Tenants are named
 * by a cmdline rule on the simulator's process titles, so the demo works
 * without root; the child stops when tenantop does. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tenantop/app.h"
#include "tenantop/modes.h"
#include "tenantop/sim.h"

/* below the kernel's ephemeral range (32768-60999 by default), so that no
 * outgoing connection of another program can hold it; if something listens
 * there, the next free port of a few is taken */
#define DEMO_PORT 23306
#define DEMO_PORT_TRIES 32

/* the first port from DEMO_PORT on that 127.0.0.1 lets this process bind
 * (as the simulator will, with SO_REUSEADDR); 0 if none */
static int demo_port(void)
{
	for (int port = DEMO_PORT; port < DEMO_PORT + DEMO_PORT_TRIES; port++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return 0;
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		int ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
		close(fd);
		if (ok)
			return port;
	}
	return 0;
}

static const char *demo_tenants[] = {
	"-:estab=12,cw=4,leak=6,procs=3,name=alice",      /* leaking, and growing */
	"-:estab=20,tw=40,churn=15,procs=2,name=bob",     /* cycling connections */
	"-:estab=8,reset=5,procs=2,share,name=carol",     /* resets held by a forked twin */
	"-:estab=30,procs=4,name=dave",                   /* healthy */
	"-:estab=2,cw=12,procs=1,name=erin",              /* mostly leaked */
};

pid_t tt_demo_start(tt_app *app, char *err, size_t errlen)
{
	tt_sim_cfg c;
	tt_sim_cfg_default(&c);
	int dport = demo_port();
	if (!dport) {
		snprintf(err, errlen, "no free port for the demo on 127.0.0.1 (tried %d to %d)",
			 DEMO_PORT, DEMO_PORT + DEMO_PORT_TRIES - 1);
		return -1;
	}
	c.port = (uint16_t)dport;
	c.duration = 3600;
	c.quiet = true;
	char ready[64];
	snprintf(ready, sizeof(ready), "/tmp/tenantop-demo-%d.ready", (int)getpid());
	unlink(ready);
	c.ready_file = ready;
	for (size_t i = 0; i < sizeof(demo_tenants) / sizeof(demo_tenants[0]); i++)
		if (tt_sim_parse_tenant(&c, demo_tenants[i], err, errlen) < 0)
			return -1;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "cannot start the simulator: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
		if (getppid() != parent)
			_exit(0);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		/* the tenantop-sim beside this program has room in its argv for
		 * the clients' titles; else run the simulator in this process */
		char self[4096], sim[4200], port[16];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n > 0) {
			self[n] = '\0';
			char *slash = strrchr(self, '/');
			if (slash)
				*slash = '\0';
			snprintf(sim, sizeof(sim), "%s/tenantop-sim", self);
			snprintf(port, sizeof(port), "%d", dport);
			char *argv[32] = {sim, "--port", port, "--duration", "3600", "--quiet", "--ready-file", ready};
			int a = 8;
			for (size_t i = 0; i < sizeof(demo_tenants) / sizeof(demo_tenants[0]) && a < 30; i++) {
				argv[a++] = "--tenant";
				argv[a++] = (char *)demo_tenants[i];
			}
			argv[a] = NULL;
			execv(sim, argv);
		}
		_exit(tt_sim_run(&c));
	}
	/* wait until the population is in place (at most 15 s) */
	for (int i = 0; i < 150; i++) {
		if (access(ready, F_OK) == 0)
			break;
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			snprintf(err, errlen, "the simulator stopped at once (is port %d in use?)", dport);
			return -1;
		}
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	/* watch the demo port; name tenants by the simulator's process titles */
	tt_portset_clear(&app->collect.ports);
	tt_portset_add(&app->collect.ports, (uint16_t)dport);
	app->collect.discover = false; /* the simulator, not the host's real servers */
	app->collect.unix_paths = "none";
	/* the demo's rules and thresholds as a config text, so that a
	 * recording of the demo carries them like any config file */
	char text[1024];
	int n = snprintf(text, sizeof(text),
			 "[rule demo clients]\nkind = cmdline\npattern = ^tenantop-sim: (client|twin) ([^ ]+)\ntenant = \\2\n"
			 "[rule demo server]\nkind = cmdline\npattern = tenantop-sim --port\ntenant = db-server\n"
			 "[rule users]\nkind = user\n"
			 /* thresholds that make the demo's story visible within a minute */
			 "[detect]\nleak_age = 20s\ngrowth_window = 60s\ntime_wait_storm = 10\nlimit = %d=160\n",
			 dport);
	char *copy = n > 0 && (size_t)n < sizeof(text) ? strdup(text) : NULL;
	if (!copy || tt_conf_load_text(&app->conf, "(demo)", copy, strlen(copy), err, errlen) < 0) {
		if (!copy)
			snprintf(err, errlen, "out of memory");
		free(copy);
		tt_demo_stop(pid);
		return -1;
	}
	app->max_tenants = app->conf.max_tenants;
	return pid;
}

void tt_demo_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
