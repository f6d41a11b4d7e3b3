/* Network namespaces.  A container's or an `ip netns` namespace's sockets
 * are in tables of their own, absent from the host's /proc/net/tcp and from
 * a netlink dump made in the host namespace.  Each namespace is found from
 * /proc/PID/ns/net and read through one of its member processes
 * (/proc/PID/net/tcp, tcp6, unix).  Names come from /run/netns (ip netns). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/netns.h"
#include "collect/procinfo.h"
#include "tenantop/vec.h"

/* "net:[4026531840]" -> 4026531840; 0 when not that form. */
uint64_t tt_parse_netns_link(const char *link, size_t len)
{
	if (len < 7 || memcmp(link, "net:[", 5) != 0 || link[len - 1] != ']')
		return 0;
	uint64_t v = 0;
	for (size_t i = 5; i < len - 1; i++) {
		if (link[i] < '0' || link[i] > '9' || v > UINT64_MAX / 10)
			return 0;
		v = v * 10 + (uint64_t)(link[i] - '0');
	}
	return v;
}

static uint64_t ns_of(int rootfd, const char *pid)
{
	char path[300], link[64];
	snprintf(path, sizeof(path), "%s/ns/net", pid);
	ssize_t n = readlinkat(rootfd, path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	return tt_parse_netns_link(link, (size_t)n);
}

void tt_netns_init(tt_netns *ns)
{
	memset(ns, 0, sizeof(*ns));
	tt_u64set_init(&ns->pid_ns);
	tt_u64set_init(&ns->seen);
}

void tt_netns_free(tt_netns *ns)
{
	tt_u64set_free(&ns->pid_ns);
	tt_u64set_free(&ns->seen);
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

static struct tt_netns_ent *ent_of(tt_netns *ns, uint64_t inode)
{
	for (size_t i = 0; i < ns->n; i++)
		if (ns->v[i].inode == inode)
			return &ns->v[i];
	struct tt_netns_ent *e = TT_VEC_PUSH(ns->v, ns->n, ns->cap);
	if (e)
		e->inode = inode;
	return e;
}

/* ip netns names: /run/netns/NAME is a bind mount of the namespace */
static void name_namespaces(tt_netns *ns)
{
	DIR *d = opendir("/run/netns");
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0)
			continue;
		for (size_t i = 0; i < ns->n; i++)
			if (ns->v[i].inode == (uint64_t)st.st_ino)
				snprintf(ns->v[i].name, sizeof(ns->v[i].name), "%.*s", (int)sizeof(ns->v[i].name) - 1,
					 de->d_name);
	}
	closedir(d);
}

int tt_netns_discover(tt_netns *ns, int rootfd, bool real_proc, const tt_pids *pids)
{
	if (!ns->self) {
		ns->self = ns_of(rootfd, "self");
		if (!ns->self)
			ns->self = ns_of(rootfd, "1");
		if (!ns->self)
			return 0; /* no namespace links here (an old fixture tree) */
	}
	ns->gen++;
	bool full = ns->gen % 10 == 1; /* pids get reused: read every link now and then */
	for (size_t i = 0; i < ns->n; i++)
		ns->v[i].members = 0, ns->v[i].pid = 0;
	tt_u64set_clear(&ns->seen);
	for (size_t i = 0; i < pids->n; i++) {
		int32_t pid = pids->v[i].pid;
		uint64_t inode = 0;
		if (full || !tt_u64set_get(&ns->pid_ns, (uint64_t)pid, &inode)) {
			char s[16];
			snprintf(s, sizeof(s), "%d", (int)pid);
			inode = ns_of(rootfd, s);
			tt_u64set_put(&ns->pid_ns, (uint64_t)pid, inode);
		}
		tt_u64set_add(&ns->seen, (uint64_t)pid);
		if (!inode || inode == ns->self)
			continue;
		struct tt_netns_ent *e = ent_of(ns, inode);
		if (!e)
			break;
		if (!e->members++)
			e->pid = pid;
	}
	/* forget exited pids and namespaces without members */
	size_t pos = 0;
	uint64_t key, val;
	while (tt_u64set_next(&ns->pid_ns, &pos, &key, &val))
		if (!tt_u64set_has(&ns->seen, key))
			tt_u64set_del(&ns->pid_ns, key);
	size_t w = 0;
	for (size_t i = 0; i < ns->n; i++)
		if (ns->v[i].members)
			ns->v[w++] = ns->v[i];
	ns->n = w;
	if (real_proc)
		name_namespaces(ns);
	return 0;
}

uint64_t tt_netns_of_pid(const tt_netns *ns, int32_t pid)
{
	uint64_t inode;
	if (!ns->self || !tt_u64set_get(&ns->pid_ns, (uint64_t)pid, &inode) || inode == ns->self)
		return 0;
	return inode;
}

const char *tt_netns_name(const tt_netns *ns, uint64_t inode)
{
	for (size_t i = 0; i < ns->n; i++)
		if (ns->v[i].inode == inode)
			return ns->v[i].name;
	return "";
}
