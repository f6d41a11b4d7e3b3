/* Tenant rules: which customer a connection belongs to, and why.
 *
 * Rules are ordered; the first that matches wins and its kind is recorded
 * (shown in the UI and as "rule" in JSON).  Process rules (user, cgroup,
 * path, cmdline, parent) look at a holder process; socket rules (port,
 * remote) look at the socket itself, so they also attribute owner-less
 * sockets (TIME_WAIT) and split a database server's sockets by client.
 * With no rules configured the single rule is "user". */
#ifndef TENANTOP_TENANT_H
#define TENANTOP_TENANT_H

#include <stdbool.h>
#include <stddef.h>

#include "tenantop/snapshot.h"

#define TT_NAME_MAX 64

typedef struct tt_match {
	char tenant[TT_NAME_MAX]; /* safe printable name */
	const char *rule;         /* static: "user", "cgroup", "path", "cmdline", "remote", "port", "parent", "memory" */
	char detail[96];          /* what matched, e.g. "uid 1001", "/home/alice/" (safe) */
} tt_match;

typedef struct tt_rules tt_rules;

/* The built-in rule set: [user]. */
tt_rules *tt_rules_default(void);
void tt_rules_free(tt_rules *r);

/* Match socket k (role enum tt_role) held by process p (NULL when no process
 * holds it).  Returns true and fills *out when a rule matched. */
bool tt_rules_match(const tt_rules *r, const tt_snapshot *s, const tt_sock *k, int role,
		    const tt_proc *p, tt_match *out);

/* Whether any socket rule (port/remote) exists: lets the model skip work. */
bool tt_rules_have_socket_rules(const tt_rules *r);

#endif
