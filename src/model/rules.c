/* Tenant rules, compiled once from the config's [rule] sections (or the
 * built-in user rule); matching them is match.c.
 *
 * Process rules (user, cgroup, path, cmdline, parent) look at a process
 * holding the socket; socket rules (remote, port) look at the socket, so
 * they also name owner-less sockets.  Patterns are POSIX extended regular
 * expressions (regcomp). */
#include <arpa/inet.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/rules_priv.h"
#include "tenantop/portset.h"
#include "tenantop/sanitize.h"
#include "tenantop/tenant.h"
#include "tenantop/vec.h"

static const char *kind_names[] = {"", "user", "cgroup", "path", "cmdline", "remote", "port", "parent", "netns", "dbuser"};

const char *tt_rule_kind_name(int kind)
{
	return kind > 0 && kind < (int)(sizeof(kind_names) / sizeof(kind_names[0])) ? kind_names[kind] : "";
}

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

/* A rule being compiled, and where a refusal goes. */
struct compile {
	const tt_rule_spec *sp;
	struct tt_rule *r;
	const char **bad_key;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4))) static int refuse(struct compile *c, const char *key, const char *fmt, ...)
{
	*c->bad_key = key;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The kind, and the keys that do not belong to it. */
static int compile_kind(struct compile *c, bool *wants_re)
{
	const tt_rule_spec *sp = c->sp;
	struct tt_rule *r = c->r;
	if (!sp->kind)
		return refuse(c, "kind", "a [rule] needs 'kind' (user, cgroup, path, cmdline, remote, port, parent, netns or dbuser)");
	for (int k = RK_USER; k <= RK_DBUSER; k++)
		if (!strcmp(sp->kind, kind_names[k]))
			r->kind = (enum rule_kind)k;
	if (!r->kind)
		return refuse(c, "kind",
			      "unknown rule kind '%.40s' (expected user, cgroup, path, cmdline, remote, port, parent, netns or dbuser)",
			      sp->kind);
	*wants_re = r->kind == RK_CGROUP || r->kind == RK_PATH || r->kind == RK_CMDLINE || r->kind == RK_DBUSER ||
		    (r->kind == RK_NETNS && sp->pattern);
	struct {
		const char *key, *val;
		bool ok;
	} keys[] = {
		{"pattern", sp->pattern, *wants_re || r->kind == RK_NETNS},
		{"field", sp->field, r->kind == RK_PATH},
		{"cidr", sp->cidr, r->kind == RK_REMOTE},
		{"ports", sp->ports, r->kind == RK_PORT},
		{"exclude", sp->exclude, r->kind == RK_USER},
		{"group", sp->group, r->kind == RK_USER},
		{"depth", sp->depth, r->kind == RK_PARENT},
		{"tenant", sp->tenant, r->kind != RK_USER && r->kind != RK_PARENT},
	};
	if (sp->tenant)
		for (const unsigned char *q = (const unsigned char *)sp->tenant; *q; q++)
			if (*q < 0x20 || *q == 0x7f)
				return refuse(c, "tenant", "'tenant' contains a control character");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].val && !keys[i].ok)
			return refuse(c, keys[i].key, "'%s' does not apply to a %s rule", keys[i].key, kind_names[r->kind]);
	return 0;
}

/* The pattern, and the tenant template over its groups. */
static int compile_pattern(struct compile *c)
{
	const tt_rule_spec *sp = c->sp;
	struct tt_rule *r = c->r;
	if (!sp->pattern || !*sp->pattern)
		return refuse(c, "kind", "a %s rule needs 'pattern' (a POSIX extended regular expression)", kind_names[r->kind]);
	char re[1024], why[128];
	if (translate_regex(sp->pattern, re, sizeof(re)) < 0)
		return refuse(c, "pattern", "pattern too long (at most about 1000 characters)");
	if (regex_too_costly(re, why, sizeof(why)))
		return refuse(c, "pattern", "pattern '%.60s' is too costly to compile: %s", sp->pattern, why);
	int rc = regcomp(&r->re, re, REG_EXTENDED);
	if (rc != 0) {
		char msg[160];
		regerror(rc, &r->re, msg, sizeof(msg));
		return refuse(c, "pattern", "bad pattern '%.80s': %s", sp->pattern, msg);
	}
	r->has_re = true;
	r->ngroups = r->re.re_nsub;
	const char *t = sp->tenant ? sp->tenant : "\\1";
	if (!sp->tenant && r->ngroups == 0)
		return refuse(c, "pattern", "the pattern has no (group) to name the tenant; add one or set 'tenant'");
	int mg = tmpl_max_group(t);
	if ((size_t)mg > r->ngroups)
		return refuse(c, sp->tenant ? "tenant" : "pattern", "'tenant' uses \\%d but the pattern has %zu group(s)", mg,
			      r->ngroups);
	snprintf(r->tmpl, sizeof(r->tmpl), "%s", t);
	return 0;
}

/* netns without a pattern, remote and port: the tenant is a plain name. */
static int compile_plain_tenant(struct compile *c)
{
	const tt_rule_spec *sp = c->sp;
	struct tt_rule *r = c->r;
	if (r->kind == RK_NETNS && !r->has_re && sp->tenant) {
		if (tmpl_max_group(sp->tenant))
			return refuse(c, "tenant", "a netns rule without pattern: 'tenant' must be a plain name");
		tt_sanitize(sp->tenant, strlen(sp->tenant), r->name, sizeof(r->name));
	}
	if (r->kind == RK_REMOTE || r->kind == RK_PORT) {
		if (!sp->tenant || !*sp->tenant)
			return refuse(c, "kind", "a %s rule needs 'tenant' (the name to give)", kind_names[r->kind]);
		if (tmpl_max_group(sp->tenant))
			return refuse(c, "tenant", "a %s rule has no pattern: 'tenant' must be a plain name", kind_names[r->kind]);
		tt_sanitize(sp->tenant, strlen(sp->tenant), r->name, sizeof(r->name));
	}
	return 0;
}

/* path's field, remote's networks, port's ports. */
static int compile_where(struct compile *c)
{
	const tt_rule_spec *sp = c->sp;
	struct tt_rule *r = c->r;
	if (r->kind == RK_PATH) {
		if (!sp->field || !strcmp(sp->field, "any"))
			r->field = PF_ANY;
		else if (!strcmp(sp->field, "cwd"))
			r->field = PF_CWD;
		else if (!strcmp(sp->field, "exe"))
			r->field = PF_EXE;
		else
			return refuse(c, "field", "field must be cwd, exe or any, not '%.40s'", sp->field);
	}
	if (r->kind == RK_REMOTE) {
		struct item_ctx ic = {r, ""};
		if (!sp->cidr)
			return refuse(c, "kind", "a remote rule needs 'cidr' (e.g. 10.0.1.0/24, 2001:db8::/32)");
		if (for_each_item(sp->cidr, add_cidr, &ic) <= 0)
			return refuse(c, "cidr", "bad network '%s' in cidr (expected ADDRESS[/BITS], comma-separated, at most %d)",
				      ic.bad[0] ? ic.bad : "(empty)", MAX_CIDRS);
	}
	if (r->kind == RK_PORT) {
		char perr[200];
		if (!sp->ports)
			return refuse(c, "kind", "a port rule needs 'ports' (e.g. 3307 or 3307-3310)");
		if (!(r->ports = malloc(sizeof(*r->ports))))
			return refuse(c, "kind", "out of memory");
		if (tt_portset_parse(r->ports, sp->ports, perr, sizeof(perr)) < 0)
			return refuse(c, "ports", "ports: %s", perr);
	}
	return 0;
}

/* user's exclusions and group, parent's depth. */
static int compile_who(struct compile *c)
{
	const tt_rule_spec *sp = c->sp;
	struct tt_rule *r = c->r;
	if (r->kind == RK_USER && sp->exclude) {
		struct item_ctx ic = {r, ""};
		if (for_each_item(sp->exclude, add_excl, &ic) <= 0)
			return refuse(c, "exclude", "bad uid range '%s' in exclude (expected e.g. 0-999,65534)",
				      ic.bad[0] ? ic.bad : "(empty)");
	}
	if (r->kind == RK_USER && sp->group) {
		if (!*sp->group)
			return refuse(c, "group", "group must name a tenant");
		tt_sanitize(sp->group, strlen(sp->group), r->group, sizeof(r->group));
	}
	if (r->kind == RK_PARENT) {
		r->depth = 8;
		if (sp->depth) {
			char *e;
			long d = strtol(sp->depth, &e, 10);
			if (*e || e == sp->depth || d < 1 || d > 64)
				return refuse(c, "depth", "depth must be 1-64, not '%.20s'", sp->depth);
			r->depth = (int)d;
		}
	}
	return 0;
}

int tt_rules_add(tt_rules *rs, const tt_rule_spec *sp, const char **bad_key, char *err, size_t errlen)
{
	struct tt_rule r;
	memset(&r, 0, sizeof(r));
	struct compile c = {sp, &r, bad_key, err, errlen};
	*bad_key = "kind";
	bool wants_re = false;
	if (compile_kind(&c, &wants_re) < 0 || (wants_re && compile_pattern(&c) < 0) || compile_plain_tenant(&c) < 0 ||
	    compile_where(&c) < 0 || compile_who(&c) < 0 ||
	    (TT_VEC_RESERVE(rs->v, rs->cap, rs->n + 1) < 0 && refuse(&c, "kind", "out of memory") < 0)) {
		if (r.has_re)
			regfree(&r.re);
		free(r.ports);
		return -1;
	}
	if (r.kind == RK_DBUSER || r.kind == RK_REMOTE || r.kind == RK_PORT)
		rs->have_socket_rules = true;
	rs->v[rs->n++] = r;
	return 0;
}
