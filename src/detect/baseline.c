/* Baselines: learning, lookup and the file.
 *
 * File format, version 1 (text; one record per line; the last line holds
 * the number of tenant lines and a CRC-32 of everything before it):
 *   tenantop-baseline 1
 *   learned FROM UNTIL SAMPLES
 *   tenant MEAN_ESTAB MEAN_CW MEAN_CLOSE MEAN_TW MEAN_OTHER PEAK_x5 NAME
 *   life CLOSE_WAIT_P90 LIFETIME_P50 NAME   (after its tenant line, with kernel
 *                                            events; -1 unknown)
 *   end COUNT CRC32HEX */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "tenantop/baseline.h"
#include "tenantop/lifecycle.h"
#include "tenantop/vec.h"

void tt_baseline_init(tt_baseline *b)
{
	memset(b, 0, sizeof(*b));
}

void tt_baseline_free(tt_baseline *b)
{
	free(b->v);
	memset(b, 0, sizeof(*b));
}

bool tt_baseline_ready(const tt_baseline *b)
{
	return b->learned_until > 0 && b->n > 0;
}

void tt_baseline_start(tt_baseline *b, double now, double seconds)
{
	b->n = 0;
	b->samples = 0;
	b->learned_from = now;
	b->learned_until = 0;
	b->learning = true;
	b->learn_until = now + seconds;
}

static tt_baseline_entry *entry(tt_baseline *b, const char *tenant, bool create)
{
	for (size_t i = 0; i < b->n; i++)
		if (!strcmp(b->v[i].tenant, tenant))
			return &b->v[i];
	if (!create)
		return NULL;
	tt_baseline_entry *e = TT_VEC_PUSH(b->v, b->n, b->cap);
	if (!e)
		return NULL;
	snprintf(e->tenant, sizeof(e->tenant), "%s", tenant);
	e->close_wait_p90 = e->lifetime_p50 = -1;
	return e;
}

/* the lifecycle of one refresh, where connections closed in its window */
static void add_life(tt_baseline_entry *e, const tt_lifecycle_figs *f)
{
	if (!f)
		return;
	if (f->window_close_waits && f->close_wait_p90 >= 0) {
		e->cw_sum += f->close_wait_p90;
		e->cw_n++;
	}
	if (f->window_closes && f->lifetime_p50 >= 0) {
		e->life_sum += f->lifetime_p50;
		e->life_n++;
	}
}

static void levels(const tt_counts *c, double out[TT_BL_COUNT])
{
	out[TT_BL_ESTAB] = c->st[TT_ST_ESTABLISHED];
	out[TT_BL_CLOSE_WAIT] = c->st[TT_ST_CLOSE_WAIT];
	out[TT_BL_CLOSE] = c->st[TT_ST_CLOSE];
	out[TT_BL_TIME_WAIT] = c->st[TT_ST_TIME_WAIT];
	out[TT_BL_OTHER] = tt_counts_other(c);
}

static void add_sample(tt_baseline_entry *e, const tt_counts *c)
{
	double l[TT_BL_COUNT];
	levels(c, l);
	for (int k = 0; k < TT_BL_COUNT; k++) {
		e->sum[k] += l[k];
		if (l[k] > e->peak[k])
			e->peak[k] = l[k];
	}
	e->samples++;
}

bool tt_baseline_finish(tt_baseline *b, double now)
{
	if (!b->learning)
		return false;
	b->learning = false;
	if (!b->samples)
		return false;
	for (size_t i = 0; i < b->n; i++)
		for (int k = 0; k < TT_BL_COUNT; k++)
			/* a tenant absent from some refreshes had zero then */
			b->v[i].mean[k] = b->v[i].sum[k] / b->samples;
	for (size_t i = 0; i < b->n; i++) {
		tt_baseline_entry *e = &b->v[i];
		e->close_wait_p90 = e->cw_n ? e->cw_sum / e->cw_n : -1;
		e->lifetime_p50 = e->life_n ? e->life_sum / e->life_n : -1;
	}
	b->learned_until = now > b->learned_from ? now : b->learned_from + 1e-3;
	return true;
}

bool tt_baseline_observe(tt_baseline *b, const tt_model *m)
{
	if (!b->learning)
		return false;
	for (size_t i = 0; i < m->ntenants; i++) {
		tt_baseline_entry *e = entry(b, m->tenants[i].name, true);
		if (e) {
			add_sample(e, &m->tenants[i].counts);
			add_life(e, tt_lifecycle_tenant(m->life, m->tenants[i].name));
		}
	}
	tt_baseline_entry *u = entry(b, "(unattributed)", true);
	if (u)
		add_sample(u, &m->unattributed);
	b->samples++;
	if (m->time < b->learn_until)
		return false;
	return tt_baseline_finish(b, m->time);
}

double tt_baseline_normal_leaked(const tt_baseline_entry *e)
{
	return e->mean[TT_BL_CLOSE_WAIT] + e->mean[TT_BL_CLOSE];
}

double tt_baseline_peak_leaked(const tt_baseline_entry *e)
{
	return e->peak[TT_BL_CLOSE_WAIT] + e->peak[TT_BL_CLOSE];
}

const tt_baseline_entry *tt_baseline_find(const tt_baseline *b, const char *tenant)
{
	if (!tt_baseline_ready(b))
		return NULL;
	return entry((tt_baseline *)b, tenant, false);
}

const char *tt_baseline_default_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	if (xdg && *xdg)
		snprintf(buf, len, "%s/tenantop/baseline", xdg);
	else if (home && *home)
		snprintf(buf, len, "%s/.local/state/tenantop/baseline", home);
	else
		snprintf(buf, len, "/var/lib/tenantop/baseline");
	return buf;
}

static void mkdirs(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0700);
			*p = '/';
		}
}

int tt_baseline_save(const tt_baseline *b, const char *path, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fprintf(m, "tenantop-baseline %d\n", TT_BASELINE_VERSION);
	fprintf(m, "learned %.3f %.3f %u\n", b->learned_from, b->learned_until, b->samples);
	for (size_t i = 0; i < b->n; i++) {
		const tt_baseline_entry *e = &b->v[i];
		fprintf(m, "tenant");
		for (int k = 0; k < TT_BL_COUNT; k++)
			fprintf(m, " %.3f", e->mean[k]);
		for (int k = 0; k < TT_BL_COUNT; k++)
			fprintf(m, " %.0f", e->peak[k]);
		fprintf(m, " %s\n", e->tenant);
		if (e->close_wait_p90 >= 0 || e->lifetime_p50 >= 0)
			fprintf(m, "life %.6f %.6f %s\n", e->close_wait_p90, e->lifetime_p50, e->tenant);
	}
	fclose(m);
	uLong crc = crc32(0L, (const Bytef *)buf, (uInt)len);
	mkdirs(path);
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* a new file of our own (0600: it names tenants), never through a
	 * symlink, then renamed over the old one */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST && unlink(tmp) == 0) /* left by a crash (or planted) */
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "baseline %s: %s", path, strerror(errno));
		free(buf);
		return -1;
	}
	fwrite(buf, 1, len, f);
	fprintf(f, "end %zu %08lx\n", b->n, (unsigned long)crc);
	free(buf);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		snprintf(err, errlen, "baseline %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* "tenant MEAN*5 PEAK*5 NAME": 0, or -1 when damaged. */
static int tenant_line(tt_baseline *nb, char *line)
{
	tt_baseline_entry e;
	memset(&e, 0, sizeof(e));
	int used = 0;
	if (sscanf(line, "tenant %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf %n", &e.mean[0], &e.mean[1], &e.mean[2],
		   &e.mean[3], &e.mean[4], &e.peak[0], &e.peak[1], &e.peak[2], &e.peak[3], &e.peak[4], &used) != 10 ||
	    !used)
		return -1;
	for (int k = 0; k < TT_BL_COUNT; k++)
		if (!isfinite(e.mean[k]) || e.mean[k] < 0 || !isfinite(e.peak[k]) || e.peak[k] < 0)
			return -1;
	char *name = line + used;
	name[strcspn(name, "\n")] = '\0';
	tt_baseline_entry *dst = *name ? entry(nb, name, true) : NULL;
	if (!dst)
		return -1;
	memcpy(dst->mean, e.mean, sizeof(e.mean));
	memcpy(dst->peak, e.peak, sizeof(e.peak));
	return 0;
}

/* "life CLOSE_WAIT_P90 LIFETIME_P50 NAME", after its tenant line: 0 or -1. */
static int life_line(tt_baseline *nb, char *line)
{
	double cw, life;
	int used = 0;
	if (sscanf(line, "life %lf %lf %n", &cw, &life, &used) != 2 || !used || !isfinite(cw) || !isfinite(life) ||
	    cw < -1 || life < -1)
		return -1;
	char *name = line + used;
	name[strcspn(name, "\n")] = '\0';
	tt_baseline_entry *dst = *name ? entry(nb, name, false) : NULL;
	if (!dst)
		return -1;
	dst->close_wait_p90 = cw;
	dst->lifetime_p50 = life;
	return 0;
}

int tt_baseline_load(tt_baseline *b, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "baseline %s: %s", path, strerror(errno));
		return -1;
	}
	tt_baseline nb;
	tt_baseline_init(&nb);
	char line[512];
	int ln = 0, rc = -1;
	uLong crc = crc32(0L, Z_NULL, 0);
	bool ended = false;
	while (fgets(line, sizeof(line), f)) {
		ln++;
		size_t l = strlen(line);
		if (l == 0 || line[l - 1] != '\n') {
			snprintf(err, errlen, "baseline %s:%d: damaged (a cut or overlong line); not used", path, ln);
			goto out;
		}
		if (ended) {
			snprintf(err, errlen, "baseline %s:%d: damaged (text after the end line); not used", path, ln);
			goto out;
		}
		uLong line_crc = crc;
		if (strncmp(line, "end ", 4) != 0)
			crc = crc32(crc, (const Bytef *)line, (uInt)l);
		if (ln == 1) {
			int ver;
			if (sscanf(line, "tenantop-baseline %d", &ver) != 1) {
				snprintf(err, errlen, "baseline %s: not a tenantop baseline file; not used", path);
				goto out;
			}
			if (ver != TT_BASELINE_VERSION) {
				snprintf(err, errlen, "baseline %s: version %d, this tenantop reads version %d; learn again (b)",
					 path, ver, TT_BASELINE_VERSION);
				goto out;
			}
		} else if (!strncmp(line, "learned ", 8)) {
			if (sscanf(line, "learned %lf %lf %u", &nb.learned_from, &nb.learned_until, &nb.samples) != 3)
				goto damaged;
		} else if (!strncmp(line, "tenant ", 7)) {
			if (tenant_line(&nb, line) < 0)
				goto damaged;
		} else if (!strncmp(line, "life ", 5)) {
			if (life_line(&nb, line) < 0)
				goto damaged; /* or before its tenant line */
		} else if (!strncmp(line, "end ", 4)) {
			size_t count;
			unsigned long want;
			if (sscanf(line, "end %zu %lx", &count, &want) != 2 || count != nb.n)
				goto damaged;
			if (want != line_crc) {
				snprintf(err, errlen, "baseline %s: damaged (checksum mismatch); not used", path);
				goto out;
			}
			ended = true;
			continue;
		} else {
			goto damaged;
		}
	}
	if (!ended) {
		snprintf(err, errlen, "baseline %s: damaged (no end line: cut short?); not used", path);
		goto out;
	}
	tt_baseline_free(b);
	*b = nb;
	tt_baseline_init(&nb);
	rc = 0;
	goto out;
damaged:
	snprintf(err, errlen, "baseline %s:%d: damaged (unreadable line); not used", path, ln);
out:
	tt_baseline_free(&nb);
	fclose(f);
	return rc;
}
