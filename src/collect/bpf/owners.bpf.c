// SPDX-License-Identifier: GPL-2.0
/* Who owns each TCP connection, seen as it happens: the kernel's
 * inet_sock_set_state tracepoint, kept only for the transitions that run in
 * the owning process (connect() -> SYN_SENT, close() -> FIN_WAIT1 or
 * LAST_ACK); the others run in softirq, where the current task is anyone.
 * The owner is kept in the socket's entry and told with each of its
 * records, so that tenantop can attribute connections that lived and died
 * between two refreshes; at its close it is also told in a record of its
 * own, under the socket's cookie, which the TIME_WAIT socket inherits, for
 * the sockets that no descriptor holds any more (tenantop keeps it while
 * such a socket lasts).  It also keeps when each socket entered its state,
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

/* a ring buffer record: the owner of a socket at its close (FIN_WAIT1 or
 * LAST_ACK), for tenantop to keep while the socket lasts without a
 * descriptor.  Written to the ring, not to a map: an LRU hash's new entry
 * cost a watched connection's two closes some 1.5 us in all. */
struct tt_bpf_owner {
	__u64 cookie;
	__u64 start_ns; /* the task's start (boot time, ns): with tgid, the process */
	__u64 cgroup;
	__u32 tgid;
	__u32 uid;
	__u16 sport, dport;
	__u8 state;     /* the transition it was seen at */
	__u8 pad[3];
	char comm[16];
};

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
	__u64 start_ns; /* the owner's (tgid's) start, boot ns; with comm, told in each record */
	char comm[16];
};

/* A plain hash, its entries allocated as they come (not all at once when
 * it is made: 262144 of them, some 40 MB the kernel would clear before the
 * first refresh), each deleted at its socket's close.  A socket whose port
 * stops being watched skips its close here: tenantop deletes those entries
 * when the watched ports shrink (bpfowners.c). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
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
#define TT_LF_FIN_IN 0x20    /* a change only: the peer's FIN had come (a TIME_WAIT, not a FIN_WAIT2 one) */
#define TT_LF_RESET_TO 0x40  /* a change only, and no state change: the kernel sent a reset to this address pair */
#define TT_LF_TOLD 0x80      /* in the entry only: its opening was told */

struct tt_bpf_life {
	__u64 cookie;
	__u64 cgroup;
	__u64 opened, close_wait, app_closed, closed; /* boot ns, 0 not seen */
	__u32 tgid, uid;
	__u16 lport, rport;
	__u8 flags;
	__u8 pad[3];
	__u64 start_ns; /* the owner (tgid): its start, boot ns, and its name */
	char comm[16];
	__u64 spare;    /* 0: a record's size tells its kind, a change's is 88 bytes */
};

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

/* A change and what it also tells, in one record (one reservation in the
 * ring, whose lock both CPUs of a loopback connection take): a connection's
 * opening or close with its change to ESTABLISHED or CLOSE, a socket's
 * owner with its change to FIN_WAIT1 or LAST_ACK. */
struct tt_bpf_chg_life {
	struct tt_bpf_chg c;
	struct tt_bpf_life l;
};
struct tt_bpf_chg_owner {
	struct tt_bpf_chg c;
	struct tt_bpf_owner o;
};

extern unsigned int CONFIG_HZ __kconfig __weak;

/* The same object seen as untrusted: a pointer the program follows from it
 * (sk_socket, skc_net, a cgroup, group_leader) is then read as any traced
 * memory, with no search of the kernel's types for whether that field is
 * "trusted" on each load the verifier walks (a search over all of
 * vmlinux's BTF each time: most of the programs' load time otherwise). */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define UNTRUSTED(type, p) ((const type *)bpf_rdonly_cast((p), bpf_core_type_id_kernel(type)))

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

static __always_inline void fill_life(struct tt_bpf_life *r, const struct sock *sk, __u64 cookie,
				      const struct tt_bpf_since *e, __u64 now, __u8 flags)
{
	r->cookie = cookie;
	r->cgroup = e->cgroup;
	r->opened = e->opened;
	r->close_wait = e->close_wait;
	r->app_closed = e->app_closed;
	r->closed = flags & TT_LF_OPEN ? 0 : e->ended ? e->ended : now;
	r->tgid = e->tgid;
	r->uid = sk->sk_uid.val;
	r->lport = e->lport;
	r->rport = e->rport;
	r->flags = flags | (e->flags & (TT_LF_CLIENT | TT_LF_V6));
	r->pad[0] = r->pad[1] = r->pad[2] = 0;
	r->start_ns = e->start_ns;
	r->spare = 0;
	__builtin_memcpy(r->comm, e->comm, sizeof(r->comm));
}

static __always_inline void fill_owner(struct tt_bpf_owner *o, const struct sock *sk, __u64 cookie,
				       const struct tt_bpf_since *e, int newstate)
{
	o->cookie = cookie;
	o->tgid = e->tgid;
	o->start_ns = e->start_ns;
	o->uid = sk->sk_uid.val;
	o->cgroup = bpf_get_current_cgroup_id();
	o->sport = sk->__sk_common.skc_num;
	o->dport = __builtin_bswap16(sk->__sk_common.skc_dport);
	o->state = (__u8)newstate;
	o->pad[0] = o->pad[1] = o->pad[2] = 0;
	__builtin_memcpy(o->comm, e->comm, sizeof(o->comm));
}

static __always_inline void fill_change(struct tt_bpf_chg *r, const struct sock *sk, __u64 cookie, __u64 now,
					int oldstate, int newstate, __u16 family, bool owner_ctx, __u16 lport,
					__u16 rport)
{
	__builtin_memset(r, 0, sizeof(*r));
	r->cookie = cookie;
	r->ts = now;
	const struct sock *u = UNTRUSTED(struct sock, sk);
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

enum { TOLD_CHANGE, TOLD_LIFE, TOLD_OWNER };

/* The change (lp, rp: the ports seen at an earlier transition, a closing
 * socket may have lost its local port already; none at all: told anyway,
 * the socket may be one tenantop read before it was watching), with the
 * opening or close (life flags lf) or the owner that comes with it. */
static __always_inline void tell(const struct sock *sk, __u64 cookie, __u64 now, int oldstate, int newstate,
				 __u16 family, bool owner_ctx, __u16 lp, __u16 rp, int what,
				 const struct tt_bpf_since *e, __u8 lf)
{
	__u16 lport = sk->__sk_common.skc_num;
	__u16 rport = __builtin_bswap16(sk->__sk_common.skc_dport);
	if (!lport)
		lport = lp;
	if (!rport)
		rport = rp;
	if ((lport || rport) && !watching(lport, rport))
		return;
	if (what == TOLD_LIFE && e) {
		struct tt_bpf_chg_life *r = reserve(sizeof(*r));
		if (!r)
			return;
		fill_change(&r->c, sk, cookie, now, oldstate, newstate, family, owner_ctx, lport, rport);
		fill_life(&r->l, sk, cookie, e, now, lf);
		submit(r);
	} else if (what == TOLD_OWNER && e) {
		struct tt_bpf_chg_owner *r = reserve(sizeof(*r));
		if (!r)
			return;
		fill_change(&r->c, sk, cookie, now, oldstate, newstate, family, owner_ctx, lport, rport);
		fill_owner(&r->o, sk, cookie, e, newstate);
		submit(r);
	} else {
		struct tt_bpf_chg *r = reserve(sizeof(*r));
		if (!r)
			return;
		fill_change(r, sk, cookie, now, oldstate, newstate, family, owner_ctx, lport, rport);
		submit(r);
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
	/* not a watched port's: nothing kept, nothing told (a connecting
	 * socket has its peer's port before its own; a closing one may have
	 * lost its own: looked up below) */
	__u16 lp = sk->__sk_common.skc_num, rp = __builtin_bswap16(sk->__sk_common.skc_dport);
	if ((lp || newstate == TCP_SYN_SENT) && !watching(lp, rp))
		return 0;
	__u64 cookie = bpf_get_socket_cookie((void *)sk);
	__u64 now = bpf_ktime_get_boot_ns();
	bool owner_ctx = newstate == TCP_SYN_SENT || newstate == TCP_FIN_WAIT1 || newstate == TCP_LAST_ACK;
	/* a connecting socket's first transition, and an accepted one's (a
	 * child made in SYN_RECV; not a simultaneous open's): no entry yet (one look-up fewer in a map
	 * that may be large) */
	struct tt_bpf_since *e = newstate == TCP_SYN_SENT || (newstate == TCP_SYN_RECV && oldstate != TCP_SYN_SENT)
					 ? NULL : bpf_map_lookup_elem(&since, &cookie);
	/* the ports an earlier transition saw, for a change told without its own */
	__u16 seen_lp = 0, seen_rp = 0;
	if (e) {
		seen_lp = e->lport;
		seen_rp = e->rport;
	}
	/* a new entry is made on the stack and written once, at the end */
	struct tt_bpf_since fresh = {};
	bool is_new = !e;
	if (is_new) {
		if (newstate == TCP_CLOSE) { /* a socket that closes with no transition seen before */
			tell(sk, cookie, now, oldstate, newstate, family, owner_ctx, 0, 0, TOLD_CHANGE, NULL, 0);
			return 0;
		}
		if (family == 10)
			fresh.flags = TT_LF_V6;
		fresh.cgroup = UNTRUSTED(struct sock, sk)->sk_cgrp_data.cgroup->kn->id;
		e = &fresh;
	}
	e->ts = now;
	e->state = (__u8)newstate;
	if (!e->lport) {
		e->lport = sk->__sk_common.skc_num;
		e->rport = __builtin_bswap16(sk->__sk_common.skc_dport);
	}
	if (!e->ended && (newstate == TCP_FIN_WAIT1 || newstate == TCP_LAST_ACK || newstate == TCP_CLOSE))
		e->ended = now;
	if (owner_ctx) {
		const struct task_struct *t = UNTRUSTED(struct task_struct, bpf_get_current_task_btf());
		e->tgid = bpf_get_current_pid_tgid() >> 32;
		e->start_ns = t->group_leader->start_boottime;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
	}
	/* what the change's record also tells: the connection's opening or
	 * close (lf), or the owner at its close, for the sockets left without
	 * a descriptor (a TIME_WAIT, an orphan: a connecting socket's owner is
	 * told with its records, from its entry) */
	int what = newstate == TCP_FIN_WAIT1 || newstate == TCP_LAST_ACK ? TOLD_OWNER : TOLD_CHANGE;
	__u8 lf = 0;
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
			e->lport = sk->__sk_common.skc_num;
			e->rport = __builtin_bswap16(sk->__sk_common.skc_dport);
			what = TOLD_LIFE;
			lf = TT_LF_OPEN;
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
	case TCP_CLOSE:
		if (oldstate == TCP_CLOSE_WAIT && !e->app_closed)
			e->app_closed = now; /* closed with unread data: a reset instead of LAST_ACK */
		if (sk->sk_err)
			lf |= TT_LF_RESET;
		else if (oldstate == TCP_FIN_WAIT1 || oldstate == TCP_FIN_WAIT2 || oldstate == TCP_CLOSING ||
			 oldstate == TCP_TIME_WAIT)
			lf |= TT_LF_TIME_WAIT; /* the active closer's end lives on as a TIME_WAIT socket */
		if (e->flags & TT_LF_TOLD) /* a connection that never connected is no opening nor close */
			what = TOLD_LIFE;
		break;
	}
	tell(sk, cookie, now, oldstate, newstate, family, owner_ctx, seen_lp, seen_rp, what, e, lf);
	if (newstate == TCP_CLOSE)
		bpf_map_delete_elem(&since, &cookie);
	else if (is_new)
		bpf_map_update_elem(&since, &cookie, &fresh, BPF_ANY);
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
	__u8 ver = 0;
	struct tcphdr t;
	if (bpf_probe_read_kernel(&ver, 1, head + nh) || bpf_probe_read_kernel(&t, sizeof(t), head + th) || !t.ack)
		return 0; /* a reset to a segment without ACK does not match a TIME_WAIT's sequence */
	__u16 lport = __builtin_bswap16(t.source), rport = __builtin_bswap16(t.dest);
	if (!watching(lport, rport))
		return 0;
	struct tt_bpf_chg *r = reserve(sizeof(*r));
	if (!r)
		return 0;
	__builtin_memset(r, 0, sizeof(*r));
	ver >>= 4;
	if (ver == 4) {
		struct iphdr ip;
		bpf_probe_read_kernel(&ip, sizeof(ip), head + nh);
		__builtin_memcpy(r->laddr, &ip.saddr, 4);
		__builtin_memcpy(r->raddr, &ip.daddr, 4);
		r->family = 2;
	} else {
		struct ipv6hdr ip;
		bpf_probe_read_kernel(&ip, sizeof(ip), head + nh);
		__builtin_memcpy(r->laddr, &ip.saddr, 16);
		__builtin_memcpy(r->raddr, &ip.daddr, 16);
		r->family = 10;
	}
	r->ts = bpf_ktime_get_boot_ns();
	r->netns = sk ? UNTRUSTED(struct sock, sk)->__sk_common.skc_net.net->ns.inum
		      : UNTRUSTED(struct sk_buff, skb)->dev->nd_net.net->ns.inum;
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
