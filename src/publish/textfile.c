/* The textfile writer: temp file in the same directory, then rename. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tenantop/textfile.h"

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int tt_textfile_write(const char *path, const char *text, size_t len, char *err, size_t errlen)
{
	char dir[4096], tmp[512];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
		snprintf(err, errlen, "--textfile %s: not a file name", path);
		return -1;
	}
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else {
		snprintf(err, errlen, "--textfile: path too long");
		return -1;
	}
	/* hidden and not ending in .prom: the collector never reads it half-written */
	if (snprintf(tmp, sizeof(tmp), ".%s.tmp-%ld", base, (long)getpid()) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "--textfile %s: file name too long", path);
		return -1;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(err, errlen, "--textfile %s: directory %s: %s", path, dir, strerror(errno));
		return -1;
	}
	/* O_EXCL: a symlink (or anything) left at the temporary name is not followed;
	 * one left by an earlier run of this pid is removed once */
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST && unlinkat(dfd, tmp, 0) == 0)
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "--textfile %s: cannot create %s/%s: %s", path, dir, tmp, strerror(errno));
		close(dfd);
		return -1;
	}
	int rc = 0;
	const char *what = "write";
	if (fchmod(fd, 0644) < 0) /* whatever the umask: the collector runs as another user */
		what = "chmod", rc = -1;
	else if (write_all(fd, text, len) < 0)
		rc = -1;
	int e = errno;
	if (close(fd) < 0 && rc == 0)
		what = "close", rc = -1, e = errno;
	if (rc == 0 && renameat(dfd, tmp, dfd, base) < 0)
		what = "rename", rc = -1, e = errno;
	if (rc < 0) {
		unlinkat(dfd, tmp, 0);
		snprintf(err, errlen, "--textfile %s: %s failed: %s", path, what, strerror(e));
	}
	close(dfd);
	return rc;
}
