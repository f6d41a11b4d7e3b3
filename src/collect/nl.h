/* Netlink sock_diag: the INET_DIAG reader and the dump loop the Unix
 * reader shares (src/collect/nl_inet.c). */
#ifndef TT_COLLECT_NL_H
#define TT_COLLECT_NL_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collect/filter.h"
#include "tenantop/snapshot.h"

typedef struct tt_nl_inet tt_nl_inet;
tt_nl_inet *tt_nl_inet_open(char *err, size_t errlen); /* NULL when netlink is unusable */
/* Every TCP socket matching the filter, in one walk of the kernel's table
 * (one per family where the kernel does not take that request); the state
 * mask and the port list go into the kernel request (bytecode).  want_info
 * asks for tcp_info.  Returns 0 or -1 with a message. */
int tt_nl_inet_dump_tcp(tt_nl_inet *nl, const tt_sock_filter *f, bool want_info, tt_snapshot *out, char *err,
			size_t errlen);
void tt_nl_inet_close(tt_nl_inet *nl);
/* Pure: decode one inet_diag_msg netlink message (header included) into
 * *out.  Returns 0, -1 when malformed. */
int tt_nl_inet_parse(const struct nlmsghdr *nlh, tt_sock *out);
/* Pure: build the inet_diag bytecode that keeps sockets whose source or
 * destination port is in the list.  Returns the length written, 0 when the
 * buffer is too small or the list empty (then no kernel filter is used). */
size_t tt_nl_inet_bytecode(const uint16_t *ports, size_t nports, void *buf, size_t buflen);

/* The payload length of an attribute, cut at the end of its message: libmnl
 * bounds attributes by the message length rounded up to 4, which may reach
 * past a message that is not a multiple of 4 long. */
static inline size_t tt_nl_attr_len(const struct nlmsghdr *nlh, const struct nlattr *a)
{
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const char *p = mnl_attr_get_payload(a);
	size_t n = mnl_attr_get_payload_len(a);
	if (p >= end)
		return 0;
	return (size_t)(end - p) < n ? (size_t)(end - p) : n;
}

/* Send one sock_diag dump request (its sequence number is set here) and run
 * cb over every answer.  oom (may be NULL) points at the callback's
 * out-of-memory flag, for the message.  0 or -1 with a message. */
int tt_nl_dump(tt_nl_inet *n, struct nlmsghdr *nlh, int (*cb)(const struct nlmsghdr *, void *), void *data,
	       const int *oom, char *err, size_t errlen);

#endif
