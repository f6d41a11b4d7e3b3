/* libFuzzer: the recording reader, one record body (decode) and a whole
 * file (header, framing, CRC, zlib). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "tenantop/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tt_snapshot s;
	tt_snapshot_init(&s);
	tt_snapshot_decode(data, size, &s);
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
