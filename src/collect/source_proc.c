/* The /proc/net text socket source: any proc root (fixture trees too), no
 * tcp_info, no cookies, no Unix peers; the fallback when netlink fails. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/procnet.h"
#include "collect/source.h"

static void *text_open(const tt_source_env *env, char *err, size_t errlen)
{
	tt_source_env *st = malloc(sizeof(*st));
	if (!st)
		snprintf(err, errlen, "out of memory");
	else
		*st = *env;
	return st;
}

static int text_read_tcp(void *st, const tt_sock_filter *f, bool info, tt_snapshot *out, tt_u64set *all, char *err,
			 size_t errlen)
{
	(void)info;
	const tt_source_env *env = st;
	const char *files[2] = {"net/tcp", "net/tcp6"};
	if (faccessat(env->rootfd, files[0], F_OK, 0) < 0 && faccessat(env->rootfd, files[1], F_OK, 0) < 0) {
		out->stats.unreadable = true; /* the collector says why */
		out->stats.bad_lines++;
	}
	for (int i = 0; i < 2; i++) {
		if (tt_procnet_read(env->rootfd, files[i], i ? TT_FAM_TCP6 : TT_FAM_TCP4, f, out, all) < 0) {
			snprintf(err, errlen, "cannot read %s/%s: %s", env->root_path, files[i], strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int text_read_unix(void *st, tt_unix_table *t, uint32_t *bad, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	const tt_source_env *env = st;
	return tt_procunix_read(env->rootfd, "net/unix", t, bad);
}

const tt_source_ops tt_source_proc = {
	.name = "proc",
	.caps = TT_CAP_ALL_INODES,
	.bad_what = "lines in net/tcp",
	.open = text_open,
	.read_tcp = text_read_tcp,
	.read_unix = text_read_unix,
	.close = free,
};
