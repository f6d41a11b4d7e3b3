/* src/app/ owns the program's settings and modes: command line, config file, recorded
 * settings, the demo and batch.
 *
 * The command line: parse, validate, load the config file. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tenantop/alertsink.h"
#include "tenantop/app.h"
#include "tenantop/baseline.h"
#include "tenantop/exporter.h"
#include "tenantop/number.h"
#include "tenantop/unixwatch.h"

static const char usage_text[] =
	"Usage: tenantop [OPTION]...\n"
	"Live, per-tenant view of database connections and connection leaks.\n"
	"\n"
	"Modes:\n"
	"  (none)                 interactive dashboard\n"
	"  -b, --batch            print snapshots instead (like top -b)\n"
	"  -n, --iterations N     batch: number of refreshes (default 1)\n"
	"  -d, --delay SECONDS    refresh interval (default 2; fractions allowed)\n"
	"  -f, --format FMT       batch output: text (default), json, prometheus\n"
	"      --listen ADDR:PORT serve Prometheus /metrics (with the dashboard, or with\n"
	"                         --batch as an exporter service: it then runs until stopped\n"
	"                         and prints nothing unless --format is given)\n"
	"      --textfile FILE    write the Prometheus text to FILE each refresh, replaced\n"
	"                         atomically (node_exporter's textfile collector: a *.prom\n"
	"                         file in its directory); with --batch as for --listen\n"
	"      --web-config FILE  TLS and basic auth for --listen (exporter-toolkit's\n"
	"                         web.config.file: tls_server_config, basic_auth_users)\n"
	"      --demo             start the built-in simulator and watch it\n"
	"\n"
	"What to watch:\n"
	"  -p, --ports LIST       database ports (default " TT_DEFAULT_PORTS ")\n"
	"  -a, --all-ports        watch every TCP socket and every Unix stream socket\n"
	"      --proc DIR         read a proc tree rooted at DIR instead of /proc\n"
	"      --source SRC       socket source: auto (default: netlink, with eBPF events for the\n"
	"                         owners of short-lived connections when they load), bpf (the\n"
	"                         same, or fail), netlink, proc (/proc/net text)\n"
	"  -u, --unix-paths LIST  watched Unix socket files, comma-separated globs (default\n"
	"                         */mysqld.sock, */mysql.sock, */.s.PGSQL.*, */redis*.sock, ...;\n"
	"                         none: no Unix sockets)\n"
	"      --no-netns         read only tenantop's own network namespace\n"
	"      --no-discover      watch only these ports and socket files, not also what the\n"
	"                         database servers (mysqld, mariadbd, postgres, redis-server,\n"
	"                         pgbouncer, proxysql, memcached, mongod; config: servers =)\n"
	"                         listen on (--ports, --all-ports and --unix-paths: exactly those)\n"
	"      --tcp-info-every S ask the kernel for tcp_info (idle times) at most every S\n"
	"                         seconds (default 10; 0: every refresh); between, a socket's\n"
	"                         idle time grows from its last sample\n"
	"  -c, --config FILE      tenant rules and thresholds (default\n"
	"                         ~/.config/tenantop/tenantop.conf, then /etc/tenantop.conf)\n"
	"\n"
	"Alerts:\n"
	"      --alert-log FILE   append raised/changed/cleared alerts and every action (signal\n"
	"                         sent, socket closed) to FILE (JSON lines)\n"
	"      --syslog           send them to syslog too\n"
	"      --on-alert CMD     run CMD (no shell; words split on blanks) for each; the alert is in the\n"
	"                         environment: TENANTOP_EVENT, _TENANT, _KIND, _SEVERITY,\n"
	"                         _MESSAGE, _ETA_S, _FIRST_SEEN\n"
	"\n"
	"Baselines:\n"
	"      --baseline FILE    normal levels per tenant (default\n"
	"                         ~/.local/state/tenantop/baseline); b in the dashboard learns\n"
	"      --baseline-learn S learn the baseline over S seconds of this run, then save it\n"
	"\n"
	"Recordings:\n"
	"      --record FILE      also append every refresh to FILE (0600; zlib records)\n"
	"      --replay FILE      show a recording instead of the machine (dashboard: t/T step,\n"
	"                         g go to a time, Space play; with --batch: print it)\n"
	"\n"
	"Other:\n"
	"      --sockets-only     read the socket tables only, no process attribution\n"
	"                         (measures the socket read alone; see make bench)\n"
	"      --no-db            do not ask the database servers for their sessions and limits\n"
	"      --read-only        no actions (signals, socket closing)\n"
	"      --no-color         monochrome dashboard (also NO_COLOR=1)\n"
	"  -h, --help             this help\n"
	"  -V, --version          version\n"
	"\n"
	"Exit status: 0 ok, 1 runtime failure, 2 bad usage or configuration.\n";

enum {
	OPT_PROC = 256,
	OPT_SOURCE,
	OPT_DEMO,
	OPT_READ_ONLY,
	OPT_NO_COLOR,
	OPT_RECORD,
	OPT_REPLAY,
	OPT_LISTEN,
	OPT_SOCKETS_ONLY,
	OPT_TCP_INFO_EVERY,
	OPT_ALERT_LOG,
	OPT_SYSLOG,
	OPT_ON_ALERT,
	OPT_BASELINE,
	OPT_BASELINE_LEARN,
	OPT_NO_NETNS,
	OPT_NO_DISCOVER,
	OPT_TEXTFILE,
	OPT_WEB_CONFIG,
	OPT_NO_DB,
};

static const struct option long_opts[] = {
	{"batch", no_argument, NULL, 'b'},
	{"iterations", required_argument, NULL, 'n'},
	{"delay", required_argument, NULL, 'd'},
	{"format", required_argument, NULL, 'f'},
	{"ports", required_argument, NULL, 'p'},
	{"all-ports", no_argument, NULL, 'a'},
	{"config", required_argument, NULL, 'c'},
	{"proc", required_argument, NULL, OPT_PROC},
	{"source", required_argument, NULL, OPT_SOURCE},
	{"unix-paths", required_argument, NULL, 'u'},
	{"no-netns", no_argument, NULL, OPT_NO_NETNS},
	{"no-discover", no_argument, NULL, OPT_NO_DISCOVER},
	{"demo", no_argument, NULL, OPT_DEMO},
	{"read-only", no_argument, NULL, OPT_READ_ONLY},
	{"no-db", no_argument, NULL, OPT_NO_DB},
	{"no-color", no_argument, NULL, OPT_NO_COLOR},
	{"record", required_argument, NULL, OPT_RECORD},
	{"replay", required_argument, NULL, OPT_REPLAY},
	{"listen", required_argument, NULL, OPT_LISTEN},
	{"textfile", required_argument, NULL, OPT_TEXTFILE},
	{"web-config", required_argument, NULL, OPT_WEB_CONFIG},
	{"sockets-only", no_argument, NULL, OPT_SOCKETS_ONLY},
	{"tcp-info-every", required_argument, NULL, OPT_TCP_INFO_EVERY},
	{"alert-log", required_argument, NULL, OPT_ALERT_LOG},
	{"syslog", no_argument, NULL, OPT_SYSLOG},
	{"on-alert", required_argument, NULL, OPT_ON_ALERT},
	{"baseline", required_argument, NULL, OPT_BASELINE},
	{"baseline-learn", required_argument, NULL, OPT_BASELINE_LEARN},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "tenantop: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry 'tenantop --help' for the options.\n");
	va_end(ap);
	return 2;
}

static int parse_double(const char *s, double *out)
{
	return tt_parse_decimal(s, out);
}

int tt_app_parse(tt_app *app, int argc, char **argv)
{
	char err[512];
	const char *ports_arg = NULL, *unix_arg = NULL;
	bool all_ports = false, iterations_given = false, format_given = false, no_discover = false;

	memset(app, 0, sizeof(*app));
	app->delay = 2.0;
	app->format = TT_FMT_TEXT;
	app->collect.proc_root = "/proc";
	app->collect.source = TT_SRC_AUTO;
	app->collect.want_info = true;
	app->collect.info_every_s = 10;
	app->no_color = getenv("NO_COLOR") && *getenv("NO_COLOR");
	if (tt_conf_init(&app->conf) < 0) {
		fprintf(stderr, "tenantop: out of memory\n");
		return 2;
	}

	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":bn:d:f:p:ac:u:hV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			app->batch = true;
			break;
		case 'n': {
			char *end;
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 1 || v > 100000000 || optarg[0] < '0' || optarg[0] > '9')
				return usage_error("--iterations wants a whole number from 1, not '%s'", optarg);
			app->iterations = (int)v;
			iterations_given = true;
			break;
		}
		case 'd':
			if (parse_double(optarg, &app->delay) < 0 || app->delay < 0.01 || app->delay > 86400)
				return usage_error("--delay wants seconds between 0.01 and 86400, not '%s'", optarg);
			app->delay_given = true;
			break;
		case OPT_TCP_INFO_EVERY:
			if (parse_double(optarg, &app->collect.info_every_s) < 0 || app->collect.info_every_s < 0 ||
			    app->collect.info_every_s > 3600)
				return usage_error("--tcp-info-every wants seconds between 0 and 3600, not '%s'", optarg);
			break;
		case 'f':
			format_given = true;
			if (strcmp(optarg, "text") == 0)
				app->format = TT_FMT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				app->format = TT_FMT_JSON;
			else if (strcmp(optarg, "prometheus") == 0)
				app->format = TT_FMT_PROMETHEUS;
			else
				return usage_error("--format wants text, json or prometheus, not '%s'", optarg);
			break;
		case 'p':
			ports_arg = optarg;
			break;
		case 'a':
			all_ports = true;
			break;
		case 'c':
			app->config_path = optarg;
			break;
		case OPT_PROC:
			app->collect.proc_root = optarg;
			break;
		case OPT_SOURCE:
			if (strcmp(optarg, "auto") == 0)
				app->collect.source = TT_SRC_AUTO;
			else if (strcmp(optarg, "netlink") == 0)
				app->collect.source = TT_SRC_NETLINK;
			else if (strcmp(optarg, "proc") == 0)
				app->collect.source = TT_SRC_PROC;
			else if (strcmp(optarg, "bpf") == 0)
				app->collect.source = TT_SRC_BPF;
			else
				return usage_error("--source wants auto, bpf, netlink or proc, not '%s'", optarg);
			break;
		case OPT_DEMO:
			app->demo = true;
			break;
		case 'u':
			unix_arg = optarg;
			break;
		case OPT_NO_NETNS:
			app->collect.no_netns = true;
			break;
		case OPT_NO_DISCOVER:
			no_discover = true;
			break;
		case OPT_NO_DB:
			app->no_db = true;
			break;
		case OPT_READ_ONLY:
			app->read_only = true;
			break;
		case OPT_NO_COLOR:
			app->no_color = true;
			break;
		case OPT_RECORD:
			app->record_path = optarg;
			break;
		case OPT_REPLAY: {
			/* a FIFO would block the open, a directory is never a recording */
			struct stat st;
			if (stat(optarg, &st) == 0 && !S_ISREG(st.st_mode))
				return usage_error("--replay %s: %s, not a recording", optarg,
						   S_ISDIR(st.st_mode)    ? "a directory"
						   : S_ISFIFO(st.st_mode) ? "a FIFO"
									  : "not a regular file");
			app->replay_path = optarg;
			break;
		}
		case OPT_LISTEN: {
			struct sockaddr_storage ss;
			socklen_t sl;
			if (tt_listen_parse(optarg, &ss, &sl) < 0)
				return usage_error("--listen wants ADDRESS:PORT with a port from 1 to 65535 "
						   "(127.0.0.1:9817, [::1]:9817, :9817), not '%s'",
						   optarg);
			app->listen = optarg;
			break;
		}
		case OPT_TEXTFILE:
			if (!*optarg)
				return usage_error("--textfile wants a file name");
			app->textfile = optarg;
			break;
		case OPT_WEB_CONFIG:
			app->web_config = optarg;
			break;
		case OPT_ALERT_LOG:
			app->alert_log = optarg;
			break;
		case OPT_SYSLOG:
			app->syslog = true;
			break;
		case OPT_ON_ALERT:
			if (tt_hook_check(optarg, err, sizeof(err)) < 0)
				return usage_error("%s", err);
			app->on_alert = optarg;
			break;
		case OPT_BASELINE:
			app->baseline_path = optarg;
			break;
		case OPT_BASELINE_LEARN:
			if (parse_double(optarg, &app->baseline_learn) < 0 || app->baseline_learn < 1 ||
			    app->baseline_learn > 7 * 86400)
				return usage_error("--baseline-learn wants seconds from 1 to 604800, not '%s'", optarg);
			break;
		case OPT_SOCKETS_ONLY:
			app->collect.skip_processes = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		case 'V':
			printf("tenantop %s (%s)\n", TT_VERSION,
			       tt_bpf_built() ? "eBPF events built in" : "built without eBPF events");
			return 1;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (app->record_path && app->replay_path)
		return usage_error("%s: give either --record or --replay", "--record");
	if (ports_arg && all_ports)
		return usage_error("%s: give either --ports or --all-ports", "--ports");
	if (app->web_config && !app->listen)
		return usage_error("--web-config secures --listen: give --listen ADDR:PORT too");
	if (app->web_config && tt_web_config_load(&app->web, app->web_config, err, sizeof(err)) < 0) {
		app->web_config = NULL;
		fprintf(stderr, "tenantop: %s\n", err);
		return 2;
	}

	/* the config file: --config, else the default locations */
	char pathbuf[512];
	const char *cfg = app->config_path ? app->config_path : tt_conf_default_path(pathbuf, sizeof(pathbuf));
	if (cfg && tt_conf_load(&app->conf, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "tenantop: %s\n", err);
		return 2;
	}

	if (ports_arg) {
		if (tt_portset_parse(&app->collect.ports, ports_arg, err, sizeof(err)) < 0)
			return usage_error("--ports: %s", err);
		app->ports_given = true;
	} else if (all_ports) {
		tt_portset_clear(&app->collect.ports);
		app->collect.ports.all = true;
		app->ports_given = true;
	} else if (app->conf.ports_set) {
		app->collect.ports = app->conf.ports;
		app->collect.ports_why = TT_WHY_CONFIGURED;
	} else {
		tt_portset_parse(&app->collect.ports, TT_DEFAULT_PORTS, err, sizeof(err));
	}
	app->max_tenants = app->conf.max_tenants;
	if (unix_arg) {
		tt_unix_watch w;
		if (tt_unix_watch_parse(&w, unix_arg, err, sizeof(err)) < 0)
			return usage_error("--unix-paths: %s", err);
		app->collect.unix_paths = unix_arg;
	} else if (app->conf.unix_paths[0]) {
		app->collect.unix_paths = app->conf.unix_paths;
	}
	if (ports_arg)
		app->collect.ports_why = TT_WHY_CONFIGURED;
	/* what the database servers listen on, unless told exactly what to watch */
	app->collect.ports_exact = app->ports_given;
	app->collect.unix_exact = unix_arg != NULL;
	app->collect.discover = !no_discover && app->conf.discover != 0 && !app->replay_path && !ports_arg &&
				!all_ports && !unix_arg;
	app->collect.servers = app->conf.servers[0] ? app->conf.servers : NULL;
	/* parent rules need the holders' ancestors */
	app->collect.ancestor_depth = tt_rules_parent_depth(app->conf.rules);
	if (!iterations_given)
		app->iterations = app->batch && !app->listen && !app->textfile && !app->replay_path ? 1 : 0;
	app->quiet = app->batch && (app->listen || app->textfile) && !format_given;
	/* a batch that learns runs long enough to learn */
	if (app->batch && app->baseline_learn > 0 && !iterations_given)
		app->iterations = (int)(app->baseline_learn / app->delay) + 2;
	return 0;
}

const char *tt_app_baseline_path(const tt_app *app, char *buf, size_t len)
{
	if (app->baseline_path) {
		snprintf(buf, len, "%s", app->baseline_path);
		return buf;
	}
	return tt_baseline_default_path(buf, len);
}

int tt_app_baseline_load(const tt_app *app, tt_baseline *b, char *msg, size_t len)
{
	char path[4096];
	tt_app_baseline_path(app, path, sizeof(path));
	if (access(path, F_OK) != 0) {
		if (app->baseline_path) {
			snprintf(msg, len, "baseline %s: %s (b learns one)", path, strerror(errno));
			return -1;
		}
		msg[0] = '\0';
		return 1;
	}
	if (tt_baseline_load(b, path, msg, len) < 0)
		return -1;
	snprintf(msg, len, "baseline loaded from %s (%zu tenants)", path, b->n);
	return 0;
}

void tt_app_free(tt_app *app)
{
	tt_conf_free(&app->conf);
	tt_web_config_free(&app->web);
}
