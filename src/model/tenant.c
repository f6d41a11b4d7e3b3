/* Tenant rules: compiled once, tried in order, first match wins.
 *
 * Process rules (user, cgroup, path, cmdline, parent) look at a process
 * holding the socket; socket rules (remote, port) look at the socket, so
 * they also name owner-less sockets.  Patterns are POSIX extended regular
 * expressions (regcomp). */
#include <arpa/inet.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/portset.h"
#include "tenantop/sanitize.h"
#include "tenantop/tenant.h"
#include "tenantop/vec.h"

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

static const char *kind_names[] = {"", "user", "cgroup", "path", "cmdline", "remote", "port", "parent", "netns", "dbuser"};

tt_rules *tt_rules_new(void)
{
	return calloc(1, sizeof(tt_rules));
}

tt_rules *tt_rules_default(void)
{
	tt_rules *r = tt_rules_new();
	if (!r)
		return NULL;
	tt_rule_spec sp = {.kind = "user"};
	const char *bad;
	char err[64];
	if (tt_rules_add(r, &sp, &bad, err, sizeof(err)) < 0) {
		tt_rules_free(r);
		return NULL;
	}
	return r;
}

void tt_rules_free(tt_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		if (r->v[i].has_re)
			regfree(&r->v[i].re);
		free(r->v[i].ports);
	}
	free(r->v);
	free(r);
}

size_t tt_rules_count(const tt_rules *r)
{
	return r ? r->n : 0;
}

bool tt_rules_have_socket_rules(const tt_rules *r)
{
	return r && r->have_socket_rules;
}

int tt_rules_parent_depth(const tt_rules *r)
{
	int d = 0;
	for (size_t i = 0; r && i < r->n; i++)
		if (r->v[i].kind == RK_PARENT && r->v[i].depth > d)
			d = r->v[i].depth;
	return d;
}

/* ------------------------------------------------------------ compiling */

/* The C library compiles a regular expression by copying the tree under
 * each repetition: stacked or large counted repetitions take memory that
 * grows with their product.  Rules name tenants with a few groups; refuse
 * what no rule needs. */
static bool regex_too_costly(const char *re, char *why, size_t len)
{
	int quant = 0;
	bool bracket = false, prev_quant = false;
	for (const char *p = re; *p; p++) {
		if (bracket) {
			if (*p == ']')
				bracket = false;
			continue;
		}
		if (*p == '\\' && p[1]) {
			p++;
			prev_quant = false;
			continue;
		}
		if (*p == '[') {
			bracket = true;
			if (p[1] == '^')
				p++;
			if (p[1] == ']')
				p++;
			prev_quant = false;
			continue;
		}
		if (*p == '*' || *p == '+' || *p == '?' || *p == '{') {
			if (prev_quant) {
				snprintf(why, len, "a repetition repeated ('%c' after a repetition)", *p);
				return true;
			}
			if (*p == '{') {
				long a = strtol(p + 1, NULL, 10);
				const char *c = strchr(p, ',');
				const char *e = strchr(p, '}');
				long b = c && e && c < e && c[1] != '}' ? strtol(c + 1, NULL, 10) : a;
				if (a > 32 || b > 32) {
					snprintf(why, len, "a counted repetition above 32");
					return true;
				}
				if (e)
					p = e;
			}
			if (++quant > 24) {
				snprintf(why, len, "more than 24 repetitions");
				return true;
			}
			prev_quant = true;
			continue;
		}
		prev_quant = false;
	}
	return false;
}

/* Perl-style shorthands, outside bracket expressions, to POSIX classes. */
static int translate_regex(const char *in, char *out, size_t len)
{
	size_t o = 0;
	bool bracket = false;
	for (const char *p = in; *p; p++) {
		const char *rep = NULL;
		char one[3] = {*p, 0, 0};
		if (!bracket && *p == '\\' && p[1]) {
			switch (p[1]) {
			case 'd': rep = "[0-9]"; break;
			case 'D': rep = "[^0-9]"; break;
			case 'w': rep = "[[:alnum:]_]"; break;
			case 'W': rep = "[^[:alnum:]_]"; break;
			case 's': rep = "[[:space:]]"; break;
			case 'S': rep = "[^[:space:]]"; break;
			default:
				one[1] = p[1];
				rep = one;
			}
			p++;
		} else {
			if (!bracket && *p == '[') {
				bracket = true;
				/* "[]" and "[^]" start with a literal ']' */
				size_t skip = (p[1] == '^') ? 2 : 1;
				if (p[skip] == ']') {
					size_t n = skip + 1;
					if (o + n >= len)
						return -1;
					memcpy(out + o, p, n);
					o += n;
					p += n - 1;
					continue;
				}
			} else if (bracket && *p == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
				const char *e = strstr(p + 2, (char[]){p[1], ']', 0});
				if (e) {
					size_t n = (size_t)(e + 2 - p);
					if (o + n >= len)
						return -1;
					memcpy(out + o, p, n);
					o += n;
					p = e + 1;
					continue;
				}
			} else if (bracket && *p == ']') {
				bracket = false;
			}
			rep = one;
		}
		size_t n = strlen(rep);
		if (o + n >= len)
			return -1;
		memcpy(out + o, rep, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}

static int parse_cidr(const char *txt, struct cidr *c)
{
	char buf[80];
	size_t n = strlen(txt);
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, txt, n + 1);
	char *slash = strchr(buf, '/');
	int bits = -1;
	if (slash) {
		*slash = '\0';
		char *e;
		long b = strtol(slash + 1, &e, 10);
		if (*e || e == slash + 1 || b < 0)
			return -1;
		bits = (int)b;
	}
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, buf, c->addr) == 1) {
		c->v6 = 0;
		if (bits < 0)
			bits = 32;
		if (bits > 32)
			return -1;
	} else if (inet_pton(AF_INET6, buf, c->addr) == 1) {
		c->v6 = 1;
		if (bits < 0)
			bits = 128;
		if (bits > 128)
			return -1;
	} else {
		return -1;
	}
	c->bits = bits;
	return 0;
}

static bool cidr_match(const struct cidr *c, const uint8_t *addr, bool v6)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (v6 && !c->v6 && memcmp(addr, mapped, 12) == 0) {
		addr += 12; /* ::ffff:a.b.c.d against an IPv4 network */
		v6 = false;
	}
	if (v6 != (bool)c->v6)
		return false;
	int full = c->bits / 8, rest = c->bits % 8;
	if (memcmp(addr, c->addr, (size_t)full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((addr[full] & mask) != (c->addr[full] & mask))
			return false;
	}
	return true;
}

/* Split a comma-separated list, trimming blanks; calls fn for each item. */
static int for_each_item(const char *list, int (*fn)(void *ctx, const char *item), void *ctx)
{
	char buf[2048];
	snprintf(buf, sizeof(buf), "%s", list);
	int count = 0;
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ' || *t == '\t')
			t++;
		char *e = t + strlen(t);
		while (e > t && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (!*t)
			return -1;
		if (fn(ctx, t) < 0)
			return -1;
		count++;
	}
	return count;
}

struct item_ctx {
	struct tt_rule *r;
	char bad[80];
};

static int add_cidr(void *vctx, const char *item)
{
	struct item_ctx *c = vctx;
	if (c->r->ncidrs >= MAX_CIDRS || parse_cidr(item, &c->r->cidrs[c->r->ncidrs]) < 0) {
		snprintf(c->bad, sizeof(c->bad), "%.60s", item);
		return -1;
	}
	c->r->ncidrs++;
	return 0;
}

static int add_excl(void *vctx, const char *item)
{
	struct item_ctx *c = vctx;
	char *e;
	errno = 0;
	unsigned long lo = strtoul(item, &e, 10), hi = lo;
	if (*e == '-') {
		const char *h = e + 1;
		hi = strtoul(h, &e, 10);
		if (e == h)
			goto bad;
	}
	if (*e || e == item || errno || lo > hi || hi > 0xffffffffUL || c->r->nexcl >= MAX_EXCL)
		goto bad;
	c->r->excl_lo[c->r->nexcl] = (uint32_t)lo;
	c->r->excl_hi[c->r->nexcl] = (uint32_t)hi;
	c->r->nexcl++;
	return 0;
bad:
	snprintf(c->bad, sizeof(c->bad), "%.60s", item);
	return -1;
}

/* The template's highest \N. */
static int tmpl_max_group(const char *t)
{
	int max = 0;
	for (const char *p = t; *p; p++)
		if (*p == '\\' && p[1] >= '1' && p[1] <= '9') {
			if (p[1] - '0' > max)
				max = p[1] - '0';
			p++;
		}
	return max;
}

#define FAIL(key, ...)                                   \
	do {                                             \
		*bad_key = key;                          \
		snprintf(err, errlen, __VA_ARGS__);      \
		goto fail;                               \
	} while (0)

int tt_rules_add(tt_rules *rs, const tt_rule_spec *sp, const char **bad_key, char *err, size_t errlen)
{
	struct tt_rule r;
	memset(&r, 0, sizeof(r));
	*bad_key = "kind";
	if (!sp->kind)
		FAIL("kind", "a [rule] needs 'kind' (user, cgroup, path, cmdline, remote, port, parent, netns or dbuser)");
	for (int k = RK_USER; k <= RK_DBUSER; k++)
		if (!strcmp(sp->kind, kind_names[k]))
			r.kind = (enum rule_kind)k;
	if (!r.kind)
		FAIL("kind", "unknown rule kind '%.40s' (expected user, cgroup, path, cmdline, remote, port, parent, netns or dbuser)",
		     sp->kind);
	bool wants_re = r.kind == RK_CGROUP || r.kind == RK_PATH || r.kind == RK_CMDLINE || r.kind == RK_DBUSER ||
			(r.kind == RK_NETNS && sp->pattern);
	if (r.kind == RK_DBUSER)
		rs->have_socket_rules = true;
	/* keys that do not belong to this kind */
	struct {
		const char *key, *val;
		bool ok;
	} keys[] = {
		{"pattern", sp->pattern, wants_re || r.kind == RK_NETNS},
		{"field", sp->field, r.kind == RK_PATH},
		{"cidr", sp->cidr, r.kind == RK_REMOTE},
		{"ports", sp->ports, r.kind == RK_PORT},
		{"exclude", sp->exclude, r.kind == RK_USER},
		{"group", sp->group, r.kind == RK_USER},
		{"depth", sp->depth, r.kind == RK_PARENT},
		{"tenant", sp->tenant, r.kind != RK_USER && r.kind != RK_PARENT},
	};
	if (sp->tenant)
		for (const unsigned char *q = (const unsigned char *)sp->tenant; *q; q++)
			if (*q < 0x20 || *q == 0x7f)
				FAIL("tenant", "'tenant' contains a control character");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].val && !keys[i].ok)
			FAIL(keys[i].key, "'%s' does not apply to a %s rule", keys[i].key, kind_names[r.kind]);
	if (wants_re) {
		if (!sp->pattern || !*sp->pattern)
			FAIL("kind", "a %s rule needs 'pattern' (a POSIX extended regular expression)", kind_names[r.kind]);
		char re[1024], why[128];
		if (translate_regex(sp->pattern, re, sizeof(re)) < 0)
			FAIL("pattern", "pattern too long (at most about 1000 characters)");
		if (regex_too_costly(re, why, sizeof(why)))
			FAIL("pattern", "pattern '%.60s' is too costly to compile: %s", sp->pattern, why);
		int rc = regcomp(&r.re, re, REG_EXTENDED);
		if (rc != 0) {
			char msg[160];
			regerror(rc, &r.re, msg, sizeof(msg));
			FAIL("pattern", "bad pattern '%.80s': %s", sp->pattern, msg);
		}
		r.has_re = true;
		r.ngroups = r.re.re_nsub;
		const char *t = sp->tenant ? sp->tenant : "\\1";
		if (!sp->tenant && r.ngroups == 0)
			FAIL("pattern", "the pattern has no (group) to name the tenant; add one or set 'tenant'");
		int mg = tmpl_max_group(t);
		if ((size_t)mg > r.ngroups)
			FAIL(sp->tenant ? "tenant" : "pattern", "'tenant' uses \\%d but the pattern has %zu group(s)", mg,
			     r.ngroups);
		snprintf(r.tmpl, sizeof(r.tmpl), "%s", t);
	}
	if (r.kind == RK_NETNS && !r.has_re && sp->tenant) {
		if (tmpl_max_group(sp->tenant))
			FAIL("tenant", "a netns rule without pattern: 'tenant' must be a plain name");
		tt_sanitize(sp->tenant, strlen(sp->tenant), r.name, sizeof(r.name));
	}
	if (r.kind == RK_REMOTE || r.kind == RK_PORT) {
		if (!sp->tenant || !*sp->tenant)
			FAIL("kind", "a %s rule needs 'tenant' (the name to give)", kind_names[r.kind]);
		if (tmpl_max_group(sp->tenant))
			FAIL("tenant", "a %s rule has no pattern: 'tenant' must be a plain name", kind_names[r.kind]);
		tt_sanitize(sp->tenant, strlen(sp->tenant), r.name, sizeof(r.name));
		rs->have_socket_rules = true;
	}
	if (r.kind == RK_PATH) {
		if (!sp->field || !strcmp(sp->field, "any"))
			r.field = PF_ANY;
		else if (!strcmp(sp->field, "cwd"))
			r.field = PF_CWD;
		else if (!strcmp(sp->field, "exe"))
			r.field = PF_EXE;
		else
			FAIL("field", "field must be cwd, exe or any, not '%.40s'", sp->field);
	}
	if (r.kind == RK_REMOTE) {
		struct item_ctx c = {&r, ""};
		if (!sp->cidr)
			FAIL("kind", "a remote rule needs 'cidr' (e.g. 10.0.1.0/24, 2001:db8::/32)");
		if (for_each_item(sp->cidr, add_cidr, &c) <= 0)
			FAIL("cidr", "bad network '%s' in cidr (expected ADDRESS[/BITS], comma-separated, at most %d)",
			     c.bad[0] ? c.bad : "(empty)", MAX_CIDRS);
	}
	if (r.kind == RK_PORT) {
		char perr[200];
		if (!sp->ports)
			FAIL("kind", "a port rule needs 'ports' (e.g. 3307 or 3307-3310)");
		r.ports = malloc(sizeof(*r.ports));
		if (!r.ports)
			FAIL("kind", "out of memory");
		if (tt_portset_parse(r.ports, sp->ports, perr, sizeof(perr)) < 0)
			FAIL("ports", "ports: %s", perr);
	}
	if (r.kind == RK_USER) {
		if (sp->exclude) {
			struct item_ctx c = {&r, ""};
			if (for_each_item(sp->exclude, add_excl, &c) <= 0)
				FAIL("exclude", "bad uid range '%s' in exclude (expected e.g. 0-999,65534)",
				     c.bad[0] ? c.bad : "(empty)");
		}
		if (sp->group) {
			if (!*sp->group)
				FAIL("group", "group must name a tenant");
			tt_sanitize(sp->group, strlen(sp->group), r.group, sizeof(r.group));
		}
	}
	if (r.kind == RK_PARENT) {
		r.depth = 8;
		if (sp->depth) {
			char *e;
			long d = strtol(sp->depth, &e, 10);
			if (*e || e == sp->depth || d < 1 || d > 64)
				FAIL("depth", "depth must be 1-64, not '%.20s'", sp->depth);
			r.depth = (int)d;
		}
	}
	if (TT_VEC_RESERVE(rs->v, rs->cap, rs->n + 1) < 0)
		FAIL("kind", "out of memory");
	rs->v[rs->n++] = r;
	return 0;
fail:
	if (r.has_re)
		regfree(&r.re);
	free(r.ports);
	return -1;
}

/* ------------------------------------------------------------- matching */

/* Expand the template with the captures; false when the result is empty. */
static bool expand(const char *tmpl, const char *subject, const regmatch_t *mt, size_t ngroups, char *out,
		   size_t outlen)
{
	char raw[256];
	size_t o = 0;
	for (const char *p = tmpl; *p && o < sizeof(raw) - 1; p++) {
		if (*p == '\\' && p[1] >= '1' && p[1] <= '9') {
			size_t g = (size_t)(p[1] - '0');
			p++;
			if (g > ngroups || mt[g].rm_so < 0)
				continue;
			size_t n = (size_t)(mt[g].rm_eo - mt[g].rm_so);
			if (n > sizeof(raw) - 1 - o)
				n = sizeof(raw) - 1 - o;
			memcpy(raw + o, subject + mt[g].rm_so, n);
			o += n;
		} else {
			raw[o++] = *p;
		}
	}
	raw[o] = '\0';
	if (!o)
		return false;
	/* the subject comes from the snapshot's string pool and the template was
	 * checked when it was added: both are already safe; cut at a character */
	if (o >= outlen) {
		o = outlen - 1;
		while (o > 0 && ((unsigned char)raw[o] & 0xc0) == 0x80)
			o--;
	}
	memcpy(out, raw, o);
	out[o] = '\0';
	return true;
}

static bool match_re(const struct tt_rule *r, const char *subject, const char *what, tt_match *out)
{
	regmatch_t mt[10];
	if (!*subject || regexec(&r->re, subject, 10, mt, 0) != 0)
		return false;
	if (!expand(r->tmpl, subject, mt, r->ngroups < 9 ? r->ngroups : 9, out->tenant, sizeof(out->tenant)))
		return false;
	out->rule = kind_names[r->kind];
	snprintf(out->detail, sizeof(out->detail), "%s %s", what, subject);
	return true;
}

static bool match_user(const struct tt_rule *r, const tt_snapshot *s, const tt_proc *p, tt_match *out)
{
	for (size_t i = 0; i < r->nexcl; i++)
		if (p->uid >= r->excl_lo[i] && p->uid <= r->excl_hi[i]) {
			if (!r->group[0])
				return false;
			snprintf(out->tenant, sizeof(out->tenant), "%s", r->group);
			out->rule = "user";
			snprintf(out->detail, sizeof(out->detail), "uid %u (excluded range)", p->uid);
			return true;
		}
	const char *user = tt_snapshot_get_str(s, p->user);
	if (*user)
		snprintf(out->tenant, sizeof(out->tenant), "%s", user);
	else
		snprintf(out->tenant, sizeof(out->tenant), "%u", p->uid);
	out->rule = "user";
	snprintf(out->detail, sizeof(out->detail), "uid %u", p->uid);
	return true;
}

/* A process in another network namespace (a container, an ip netns): named
 * by the pattern on its cgroup path, else the rule's tenant, else the
 * namespace's ip netns name, else netns-INODE. */
static bool match_netns(const struct tt_rule *r, const tt_snapshot *s, const tt_proc *p, tt_match *out)
{
	if (!p->netns)
		return false;
	const char *nsname = tt_snapshot_get_str(s, p->netns_name);
	if (r->has_re && match_re(r, tt_snapshot_get_str(s, p->cgroup), "cgroup", out)) {
		char d[sizeof(out->detail)];
		snprintf(d, sizeof(d), "%s", out->detail);
		snprintf(out->detail, sizeof(out->detail), "netns %llu, %.70s", (unsigned long long)p->netns, d);
		return true;
	}
	if (r->name[0])
		snprintf(out->tenant, sizeof(out->tenant), "%s", r->name);
	else if (*nsname)
		snprintf(out->tenant, sizeof(out->tenant), "%s", nsname);
	else
		snprintf(out->tenant, sizeof(out->tenant), "netns-%llu", (unsigned long long)p->netns);
	out->rule = "netns";
	snprintf(out->detail, sizeof(out->detail), "netns %llu%s%s", (unsigned long long)p->netns, *nsname ? " " : "",
		 nsname);
	return true;
}

/* A process rule (not parent) on process p. */
static bool match_proc_rule(const struct tt_rule *r, const tt_snapshot *s, const tt_proc *p, tt_match *out)
{
	switch (r->kind) {
	case RK_USER:
		return match_user(r, s, p, out);
	case RK_CGROUP:
		return match_re(r, tt_snapshot_get_str(s, p->cgroup), "cgroup", out);
	case RK_CMDLINE:
		return match_re(r, tt_snapshot_get_str(s, p->cmdline), "cmdline", out);
	case RK_PATH:
		if (r->field != PF_EXE && match_re(r, tt_snapshot_get_str(s, p->cwd), "cwd", out))
			return true;
		return r->field != PF_CWD && match_re(r, tt_snapshot_get_str(s, p->exe), "exe", out);
	case RK_NETNS:
		return match_netns(r, s, p, out);
	default:
		return false;
	}
}

/* A socket rule: remote, port, dbuser (the server end of a connection
 * whose database session logs in as a matching user). */
static bool is_sock_rule(const struct tt_rule *r)
{
	return r->kind == RK_REMOTE || r->kind == RK_PORT || r->kind == RK_DBUSER;
}

static bool match_sock_rule(const struct tt_rule *r, const tt_snapshot *s, const tt_sock *k, int role, tt_match *out)
{
	if (r->kind == RK_DBUSER) {
		if (role != TT_ROLE_SERVER || !s || !s->dbuser || k < s->socks || k >= s->socks + s->nsocks)
			return false;
		size_t ix = (size_t)(k - s->socks);
		return ix < s->ndbuser && s->dbuser[ix] && match_re(r, s->dbuser[ix], "db user", out);
	}
	if (k->family != TT_FAM_TCP4 && k->family != TT_FAM_TCP6)
		return false;
	char a[64];
	if (r->kind == RK_REMOTE) {
		if (role == TT_ROLE_CLIENT || (k->flags & TT_SF_ENDPOINT_UNKNOWN))
			return false; /* the remote of a client socket is the database, not a tenant */
		for (size_t i = 0; i < r->ncidrs; i++)
			if (cidr_match(&r->cidrs[i], k->raddr, k->family == TT_FAM_TCP6)) {
				snprintf(out->tenant, sizeof(out->tenant), "%s", r->name);
				out->rule = "remote";
				tt_fmt_endpoint(k->family, k->raddr, k->rport, a, sizeof(a));
				snprintf(out->detail, sizeof(out->detail), "remote %s", a);
				return true;
			}
		return false;
	}
	if (r->kind == RK_PORT) {
		uint16_t port = 0;
		if (role == TT_ROLE_SERVER)
			port = k->lport;
		else if (role == TT_ROLE_CLIENT)
			port = k->rport;
		else if (tt_portset_has(r->ports, k->lport))
			port = k->lport;
		else
			port = k->rport;
		if (!port || !tt_portset_has(r->ports, port))
			return false;
		snprintf(out->tenant, sizeof(out->tenant), "%s", r->name);
		out->rule = "port";
		snprintf(out->detail, sizeof(out->detail), "port %u", port);
		return true;
	}
	return false;
}

typedef const tt_proc *(*find_pid_fn)(void *ctx, int32_t pid);

/* Process rules from index `from`, in order; parent rules climb. */
static bool match_process(const tt_rules *rs, size_t from, const tt_snapshot *s, const tt_proc *p,
			  find_pid_fn find, void *fctx, size_t *rule_ix, tt_match *out)
{
	for (size_t i = from; i < rs->n; i++) {
		const struct tt_rule *r = &rs->v[i];
		if (r->kind == RK_REMOTE || r->kind == RK_PORT)
			continue;
		if (r->kind == RK_PARENT) {
			const tt_proc *a = p;
			for (int d = 1; d <= r->depth; d++) {
				a = a->ppid > 0 ? find(fctx, a->ppid) : NULL;
				if (!a)
					break;
				for (size_t j = 0; j < rs->n; j++) {
					const struct tt_rule *q = &rs->v[j];
					if (q->kind == RK_PARENT || q->kind == RK_REMOTE || q->kind == RK_PORT)
						continue;
					tt_match am;
					memset(&am, 0, sizeof(am));
					if (match_proc_rule(q, s, a, &am)) {
						*out = am;
						out->rule = "parent";
						snprintf(out->detail, sizeof(out->detail), "pid %d, %d up: %s %.60s", a->pid, d,
							 kind_names[q->kind], am.detail);
						*rule_ix = i;
						return true;
					}
				}
			}
			continue;
		}
		if (match_proc_rule(r, s, p, out)) {
			*rule_ix = i;
			return true;
		}
	}
	return false;
}

static const tt_proc *find_linear(void *ctx, int32_t pid)
{
	const tt_snapshot *s = ctx;
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	return NULL;
}

/* An empty rule set acts as [user]. */
static const struct tt_rule builtin_user = {.kind = RK_USER};
static const tt_rules builtin_rules = {(struct tt_rule *)&builtin_user, 1, 1, false};

static const tt_rules *effective(const tt_rules *r)
{
	return r && r->n ? r : &builtin_rules;
}

bool tt_rules_match(const tt_rules *rules, const tt_snapshot *s, const tt_sock *k, int role, const tt_proc *p,
		    tt_match *out)
{
	const tt_rules *r = effective(rules);
	memset(out, 0, sizeof(*out));
	size_t pix = r->n;
	tt_match pm;
	memset(&pm, 0, sizeof(pm));
	bool pm_ok = p && match_process(r, 0, s, p, find_linear, (void *)s, &pix, &pm);
	for (size_t i = 0; i < r->n && i < pix; i++)
		if (is_sock_rule(&r->v[i]) && match_sock_rule(&r->v[i], s, k, role, out))
			return true;
	if (pm_ok)
		*out = pm;
	return pm_ok;
}

/* ------------------------------------------------------- cached context */

struct pidix {
	int32_t pid;
	uint32_t ix;
};

struct cache {
	int state; /* 0 unknown, 1 matched, 2 no match */
	size_t rule_ix;
	tt_match m;
};

struct tt_rule_ctx {
	const tt_rules *r;
	const tt_snapshot *s;
	struct pidix *pids;
	size_t npids, pids_cap;
	struct cache *cache;
	size_t cache_cap;
};

tt_rule_ctx *tt_rule_ctx_new(const tt_rules *r)
{
	tt_rule_ctx *c = calloc(1, sizeof(*c));
	if (c)
		c->r = effective(r);
	return c;
}

void tt_rule_ctx_free(tt_rule_ctx *c)
{
	if (!c)
		return;
	free(c->pids);
	free(c->cache);
	free(c);
}

static int pid_cmp(const void *a, const void *b)
{
	const struct pidix *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

int tt_rule_ctx_begin(tt_rule_ctx *c, const tt_snapshot *s)
{
	c->s = s;
	if (TT_VEC_RESERVE(c->cache, c->cache_cap, s->nprocs) < 0 || TT_VEC_RESERVE(c->pids, c->pids_cap, s->nprocs) < 0)
		return -1;
	for (size_t i = 0; i < s->nprocs; i++) {
		c->cache[i].state = 0;
		c->pids[i] = (struct pidix){s->procs[i].pid, (uint32_t)i};
	}
	c->npids = s->nprocs;
	if (c->npids > 1)
		qsort(c->pids, c->npids, sizeof(*c->pids), pid_cmp);
	return 0;
}

static const tt_proc *find_indexed(void *ctx, int32_t pid)
{
	tt_rule_ctx *c = ctx;
	struct pidix key = {pid, 0};
	const struct pidix *hit = c->npids ? bsearch(&key, c->pids, c->npids, sizeof(key), pid_cmp) : NULL;
	return hit ? &c->s->procs[hit->ix] : NULL;
}

bool tt_rule_ctx_match(tt_rule_ctx *c, const tt_sock *k, int role, long proc, tt_match *out)
{
	const tt_rules *r = c->r;
	memset(out, 0, sizeof(*out));
	struct cache *pc = NULL;
	if (proc >= 0 && (size_t)proc < c->s->nprocs) {
		pc = &c->cache[proc];
		if (pc->state == 0) {
			memset(&pc->m, 0, sizeof(pc->m));
			pc->rule_ix = r->n;
			pc->state = match_process(r, 0, c->s, &c->s->procs[proc], find_indexed, c, &pc->rule_ix, &pc->m)
					    ? 1
					    : 2;
		}
	}
	if (r->have_socket_rules) {
		size_t lim = pc && pc->state == 1 ? pc->rule_ix : r->n;
		for (size_t i = 0; i < lim; i++)
			if (is_sock_rule(&r->v[i]) && match_sock_rule(&r->v[i], c->s, k, role, out))
				return true;
	}
	if (pc && pc->state == 1) {
		*out = pc->m;
		return true;
	}
	return false;
}
