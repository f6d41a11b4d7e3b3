/* The ring's pump (see ringpump.h). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "collect/ringpump.h"

/* a staged record: its size, then its bytes, padded to 8 */
#define HDR sizeof(uint64_t)
#define PAD(n) (((n) + 7) & ~(size_t)7)
/* a stage larger than this after a replay is given back, not kept */
#define KEEP_CAP (4u << 20)

struct tt_ringpump {
	tt_ringpump_fill fill;
	void *ctx;
	unsigned period_ms;
	size_t cap;
	int wake_fd;   /* readable: a pass now (-1 none) */
	int quit_fd;   /* an eventfd: the thread is to stop */
	pthread_mutex_t mu;
	pthread_t th;
	bool running, quit;
	/* under mu */
	unsigned char *buf;
	size_t len, room;
	uint64_t lost, stalls;
};

/* Every period, or as soon as the wake descriptor (the ring's, which the
 * program makes readable once the ring is a quarter full) or the quit
 * descriptor is readable: the lock is not held while waiting.  The ring's
 * descriptor stays readable while any record is in it, so after a pass it
 * woke, 1 ms goes by before it is heeded again (no busy loop beside a
 * busy workload: a quarter of a 512 KiB ring fills in some 6 ms at 20 000
 * loopback connections a second). */
static void *pump(void *arg)
{
	tt_ringpump *p = arg;
	int timeout = 0; /* a first pass at once: what came before the thread */
	bool woken = false;
	for (;;) {
		struct pollfd fds[2] = {{p->quit_fd, POLLIN, 0}, {p->wake_fd, POLLIN, 0}};
		if (woken)
			(void)poll(fds, 1, 1); /* 1 ms, or less on a quit (which stays readable) */
		(void)poll(fds, p->wake_fd >= 0 ? 2 : 1, timeout);
		woken = fds[1].revents != 0;
		timeout = (int)p->period_ms;
		pthread_mutex_lock(&p->mu);
		if (p->quit) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		if (p->len >= p->cap)
			p->stalls++; /* the ring keeps them, or counts them dropped */
		else
			p->fill(p->ctx);
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

tt_ringpump *tt_ringpump_new(tt_ringpump_fill fill, void *ctx, size_t cap)
{
	tt_ringpump *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->fill = fill;
	p->ctx = ctx;
	p->cap = cap;
	p->wake_fd = -1;
	p->quit_fd = -1;
	pthread_mutex_init(&p->mu, NULL);
	return p;
}

int tt_ringpump_start(tt_ringpump *p, unsigned period_ms, char *err, size_t errlen)
{
	if (!period_ms || p->running)
		return 0;
	p->period_ms = period_ms;
	if ((p->quit_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		snprintf(err, errlen, "cannot start the event ring's thread: %s", strerror(errno));
		return -1;
	}
	/* signals are the main thread's */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&p->th, NULL, pump, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the event ring's thread: %s", strerror(rc));
		close(p->quit_fd);
		p->quit_fd = -1;
		return -1;
	}
	p->running = true;
	return 0;
}

void tt_ringpump_wake_fd(tt_ringpump *p, int fd)
{
	p->wake_fd = fd;
}

void tt_ringpump_free(tt_ringpump *p)
{
	if (!p)
		return;
	if (p->running) {
		pthread_mutex_lock(&p->mu);
		p->quit = true;
		pthread_mutex_unlock(&p->mu);
		uint64_t one = 1;
		(void)!write(p->quit_fd, &one, sizeof(one));
		pthread_join(p->th, NULL);
	}
	if (p->quit_fd >= 0)
		close(p->quit_fd);
	pthread_mutex_destroy(&p->mu);
	free(p->buf);
	free(p);
}

void tt_ringpump_lock(tt_ringpump *p)
{
	pthread_mutex_lock(&p->mu);
}

void tt_ringpump_unlock(tt_ringpump *p)
{
	pthread_mutex_unlock(&p->mu);
}

int tt_ringpump_stage(tt_ringpump *p, const void *data, size_t size)
{
	size_t need = p->len + HDR + PAD(size);
	if (need > p->room) {
		size_t room = p->room ? p->room : 64 * 1024;
		while (room < need)
			room *= 2;
		unsigned char *nb = realloc(p->buf, room);
		if (!nb) {
			p->lost++;
			return -1;
		}
		p->buf = nb;
		p->room = room;
	}
	uint64_t n = size;
	memcpy(p->buf + p->len, &n, HDR);
	memcpy(p->buf + p->len + HDR, data, size);
	p->len = need;
	return 0;
}

void tt_ringpump_replay(tt_ringpump *p, tt_ringpump_take take, void *ctx)
{
	for (size_t at = 0; at + HDR <= p->len;) {
		uint64_t n;
		memcpy(&n, p->buf + at, HDR);
		take(ctx, p->buf + at + HDR, (size_t)n);
		at += HDR + PAD((size_t)n);
	}
	p->len = 0;
	if (p->room > KEEP_CAP) { /* a burst's room: not kept for quiet times */
		free(p->buf);
		p->buf = NULL;
		p->room = 0;
	}
}

uint64_t tt_ringpump_lost(const tt_ringpump *p)
{
	return p->lost;
}

size_t tt_ringpump_staged(const tt_ringpump *p)
{
	return p->len;
}

uint64_t tt_ringpump_stalls(const tt_ringpump *p)
{
	return p->stalls;
}
