/* Prometheus exposition: label escaping of hostile tenant names and the
 * tenant cardinality cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_util.h"
#include "tenantop/config.h"

static char *prom_of(const char *tree, const char *ports, const tt_rules *rules, unsigned max)
{
	char root[512], err[512];
	tt_collect_opts co;
	memset(&co, 0, sizeof(co));
	co.proc_root = fixture_path(tree, root, sizeof(root));
	co.ancestor_depth = tt_rules_parent_depth(rules);
	assert_int_equal(tt_portset_parse(&co.ports, ports, err, sizeof(err)), 0);
	tt_collector *c = tt_collector_new(&co, err, sizeof(err));
	assert_non_null(c);
	tt_snapshot s;
	tt_snapshot_init(&s);
	tt_model m;
	tt_model_opts mo = {.ports = co.ports, .rules = rules};
	tt_model_init(&m, &mo);
	assert_int_equal(tt_collect(c, &s, err, sizeof(err)), 0);
	assert_int_equal(tt_model_update(&m, &s), 0);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	tt_output_opts oo = {.self_cpu_ms = -1, .self_rss_kb = -1, .max_tenants = max};
	assert_int_equal(tt_write_prometheus(f, &m, NULL, &oo), 0);
	fclose(f);
	tt_model_free(&m);
	tt_snapshot_free(&s);
	tt_collector_free(c);
	return out;
}

static void test_escaping(void **state)
{
	(void)state;
	tt_rules *r = tt_rules_new();
	const char *bad;
	char err[128];
	tt_rule_spec sp = {.kind = "cmdline", .pattern = "--title=(.*)"}, u = {.kind = "user"};
	assert_int_equal(tt_rules_add(r, &sp, &bad, err, sizeof(err)), 0);
	assert_int_equal(tt_rules_add(r, &u, &bad, err, sizeof(err)), 0);
	char *out = prom_of("proc-basic", "3306,5432", r, 0);
	/* the tenant "\e]0;pwned\x07" (already safe text) has its backslashes escaped */
	assert_non_null(strstr(out, "tenantop_sockets{tenant=\"\\\\e]0;pwned\\\\x07\",state=\"ESTABLISHED\",port=\"3306\",role=\"client\"} 2"));
	/* no raw control character anywhere */
	for (const char *p = out; *p; p++)
		assert_true(*p == '\n' || (unsigned char)*p >= 0x20);
	assert_non_null(strstr(out, "# TYPE tenantop_leaked_sockets gauge"));
	assert_non_null(strstr(out, "tenantop_reset_held_sockets 1"));
	assert_non_null(strstr(out, "tenantop_endpoint_unknown_sockets 1"));
	/* the held socket of unknown endpoint is in no per-port series */
	assert_null(strstr(out, "port=\"0\""));
	free(out);
	tt_rules_free(r);
}

static void test_cardinality_cap(void **state)
{
	(void)state;
	tt_conf conf;
	char err[512], path[512];
	const char *src = getenv("TT_SRCDIR");
	snprintf(path, sizeof(path), "%s/tenantop.conf.example", src ? src : ".");
	assert_int_equal(tt_conf_init(&conf), 0);
	assert_int_equal(tt_conf_load(&conf, path, err, sizeof(err)), 0);
	char *out = prom_of("proc-hosting", "3306,3307", conf.rules, 2);
	size_t named = 0;
	for (const char *p = out; (p = strstr(p, "\ntenantop_leaked_sockets{")); p++)
		named++;
	assert_int_equal(named, 3); /* two tenants and "other" */
	/* the two leakiest keep their names; the other eight are summed */
	assert_non_null(strstr(out, "tenantop_leaked_sockets{tenant=\"other\"} 3"));
	assert_non_null(strstr(out, "tenantop_tenants 10"));
	free(out);
	tt_conf_free(&conf);
}

static void test_pool_limits(void **state)
{
	(void)state;
	tt_model m;
	tt_model_opts mo = {0};
	assert_int_equal(tt_model_init(&m, &mo), 0);
	tt_limit l[2] = {{.tenant = "", .port = 3306, .max = 151}, {.tenant = "a\"b", .port = 0, .max = 20}};
	tt_pool_use u[2] = {{.limit = &l[0], .used = 40, .eta_s = -1}, {.limit = &l[1], .used = 7, .eta_s = -1}};
	tt_output_opts oo = {.self_cpu_ms = -1, .self_rss_kb = -1, .pools = u, .npools = 2};
	size_t len = 0;
	char *out = tt_prometheus_text(&m, NULL, &oo, &len);
	assert_non_null(out);
	assert_int_equal(strlen(out), len);
	assert_non_null(strstr(out, "\ntenantop_pool_limit{tenant=\"*\",port=\"3306\"} 151\n"));
	assert_non_null(strstr(out, "\ntenantop_pool_connections{tenant=\"*\",port=\"3306\"} 40\n"));
	assert_non_null(strstr(out, "\ntenantop_pool_limit{tenant=\"a\\\"b\",port=\"*\"} 20\n"));
	assert_non_null(strstr(out, "\ntenantop_pool_connections{tenant=\"a\\\"b\",port=\"*\"} 7\n"));
	free(out);
	/* without limits, no pool series at all */
	oo.npools = 0;
	out = tt_prometheus_text(&m, NULL, &oo, &len);
	assert_null(strstr(out, "tenantop_pool_limit"));
	free(out);
	tt_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_cardinality_cap),
		cmocka_unit_test(test_pool_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
