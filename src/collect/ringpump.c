/* The ring's pump (see ringpump.h). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	bool running, quit;
	/* under mu */
	unsigned char *buf;
	size_t len, room;
	uint64_t lost, stalls;
};

static void *pump(void *arg)
{
	tt_ringpump *p = arg;
	pthread_mutex_lock(&p->mu);
	while (!p->quit) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += (long)p->period_ms * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		while (!p->quit && pthread_cond_timedwait(&p->cv, &p->mu, &ts) != ETIMEDOUT)
			;
		if (p->quit)
			break;
		if (p->len >= p->cap)
			p->stalls++; /* the ring keeps them, or counts them dropped */
		else
			p->fill(p->ctx);
	}
	pthread_mutex_unlock(&p->mu);
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
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	return p;
}

int tt_ringpump_start(tt_ringpump *p, unsigned period_ms, char *err, size_t errlen)
{
	if (!period_ms || p->running)
		return 0;
	p->period_ms = period_ms;
	/* signals are the main thread's */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&p->th, NULL, pump, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the event ring's thread: %s", strerror(rc));
		return -1;
	}
	p->running = true;
	return 0;
}

void tt_ringpump_free(tt_ringpump *p)
{
	if (!p)
		return;
	if (p->running) {
		pthread_mutex_lock(&p->mu);
		p->quit = true;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->th, NULL);
	}
	pthread_cond_destroy(&p->cv);
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
