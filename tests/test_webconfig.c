/* --web-config: the exporter-toolkit YAML subset (errors with FILE:LINE),
 * and bcrypt passwords checked through crypt(3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tenantop/webconfig.h"

/* htpasswd -nbBC 10 prom 's3cret pass' */
#define HASH "$2y$10$Vl0b6Dlw37/IjDOJwnNzOehCf9aMty.ic7b7oseRUiWcKiSMtMR82"

static void test_good(void **state)
{
	(void)state;
	tt_web_config wc;
	char err[512];
	const char *text = "---\n# comment\ntls_server_config:\n  cert_file: /x/cert.pem   # trailing\n"
			   "  key_file: \"/x/key # not a comment.pem\"\n"
			   "basic_auth_users:\n  prom: '" HASH "'\n  other: " HASH "\n";
	if (tt_web_config_parse(&wc, "w.yml", text, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_true(wc.tls);
	assert_string_equal(wc.cert_file, "/x/cert.pem");
	assert_string_equal(wc.key_file, "/x/key # not a comment.pem");
	assert_int_equal(wc.nusers, 2);
	assert_string_equal(wc.users[0].name, "prom");
	assert_string_equal(wc.users[1].hash, HASH);
	tt_web_config_free(&wc);
}

static void test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{"tls_server_config:\n  cert_file: a\n", "w.yml:1: tls_server_config needs cert_file and key_file"},
		{"basic_auth_users:\n  prom: secret\n", "w.yml:2: the password of 'prom' is not a bcrypt hash"},
		{"basic_auth_users:\n  prom: " HASH "\n  prom: " HASH "\n", "w.yml:3: user 'prom' given twice"},
		{"http_server_config:\n  http2: true\n", "w.yml:1: unknown key 'http_server_config'"},
		{"tls_server_config:\n  client_ca_file: x\n", "w.yml:2: 'client_ca_file' is not supported"},
		{"tls_server_config:\n\tcert_file: x\n", "w.yml:2: a tab"},
		{"  cert_file: x\n", "w.yml:1: an indented line outside a mapping"},
		{"basic_auth_users:\n  prom '" HASH "'\n", "w.yml:2: not a 'key: value' line"},
		{"basic_auth_users:\n  prom: '" HASH "\n", "w.yml:2: an unclosed quote"},
		{"basic_auth_users: x\n", "w.yml:1: 'basic_auth_users' wants a mapping"},
		{"tls_server_config:\n  cert_file: a\n  key_file: b\ntls_server_config:\n", "w.yml:4: tls_server_config given twice"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tt_web_config wc;
		char err[512] = "";
		if (tt_web_config_parse(&wc, "w.yml", cases[i].text, err, sizeof(err)) == 0 || !strstr(err, cases[i].msg))
			fail_msg("case %zu: got '%s', want '%s'", i, err, cases[i].msg);
	}
}

static void test_auth(void **state)
{
	(void)state;
	tt_web_config wc;
	char err[512];
	assert_int_equal(tt_web_config_parse(&wc, "w.yml", "basic_auth_users:\n  prom: " HASH "\n", err, sizeof(err)), 0);
	assert_true(tt_web_auth_ok(&wc, "prom", "s3cret pass"));
	assert_false(tt_web_auth_ok(&wc, "prom", "s3cret pas"));
	assert_false(tt_web_auth_ok(&wc, "prom", ""));
	assert_false(tt_web_auth_ok(&wc, "prom", NULL));
	assert_false(tt_web_auth_ok(&wc, "other", "s3cret pass"));
	assert_false(tt_web_auth_ok(&wc, NULL, "s3cret pass"));
	tt_web_config_free(&wc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_auth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
