/* The kernel's TCP counters (/proc/net/netstat, src/collect/netstat.c). */
#ifndef TT_COLLECT_NETSTAT_H
#define TT_COLLECT_NETSTAT_H

#include <stddef.h>
#include <stdint.h>

/* The value of the TcpExt counter named name (e.g. "TCPTimeWaitOverflow")
 * in the text of /proc/net/netstat: a header line of names, then a line of
 * values.  -1 when it is not there or the text is malformed. */
int64_t tt_parse_netstat(const char *buf, size_t len, const char *name);

#endif
