// SPDX-License-Identifier: GPL-2.0
/* Every state change of a TCP socket on a watched port, as it happens:
 * the kernel's inet_sock_set_state tracepoint, one record each in a ring
 * buffer that tenantop empties between refreshes (no wake-up per event;
 * a record that finds the ring full is counted in a per-CPU drop counter).
 * tenantop applies them to the table it read last instead of reading every
 * socket again, and follows each connection's lifecycle from them
 * (collect/connlife.c): when it opened, entered CLOSE_WAIT, was closed by
 * its application and closed, and when it entered its state, so that a
 * CLOSE_WAIT's time in state is the kernel's.  Nothing is kept here per
 * socket: a hash entry's look-up, insert and delete were some 240 ns of
 * the 790 a watched change cost.
 *
 * The transitions that run in the owning process (connect() -> SYN_SENT,
 * close() -> FIN_WAIT1 or LAST_ACK) also tell that process (the others run
 * in softirq, where the current task is anyone): so that tenantop can
 * attribute connections that lived and died between two refreshes, and
 * the TIME_WAIT a close leaves (it keeps the socket's cookie). */
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

/* with a change in the owner's context: the process (at a close, for
 * tenantop to keep while the socket lasts without a descriptor) */
struct tt_bpf_owner {
	__u64 cookie;
	__u64 start_ns; /* the task's start (boot time, ns): with tgid, the process */
	__u32 tgid;
	__u32 uid;
	__u16 sport, dport;
	__u8 state;     /* the transition it was seen at */
	__u8 pad[3];
	char comm[16];
};

/* a change's flags (as in connlife.h) */
#define TT_LF_TIME_WAIT 0x04 /* it closed into TIME_WAIT */
#define TT_LF_RESET 0x10     /* closed with an error (reset, timeout) */
#define TT_LF_FIN_IN 0x20    /* a change only: the peer's FIN had come (a TIME_WAIT, not a FIN_WAIT2 one) */
#define TT_LF_RESET_TO 0x40  /* a change only, and no state change: the kernel sent a reset to this address pair */

/* every state change of a socket on a watched port, in the same ring (told
 * apart by its size): what tenantop's event-driven refresh applies to the
 * table it read last, instead of reading every socket again */
struct tt_bpf_chg {
	__u64 cookie;
	__u64 ts;     /* CLOCK_BOOTTIME, ns */
	__u64 ino;    /* the socket's inode when it has a file, 0 none yet */
	__u8 laddr[16], raddr[16];
	__u32 uid;
	__u32 netns;  /* its network namespace's inode number */
	__u32 tgid;   /* the process it ran in, for the owner's transitions; 0 else */
	__u16 lport, rport;
	__u8 oldstate, newstate, family, flags; /* TT_LF_TIME_WAIT, TT_LF_RESET, TT_LF_FIN_IN */
	__u32 hz;     /* the kernel's tick rate */
	__u64 jiffies; /* the tick count then: a TIME_WAIT's timer ends on the tick wheel's terms */
};

/* A change and its owner, in one record (one reservation in the ring,
 * whose lock both CPUs of a loopback connection take). */
struct tt_bpf_chg_owner {
	struct tt_bpf_chg c;
	struct tt_bpf_owner o;
};

extern unsigned int CONFIG_HZ __kconfig __weak;

/* The same object seen as untrusted: a pointer the program follows from it
 * (sk_socket, skc_net, group_leader) is then read as any traced
 * memory, with no search of the kernel's types for whether that field is
 * "trusted" on each load the verifier walks (a search over all of
 * vmlinux's BTF each time: most of the programs' load time otherwise). */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
/* The kernel's ids of the types cast, when tenantop gives them before
 * loading (the build's facts of this kernel, bpfload.c: libbpf then
 * relocates against the build's few types, and the id of a type there is
 * not the kernel's); 0: the relocation's own, from the kernel's BTF. */
const volatile __u32 tt_kid_sock = 0, tt_kid_inet_sock = 0, tt_kid_task_struct = 0, tt_kid_sk_buff = 0;
#define UNTRUSTED(name, p)                                                                                          \
	((const struct name *)bpf_rdonly_cast((p), tt_kid_##name ? tt_kid_##name : bpf_core_type_id_kernel(struct name)))

/* the tick count and the boot clock together, and the tick rate, written
 * when tenantop runs tt_clock (BPF_PROG_TEST_RUN): to place a TIME_WAIT's
 * end, which the kernel gives in ticks, on the boot clock */
struct tt_bpf_clock {
	__u64 jiffies;
	__u64 boot_ns;
	__u32 hz;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tt_bpf_clock);
} clock SEC(".maps");

SEC("raw_tp")
int tt_clock(void *ctx)
{
	__u32 zero = 0;
	struct tt_bpf_clock *c = bpf_map_lookup_elem(&clock, &zero);
	if (c) {
		c->jiffies = bpf_jiffies64();
		c->boot_ns = bpf_ktime_get_boot_ns();
		c->hz = CONFIG_HZ;
	}
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 512 << 10); /* tenantop may set another size before loading */
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

static __always_inline bool watching(__u16 lport, __u16 rport)
{
	__u32 all = 1024;
	__u64 *every = bpf_map_lookup_elem(&watch, &all);
	return (every && *every) || watched(lport) || watched(rport);
}

/* Room in the ring for one record; NULL when it is full (counted). */
static __always_inline void *reserve(__u64 size)
{
	void *r = bpf_ringbuf_reserve(&life, size, 0);
	if (!r) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&dropped, &zero);
		if (n)
			*n += 1;
	}
	return r;
}

/* The record goes in without waking tenantop, whose thread empties the
 * ring every 50 ms; but at once once the ring is a quarter full (a burst
 * would fill a small ring before the period is up). */
static __always_inline void submit(void *r)
{
	__u64 wake = bpf_ringbuf_query(&life, BPF_RB_AVAIL_DATA) > bpf_ringbuf_query(&life, BPF_RB_RING_SIZE) / 4
			     ? BPF_RB_FORCE_WAKEUP
			     : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(r, wake);
}

/* the owner part of a change's record (c, filled first: its tgid is the
 * current process's) */
static __always_inline void fill_owner(struct tt_bpf_owner *o, const struct tt_bpf_chg *c, const struct sock *sk,
				       int newstate)
{
	const struct task_struct *t = UNTRUSTED(task_struct, bpf_get_current_task_btf());
	o->cookie = c->cookie;
	o->tgid = c->tgid;
	o->start_ns = t->group_leader->start_boottime;
	o->uid = sk->sk_uid.val;
	o->sport = c->lport;
	o->dport = c->rport;
	o->state = (__u8)newstate;
	o->pad[0] = o->pad[1] = o->pad[2] = 0;
	bpf_get_current_comm(o->comm, sizeof(o->comm));
}

static __always_inline void fill_change(struct tt_bpf_chg *r, const struct sock *sk, __u64 cookie, __u64 now,
					int oldstate, int newstate, __u16 family, bool owner_ctx, __u16 lport,
					__u16 rport)
{
	__builtin_memset(r, 0, sizeof(*r));
	r->cookie = cookie;
	r->ts = now;
	const struct sock *u = UNTRUSTED(sock, sk);
	r->ino = u->sk_socket->file->f_inode->i_ino;
	if (family == 2) {
		__u32 a = sk->__sk_common.skc_rcv_saddr, b = sk->__sk_common.skc_daddr;
		__builtin_memcpy(r->laddr, &a, 4);
		__builtin_memcpy(r->raddr, &b, 4);
	} else {
		__builtin_memcpy(r->laddr, sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8, 16);
		__builtin_memcpy(r->raddr, sk->__sk_common.skc_v6_daddr.in6_u.u6_addr8, 16);
	}
	r->uid = sk->sk_uid.val;
	r->netns = u->__sk_common.skc_net.net->ns.inum;
	r->tgid = owner_ctx ? bpf_get_current_pid_tgid() >> 32 : 0;
	r->lport = lport;
	r->rport = rport;
	r->oldstate = (__u8)oldstate;
	r->newstate = (__u8)newstate;
	r->family = (__u8)family;
	r->hz = CONFIG_HZ;
	r->jiffies = bpf_jiffies64();
	if (newstate == TCP_CLOSE) {
		if (sk->sk_err)
			r->flags = TT_LF_RESET;
		else if (oldstate == TCP_FIN_WAIT1 || oldstate == TCP_FIN_WAIT2 || oldstate == TCP_CLOSING ||
			 oldstate == TCP_TIME_WAIT)
			r->flags = TT_LF_TIME_WAIT;
		if (sk->__sk_common.skc_flags & (1ul << SOCK_DONE)) /* set by the peer's FIN */
			r->flags |= TT_LF_FIN_IN;
	}
}

/* Nesting.  The kernel runs a tracing program at most once at a time on a
 * CPU: a state change in a softirq that interrupts tt_set_state (a
 * loopback packet's, typically) skips it, counted in the program's
 * recursion_misses.  tt_set_state_nested, attached beside it, jumps into
 * tt_set_state only then (a tail call, which that guard does not stop):
 * while tt_set_state is running on the same CPU (nest[0], its depth),
 * counting each change it took (nest[1]).  tenantop reads both
 * programs' misses: a change the first missed and the second did not take
 * (an interruption in the few instructions before the depth is raised or
 * after it is lowered, or a second nesting) is an event lost. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} nest SEC(".maps");

static __always_inline int on_set_state(const struct sock *sk, int oldstate, int newstate)
{
	__u16 family = sk->__sk_common.skc_family;
	if (family != 2 && family != 10) /* AF_INET, AF_INET6 */
		return 0;
	/* not a watched port's: nothing told.  A closing socket may have given
	 * its port back already (its TIME_WAIT holds it now): its source port,
	 * which stays, tells it.  A connecting socket has its peer's port
	 * before its own; one with neither is told (it may be one tenantop read
	 * before it was watching). */
	__u16 lport = sk->__sk_common.skc_num, rport = __builtin_bswap16(sk->__sk_common.skc_dport);
	if (!lport)
		lport = __builtin_bswap16(UNTRUSTED(inet_sock, sk)->inet_sport);
	if ((lport || rport) && !watching(lport, rport))
		return 0;
	__u64 cookie = bpf_get_socket_cookie((void *)sk);
	__u64 now = bpf_ktime_get_boot_ns();
	if (newstate == TCP_SYN_SENT || newstate == TCP_FIN_WAIT1 || newstate == TCP_LAST_ACK) {
		struct tt_bpf_chg_owner *r = reserve(sizeof(*r));
		if (!r)
			return 0;
		fill_change(&r->c, sk, cookie, now, oldstate, newstate, family, true, lport, rport);
		fill_owner(&r->o, &r->c, sk, newstate);
		submit(r);
	} else {
		struct tt_bpf_chg *r = reserve(sizeof(*r));
		if (!r)
			return 0;
		fill_change(r, sk, cookie, now, oldstate, newstate, family, false, lport, rport);
		submit(r);
	}
	return 0;
}

/* A reset the kernel sends, in answer to a segment that came from laddr:lport
 * to raddr:rport: a TIME_WAIT socket there ends when it arrives (the
 * kernel's TIME_WAIT assassination, unless tcp_rfc1337), which no state
 * change tells.  Seen only when that TIME_WAIT's peer is this machine (a
 * loopback connection, or another namespace's): the common case of a
 * database and its clients on one server.  A full socket a reset ends
 * tells its own change. */
SEC("tp_btf/tcp_send_reset")
int BPF_PROG(tt_send_reset, const struct sock *sk, const struct sk_buff *skb)
{
	if (!skb)
		return 0;
	unsigned char *head = skb->head;
	__u16 nh = skb->network_header, th = skb->transport_header;
	/* the headers as on the wire (fixed by their RFCs, not the kernel's
	 * layout: no type of the kernel's to relocate): the TCP ports at 0 and
	 * 2, its flags at 13 (ACK 0x10); IPv4's addresses at 12 and 16,
	 * IPv6's at 8 and 24 */
	__u8 ver = 0, tcp[14];
	if (bpf_probe_read_kernel(&ver, 1, head + nh) || bpf_probe_read_kernel(tcp, sizeof(tcp), head + th) ||
	    !(tcp[13] & 0x10))
		return 0; /* a reset to a segment without ACK does not match a TIME_WAIT's sequence */
	__u16 lport = (__u16)(tcp[0] << 8 | tcp[1]), rport = (__u16)(tcp[2] << 8 | tcp[3]);
	if (!watching(lport, rport))
		return 0;
	struct tt_bpf_chg *r = reserve(sizeof(*r));
	if (!r)
		return 0;
	__builtin_memset(r, 0, sizeof(*r));
	ver >>= 4;
	if (ver == 4) {
		bpf_probe_read_kernel(r->laddr, 4, head + nh + 12);
		bpf_probe_read_kernel(r->raddr, 4, head + nh + 16);
		r->family = 2;
	} else {
		bpf_probe_read_kernel(r->laddr, 16, head + nh + 8);
		bpf_probe_read_kernel(r->raddr, 16, head + nh + 24);
		r->family = 10;
	}
	r->ts = bpf_ktime_get_boot_ns();
	r->netns = sk ? UNTRUSTED(sock, sk)->__sk_common.skc_net.net->ns.inum
		      : UNTRUSTED(sk_buff, skb)->dev->nd_net.net->ns.inum;
	r->lport = lport;
	r->rport = rport;
	r->newstate = TCP_CLOSE;
	r->flags = TT_LF_RESET_TO;
	r->hz = CONFIG_HZ;
	r->jiffies = bpf_jiffies64();
	submit(r);
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tt_set_state, const struct sock *sk, int oldstate, int newstate)
{
	__u32 k = 0;
	__u64 *depth = bpf_map_lookup_elem(&nest, &k);
	if (depth)
		*depth += 1;
	on_set_state(sk, oldstate, newstate);
	if (depth)
		*depth -= 1;
	return 0;
}

/* tt_set_state itself, for the nested program to jump to (a tail call
 * does not go through the kernel's once-at-a-time guard): one copy of the
 * work for the verifier, not two */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} again SEC(".maps");

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tt_set_state_nested, const struct sock *sk, int oldstate, int newstate)
{
	__u32 k = 0, one = 1;
	__u64 *depth = bpf_map_lookup_elem(&nest, &k), *took;
	if (!depth || !*depth || !(took = bpf_map_lookup_elem(&nest, &one)))
		return 0; /* tt_set_state ran (or runs) for it */
	*took += 1;
	bpf_tail_call(ctx, &again, 0);
	*took -= 1; /* the jump failed (no tt_set_state in the map): a change lost */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
