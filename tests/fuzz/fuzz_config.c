/* libFuzzer: the config file (inih + tenantop's keys, rules and regexes). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "tenantop/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof(path), "/dev/shm/tt-fuzz-conf-%d", (int)getpid());
	FILE *f = fopen(path, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	tt_conf c;
	char err[512];
	if (tt_conf_init(&c) == 0) {
		tt_conf_load(&c, path, err, sizeof(err));
		tt_conf_free(&c);
	}
	return 0;
}
