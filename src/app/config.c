/* The configuration file (INI, read with inih): tenant rules, ports,
 * detection thresholds and connection limits.
 *
 *   [general]    ports = 3306,5432
 *   [detect]     leak_age = 60s, leak_ratio = 20%, limit = 3306=151, ...
 *
 * The whole file is read into a scratch copy; only when every line is good
 * does it replace the live settings ("never half-applied"). */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tenantop/config.h"

int tt_conf_init(tt_conf *c)
{
	memset(c, 0, sizeof(*c));
	tt_detect_opts_default(&c->detect);
	c->rules = tt_rules_default();
	return c->rules ? 0 : -1;
}

void tt_conf_free(tt_conf *c)
{
	tt_rules_free(c->rules);
	c->rules = NULL;
}

const char *tt_conf_default_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	if (xdg && *xdg)
		snprintf(buf, len, "%s/tenantop/tenantop.conf", xdg);
	else if (home && *home)
		snprintf(buf, len, "%s/.config/tenantop/tenantop.conf", home);
	else
		buf[0] = '\0';
	if (buf[0] && access(buf, R_OK) == 0)
		return buf;
	snprintf(buf, len, "/etc/tenantop.conf");
	return access(buf, R_OK) == 0 ? buf : NULL;
}

struct load_ctx {
	tt_conf *c;
	FILE *f;
	int line;       /* line number of the line being parsed */
	int err_line;
	char err[400];
};

/* Line-counting reader for ini_parse_stream: the handler then knows its line. */
static char *reader(char *str, int num, void *stream)
{
	struct load_ctx *lc = stream;
	char *r = fgets(str, num, lc->f);
	if (r)
		lc->line++;
	return r;
}

__attribute__((format(printf, 2, 3))) static int fail(struct load_ctx *lc, const char *fmt, ...)
{
	if (!lc->err_line) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(lc->err, sizeof(lc->err), fmt, ap);
		va_end(ap);
		lc->err_line = lc->line;
	}
	return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *lc = user;
	char e[300];
	if (lc->err_line)
		return 0;
	if (!strcmp(section, "general")) {
		if (!strcmp(name, "ports")) {
			if (!strcmp(value, "all")) {
				tt_portset_clear(&lc->c->ports);
				lc->c->ports.all = true;
			} else if (tt_portset_parse(&lc->c->ports, value, e, sizeof(e)) < 0) {
				return fail(lc, "ports: %s", e);
			}
			lc->c->ports_set = true;
			return 1;
		}
		return fail(lc, "unknown key '%.40s' in [general] (expected ports)", name);
	}
	if (!strcmp(section, "detect")) {
		if (tt_detect_opts_set(&lc->c->detect, name, value, e, sizeof(e)) < 0)
			return fail(lc, "%s", e);
		return 1;
	}
	return fail(lc, "unknown section [%.40s] (expected [general] or [detect])", section);
}

int tt_conf_load(tt_conf *c, const char *path, char *err, size_t errlen)
{
	struct load_ctx lc;
	memset(&lc, 0, sizeof(lc));
	lc.f = fopen(path, "r");
	if (!lc.f) {
		snprintf(err, errlen, "%s: cannot read the config file: %s", path, strerror(errno));
		return -1;
	}
	tt_conf next;
	if (tt_conf_init(&next) < 0) {
		fclose(lc.f);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	lc.c = &next;
	int rc = ini_parse_stream(reader, &lc, handler, &lc);
	fclose(lc.f);
	if (rc != 0 && !lc.err_line) {
		lc.err_line = rc > 0 ? rc : lc.line;
		snprintf(lc.err, sizeof(lc.err), "%s",
			 rc > 0 ? "not a 'key = value' line or a [section] header" : "read error");
	}
	if (lc.err_line) {
		snprintf(err, errlen, "%s:%d: %s", path, lc.err_line, lc.err);
		tt_conf_free(&next);
		return -1;
	}
	snprintf(next.path, sizeof(next.path), "%s", path);
	tt_conf_free(c);
	*c = next;
	return 0;
}
