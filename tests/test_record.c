/* Recordings: the round trip equals the live snapshots; a file cut at every
 * byte offset replays its whole records and never crashes; a damaged record
 * and a foreign file are reported; files are created 0600. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture_util.h"
#include "tenantop/record.h"

#define NREC 3
static char path[64], cut[64];
static tt_snapshot live[NREC];

static void same_snapshot(const tt_snapshot *a, const tt_snapshot *b)
{
	assert_true(a->time == b->time);
	assert_int_equal(a->nsocks, b->nsocks);
	assert_int_equal(a->nprocs, b->nprocs);
	assert_int_equal(a->nowners, b->nowners);
	assert_int_equal(a->strs_len, b->strs_len);
	assert_memory_equal(a->strs, b->strs, a->strs_len);
	for (size_t i = 0; i < a->nsocks; i++) {
		assert_int_equal(a->socks[i].inode, b->socks[i].inode);
		assert_int_equal(a->socks[i].state, b->socks[i].state);
		assert_memory_equal(a->socks[i].raddr, b->socks[i].raddr, 16);
		assert_int_equal(a->socks[i].rport, b->socks[i].rport);
	}
	for (size_t i = 0; i < a->nprocs; i++) {
		assert_int_equal(a->procs[i].pid, b->procs[i].pid);
		assert_string_equal(tt_snapshot_get_str(a, a->procs[i].cmdline), tt_snapshot_get_str(b, b->procs[i].cmdline));
	}
	assert_int_equal(a->stats.bad_lines, b->stats.bad_lines);
	assert_string_equal(a->stats.source, b->stats.source);
}

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof(path), "/tmp/tt-rec-%d.ttrec", (int)getpid());
	snprintf(cut, sizeof(cut), "/tmp/tt-rec-%d.cut", (int)getpid());
	unlink(path);
	char root[512], err[512];
	tt_collect_opts co;
	memset(&co, 0, sizeof(co));
	co.proc_root = fixture_path("proc-basic", root, sizeof(root));
	tt_portset_parse(&co.ports, "3306,5432", err, sizeof(err));
	tt_collector *c = tt_collector_new(&co, err, sizeof(err));
	tt_recorder *r = tt_recorder_open(path, err, sizeof(err));
	if (!c || !r)
		return -1;
	for (int i = 0; i < NREC; i++) {
		tt_snapshot_init(&live[i]);
		if (tt_collect(c, &live[i], err, sizeof(err)) < 0 || tt_recorder_write(r, &live[i], err, sizeof(err)) < 0)
			return -1;
	}
	tt_recorder_close(r);
	tt_collector_free(c);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NREC; i++)
		tt_snapshot_free(&live[i]);
	unlink(path);
	unlink(cut);
	return 0;
}

static void test_round_trip_and_mode(void **state)
{
	(void)state;
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char err[512];
	tt_replay *p = tt_replay_open(path, err, sizeof(err));
	assert_non_null(p);
	assert_int_equal(tt_replay_count(p), NREC);
	assert_string_equal(tt_replay_note(p), "");
	tt_snapshot s;
	tt_snapshot_init(&s);
	for (size_t i = 0; i < NREC; i++) {
		assert_int_equal(tt_replay_read(p, i, &s, err, sizeof(err)), 0);
		same_snapshot(&live[i], &s);
		assert_true(tt_replay_time(p, i) == live[i].time);
	}
	tt_snapshot_free(&s);
	tt_replay_close(p);
	/* appending to a recording keeps it one recording */
	tt_recorder *r = tt_recorder_open(path, err, sizeof(err));
	assert_non_null(r);
	assert_true(tt_recorder_write(r, &live[0], err, sizeof(err)) > 0);
	tt_recorder_close(r);
	p = tt_replay_open(path, err, sizeof(err));
	assert_int_equal(tt_replay_count(p), NREC + 1);
	tt_replay_close(p);
	assert_int_equal(truncate(path, (off_t)(st.st_size)), 0);
}

static void test_cut_at_every_offset(void **state)
{
	(void)state;
	char *whole = read_whole(path);
	struct stat st;
	stat(path, &st);
	size_t size = (size_t)st.st_size;
	/* record boundaries, from a clean index */
	char err[512];
	size_t ends[NREC];
	{
		size_t off = 32;
		for (int i = 0; i < NREC; i++) {
			const unsigned char *h = (const unsigned char *)whole + off;
			uint32_t clen = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
			off += 16 + clen;
			ends[i] = off;
		}
		assert_int_equal(off, size);
	}
	tt_snapshot s;
	tt_snapshot_init(&s);
	for (size_t len = 0; len < size; len++) {
		FILE *f = fopen(cut, "w");
		fwrite(whole, 1, len, f);
		fclose(f);
		tt_replay *p = tt_replay_open(cut, err, sizeof(err));
		if (len < 32) {
			assert_null(p); /* not even a header */
			continue;
		}
		assert_non_null(p);
		size_t whole_records = 0;
		for (int i = 0; i < NREC; i++)
			whole_records += ends[i] <= len;
		assert_int_equal(tt_replay_count(p), whole_records);
		if (len > 32 && whole_records < NREC && len != ends[whole_records ? whole_records - 1 : 0])
			assert_non_null(strstr(tt_replay_note(p), "cut short"));
		for (size_t i = 0; i < tt_replay_count(p); i++)
			assert_int_equal(tt_replay_read(p, i, &s, err, sizeof(err)), 0);
		tt_replay_close(p);
	}
	tt_snapshot_free(&s);
	free(whole);
}

static void test_damage_and_foreign(void **state)
{
	(void)state;
	char *whole = read_whole(path);
	struct stat st;
	stat(path, &st);
	/* flip a byte inside the second record's compressed data */
	size_t off = 32;
	const unsigned char *h = (const unsigned char *)whole + off;
	uint32_t clen = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
	whole[off + 16 + clen + 16 + 5] ^= 0x55;
	FILE *f = fopen(cut, "w");
	fwrite(whole, 1, (size_t)st.st_size, f);
	fclose(f);
	char err[512];
	tt_replay *p = tt_replay_open(cut, err, sizeof(err));
	assert_non_null(p);
	tt_snapshot s;
	tt_snapshot_init(&s);
	assert_int_equal(tt_replay_read(p, 0, &s, err, sizeof(err)), 0);
	assert_int_equal(tt_replay_read(p, 1, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "record 2 is damaged (checksum mismatch)"));
	/* record 3 holds the changes since record 2: it cannot be rebuilt */
	assert_int_equal(tt_replay_read(p, 2, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "record 3 cannot be rebuilt: record 2 before it is damaged"));
	/* and record 1 still reads after that */
	assert_int_equal(tt_replay_read(p, 0, &s, err, sizeof(err)), 0);
	tt_replay_close(p);
	/* a foreign file, and a future version */
	f = fopen(cut, "w");
	fputs("this is not a recording, but it is long enough to have a header", f);
	fclose(f);
	assert_null(tt_replay_open(cut, err, sizeof(err)));
	assert_non_null(strstr(err, "not a tenantop recording"));
	whole[8] = 9;
	f = fopen(cut, "w");
	fwrite(whole, 1, (size_t)st.st_size, f);
	fclose(f);
	assert_null(tt_replay_open(cut, err, sizeof(err)));
	assert_non_null(strstr(err, "version 9"));
	/* --record refuses to append to something else */
	f = fopen(cut, "w");
	fputs("not a recording at all, and more than thirty-two bytes of it", f);
	fclose(f);
	assert_null(tt_recorder_open(cut, err, sizeof(err)));
	tt_snapshot_free(&s);
	free(whole);
}

static void copy_snap(const tt_snapshot *src, tt_snapshot *dst)
{
	unsigned char *buf;
	size_t len;
	assert_int_equal(tt_snapshot_encode(src, &buf, &len), 0);
	assert_int_equal(tt_snapshot_decode(buf, len, dst), 0);
	free(buf);
}

static void same_bytes(const tt_snapshot *a, const tt_snapshot *b)
{
	unsigned char *x, *y;
	size_t lx, ly;
	assert_int_equal(tt_snapshot_encode(a, &x, &lx), 0);
	assert_int_equal(tt_snapshot_encode(b, &y, &ly), 0);
	assert_int_equal(lx, ly);
	assert_memory_equal(x, y, lx);
	free(x);
	free(y);
}

/* Records after the first hold only what changed: sockets added, gone,
 * changed state, counters that moved as predicted or not, an order that
 * changed, a TIME_WAIT (no inode); every record replays byte for byte,
 * stepping forward, jumping, and going back. */
static void test_delta_round_trip(void **state)
{
	(void)state;
	enum { N = 70 }; /* past one whole record every 60 */
	static tt_snapshot v[N];
	char dpath[64], err[512];
	snprintf(dpath, sizeof(dpath), "/tmp/tt-rec-delta-%d.ttrec", (int)getpid());
	unlink(dpath);
	tt_recorder *r = tt_recorder_open(dpath, err, sizeof(err));
	assert_non_null(r);
	for (int i = 0; i < N; i++) {
		tt_snapshot_init(&v[i]);
		copy_snap(i ? &v[i - 1] : &live[0], &v[i]);
		v[i].time += 2.0 * i;
		tt_sock *k = v[i].socks;
		size_t n = v[i].nsocks;
		assert_true(n >= 4);
		k[0].last_data_recv_ms += 2000;        /* as predicted */
		k[1].last_data_recv_ms = 17u * (unsigned)i; /* not */
		k[1].rtt_us += 5;
		if (i % 3 == 1)
			k[2].state = k[2].state == TT_ST_ESTABLISHED ? TT_ST_CLOSE_WAIT : TT_ST_ESTABLISHED;
		if (i % 5 == 2) { /* one gone, one new at the end */
			memmove(&k[3], &k[4], (n - 4) * sizeof(*k));
			k[n - 1].inode = 900000 + (uint64_t)i;
			k[n - 1].lport = (uint16_t)(40000 + i);
		}
		if (i % 7 == 3) { /* an order change */
			tt_sock t = k[0];
			k[0] = k[n - 1];
			k[n - 1] = t;
		}
		k[n - 1].timer_ms = k[n - 1].timer_ms > 2000 ? k[n - 1].timer_ms - 1990 : 60000;
		assert_true(tt_recorder_write(r, &v[i], err, sizeof(err)) > 0);
	}
	tt_recorder_close(r);
	tt_replay *p = tt_replay_open(dpath, err, sizeof(err));
	assert_non_null(p);
	assert_int_equal(tt_replay_count(p), N);
	tt_snapshot s;
	tt_snapshot_init(&s);
	for (int i = 0; i < N; i++) {
		assert_int_equal(tt_replay_read(p, (size_t)i, &s, err, sizeof(err)), 0);
		same_bytes(&v[i], &s);
	}
	static const size_t jumps[] = {5, 64, 0, 61, 59, 69};
	for (size_t j = 0; j < sizeof(jumps) / sizeof(jumps[0]); j++) {
		assert_int_equal(tt_replay_read(p, jumps[j], &s, err, sizeof(err)), 0);
		same_bytes(&v[jumps[j]], &s);
	}
	tt_replay_close(p);
	/* the deltas are small: the file is far below N whole records */
	struct stat st;
	stat(dpath, &st);
	unsigned char *buf;
	size_t len;
	assert_int_equal(tt_snapshot_encode(&v[0], &buf, &len), 0);
	free(buf);
	print_message("  %d records: %lld bytes (one whole snapshot: %zu bytes before compression)\n", N,
		      (long long)st.st_size, len);
	tt_snapshot_free(&s);
	for (int i = 0; i < N; i++)
		tt_snapshot_free(&v[i]);
	unlink(dpath);
}

static void test_decode_rejects_lies(void **state)
{
	(void)state;
	unsigned char *buf;
	size_t len;
	assert_int_equal(tt_snapshot_encode(&live[0], &buf, &len), 0);
	tt_snapshot s;
	tt_snapshot_init(&s);
	assert_int_equal(tt_snapshot_decode(buf, len, &s), 0);
	/* every truncation of the body is refused, not misread */
	for (size_t n = 0; n < len; n++)
		assert_int_equal(tt_snapshot_decode(buf, n, &s), -1);
	tt_snapshot_free(&s);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_mode),
		cmocka_unit_test(test_cut_at_every_offset),
		cmocka_unit_test(test_damage_and_foreign),
		cmocka_unit_test(test_delta_round_trip), cmocka_unit_test(test_decode_rejects_lies),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
