/* The refresher: a worker thread that collects every `delay` seconds into a
 * spare snapshot and hands it over through a pipe-signalled slot. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tenantop/clock.h"
#include "tenantop/refresher.h"

struct tt_refresher {
	tt_collector *c;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int pipefd[2];
	/* shared, under mu */
	double delay;
	bool paused, quit, kick;
	bool ready;           /* `slot` holds a fresh snapshot */
	bool failed;
	char err[512];
	tt_snapshot slot;     /* the newest finished snapshot */
	tt_portset ports;
	bool ports_changed;
	char source[16];
	/* worker only */
	tt_snapshot work;
};

static void wake_ui(struct tt_refresher *r)
{
	char b = 1;
	ssize_t n = write(r->pipefd[1], &b, 1); /* full pipe: the UI is already due to look */
	(void)n;
}

static void *worker(void *arg)
{
	struct tt_refresher *r = arg;
	double next = 0;
	pthread_mutex_lock(&r->mu);
	while (!r->quit) {
		double now = tt_mono_s();
		if (r->paused || (!r->kick && now < next)) {
			if (r->paused) {
				pthread_cond_wait(&r->cv, &r->mu);
			} else {
				double until = next;
				struct timespec ts = {(time_t)until, (long)((until - (double)(time_t)until) * 1e9)};
				pthread_cond_timedwait(&r->cv, &r->mu, &ts);
			}
			continue;
		}
		r->kick = false;
		if (r->ports_changed) {
			tt_collector_set_ports(r->c, &r->ports);
			r->ports_changed = false;
		}
		double start = tt_mono_s();
		pthread_mutex_unlock(&r->mu);
		char err[512];
		int rc = tt_collect(r->c, &r->work, err, sizeof(err));
		pthread_mutex_lock(&r->mu);
		snprintf(r->source, sizeof(r->source), "%s", tt_collector_source(r->c));
		if (rc < 0) {
			r->failed = true;
			snprintf(r->err, sizeof(r->err), "%s", err);
		} else if (!r->ports_changed) {
			tt_snapshot tmp = r->slot;
			r->slot = r->work;
			r->work = tmp;
			r->ready = true;
			r->failed = false;
		}
		wake_ui(r);
		next = start + r->delay;
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

tt_refresher *tt_refresher_new(const tt_collect_opts *o, double delay, char *err, size_t errlen)
{
	struct tt_refresher *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->c = tt_collector_new(o, err, errlen);
	if (!r->c) {
		free(r);
		return NULL;
	}
	r->delay = delay;
	r->ports = o->ports;
	snprintf(r->source, sizeof(r->source), "%s", tt_collector_source(r->c));
	tt_snapshot_init(&r->slot);
	tt_snapshot_init(&r->work);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&r->mu, NULL);
	/* signals belong to the UI thread: the worker blocks them all */
	sigset_t all, old;
	sigfillset(&all);
	int prc = pipe2(r->pipefd, O_CLOEXEC | O_NONBLOCK);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int trc = prc < 0 ? -1 : pthread_create(&r->th, NULL, worker, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (prc < 0 || trc != 0) {
		snprintf(err, errlen, "cannot start the collector thread: %s", strerror(errno));
		tt_collector_free(r->c);
		free(r);
		return NULL;
	}
	return r;
}

int tt_refresher_fd(const tt_refresher *r)
{
	return r->pipefd[0];
}

int tt_refresher_take(tt_refresher *r, tt_snapshot *snap, char *err, size_t errlen)
{
	char buf[64];
	while (read(r->pipefd[0], buf, sizeof(buf)) > 0)
		;
	int rc = 0;
	pthread_mutex_lock(&r->mu);
	if (r->ready) {
		tt_snapshot tmp = *snap;
		*snap = r->slot;
		r->slot = tmp;
		r->ready = false;
		rc = 1;
	} else if (r->failed) {
		snprintf(err, errlen, "%s", r->err);
		r->failed = false;
		rc = -1;
	}
	pthread_mutex_unlock(&r->mu);
	return rc;
}

void tt_refresher_set_delay(tt_refresher *r, double delay)
{
	pthread_mutex_lock(&r->mu);
	r->delay = delay;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

void tt_refresher_set_ports(tt_refresher *r, const tt_portset *ports)
{
	pthread_mutex_lock(&r->mu);
	r->ports = *ports;
	r->ports_changed = true;
	r->ready = false; /* a snapshot with the old filter is stale */
	r->kick = true;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

void tt_refresher_pause(tt_refresher *r, bool paused)
{
	pthread_mutex_lock(&r->mu);
	r->paused = paused;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

void tt_refresher_kick(tt_refresher *r)
{
	pthread_mutex_lock(&r->mu);
	r->kick = true;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

const char *tt_refresher_source(tt_refresher *r)
{
	static __thread char buf[16];
	pthread_mutex_lock(&r->mu);
	snprintf(buf, sizeof(buf), "%s", r->source);
	pthread_mutex_unlock(&r->mu);
	return buf;
}

void tt_refresher_free(tt_refresher *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	r->quit = true;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->th, NULL);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	close(r->pipefd[0]);
	close(r->pipefd[1]);
	tt_snapshot_free(&r->slot);
	tt_snapshot_free(&r->work);
	tt_collector_free(r->c);
	free(r);
}
