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
	truncate(path, (off_t)(st.st_size));
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
	assert_int_equal(tt_replay_read(p, 2, &s, err, sizeof(err)), 0);
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
		cmocka_unit_test(test_decode_rejects_lies),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
