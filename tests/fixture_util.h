/* Helpers for tests that run the collector and the model over a fixture
 * proc tree and compare the JSON with an expected document. */
#ifndef TT_TEST_FIXTURE_UTIL_H
#define TT_TEST_FIXTURE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/collect.h"
#include "tenantop/detect.h"
#include "tenantop/model.h"
#include "tenantop/output.h"

/* Path of a file under tests/fixtures, from the source tree root (make test
 * runs there; TT_SRCDIR overrides). */
static inline const char *fixture_path(const char *rel, char *buf, size_t len)
{
	const char *src = getenv("TT_SRCDIR");
	snprintf(buf, len, "%s/tests/fixtures/%s", src ? src : ".", rel);
	return buf;
}

/* Remove the members whose value depends on the clock or the machine:
 * "time", "host", "collect_ms", "self", "age_s", "state_age_s". */
static inline void json_strip_volatile(char *s)
{
	static const char *keys[] = {"\"time\":", "\"host\":", "\"collect_ms\":", "\"self\":",
				     "\"age_s\":", "\"state_age_s\":", "\"first_seen\":"};
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		char *p;
		while ((p = strstr(s, keys[k]))) {
			char *e = p + strlen(keys[k]);
			int depth = 0;
			bool str = false;
			for (; *e; e++) {
				if (str) {
					if (*e == '\\' && e[1])
						e++;
					else if (*e == '"')
						str = false;
					continue;
				}
				if (*e == '"')
					str = true;
				else if (*e == '{' || *e == '[')
					depth++;
				else if ((*e == '}' || *e == ']') && depth-- == 0)
					break;
				else if (*e == ',' && depth == 0)
					break;
			}
			if (*e == ',')
				e++;
			else if (p > s && p[-1] == ',')
				p--;
			memmove(p, e, strlen(e) + 1);
		}
	}
}

/* One refresh of the fixture tree `rel` as JSON (volatile members removed);
 * the caller frees the result. */
static inline char *fixture_json(const char *rel, const char *ports, const tt_rules *rules)
{
	char root[512], err[512];
	tt_collect_opts co;
	memset(&co, 0, sizeof(co));
	co.proc_root = fixture_path(rel, root, sizeof(root));
	co.source = TT_SRC_PROC;
	co.ancestor_depth = tt_rules_parent_depth(rules);
	if (tt_portset_parse(&co.ports, ports, err, sizeof(err)) < 0)
		return NULL;
	tt_collector *c = tt_collector_new(&co, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	tt_snapshot snap;
	tt_snapshot_init(&snap);
	tt_model m;
	tt_model_opts mo = {.ports = co.ports, .rules = rules};
	tt_model_init(&m, &mo);
	char *out = NULL;
	size_t outlen = 0;
	if (tt_collect(c, &snap, err, sizeof(err)) == 0 && tt_model_update(&m, &snap) == 0) {
		FILE *f = open_memstream(&out, &outlen);
		tt_output_opts oo = {.sockets = true, .host = "fixture", .self_cpu_ms = -1, .self_rss_kb = -1};
		tt_write_json(f, &m, NULL, &oo);
		fclose(f);
		json_strip_volatile(out);
	}
	tt_model_free(&m);
	tt_snapshot_free(&snap);
	tt_collector_free(c);
	return out;
}

static inline char *read_whole(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, len = 0;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = (len + 4097) * 2;
			char *p = realloc(buf, cap);
			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
		}
		size_t n = fread(buf + len, 1, 4096, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* Compare with the expected file; on mismatch print both and, when
 * TT_UPDATE_FIXTURES=1, rewrite the expected file. */
static inline int fixture_compare(const char *got, const char *expected_rel)
{
	char path[512];
	fixture_path(expected_rel, path, sizeof(path));
	char *want = read_whole(path);
	int same = want && strcmp(want, got) == 0;
	if (!same) {
		fprintf(stderr, "JSON differs from %s\n--- expected\n%s\n--- got\n%s\n", path,
			want ? want : "(missing)", got);
		if (getenv("TT_UPDATE_FIXTURES")) {
			FILE *f = fopen(path, "w");
			if (f) {
				fputs(got, f);
				fclose(f);
			}
		}
	}
	free(want);
	return same;
}

#endif
