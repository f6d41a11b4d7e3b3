/* The descriptor side: which process holds which socket (/proc/PID/fd), and
 * TCP sockets a process holds that no table lists any more (reset, held). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "tenantop/collect_internal.h"

enum { PROTO_OTHER = 1, PROTO_TCP = 2, PROTO_TCP6 = 3 };

/* Protocol of a socket from its descriptor: sockfs' "system.sockprotoname"
 * xattr; fixture trees (no xattrs) keep it in PID/fdproto/N. */
static int sock_proto(tt_scan_ctx *sc, int pid, const char *fdname, uint64_t inode)
{
	uint64_t v;
	if (tt_u64set_get(&sc->proto_cache, inode, &v))
		return (int)v;
	char path[4200], name[32];
	ssize_t n = -1;
	snprintf(path, sizeof(path), "%s/%d/fd/%s", sc->root_path, pid, fdname);
	if (sc->real_proc)
		n = getxattr(path, "system.sockprotoname", name, sizeof(name) - 1);
	if (n < 0) {
		snprintf(path, sizeof(path), "%d/fdproto/%s", pid, fdname);
		n = tt_read_file_at(sc->rootfd, path, name, sizeof(name) - 1);
		if (n < 0)
			return -1;
		while (n > 0 && (name[n - 1] == '\n' || name[n - 1] == ' '))
			n--;
	}
	name[n] = '\0';
	int proto = strcmp(name, "TCP") == 0 ? PROTO_TCP : strcmp(name, "TCPv6") == 0 ? PROTO_TCP6 : PROTO_OTHER;
	tt_u64set_put(&sc->proto_cache, inode, (uint64_t)proto);
	return proto;
}

/* The TCP state of another process's socket, from a duplicate of its
 * descriptor (pidfd_getfd, Linux 5.6+).  Fills the local endpoint when asked.
 * -1 when the kernel refuses. */
static int state_via_pidfd(int pid, int fd, tt_sock *k)
{
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0)
		return -1;
	int sfd = (int)syscall(SYS_pidfd_getfd, pfd, fd, 0);
	close(pfd);
	if (sfd < 0)
		return -1;
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	int state = -1;
	if (getsockopt(sfd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0)
		state = ti.tcpi_state;
	if (k && state == TT_ST_CLOSE) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		if (getsockname(sfd, (struct sockaddr *)&ss, &sl) == 0) {
			if (ss.ss_family == AF_INET) {
				struct sockaddr_in *a = (struct sockaddr_in *)&ss;
				memcpy(k->laddr, &a->sin_addr, 4);
				k->lport = ntohs(a->sin_port);
			} else if (ss.ss_family == AF_INET6) {
				struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
				memcpy(k->laddr, &a->sin6_addr, 16);
				k->lport = ntohs(a->sin6_port);
			}
		}
	}
	close(sfd);
	return state;
#else
	(void)pid;
	(void)fd;
	(void)k;
	return -1;
#endif
}

/* Is this unlisted TCP socket reset-but-held?  Exact with the text source
 * (every listed inode is known); with netlink the kernel filtered by port,
 * so ask the socket itself, or fall back to a full inode list. */
static bool is_held(tt_scan_ctx *sc, int pid, int fd, uint64_t inode, tt_sock *k)
{
	if (sc->all_inodes_valid)
		return !tt_u64set_has(&sc->all_inodes, inode);
	int st = sc->try_pidfd ? state_via_pidfd(pid, fd, k) : -1;
	if (st >= 0)
		return st == TT_ST_CLOSE;
	sc->try_pidfd = false;
	if (sc->load_all_inodes && sc->load_all_inodes(sc) == 0 && sc->all_inodes_valid)
		return !tt_u64set_has(&sc->all_inodes, inode);
	return false;
}

/* Add (or find) the CLOSE socket for a held inode; -1 when filtered out. */
static long held_socket(tt_scan_ctx *sc, tt_snapshot *out, uint64_t inode, int proto, tt_sock *probe)
{
	uint64_t ix;
	if (tt_u64set_get(&sc->held, inode, &ix))
		return ix ? (long)ix - 1 : -1;
	tt_sock k;
	memset(&k, 0, sizeof(k));
	k.inode = inode;
	k.state = TT_ST_CLOSE;
	k.family = proto == PROTO_TCP6 ? TT_FAM_TCP6 : TT_FAM_TCP4;
	k.flags = TT_SF_HELD_ONLY;
	const struct tt_endpoint_mem *em = tt_endpoints_find(sc, inode);
	if (em) {
		k.family = em->family;
		memcpy(k.laddr, em->laddr, 16);
		memcpy(k.raddr, em->raddr, 16);
		k.lport = em->lport;
		k.rport = em->rport;
		k.uid = em->uid;
		k.flags |= TT_SF_ENDPOINT_REMEMBERED;
		tt_sock_filter f = {sc->ports, 0};
		if (!tt_sock_filter_match(&f, &k)) {
			tt_u64set_put(&sc->held, inode, 0);
			return -1;
		}
	} else {
		k.flags |= TT_SF_ENDPOINT_UNKNOWN;
		if (probe) {
			memcpy(k.laddr, probe->laddr, 16);
			k.lport = probe->lport;
		}
	}
	tt_sock *dst = tt_snapshot_add_sock(out);
	if (!dst)
		return -1;
	*dst = k;
	out->stats.held++;
	tt_u64set_put(&sc->held, inode, out->nsocks);
	return (long)out->nsocks - 1;
}

struct found {
	uint64_t inode;
	int fd;
};

/* Scan one process.  Returns 0, or -1 when it vanished. */
static int scan_pid(tt_scan_ctx *sc, int pid, tt_snapshot *out, struct found **buf, size_t *cap)
{
	char path[64];
	uint64_t start0, start1;
	int32_t ppid;
	if (tt_read_stat_at(sc->rootfd, pid, NULL, 0, &ppid, &start0) < 0) {
		if (errno == ENOENT || errno == ESRCH)
			out->stats.vanished++;
		return -1;
	}
	snprintf(path, sizeof(path), "%d/fd", pid);
	int dfd = tt_openat_beneath(sc->rootfd, path, O_RDONLY | O_DIRECTORY);
	if (dfd < 0) {
		if (errno == EACCES || errno == EPERM)
			out->stats.fd_denied++;
		else if (errno == ENOENT || errno == ESRCH)
			out->stats.vanished++;
		return -1;
	}
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -1;
	}
	size_t n = 0;
	uint32_t nfds = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		nfds++;
		char link[64];
		ssize_t ln = readlinkat(dfd, de->d_name, link, sizeof(link) - 1);
		if (ln < 0)
			continue;
		uint64_t inode = tt_parse_socket_link(link, (size_t)ln);
		if (!inode)
			continue;
		int fd = atoi(de->d_name);
		if (!tt_u64set_has(&sc->wanted, inode)) {
			if (!sc->check_held)
				continue;
			int proto = sock_proto(sc, pid, de->d_name, inode);
			if (proto != PROTO_TCP && proto != PROTO_TCP6)
				continue;
			tt_sock probe;
			memset(&probe, 0, sizeof(probe));
			uint64_t prev;
			if (!tt_u64set_get(&sc->held, inode, &prev) && !is_held(sc, pid, fd, inode, &probe))
				continue;
			if (held_socket(sc, out, inode, proto, &probe) < 0)
				continue;
		}
		if (n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 64;
			struct found *p = realloc(*buf, ncap * sizeof(**buf));
			if (!p)
				break;
			*buf = p;
			*cap = ncap;
		}
		(*buf)[n++] = (struct found){inode, fd};
	}
	closedir(d);
	if (n == 0)
		return 0;
	size_t procs_mark = out->nprocs, owners_mark = out->nowners;
	long pi = tt_read_proc(sc->rootfd, pid, sc->users, out);
	if (pi < 0)
		goto drop;
	/* the pid may have been reused while we read it */
	if (tt_read_stat_at(sc->rootfd, pid, NULL, 0, &ppid, &start1) < 0 || start1 != start0 ||
	    out->procs[pi].start_time != start0) {
		out->stats.pid_reused += (start1 != start0);
		goto drop;
	}
	out->procs[pi].nfds = nfds;
	for (size_t i = 0; i < n; i++) {
		tt_owner *o = tt_snapshot_add_owner(out);
		if (!o)
			break;
		o->inode = (*buf)[i].inode;
		o->proc = (uint32_t)pi;
		o->fd = (*buf)[i].fd;
	}
	return 0;
drop:
	out->nprocs = procs_mark;
	out->nowners = owners_mark;
	return -1;
}

int tt_owners_scan(tt_scan_ctx *sc, tt_snapshot *out)
{
	int dfd = dup(sc->rootfd);
	if (dfd < 0)
		return -1;
	/* the O_PATH root cannot be listed; open it for reading */
	close(dfd);
	dfd = openat(sc->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -1;
	}
	struct found *buf = NULL;
	size_t cap = 0;
	tt_u64set_clear(&sc->held);
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *s = de->d_name;
		if (*s < '1' || *s > '9')
			continue;
		char *e;
		long pid = strtol(s, &e, 10);
		if (*e || pid <= 0 || pid > INT32_MAX)
			continue;
		out->stats.procs++;
		scan_pid(sc, (int)pid, out, &buf, &cap);
	}
	closedir(d);
	free(buf);
	return 0;
}
