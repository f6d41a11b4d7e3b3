/* The reader: an index of the records of a recording (resynchronising past
 * damage), then any record read on demand from its nearest whole one. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "tenantop/record.h"
#include "tenantop/u64set.h"
#include "tenantop/vec.h"
#include "record/wire.h"

/* ---------------------------------------------------------------- reader */

struct recidx {
	off_t off;
	uint32_t clen, plen, crc;
	double time;
	bool delta;
	bool bad;  /* its header was damaged: nothing of it can be read */
	int meta;  /* the settings record in force, -1 none */
};

struct tt_replay {
	int fd;
	struct recidx *v;
	size_t n, cap;
	tt_rec_meta *metas;
	size_t nmetas;
	char note[256];
	char path[256];
	tt_snapshot cache, tmp; /* the last record decoded (a delta's base) */
	size_t cache_i;
	bool cache_ok;
};

static int parse_meta(const unsigned char *plain, size_t plen, tt_rec_meta *m)
{
	memset(m, 0, sizeof(*m));
	const char *s = (const char *)plain, *end = s + plen;
	const char *sep = NULL;
	for (const char *q = s; q + 1 < end; q++)
		if (q[0] == '\n' && q[1] == '\n') {
			sep = q;
			break;
		}
	if (!sep || plen < 16 || memcmp(s, "tenantop-meta 1\n", 16) != 0)
		return -1;
	for (const char *line = s + 16; line < sep;) {
		const char *nl = memchr(line, '\n', (size_t)(sep + 1 - line));
		if (!nl)
			break;
		int n = (int)(nl - line);
		if (n > 9 && !strncmp(line, "interval ", 9)) {
			char num[32];
			snprintf(num, sizeof(num), "%.*s", n - 9, line + 9);
			m->interval = strtod(num, NULL);
		} else if (n > 6 && !strncmp(line, "ports ", 6)) {
			snprintf(m->ports, sizeof(m->ports), "%.*s", n - 6, line + 6);
			if (!strcmp(m->ports, "-"))
				m->ports[0] = '\0';
		} else if (n > 7 && !strncmp(line, "config ", 7)) {
			snprintf(m->config_path, sizeof(m->config_path), "%.*s", n - 7, line + 7);
			if (!strcmp(m->config_path, "-"))
				m->config_path[0] = '\0';
		}
		line = nl + 1;
	}
	if (!(m->interval > 0 && m->interval <= 86400))
		m->interval = 0;
	size_t tl = (size_t)(end - (sep + 2));
	m->config_text = malloc(tl + 1);
	if (!m->config_text)
		return -1;
	memcpy(m->config_text, sep + 2, tl);
	m->config_text[tl] = '\0';
	m->config_len = tl;
	return 0;
}

/* Read and check a settings record at OFF. */
static int read_meta(int fd, off_t off, uint32_t clen, uint32_t plen, uint32_t crc, tt_rec_meta *m)
{
	if (plen > MAX_META || clen > MAX_META)
		return -1;
	unsigned char *c = malloc(clen), *plain = malloc(plen ? plen : 1);
	int rc = -1;
	uLongf pl = plen;
	if (c && plain && pread(fd, c, clen, off + REC_HDR) == (ssize_t)clen && (uint32_t)crc32(0L, c, clen) == crc &&
	    uncompress(plain, &pl, c, clen) == Z_OK && pl == plen)
		rc = parse_meta(plain, plen, m);
	free(c);
	free(plain);
	return rc;
}

/* A record header at OFF that is whole and whose data has the right CRC:
 * where reading goes on after a damaged stretch. */
static bool header_sane(int fd, off_t off, off_t size)
{
	unsigned char rh[REC_HDR];
	if (size - off < REC_HDR || pread(fd, rh, REC_HDR, off) != REC_HDR)
		return false;
	if (memcmp(rh, REC_MAGIC, 4) && memcmp(rh, DELTA_MAGIC, 4) && memcmp(rh, META_MAGIC, 4))
		return false;
	uint32_t clen = rd32(rh + 4), plen = rd32(rh + 8);
	if (!clen || plen > MAX_PLAIN || size - off - REC_HDR < (off_t)clen)
		return false;
	unsigned char *c = malloc(clen);
	bool ok = c && pread(fd, c, clen, off + REC_HDR) == (ssize_t)clen && (uint32_t)crc32(0L, c, clen) == rd32(rh + 12);
	free(c);
	return ok;
}

/* The next offset after FROM where a sane record starts, or SIZE. */
static off_t resync(int fd, off_t from, off_t size)
{
	unsigned char buf[65536];
	for (off_t base = from; base < size;) {
		ssize_t n = pread(fd, buf, sizeof(buf), base);
		if (n < 4)
			return size;
		for (ssize_t k = 0; k + 4 <= n; k++)
			if (buf[k] == 'T' && buf[k + 1] == 'T' && buf[k + 2] == 'R' &&
			    (buf[k + 3] == 'R' || buf[k + 3] == 'D' || buf[k + 3] == 'M') && header_sane(fd, base + k, size))
				return base + k;
		base += n - 3;
	}
	return size;
}

static bool index_grow(struct tt_replay *p)
{
	return TT_VEC_RESERVE(p->v, p->cap, p->n + 1) == 0;
}

tt_replay *tt_replay_open(const char *path, char *err, size_t errlen)
{
	/* O_NONBLOCK: a FIFO must not block the open */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "--replay %s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "--replay %s: %s, not a recording", path,
			 S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
		close(fd);
		return NULL;
	}
	unsigned char h[HDR_LEN];
	err[0] = '\0';
	if (pread(fd, h, HDR_LEN, 0) != HDR_LEN) {
		snprintf(err, errlen, "%s: not a tenantop recording (too short)", path);
		close(fd);
		return NULL;
	}
	if (tt_rec_check_header(h, path, err, errlen) < 0) {
		close(fd);
		return NULL;
	}
	struct tt_replay *p = calloc(1, sizeof(*p));
	if (!p) {
		close(fd);
		return NULL;
	}
	p->fd = fd;
	tt_snapshot_init(&p->cache);
	tt_snapshot_init(&p->tmp);
	snprintf(p->path, sizeof(p->path), "%s", path);
	off_t off = HDR_LEN;
	int meta = -1;
	size_t damaged = 0;
	while (off < st.st_size) {
		unsigned char rh[REC_HDR];
		if (st.st_size - off < REC_HDR || pread(fd, rh, REC_HDR, off) != REC_HDR) {
			snprintf(p->note, sizeof(p->note), "cut short after record %zu (a crash while writing?)", p->n);
			break;
		}
		uint32_t clen = rd32(rh + 4), plen = rd32(rh + 8);
		bool delta = memcmp(rh, DELTA_MAGIC, 4) == 0;
		bool is_meta = memcmp(rh, META_MAGIC, 4) == 0;
		bool fits = st.st_size - off - REC_HDR >= (off_t)clen;
		if ((!delta && !is_meta && memcmp(rh, REC_MAGIC, 4) != 0) || plen > MAX_PLAIN || clen == 0 ||
		    (!fits && header_sane(fd, resync(fd, off + 1, st.st_size), st.st_size))) {
			/* a damaged header: one record lost, reading goes on at the
			 * next record that checks out */
			off_t next = resync(fd, off + 1, st.st_size);
			if (!index_grow(p))
				break;
			p->v[p->n++] = (struct recidx){off, 0, 0, 0, 0, true, true, meta};
			damaged++;
			off = next;
			continue;
		}
		if (!fits) {
			snprintf(p->note, sizeof(p->note), "cut short after record %zu (a crash while writing?)", p->n);
			break;
		}
		if (is_meta) {
			tt_rec_meta m;
			void *q = realloc(p->metas, (p->nmetas + 1) * sizeof(*p->metas));
			if (q)
				p->metas = q;
			if (q && read_meta(fd, off, clen, plen, rd32(rh + 12), &m) == 0) {
				p->metas[p->nmetas] = m;
				meta = (int)p->nmetas++;
			}
			off += REC_HDR + clen;
			continue;
		}
		if (!index_grow(p))
			break;
		p->v[p->n++] = (struct recidx){off, clen, plen, rd32(rh + 12), 0, delta, false, meta};
		off += REC_HDR + clen;
	}
	if (damaged && !p->note[0])
		snprintf(p->note, sizeof(p->note), "%zu damaged record header%s skipped", damaged, damaged > 1 ? "s" : "");
	/* times, for the header and for jumps: decode each record's first bytes */
	for (size_t i = 0; i < p->n; i++) {
		tt_snapshot s;
		tt_snapshot_init(&s);
		char e2[64];
		if (tt_replay_read(p, i, &s, e2, sizeof(e2)) == 0)
			p->v[i].time = s.time;
		tt_snapshot_free(&s);
	}
	return p;
}

int tt_replay_read_settings(const char *path, tt_rec_meta *m)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -2;
	struct stat st;
	unsigned char h[HDR_LEN], rh[REC_HDR];
	int rc = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && pread(fd, h, HDR_LEN, 0) == HDR_LEN &&
	    !memcmp(h, FILE_MAGIC, 8) && pread(fd, rh, REC_HDR, HDR_LEN) == REC_HDR && !memcmp(rh, META_MAGIC, 4))
		rc = read_meta(fd, HDR_LEN, rd32(rh + 4), rd32(rh + 8), rd32(rh + 12), m);
	close(fd);
	return rc;
}

const tt_rec_meta *tt_replay_meta(const tt_replay *p, size_t i)
{
	if (i >= p->n || p->v[i].meta < 0)
		return NULL;
	return &p->metas[p->v[i].meta];
}

size_t tt_replay_next_whole(const tt_replay *p, size_t i)
{
	for (size_t j = i + 1; j < p->n; j++)
		if (!p->v[j].delta && !p->v[j].bad)
			return j;
	return p->n;
}

size_t tt_replay_count(const tt_replay *p)
{
	return p->n;
}

const char *tt_replay_note(const tt_replay *p)
{
	return p->note;
}

double tt_replay_time(const tt_replay *p, size_t i)
{
	return i < p->n ? p->v[i].time : 0;
}

/* Decode record i (a delta against base) into out. */
static int read_one(tt_replay *p, size_t i, const tt_snapshot *base, tt_snapshot *out, char *err, size_t errlen)
{
	const struct recidx *x = &p->v[i];
	if (x->bad) {
		snprintf(err, errlen, "%s: record %zu is damaged (its header)", p->path, i + 1);
		return -1;
	}
	unsigned char *c = malloc(x->clen), *plain = malloc(x->plen ? x->plen : 1);
	int rc = -1;
	if (!c || !plain) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (pread(p->fd, c, x->clen, x->off + REC_HDR) != (ssize_t)x->clen) {
		snprintf(err, errlen, "%s: record %zu: %s", p->path, i + 1, strerror(errno));
		goto out;
	}
	if ((uint32_t)crc32(0L, c, x->clen) != x->crc) {
		snprintf(err, errlen, "%s: record %zu is damaged (checksum mismatch)", p->path, i + 1);
		goto out;
	}
	uLongf plen = x->plen;
	if (uncompress(plain, &plen, c, x->clen) != Z_OK || plen != x->plen ||
	    (x->delta ? tt_snapshot_decode_delta(plain, plen, base, out) : tt_snapshot_decode(plain, plen, out)) < 0) {
		snprintf(err, errlen, "%s: record %zu is damaged (does not decode)", p->path, i + 1);
		tt_snapshot_clear(out);
		goto out;
	}
	rc = 0;
out:
	free(c);
	free(plain);
	return rc;
}

int tt_replay_read(tt_replay *p, size_t i, tt_snapshot *out, char *err, size_t errlen)
{
	if (i >= p->n) {
		snprintf(err, errlen, "no record %zu", i);
		return -1;
	}
	/* a delta needs the records before it, back to a whole one; the last
	 * record decoded is kept, so reading in order decodes each once */
	size_t k = i;
	while (k > 0 && p->v[k].delta && !(p->cache_ok && p->cache_i == k))
		k--;
	if (!(p->cache_ok && p->cache_i == k)) {
		if (p->v[k].delta) {
			snprintf(err, errlen, "%s: record %zu: the record it builds on is missing", p->path, i + 1);
			return -1;
		}
		p->cache_ok = false;
		if (read_one(p, k, NULL, &p->cache, err, errlen) < 0)
			return -1;
		p->cache_i = k;
		p->cache_ok = true;
	}
	for (size_t j = k + 1; j <= i; j++) {
		if (read_one(p, j, &p->cache, &p->tmp, err, errlen) < 0) {
			if (j < i)
				snprintf(err, errlen, "%s: record %zu cannot be rebuilt: record %zu before it is damaged", p->path,
					 i + 1, j + 1);
			return -1;
		}
		tt_snapshot t = p->cache;
		p->cache = p->tmp;
		p->tmp = t;
		p->cache_i = j;
	}
	if (tt_rec_snap_copy(out, &p->cache) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void tt_replay_close(tt_replay *p)
{
	if (!p)
		return;
	close(p->fd);
	tt_snapshot_free(&p->cache);
	tt_snapshot_free(&p->tmp);
	for (size_t i = 0; i < p->nmetas; i++)
		free(p->metas[i].config_text);
	free(p->metas);
	free(p->v);
	free(p);
}

