/* src/app/ owns the program's settings and modes: command line, config file, recorded
 * settings, the demo and batch.
 *
 * The command line: parse, validate, load the config file. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
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
	"                         idle time grows from its last sample; with eBPF events, also\n"
	"                         how often every socket is read: the refreshes between apply\n"
	"                         the kernel's state changes to the last read's table\n"
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

/* What the command line said beyond the settings themselves. */
struct parsed {
	const char *ports_arg, *unix_arg;
	bool all_ports, iterations_given, format_given, no_discover;
};

/* Options that only switch something on, and options that only name a file. */
static const struct {
	int opt;
	size_t off;
} flag_opts[] = {
	{'b', offsetof(tt_app, batch)},
	{OPT_DEMO, offsetof(tt_app, demo)},
	{OPT_NO_NETNS, offsetof(tt_app, collect.no_netns)},
	{OPT_NO_DB, offsetof(tt_app, no_db)},
	{OPT_READ_ONLY, offsetof(tt_app, read_only)},
	{OPT_NO_COLOR, offsetof(tt_app, no_color)},
	{OPT_SYSLOG, offsetof(tt_app, syslog)},
	{OPT_SOCKETS_ONLY, offsetof(tt_app, collect.skip_processes)},
}, path_opts[] = {
	{'c', offsetof(tt_app, config_path)},
	{OPT_PROC, offsetof(tt_app, collect.proc_root)},
	{OPT_RECORD, offsetof(tt_app, record_path)},
	{OPT_WEB_CONFIG, offsetof(tt_app, web_config)},
	{OPT_ALERT_LOG, offsetof(tt_app, alert_log)},
	{OPT_BASELINE, offsetof(tt_app, baseline_path)},
};

/* One word among choices: its index, or -1. */
static int choice(const char *arg, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(arg, names[i]))
			return (int)i;
	return -1;
}

/* The table-driven options; 1 when c was one of them. */
static int take_simple(tt_app *app, int c, const char *arg)
{
	for (size_t i = 0; i < sizeof(flag_opts) / sizeof(flag_opts[0]); i++)
		if (flag_opts[i].opt == c) {
			*(bool *)((char *)app + flag_opts[i].off) = true;
			return 1;
		}
	for (size_t i = 0; i < sizeof(path_opts) / sizeof(path_opts[0]); i++)
		if (path_opts[i].opt == c) {
			*(const char **)((char *)app + path_opts[i].off) = arg;
			return 1;
		}
	return 0;
}

/* Options whose value is checked here.  0, 1 (--help/--version printed) or
 * 2 (usage error, said). */
static int take_checked(tt_app *app, struct parsed *ps, int c, const char *arg)
{
	static const char *const formats[] = {[TT_FMT_TEXT] = "text", [TT_FMT_JSON] = "json", [TT_FMT_PROMETHEUS] = "prometheus"};
	static const char *const sources[] = {[TT_SRC_AUTO] = "auto", [TT_SRC_NETLINK] = "netlink", [TT_SRC_PROC] = "proc",
					      [TT_SRC_BPF] = "bpf"};
	char err[512];
	switch (c) {
	case 'n': {
		char *end;
		errno = 0;
		long v = strtol(arg, &end, 10);
		if (errno || *end || end == arg || v < 1 || v > 100000000 || arg[0] < '0' || arg[0] > '9')
			return usage_error("--iterations wants a whole number from 1, not '%s'", arg);
		app->iterations = (int)v;
		ps->iterations_given = true;
		return 0;
	}
	case 'd':
		if (parse_double(arg, &app->delay) < 0 || app->delay < 0.01 || app->delay > 86400)
			return usage_error("--delay wants seconds between 0.01 and 86400, not '%s'", arg);
		app->delay_given = true;
		return 0;
	case OPT_TCP_INFO_EVERY:
		if (parse_double(arg, &app->collect.info_every_s) < 0 || app->collect.info_every_s < 0 ||
		    app->collect.info_every_s > 3600)
			return usage_error("--tcp-info-every wants seconds between 0 and 3600, not '%s'", arg);
		return 0;
	case 'f':
		ps->format_given = true;
		if ((app->format = choice(arg, formats, sizeof(formats) / sizeof(formats[0]))) < 0)
			return usage_error("--format wants text, json or prometheus, not '%s'", arg);
		return 0;
	case OPT_SOURCE: {
		int src = choice(arg, sources, sizeof(sources) / sizeof(sources[0]));
		if (src < 0)
			return usage_error("--source wants auto, bpf, netlink or proc, not '%s'", arg);
		app->collect.source = src;
		return 0;
	}
	case OPT_REPLAY: {
		/* a FIFO would block the open, a directory is never a recording */
		struct stat st;
		if (stat(arg, &st) == 0 && !S_ISREG(st.st_mode))
			return usage_error("--replay %s: %s, not a recording", arg,
					   S_ISDIR(st.st_mode)    ? "a directory"
					   : S_ISFIFO(st.st_mode) ? "a FIFO"
								  : "not a regular file");
		app->replay_path = arg;
		return 0;
	}
	case OPT_LISTEN: {
		struct sockaddr_storage ss;
		socklen_t sl;
		if (tt_listen_parse(arg, &ss, &sl) < 0)
			return usage_error("--listen wants ADDRESS:PORT with a port from 1 to 65535 "
					   "(127.0.0.1:9817, [::1]:9817, :9817), not '%s'",
					   arg);
		app->listen = arg;
		return 0;
	}
	case OPT_TEXTFILE:
		if (!*arg)
			return usage_error("--textfile wants a file name");
		app->textfile = arg;
		return 0;
	case OPT_ON_ALERT:
		if (tt_hook_check(arg, err, sizeof(err)) < 0)
			return usage_error("%s", err);
		app->on_alert = arg;
		return 0;
	case OPT_BASELINE_LEARN:
		if (parse_double(arg, &app->baseline_learn) < 0 || app->baseline_learn < 1 || app->baseline_learn > 7 * 86400)
			return usage_error("--baseline-learn wants seconds from 1 to 604800, not '%s'", arg);
		return 0;
	}
	return -1;
}

/* One option from getopt.  0 to go on, 1 (--help/--version printed) or 2
 * (usage error, said). */
static int take_option(tt_app *app, struct parsed *ps, int c, char **argv)
{
	if (take_simple(app, c, optarg))
		return 0;
	int rc = take_checked(app, ps, c, optarg);
	if (rc >= 0)
		return rc;
	switch (c) {
	case 'p':
		ps->ports_arg = optarg;
		return 0;
	case 'a':
		ps->all_ports = true;
		return 0;
	case 'u':
		ps->unix_arg = optarg;
		return 0;
	case OPT_NO_DISCOVER:
		ps->no_discover = true;
		return 0;
	case 'h':
		fputs(usage_text, stdout);
		return 1;
	case 'V':
		if (tt_bpf_built())
			printf("tenantop %s (eBPF events built in; %s)\n", TT_VERSION, tt_bpf_prepared());
		else
			printf("tenantop %s (built without eBPF events)\n", TT_VERSION);
		return 1;
	case ':':
		return usage_error("option '%s' needs a value", argv[optind - 1]);
	default:
		return usage_error("unknown option '%s'", argv[optind - 1]);
	}
}

/* The ports and socket files to watch: the command line, else the config,
 * else the defaults; discovery unless told exactly what to watch. */
static int watch_settings(tt_app *app, const struct parsed *ps)
{
	char err[512];
	if (ps->ports_arg) {
		if (tt_portset_parse(&app->collect.ports, ps->ports_arg, err, sizeof(err)) < 0)
			return usage_error("--ports: %s", err);
		app->ports_given = true;
		app->collect.ports_why = TT_WHY_CONFIGURED;
	} else if (ps->all_ports) {
		tt_portset_clear(&app->collect.ports);
		app->collect.ports.all = true;
		app->ports_given = true;
	} else if (app->conf.ports_set) {
		app->collect.ports = app->conf.ports;
		app->collect.ports_why = TT_WHY_CONFIGURED;
	} else {
		tt_portset_parse(&app->collect.ports, TT_DEFAULT_PORTS, err, sizeof(err));
	}
	if (ps->unix_arg) {
		tt_unix_watch w;
		if (tt_unix_watch_parse(&w, ps->unix_arg, err, sizeof(err)) < 0)
			return usage_error("--unix-paths: %s", err);
		app->collect.unix_paths = ps->unix_arg;
	} else if (app->conf.unix_paths[0]) {
		app->collect.unix_paths = app->conf.unix_paths;
	}
	/* what the database servers listen on, unless told exactly what to watch */
	app->collect.ports_exact = app->ports_given;
	app->collect.unix_exact = ps->unix_arg != NULL;
	app->collect.discover = !ps->no_discover && app->conf.discover != 0 && !app->replay_path && !ps->ports_arg &&
				!ps->all_ports && !ps->unix_arg;
	app->collect.servers = app->conf.servers[0] ? app->conf.servers : NULL;
	return 0;
}

/* Options that cannot go together, the web config, the config file. */
static int load_settings(tt_app *app, const struct parsed *ps)
{
	char err[512];
	if (app->record_path && app->replay_path)
		return usage_error("%s: give either --record or --replay", "--record");
	if (ps->ports_arg && ps->all_ports)
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
	return 0;
}

int tt_app_parse(tt_app *app, int argc, char **argv)
{
	struct parsed ps = {0};
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
	int c, rc;
	while ((c = getopt_long(argc, argv, ":bn:d:f:p:ac:u:hV", long_opts, NULL)) != -1)
		if ((rc = take_option(app, &ps, c, argv)) != 0)
			return rc;
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if ((rc = load_settings(app, &ps)) != 0 || (rc = watch_settings(app, &ps)) != 0)
		return rc;
	app->max_tenants = app->conf.max_tenants;
	/* parent rules need the holders' ancestors */
	app->collect.ancestor_depth = tt_rules_parent_depth(app->conf.rules);
	if (!ps.iterations_given)
		app->iterations = app->batch && !app->listen && !app->textfile && !app->replay_path ? 1 : 0;
	app->quiet = app->batch && (app->listen || app->textfile) && !ps.format_given;
	/* a batch that learns runs long enough to learn */
	if (app->batch && app->baseline_learn > 0 && !ps.iterations_given)
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
