/* What a socket says of itself: its state and endpoints, asked through a
 * duplicate of another process's descriptor (pidfd_getfd, Linux 5.6+).
 *
 * This is how a socket that no table lists any more is seen for what it
 * is at first sight: a TCP socket reset by its peer is in state CLOSE and
 * getpeername() fails, but SO_PEERNAME (asked with the exact address size)
 * still gives the peer it was connected to; a Unix client whose server end
 * closed still names the server's socket file with getpeername().
 * Fixture trees (no live sockets) keep the answer in PID/fdpeer/N. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "collect/peek.h"
#include "collect/procinfo.h"
#include "tenantop/snapshot.h"

int tt_parse_endpoint(const char *s, size_t len, tt_peek *pk)
{
	char buf[128];
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] == '/' || buf[0] == '@') {
		memcpy(pk->path, buf, len + 1);
		pk->peer = true;
		return 0;
	}
	char *colon = strrchr(buf, ':');
	if (!colon || colon == buf || !colon[1])
		return -1;
	char *end;
	errno = 0;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (*end || errno || port > 65535)
		return -1;
	*colon = '\0';
	char *host = buf;
	if (host[0] == '[') {
		size_t hl = strlen(host);
		if (hl < 3 || host[hl - 1] != ']')
			return -1;
		host[hl - 1] = '\0';
		host++;
		if (inet_pton(AF_INET6, host, pk->raddr) != 1)
			return -1;
		pk->family = TT_FAM_TCP6;
	} else {
		memset(pk->raddr, 0, sizeof(pk->raddr));
		if (inet_pton(AF_INET, host, pk->raddr) != 1)
			return -1;
		pk->family = TT_FAM_TCP4;
	}
	pk->rport = (uint16_t)port;
	pk->peer = true;
	return 0;
}

static void take_addr(const struct sockaddr_storage *ss, uint8_t *family, uint8_t addr[16], uint16_t *port)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		memset(addr, 0, 16);
		memcpy(addr, &a->sin_addr, 4);
		*port = ntohs(a->sin_port);
		*family = TT_FAM_TCP4;
	} else {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		memcpy(addr, &a->sin6_addr, 16);
		*port = ntohs(a->sin6_port);
		*family = TT_FAM_TCP6;
	}
}

static void tcp_state(int sfd, tt_peek *pk)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(sfd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0)
		pk->state = ti.tcpi_state;
}

static void peek_tcp(int sfd, tt_peek *pk)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t sl = sizeof(ss);
	if (getsockname(sfd, (struct sockaddr *)&ss, &sl) < 0 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) {
		tcp_state(sfd, pk);
		return;
	}
	take_addr(&ss, &pk->family, pk->laddr, &pk->lport);
	pk->local = true;
	sa_family_t fam = ss.ss_family;
	uint8_t f;
	/* a peer getpeername names: connected (neither CLOSE nor SYN_SENT), its
	 * state not asked (the common case, one call fewer) */
	memset(&ss, 0, sizeof(ss));
	sl = sizeof(ss);
	if (getpeername(sfd, (struct sockaddr *)&ss, &sl) == 0 && ss.ss_family == fam) {
		take_addr(&ss, &f, pk->raddr, &pk->rport);
		pk->peer = pk->rport != 0;
		pk->connected = true;
		return;
	}
	tcp_state(sfd, pk);
	/* the peer of a reset socket: SO_PEERNAME with the address's own size
	 * (getpeername says ENOTCONN for state CLOSE) */
	memset(&ss, 0, sizeof(ss));
	sl = fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if (getsockopt(sfd, SOL_SOCKET, SO_PEERNAME, &ss, &sl) < 0)
		return;
	ss.ss_family = fam;
	take_addr(&ss, &f, pk->raddr, &pk->rport);
	pk->peer = pk->rport != 0;
}

static void peek_unix(int sfd, tt_peek *pk)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	socklen_t sl = sizeof(sa);
	if (getpeername(sfd, (struct sockaddr *)&sa, &sl) < 0 || sl <= offsetof(struct sockaddr_un, sun_path))
		return;
	size_t n = sl - offsetof(struct sockaddr_un, sun_path);
	if (n > sizeof(sa.sun_path))
		n = sizeof(sa.sun_path);
	if (sa.sun_path[0] == '\0') { /* abstract: shown with a leading '@' */
		pk->path[0] = '@';
		size_t m = n - 1 < sizeof(pk->path) - 2 ? n - 1 : sizeof(pk->path) - 2;
		memcpy(pk->path + 1, sa.sun_path + 1, m);
		pk->path[m + 1] = '\0';
	} else {
		size_t m = strnlen(sa.sun_path, n);
		if (m >= sizeof(pk->path))
			m = sizeof(pk->path) - 1;
		memcpy(pk->path, sa.sun_path, m);
		pk->path[m] = '\0';
	}
	pk->peer = pk->path[0] != '\0';
}

int tt_peek_pidfd(int pid, int *why)
{
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	*why = pfd < 0 ? errno : 0;
	return pfd;
#else
	(void)pid;
	*why = ENOSYS;
	return -1;
#endif
}

int tt_peek_dup(int pidfd, int fd, int *why)
{
#if defined(SYS_pidfd_getfd)
	int sfd = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (sfd >= 0)
		return sfd;
	*why = errno;
	return errno == EBADF || errno == ESRCH ? TT_PEEK_GONE : TT_PEEK_DENIED;
#else
	(void)pidfd, (void)fd;
	*why = ENOSYS;
	return TT_PEEK_DENIED;
#endif
}

void tt_peek_ask(int sfd, bool unix_sock, tt_peek *pk)
{
	memset(pk, 0, sizeof(*pk));
	pk->state = -1;
	if (unix_sock)
		peek_unix(sfd, pk);
	else
		peek_tcp(sfd, pk);
}

int tt_peek_proto(int sfd, int *family, int *protocol)
{
	socklen_t l1 = sizeof(*family), l2 = sizeof(*protocol);
	if (getsockopt(sfd, SOL_SOCKET, SO_DOMAIN, family, &l1) < 0 ||
	    getsockopt(sfd, SOL_SOCKET, SO_PROTOCOL, protocol, &l2) < 0)
		return -1;
	return 0;
}

int tt_peek_socket(int rootfd, bool real_proc, int pid, int fd, bool unix_sock, tt_peek *pk, int *why)
{
	memset(pk, 0, sizeof(*pk));
	pk->state = -1;
	*why = 0;
	if (!real_proc) {
		char path[64], buf[160];
		snprintf(path, sizeof(path), "%d/fdpeer/%d", pid, fd);
		ssize_t n = tt_read_file_at(rootfd, path, buf, sizeof(buf));
		if (n <= 0 || tt_parse_endpoint(buf, (size_t)n, pk) < 0) {
			*why = ENODATA; /* the fixture does not say */
			return TT_PEEK_DENIED;
		}
		return TT_PEEK_OK;
	}
	int pfd = tt_peek_pidfd(pid, why);
	if (pfd < 0)
		return *why == ESRCH ? TT_PEEK_GONE : TT_PEEK_DENIED;
	int sfd = tt_peek_dup(pfd, fd, why);
	close(pfd);
	if (sfd < 0)
		return sfd;
	tt_peek_ask(sfd, unix_sock, pk);
	close(sfd);
	return TT_PEEK_OK;
}
