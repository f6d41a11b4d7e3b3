/* Compiled tenant rules, shared by their compilation (rules.c) and their
 * matching (match.c).  Private to src/model. */
#ifndef TENANTOP_MODEL_RULES_PRIV_H
#define TENANTOP_MODEL_RULES_PRIV_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "tenantop/portset.h"
#include "tenantop/tenant.h"

enum rule_kind { RK_USER = 1, RK_CGROUP, RK_PATH, RK_CMDLINE, RK_REMOTE, RK_PORT, RK_PARENT, RK_NETNS, RK_DBUSER };
enum path_field { PF_ANY = 0, PF_CWD, PF_EXE };

#define MAX_CIDRS 64
#define MAX_EXCL 32

struct cidr {
	uint8_t v6;
	uint8_t addr[16];
	int bits;
};

struct tt_rule {
	enum rule_kind kind;
	regex_t re;
	bool has_re;
	size_t ngroups;
	char tmpl[TT_NAME_MAX * 2];
	int field;
	uint32_t excl_lo[MAX_EXCL], excl_hi[MAX_EXCL];
	size_t nexcl;
	char group[TT_NAME_MAX];
	char name[TT_NAME_MAX]; /* remote, port: the tenant (safe) */
	struct cidr cidrs[MAX_CIDRS];
	size_t ncidrs;
	tt_portset *ports;
	int depth;
};

struct tt_rules {
	struct tt_rule *v;
	size_t n, cap;
	bool have_socket_rules;
};

/* "user", "cgroup", ... (what a match's rule is called) */
const char *tt_rule_kind_name(int kind);
/* Is addr (16 bytes; IPv4 in the first 4 unless v6) inside the network? */
bool tt_cidr_match(const struct cidr *c, const uint8_t *addr, bool v6);

#endif
