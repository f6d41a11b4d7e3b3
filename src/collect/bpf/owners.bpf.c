// SPDX-License-Identifier: GPL-2.0
/* Who owns each TCP connection, seen as it happens: the kernel's
 * inet_sock_set_state tracepoint, kept only for the transitions that run in
 * the owning process (connect() -> SYN_SENT, close() -> FIN_WAIT1 or
 * LAST_ACK); the others run in softirq, where the current task is anyone.
 * The owner is kept under the socket's cookie, which the TIME_WAIT socket
 * inherits, so that tenantop can attribute connections that lived and died
 * between two refreshes.  It also keeps when each socket entered its state,
 * so that a CLOSE_WAIT's time in state is the kernel's. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_FIN_WAIT1 4
#define TCP_TIME_WAIT 6
#define TCP_CLOSE 7
#define TCP_LAST_ACK 9

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
 * right whatever the context) */
struct tt_bpf_since {
	__u64 ts;     /* CLOCK_BOOTTIME, ns */
	__u8 state;
	__u8 pad[7];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, __u64);
	__type(value, struct tt_bpf_since);
} since SEC(".maps");

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tt_set_state, const struct sock *sk, int oldstate, int newstate)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != 2 && family != 10) /* AF_INET, AF_INET6 */
		return 0;
	__u64 cookie = bpf_get_socket_cookie((void *)sk);
	struct tt_bpf_since at = {.ts = bpf_ktime_get_boot_ns(), .state = (__u8)newstate};
	bpf_map_update_elem(&since, &cookie, &at, BPF_ANY);
	if (newstate != TCP_SYN_SENT && newstate != TCP_FIN_WAIT1 && newstate != TCP_LAST_ACK)
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
