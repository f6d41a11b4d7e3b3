/* The prober: one thread asks every target in turn, every `every_s`
 * seconds, and publishes each server's result as soon as it has it.  The
 * refresh copies the latest results under the mutex and never waits for a
 * database (batch mode may wait, bounded, for the first round). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tenantop/probe.h"
#include "tenantop/vec.h"

struct entry {
	char key[300];
	bool have;           /* a result is stored */
	bool current;        /* still a target */
	tt_db_results res;   /* one server and its rows */
};

struct tt_prober {
	tt_probe_opts opts;
	char proc_root[4096];
	double every_s;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;      /* the worker waits on it */
	pthread_cond_t done_cv; /* wait_round waits on it */
	bool quit, kick;
	tt_db_targets targets;  /* under mu */
	struct entry *ents;     /* under mu */
	size_t nents, ents_cap;
};

static void target_key(const tt_db_target *t, char *buf, size_t len)
{
	snprintf(buf, len, "%d|%d|%s|%s|%s|%u", t->kind, t->pid, t->name, t->unix_path, t->host, t->port);
}

static struct entry *find_entry(struct tt_prober *p, const char *key)
{
	for (size_t i = 0; i < p->nents; i++)
		if (!strcmp(p->ents[i].key, key))
			return &p->ents[i];
	return NULL;
}

static void timed_wait(pthread_cond_t *cv, pthread_mutex_t *mu, double seconds)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double until = (double)ts.tv_sec + ts.tv_nsec / 1e9 + seconds;
	ts.tv_sec = (time_t)until;
	ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
	pthread_cond_timedwait(cv, mu, &ts);
}

/* The worker's open connections, by target key (worker only). */
struct wconn {
	char key[300];
	bool used;
	tt_probe_conn c;
};

static tt_probe_conn *wconn_get(struct wconn **v, size_t *n, size_t *cap, const char *key)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].key, key)) {
			(*v)[i].used = true;
			return &(*v)[i].c;
		}
	struct wconn *w = TT_VEC_PUSH(*v, *n, *cap);
	if (!w)
		return NULL;
	snprintf(w->key, sizeof(w->key), "%s", key);
	w->used = true;
	return &w->c;
}

/* Close the connections of servers no longer asked. */
static void wconn_sweep(struct wconn *v, size_t *n, bool all)
{
	size_t w = 0;
	for (size_t i = 0; i < *n; i++) {
		if (v[i].used && !all) {
			v[i].used = false;
			v[w++] = v[i];
		} else {
			tt_probe_conn_close(&v[i].c);
		}
	}
	*n = w;
}

static void *worker(void *arg)
{
	struct tt_prober *p = arg;
	tt_db_results one;
	tt_db_results_init(&one);
	struct wconn *conns = NULL;
	size_t nconns = 0, capconns = 0;
	pthread_mutex_lock(&p->mu);
	while (!p->quit) {
		p->kick = false;
		bool full_round = true;
		for (size_t i = 0; i < p->targets.n && !p->quit; i++) {
			tt_db_target t = p->targets.v[i];
			char ckey[300];
			target_key(&t, ckey, sizeof(ckey));
			pthread_mutex_unlock(&p->mu);
			tt_db_results_clear(&one);
			tt_probe_conn spare = {0, NULL}, *pc = wconn_get(&conns, &nconns, &capconns, ckey);
			tt_probe_one(&p->opts, &t, &one, pc ? pc : &spare);
			tt_probe_conn_close(&spare);
			struct timespec now;
			clock_gettime(CLOCK_REALTIME, &now);
			if (one.nservers)
				one.servers[0].probed_at = (double)now.tv_sec + now.tv_nsec / 1e9;
			pthread_mutex_lock(&p->mu);
			char key[300];
			target_key(&t, key, sizeof(key));
			struct entry *e = find_entry(p, key);
			if (e && one.nservers) {
				tt_db_results tmp = e->res;
				e->res = one;
				one = tmp;
				e->have = true;
				pthread_cond_broadcast(&p->done_cv);
			}
			if (p->kick) {
				full_round = false;
				break; /* new targets: start over with them */
			}
		}
		if (full_round && !p->quit)
			wconn_sweep(conns, &nconns, false);
		if (!p->kick && !p->quit)
			timed_wait(&p->cv, &p->mu, p->every_s);
	}
	pthread_mutex_unlock(&p->mu);
	wconn_sweep(conns, &nconns, true);
	free(conns);
	tt_db_results_free(&one);
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
	pthread_cond_init(&p->cv, &ca);
	pthread_cond_init(&p->done_cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&p->mu, NULL);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&p->th, NULL, worker, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the database probe thread: %s", strerror(rc));
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		pthread_cond_destroy(&p->done_cv);
		free(p);
		return NULL;
	}
	return p;
}

void tt_prober_set_targets(tt_prober *p, const tt_db_targets *t)
{
	pthread_mutex_lock(&p->mu);
	bool changed = t->n != p->targets.n;
	for (size_t i = 0; i < p->nents; i++)
		p->ents[i].current = false;
	for (size_t i = 0; i < t->n; i++) {
		char key[300];
		target_key(&t->v[i], key, sizeof(key));
		struct entry *e = find_entry(p, key);
		if (!e) {
			e = TT_VEC_PUSH(p->ents, p->nents, p->ents_cap);
			if (!e)
				continue;
			snprintf(e->key, sizeof(e->key), "%s", key);
			tt_db_results_init(&e->res);
			changed = true;
		}
		e->current = true;
	}
	/* forget servers that are gone */
	size_t w = 0;
	for (size_t i = 0; i < p->nents; i++) {
		if (p->ents[i].current)
			p->ents[w++] = p->ents[i];
		else
			tt_db_results_free(&p->ents[i].res);
	}
	p->nents = w;
	if (changed) {
		p->targets.n = 0;
		for (size_t i = 0; i < t->n; i++) {
			tt_db_target *d = TT_VEC_PUSH(p->targets.v, p->targets.n, p->targets.cap);
			if (d)
				*d = t->v[i];
		}
		p->kick = true;
		pthread_cond_signal(&p->cv);
	} else {
		/* same servers: keep their order, take any new detail (ports, endpoints) */
		for (size_t i = 0; i < t->n && i < p->targets.n; i++)
			p->targets.v[i] = t->v[i];
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
			snprintf(s->error, sizeof(s->error), "not probed yet");
		}
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

bool tt_prober_wait_round(tt_prober *p, double timeout_s)
{
	double until = tt_db_mono() + timeout_s;
	pthread_mutex_lock(&p->mu);
	bool all = false;
	for (;;) {
		all = true;
		for (size_t i = 0; i < p->nents; i++)
			if (p->ents[i].current && !p->ents[i].have)
				all = false;
		double left = until - tt_db_mono();
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
	p->quit = true;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->th, NULL);
	for (size_t i = 0; i < p->nents; i++)
		tt_db_results_free(&p->ents[i].res);
	free(p->ents);
	tt_db_targets_free(&p->targets);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	pthread_cond_destroy(&p->done_cv);
	free(p);
}
