/* Closing a TCP socket from outside: netlink SOCK_DESTROY, what `ss -K`
 * does.  The kernel finds the socket by its 4-tuple and aborts it (the
 * peer gets a reset, the holder's next call fails with ECONNABORTED).  It
 * needs CAP_NET_ADMIN and a kernel built with CONFIG_INET_DIAG_DESTROY. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "tenantop/act.h"

int tt_sock_destroy(const tt_sock *k, char *err, size_t errlen)
{
	if (k->family == TT_FAM_UNIX) {
		snprintf(err, errlen, "a Unix socket cannot be closed from outside its process: signal the process");
		return -1;
	}
	if (k->flags & (TT_SF_HELD_ONLY | TT_SF_ENDPOINT_UNKNOWN)) {
		snprintf(err, errlen, "the kernel no longer lists this socket (reset by the peer): only its process "
			 "can close it; signal the process");
		return -1;
	}
	if (k->netns) {
		snprintf(err, errlen, "the socket is in another network namespace (%llu): not supported",
			 (unsigned long long)k->netns);
		return -1;
	}
	if (k->state == TT_ST_TIME_WAIT || k->state == TT_ST_LISTEN) {
		snprintf(err, errlen, "%s sockets are not closed this way", tt_state_name(k->state));
		return -1;
	}
	char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DESTROY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (unsigned)time(NULL);
	struct inet_diag_req_v2 *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
	r->sdiag_family = k->family == TT_FAM_TCP6 ? AF_INET6 : AF_INET;
	r->sdiag_protocol = IPPROTO_TCP;
	r->idiag_states = 0xffffffffu;
	r->id.idiag_sport = htons(k->lport);
	r->id.idiag_dport = htons(k->rport);
	memcpy(r->id.idiag_src, k->laddr, k->family == TT_FAM_TCP6 ? 16 : 4);
	memcpy(r->id.idiag_dst, k->raddr, k->family == TT_FAM_TCP6 ? 16 : 4);
	r->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	r->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "sock_diag socket: %s", strerror(errno));
		if (nl)
			mnl_socket_close(nl);
		return -1;
	}
	int rc = -1;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		snprintf(err, errlen, "SOCK_DESTROY request: %s", strerror(errno));
	} else {
		ssize_t got = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (got < 0) {
			snprintf(err, errlen, "SOCK_DESTROY answer: %s", strerror(errno));
		} else if (mnl_cb_run(buf, (size_t)got, nlh->nlmsg_seq, mnl_socket_get_portid(nl), NULL, NULL) < 0) {
			int e = errno;
			if (e == EPERM || e == EACCES)
				snprintf(err, errlen, "the kernel refused: closing sockets needs CAP_NET_ADMIN (root)");
			else if (e == EOPNOTSUPP)
				snprintf(err, errlen, "this kernel cannot close sockets (built without "
					 "CONFIG_INET_DIAG_DESTROY)");
			else if (e == ENOENT)
				snprintf(err, errlen, "the socket is gone already");
			else
				snprintf(err, errlen, "the kernel refused: %s", strerror(e));
		} else {
			rc = 0;
		}
	}
	mnl_socket_close(nl);
	return rc;
}
