/* The configuration file (INI, read with inih): ports, tenant rules,
 * detection thresholds and connection limits.
 *
 *   [general]   ports = 3306,5432
 *   [rule]      kind = cgroup
 *               pattern = ^/system\.slice/php-fpm-([^.]+)\.service$
 *   [rule]      kind = user          (rules are tried in file order)
 *   [detect]    leak_age = 60s, leak_ratio = 20%, limit = 3306=151, ...
 *
 * The file is read into a scratch copy; only when every line is good does
 * it replace the live settings: never half-applied.  Errors name the file
 * and line: "FILE:LINE: what is wrong, what was expected". */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tenantop/unixwatch.h"
#include "tenantop/config.h"
#include "tenantop/vec.h"

int tt_conf_init(tt_conf *c)
{
	memset(c, 0, sizeof(*c));
	tt_detect_opts_default(&c->detect);
	c->max_tenants = 50;
	c->discover = -1;
	c->rules = tt_rules_default();
	return c->rules ? 0 : -1;
}

void tt_conf_free(tt_conf *c)
{
	tt_rules_free(c->rules);
	c->rules = NULL;
	free(c->text);
	c->text = NULL;
	c->text_len = 0;
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

/* The keys of a [rule] and where each was given. */
static const char *rule_keys[] = {"kind", "pattern", "tenant", "field", "cidr", "ports", "exclude", "group", "depth"};
#define NRULE_KEYS (sizeof(rule_keys) / sizeof(rule_keys[0]))

struct pending_rule {
	bool open;
	int header_line;
	char *val[NRULE_KEYS];
	int line[NRULE_KEYS];
};

struct load_ctx {
	tt_conf *c;
	FILE *f;
	int line;        /* line number of the line being parsed */
	int err_line;
	char err[400];
	struct pending_rule rule;
	bool rules_given;
	int section_line;
	bool section_is_rule;
	int section_keys;
	char section[96];   /* the current section's name, as written */
	struct seen { char key[128]; int line; } *seen; /* sections and keys given once */
	size_t nseen, seen_cap;
};

/* Remember KEY as given on LINE; the line it was first given on when it was
 * given before, 0 when new (or when memory runs out: then no check). */
static int seen_before(struct load_ctx *lc, const char *key, int line)
{
	for (size_t i = 0; i < lc->nseen; i++)
		if (!strcmp(lc->seen[i].key, key))
			return lc->seen[i].line;
	if (TT_VEC_RESERVE(lc->seen, lc->seen_cap, lc->nseen + 1) < 0)
		return 0;
	snprintf(lc->seen[lc->nseen].key, sizeof(lc->seen[0].key), "%s", key);
	lc->seen[lc->nseen++].line = line;
	return 0;
}

__attribute__((format(printf, 3, 4))) static int fail_at(struct load_ctx *lc, int line, const char *fmt, ...)
{
	if (!lc->err_line) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(lc->err, sizeof(lc->err), fmt, ap);
		va_end(ap);
		lc->err_line = line;
	}
	return 0;
}

static void rule_clear(struct pending_rule *r)
{
	for (size_t i = 0; i < NRULE_KEYS; i++)
		free(r->val[i]);
	memset(r, 0, sizeof(*r));
}

/* Compile the rule being read, if any. */
static void rule_finish(struct load_ctx *lc)
{
	struct pending_rule *r = &lc->rule;
	if (!r->open || lc->err_line) {
		rule_clear(r);
		return;
	}
	tt_rule_spec sp = {r->val[0], r->val[1], r->val[2], r->val[3], r->val[4],
			   r->val[5], r->val[6], r->val[7], r->val[8]};
	const char *bad = "kind";
	char e[300];
	if (!lc->rules_given) {
		/* the file's rules replace the built-in [user] */
		tt_rules_free(lc->c->rules);
		lc->c->rules = tt_rules_new();
		lc->rules_given = true;
	}
	if (!lc->c->rules) {
		fail_at(lc, r->header_line, "out of memory");
	} else if (tt_rules_add(lc->c->rules, &sp, &bad, e, sizeof(e)) < 0) {
		int line = r->header_line;
		for (size_t i = 0; i < NRULE_KEYS; i++)
			if (!strcmp(rule_keys[i], bad) && r->line[i])
				line = r->line[i];
		fail_at(lc, line, "%s", e);
	}
	rule_clear(r);
}

static void section_end(struct load_ctx *lc)
{
	if (lc->section_is_rule && lc->section_keys == 0 && lc->section_line)
		fail_at(lc, lc->section_line, "empty [rule]: give at least 'kind'");
	rule_finish(lc);
}

/* Line-counting reader for ini_parse_stream: the handler then knows its
 * line, and a section header closes the rule before it. */
static char *reader(char *str, int num, void *stream)
{
	struct load_ctx *lc = stream;
	char *r = fgets(str, num, lc->f);
	if (!r)
		return NULL;
	lc->line++;
	const char *p = str;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '[') {
		section_end(lc);
		lc->section_line = lc->line;
		lc->section_keys = 0;
		lc->section_is_rule = !strncmp(p, "[rule]", 6) || !strncmp(p, "[rule ", 6);
		/* a section given twice ([general], [detect], [rule NAME]) is a
		 * mistake: the second would silently add to or override the first */
		const char *q = p + 1, *e = strchr(q, ']');
		if (e) {
			while (q < e && isspace((unsigned char)*q))
				q++;
			while (e > q && isspace((unsigned char)e[-1]))
				e--;
			snprintf(lc->section, sizeof(lc->section), "%.*s", (int)(e - q), q);
			if (strcmp(lc->section, "rule") != 0) {
				char key[128];
				snprintf(key, sizeof(key), "[%s]", lc->section);
				int first = seen_before(lc, key, lc->line);
				if (first)
					fail_at(lc, lc->line, "section [%.60s] given twice (first on line %d)", lc->section,
						first);
			}
		}
	}
	return r;
}

/* A key of [general] or [detect] given twice, or two limits for the same
 * target: the later one would silently win. */
static bool duplicate_key(struct load_ctx *lc, const char *section, const char *name, const char *value)
{
	char key[128];
	if (!strcmp(name, "limit")) {
		const char *eq = strrchr(value, '=');
		size_t n = eq ? (size_t)(eq - value) : strlen(value);
		while (n && isspace((unsigned char)value[n - 1]))
			n--;
		snprintf(key, sizeof(key), "%s.limit %.*s", section, (int)n, value);
	} else {
		snprintf(key, sizeof(key), "%s.%s", section, name);
	}
	int first = seen_before(lc, key, lc->line);
	if (!first)
		return false;
	if (!strcmp(name, "limit"))
		fail_at(lc, lc->line, "a second limit for the same target (first on line %d); give one per target",
			first);
	else
		fail_at(lc, lc->line, "'%.40s' given twice in [%s] (first on line %d)", name, section, first);
	return true;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *lc = user;
	char e[300];
	if (lc->err_line)
		return 1;
	lc->section_keys++;
	if ((!strcmp(section, "general") || !strcmp(section, "detect")) && duplicate_key(lc, section, name, value))
		return 1;
	if (!strcmp(section, "general")) {
		if (!strcmp(name, "ports")) {
			if (!strcmp(value, "all")) {
				tt_portset_clear(&lc->c->ports);
				lc->c->ports.all = true;
			} else if (tt_portset_parse(&lc->c->ports, value, e, sizeof(e)) < 0) {
				return fail_at(lc, lc->line, "ports: %s", e);
			}
			lc->c->ports_set = true;
			return 1;
		}
		if (!strcmp(name, "max_tenants")) {
			char *end;
			long v = strtol(value, &end, 10);
			if (*end || end == value || v < 1 || v > 100000)
				return fail_at(lc, lc->line, "max_tenants wants a number from 1 to 100000, not '%.40s'", value);
			lc->c->max_tenants = (unsigned)v;
			return 1;
		}
		if (!strcmp(name, "unix_paths")) {
			tt_unix_watch w;
			if (strlen(value) >= sizeof(lc->c->unix_paths))
				return fail_at(lc, lc->line, "unix_paths: longer than %zu bytes",
					       sizeof(lc->c->unix_paths) - 1);
			if (tt_unix_watch_parse(&w, value, e, sizeof(e)) < 0)
				return fail_at(lc, lc->line, "unix_paths: %s", e);
			snprintf(lc->c->unix_paths, sizeof(lc->c->unix_paths), "%s", value);
			return 1;
		}
		if (!strcmp(name, "servers")) {
			if (strlen(value) >= sizeof(lc->c->servers))
				return fail_at(lc, lc->line, "servers: longer than %zu bytes", sizeof(lc->c->servers) - 1);
			for (const char *q = value; *q; q++)
				if (!(*q == ',' || *q == ' ' || *q == '-' || *q == '_' || *q == '.' ||
				      (*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
					return fail_at(lc, lc->line, "servers: process names separated by commas, not '%.40s'",
						       value);
			snprintf(lc->c->servers, sizeof(lc->c->servers), "%s", value);
			return 1;
		}
		if (!strcmp(name, "discover")) {
			if (!strcmp(value, "yes") || !strcmp(value, "true"))
				lc->c->discover = 1;
			else if (!strcmp(value, "no") || !strcmp(value, "false"))
				lc->c->discover = 0;
			else
				return fail_at(lc, lc->line, "discover wants yes or no, not '%.40s'", value);
			return 1;
		}
		return fail_at(lc, lc->line,
			       "unknown key '%.40s' in [general] (expected ports, unix_paths, servers, discover, max_tenants)",
			       name);
	}
	if (!strcmp(section, "detect")) {
		if (tt_detect_opts_set(&lc->c->detect, name, value, e, sizeof(e)) < 0)
			return fail_at(lc, lc->line, "%s", e);
		return 1;
	}
	if (!strcmp(section, "rule") || !strncmp(section, "rule ", 5)) {
		struct pending_rule *r = &lc->rule;
		if (!r->open) {
			r->open = true;
			r->header_line = lc->section_line;
		}
		const char *key = !strcmp(name, "port") ? "ports" : name;
		for (size_t i = 0; i < NRULE_KEYS; i++) {
			if (strcmp(rule_keys[i], key) != 0)
				continue;
			if (r->val[i])
				return fail_at(lc, lc->line, "'%s' given twice in this rule (first on line %d)", key,
					       r->line[i]);
			r->val[i] = strdup(value);
			r->line[i] = lc->line;
			return 1;
		}
		return fail_at(lc, lc->line,
			       "unknown key '%.40s' in [rule] (expected kind, pattern, tenant, field, cidr, ports, "
			       "exclude, group, depth)",
			       name);
	}
	if (!strncmp(section, "database ", 9)) {
		if (tt_db_conf_set(&lc->c->dbs, section + 9, name, value, e, sizeof(e)) < 0)
			return fail_at(lc, lc->line, "%s", e);
		return 1;
	}
	return fail_at(lc, lc->line, "unknown section [%.40s] (expected [general], [rule], [detect] or [database NAME])",
		       section);
}

/* The whole file, if it is a regular text file: no NUL byte, UTF-8. */
static char *read_text(const char *path, size_t *lenp, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot read the config file: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: cannot read the config file: %s", path,
			 S_ISDIR(st.st_mode) ? "a directory, not a file" : "not a regular file");
		close(fd);
		return NULL;
	}
	if (st.st_size > TT_CONF_MAX) {
		snprintf(err, errlen, "%s: the config file is larger than %d bytes: not a config file", path,
			 TT_CONF_MAX);
		close(fd);
		return NULL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	size_t have = 0;
	for (;;) {
		ssize_t n = read(fd, buf + have, (size_t)st.st_size - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: cannot read the config file: %s", path, strerror(errno));
			close(fd);
			free(buf);
			return NULL;
		}
		if (n == 0 || (have += (size_t)n) == (size_t)st.st_size)
			break;
	}
	close(fd);
	buf[have] = '\0';
	if (tt_conf_check_text(buf, have, err, errlen) < 0) {
		char e[200];
		snprintf(e, sizeof(e), "%s", err);
		snprintf(err, errlen, "%s:%s", path, e);
		free(buf);
		return NULL;
	}
	*lenp = have;
	return buf;
}

int tt_conf_check_text(const char *s, size_t len, char *err, size_t errlen)
{
	int line = 1;
	for (size_t i = 0; i < len;) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\n')
			line++;
		if (ch == 0) {
			snprintf(err, errlen, "%d: a NUL byte: not a text file", line);
			return -1;
		}
		size_t n = ch < 0x80 ? 1 : (ch & 0xe0) == 0xc0 ? 2 : (ch & 0xf0) == 0xe0 ? 3 : (ch & 0xf8) == 0xf0 ? 4 : 0;
		bool ok = n > 0 && i + n <= len && !(n == 2 && ch < 0xc2);
		for (size_t k = 1; ok && k < n; k++)
			ok = ((unsigned char)s[i + k] & 0xc0) == 0x80;
		if (!ok) {
			snprintf(err, errlen, "%d: byte 0x%02x is not UTF-8 text: not a config file", line, ch);
			return -1;
		}
		i += n;
	}
	return 0;
}

int tt_conf_load(tt_conf *c, const char *path, char *err, size_t errlen)
{
	size_t len = 0;
	char *text = read_text(path, &len, err, errlen);
	if (!text)
		return -1;
	int rc = tt_conf_load_text(c, path, text, len, err, errlen);
	if (rc < 0)
		free(text);
	return rc;
}

int tt_conf_load_text(tt_conf *c, const char *path, char *text, size_t len, char *err, size_t errlen)
{
	struct load_ctx lc;
	memset(&lc, 0, sizeof(lc));
	lc.f = len ? fmemopen(text, len, "r") : fopen("/dev/null", "r");
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
			 rc > 0 ? "not a 'key = value' line, a [section] header or a # comment" : "read error");
	}
	section_end(&lc);
	free(lc.seen);
	if (!lc.err_line && tt_db_conf_check(&next.dbs, lc.err, sizeof(lc.err)) < 0)
		lc.err_line = lc.line;
	if (lc.err_line) {
		snprintf(err, errlen, "%s:%d: %s", path, lc.err_line, lc.err);
		rule_clear(&lc.rule);
		tt_conf_free(&next);
		return -1;
	}
	snprintf(next.path, sizeof(next.path), "%s", path);
	next.text = text;
	next.text_len = len;
	tt_conf_free(c);
	*c = next;
	return 0;
}
