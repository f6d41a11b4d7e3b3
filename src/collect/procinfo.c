/* Process facts from /proc/PID: pure parsers and the reader. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "collect/procinfo.h"

#define CMDLINE_MAX 4096 /* bytes of a command line kept (sanitised form) */

int tt_parse_stat(const char *buf, size_t len, char *comm, size_t commlen, int32_t *ppid,
		  uint64_t *start_time)
{
	const char *open = memchr(buf, '(', len);
	if (!open)
		return -1;
	const char *close = NULL;
	for (const char *p = buf + len; p > open; p--)
		if (p[-1] == ')') {
			close = p - 1;
			break;
		}
	if (!close)
		return -1;
	if (comm && commlen) {
		size_t n = (size_t)(close - open - 1);
		if (n >= commlen)
			n = commlen - 1;
		memcpy(comm, open + 1, n);
		comm[n] = '\0';
	}
	/* after ") ": field 3 (state) onwards; ppid is field 4, starttime 22 */
	const char *p = close + 1, *end = buf + len;
	int field = 2;
	long long v_ppid = -1;
	unsigned long long v_start = 0;
	bool have_start = false;
	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		if (p >= end)
			break;
		field++;
		const char *tok = p;
		while (p < end && *p != ' ' && *p != '\n')
			p++;
		if (field == 4 || field == 22) {
			char num[32];
			size_t n = (size_t)(p - tok);
			if (n == 0 || n >= sizeof(num))
				return -1;
			memcpy(num, tok, n);
			num[n] = '\0';
			char *e;
			errno = 0;
			unsigned long long v = strtoull(num, &e, 10);
			if (*e || errno)
				return -1;
			if (field == 4)
				v_ppid = (long long)v;
			else {
				v_start = v;
				have_start = true;
				break;
			}
		}
		if (p < end && *p == '\n')
			break;
	}
	if (v_ppid < 0 || !have_start)
		return -1;
	if (ppid)
		*ppid = (int32_t)v_ppid;
	if (start_time)
		*start_time = v_start;
	return 0;
}

int tt_parse_status_uid(const char *buf, size_t len, uint32_t *uid)
{
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (le - p > 4 && memcmp(p, "Uid:", 4) == 0) {
			const char *q = p + 4;
			while (q < le && (*q == ' ' || *q == '\t'))
				q++;
			unsigned long long v = 0;
			int n = 0;
			while (q < le && *q >= '0' && *q <= '9' && n < 11) {
				v = v * 10 + (unsigned)(*q - '0');
				q++;
				n++;
			}
			if (n == 0 || n > 10 || v > UINT32_MAX)
				return -1;
			*uid = (uint32_t)v;
			return 0;
		}
		p = le + 1;
	}
	return -1;
}

uint64_t tt_parse_socket_link(const char *link, size_t len)
{
	if (len < 10 || memcmp(link, "socket:[", 8) != 0 || link[len - 1] != ']')
		return 0;
	uint64_t v = 0;
	for (size_t i = 8; i < len - 1; i++) {
		if (link[i] < '0' || link[i] > '9' || i > 8 + 19)
			return 0;
		v = v * 10 + (uint64_t)(link[i] - '0');
	}
	return v;
}

int tt_parse_sockstat(const char *buf, size_t len, int64_t *inuse, int64_t *orphan, int64_t *tw,
		      int64_t *alloc)
{
	*inuse = *orphan = *tw = *alloc = -1;
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (le - p > 5 && memcmp(p, "TCP: ", 5) == 0) {
			char line[256];
			size_t n = (size_t)(le - p);
			if (n >= sizeof(line))
				n = sizeof(line) - 1;
			memcpy(line, p, n);
			line[n] = '\0';
			char *save = NULL, *tok = strtok_r(line + 5, " ", &save);
			while (tok) {
				char *val = strtok_r(NULL, " ", &save);
				if (!val)
					break;
				char *e;
				long long v = strtoll(val, &e, 10);
				if (*e == '\0' && v >= 0) {
					if (strcmp(tok, "inuse") == 0)
						*inuse = v;
					else if (strcmp(tok, "orphan") == 0)
						*orphan = v;
					else if (strcmp(tok, "tw") == 0)
						*tw = v;
					else if (strcmp(tok, "alloc") == 0)
						*alloc = v;
				}
				tok = strtok_r(NULL, " ", &save);
			}
			return (*inuse >= 0 && *alloc >= 0) ? 0 : -1;
		}
		p = le + 1;
	}
	return -1;
}

int tt_openat_beneath(int dirfd, const char *path, int flags)
{
	struct open_how how;
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(dirfd, path, flags | O_CLOEXEC | O_NOFOLLOW);
	return fd;
}

ssize_t tt_read_file_at(int dirfd, const char *path, char *buf, size_t len)
{
	int fd = tt_openat_beneath(dirfd, path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t have = 0;
	while (have < len) {
		ssize_t n = read(fd, buf + have, len - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		have += (size_t)n;
	}
	close(fd);
	return (ssize_t)have;
}

/* readlinkat that reports the link text, cut to len-1 bytes; -1 on error. */
static ssize_t read_link(int dirfd, const char *path, char *buf, size_t len)
{
	ssize_t n = readlinkat(dirfd, path, buf, len - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

int tt_read_stat_at(int rootfd, int pid, char *comm, size_t commlen, int32_t *ppid, uint64_t *start)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "%d/stat", pid);
	ssize_t n = tt_read_file_at(rootfd, path, buf, sizeof(buf));
	if (n < 0)
		return -1;
	if (tt_parse_stat(buf, (size_t)n, comm, commlen, ppid, start) < 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

DIR *tt_opendir_at(int dirfd)
{
	int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return NULL;
	DIR *d = fdopendir(dfd);
	if (!d)
		close(dfd);
	return d;
}

long tt_pid_of_name(const char *name)
{
	if (*name < '1' || *name > '9')
		return -1;
	char *end;
	long pid = strtol(name, &end, 10);
	return *end || pid <= 0 || pid > INT32_MAX ? -1 : pid;
}

int tt_proc_start_time(const char *proc_root, int pid, uint64_t *start)
{
	int rootfd = open(proc_root ? proc_root : "/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -1;
	char comm[64];
	int32_t ppid;
	int rc = tt_read_stat_at(rootfd, pid, comm, sizeof(comm), &ppid, start);
	close(rootfd);
	return rc;
}

long tt_read_proc(int rootfd, int pid, tt_users *users, tt_snapshot *out)
{
	char path[64], comm[64];
	int32_t ppid;
	uint64_t start;
	if (tt_read_stat_at(rootfd, pid, comm, sizeof(comm), &ppid, &start) < 0) {
		if (errno == ENOENT || errno == ESRCH)
			out->stats.vanished++;
		return -1;
	}
	char buf[8192];
	uint32_t uid = 0;
	uint32_t flags = 0;
	snprintf(path, sizeof(path), "%d/status", pid);
	ssize_t n = tt_read_file_at(rootfd, path, buf, sizeof(buf));
	if (n < 0 || tt_parse_status_uid(buf, (size_t)n, &uid) < 0) {
		if (n < 0 && (errno == ENOENT || errno == ESRCH)) {
			out->stats.vanished++;
			return -1;
		}
		flags |= TT_PF_FACTS_PARTIAL;
	}
	tt_proc *p = tt_snapshot_add_proc(out);
	if (!p)
		return -1;
	long index = (long)(out->nprocs - 1);
	p->pid = pid;
	p->ppid = ppid;
	p->uid = uid;
	p->start_time = start;
	p->comm = tt_snapshot_str(out, comm, strlen(comm), 80);
	/* out->procs may move as strings are added: re-fetch through the index */
	snprintf(path, sizeof(path), "%d/cmdline", pid);
	n = tt_read_file_at(rootfd, path, buf, sizeof(buf));
	if (n > 0) {
		while (n > 0 && buf[n - 1] == '\0')
			n--;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		uint32_t off = tt_snapshot_str(out, buf, (size_t)n, CMDLINE_MAX);
		out->procs[index].cmdline = off;
	} else if (n == 0) {
		if (ppid == 2 || pid == 2)
			flags |= TT_PF_KERNEL;
	} else {
		flags |= TT_PF_FACTS_PARTIAL;
	}
	snprintf(path, sizeof(path), "%d/cwd", pid);
	n = read_link(rootfd, path, buf, sizeof(buf));
	if (n > 0)
		out->procs[index].cwd = tt_snapshot_str(out, buf, (size_t)n, 1024);
	else
		flags |= TT_PF_FACTS_PARTIAL;
	snprintf(path, sizeof(path), "%d/exe", pid);
	n = read_link(rootfd, path, buf, sizeof(buf));
	if (n > 0)
		out->procs[index].exe = tt_snapshot_str(out, buf, (size_t)n, 1024);
	snprintf(path, sizeof(path), "%d/cgroup", pid);
	n = tt_read_file_at(rootfd, path, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		/* the unified hierarchy's "0::/path", else the first line's path */
		char *line = strstr(buf, "0::");
		if (line && (line == buf || line[-1] == '\n'))
			line += 3;
		else {
			line = strchr(buf, ':');
			line = line ? strchr(line + 1, ':') : NULL;
			line = line ? line + 1 : buf;
		}
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		out->procs[index].cgroup = tt_snapshot_str(out, line, len, 1024);
	}
	const char *name = users ? tt_users_name(users, uid) : NULL;
	if (name)
		out->procs[index].user = tt_snapshot_str_trusted(out, name);
	out->procs[index].flags |= flags;
	return index;
}
