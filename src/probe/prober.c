/* src/probe owns the database side: targets, one prober thread per server, the probes, the join to sockets. */
/* The prober: one thread per server asks it every `every_s` seconds over a
 * kept connection and publishes its result as soon as it has it, so a hung
 * server delays neither a refresh nor the other servers' results.  The
 * refresh copies the latest results under the mutex and never waits for a
 * database (batch mode may wait, bounded, for the first answers).
 *
 * A server that is no longer a target has its thread told to stop; the
 * thread frees its own entry when its probe returns (at most the timeouts
 * later), so a refresh never joins a thread stuck in a probe. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tenantop/clock.h"
#include "tenantop/probe.h"
#include "tenantop/vec.h"

#define MAX_SERVERS 256

struct entry {
	struct tt_prober *p;
	char key[300];
	tt_db_target t;     /* under mu: the latest detail of this target */
	bool have;          /* a result is stored */
	bool quit;
	tt_db_results res;  /* under mu: one server and its rows */
	pthread_cond_t cv;  /* wakes this server's thread */
};

struct tt_prober {
	tt_probe_opts opts;
	char proc_root[4096];
	double every_s;
	pthread_mutex_t mu;
	pthread_cond_t done_cv; /* a result arrived, or a thread ended */
	tt_db_targets targets;  /* under mu, in the order of the last set */
	struct entry **ents;    /* under mu: one per current target */
	size_t nents, ents_cap;
	unsigned live;          /* threads still running (current or stopping) */
};

static void target_key(const tt_db_target *t, char *buf, size_t len)
{
	snprintf(buf, len, "%d|%d|%s|%s|%s|%u", t->kind, t->pid, t->name, t->unix_path, t->host, t->port);
}

static struct entry *find_entry(struct tt_prober *p, const char *key)
{
	for (size_t i = 0; i < p->nents; i++)
		if (!strcmp(p->ents[i]->key, key))
			return p->ents[i];
	return NULL;
}

static void timed_wait(pthread_cond_t *cv, pthread_mutex_t *mu, double seconds)
{
	struct timespec ts;
	double until = tt_mono_s() + seconds;
	ts.tv_sec = (time_t)until;
	ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
	pthread_cond_timedwait(cv, mu, &ts);
}

static void *server_thread(void *arg)
{
	struct entry *e = arg;
	struct tt_prober *p = e->p;
	tt_db_results one;
	tt_db_results_init(&one);
	tt_probe_conn conn = {0, NULL};
	pthread_mutex_lock(&p->mu);
	while (!e->quit) {
		tt_db_target t = e->t;
		pthread_mutex_unlock(&p->mu);
		tt_db_results_clear(&one);
		tt_probe_one(&p->opts, &t, &one, &conn);
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		if (one.nservers)
			one.servers[0].probed_at = (double)now.tv_sec + now.tv_nsec / 1e9;
		pthread_mutex_lock(&p->mu);
		if (one.nservers && !e->quit) {
			tt_db_results tmp = e->res;
			e->res = one;
			one = tmp;
			e->have = true;
			pthread_cond_broadcast(&p->done_cv);
		}
		if (!e->quit)
			timed_wait(&e->cv, &p->mu, p->every_s);
	}
	/* no longer a target (or the prober stops): close, then the entry is
	 * ours to free; the prober may go once `live` says we are done */
	pthread_mutex_unlock(&p->mu);
	tt_probe_conn_close(&conn);
	tt_db_results_free(&one);
	pthread_mutex_lock(&p->mu);
	tt_db_results_free(&e->res);
	pthread_cond_destroy(&e->cv);
	free(e);
	p->live--;
	pthread_cond_broadcast(&p->done_cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

tt_prober *tt_prober_new(const tt_probe_opts *o, double every_s, char *err, size_t errlen)
{
	struct tt_prober *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->opts = *o;
	snprintf(p->proc_root, sizeof(p->proc_root), "%s", o->proc_root ? o->proc_root : "/proc");
	p->opts.proc_root = p->proc_root;
	if (p->opts.timeout_s <= 0)
		p->opts.timeout_s = 1;
	p->every_s = every_s > 0.2 ? every_s : 0.2;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->done_cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&p->mu, NULL);
	return p;
}

/* A new server's entry and thread (under mu).  NULL when it cannot start. */
static struct entry *start_server(struct tt_prober *p, const tt_db_target *t, const char *key)
{
	if (p->nents >= MAX_SERVERS)
		return NULL;
	struct entry *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	struct entry **slot = TT_VEC_PUSH(p->ents, p->nents, p->ents_cap);
	if (!slot) {
		free(e);
		return NULL;
	}
	e->p = p;
	e->t = *t;
	snprintf(e->key, sizeof(e->key), "%s", key);
	tt_db_results_init(&e->res);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&e->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* signals belong to the UI thread: the probe threads block them all */
	sigset_t all, old;
	sigfillset(&all);
	pthread_attr_t ta;
	pthread_attr_init(&ta);
	pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	pthread_t th;
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&th, &ta, server_thread, e);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&ta);
	if (rc != 0) {
		p->nents--;
		pthread_cond_destroy(&e->cv);
		free(e);
		return NULL;
	}
	*slot = e;
	p->live++;
	return e;
}

void tt_prober_set_targets(tt_prober *p, const tt_db_targets *t)
{
	pthread_mutex_lock(&p->mu);
	/* servers no longer listed: their threads stop (and free their entries) */
	size_t w = 0;
	for (size_t i = 0; i < p->nents; i++) {
		struct entry *e = p->ents[i];
		bool keep = false;
		for (size_t j = 0; j < t->n && !keep; j++) {
			char key[300];
			target_key(&t->v[j], key, sizeof(key));
			keep = !strcmp(key, e->key);
		}
		if (keep) {
			p->ents[w++] = e;
		} else {
			e->quit = true;
			pthread_cond_signal(&e->cv);
		}
	}
	p->nents = w;
	p->targets.n = 0;
	for (size_t j = 0; j < t->n; j++) {
		char key[300];
		target_key(&t->v[j], key, sizeof(key));
		struct entry *e = find_entry(p, key);
		if (e)
			e->t = t->v[j]; /* new detail (ports, endpoints) for the next probe */
		else
			start_server(p, &t->v[j], key);
		tt_db_target *d = TT_VEC_PUSH(p->targets.v, p->targets.n, p->targets.cap);
		if (d)
			*d = t->v[j];
	}
	pthread_mutex_unlock(&p->mu);
}

int tt_prober_take(tt_prober *p, tt_db_results *out)
{
	int rc = 0;
	tt_db_results_clear(out);
	pthread_mutex_lock(&p->mu);
	for (size_t i = 0; i < p->targets.n && rc == 0; i++) {
		char key[300];
		target_key(&p->targets.v[i], key, sizeof(key));
		struct entry *e = find_entry(p, key);
		if (e && e->have) {
			rc = tt_db_results_append(out, &e->res);
		} else {
			tt_db_server *s = tt_db_results_add_server(out);
			if (!s) {
				rc = -1;
				break;
			}
			s->t = p->targets.v[i];
			snprintf(s->error, sizeof(s->error), "%s", e ? "not probed yet" : "too many servers to probe");
		}
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

bool tt_prober_wait_round(tt_prober *p, double timeout_s)
{
	double until = tt_mono_s() + timeout_s;
	pthread_mutex_lock(&p->mu);
	bool all = false;
	for (;;) {
		all = true;
		for (size_t i = 0; i < p->nents; i++)
			if (!p->ents[i]->have)
				all = false;
		double left = until - tt_mono_s();
		if (all || left <= 0)
			break;
		timed_wait(&p->done_cv, &p->mu, left);
	}
	pthread_mutex_unlock(&p->mu);
	return all;
}

void tt_prober_free(tt_prober *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	for (size_t i = 0; i < p->nents; i++) {
		p->ents[i]->quit = true;
		pthread_cond_signal(&p->ents[i]->cv);
	}
	p->nents = 0;
	/* each thread ends when its probe returns: at most the timeouts.  Quitting
	 * waits half a second for them at most; a thread still stuck in a hung
	 * server keeps the prober (it is left allocated) and ends with the process. */
	double until = tt_mono_s() + 0.5;
	while (p->live && tt_mono_s() < until)
		timed_wait(&p->done_cv, &p->mu, until - tt_mono_s());
	if (p->live) {
		pthread_mutex_unlock(&p->mu);
		return;
	}
	pthread_mutex_unlock(&p->mu);
	free(p->ents);
	tt_db_targets_free(&p->targets);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->done_cv);
	free(p);
}
