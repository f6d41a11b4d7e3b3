/* /proc/net/tcp{,6} text: the fallback TCP socket table (src/collect/procnet.c). */
#ifndef TT_COLLECT_PROCNET_H
#define TT_COLLECT_PROCNET_H

#include <stddef.h>

#include "collect/filter.h"
#include "tenantop/snapshot.h"
#include "tenantop/u64set.h"

/* Parse one /proc/net/tcp or tcp6 data line (not the header) into *out.
 * family is TT_FAM_TCP4 or TT_FAM_TCP6.  Pure: no I/O.  Returns 0, or -1
 * when the line is malformed or truncated. */
int tt_procnet_parse_line(const char *line, size_t len, int family, tt_sock *out);

/* Read <root>/<relpath> ("net/tcp", "net/tcp6", "PID/net/tcp") and append
 * the sockets that pass the filter.  If all_inodes is not NULL every inode
 * listed (filtered or not) is added to it.  Malformed lines are counted in
 * out->stats.bad_lines.  Returns 0, or -1 with errno when the file cannot be
 * opened (ENOENT for a kernel without IPv6 is not an error: returns 0). */
int tt_procnet_read(int rootfd, const char *relpath, int family, const tt_sock_filter *f,
		    tt_snapshot *out, tt_u64set *all_inodes);

#endif
