/* Alert sinks: log file, syslog and the --on-alert hook. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "tenantop/alertsink.h"
#include "tenantop/clock.h"
#include "tenantop/jsonw.h"

#define MAX_HOOKS 4      /* hooks running at once */
#define HOOK_LIMIT_S 30  /* a hook still running after this is killed */

struct hook {
	pid_t pid;
	double started;
};

struct tt_alert_sink {
	tt_alert_sink_opts o;
	FILE *log;
	tt_alerts prev;
	struct hook hooks[MAX_HOOKS];
	unsigned hooks_run, hooks_skipped;
};

tt_alert_sink *tt_alert_sink_new(const tt_alert_sink_opts *o, char *err, size_t errlen)
{
	struct tt_alert_sink *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->o = *o;
	tt_alerts_init(&s->prev);
	if (o->log_path) {
		/* 0600 (it names tenants), never through a symlink; a FIFO without
		 * a reader fails at once instead of blocking */
		int fd = open(o->log_path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
		struct stat st;
		if (fd >= 0 && (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode))) {
			close(fd);
			fd = -1;
			errno = EISDIR;
		}
		if (fd >= 0)
			fcntl(fd, F_SETFL, O_APPEND);
		s->log = fd >= 0 ? fdopen(fd, "a") : NULL;
		if (!s->log) {
			snprintf(err, errlen, "--alert-log %s: %s%s", o->log_path, strerror(errno),
				 errno == ELOOP ? " (a symbolic link: give the file itself)" : "");
			if (fd >= 0)
				close(fd);
			free(s);
			return NULL;
		}
	}
	if (o->syslog)
		openlog("tenantop", LOG_PID, LOG_DAEMON);
	return s;
}

/* A regular file we may execute: 0; else -1 with errno (EACCES for a
 * file without the x bit or not a regular file). */
static int runnable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0) {
		errno = EACCES;
		return -1;
	}
	return 0;
}

int tt_hook_check(const char *cmd, char *err, size_t errlen)
{
	char buf[4096], *argv[64];
	if (tt_split_words(cmd, buf, sizeof(buf), argv, 64) <= 0) {
		snprintf(err, errlen, "--on-alert wants a command (words, quotes closed), not '%s'", cmd);
		return -1;
	}
	const char *prog = argv[0];
	if (strchr(prog, '/')) {
		if (runnable(prog) == 0)
			return 0;
		snprintf(err, errlen, "--on-alert: %s: %s", prog,
			 errno == EACCES ? "not an executable file" : strerror(errno));
		return -1;
	}
	/* as execvp looks it up */
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	bool denied = false;
	for (const char *p = path; *p;) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char full[4200];
		snprintf(full, sizeof(full), "%.*s/%s", (int)n, n ? p : ".", prog);
		if (runnable(full) == 0)
			return 0;
		denied |= errno == EACCES;
		p += n + (e ? 1 : 0);
		if (!e)
			break;
	}
	snprintf(err, errlen, "--on-alert: %s: %s", prog,
		 denied ? "found in PATH but not executable" : "no such program in PATH");
	return -1;
}

static const tt_alert *find(const tt_alerts *a, const tt_alert *x)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i].tenant, x->tenant) && a->v[i].kind == x->kind)
			return &a->v[i];
	return NULL;
}

static void reap(struct tt_alert_sink *s)
{
	double now = tt_mono_s();
	for (int i = 0; i < MAX_HOOKS; i++) {
		struct hook *h = &s->hooks[i];
		if (!h->pid)
			continue;
		if (waitpid(h->pid, NULL, WNOHANG) == h->pid) {
			h->pid = 0;
		} else if (now - h->started > HOOK_LIMIT_S) {
			kill(h->pid, SIGKILL);
			waitpid(h->pid, NULL, 0);
			h->pid = 0;
		}
	}
}

int tt_split_words(const char *cmd, char *buf, size_t len, char **argv, int max)
{
	int n = 0;
	size_t o = 0;
	const char *p = cmd;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (n + 1 >= max)
			return -1;
		argv[n++] = buf + o;
		char q = 0;
		while (*p && (q || (*p != ' ' && *p != '\t'))) {
			if (!q && (*p == '\'' || *p == '"')) {
				q = *p++;
				continue;
			}
			if (q && *p == q) {
				q = 0;
				p++;
				continue;
			}
			if (o + 1 >= len)
				return -1;
			buf[o++] = *p++;
		}
		if (q)
			return -1; /* an unclosed quote */
		if (o + 1 >= len)
			return -1;
		buf[o++] = '\0';
	}
	argv[n] = NULL;
	return n;
}

static void run_hook(struct tt_alert_sink *s, const char *event, const tt_alert *a)
{
	reap(s);
	struct hook *slot = NULL;
	for (int i = 0; i < MAX_HOOKS && !slot; i++)
		if (!s->hooks[i].pid)
			slot = &s->hooks[i];
	if (!slot) {
		s->hooks_skipped++;
		return;
	}
	char eta[32], first[32];
	snprintf(eta, sizeof(eta), "%.0f", a->eta_s);
	snprintf(first, sizeof(first), "%.0f", a->first_seen);
	pid_t pid = fork();
	if (pid < 0) {
		s->hooks_skipped++;
		return;
	}
	if (pid == 0) {
		/* the alert travels in the environment only */
		setenv("TENANTOP_EVENT", event, 1);
		setenv("TENANTOP_TENANT", a->tenant, 1);
		setenv("TENANTOP_KIND", tt_alert_kind_name(a->kind), 1);
		setenv("TENANTOP_SEVERITY", tt_severity_name(a->severity), 1);
		setenv("TENANTOP_MESSAGE", a->message, 1);
		setenv("TENANTOP_ETA_S", a->eta_s >= 0 ? eta : "", 1);
		setenv("TENANTOP_FIRST_SEEN", first, 1);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			if (s->o.quiet_hooks) {
				dup2(null, 1);
				dup2(null, 2);
			}
		}
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* no shell: the operator's words, split on blanks ('...' and "..."
		 * group); the alert is only in the environment */
		char buf[4096], *argv[64];
		if (tt_split_words(s->o.on_alert, buf, sizeof(buf), argv, 64) > 0)
			execvp(argv[0], argv);
		_exit(127);
	}
	slot->pid = pid;
	slot->started = tt_mono_s();
	s->hooks_run++;
}

/* One JSON line of the log: {"time":...,"event":..., ...} */
static void log_begin(tt_jsonw *w, FILE *f, double time, const char *event)
{
	tt_jw_init(w, f);
	tt_jw_obj_begin(w);
	tt_jw_key(w, "time");
	tt_jw_double(w, time, 3);
	tt_jw_key(w, "event");
	tt_jw_str(w, event);
}

static void log_end(tt_jsonw *w, FILE *f)
{
	tt_jw_obj_end(w);
	fputc('\n', f);
	fflush(f);
}

void tt_alert_sink_action(tt_alert_sink *s, double time, const char *action, const char *tenant,
			  const char *target, bool ok, const char *result)
{
	if (!s)
		return;
	if (s->log) {
		tt_jsonw w;
		log_begin(&w, s->log, time, "action");
		tt_jw_key(&w, "action");
		tt_jw_str(&w, action);
		tt_jw_key(&w, "tenant");
		tt_jw_str(&w, tenant);
		tt_jw_key(&w, "target");
		tt_jw_str(&w, target);
		tt_jw_key(&w, "ok");
		tt_jw_bool(&w, ok);
		tt_jw_key(&w, "result");
		tt_jw_str(&w, result);
		log_end(&w, s->log);
	}
	if (s->o.syslog)
		syslog(LOG_NOTICE, "action %s on %s (tenant %s): %s", action, target, tenant, result);
}

static void emit(struct tt_alert_sink *s, const char *event, const tt_alert *a, double time)
{
	if (s->log) {
		tt_jsonw w;
		log_begin(&w, s->log, time, event);
		tt_jw_key(&w, "tenant");
		tt_jw_str(&w, a->tenant);
		tt_jw_key(&w, "kind");
		tt_jw_str(&w, tt_alert_kind_name(a->kind));
		tt_jw_key(&w, "severity");
		tt_jw_str(&w, tt_severity_name(a->severity));
		tt_jw_key(&w, "first_seen");
		tt_jw_double(&w, a->first_seen, 1);
		if (a->eta_s >= 0) {
			tt_jw_key(&w, "eta_s");
			tt_jw_double(&w, a->eta_s, 0);
		}
		tt_jw_key(&w, "message");
		tt_jw_str(&w, a->message);
		log_end(&w, s->log);
	}
	if (s->o.syslog) {
		int pri = !strcmp(event, "cleared") ? LOG_NOTICE
			  : a->severity == TT_SEV_CRIT ? LOG_CRIT
			  : a->severity == TT_SEV_WARN ? LOG_WARNING
						       : LOG_INFO;
		syslog(pri, "%s %s %s %s: %s", event, tt_severity_name(a->severity), a->tenant, tt_alert_kind_name(a->kind), a->message);
	}
	if (s->o.on_alert)
		run_hook(s, event, a);
}

int tt_alert_sink_update(tt_alert_sink *s, const tt_alerts *now, double time)
{
	int events = 0;
	reap(s);
	for (size_t i = 0; i < now->n; i++) {
		const tt_alert *old = find(&s->prev, &now->v[i]);
		if (!old) {
			emit(s, "raised", &now->v[i], time);
			events++;
		} else if (old->severity != now->v[i].severity) {
			emit(s, "changed", &now->v[i], time);
			events++;
		}
	}
	for (size_t i = 0; i < s->prev.n; i++)
		if (!find(now, &s->prev.v[i])) {
			emit(s, "cleared", &s->prev.v[i], time);
			events++;
		}
	tt_alerts_clear(&s->prev);
	for (size_t i = 0; i < now->n; i++) {
		tt_alert *x = tt_alerts_add(&s->prev);
		if (x)
			*x = now->v[i];
	}
	return events;
}

void tt_alert_sink_stats(const tt_alert_sink *s, unsigned *hooks_run, unsigned *hooks_skipped)
{
	*hooks_run = s->hooks_run;
	*hooks_skipped = s->hooks_skipped;
}

void tt_alert_sink_free(tt_alert_sink *s)
{
	if (!s)
		return;
	/* let running hooks finish briefly, then stop them */
	double until = tt_mono_s() + 2;
	for (int i = 0; i < MAX_HOOKS; i++) {
		while (s->hooks[i].pid && tt_mono_s() < until) {
			if (waitpid(s->hooks[i].pid, NULL, WNOHANG) == s->hooks[i].pid)
				s->hooks[i].pid = 0;
			else
				usleep(20000);
		}
		if (s->hooks[i].pid) {
			kill(s->hooks[i].pid, SIGKILL);
			waitpid(s->hooks[i].pid, NULL, 0);
		}
	}
	if (s->log)
		fclose(s->log);
	if (s->o.syslog)
		closelog();
	tt_alerts_free(&s->prev);
	free(s);
}
