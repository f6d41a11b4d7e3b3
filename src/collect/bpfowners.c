/* Owners of connections from kernel events (eBPF, src/collect/bpf/owners.bpf.c).
 *
 * A TIME_WAIT socket has no descriptor, so no process to read it from; a
 * connection that opens and closes between two refreshes is not seen alive
 * at all.  The BPF program records, under each socket's cookie, the process
 * that connect()ed or close()d it (the transitions that run in the owner's
 * own context); a TIME_WAIT socket keeps its cookie, so each refresh looks
 * the owner of every descriptor-less socket up here.  Built only where
 * clang, bpftool, libbpf and the kernel's BTF are there (TT_HAVE_BPF);
 * otherwise tt_bpf_owners_open says why not. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect/bpfowners.h"
#include "tenantop/vec.h"

#ifdef TT_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "owners.skel.h"

/* as in owners.bpf.c */
struct tt_bpf_owner {
	uint64_t start_ns;
	uint64_t cgroup;
	uint32_t tgid;
	uint32_t uid;
	uint16_t sport, dport;
	uint8_t state;
	uint8_t pad[3];
	char comm[16];
};

struct tt_bpf_since {
	uint64_t ts;
	uint8_t state;
	uint8_t pad[7];
};

struct cached {
	uint64_t cookie;
	uint32_t gen;
	bool found;
	struct tt_bpf_owner o;
};

/* when a socket entered its state, asked again only when its state changes */
struct since {
	uint64_t cookie;
	uint32_t gen;
	uint8_t state;
	uint64_t ts; /* 0: entered before the events were watched */
};

struct tt_bpf_owners {
	int link_fd, map_fd;
	struct cached *c;
	size_t n, cap;
	tt_u64set ix; /* cookie -> index in c */
	int since_fd;
	struct since *s;
	size_t ns, ns_cap;
	tt_u64set s_ix; /* cookie -> index in s */
	uint32_t gen;
	long ticks_per_s;
};

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

/* Load and attach in a short-lived child: relocating the program for the
 * running kernel parses the kernel's whole BTF (some 12 MB at its peak),
 * which tenantop's own memory need not carry.  The child hands back the
 * link (it keeps the program attached) and the maps' descriptors. */
enum { FD_LINK, FD_OWNERS, FD_SINCE, NFDS };

static void child_load(int sock)
{
	char msg[160] = "";
	int fds[NFDS];
	struct tt_owners *skel = tt_owners__open_and_load();
	if (!skel)
		snprintf(msg, sizeof(msg), "the BPF program did not load: %s", strerror(errno));
	else if (tt_owners__attach(skel) != 0)
		snprintf(msg, sizeof(msg), "tracepoint inet_sock_set_state refused: %s", strerror(errno));
	struct iovec iov = {msg, strlen(msg) + 1};
	union {
		char buf[CMSG_SPACE(sizeof(fds))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (!msg[0]) {
		fds[FD_LINK] = bpf_link__fd(skel->links.tt_set_state);
		fds[FD_OWNERS] = bpf_map__fd(skel->maps.owners);
		fds[FD_SINCE] = bpf_map__fd(skel->maps.since);
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(fds));
		memcpy(CMSG_DATA(c), fds, sizeof(fds));
	}
	(void)!sendmsg(sock, &mh, 0);
	_exit(0);
}

tt_bpf_owners *tt_bpf_owners_open(char *why, size_t len)
{
	libbpf_set_print(quiet_print);
	tt_bpf_owners *b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(why, len, "socketpair: %s", strerror(errno));
		free(b);
		return NULL;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		child_load(sv[1]);
	}
	close(sv[1]);
	char msg[160] = "";
	int fds[NFDS] = {-1, -1, -1};
	union {
		char buf[CMSG_SPACE(sizeof(fds))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {msg, sizeof(msg) - 1};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct pollfd pfd = {sv[0], POLLIN, 0};
	ssize_t n = pid < 0 ? -1 : poll(&pfd, 1, 20000) == 1 ? recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC) : -1;
	if (pid > 0)
		waitpid(pid, NULL, 0);
	close(sv[0]);
	struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(fds)))
		memcpy(fds, CMSG_DATA(c), sizeof(fds));
	if (fds[FD_LINK] < 0) {
		snprintf(why, len, "%s", n > 0 && msg[0] ? msg : pid < 0 ? "fork failed" : "the BPF loader did not answer");
		free(b);
		return NULL;
	}
	b->link_fd = fds[FD_LINK];
	b->map_fd = fds[FD_OWNERS];
	b->since_fd = fds[FD_SINCE];
	tt_u64set_init(&b->ix);
	tt_u64set_init(&b->s_ix);
	b->ticks_per_s = sysconf(_SC_CLK_TCK);
	if (b->ticks_per_s <= 0)
		b->ticks_per_s = 100;
	return b;
}

void tt_bpf_owners_close(tt_bpf_owners *b)
{
	if (!b)
		return;
	close(b->link_fd); /* detaches the program */
	close(b->map_fd);
	close(b->since_fd);
	free(b->c);
	tt_u64set_free(&b->ix);
	free(b->s);
	tt_u64set_free(&b->s_ix);
	free(b);
}

static const struct cached *lookup(tt_bpf_owners *b, uint64_t cookie)
{
	uint64_t i;
	if (tt_u64set_get(&b->ix, cookie, &i) && i < b->n) {
		struct cached *c = &b->c[i];
		c->gen = b->gen;
		/* not found stays so: the event is recorded before the socket loses
		 * its descriptor, so a socket seen without one had its events */
		return c;
	}
	struct cached *c = TT_VEC_PUSH(b->c, b->n, b->cap);
	if (!c)
		return NULL;
	if (tt_u64set_put(&b->ix, cookie, b->n - 1) < 0) {
		b->n--;
		return NULL;
	}
	c->cookie = cookie;
	c->gen = b->gen;
	c->found = bpf_map_lookup_elem(b->map_fd, &cookie, &c->o) == 0;
	return c;
}

/* The snapshot's process for an event's owner: the live process when it
 * still runs (same start time), else a stand-in made of what the event saw. */
static long owner_proc(tt_bpf_owners *b, int rootfd, tt_users *users, tt_u64set *by_pid,
		       const struct tt_bpf_owner *o, tt_snapshot *out)
{
	uint64_t start = o->start_ns / (1000000000ULL / (uint64_t)b->ticks_per_s), pi;
	uint64_t key = (uint64_t)o->tgid << 32 ^ start;
	if (tt_u64set_get(by_pid, key, &pi))
		return (long)pi;
	for (size_t i = 0; i < out->nprocs; i++)
		if (out->procs[i].pid == (int32_t)o->tgid && out->procs[i].start_time == start) {
			tt_u64set_put(by_pid, key, i);
			return (long)i;
		}
	long ix = tt_read_proc(rootfd, (int)o->tgid, users, out);
	if (ix >= 0 && out->procs[ix].start_time != start) {
		out->nprocs--; /* the pid is another process's now */
		ix = -1;
	}
	if (ix < 0) {
		tt_proc *p = tt_snapshot_add_proc(out);
		if (!p)
			return -1;
		ix = (long)out->nprocs - 1;
		size_t cl = strnlen(o->comm, sizeof(o->comm));
		const char *user = tt_users_name(users, o->uid);
		uint32_t comm = tt_snapshot_str(out, o->comm, cl, 16);
		uint32_t uname = tt_snapshot_str(out, user, strlen(user), 64);
		uint32_t cmd = tt_snapshot_str_trusted(out, "(exited)");
		p = &out->procs[ix];
		p->pid = (int32_t)o->tgid;
		p->uid = o->uid;
		p->start_time = start;
		p->comm = comm, p->user = uname, p->cmdline = cmd;
		p->flags = TT_PF_EXITED;
	}
	tt_u64set_put(by_pid, key, (uint64_t)ix);
	return ix;
}

/* The time in state of a socket, in ms (0 unknown): the kernel's, asked
 * once per state. */
static uint32_t state_ms(tt_bpf_owners *b, const tt_sock *k, uint64_t boot_now)
{
	uint64_t i;
	struct since *e;
	if (tt_u64set_get(&b->s_ix, k->cookie, &i) && i < b->ns) {
		e = &b->s[i];
	} else {
		e = TT_VEC_PUSH(b->s, b->ns, b->ns_cap);
		if (!e)
			return 0;
		if (tt_u64set_put(&b->s_ix, k->cookie, b->ns - 1) < 0) {
			b->ns--;
			return 0;
		}
		e->cookie = k->cookie;
		e->state = 0xff;
	}
	e->gen = b->gen;
	if (e->state != k->state) {
		struct tt_bpf_since v;
		e->state = k->state;
		e->ts = bpf_map_lookup_elem(b->since_fd, &k->cookie, &v) == 0 && v.state == k->state ? v.ts : 0;
	}
	if (!e->ts || e->ts > boot_now)
		return 0;
	uint64_t ms = (boot_now - e->ts) / 1000000u;
	return ms ? (ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms) : 1;
}

void tt_bpf_owners_apply(tt_bpf_owners *b, int rootfd, tt_users *users, tt_snapshot *out)
{
	b->gen++;
	/* the boot clock at the snapshot's time, which the model measures ages from */
	struct timespec ts, rt;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	clock_gettime(CLOCK_REALTIME, &rt);
	double behind = (double)rt.tv_sec + rt.tv_nsec / 1e9 - out->time;
	uint64_t boot_now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (behind > 0 && behind * 1e9 < (double)boot_now)
		boot_now -= (uint64_t)(behind * 1e9);
	/* the states whose duration tells a leak (ESTABLISHED has tcp_info's idle
	 * times, TIME_WAIT lasts a minute): one look-up per socket and state */
	const uint32_t timed = 1u << TT_ST_CLOSE_WAIT | 1u << TT_ST_LAST_ACK | 1u << TT_ST_FIN_WAIT1 |
			       1u << TT_ST_FIN_WAIT2 | 1u << TT_ST_CLOSING | 1u << TT_ST_SYN_SENT;
	for (size_t i = 0; i < out->nsocks; i++)
		if (out->socks[i].cookie && out->socks[i].family != TT_FAM_UNIX && (timed >> out->socks[i].state & 1))
			out->socks[i].state_ms = state_ms(b, &out->socks[i], boot_now);
	TT_VEC_SWEEP(b->s, b->ns, b->gen, b->s_ix, cookie);
	tt_u64set by_pid;
	tt_u64set_init(&by_pid);
	size_t nsocks = out->nsocks;
	for (size_t i = 0; i < nsocks; i++) {
		tt_sock *k = &out->socks[i];
		if (k->inode || !k->cookie || k->family == TT_FAM_UNIX)
			continue; /* a descriptor says who holds it */
		const struct cached *c = lookup(b, k->cookie);
		if (!c || !c->found)
			continue;
		long pi = owner_proc(b, rootfd, users, &by_pid, &c->o, out);
		if (pi >= 0) {
			out->socks[i].event_proc = (uint32_t)pi + 1;
			out->stats.event_owned++;
		}
	}
	tt_u64set_free(&by_pid);
	TT_VEC_SWEEP(b->c, b->n, b->gen, b->ix, cookie);
}

#else /* no BPF in this build */

tt_bpf_owners *tt_bpf_owners_open(char *why, size_t len)
{
	snprintf(why, len, "built without BPF (clang, bpftool, libbpf or the kernel's BTF were missing)");
	return NULL;
}

void tt_bpf_owners_close(tt_bpf_owners *b)
{
	(void)b;
}

void tt_bpf_owners_apply(tt_bpf_owners *b, int rootfd, tt_users *users, tt_snapshot *out)
{
	(void)b, (void)rootfd, (void)users, (void)out;
}

#endif

bool tt_bpf_built(void)
{
#ifdef TT_HAVE_BPF
	return true;
#else
	return false;
#endif
}
