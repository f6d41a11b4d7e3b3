/* Process facts from /proc/PID: pure parsers, the reader, and the
 * openat-beneath helpers every /proc read goes through (src/collect/procinfo.c). */
#ifndef TT_COLLECT_PROCINFO_H
#define TT_COLLECT_PROCINFO_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "collect/users.h"
#include "tenantop/procstart.h"
#include "tenantop/snapshot.h"

/* stat: comm is between the first '(' and the LAST ')'.  Fills comm (raw,
 * at most commlen-1 bytes), ppid and start_time.  0 or -1 when malformed. */
int tt_parse_stat(const char *buf, size_t len, char *comm, size_t commlen, int32_t *ppid,
		  uint64_t *start_time);
/* status: the real uid from the "Uid:" line.  0 or -1. */
int tt_parse_status_uid(const char *buf, size_t len, uint32_t *uid);
/* A /proc entry name that is a pid ("4242") -> 4242; -1 otherwise. */
long tt_pid_of_name(const char *name);
/* "socket:[12345]" -> 12345; 0 when the link is not a socket. */
uint64_t tt_parse_socket_link(const char *link, size_t len);
/* sockstat: fills inuse/orphan/tw/alloc of the TCP line; -1 for each missing. */
int tt_parse_sockstat(const char *buf, size_t len, int64_t *inuse, int64_t *orphan, int64_t *tw,
		      int64_t *alloc);

/* Read one process's facts into the snapshot (appends a tt_proc).  Returns
 * its index, or -1 when the process vanished (counted in stats). */
long tt_read_proc(int rootfd, int pid, tt_users *users, tt_snapshot *out);

DIR *tt_opendir_at(int dirfd); /* a DIR over dirfd's folder, NULL with errno */
int tt_openat_beneath(int dirfd, const char *path, int flags);
ssize_t tt_read_file_at(int dirfd, const char *path, char *buf, size_t len);
int tt_read_stat_at(int rootfd, int pid, char *comm, size_t commlen, int32_t *ppid, uint64_t *start);

#endif
