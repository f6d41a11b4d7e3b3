/* The config file: a good file loads whole; every error class names the
 * file, the line and what was expected, and nothing is half-applied. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tenantop/config.h"

static char path[64];

static void write_conf(const char *text)
{
	snprintf(path, sizeof(path), "/tmp/tt-conf-%d.conf", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_good_file(void **state)
{
	(void)state;
	write_conf("# comment\n[general]\nports = 3306, 6000-6002\n\n"
		   "[rule pools]\nkind = cmdline\npattern = pool (\\S+)\n"
		   "[rule]\nkind = user\nexclude = 0-999\n"
		   "[detect]\nleak_age = 2m\nleak_ratio = 30%\nlimit = 3306=151\nlimit = alice:3306=20\n");
	tt_conf c;
	char err[512];
	assert_int_equal(tt_conf_init(&c), 0);
	if (tt_conf_load(&c, path, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_true(c.ports_set);
	assert_true(tt_portset_has(&c.ports, 6001));
	assert_int_equal(tt_rules_count(c.rules), 2);
	assert_true(c.detect.leak_age_s == 120);
	assert_true(c.detect.leak_ratio > 0.299 && c.detect.leak_ratio < 0.301);
	assert_int_equal(c.detect.nlimits, 2);
	assert_int_equal(c.detect.limits[1].port, 3306);
	assert_string_equal(c.detect.limits[1].tenant, "alice");
	assert_string_equal(c.path, path);
	tt_conf_free(&c);
	unlink(path);
}

static void test_error_classes(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int line;
		const char *msg;
	} cases[] = {
		{"[general]\nport = 3306\n", 2, "unknown key 'port' in [general]"},
		{"[general]\nports = 3306,abc\n", 2, "bad port 'abc'"},
		{"[server]\nx = 1\n", 2, "unknown section [server]"},
		{"[general]\nthis line has no equals sign\n", 2, "not a 'key = value' line"},
		{"[detect]\nleak_age = soon\n", 2, "leak_age wants a duration"},
		{"[detect]\nleak_ratio = -3\n", 2, "leak_ratio wants a ratio"},
		{"[detect]\nlimit = 3306\n", 2, "limit wants"},
		{"[detect]\nlimit = 3306=many\n", 2, "limit maximum must be a whole number"},
		{"[detect]\nspeed = 3\n", 2, "unknown key 'speed'"},
		{"\n[rule]\npattern = (x)\n", 2, "needs 'kind'"},
		{"[rule]\nkind = group\n", 2, "unknown rule kind 'group'"},
		{"[rule]\nkind = cgroup\n\n", 2, "needs 'pattern'"},
		{"[rule]\nkind = cgroup\npattern = user-([0-9]+\n", 3, "bad pattern"},
		{"[rule]\nkind = cmdline\npattern = php-fpm\n", 3, "no (group)"},
		{"[rule]\nkind = cmdline\npattern = (a)\ntenant = \\3\n", 4, "uses \\3"},
		{"[rule]\nkind = remote\ncidr = 10.0.0.0/8, nonsense\ntenant = x\n", 3, "bad network 'nonsense'"},
		{"[rule]\nkind = port\nports = 0\ntenant = x\n", 3, "bad port '0'"},
		{"[rule]\nkind = user\nexclude = a-b\n", 3, "bad uid range"},
		{"[rule]\nkind = parent\ndepth = 100\n", 3, "depth must be 1-64"},
		{"[rule]\nkind = user\ncidr = 10.0.0.0/8\n", 3, "'cidr' does not apply to a user rule"},
		{"[rule]\nkind = user\nkind = path\n", 3, "'kind' given twice in this rule (first on line 2)"},
		{"[rule]\nkind = user\ncolour = red\n", 3, "unknown key 'colour' in [rule]"},
		{"[rule]\n[detect]\nleak_age = 5\n", 1, "empty [rule]"},
		{"[general]\nports = 3306\n[rule]\nkind = user\n[rule]\nkind = path\n", 6, "needs 'pattern'"},
		{"[general]\nports = 3306\nports = 5432\n", 3, "'ports' given twice in [general] (first on line 2)"},
		{"[general]\nmax_tenants = 5\n[general]\n", 3, "section [general] given twice (first on line 1)"},
		{"[detect]\nidle = 5m\n\n[detect]\nidle = 6m\n", 4, "section [detect] given twice"},
		{"[detect]\nrearm = 5\nrearm = 6\n", 3, "'rearm' given twice in [detect]"},
		{"[detect]\nlimit = alice:3306=5\nlimit = 3306=151\nlimit = alice:3306 = 6\n", 4,
		 "a second limit for the same target (first on line 2)"},
		{"[rule a]\nkind = user\n[rule a ]\nkind = user\n", 3, "section [rule a] given twice"},
		{"# caf\xc3\xa9\n[general]\nports = 3306 \xff\n", 3, "byte 0xff is not UTF-8 text"},
		{"[general]\nports = 3306 \xc0\xaf\n", 2, "byte 0xc0 is not UTF-8 text"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_conf(cases[i].text);
		tt_conf c;
		char err[512] = "", want[128];
		assert_int_equal(tt_conf_init(&c), 0);
		c.detect.leak_age_s = 4242; /* must survive a failed load */
		assert_int_equal(tt_conf_load(&c, path, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s:%d: ", path, cases[i].line);
		if (strncmp(err, want, strlen(want)) || !strstr(err, cases[i].msg))
			fail_msg("case %zu: got '%s', want '%s...%s'", i, err, want, cases[i].msg);
		assert_true(c.detect.leak_age_s == 4242);
		assert_int_equal(tt_rules_count(c.rules), 1); /* still the built-in [user] */
		assert_false(c.ports_set);
		tt_conf_free(&c);
	}
	unlink(path);
}

static void test_missing_file(void **state)
{
	(void)state;
	tt_conf c;
	char err[512];
	assert_int_equal(tt_conf_init(&c), 0);
	assert_int_equal(tt_conf_load(&c, "/nonexistent/tenantop.conf", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/tenantop.conf: cannot read the config file"));
	tt_conf_free(&c);
}

/* Not a text file: a NUL byte, a directory, a FIFO (never blocks). */
static void test_not_text(void **state)
{
	(void)state;
	tt_conf c;
	char err[512];
	snprintf(path, sizeof(path), "/tmp/tt-conf-%d.conf", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fwrite("[general]\n\0ports = 1\n", 1, 22, f);
	fclose(f);
	assert_int_equal(tt_conf_init(&c), 0);
	assert_int_equal(tt_conf_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2: a NUL byte: not a text file"));
	unlink(path);
	assert_int_equal(tt_conf_load(&c, "/tmp", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/tmp: cannot read the config file: a directory"));
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(tt_conf_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	unlink(path);
	assert_int_equal(tt_rules_count(c.rules), 1);
	tt_conf_free(&c);
}

static void test_text_kept(void **state)
{
	(void)state;
	write_conf("[general]\nports = 3306\n");
	tt_conf c;
	char err[512];
	assert_int_equal(tt_conf_init(&c), 0);
	assert_int_equal(tt_conf_load(&c, path, err, sizeof(err)), 0);
	assert_int_equal(c.text_len, 23);
	assert_memory_equal(c.text, "[general]\nports = 3306\n", 23);
	tt_conf_free(&c);
	unlink(path);
}

static void test_example_loads(void **state)
{
	(void)state;
	tt_conf c;
	char err[512], p[512];
	const char *src = getenv("TT_SRCDIR");
	snprintf(p, sizeof(p), "%s/tenantop.conf.example", src ? src : ".");
	assert_int_equal(tt_conf_init(&c), 0);
	if (tt_conf_load(&c, p, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(tt_rules_count(c.rules), 10);
	assert_int_equal(tt_rules_parent_depth(c.rules), 4);
	assert_true(tt_rules_have_socket_rules(c.rules));
	tt_conf_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_error_classes),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_not_text),
		cmocka_unit_test(test_text_kept),
		cmocka_unit_test(test_example_loads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
