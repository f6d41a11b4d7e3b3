/* uid -> user name, cached; names sanitised (a user name is tenant-chosen on
 * some hosts).  Fixture trees may carry their own passwd file. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/users.h"
#include "tenantop/sanitize.h"
#include "tenantop/u64set.h"
#include "tenantop/vec.h"

struct tt_users {
	tt_u64set index; /* uid + 1 -> offset + 1 in names */
	char *names;
	size_t len, cap;
	bool from_file; /* names come only from the file, never from NSS */
};

static int add_name(tt_users *u, uint32_t uid, const char *raw, size_t rawlen)
{
	char safe[128];
	size_t n = tt_sanitize(raw, rawlen, safe, sizeof(safe));
	if (TT_VEC_RESERVE(u->names, u->cap, u->len + n + 1) < 0)
		return -1;
	memcpy(u->names + u->len, safe, n + 1);
	if (tt_u64set_put(&u->index, (uint64_t)uid + 1, u->len + 1) < 0)
		return -1;
	u->len += n + 1;
	return 0;
}

tt_users *tt_users_new(void)
{
	tt_users *u = calloc(1, sizeof(*u));
	if (u)
		tt_u64set_init(&u->index);
	return u;
}

tt_users *tt_users_new_from_file(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	tt_users *u = tt_users_new();
	if (!u) {
		fclose(f);
		return NULL;
	}
	u->from_file = true;
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		char *e;
		unsigned long uid = strtoul(c2 + 1, &e, 10);
		if (e == c2 + 1 || *e != ':' || uid > UINT32_MAX)
			continue;
		add_name(u, (uint32_t)uid, line, (size_t)(c1 - line));
	}
	fclose(f);
	return u;
}

const char *tt_users_name(tt_users *u, uint32_t uid)
{
	uint64_t off;
	if (tt_u64set_get(&u->index, (uint64_t)uid + 1, &off))
		return u->names + off - 1;
	char num[16];
	const char *raw = num;
	size_t rawlen;
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (!u->from_file && getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res && res->pw_name[0]) {
		raw = res->pw_name;
		rawlen = strlen(raw);
	} else {
		rawlen = (size_t)snprintf(num, sizeof(num), "%u", uid);
	}
	if (add_name(u, uid, raw, rawlen) < 0)
		return NULL;
	tt_u64set_get(&u->index, (uint64_t)uid + 1, &off);
	return u->names + off - 1;
}

void tt_users_free(tt_users *u)
{
	if (!u)
		return;
	tt_u64set_free(&u->index);
	free(u->names);
	free(u);
}
