/* --web-config: the exporter-toolkit web configuration (TLS, basic auth
 * with bcrypt hashes), read from a YAML subset: two-level mappings of
 * scalars, '#' comments, optional quotes. */
#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tenantop/webconfig.h"

#define MAX_FILE (256 * 1024)

/* A whole regular file (at most MAX_FILE), NUL-terminated; NULL with errno. */
static char *slurp(const char *path, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE) {
		close(fd);
		errno = S_ISDIR(st.st_mode) ? EISDIR : S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		return NULL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t have = 0;
	while (buf && have < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + have, (size_t)st.st_size - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	close(fd);
	if (!buf)
		return NULL;
	buf[have] = '\0';
	if (lenp)
		*lenp = have;
	return buf;
}

__attribute__((format(printf, 5, 6))) static int fail(char *err, size_t errlen, const char *name, int line,
						      const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%d: %s", name, line, msg);
	return -1;
}

/* Unquote a scalar in place ('...' or "..."); "" stays "". */
static int unquote(char *v)
{
	size_t n = strlen(v);
	if (n && (v[0] == '"' || v[0] == '\'')) {
		if (n < 2 || v[n - 1] != v[0])
			return -1;
		memmove(v, v + 1, n - 2);
		v[n - 2] = '\0';
	}
	return 0;
}

static bool bcrypt_hash(const char *h)
{
	return (!strncmp(h, "$2a$", 4) || !strncmp(h, "$2b$", 4) || !strncmp(h, "$2y$", 4)) && strlen(h) == 60;
}

/* Cut a comment ('#' at the start or after a blank, outside quotes) and
 * trailing blanks; returns the length left. */
static size_t strip_comment(char *buf)
{
	char q = 0;
	for (char *c = buf; *c; c++) {
		if (q) {
			if (*c == q)
				q = 0;
		} else if (*c == '"' || *c == '\'') {
			q = *c;
		} else if (*c == '#' && (c == buf || c[-1] == ' ')) {
			*c = '\0';
			break;
		}
	}
	size_t len = strlen(buf);
	while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	return len;
}

/* One "key: value" inside tls_server_config or basic_auth_users. */
static int take_entry(tt_web_config *wc, bool tls, const char *key, const char *val, const char *name, int line,
		      char *err, size_t errlen)
{
	if (tls) {
		char *dst = !strcmp(key, "cert_file") ? wc->cert_file : !strcmp(key, "key_file") ? wc->key_file : NULL;
		if (!dst)
			return fail(err, errlen, name, line, "'%.40s' is not supported in tls_server_config (cert_file, key_file)",
				    key);
		if (*dst)
			return fail(err, errlen, name, line, "'%s' given twice", key);
		if (strlen(val) >= sizeof(wc->cert_file))
			return fail(err, errlen, name, line, "path too long");
		strcpy(dst, val);
		return 0;
	}
	if (wc->nusers == TT_WEB_MAX_USERS)
		return fail(err, errlen, name, line, "more than %d users", TT_WEB_MAX_USERS);
	if (strlen(key) >= sizeof(wc->users[0].name) || strchr(key, ':'))
		return fail(err, errlen, name, line, "bad user name '%.40s'", key);
	for (size_t i = 0; i < wc->nusers; i++)
		if (!strcmp(wc->users[i].name, key))
			return fail(err, errlen, name, line, "user '%.40s' given twice", key);
	if (!bcrypt_hash(val))
		return fail(err, errlen, name, line,
			    "the password of '%.40s' is not a bcrypt hash ($2y$..., e.g. from htpasswd -nbBC 10 USER PASS)", key);
	tt_web_user *u = &wc->users[wc->nusers++];
	snprintf(u->name, sizeof(u->name), "%s", key);
	snprintf(u->hash, sizeof(u->hash), "%s", val);
	return 0;
}

int tt_web_config_parse(tt_web_config *wc, const char *name, const char *text, char *err, size_t errlen)
{
	memset(wc, 0, sizeof(*wc));
	enum { NONE, TLS, USERS } section = NONE;
	int line = 0, tls_line = 0;
	bool seen_tls = false, seen_users = false;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char buf[1024];
		line++;
		if (n >= sizeof(buf))
			return fail(err, errlen, name, line, "line too long");
		memcpy(buf, p, n);
		buf[n] = '\0';
		p += n + (nl ? 1 : 0);
		if (strchr(buf, '\t'))
			return fail(err, errlen, name, line, "a tab: YAML indents with spaces");
		if (!strip_comment(buf) || !strcmp(buf, "---"))
			continue;
		size_t indent = strspn(buf, " ");
		char *key = buf + indent, *colon = strstr(key, ": ");
		if (!colon && key[strlen(key) - 1] == ':')
			colon = key + strlen(key) - 1;
		if (!colon)
			return fail(err, errlen, name, line, "not a 'key: value' line");
		*colon = '\0';
		char *val = colon + 1;
		while (*val == ' ')
			val++;
		if (unquote(key) < 0 || unquote(val) < 0)
			return fail(err, errlen, name, line, "an unclosed quote");
		if (indent == 0) {
			if (*val)
				return fail(err, errlen, name, line, "'%.40s' wants a mapping on the lines below it", key);
			if (!strcmp(key, "tls_server_config")) {
				if (seen_tls)
					return fail(err, errlen, name, line, "tls_server_config given twice");
				seen_tls = true;
				section = TLS;
				tls_line = line;
			} else if (!strcmp(key, "basic_auth_users")) {
				if (seen_users)
					return fail(err, errlen, name, line, "basic_auth_users given twice");
				seen_users = true;
				section = USERS;
			} else {
				return fail(err, errlen, name, line,
					    "unknown key '%.40s' (tenantop reads tls_server_config and basic_auth_users)", key);
			}
			continue;
		}
		if (section == NONE)
			return fail(err, errlen, name, line, "an indented line outside a mapping");
		if (!*val)
			return fail(err, errlen, name, line, "'%.40s' has no value", key);
		if (take_entry(wc, section == TLS, key, val, name, line, err, errlen) < 0)
			return -1;
	}
	if (seen_tls) {
		if (!wc->cert_file[0] || !wc->key_file[0])
			return fail(err, errlen, name, tls_line, "tls_server_config needs cert_file and key_file");
		wc->tls = true;
	}
	return 0;
}

int tt_web_config_load(tt_web_config *wc, const char *path, char *err, size_t errlen)
{
	size_t len = 0;
	char *text = slurp(path, &len);
	if (text && strlen(text) != len) {
		free(text);
		snprintf(err, errlen, "--web-config %s: a NUL byte: not a text file", path);
		return -1;
	}
	if (!text) {
		snprintf(err, errlen, "--web-config %s: %s", path, strerror(errno));
		return -1;
	}
	int rc = tt_web_config_parse(wc, path, text, err, errlen);
	free(text);
	if (rc < 0)
		return -1;
	if (wc->tls) {
		const char *files[2] = {wc->cert_file, wc->key_file};
		char **dst[2] = {&wc->cert_pem, &wc->key_pem};
		for (int i = 0; i < 2; i++) {
			/* relative paths are relative to the web config, as exporter-toolkit does */
			char full[1100];
			if (files[i][0] != '/' && strchr(path, '/'))
				snprintf(full, sizeof(full), "%.*s/%s", (int)(strrchr(path, '/') - path), path, files[i]);
			else
				snprintf(full, sizeof(full), "%s", files[i]);
			*dst[i] = slurp(full, NULL);
			if (!*dst[i]) {
				snprintf(err, errlen, "--web-config %s: %s %s: %s", path, i ? "key_file" : "cert_file", full,
					 strerror(errno));
				tt_web_config_free(wc);
				return -1;
			}
		}
	}
	return 0;
}

bool tt_web_auth_ok(const tt_web_config *wc, const char *user, const char *password)
{
	/* the same bcrypt work for an unknown user: no timing difference */
	static const char dummy[] = "$2y$10$V2Dlu81FQxE.7uFLieVjDOdojA80CjU4GssmB2LL33FP2a2NOiniq";
	const char *hash = dummy;
	bool known = false;
	for (size_t i = 0; user && i < wc->nusers; i++)
		if (!strcmp(wc->users[i].name, user)) {
			hash = wc->users[i].hash;
			known = true;
		}
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	if (!cd)
		return false;
	const char *out = crypt_r(password ? password : "", hash, cd);
	bool ok = false;
	if (out && out[0] != '*' && strlen(out) == strlen(hash)) {
		unsigned char diff = 0;
		for (size_t i = 0; hash[i]; i++)
			diff |= (unsigned char)(out[i] ^ hash[i]);
		ok = diff == 0;
	}
	free(cd);
	return ok && known && user && password;
}

void tt_web_config_free(tt_web_config *wc)
{
	free(wc->cert_pem);
	free(wc->key_pem);
	wc->cert_pem = wc->key_pem = NULL;
}
