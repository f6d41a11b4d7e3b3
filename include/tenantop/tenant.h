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
/* An empty rule set, filled with tt_rules_add (an empty set acts as [user]). */
tt_rules *tt_rules_new(void);

/* One rule as written in the config file (NULL = key not given).
 *   kind     user | cgroup | path | cmdline | remote | port | parent
 *   pattern  POSIX extended regex (cgroup, path, cmdline); \d \w \s \S and
 *            their negations are accepted outside brackets
 *   tenant   the name: a template with \1..\9 (default \1), or a literal
 *            (required for remote and port)
 *   field    path: cwd, exe or any (default any: cwd, then exe)
 *   cidr     remote: "10.0.0.0/8, 192.168.1.7, fd00::/8"
 *   ports    port: "3307" or "3307-3310,3320"
 *   exclude  user: uid ranges that are not tenants, "0-999,65534"
 *   group    user: the tenant for excluded uids (default: try the next rule)
 *   depth    parent: how many ancestors to try (default 8, 1-64) */
typedef struct tt_rule_spec {
	const char *kind, *pattern, *tenant, *field, *cidr, *ports, *exclude, *group, *depth;
} tt_rule_spec;

/* Validate and compile one rule and append it.  0, or -1 with a message
 * in err and *bad_key naming the key at fault ("kind" when the rule as a
 * whole is wrong). */
int tt_rules_add(tt_rules *r, const tt_rule_spec *sp, const char **bad_key, char *err, size_t errlen);
size_t tt_rules_count(const tt_rules *r);
/* The highest ancestor depth a parent rule needs (0 = no parent rule). */
int tt_rules_parent_depth(const tt_rules *r);
void tt_rules_free(tt_rules *r);

/* Match socket k (role enum tt_role) held by process p (NULL when no process
 * holds it).  Returns true and fills *out when a rule matched. */
bool tt_rules_match(const tt_rules *r, const tt_snapshot *s, const tt_sock *k, int role,
		    const tt_proc *p, tt_match *out);

/* Whether any socket rule (port/remote) exists: lets the model skip work. */
bool tt_rules_have_socket_rules(const tt_rules *r);

/* Matching many sockets of one snapshot: process results are cached per
 * process, ancestors are found through a pid index.  Results are the same
 * as tt_rules_match. */
typedef struct tt_rule_ctx tt_rule_ctx;
tt_rule_ctx *tt_rule_ctx_new(const tt_rules *r);
int tt_rule_ctx_begin(tt_rule_ctx *c, const tt_snapshot *s);
/* proc: index in s->procs, or -1 for a socket no process holds. */
bool tt_rule_ctx_match(tt_rule_ctx *c, const tt_sock *k, int role, long proc, tt_match *out);
void tt_rule_ctx_free(tt_rule_ctx *c);

#endif
