/* /proc/net/tcp and tcp6: the text socket source. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "collect/procnet.h"
#include "tenantop/u64set.h"

/* USER_HZ: the unit of tm->when in these files (jiffies_delta_to_clock_t). */
#define TT_USER_HZ 100

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Parse exactly n hex digits at *p into *out; advance. */
static int hex_n(const char **p, const char *end, int n, uint64_t *out)
{
	uint64_t v = 0;
	if (end - *p < n)
		return -1;
	for (int i = 0; i < n; i++) {
		int h = hexval((*p)[i]);
		if (h < 0)
			return -1;
		v = (v << 4) | (uint64_t)h;
	}
	*p += n;
	*out = v;
	return 0;
}

/* Parse 1+ hex digits. */
static int hex_any(const char **p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	int n = 0;
	while (*p < end && hexval(**p) >= 0 && n < 16) {
		v = (v << 4) | (uint64_t)hexval(**p);
		(*p)++;
		n++;
	}
	if (n == 0 || (*p < end && hexval(**p) >= 0))
		return -1;
	*out = v;
	return 0;
}

static int dec_any(const char **p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	int n = 0;
	bool neg = false;
	if (*p < end && **p == '-') {
		neg = true;
		(*p)++;
	}
	while (*p < end && **p >= '0' && **p <= '9' && n < 20) {
		v = v * 10 + (uint64_t)(**p - '0');
		(*p)++;
		n++;
	}
	if (n == 0 || (*p < end && **p >= '0' && **p <= '9'))
		return -1;
	*out = neg ? 0 : v;
	return 0;
}

static void skip_ws(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
}

static int expect(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return -1;
	(*p)++;
	return 0;
}

/* An address as the kernel prints it: 32-bit words in host order, %08X each. */
static int parse_addr(const char **p, const char *end, int family, uint8_t addr[16], uint16_t *port)
{
	int words = family == TT_FAM_TCP4 ? 1 : 4;
	memset(addr, 0, 16);
	for (int i = 0; i < words; i++) {
		uint64_t w;
		if (hex_n(p, end, 8, &w) < 0)
			return -1;
		uint32_t host = (uint32_t)w;
		memcpy(addr + 4 * i, &host, 4); /* host order in memory = the kernel's bytes */
	}
	uint64_t pt;
	if (expect(p, end, ':') < 0 || hex_n(p, end, 4, &pt) < 0)
		return -1;
	*port = (uint16_t)pt;
	return 0;
}

int tt_procnet_parse_line(const char *line, size_t len, int family, tt_sock *out)
{
	const char *p = line, *end = line + len;
	uint64_t v, v2;
	while (end > p && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\r'))
		end--;
	memset(out, 0, sizeof(*out));
	out->family = (uint8_t)family;
	skip_ws(&p, end);
	/* sl */
	if (dec_any(&p, end, &v) < 0 || expect(&p, end, ':') < 0)
		return -1;
	skip_ws(&p, end);
	if (parse_addr(&p, end, family, out->laddr, &out->lport) < 0)
		return -1;
	skip_ws(&p, end);
	if (parse_addr(&p, end, family, out->raddr, &out->rport) < 0)
		return -1;
	skip_ws(&p, end);
	if (hex_n(&p, end, 2, &v) < 0)
		return -1;
	out->state = (uint8_t)tt_state_from_kernel((unsigned)v);
	if (out->state == TT_ST_UNKNOWN)
		return -1;
	skip_ws(&p, end);
	/* tx_queue:rx_queue */
	if (hex_any(&p, end, &v) < 0 || expect(&p, end, ':') < 0 || hex_any(&p, end, &v2) < 0)
		return -1;
	out->txq = (uint32_t)v;
	out->rxq = (uint32_t)v2;
	skip_ws(&p, end);
	/* tr:tm->when */
	if (hex_any(&p, end, &v) < 0 || expect(&p, end, ':') < 0 || hex_any(&p, end, &v2) < 0)
		return -1;
	out->timer = (uint8_t)v;
	out->timer_ms = (uint32_t)(v2 * (1000 / TT_USER_HZ));
	skip_ws(&p, end);
	/* retrnsmt */
	if (hex_any(&p, end, &v) < 0)
		return -1;
	out->retrans = (uint32_t)v;
	skip_ws(&p, end);
	if (dec_any(&p, end, &v) < 0)
		return -1;
	out->uid = (uint32_t)v;
	skip_ws(&p, end);
	if (dec_any(&p, end, &v) < 0)
		return -1;
	out->timeout = (uint32_t)v;
	skip_ws(&p, end);
	if (dec_any(&p, end, &v) < 0)
		return -1;
	out->inode = v;
	skip_ws(&p, end);
	/* refcount and the pointer; TIME_WAIT and request lines end soon after */
	if (p < end && dec_any(&p, end, &v) == 0)
		out->refcnt = (uint32_t)v;
	return 0;
}

/* Open a file beneath the root without following any symlink out of it. */
static int open_beneath(int rootfd, const char *relpath)
{
	struct open_how how;
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	int fd = (int)syscall(SYS_openat2, rootfd, relpath, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(rootfd, relpath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return fd;
}

int tt_procnet_read(int rootfd, const char *relpath, int family, const tt_sock_filter *f,
		    tt_snapshot *out, struct tt_u64set *all_inodes)
{
	int fd = open_beneath(rootfd, relpath);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	char buf[65536];
	size_t have = 0;
	bool header = true, eof = false;
	int rc = 0;
	while (!eof) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		if (n == 0)
			eof = true;
		have += (size_t)n;
		size_t start = 0;
		for (;;) {
			char *nl = memchr(buf + start, '\n', have - start);
			size_t llen;
			if (nl)
				llen = (size_t)(nl - (buf + start));
			else if (eof && have > start)
				llen = have - start;
			else
				break;
			const char *line = buf + start;
			start += llen + (nl ? 1 : 0);
			if (header) {
				header = false;
				continue;
			}
			if (llen == 0)
				continue;
			tt_sock k;
			if (tt_procnet_parse_line(line, llen, family, &k) < 0) {
				out->stats.bad_lines++;
				continue;
			}
			out->stats.table_lines++;
			if (all_inodes && k.inode)
				tt_u64set_add(all_inodes, k.inode);
			if (f && !tt_sock_filter_match(f, &k))
				continue;
			tt_sock *dst = tt_snapshot_add_sock(out);
			if (!dst) {
				close(fd);
				errno = ENOMEM;
				return -1;
			}
			*dst = k;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
		if (have == sizeof(buf)) { /* a line longer than the buffer: not ours */
			out->stats.bad_lines++;
			have = 0;
		}
	}
	close(fd);
	return rc;
}
