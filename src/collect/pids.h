/* The processes of a proc root, listed once per refresh for everything
 * that walks them (namespaces, the owner scan) (src/collect/pids.c). */
#ifndef TT_COLLECT_PIDS_H
#define TT_COLLECT_PIDS_H

#include <stddef.h>
#include <stdint.h>

typedef struct tt_pid_ent {
	int32_t pid;
	uint64_t ino; /* the /proc entry's inode (a reused pid has another), 0 unknown */
} tt_pid_ent;
typedef struct tt_pids {
	tt_pid_ent *v;
	size_t n, cap;
} tt_pids;

/* Replace the list with the pids under rootfd, in directory order.  0, or
 * -1 with errno when the root cannot be listed. */
int tt_pids_read(tt_pids *p, int rootfd);
void tt_pids_free(tt_pids *p);

#endif
