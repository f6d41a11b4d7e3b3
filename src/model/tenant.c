/* Tenant rules.  This file holds the rule engine; the built-in set is [user]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/tenant.h"

enum rule_kind { RK_USER = 1 };

struct tt_rule {
	enum rule_kind kind;
};

struct tt_rules {
	struct tt_rule *v;
	size_t n;
};

tt_rules *tt_rules_default(void)
{
	tt_rules *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->v = calloc(1, sizeof(*r->v));
	if (!r->v) {
		free(r);
		return NULL;
	}
	r->v[0].kind = RK_USER;
	r->n = 1;
	return r;
}

void tt_rules_free(tt_rules *r)
{
	if (!r)
		return;
	free(r->v);
	free(r);
}

bool tt_rules_have_socket_rules(const tt_rules *r)
{
	(void)r;
	return false;
}

static bool match_user(const tt_snapshot *s, const tt_proc *p, tt_match *out)
{
	if (!p)
		return false;
	const char *user = tt_snapshot_get_str(s, p->user);
	if (*user)
		snprintf(out->tenant, sizeof(out->tenant), "%s", user);
	else
		snprintf(out->tenant, sizeof(out->tenant), "%u", p->uid);
	out->rule = "user";
	snprintf(out->detail, sizeof(out->detail), "uid %u", p->uid);
	return true;
}

bool tt_rules_match(const tt_rules *r, const tt_snapshot *s, const tt_sock *k, int role,
		    const tt_proc *p, tt_match *out)
{
	(void)k;
	(void)role;
	memset(out, 0, sizeof(*out));
	if (!r)
		return match_user(s, p, out);
	for (size_t i = 0; i < r->n; i++) {
		switch (r->v[i].kind) {
		case RK_USER:
			if (match_user(s, p, out))
				return true;
			break;
		}
	}
	return false;
}
