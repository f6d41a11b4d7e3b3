/* Unix stream sockets: the table (UNIX_DIAG or /proc/net/unix), what is
 * watched, and each client's remembered target (src/collect/unix.c). */
#ifndef TT_COLLECT_UNIX_H
#define TT_COLLECT_UNIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collect/nl.h"
#include "tenantop/snapshot.h"
#include "tenantop/u64set.h"
#include "tenantop/unixwatch.h"

typedef struct tt_unix_raw {
	uint64_t inode, peer; /* peer: the other end's inode, 0 none or gone */
	uint32_t rq, wq;      /* queue lengths (LISTEN: backlog) */
	uint32_t uid;
	uint8_t type;         /* SOCK_STREAM, ... */
	uint8_t state;        /* kernel: 1 connected, 10 listening, 7 unconnected */
	bool has_peer;        /* the source tells peers (netlink) */
	bool has_uid;
	uint16_t namelen;
	char name[112];       /* bound path, raw bytes; abstract names start with '@' */
} tt_unix_raw;

typedef struct tt_unix_table {
	tt_unix_raw *v;
	size_t n, cap;
} tt_unix_table;
void tt_unix_table_free(tt_unix_table *t);

/* What each client socket was connected to (client inode -> path), kept
 * across refreshes so a client whose server end vanished keeps its target. */
typedef struct tt_unix_mem {
	tt_u64set peer_of; /* as of the last commit */
	tt_u64set next;    /* being filled by tt_unix_select */
	char **paths;
	size_t npaths, cap;
} tt_unix_mem;
void tt_unix_mem_init(tt_unix_mem *m);
void tt_unix_mem_free(tt_unix_mem *m);

/* Pure parsers: one UNIX_DIAG message; one /proc/net/unix data line. 0 or -1. */
int tt_nl_unix_parse(const struct nlmsghdr *nlh, tt_unix_raw *out);
int tt_procunix_parse_line(const char *line, size_t len, tt_unix_raw *out);
/* Append the stream sockets (connected or listening) to the table.  Lines or
 * messages that do not parse are counted in *bad. */
int tt_nl_unix_dump(tt_nl_inet *nl, tt_unix_table *t, uint32_t *bad, char *err, size_t errlen);
int tt_procunix_read(int rootfd, const char *relpath, tt_unix_table *t, uint32_t *bad);
/* Append the watched sockets to out: server ends whose path matches, client
 * ends whose peer is such a server end (or was, per mem: then state
 * CLOSE_WAIT), every stream socket when all. */
void tt_unix_select(const tt_unix_table *t, const tt_unix_watch *w, bool all, tt_unix_mem *mem,
		    tt_snapshot *out);
/* After the last tt_unix_select of a refresh: what it saw is now the memory. */
void tt_unix_mem_commit(tt_unix_mem *m);
/* After the commit: a client's target learnt from the socket itself (its
 * server end was gone before it was seen), remembered like a seen one. */
void tt_unix_mem_learn(tt_unix_mem *m, uint64_t inode, const char *path);
const char *tt_unix_mem_target(const tt_unix_mem *m, uint64_t inode); /* NULL none */

#endif
