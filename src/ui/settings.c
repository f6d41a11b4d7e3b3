/* The dashboard settings file: format, parse, load, save. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tenantop/number.h"
#include "tenantop/settings.h"

/* the settings key of pane l ("tenants") */
static const char *pane_key(size_t l)
{
	return tt_pane_at(l)->id;
}

void tt_settings_default(tt_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->color = TT_COLOR_AUTO;
	tt_settings_complete(s);
}

void tt_settings_complete(tt_settings *s)
{
	for (size_t l = 0; l < tt_pane_count(); l++) {
		size_t n;
		tt_columns(l, &n);
		if (n > TT_SET_MAXCOLS)
			n = TT_SET_MAXCOLS;
		tt_pane_settings *p = &s->pane[l];
		/* columns a list leaves out (a newer version's) come last, shown */
		bool have[TT_SET_MAXCOLS] = {false};
		for (size_t i = 0; i < p->ncols; i++)
			have[p->order[i]] = true;
		for (size_t i = 0; i < n; i++)
			if (!have[i])
				p->order[p->ncols++] = i;
	}
}

int tt_settings_path(char *buf, size_t len)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
	int n;
	if (x && *x == '/')
		n = snprintf(buf, len, "%s/tenantop/tenantoprc", x);
	else if (h && *h)
		n = snprintf(buf, len, "%s/.config/tenantop/tenantoprc", h);
	else
		return -1;
	return n > 0 && (size_t)n < len ? 0 : -1;
}

static const char *color_name(int c)
{
	return c == TT_COLOR_ON ? "on" : c == TT_COLOR_OFF ? "off" : "auto";
}

int tt_settings_format(const tt_settings *s, char *buf, size_t len)
{
	size_t o = 0;
#define OUT(...)                                                                    \
	do {                                                                        \
		int w_ = snprintf(buf + o, o < len ? len - o : 0, __VA_ARGS__);       \
		if (w_ < 0 || o + (size_t)w_ >= len)                                \
			return -1;                                                  \
		o += (size_t)w_;                                                    \
	} while (0)
	OUT("# tenantop dashboard settings, written by F2 Setup as they change\n");
	if (s->delay > 0)
		OUT("delay = %g\n", s->delay);
	OUT("color = %s\n", color_name(s->color));
	if (s->ports[0])
		OUT("ports = %s\n", s->ports);
	OUT("space = %s\n", s->space_pauses ? "pause" : "tag");
	for (size_t l = 0; l < tt_pane_count(); l++) {
		size_t n;
		const tt_column *cols = tt_columns(l, &n);
		const tt_pane_settings *p = &s->pane[l];
		if (p->have_sort && p->sort_col < n)
			OUT("%s.sort = %s %s\n", pane_key(l), cols[p->sort_col].id, p->sort_desc ? "desc" : "asc");
		if (p->ncols) {
			OUT("%s.columns =", pane_key(l));
			for (size_t i = 0; i < p->ncols; i++)
				if (p->order[i] < n)
					OUT(" %s%s", p->hidden[p->order[i]] ? "-" : "", cols[p->order[i]].id);
			OUT("\n");
		}
	}
#undef OUT
	return 0;
}

static long col_by_id(size_t level, const char *id)
{
	size_t n;
	const tt_column *cols = tt_columns(level, &n);
	for (size_t i = 0; i < n && i < TT_SET_MAXCOLS; i++)
		if (!strcmp(cols[i].id, id))
			return (long)i;
	return -1;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static int parse_line(tt_settings *s, char *key, char *val, char *why, size_t wl)
{
	if (!strcmp(key, "delay")) {
		double d;
		if (tt_parse_number(val, 0.2, 60, &d) < 0) {
			snprintf(why, wl, "delay wants seconds from 0.2 to 60, not '%.40s'", val);
			return -1;
		}
		s->delay = d;
		return 0;
	}
	if (!strcmp(key, "color")) {
		s->color = !strcmp(val, "on") ? TT_COLOR_ON : !strcmp(val, "off") ? TT_COLOR_OFF : !strcmp(val, "auto") ? TT_COLOR_AUTO : -1;
		if (s->color < 0) {
			snprintf(why, wl, "color wants auto, on or off, not '%.40s'", val);
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "space")) {
		if (strcmp(val, "tag") && strcmp(val, "pause")) {
			snprintf(why, wl, "space wants tag or pause, not '%.40s'", val);
			return -1;
		}
		s->space_pauses = !strcmp(val, "pause");
		return 0;
	}
	if (!strcmp(key, "ports")) {
		tt_portset ps;
		char perr[128];
		if (strcmp(val, "all") && tt_portset_parse(&ps, val, perr, sizeof(perr)) < 0) {
			snprintf(why, wl, "ports: %.100s", perr);
			return -1;
		}
		snprintf(s->ports, sizeof(s->ports), "%s", val);
		return 0;
	}
	char *dot = strchr(key, '.');
	long li = -1;
	if (dot) {
		*dot = '\0';
		for (size_t i = 0; i < tt_pane_count(); i++)
			if (!strcmp(key, pane_key(i)))
				li = (long)i;
	}
	if (li < 0 || (strcmp(dot + 1, "sort") && strcmp(dot + 1, "columns"))) {
		snprintf(why, wl, "unknown setting '%.40s%s%.20s'", key, dot ? "." : "", dot ? dot + 1 : "");
		return -1;
	}
	size_t l = (size_t)li;
	tt_pane_settings *p = &s->pane[l];
	if (!strcmp(dot + 1, "sort")) {
		char id[48], dir[8] = "";
		if (sscanf(val, "%47s %7s", id, dir) < 1 || (dir[0] && strcmp(dir, "asc") && strcmp(dir, "desc"))) {
			snprintf(why, wl, "%s.sort wants COLUMN [asc|desc]", pane_key(l));
			return -1;
		}
		long c = col_by_id(l, id);
		size_t n;
		const tt_column *cols = tt_columns(l, &n);
		if (c < 0 || !cols[c].cmp) {
			snprintf(why, wl, "%s.sort: no sortable column '%.40s'", pane_key(l), id);
			return -1;
		}
		p->have_sort = true;
		p->sort_col = (size_t)c;
		p->sort_desc = dir[0] ? !strcmp(dir, "desc") : cols[c].desc;
		return 0;
	}
	p->ncols = 0;
	memset(p->hidden, 0, sizeof(p->hidden));
	bool seen[TT_SET_MAXCOLS] = {false};
	for (char *save = NULL, *t = strtok_r(val, " ,", &save); t; t = strtok_r(NULL, " ,", &save)) {
		bool hide = *t == '-';
		long c = col_by_id(l, t + hide);
		if (c < 0 || seen[c]) {
			snprintf(why, wl, "%s.columns: %s column '%.40s'", pane_key(l), c < 0 ? "no" : "a repeated", t + hide);
			return -1;
		}
		seen[c] = true;
		p->order[p->ncols++] = (size_t)c;
		p->hidden[c] = hide && c != 0; /* the first column (the row's name) is always shown */
	}
	return 0;
}

int tt_settings_parse(tt_settings *s, const char *text, char *err, size_t errlen)
{
	tt_settings_default(s);
	for (size_t l = 0; l < tt_pane_count(); l++)
		s->pane[l].ncols = 0;
	const char *p = text;
	int lineno = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024], why[200] = "";
		lineno++;
		if (n >= sizeof(line)) {
			snprintf(err, errlen, "line %d: too long", lineno);
			tt_settings_default(s);
			return -1;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (nl ? 1 : 0);
		char *t = trim(line);
		if (!*t || *t == '#')
			continue;
		char *eq = strchr(t, '=');
		if (!eq) {
			snprintf(err, errlen, "line %d: expected KEY = VALUE", lineno);
			tt_settings_default(s);
			return -1;
		}
		*eq = '\0';
		if (parse_line(s, trim(t), trim(eq + 1), why, sizeof(why)) < 0) {
			snprintf(err, errlen, "line %d: %s", lineno, why);
			tt_settings_default(s);
			return -1;
		}
	}
	tt_settings_complete(s);
	return 0;
}

int tt_settings_load(tt_settings *s, const char *path, char *err, size_t errlen)
{
	tt_settings_default(s);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s; ignored", path, errno == ELOOP ? "a symbolic link" : strerror(errno));
		return -1;
	}
	char buf[16384];
	size_t got = 0;
	ssize_t r;
	while (got + 1 < sizeof(buf) && (r = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)r;
	close(fd);
	buf[got] = '\0';
	if (got + 1 >= sizeof(buf) || memchr(buf, '\0', got)) {
		snprintf(err, errlen, "%s: not a settings file; ignored (the next change in the dashboard writes a new one)", path);
		return -1;
	}
	char why[256];
	if (tt_settings_parse(s, buf, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s; ignored (the next change in the dashboard writes a new one)", path, why);
		return -1;
	}
	return 1;
}

/* mkdir -p for the file's directory, 0700 for what is made */
static int make_dirs(const char *path)
{
	char d[4096];
	snprintf(d, sizeof(d), "%s", path);
	char *slash = strrchr(d, '/');
	if (!slash || slash == d)
		return 0;
	*slash = '\0';
	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(d, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

int tt_settings_save(const tt_settings *s, const char *path, char *err, size_t errlen)
{
	char text[8192], tmp[4200];
	if (tt_settings_format(s, text, sizeof(text)) < 0) {
		snprintf(err, errlen, "settings: too long to write");
		return -1;
	}
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (a symbolic link?); settings not saved", path);
		return -1;
	}
	if (make_dirs(path) < 0) {
		snprintf(err, errlen, "%s: cannot make its directory: %s", path, strerror(errno));
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s; settings not saved", tmp, strerror(errno));
		return -1;
	}
	size_t n = strlen(text), off = 0;
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);
		if (w <= 0) {
			snprintf(err, errlen, "%s: %s; settings not saved", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)w;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		snprintf(err, errlen, "%s: %s; settings not saved", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

double tt_settings_delay_step(double d, int dir)
{
	static const double ladder[] = {0.2, 0.5, 1, 1.5, 2, 3, 5, 10, 15, 30, 60};
	size_t n = sizeof(ladder) / sizeof(ladder[0]);
	if (dir > 0) {
		for (size_t i = 0; i < n; i++)
			if (ladder[i] > d + 1e-9)
				return ladder[i];
		return ladder[n - 1];
	}
	for (size_t i = n; i-- > 0;)
		if (ladder[i] < d - 1e-9)
			return ladder[i];
	return ladder[0];
}
