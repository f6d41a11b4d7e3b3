/* Simulator configuration: defaults and the --tenant spec parser. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/number.h"
#include "tenantop/sim.h"

void tt_sim_cfg_default(tt_sim_cfg *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->addr, sizeof(c->addr), "127.0.0.1");
	c->port = 23306;
	c->duration = 60;
	c->server_uid = -1;
}

int tt_sim_parse_tenant(tt_sim_cfg *c, const char *spec, char *err, size_t errlen)
{
	if (c->ntenants >= TT_SIM_MAX_TENANTS) {
		snprintf(err, errlen, "at most %d tenants", TT_SIM_MAX_TENANTS);
		return -1;
	}
	tt_sim_tenant t;
	memset(&t, 0, sizeof(t));
	t.uid = -1;
	t.procs = 1;
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", spec);
	char *colon = strchr(buf, ':');
	char *rest = colon ? colon + 1 : NULL;
	if (colon)
		*colon = '\0';
	if (strcmp(buf, "-") != 0) {
		double u;
		if (tt_parse_number(buf, 0, 4294967294.0, &u) < 0 || u != floor(u)) {
			snprintf(err, errlen, "tenant '%s': the uid must be a number or '-'", spec);
			return -1;
		}
		t.uid = (long)u;
	}
	for (char *save = NULL, *kv = rest ? strtok_r(rest, ",", &save) : NULL; kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		const char *val = eq ? eq + 1 : "";
		if (eq)
			*eq = '\0';
		double d = 0;
		uint32_t *cnt = !strcmp(kv, "estab") ? &t.estab : !strcmp(kv, "cw") ? &t.cw
							    : !strcmp(kv, "reset") ? &t.reset
							    : !strcmp(kv, "tw") ? &t.tw : NULL;
		if (cnt) {
			if (tt_parse_number(val, 0, TT_SIM_MAX_CONNS, &d) < 0 || d != floor(d))
				goto bad;
			*cnt = (uint32_t)d;
		} else if (!strcmp(kv, "procs")) {
			if (tt_parse_number(val, 1, TT_SIM_MAX_PROCS, &d) < 0 || d != floor(d))
				goto bad;
			t.procs = (uint32_t)d;
		} else if (!strcmp(kv, "churn")) {
			if (tt_parse_number(val, 0, 10000, &t.churn) < 0)
				goto bad;
		} else if (!strcmp(kv, "leak")) {
			if (tt_parse_number(val, 0, 6000, &t.leak) < 0)
				goto bad;
		} else if (!strcmp(kv, "share") && !eq) {
			t.share = true;
		} else if (!strcmp(kv, "name") && *val && strlen(val) < sizeof(t.name) &&
			   strspn(val, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == strlen(val)) {
			snprintf(t.name, sizeof(t.name), "%s", val);
		} else {
			snprintf(err, errlen,
				 "tenant '%s': unknown or bad '%s' (expected estab=N,cw=N,reset=N,tw=N,procs=N,"
				 "share,churn=R,leak=R,name=WORD)", spec, kv);
			return -1;
		}
		continue;
	bad:
		snprintf(err, errlen, "tenant '%s': bad value '%s' for %s", spec, val, kv);
		return -1;
	}
	if (!t.name[0]) {
		if (t.uid >= 0)
			snprintf(t.name, sizeof(t.name), "u%ld", t.uid);
		else
			snprintf(t.name, sizeof(t.name), "t%zu", c->ntenants + 1);
	}
	c->tenants[c->ntenants++] = t;
	return 0;
}
