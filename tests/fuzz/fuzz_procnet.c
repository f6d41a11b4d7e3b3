/* libFuzzer: the /proc/net/tcp{,6} and /proc/net/unix line parsers. */
#include <stddef.h>
#include <stdint.h>

#include "collect/procnet.h"
#include "collect/unix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tt_sock k;
	tt_unix_raw u;
	tt_procnet_parse_line((const char *)data, size, TT_FAM_TCP4, &k);
	tt_procnet_parse_line((const char *)data, size, TT_FAM_TCP6, &k);
	tt_procunix_parse_line((const char *)data, size, &u);
	return 0;
}
