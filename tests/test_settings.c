/* The dashboard settings file: text form both ways, a damaged file
 * reported and ignored, columns a file leaves out shown last, saved 0600,
 * never through a symbolic link. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tenantop/settings.h"

/* the tenants pane's index in the pane table */
#define TENANTS ((size_t)tt_pane_find("tenants"))

static long col(size_t level, const char *id)
{
	size_t n;
	const tt_column *c = tt_columns(level, &n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].id, id))
			return (long)i;
	return -1;
}

static void test_round_trip(void **state)
{
	(void)state;
	tt_settings s, t;
	char text[8192], err[256];
	tt_settings_default(&s);
	s.delay = 1.5;
	s.color = TT_COLOR_OFF;
	snprintf(s.ports, sizeof(s.ports), "3306,5432");
	s.pane[TENANTS].have_sort = true;
	s.pane[TENANTS].sort_col = (size_t)col(TENANTS, "time_wait");
	s.pane[TENANTS].sort_desc = true;
	s.pane[TENANTS].hidden[col(TENANTS, "estab")] = true;
	/* LEAKED moved first after TENANT */
	tt_pane_settings *p = &s.pane[TENANTS];
	size_t li = (size_t)col(TENANTS, "leaked");
	for (size_t k = li; k > 1; k--)
		p->order[k] = p->order[k - 1];
	p->order[1] = li;
	assert_int_equal(tt_settings_format(&s, text, sizeof(text)), 0);
	assert_non_null(strstr(text, "tenants.sort = time_wait desc\n"));
	assert_non_null(strstr(text, "tenants.columns = tenant leaked rule procs -estab "));
	assert_int_equal(tt_settings_parse(&t, text, err, sizeof(err)), 0);
	assert_true(t.delay == 1.5);
	assert_int_equal(t.color, TT_COLOR_OFF);
	assert_string_equal(t.ports, "3306,5432");
	assert_true(t.pane[TENANTS].have_sort);
	assert_int_equal(t.pane[TENANTS].sort_col, col(TENANTS, "time_wait"));
	assert_true(t.pane[TENANTS].hidden[col(TENANTS, "estab")]);
	assert_int_equal(t.pane[TENANTS].order[1], li);
	char again[8192];
	assert_int_equal(tt_settings_format(&t, again, sizeof(again)), 0);
	assert_string_equal(text, again);
}

static void test_damaged_and_partial(void **state)
{
	(void)state;
	tt_settings s;
	char err[256];
	assert_int_equal(tt_settings_parse(&s, "delay = 1\nbogus line\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 2"));
	assert_true(s.delay == 0); /* ignored: the defaults */
	assert_int_equal(tt_settings_parse(&s, "tenants.columns = tenant nosuch\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no column 'nosuch'"));
	assert_int_equal(tt_settings_parse(&s, "delay = 1000\n", err, sizeof(err)), -1);
	assert_int_equal(tt_settings_parse(&s, "sockets.sort = inode sideways\n", err, sizeof(err)), -1);
	/* a list that leaves columns out: they come last, shown; the name column cannot hide */
	assert_int_equal(tt_settings_parse(&s, "tenants.columns = -tenant leaked\n", err, sizeof(err)), 0);
	size_t n;
	tt_columns(TENANTS, &n);
	assert_int_equal(s.pane[TENANTS].ncols, n);
	assert_int_equal(s.pane[TENANTS].order[1], col(TENANTS, "leaked"));
	assert_false(s.pane[TENANTS].hidden[0]);
}

static void test_save_load(void **state)
{
	(void)state;
	char dir[] = "/tmp/tt-set-test.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256], err[512], link[256];
	snprintf(path, sizeof(path), "%s/sub/tenantop/tenantoprc", dir);
	tt_settings s, t;
	tt_settings_default(&s);
	assert_int_equal(tt_settings_load(&t, path, err, sizeof(err)), 0); /* no file yet */
	s.delay = 3;
	assert_int_equal(tt_settings_save(&s, path, err, sizeof(err)), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(tt_settings_load(&t, path, err, sizeof(err)), 1);
	assert_true(t.delay == 3);
	/* a damaged file: reported, ignored */
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("delay = 3\ncolor = purple\n", f);
	fclose(f);
	assert_int_equal(tt_settings_load(&t, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 2"));
	assert_non_null(strstr(err, "ignored"));
	assert_true(t.delay == 0);
	/* a symbolic link in the file's place: neither followed to read nor written through */
	snprintf(link, sizeof(link), "%s/elsewhere", dir);
	unlink(path);
	assert_int_equal(symlink(link, path), 0);
	assert_int_equal(tt_settings_save(&s, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	assert_int_equal(access(link, F_OK), -1);
	assert_int_equal(tt_settings_load(&t, path, err, sizeof(err)), -1);
	unlink(path);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_path(void **state)
{
	(void)state;
	char buf[256];
	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	assert_int_equal(tt_settings_path(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/x/cfg/tenantop/tenantoprc");
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", "/home/u", 1);
	assert_int_equal(tt_settings_path(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/home/u/.config/tenantop/tenantoprc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_damaged_and_partial),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
