/* --web-config FILE: TLS and basic authentication for the exporter, in the
 * format of Prometheus' exporter-toolkit (--web.config.file), a YAML
 * subset:
 *
 *   tls_server_config:
 *     cert_file: /etc/tenantop/exporter.crt
 *     key_file: /etc/tenantop/exporter.key
 *   basic_auth_users:
 *     prometheus: $2y$10$...      (bcrypt, e.g. htpasswd -nbBC 10 USER PASS)
 *
 * Either part may be left out.  Errors name the file and line. */
#ifndef TENANTOP_WEBCONFIG_H
#define TENANTOP_WEBCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define TT_WEB_MAX_USERS 32

typedef struct tt_web_user {
	char name[64];
	char hash[128];
} tt_web_user;

typedef struct tt_web_config {
	bool tls;
	char cert_file[512], key_file[512];
	char *cert_pem, *key_pem; /* their contents, read at load (owned) */
	tt_web_user users[TT_WEB_MAX_USERS];
	size_t nusers;
} tt_web_config;

/* Load FILE: 0, or -1 with "FILE:LINE: what is wrong" in err. */
int tt_web_config_load(tt_web_config *wc, const char *path, char *err, size_t errlen);
/* Parse TEXT (pure; for the tests). */
int tt_web_config_parse(tt_web_config *wc, const char *name, const char *text, char *err, size_t errlen);
/* Whether USER and PASSWORD match a configured user (bcrypt through
 * crypt(3); the same work is done for an unknown user). */
bool tt_web_auth_ok(const tt_web_config *wc, const char *user, const char *password);
void tt_web_config_free(tt_web_config *wc);

#endif
