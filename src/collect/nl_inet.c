/* netlink sock_diag (INET_DIAG) reader: the default socket source.
 *
 * One dump request for both families (see put_request).  The state mask
 * and the port list travel to the kernel (idiag_states and an INET_DIAG_REQ_BYTECODE filter), so only
 * the sockets we keep cross into user space.  libmnl does the message
 * framing, attribute walking and sequence checks. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "collect/nl.h"

#define NL_BUF_SIZE (64 * 1024)
#define NL_MAX_FILTER_PORTS 64 /* beyond this, filter in user space only */

struct tt_nl_inet {
	struct mnl_socket *nl;
	unsigned portid;
	unsigned seq;
	char *buf;
	bool per_family; /* the kernel refused the one-walk request (TCPDIAG_GETSOCK) */
};

tt_nl_inet *tt_nl_inet_open(char *err, size_t errlen)
{
	struct tt_nl_inet *n = calloc(1, sizeof(*n));
	if (!n) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n->buf = malloc(NL_BUF_SIZE);
	n->nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!n->buf || !n->nl) {
		snprintf(err, errlen, "sock_diag socket: %s", strerror(errno));
		tt_nl_inet_close(n);
		return NULL;
	}
	if (mnl_socket_bind(n->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "sock_diag bind: %s", strerror(errno));
		tt_nl_inet_close(n);
		return NULL;
	}
	int rcv = 1 << 20;
	setsockopt(mnl_socket_get_fd(n->nl), SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	n->portid = mnl_socket_get_portid(n->nl);
	n->seq = (unsigned)time(NULL);
	return n;
}

void tt_nl_inet_close(tt_nl_inet *n)
{
	if (!n)
		return;
	if (n->nl)
		mnl_socket_close(n->nl);
	free(n->buf);
	free(n);
}

/* One port test "side == port": GE then LE, each followed by the operand op.
 * Blocks are chained as  C1 JMP C2 JMP ... Cn  (the form the kernel's audit
 * accepts: every reject target lies on the "yes" chain). */
static void put_op(uint8_t *b, size_t off, uint8_t code, uint8_t yes, uint16_t no)
{
	struct inet_diag_bc_op op = {code, yes, no};
	memcpy(b + off, &op, sizeof(op));
}

size_t tt_nl_inet_bytecode(const uint16_t *ports, size_t nports, void *buf, size_t buflen)
{
	if (nports == 0 || nports > NL_MAX_FILTER_PORTS)
		return 0;
	size_t nconds = 2 * nports; /* source or destination */
	size_t len = 20 * (nconds - 1) + 16;
	if (len > buflen || len > 0xffff)
		return 0;
	uint8_t *b = buf;
	memset(b, 0, len);
	for (size_t i = 0; i < nconds; i++) {
		size_t o = 20 * i;
		int dst = (int)(i & 1);
		uint16_t port = ports[i / 2];
		put_op(b, o, dst ? INET_DIAG_BC_D_GE : INET_DIAG_BC_S_GE, 8, 20);
		put_op(b, o + 4, 0, 0, port);
		put_op(b, o + 8, dst ? INET_DIAG_BC_D_LE : INET_DIAG_BC_S_LE, 8, 12);
		put_op(b, o + 12, 0, 0, port);
		if (i + 1 < nconds)
			put_op(b, o + 16, INET_DIAG_BC_JMP, 4, (uint16_t)(len - (o + 16)));
	}
	return len;
}

struct parse_ctx {
	const struct nlmsghdr *nlh;
	struct nlattr *info;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct parse_ctx *pc = data;
	if (mnl_attr_get_type(attr) == INET_DIAG_INFO)
		pc->info = (struct nlattr *)attr;
	return MNL_CB_OK;
}

int tt_nl_inet_parse(const struct nlmsghdr *nlh, tt_sock *out)
{
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
		return -1;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	memset(out, 0, sizeof(*out));
	if (m->idiag_family == AF_INET)
		out->family = TT_FAM_TCP4;
	else if (m->idiag_family == AF_INET6)
		out->family = TT_FAM_TCP6;
	else
		return -1;
	out->state = (uint8_t)tt_state_from_kernel(m->idiag_state);
	if (out->state == TT_ST_UNKNOWN)
		return -1;
	out->lport = ntohs(m->id.idiag_sport);
	out->rport = ntohs(m->id.idiag_dport);
	size_t alen = out->family == TT_FAM_TCP4 ? 4 : 16;
	memcpy(out->laddr, m->id.idiag_src, alen);
	memcpy(out->raddr, m->id.idiag_dst, alen);
	out->timer = m->idiag_timer;
	out->timer_ms = m->idiag_expires;
	out->retrans = m->idiag_retrans;
	out->rxq = m->idiag_rqueue;
	out->txq = m->idiag_wqueue;
	out->uid = m->idiag_uid;
	out->inode = m->idiag_inode;
	out->cookie = (uint64_t)m->id.idiag_cookie[1] << 32 | m->id.idiag_cookie[0];

	struct parse_ctx pc = {nlh, NULL};
	if (mnl_attr_parse(nlh, sizeof(*m), attr_cb, &pc) < 0)
		return -1;
	if (pc.info) {
		struct tcp_info ti;
		memset(&ti, 0, sizeof(ti));
		size_t n = tt_nl_attr_len(nlh, pc.info);
		memcpy(&ti, mnl_attr_get_payload(pc.info), n < sizeof(ti) ? n : sizeof(ti));
		if (n >= offsetof(struct tcp_info, tcpi_rtt) + sizeof(ti.tcpi_rtt)) {
			out->flags |= TT_SF_HAS_INFO;
			out->last_data_sent_ms = ti.tcpi_last_data_sent;
			out->last_data_recv_ms = ti.tcpi_last_data_recv;
			out->last_ack_recv_ms = ti.tcpi_last_ack_recv;
			out->rtt_us = ti.tcpi_rtt;
			out->timeout = ti.tcpi_probes;
		}
	}
	return 0;
}

struct dump_ctx {
	const tt_sock_filter *f;
	tt_snapshot *out;
	int oom;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *dc = data;
	tt_sock k;
	if (tt_nl_inet_parse(nlh, &k) < 0) {
		dc->out->stats.bad_lines++;
		return MNL_CB_OK;
	}
	dc->out->stats.table_lines++;
	if (dc->f && !tt_sock_filter_match(dc->f, &k))
		return MNL_CB_OK;
	tt_sock *dst = tt_snapshot_add_sock(dc->out);
	if (!dst) {
		dc->oom = 1;
		return MNL_CB_ERROR;
	}
	*dst = k;
	return MNL_CB_OK;
}

#define BOTH TT_FAM_NONE /* put_request's family: both, in one walk */

/* The request: SOCK_DIAG_BY_FAMILY for one family, or the older
 * TCPDIAG_GETSOCK, which the kernel answers for both families in one walk
 * over its table (its family is AF_UNSPEC): the walk is the dump's cost, and
 * a walk for AF_INET6 where every socket is AF_INET still visits each. */
static struct nlmsghdr *put_request(char *req, int family, const tt_sock_filter *f, bool want_info)
{
	bool both = family == BOTH;
	size_t hdr = both ? sizeof(struct inet_diag_req) : sizeof(struct inet_diag_req_v2);
	memset(req, 0, sizeof(struct nlmsghdr) + hdr);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = both ? TCPDIAG_GETSOCK : SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	/* kernel state bits; NEW_SYN_RECV (12) is what /proc shows as SYN_RECV */
	uint32_t states = 0xffffffffu;
	if (f && f->state_mask) {
		states = f->state_mask;
		if (states & (1u << TT_ST_SYN_RECV))
			states |= 1u << 12;
	}
	uint8_t ext = want_info ? 1 << (INET_DIAG_INFO - 1) : 0;
	if (both) {
		struct inet_diag_req *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
		r->idiag_states = states;
		r->idiag_ext = ext;
	} else {
		struct inet_diag_req_v2 *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
		r->sdiag_family = family == TT_FAM_TCP6 ? AF_INET6 : AF_INET;
		r->sdiag_protocol = IPPROTO_TCP;
		r->idiag_states = states;
		r->idiag_ext = ext;
	}
	if (f && f->ports && !f->ports->all) {
		uint16_t ports[NL_MAX_FILTER_PORTS + 1];
		size_t np = tt_portset_list(f->ports, ports, NL_MAX_FILTER_PORTS + 1);
		uint8_t bc[4096];
		size_t bl = tt_nl_inet_bytecode(ports, np, bc, sizeof(bc));
		if (bl)
			mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, bl, bc);
	}
	return nlh;
}

static int dump_family(tt_nl_inet *n, int family, const tt_sock_filter *f, bool want_info, tt_snapshot *out,
		       char *err, size_t errlen)
{
	char req[8192];
	struct nlmsghdr *nlh = put_request(req, family, f, want_info);
	struct dump_ctx dc = {f, out, 0};
	return tt_nl_dump(n, nlh, dump_cb, &dc, &dc.oom, err, errlen);
}

int tt_nl_inet_dump_tcp(tt_nl_inet *n, const tt_sock_filter *f, bool want_info, tt_snapshot *out, char *err,
			size_t errlen)
{
	if (!n->per_family) {
		uint32_t msgs = out->stats.table_lines + out->stats.bad_lines;
		if (dump_family(n, BOTH, f, want_info, out, err, errlen) == 0)
			return 0;
		/* a failure once messages came is the dump's own; a refusal of the
		 * request itself: a kernel without it, read per family from now on */
		if (out->stats.table_lines + out->stats.bad_lines != msgs ||
		    (errno != EINVAL && errno != EOPNOTSUPP && errno != ENOENT))
			return -1;
		n->per_family = true;
	}
	for (int fam = TT_FAM_TCP4; fam <= TT_FAM_TCP6; fam++)
		if (dump_family(n, fam, f, want_info, out, err, errlen) < 0)
			return -1;
	return 0;
}

int tt_nl_dump(tt_nl_inet *n, struct nlmsghdr *nlh, int (*cb)(const struct nlmsghdr *, void *), void *data,
	       const int *oom, char *err, size_t errlen)
{
	nlh->nlmsg_seq = ++n->seq;
	if (mnl_socket_sendto(n->nl, nlh, nlh->nlmsg_len) < 0) {
		snprintf(err, errlen, "sock_diag request: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t got = mnl_socket_recvfrom(n->nl, n->buf, NL_BUF_SIZE);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "sock_diag receive: %s", strerror(errno));
			return -1;
		}
		int rc = mnl_cb_run(n->buf, (size_t)got, nlh->nlmsg_seq, n->portid, cb, data);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0) {
			if (oom && *oom)
				snprintf(err, errlen, "out of memory");
			else
				snprintf(err, errlen, "sock_diag dump: %s", strerror(errno));
			return -1;
		}
	}
}
