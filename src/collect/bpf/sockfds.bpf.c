// SPDX-License-Identifier: GPL-2.0
/* Which process holds which socket, in one pass over every task's open
 * files (the iter/task_file BPF iterator): for each socket descriptor, the
 * socket's inode (what /proc/PID/fd's "socket:[N]" link names), its family,
 * protocol, state and ports.  One read of the iterator replaces a readlink
 * of every descriptor under /proc, and it sees sockets no table lists
 * (state CLOSE: reset but held), with the endpoints the socket itself would
 * give (getsockname, SO_PEERNAME) after the record.
 *
 * When user space has set the watched ports (tt_watch.on), only the
 * sockets that may matter cross: TCP sockets with a watched port at either
 * end, TCP sockets in state CLOSE (unless their ports are known and none is
 * watched), Unix sockets.  A live TCP socket of another port, a UDP or a
 * netlink socket is nobody's database connection. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define TCP_CLOSE_STATE 7
#define TT_SFD_ADDRS 1

/* as in bpffds.c */
struct tt_sockfd_rec {
	__u64 ino;
	__u32 tgid;
	__s32 fd;
	__u16 lport, rport; /* host order */
	__u8 family, protocol, state, flags;
};
struct tt_sockfd_addrs {
	__u8 laddr[16], raddr[16];
};
struct tt_watch {
	__u64 bits[1024];
	__u32 on; /* 0: every socket crosses */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tt_watch);
} tt_watch_map SEC(".maps");

static __always_inline bool watched(const struct tt_watch *w, __u16 port)
{
	return (w->bits[(port >> 6) & 1023] >> (port & 63)) & 1;
}

/* What getsockname and SO_PEERNAME say of an unhashed TCP socket. */
static __always_inline void endpoints(struct sock *sk, __u8 family, struct tt_sockfd_rec *r,
				      struct tt_sockfd_addrs *a)
{
	struct inet_sock *inet = (struct inet_sock *)sk;
	r->lport = bpf_ntohs(BPF_CORE_READ(inet, inet_sport));
	r->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		__u32 l = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		if (!l)
			l = BPF_CORE_READ(inet, inet_saddr);
		__u32 d = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(a->laddr, &l, 4);
		__builtin_memcpy(a->raddr, &d, 4);
		return;
	}
	/* as plain words (an address is 16 bytes on any kernel): no local
	 * in6_addr for libbpf to relocate against the kernel's types */
	__u32 l6[4], d6[4];
	BPF_CORE_READ_INTO(&l6, sk, __sk_common.skc_v6_rcv_saddr);
	if (!(l6[0] | l6[1] | l6[2] | l6[3]))
		BPF_CORE_READ_INTO(&l6, inet, pinet6, saddr);
	BPF_CORE_READ_INTO(&d6, sk, __sk_common.skc_v6_daddr);
	__builtin_memcpy(a->laddr, l6, 16);
	__builtin_memcpy(a->raddr, d6, 16);
}

SEC("iter/task_file")
int tt_sock_fds(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	if (!task || !file)
		return 0;
	struct socket *sock = bpf_sock_from_file(file);
	if (!sock)
		return 0;
	__u32 zero = 0;
	const struct tt_watch *w = bpf_map_lookup_elem(&tt_watch_map, &zero);
	bool filter = w && w->on;
	struct tt_sockfd_rec r = {};
	struct tt_sockfd_addrs a = {};
	struct sock *sk = sock->sk;
	if (sk) {
		/* the socket's common part first: most sockets are left out on it */
		r.family = (__u8)sk->__sk_common.skc_family;
		r.state = sk->__sk_common.skc_state;
	}
	bool inet = r.family == AF_INET || r.family == AF_INET6;
	if (inet && r.state != TCP_CLOSE_STATE) {
		r.lport = sk->__sk_common.skc_num;
		r.rport = bpf_ntohs(sk->__sk_common.skc_dport);
		if (filter && !watched(w, r.lport) && !watched(w, r.rport))
			return 0; /* live on other ports: not a watched connection, whatever its protocol */
	}
	if (sk) {
		__u16 proto = sk->sk_protocol;
		r.protocol = proto > 255 ? 255 : (__u8)proto; /* MPTCP (262) is not TCP */
	}
	if (inet && r.protocol == IPPROTO_TCP && r.state == TCP_CLOSE_STATE) {
		endpoints(sk, r.family, &r, &a);
		r.flags = TT_SFD_ADDRS;
		if (filter && r.rport && !watched(w, r.lport) && !watched(w, r.rport))
			return 0; /* reset, and its ports are known: none is watched */
	} else if (filter && sk && r.family != AF_UNIX && (!inet || r.protocol != IPPROTO_TCP)) {
		return 0; /* UDP, raw, netlink...: never a database connection */
	}
	if (!inet || r.protocol != IPPROTO_TCP)
		r.lport = r.rport = 0;
	r.ino = file->f_inode->i_ino;
	r.tgid = task->tgid;
	r.fd = (__s32)ctx->fd;
	bpf_seq_write(seq, &r, sizeof(r));
	if (r.flags & TT_SFD_ADDRS)
		bpf_seq_write(seq, &a, sizeof(a));
	return 0;
}

/* linked with owners.bpf.c into one object (the Makefile), whose license
 * that file gives */
