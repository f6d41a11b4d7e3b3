/* Loading BPF programs in a short-lived child (see bpfload.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "collect/bpfload.h"
#include "tenantop/selfcpu.h"

#ifdef TT_HAVE_BPF
#include <bpf/libbpf.h>
#include "collect/kbuildid.h"
#include "tenantop.core.h"
#include "tenantop.skel.h"
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
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

/* Why the build's facts of its kernel (tenantop.core.h) do not hold here:
 * NULL when they do (the running kernel is the build's). */
static const char *core_facts_why_not(void)
{
	const char *how = getenv("TENANTOP_BPF_CORE");
	if (how && strcmp(how, "kernel") == 0)
		return "TENANTOP_BPF_CORE=kernel";
	if (!tt_core_notes_len)
		return "the build did not run on the kernel it read";
	if (!tt_same_kernel_build("/sys/kernel/notes", tt_core_notes, tt_core_notes_len))
		return "not the build's kernel";
	return NULL;
}

/* Where the facts hold: the few types the object relocates against, as a
 * file for libbpf (memfd), which then need not search the kernel's whole
 * BTF for each (some 30 ms a start).  -1 where they do not. */
static int core_facts(void)
{
	if (core_facts_why_not())
		return -1;
	int fd = memfd_create("tenantop-core-btf", MFD_CLOEXEC);
	if (fd >= 0 && write(fd, tt_core_btf, tt_core_btf_len) != (ssize_t)tt_core_btf_len) {
		close(fd);
		fd = -1;
	}
	return fd;
}

const char *tt_bpf_prepared(void)
{
	const char *why = core_facts_why_not();
	static char buf[96];
	if (!why)
		return "prepared for this kernel";
	snprintf(buf, sizeof(buf), "relocated at each start (%s)", why);
	return buf;
}

/* the object opened, with the build's facts (core, a descriptor) or not (-1) */
static struct tt_tenantop *open_object(int core)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", core);
	LIBBPF_OPTS(bpf_object_open_opts, o, .btf_custom_path = core >= 0 ? path : NULL);
	struct tt_tenantop *s = tt_tenantop__open_opts(&o);
	if (s && core >= 0) {
		/* the ids of the kernel's types the programs cast, which the
		 * build's few types do not keep */
		s->rodata->tt_kid_sock = tt_core_kid_sock;
		s->rodata->tt_kid_inet_sock = tt_core_kid_inet_sock;
		s->rodata->tt_kid_task_struct = tt_core_kid_task_struct;
		s->rodata->tt_kid_sk_buff = tt_core_kid_sk_buff;
	}
	return s;
}

static int load_all(int *fds, size_t nfds, char *msg, size_t len)
{
	(void)nfds;
	loaded_free = free_skel;
	/* with the build's facts when they hold (else, or when that load fails,
	 * without), then without the iterator when the whole does not load:
	 * the events alone may */
	static const struct {
		bool core, iter;
	} tries[] = {{true, true}, {false, true}, {false, false}};
	int core = core_facts();
	bool iter = true;
	int rc = -1;
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]) && rc != 0; i++) {
		if (tries[i].core && core < 0)
			continue;
		tt_tenantop__destroy(skel);
		if (!(skel = open_object(tries[i].core ? core : -1)))
			break;
		tt_bpf_owners_prepare(skel);
		iter = tries[i].iter;
		bpf_program__set_autoload(skel->progs.tt_sock_fds, iter);
		rc = tt_tenantop__load(skel);
	}
	int e = errno;
	if (core >= 0)
		close(core);
	if (rc != 0) {
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

const char *tt_bpf_prepared(void)
{
	return "";
}

int tt_bpf_load(tt_bpf_loaded *out, char *why, size_t len)
{
	out->has_iter = false;
	snprintf(out->iter_why, sizeof(out->iter_why), "built without BPF");
	return tt_bpf_load_in_child(NULL, out->owners, TT_BPF_OWNER_FDS, why, len);
}

#endif
