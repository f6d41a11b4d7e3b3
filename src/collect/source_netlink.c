/* The netlink sock_diag socket source: the default where the kernel's /proc is. */
#include <stdio.h>

#include "collect/nl.h"
#include "collect/source.h"

static void *nl_open(const tt_source_env *env, char *err, size_t errlen)
{
	(void)env;
	char nerr[128] = "";
	tt_nl_inet *nl = tt_nl_inet_open(nerr, sizeof(nerr));
	if (!nl)
		snprintf(err, errlen, "netlink unavailable (%s)", nerr);
	return nl;
}

static int nl_read_tcp(void *st, const tt_sock_filter *f, bool info, tt_snapshot *out, tt_u64set *all, char *err,
		       size_t errlen)
{
	(void)all;
	return tt_nl_inet_dump_tcp(st, f, info, out, err, errlen);
}

static int nl_read_unix(void *st, tt_unix_table *t, uint32_t *bad, char *err, size_t errlen)
{
	return tt_nl_unix_dump(st, t, bad, err, errlen);
}

static void nl_close(void *st)
{
	tt_nl_inet_close(st);
}

const tt_source_ops tt_source_netlink = {
	.name = "netlink",
	.caps = TT_CAP_TCP_INFO | TT_CAP_COOKIES | TT_CAP_UNIX_PEERS | TT_CAP_LIVE_ONLY,
	.bad_what = "netlink messages",
	.open = nl_open,
	.read_tcp = nl_read_tcp,
	.read_unix = nl_read_unix,
	.close = nl_close,
};
