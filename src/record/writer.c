/* src/record/ owns recordings: their file format (wire.h), writing, indexing
 * and reading.
 *
 * The writer: a header, then records (whole, delta or settings), each
 * compressed and checksummed; a whole snapshot at least every KEY_EVERY. */
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


struct tt_recorder {
	int fd;
	tt_snapshot prev; /* the last snapshot written: the base of the next delta */
	bool have_prev;
	unsigned since_key;
};

int tt_rec_check_header(const unsigned char *h, const char *path, char *err, size_t errlen)
{
	if (memcmp(h, FILE_MAGIC, 8) != 0) {
		snprintf(err, errlen, "%s: not a tenantop recording", path);
		return -1;
	}
	if (rd32(h + 8) < 1 || rd32(h + 8) > TT_REC_VERSION) {
		snprintf(err, errlen, "%s: recording version %u; this tenantop reads version %d", path, rd32(h + 8),
			 TT_REC_VERSION);
		return -1;
	}
	return 0;
}

tt_recorder *tt_recorder_open(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "--record %s: %s%s", path, strerror(errno),
			 errno == ELOOP ? " (a symbolic link: give the file itself)" : "");
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "--record %s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_size == 0) {
		unsigned char h[HDR_LEN] = {0};
		memcpy(h, FILE_MAGIC, 8);
		le32(h + 8, TT_REC_VERSION);
		if (write(fd, h, HDR_LEN) != HDR_LEN) {
			snprintf(err, errlen, "--record %s: %s", path, strerror(errno));
			close(fd);
			return NULL;
		}
	} else {
		unsigned char h[HDR_LEN];
		if (pread(fd, h, HDR_LEN, 0) != HDR_LEN || tt_rec_check_header(h, path, err, errlen) < 0) {
			if (!err[0])
				snprintf(err, errlen, "--record %s: not a tenantop recording", path);
			close(fd);
			return NULL;
		}
	}
	struct tt_recorder *r = calloc(1, sizeof(*r));
	if (!r) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->fd = fd;
	tt_snapshot_init(&r->prev);
	return r;
}

/* Compress PLAIN and append it as one record with MAGIC: bytes written, or -1. */
static long write_record(int fd, const unsigned char *magic, const unsigned char *plain, size_t plen, char *err,
			 size_t errlen)
{
	uLongf clen = compressBound(plen);
	unsigned char *rec = malloc(REC_HDR + clen);
	if (!rec || compress2(rec + REC_HDR, &clen, plain, plen, 6) != Z_OK) {
		free(rec);
		snprintf(err, errlen, "recording: compression failed");
		return -1;
	}
	memcpy(rec, magic, 4);
	le32(rec + 4, (uint32_t)clen);
	le32(rec + 8, (uint32_t)plen);
	le32(rec + 12, (uint32_t)crc32(0L, rec + REC_HDR, (uInt)clen));
	/* one write: with O_APPEND a crash leaves at most a cut last record */
	size_t total = REC_HDR + clen, done = 0;
	while (done < total) {
		ssize_t n = write(fd, rec + done, total - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "recording: %s", strerror(errno));
			free(rec);
			return -1;
		}
		done += (size_t)n;
	}
	free(rec);
	return (long)total;
}

/* The settings record: "tenantop-meta 1\ninterval S\nports LIST\nconfig PATH\n\n" then
 * the config file's text ("-" as PATH: none, the built-in rules). */
long tt_recorder_write_meta(tt_recorder *r, const tt_rec_meta *m, char *err, size_t errlen)
{
	char head[2048];
	int hl = snprintf(head, sizeof(head), "tenantop-meta 1\ninterval %.6g\nports %s\nconfig %s\n\n", m->interval,
			  m->ports[0] ? m->ports : "-", m->config_path[0] ? m->config_path : "-");
	if (hl < 0 || (size_t)hl >= sizeof(head) || m->config_len > MAX_META - sizeof(head)) {
		snprintf(err, errlen, "recording: settings too large to record");
		return -1;
	}
	size_t plen = (size_t)hl + m->config_len;
	unsigned char *plain = malloc(plen ? plen : 1);
	if (!plain) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(plain, head, (size_t)hl);
	if (m->config_len)
		memcpy(plain + hl, m->config_text, m->config_len);
	long n = write_record(r->fd, META_MAGIC, plain, plen, err, errlen);
	free(plain);
	return n;
}

long tt_recorder_write(tt_recorder *r, const tt_snapshot *s, char *err, size_t errlen)
{
	unsigned char *plain;
	size_t plen;
	/* the first record a recorder writes is whole (the file may end with
	 * another run's records), then one whole record every KEY_EVERY */
	bool delta = r->have_prev && r->since_key < KEY_EVERY;
	if ((delta ? tt_snapshot_encode_delta(&r->prev, s, &plain, &plen) : tt_snapshot_encode(s, &plain, &plen)) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	long total = write_record(r->fd, delta ? DELTA_MAGIC : REC_MAGIC, plain, plen, err, errlen);
	free(plain);
	if (total < 0)
		return -1;
	r->since_key = delta ? r->since_key + 1 : 1;
	r->have_prev = tt_rec_snap_copy(&r->prev, s) == 0; /* out of memory: the next one is whole */
	return (long)total;
}

void tt_recorder_close(tt_recorder *r)
{
	if (!r)
		return;
	close(r->fd);
	tt_snapshot_free(&r->prev);
	free(r);
}

