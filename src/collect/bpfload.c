/* Loading BPF programs in a short-lived child (see bpfload.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "collect/bpfload.h"
#include "tenantop/selfcpu.h"

#ifdef TT_HAVE_BPF
#include <bpf/libbpf.h>
#include "tenantop.skel.h"
#include <poll.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

/* what a loader leaves to free once its descriptors are sent (the child's
 * own copies: the parent's keep the programs) */
static void (*loaded_free)(void);

static void child(int sock, tt_bpf_loader load, size_t nfds)
{
	char msg[160] = "";
	int fds[TT_BPF_LOAD_MAX_FDS];
	struct iovec iov = {msg, 1};
	union {
		char buf[CMSG_SPACE(sizeof(fds))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u)); /* the padding after fewer descriptors than room for is sent too */
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	int got = load(fds, nfds, msg, sizeof(msg));
	if (got > 0 && (size_t)got <= nfds) {
		nfds = (size_t)got;
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	} else if (!msg[0]) {
		snprintf(msg, sizeof(msg), "the BPF program did not load");
	}
	iov.iov_len = strlen(msg) + 1;
	(void)!sendmsg(sock, &mh, 0);
	if (loaded_free)
		loaded_free();
	_exit(0);
}

int tt_bpf_load_in_child(tt_bpf_loader load, int *fds, size_t nfds, char *why, size_t len)
{
	for (size_t i = 0; i < nfds; i++)
		fds[i] = -1;
	if (nfds == 0 || nfds > TT_BPF_LOAD_MAX_FDS) {
		snprintf(why, len, "too many BPF descriptors");
		return -1;
	}
	libbpf_set_print(quiet_print);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(why, len, "socketpair: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		child(sv[1], load, nfds);
	}
	close(sv[1]);
	char msg[160] = "";
	union {
		char buf[CMSG_SPACE(TT_BPF_LOAD_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {msg, sizeof(msg) - 1};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct pollfd pfd = {sv[0], POLLIN, 0};
	ssize_t n = pid < 0 ? -1 : poll(&pfd, 1, 20000) == 1 ? recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC) : -1;
	if (pid > 0) {
		struct rusage ru;
		int st;
		if (wait4(pid, &st, 0, &ru) == pid)
			tt_self_cpu_add_helper(&ru); /* its work is tenantop's, counted in the refresh */
	}
	close(sv[0]);
	struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	size_t got = 0;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int)) &&
	    c->cmsg_len <= CMSG_LEN(nfds * sizeof(int))) {
		got = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds, CMSG_DATA(c), got * sizeof(int));
	}
	snprintf(why, len, "%s", n > 0 && msg[0] ? msg : got ? "" : pid < 0 ? "fork failed" : "the BPF loader did not answer");
	return got ? (int)got : -1;
}

/* The child's work: tenantop's eBPF object loaded (without the iterator
 * when the whole does not load: the events alone may), the event programs
 * and the iterator attached; their descriptors, the iterator's last (left
 * out when it failed, msg then says why). */
static struct tt_tenantop *skel;

static void free_skel(void)
{
	tt_tenantop__destroy(skel);
}

static int load_all(int *fds, size_t nfds, char *msg, size_t len)
{
	(void)nfds;
	loaded_free = free_skel;
	bool iter = true;
	int rc = -1;
	for (int attempt = 0; attempt < 2 && rc != 0; attempt++) {
		tt_tenantop__destroy(skel);
		if (!(skel = tt_tenantop__open()))
			break;
		tt_bpf_owners_prepare(skel);
		iter = attempt == 0;
		bpf_program__set_autoload(skel->progs.tt_sock_fds, iter);
		rc = tt_tenantop__load(skel);
	}
	if (rc != 0) {
		int e = errno;
		snprintf(msg, len, "%sthe BPF program did not load: %s",
			 e == EPERM && geteuid() != 0 ? "needs root (CAP_BPF and CAP_PERFMON): " : "", strerror(e));
		return -1;
	}
	if (tt_bpf_owners_attach(skel, fds, msg, len) < 0)
		return -1;
	if (!iter) {
		snprintf(msg, len, "the descriptor iterator did not load");
		return TT_BPF_OWNER_FDS;
	}
	if (tt_bpf_fds_attach(skel, fds + TT_BPF_OWNER_FDS, msg, len) < 0)
		return TT_BPF_OWNER_FDS;
	return TT_BPF_OWNER_FDS + TT_BPF_ITER_FDS;
}

int tt_bpf_load(tt_bpf_loaded *out, char *why, size_t len)
{
	int fds[TT_BPF_OWNER_FDS + TT_BPF_ITER_FDS];
	int got = tt_bpf_load_in_child(load_all, fds, TT_BPF_OWNER_FDS + TT_BPF_ITER_FDS, why, len);
	out->iter_why[0] = '\0';
	if (got < TT_BPF_OWNER_FDS) {
		for (int i = 0; i < got; i++)
			close(fds[i]);
		if (got >= 0 && !why[0])
			snprintf(why, len, "the BPF loader sent too few descriptors");
		return -1;
	}
	memcpy(out->owners, fds, sizeof(out->owners));
	out->has_iter = got == TT_BPF_OWNER_FDS + TT_BPF_ITER_FDS;
	if (out->has_iter)
		memcpy(out->iter, fds + TT_BPF_OWNER_FDS, sizeof(out->iter));
	else
		snprintf(out->iter_why, sizeof(out->iter_why), "%s", why);
	why[0] = '\0';
	return 0;
}

#else

int tt_bpf_load_in_child(tt_bpf_loader load, int *fds, size_t nfds, char *why, size_t len)
{
	(void)load;
	for (size_t i = 0; i < nfds; i++)
		fds[i] = -1;
	snprintf(why, len, "built without BPF (clang, bpftool, libbpf or the kernel's BTF were missing)");
	return -1;
}

int tt_bpf_load(tt_bpf_loaded *out, char *why, size_t len)
{
	out->has_iter = false;
	snprintf(out->iter_why, sizeof(out->iter_why), "built without BPF");
	return tt_bpf_load_in_child(NULL, out->owners, TT_BPF_OWNER_FDS, why, len);
}

#endif
