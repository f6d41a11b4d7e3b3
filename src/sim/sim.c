/* The simulator's server and client processes.
 *
 * A client announces what it wants with one byte after connecting:
 *   'E' hold: the server answers 'k' and keeps its end open (ESTABLISHED);
 *   'C' leak: the server closes its end, the client never does (CLOSE_WAIT);
 *   'R' reset: the server closes with SO_LINGER 0, an RST; the client keeps
 *       the descriptor of a socket no table lists any more (CLOSE);
 *   'T' cycle: the server answers 'k'; the client shuts down first and the
 *       server closes on EOF, so the client's end lingers in TIME_WAIT.
 * Each client reports on a pipe when its sockets have reached their states;
 * the server writes the ready file when every client has. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tenantop/sim.h"
#include "tenantop/clock.h"
#include "tenantop/vec.h"

#define WAIT_MS 60000 /* a socket that does not reach its state in this long is a failure */

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void raise_nofile(rlim_t want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_max < want) {
		struct rlimit big = {want, want};
		if (setrlimit(RLIMIT_NOFILE, &big) == 0)
			return;
	}
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static int drop_to(long uid)
{
	if (uid < 0 || (uid_t)uid == geteuid())
		return 0;
	if (setgroups(0, NULL) < 0 || setgid((gid_t)uid) < 0 || setuid((uid_t)uid) < 0) {
		fprintf(stderr, "tenantop-sim: cannot become uid %ld: %s (needs root)\n", uid, strerror(errno));
		return -1;
	}
	/* like a process the user started: its own /proc/PID/fd readable to it */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	return 0;
}

struct target {
	int family;
	struct sockaddr_storage ss;
	socklen_t len;
};

static int resolve(const tt_sim_cfg *c, struct target *t, struct sockaddr_storage *listen_ss, socklen_t *llen)
{
	memset(t, 0, sizeof(*t));
	struct sockaddr_in *s4 = (struct sockaddr_in *)&t->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&t->ss;
	if (inet_pton(AF_INET, c->addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(c->port);
		t->family = AF_INET;
		t->len = sizeof(*s4);
		memcpy(listen_ss, s4, sizeof(*s4));
		*llen = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, c->addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(c->port);
		memcpy(listen_ss, s6, sizeof(*s6));
		*llen = sizeof(*s6);
		if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr)) {
			/* dual stack: clients come over IPv4, the server sees v4-mapped */
			memset(&t->ss, 0, sizeof(t->ss));
			s4->sin_family = AF_INET;
			s4->sin_port = htons(c->port);
			s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			t->family = AF_INET;
			t->len = sizeof(*s4);
		} else {
			t->family = AF_INET6;
			t->len = sizeof(*s6);
		}
		return 0;
	}
	fprintf(stderr, "tenantop-sim: --addr '%s' is not an IP address\n", c->addr);
	return -1;
}

/* ------------------------------------------------------------------ client */

static int dial(const tt_sim_cfg *c, const struct target *t, uint32_t seq, char cmd)
{
	int fd = socket(t->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (t->family == AF_INET && c->src_addrs > 0) {
		struct sockaddr_in src;
		memset(&src, 0, sizeof(src));
		src.sin_family = AF_INET;
		src.sin_addr.s_addr = htonl(0x7f00000a + seq % c->src_addrs);
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
			close(fd);
			return -1;
		}
	}
	for (int tries = 0;; tries++) {
		if (connect(fd, (const struct sockaddr *)&t->ss, t->len) == 0)
			break;
		if (errno == EINTR)
			continue;
		close(fd);
		return -1;
	}
	if (write(fd, &cmd, 1) != 1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Wait for an event on fd; 0 when it came, -1 on timeout. */
static int wait_for(int fd, short events, char want_byte)
{
	double end = tt_mono_s() + WAIT_MS / 1000.0;
	while (!stop_flag) {
		struct pollfd p = {fd, events, 0};
		int left = (int)((end - tt_mono_s()) * 1000);
		if (left <= 0)
			return -1;
		int r = poll(&p, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (want_byte) {
			char b;
			ssize_t n = recv(fd, &b, 1, 0);
			return n == 1 && b == want_byte ? 0 : -1;
		}
		if (p.revents & events)
			return 0;
		if (p.revents & (POLLERR | POLLHUP))
			return -1;
	}
	return -1;
}

/* One full TIME_WAIT cycle. */
static int cycle_tw(const tt_sim_cfg *c, const struct target *t, uint32_t seq)
{
	int fd = dial(c, t, seq, 'T');
	if (fd < 0)
		return -1;
	int rc = wait_for(fd, POLLIN, 'k');
	shutdown(fd, SHUT_WR);
	if (rc == 0)
		rc = wait_for(fd, POLLIN | POLLRDHUP, 0);
	close(fd);
	return rc;
}

struct held {
	int *fd;
	size_t n, cap;
};

static int hold(struct held *h, int fd)
{
	int *slot = TT_VEC_PUSH(h->fd, h->n, h->cap);
	if (!slot)
		return -1;
	*slot = fd;
	return 0;
}

static uint32_t share_of(uint32_t total, uint32_t procs, uint32_t i)
{
	return total / procs + (i < total % procs ? 1 : 0);
}

static void set_title(int argc_space, char **argv, const char *title)
{
	prctl(PR_SET_NAME, "tenantop-sim", 0, 0, 0);
	if (!argv || !argv[0] || argc_space <= 0)
		return;
	size_t room = (size_t)argc_space;
	memset(argv[0], 0, room);
	snprintf(argv[0], room, "%s", title);
}

static char **g_argv;
static int g_argv_room;

/* The client's share of its tenant's population: one connection at a time,
 * each to its state before the next (hundreds of clients never overflow the
 * server's accept queue), then the TIME_WAIT ones.  0, or 1 when one failed. */
static int open_population(const tt_sim_cfg *c, const tt_sim_tenant *t, uint32_t idx, const struct target *tg,
			   uint32_t *seq, struct held *h)
{
	uint32_t n_e = share_of(t->estab, t->procs, idx), n_c = share_of(t->cw, t->procs, idx);
	uint32_t n_r = share_of(t->reset, t->procs, idx), n_t = share_of(t->tw, t->procs, idx);
	int fail = 0;
	const struct {
		uint32_t n;
		char cmd;
		short ev;
		char byte;
	} kinds[] = {{n_e, 'E', POLLIN, 'k'}, {n_c, 'C', POLLRDHUP, 0}, {n_r, 'R', POLLERR | POLLHUP, 0}};
	for (size_t kd = 0; kd < 3 && !fail; kd++)
		for (uint32_t i = 0; i < kinds[kd].n && !fail && !stop_flag; i++) {
			int fd = dial(c, tg, (*seq)++, kinds[kd].cmd);
			if (fd < 0 || hold(h, fd) < 0) {
				if (fd >= 0)
					close(fd);
				fail = 1;
				break;
			}
			if (wait_for(fd, kinds[kd].ev, kinds[kd].byte) < 0) {
				errno = ETIMEDOUT;
				fail = 1;
			}
		}
	for (uint32_t i = 0; i < n_t && !fail; i++)
		fail = cycle_tw(c, tg, (*seq)++) < 0;
	return fail;
}

/* A twin process that shares the client's descriptors (fork) and waits. */
static void fork_twin(const tt_sim_tenant *t, uint32_t idx)
{
	pid_t twin = fork();
	if (twin != 0)
		return;
	char title[96];
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	snprintf(title, sizeof(title), "tenantop-sim: twin %s #%u", t->name, idx + 1);
	set_title(g_argv_room, g_argv, title);
	while (!stop_flag)
		pause();
	_exit(0);
}

/* After ready: churn (TIME_WAIT) and slow leaks (CLOSE_WAIT growth) until stopped. */
static void churn_loop(const tt_sim_cfg *c, const tt_sim_tenant *t, const struct target *tg, uint32_t *seq,
		       struct held *h)
{
	double churn_every = t->churn > 0 ? 1.0 / (t->churn / t->procs) : 0;
	double leak_every = t->leak > 0 ? 60.0 / (t->leak / t->procs) : 0;
	double next_churn = tt_mono_s() + churn_every, next_leak = tt_mono_s() + leak_every;
	uint32_t leaked_more = 0;
	while (!stop_flag) {
		double tnow = tt_mono_s(), wake = tnow + 1;
		if (churn_every > 0) {
			if (tnow >= next_churn) {
				cycle_tw(c, tg, (*seq)++);
				next_churn += churn_every;
				if (next_churn < tnow - 1)
					next_churn = tnow; /* fell behind: do not burst */
				continue;
			}
			if (next_churn < wake)
				wake = next_churn;
		}
		if (leak_every > 0) {
			if (tnow >= next_leak && leaked_more < TT_SIM_MAX_CONNS) {
				int fd = dial(c, tg, (*seq)++, 'C');
				if (fd >= 0 && hold(h, fd) == 0)
					leaked_more++;
				else if (fd >= 0)
					close(fd);
				next_leak += leak_every;
				continue;
			}
			if (next_leak < wake)
				wake = next_leak;
		}
		double d = wake - tt_mono_s();
		if (d > 0) {
			struct timespec ts = {(time_t)d, (long)((d - (time_t)d) * 1e9)};
			nanosleep(&ts, NULL);
		}
	}
}

static int client_main(const tt_sim_cfg *c, const tt_sim_tenant *t, uint32_t idx, int ready_fd,
		       pid_t server)
{
	if (drop_to(t->uid) < 0)
		return 1;
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	if (getppid() != server)
		return 0;
	char title[96];
	snprintf(title, sizeof(title), "tenantop-sim: client %s #%u", t->name, idx + 1);
	set_title(g_argv_room, g_argv, title);
	struct target tg;
	struct sockaddr_storage lss;
	socklen_t llen;
	if (resolve(c, &tg, &lss, &llen) < 0)
		return 1;
	uint32_t seq = (uint32_t)getpid() * 7919u;
	struct held h = {0};
	int fail = open_population(c, t, idx, &tg, &seq, &h);
	if (fail && !stop_flag)
		fprintf(stderr, "tenantop-sim: client %s #%u: a connection failed or did not reach its state: %s\n",
			t->name, idx + 1, errno == ETIMEDOUT ? "timed out" : strerror(errno));
	if (t->share && !fail)
		fork_twin(t, idx);
	char b = fail ? 'f' : 'r';
	if (write(ready_fd, &b, 1) != 1)
		fail = 1;
	close(ready_fd);
	churn_loop(c, t, &tg, &seq, &h);
	for (size_t i = 0; i < h.n; i++)
		close(h.fd[i]);
	free(h.fd);
	return fail;
}

/* ------------------------------------------------------------------ server */

static void server_conn(int ep, int fd)
{
	char b;
	ssize_t n = recv(fd, &b, 1, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
		close(fd);
		return;
	}
	switch (b) {
	case 'E':
	case 'T':
		if (send(fd, "k", 1, MSG_NOSIGNAL) != 1) {
			epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
			close(fd);
		}
		break;
	case 'R': {
		struct linger lg = {1, 0};
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
		/* fall through */
	default:
		epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
		close(fd);
		break;
	}
}

static int write_ready_file(const char *path, uint64_t conns)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "pid %d\nconnections %llu\n", (int)getpid(), (unsigned long long)conns);
	if (fclose(f) != 0 || rename(tmp, path) < 0)
		return -1;
	return 0;
}

static int open_listener(const tt_sim_cfg *c, const struct sockaddr_storage *lss, socklen_t llen, bool reuseport)
{
	int lfd = socket(lss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1, zero = 0;
	if (lfd < 0) {
		fprintf(stderr, "tenantop-sim: socket: %s\n", strerror(errno));
		return -1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport)
		setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (lss->ss_family == AF_INET6)
		setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(lfd, (const struct sockaddr *)lss, llen) < 0 || listen(lfd, 4096) < 0) {
		fprintf(stderr, "tenantop-sim: cannot listen on %s port %u: %s\n", c->addr, c->port, strerror(errno));
		close(lfd);
		return -1;
	}
	return lfd;
}

static void accept_all(int ep, int lfd)
{
	for (;;) {
		int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				/* out of descriptors: let the queue wait rather than spin */
				struct timespec ts = {0, 10 * 1000 * 1000};
				nanosleep(&ts, NULL);
			}
			return;
		}
		struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = cfd};
		epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &cev);
	}
}

/* An extra server process sharing the port (SO_REUSEPORT): one process
 * cannot hold more descriptors than its limit. */
static void server_worker(int lfd, pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	if (getppid() != parent)
		_exit(0);
	prctl(PR_SET_NAME, "tenantop-sim", 0, 0, 0);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	struct epoll_event evs[256];
	while (!stop_flag) {
		int n = epoll_wait(ep, evs, 256, 200);
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == lfd)
				accept_all(ep, lfd);
			else
				server_conn(ep, evs[i].data.fd);
		}
	}
	_exit(0);
}

/* The server's ends of held connections, spread over enough processes:
 * the listener of this process (returned, -1 failed) and the workers'. */
static int start_workers(const tt_sim_cfg *c, const struct sockaddr_storage *lss, socklen_t llen, pid_t *workers,
			 size_t *nw)
{
	uint64_t held = 1024;
	for (size_t i = 0; i < c->ntenants; i++)
		held += c->tenants[i].estab;
	struct rlimit rl;
	rlim_t per = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 1024 ? rl.rlim_cur - 512 : 512;
	size_t nworkers = (size_t)(held / per) + 1;
	if (nworkers > 64)
		nworkers = 64;
	int lfd = open_listener(c, lss, llen, nworkers > 1);
	if (lfd < 0)
		return -1;
	*nw = 0;
	for (size_t w = 1; w < nworkers; w++) {
		int wfd = open_listener(c, lss, llen, true);
		if (wfd < 0)
			break;
		pid_t parent = getpid();
		pid_t pid = fork();
		if (pid == 0) {
			close(lfd);
			server_worker(wfd, parent);
		}
		close(wfd);
		if (pid > 0)
			workers[(*nw)++] = pid;
	}
	return lfd;
}

/* Every tenant's client processes, each saying on ready_fd when it is ready. */
static pid_t *start_clients(const tt_sim_cfg *c, uint64_t procs, int lfd, const int pfd[2], size_t *nkids)
{
	pid_t *kids = calloc(procs ? procs : 1, sizeof(*kids));
	*nkids = 0;
	pid_t self = getpid();
	for (size_t i = 0; i < c->ntenants && kids; i++) {
		for (uint32_t j = 0; j < c->tenants[i].procs; j++) {
			pid_t pid = fork();
			if (pid == 0) {
				close(lfd);
				close(pfd[0]);
				free(kids);
				_exit(client_main(c, &c->tenants[i], j, pfd[1], self));
			}
			if (pid > 0)
				kids[(*nkids)++] = pid;
		}
	}
	return kids;
}

struct serve {
	int ep, lfd, ready_fd;
	size_t nkids, ready, failed;
	bool announced;
	uint64_t conns;
	double t0;
};

/* What the clients said on the ready pipe.  -1: the run failed. */
static int on_ready_pipe(struct serve *sv)
{
	char buf[256];
	ssize_t got = read(sv->ready_fd, buf, sizeof(buf));
	int rc = 0;
	if (got == 0) {
		epoll_ctl(sv->ep, EPOLL_CTL_DEL, sv->ready_fd, NULL);
		if (sv->ready + sv->failed < sv->nkids) {
			fprintf(stderr, "tenantop-sim: %zu client(s) exited before ready\n",
				sv->nkids - sv->ready - sv->failed);
			rc = -1;
		}
	}
	for (ssize_t k = 0; k < got; k++)
		buf[k] == 'r' ? sv->ready++ : sv->failed++;
	return sv->failed ? -1 : rc;
}

/* Every client is ready: the ready file and the population, once.  -1: failed. */
static int announce(const tt_sim_cfg *c, struct serve *sv)
{
	sv->announced = true;
	if (c->ready_file && write_ready_file(c->ready_file, sv->conns) < 0) {
		fprintf(stderr, "tenantop-sim: cannot write %s: %s\n", c->ready_file, strerror(errno));
		return -1;
	}
	if (c->quiet)
		return 0;
	printf("tenantop-sim: ready in %.1fs, pid %d, port %u, %zu client processes\n", tt_mono_s() - sv->t0,
	       (int)getpid(), c->port, sv->nkids);
	for (size_t i = 0; i < c->ntenants; i++) {
		const tt_sim_tenant *t = &c->tenants[i];
		printf("  %-12s uid %-6ld procs %-4u ESTABLISHED %-6u CLOSE_WAIT %-6u CLOSE %-6u TIME_WAIT %u%s\n", t->name,
		       t->uid < 0 ? (long)getuid() : t->uid, t->procs, t->estab, t->cw, t->reset, t->tw,
		       t->share ? " (shared)" : "");
	}
	fflush(stdout);
	return 0;
}

/* Serve the connections until stopped or the duration is over.  The exit status. */
static int serve(const tt_sim_cfg *c, struct serve *sv)
{
	double end = sv->t0 + c->duration;
	struct epoll_event evs[256];
	int rc = 0;
	while (!stop_flag && tt_mono_s() < end) {
		int n = epoll_wait(sv->ep, evs, 256, 200);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == sv->lfd) {
				accept_all(sv->ep, sv->lfd);
			} else if (fd == sv->ready_fd) {
				if (on_ready_pipe(sv) < 0)
					rc = 1, stop_flag = 1;
			} else {
				server_conn(sv->ep, fd);
			}
		}
		if (!sv->announced && sv->ready == sv->nkids && !stop_flag && announce(c, sv) < 0)
			return 1;
	}
	return rc;
}

static void stop_all(pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kill(pids[i], SIGTERM);
	for (size_t i = 0; i < n; i++)
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
}

int tt_sim_run(const tt_sim_cfg *c)
{
	struct target tg;
	struct sockaddr_storage lss;
	socklen_t llen;
	if (resolve(c, &tg, &lss, &llen) < 0)
		return 1;
	uint64_t conns = 0, procs = 0;
	for (size_t i = 0; i < c->ntenants; i++) {
		const tt_sim_tenant *t = &c->tenants[i];
		conns += (uint64_t)t->estab + t->cw + t->reset;
		procs += t->procs;
	}
	raise_nofile(conns + 4096 > 1048576 ? 1048576 : (rlim_t)(conns + 4096));

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	pid_t workers[64];
	size_t nw;
	int lfd = start_workers(c, &lss, llen, workers, &nw);
	if (lfd < 0)
		return 1;
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		close(lfd);
		return 1;
	}
	struct serve sv = {.lfd = lfd, .ready_fd = pfd[0], .conns = conns};
	pid_t *kids = start_clients(c, procs, lfd, pfd, &sv.nkids);
	close(pfd[1]);
	if (drop_to(c->server_uid) < 0)
		stop_flag = 1;

	sv.ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
	epoll_ctl(sv.ep, EPOLL_CTL_ADD, lfd, &ev);
	ev.data.fd = pfd[0];
	epoll_ctl(sv.ep, EPOLL_CTL_ADD, pfd[0], &ev);
	sv.t0 = tt_mono_s();
	int rc = serve(c, &sv);
	/* clean up: clients first, then our ends */
	stop_all(kids, sv.nkids);
	free(kids);
	stop_all(workers, nw);
	close(sv.ep);
	close(lfd);
	close(pfd[0]);
	if (c->ready_file)
		unlink(c->ready_file);
	return rc;
}

void tt_sim_set_argv(int argc, char **argv)
{
	/* the contiguous argv area can hold a process title */
	if (argc <= 0 || !argv[0])
		return;
	char *endp = argv[argc - 1] + strlen(argv[argc - 1]);
	g_argv = argv;
	g_argv_room = (int)(endp - argv[0]);
}
