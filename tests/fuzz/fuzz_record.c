/* libFuzzer: the recording reader: one record body (whole, and as a delta
 * against a small base) and a whole file (header, framing, CRC, zlib, the
 * chain of deltas). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "tenantop/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static tt_snapshot base;
	static int have_base;
	if (!have_base) {
		tt_snapshot_init(&base);
		for (int i = 0; i < 3; i++) {
			tt_sock *k = tt_snapshot_add_sock(&base);
			k->inode = (uint64_t)(100 + i);
			k->family = TT_FAM_TCP4;
			k->state = TT_ST_ESTABLISHED;
		}
		tt_proc *p = tt_snapshot_add_proc(&base);
		p->pid = 42;
		for (int i = 0; i < 2; i++) {
			tt_owner *o = tt_snapshot_add_owner(&base);
			o->inode = (uint64_t)(100 + i);
		}
		have_base = 1;
	}
	tt_snapshot s;
	tt_snapshot_init(&s);
	tt_snapshot_decode(data, size, &s);
	tt_snapshot_decode_delta(data, size, &base, &s);
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof(path), "/dev/shm/tt-fuzz-rec-%d", (int)getpid());
	FILE *f = fopen(path, "w");
	if (f) {
		fwrite(data, 1, size, f);
		fclose(f);
		char err[256];
		tt_replay *p = tt_replay_open(path, err, sizeof(err));
		if (p) {
			size_t n = tt_replay_count(p);
			for (size_t i = 0; i < n && i < 64; i++)
				tt_replay_read(p, i, &s, err, sizeof(err));
			tt_replay_close(p);
		}
	}
	tt_snapshot_free(&s);
	return 0;
}
