/* libFuzzer: the sock_diag (INET_DIAG) and UNIX_DIAG message parsers, fed
 * as libmnl hands them over: a header whose length fits the buffer. */
#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/nl.h"
#include "collect/unix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < sizeof(struct nlmsghdr) || size > 65536)
		return 0;
	struct nlmsghdr *nlh = malloc(size);
	if (!nlh)
		return 0;
	memcpy(nlh, data, size);
	if (nlh->nlmsg_len > size || nlh->nlmsg_len < sizeof(struct nlmsghdr))
		nlh->nlmsg_len = (uint32_t)size; /* libmnl checks this before the callback */
	tt_sock k;
	tt_unix_raw u;
	tt_nl_inet_parse(nlh, &k);
	tt_nl_unix_parse(nlh, &u);
	free(nlh);
	return 0;
}
