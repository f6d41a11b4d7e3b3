// SPDX-License-Identifier: GPL-2.0
/* Which process holds which socket, in one pass over every task's open
 * files (the iter/task_file BPF iterator): for each socket descriptor, the
 * socket's inode (what /proc/PID/fd's "socket:[N]" link names), its cookie
 * when the kernel gave it one, its family, protocol and state.  One read of
 * the iterator replaces a readlink of every descriptor under /proc, and it
 * sees sockets no table lists (state CLOSE: reset but held). */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define S_IFMT 00170000
#define S_IFSOCK 0140000

/* as in bpffds.c */
struct tt_sockfd {
	__u64 ino;
	__u64 cookie;  /* 0: none given yet */
	__u32 tgid;
	__s32 fd;
	__u16 family;
	__u16 protocol;
	__u8 state;
	__u8 pad[3];
};

SEC("iter/task_file")
int tt_sock_fds(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	if (!task || !file)
		return 0;
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	if (!inode || (BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFSOCK)
		return 0;
	struct socket *sock = BPF_CORE_READ(file, private_data);
	struct sock *sk = sock ? BPF_CORE_READ(sock, sk) : NULL;
	struct tt_sockfd r = {};
	r.ino = BPF_CORE_READ(inode, i_ino);
	r.tgid = BPF_CORE_READ(task, tgid);
	r.fd = (__s32)ctx->fd;
	if (sk) {
		r.cookie = BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);
		r.family = BPF_CORE_READ(sk, __sk_common.skc_family);
		r.protocol = BPF_CORE_READ(sk, sk_protocol);
		r.state = BPF_CORE_READ(sk, __sk_common.skc_state);
	}
	bpf_seq_write(seq, &r, sizeof(r));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
