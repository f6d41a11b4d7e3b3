// SPDX-License-Identifier: GPL-2.0
/* Who owns each TCP connection, seen as it happens: the kernel's
 * inet_sock_set_state tracepoint, kept only for the transitions that run in
 * the owning process (connect() -> SYN_SENT, close() -> FIN_WAIT1 or
 * LAST_ACK); the others run in softirq, where the current task is anyone.
 * The owner is kept under the socket's cookie, which the TIME_WAIT socket
 * inherits, so that tenantop can attribute connections that lived and died
 * between two refreshes.  It also keeps when each socket entered its state,
 * so that a CLOSE_WAIT's time in state is the kernel's.
 *
 * The connection's lifecycle: when it opened (SYN_SENT for the connecting
 * end, SYN_RECV -> ESTABLISHED for the accepting end), entered CLOSE_WAIT,
 * was closed by its application (CLOSE_WAIT -> LAST_ACK) and closed
 * (-> CLOSE), kept in the same per-socket entry.  Each opening and each
 * close is one compact record in a ring buffer that tenantop reads in a
 * batch once per refresh (no wake-up per event), for the watched ports
 * only; a record that finds the ring full is counted in a per-CPU drop
 * counter. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_SYN_RECV 3
#define TCP_FIN_WAIT1 4
#define TCP_FIN_WAIT2 5
#define TCP_TIME_WAIT 6
#define TCP_CLOSE 7
#define TCP_CLOSE_WAIT 8
#define TCP_LAST_ACK 9
#define TCP_CLOSING 11

struct tt_bpf_owner {
	__u64 start_ns; /* the task's start (boot time, ns): with tgid, the process */
	__u64 cgroup;
	__u32 tgid;
	__u32 uid;
	__u16 sport, dport;
	__u8 state;     /* the transition it was seen at */
	__u8 pad[3];
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, __u64);
	__type(value, struct tt_bpf_owner);
} owners SEC(".maps");

/* when each socket entered its current state (any transition: the time is
 * right whatever the context), and its lifecycle so far */
struct tt_bpf_since {
	__u64 ts;     /* CLOCK_BOOTTIME, ns */
	__u8 state;
	__u8 flags;   /* TT_LF_* */
	__u8 pad[2];
	__u32 tgid;   /* the owner at its last process-context transition, 0 unknown */
	__u64 opened, close_wait, app_closed; /* boot ns, 0 not seen */
	__u64 ended;  /* when this end was closed: FIN_WAIT1, LAST_ACK or CLOSE, the first */
	__u64 cgroup;
	__u16 lport, rport; /* while connected (a closing socket has lost its port) */
	__u8 pad2[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, __u64);
	__type(value, struct tt_bpf_since);
} since SEC(".maps");

/* record kinds and flags (as in bpfowners.c) */
#define TT_LF_OPEN 0x01      /* an opening (else a close) */
#define TT_LF_CLIENT 0x02    /* the connecting end */
#define TT_LF_TIME_WAIT 0x04 /* it closed into TIME_WAIT */
#define TT_LF_V6 0x08
#define TT_LF_RESET 0x10     /* closed with an error (reset, timeout) */
#define TT_LF_TOLD 0x80      /* in the entry only: its opening was told */

struct tt_bpf_life {
	__u64 cookie;
	__u64 cgroup;
	__u64 opened, close_wait, app_closed, closed; /* boot ns, 0 not seen */
	__u32 tgid, uid;
	__u16 lport, rport;
	__u8 flags;
	__u8 pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20); /* tenantop may set another size before loading */
} life SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} dropped SEC(".maps");

/* the watched ports, one bit each (as tt_portset's bits), and word 1024
 * nonzero for every port: only their connections go to the ring */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1025);
	__type(key, __u32);
	__type(value, __u64);
} watch SEC(".maps");

static __always_inline bool watched(__u16 port)
{
	__u32 k = port >> 6;
	__u64 *w = bpf_map_lookup_elem(&watch, &k);
	return w && (*w >> (port & 63)) & 1;
}

static __always_inline void emit(const struct sock *sk, __u64 cookie, const struct tt_bpf_since *e, __u64 now,
				 __u8 flags)
{
	__u32 all = 1024;
	__u64 *every = bpf_map_lookup_elem(&watch, &all);
	if (!(every && *every) && !watched(e->lport) && !watched(e->rport))
		return;
	struct tt_bpf_life *r = bpf_ringbuf_reserve(&life, sizeof(*r), 0);
	if (!r) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&dropped, &zero);
		if (n)
			*n += 1;
		return;
	}
	r->cookie = cookie;
	r->cgroup = e->cgroup;
	r->opened = e->opened;
	r->close_wait = e->close_wait;
	r->app_closed = e->app_closed;
	r->closed = flags & TT_LF_OPEN ? 0 : e->ended ? e->ended : now;
	r->tgid = e->tgid;
	r->uid = BPF_CORE_READ(sk, sk_uid.val);
	r->lport = e->lport;
	r->rport = e->rport;
	r->flags = flags | (e->flags & (TT_LF_CLIENT | TT_LF_V6));
	r->pad[0] = r->pad[1] = r->pad[2] = 0;
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tt_set_state, const struct sock *sk, int oldstate, int newstate)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != 2 && family != 10) /* AF_INET, AF_INET6 */
		return 0;
	__u64 cookie = bpf_get_socket_cookie((void *)sk);
	__u64 now = bpf_ktime_get_boot_ns();
	bool owner_ctx = newstate == TCP_SYN_SENT || newstate == TCP_FIN_WAIT1 || newstate == TCP_LAST_ACK;
	struct tt_bpf_since *e = bpf_map_lookup_elem(&since, &cookie);
	if (!e) {
		struct tt_bpf_since at = {.ts = now, .state = (__u8)newstate};
		if (family == 10)
			at.flags = TT_LF_V6;
		if (newstate == TCP_CLOSE)
			return 0; /* a socket that closes with no transition seen before */
		bpf_map_update_elem(&since, &cookie, &at, BPF_ANY);
		e = bpf_map_lookup_elem(&since, &cookie);
		if (!e)
			return 0;
		e->cgroup = BPF_CORE_READ(sk, sk_cgrp_data.cgroup, kn, id);
	}
	e->ts = now;
	e->state = (__u8)newstate;
	if (!e->lport) {
		e->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		e->rport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	}
	if (!e->ended && (newstate == TCP_FIN_WAIT1 || newstate == TCP_LAST_ACK || newstate == TCP_CLOSE))
		e->ended = now;
	if (owner_ctx)
		e->tgid = bpf_get_current_pid_tgid() >> 32;
	switch (newstate) {
	case TCP_SYN_SENT:
		e->opened = now;
		e->flags |= TT_LF_CLIENT;
		break;
	case TCP_ESTABLISHED:
		/* the opening is told once connected, its ports known */
		if (oldstate == TCP_SYN_RECV && !e->opened)
			e->opened = now;
		if (e->opened) {
			e->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
			e->rport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
			emit(sk, cookie, e, now, TT_LF_OPEN);
			e->flags |= TT_LF_TOLD;
		}
		break;
	case TCP_CLOSE_WAIT:
		e->close_wait = now;
		break;
	case TCP_LAST_ACK:
		if (oldstate == TCP_CLOSE_WAIT)
			e->app_closed = now;
		break;
	case TCP_CLOSE: {
		__u8 f = 0;
		if (oldstate == TCP_CLOSE_WAIT && !e->app_closed)
			e->app_closed = now; /* closed with unread data: a reset instead of LAST_ACK */
		if (BPF_CORE_READ(sk, sk_err))
			f |= TT_LF_RESET;
		else if (oldstate == TCP_FIN_WAIT1 || oldstate == TCP_FIN_WAIT2 || oldstate == TCP_CLOSING ||
			 oldstate == TCP_TIME_WAIT)
			f |= TT_LF_TIME_WAIT; /* the active closer's end lives on as a TIME_WAIT socket */
		if (e->flags & TT_LF_TOLD) /* a connection that never connected is no opening nor close */
			emit(sk, cookie, e, now, f);
		bpf_map_delete_elem(&since, &cookie);
		break;
	}
	}
	if (!owner_ctx)
		return 0;
	struct tt_bpf_owner o = {};
	struct task_struct *t = (struct task_struct *)bpf_get_current_task_btf();
	o.tgid = bpf_get_current_pid_tgid() >> 32;
	o.start_ns = BPF_CORE_READ(t, group_leader, start_boottime);
	o.uid = BPF_CORE_READ(sk, sk_uid.val);
	o.cgroup = bpf_get_current_cgroup_id();
	o.sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	o.dport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	o.state = (__u8)newstate;
	bpf_get_current_comm(o.comm, sizeof(o.comm));
	bpf_map_update_elem(&owners, &cookie, &o, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
