/* The configuration file: tenant rules, detection thresholds and limits.
 * A bad line stops the program: "FILE:LINE: what is wrong, what was expected". */
#ifndef TENANTOP_CONFIG_H
#define TENANTOP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "tenantop/detect.h"
#include "tenantop/portset.h"
#include "tenantop/probe.h"
#include "tenantop/tenant.h"

typedef struct tt_conf {
	tt_rules *rules;          /* never NULL after a successful load (default [user]) */
	tt_detect_opts detect;
	tt_portset ports;         /* valid when ports_set */
	bool ports_set;
	unsigned max_tenants;     /* Prometheus: tenants with their own label (default 50) */
	char unix_paths[1024];    /* [general] unix_paths, "" = the default */
	char servers[512];        /* [general] servers: more database server names (comm) */
	int discover;             /* [general] discover = yes|no; -1 not set */
	tt_db_conf dbs;           /* [database NAME] sections */
	char path[512];           /* the file loaded, "" when none */
	char *text;               /* its text (recorded with --record), NULL when none */
	size_t text_len;
} tt_conf;

#define TT_CONF_MAX (1024 * 1024) /* a config file larger than this is not one */

/* Defaults only (no file). */
int tt_conf_init(tt_conf *c);
/* Load FILE over the defaults.  0, or -1 with "FILE:LINE: ..." in err and
 * nothing applied. */
int tt_conf_load(tt_conf *c, const char *path, char *err, size_t errlen);
/* The default file: ~/.config/tenantop/tenantop.conf, then
 * /etc/tenantop.conf; NULL when neither exists. */
/* Load from TEXT (LEN bytes, owned by the config on success) named PATH. */
int tt_conf_load_text(tt_conf *c, const char *path, char *text, size_t len, char *err, size_t errlen);
/* 0 when TEXT is text (UTF-8, no NUL); else -1 and "LINE: why" in err. */
int tt_conf_check_text(const char *text, size_t len, char *err, size_t errlen);
const char *tt_conf_default_path(char *buf, size_t len);
void tt_conf_free(tt_conf *c);

#endif
