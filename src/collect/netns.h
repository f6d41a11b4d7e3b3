/* Network namespaces other than the collector's own, each with a member
 * process to read its tables through (src/collect/netns.c). */
#ifndef TT_COLLECT_NETNS_H
#define TT_COLLECT_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collect/pids.h"
#include "tenantop/u64set.h"

struct tt_netns_ent {
	uint64_t inode;
	int32_t pid;       /* a member process */
	uint32_t members;
	char name[64];     /* ip netns name, "" unknown */
};
typedef struct tt_netns {
	uint64_t self;     /* the collector's own namespace; 0: no ns links (fixture) */
	struct tt_netns_ent *v;
	size_t n, cap;
	tt_u64set pid_ns;  /* pid -> namespace inode (0 unreadable) */
	tt_u64set seen;
	unsigned gen;
} tt_netns;
void tt_netns_init(tt_netns *ns);
void tt_netns_free(tt_netns *ns);
/* "net:[4026531840]" -> 4026531840; 0 when the link is not that form. */
uint64_t tt_parse_netns_link(const char *link, size_t len);
/* The namespaces of this refresh's processes.  0 (also when the tree has
 * no namespace links: then none), -1 when they cannot be known. */
int tt_netns_discover(tt_netns *ns, int rootfd, bool real_proc, const tt_pids *pids);
uint64_t tt_netns_of_pid(const tt_netns *ns, int32_t pid); /* 0: own or unknown */
const char *tt_netns_name(const tt_netns *ns, uint64_t inode);

#endif
