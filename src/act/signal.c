/* src/act: acting on the machine (signals, SOCK_DESTROY); the read side never calls here.
 *
 * Signals to processes, pinned by a pidfd and checked against the start
 * time the dashboard showed, so a pid reused since the last refresh is
 * never signalled. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tenantop/act.h"
#include "tenantop/procstart.h"

static const tt_signal_choice choices[] = {
	{'t', SIGTERM, "SIGTERM", "ask to exit (the default)"},
	{'h', SIGHUP, "SIGHUP", "hang up: many servers reload or recycle workers"},
	{'i', SIGINT, "SIGINT", "interrupt"},
	{'q', SIGQUIT, "SIGQUIT", "quit (php-fpm: graceful stop)"},
	{'u', SIGUSR1, "SIGUSR1", "user signal 1 (php-fpm: reopen logs)"},
	{'2', SIGUSR2, "SIGUSR2", "user signal 2 (php-fpm: graceful reload)"},
	{'s', SIGSTOP, "SIGSTOP", "stop (freeze) the process"},
	{'c', SIGCONT, "SIGCONT", "continue a stopped process"},
	{'k', SIGKILL, "SIGKILL", "kill at once: its sockets are closed by the kernel"},
};

const tt_signal_choice *tt_signal_choices(size_t *n)
{
	*n = sizeof(choices) / sizeof(choices[0]);
	return choices;
}

const tt_signal_choice *tt_signal_by_key(int key)
{
	for (size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++)
		if (choices[i].key == key)
			return &choices[i];
	return NULL;
}

int tt_act_signal(const char *proc_root, int32_t pid, uint64_t start_time, int sig, char *msg, size_t len)
{
	if (pid <= 1) {
		snprintf(msg, len, "pid %d is not signalled", pid);
		return -1;
	}
	int pfd = -1;
#ifdef SYS_pidfd_open
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0 && errno == ESRCH) {
		snprintf(msg, len, "%d has exited", pid);
		return -1;
	}
#endif
	uint64_t now_start;
	if (tt_proc_start_time(proc_root, pid, &now_start) < 0 || now_start != start_time) {
		snprintf(msg, len, "%d has exited (its pid is %s)", pid,
			 errno == ENOENT || errno == ESRCH ? "free" : "now another process's");
		if (pfd >= 0)
			close(pfd);
		return -1;
	}
	int rc;
#ifdef SYS_pidfd_send_signal
	if (pfd >= 0)
		rc = (int)syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0);
	else
#endif
		rc = kill(pid, sig);
	int e = errno;
	if (pfd >= 0)
		close(pfd);
	if (rc < 0) {
		snprintf(msg, len, "%d: %s", pid, e == EPERM ? "not permitted (another user's process; run as root)"
						     : strerror(e));
		return -1;
	}
	snprintf(msg, len, "sent to %d", pid);
	return 0;
}
