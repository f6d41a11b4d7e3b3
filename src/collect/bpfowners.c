/* Owners of connections from kernel events (eBPF, src/collect/bpf/owners.bpf.c).
 *
 * A TIME_WAIT socket has no descriptor, so no process to read it from; a
 * connection that opens and closes between two refreshes is not seen alive
 * at all.  The BPF program tells, under each socket's cookie, the process
 * that connect()ed or close()d it (the transitions that run in the owner's
 * own context) in the ring buffer; a TIME_WAIT socket keeps its cookie, so
 * the owners told at the closes are kept here while a descriptor-less
 * socket has that cookie, and each refresh looks those sockets up in them.  The same
 * records are every state change of a watched socket: each connection's
 * opening and close are followed from them here (connlife.h), into the
 * snapshot's events once per refresh (lifecycle.h counts them per tenant),
 * and the event-driven refresh applies them (delta.h).  Built only where
 * clang, bpftool, libbpf and the kernel's BTF are there (TT_HAVE_BPF);
 * otherwise tt_bpf_owners_open says why not. */
#include <errno.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect/bpfowners.h"
#include "tenantop/vec.h"

#ifdef TT_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/connlife.h"
#include "collect/ringpump.h"
#include "tenantop.skel.h"

/* a ring buffer record: a socket's owner at its close (as in owners.bpf.c) */
struct tt_bpf_owner {
	uint64_t cookie;
	uint64_t start_ns;
	uint32_t tgid;
	uint32_t uid;
	uint16_t sport, dport;
	uint8_t state;
	uint8_t pad[3];
	char comm[16];
};

/* a ring buffer record: one state change (as in owners.bpf.c) */
struct tt_bpf_chg {
	uint64_t cookie;
	uint64_t ts;
	uint64_t ino;
	uint8_t laddr[16], raddr[16];
	uint32_t uid;
	uint32_t netns;
	uint32_t tgid;
	uint16_t lport, rport;
	uint8_t oldstate, newstate, family, flags;
	uint32_t hz;
	uint64_t jiffies;
};

struct tt_bpf_clock {
	uint64_t jiffies;
	uint64_t boot_ns;
	uint32_t hz;
	uint32_t pad;
};

struct cached {
	uint64_t cookie;
	uint32_t gen;
	struct tt_bpf_owner o;
};

struct tt_bpf_owners {
	int link_fd;
	/* the owners the ring told at the sockets' closes, kept while a socket
	 * without a descriptor has that cookie */
	struct cached *c;
	size_t n, cap;
	tt_u64set ix; /* cookie -> index in c */
	tt_connlife life; /* each watched connection's lifecycle, from its changes */
	uint32_t gen;
	long ticks_per_s;
	int ring_fd, drop_fd, watch_fd, clock_prog_fd, clock_fd;
	int nested_link_fd, prog_fd, nested_prog_fd, nest_fd, reset_link_fd, reset_prog_fd;
	int again_fd;            /* tt_set_state for the nested program's jump: held here, since
				  * the kernel empties such a map when no process holds it */
	uint64_t watch[1025];    /* the ports the program was last told */
	tt_portset ports;        /* and the same for the events' filter */
	struct ring_buffer *rb;
	tt_ringpump *pump;       /* empties the ring between refreshes (ringpump.h) */
	uint64_t pump_lost;      /* its records lost for want of memory, at the last drain */
	/* the ring's positions, mapped apart (read only): what was written
	 * before a drain began is read by it, even behind a record another CPU
	 * is still filling; NULL: not mapped, one pass */
	const volatile unsigned long *cons_pos, *prod_pos;
	size_t page;
	tt_conn_life *raw;       /* this refresh's openings and closes */
	size_t nraw, raw_cap;
	bool raw_oom;
	tt_sock_change *chg;     /* this refresh's state changes */
	size_t nchg, chg_cap;
	size_t late;             /* chg[late..nchg): read after the refresh's tables, kept for
				  * the next; NO_LATE: none (no refresh looked the owners up) */
	bool drained;            /* raw holds what was read at the refresh's start */
	uint64_t dropped;
	int ncpus;
	uint64_t *dropv;         /* one per possible CPU */
	double since;            /* wall clock of the attachment */
};

/* Loaded and attached in a short-lived child (bpfload.c: relocating the
 * program parses the kernel's whole BTF, which tenantop's own memory need
 * not carry), which hands back the link (it keeps the program attached)
 * and the maps' descriptors. */
#define NO_LATE SIZE_MAX

enum {
	FD_LINK, FD_RING, FD_DROPPED, FD_WATCH, FD_CLOCK_PROG, FD_CLOCK,
	FD_NESTED_LINK, FD_PROG, FD_NESTED_PROG, FD_NEST, FD_RESET_LINK, FD_RESET_PROG, FD_AGAIN, NFDS
};
_Static_assert(NFDS == TT_BPF_OWNER_FDS, "the owners' descriptors, as bpfowners.h counts them");

/* The ring buffer's size: TENANTOP_RINGBUF_BYTES (for tests: a tiny ring
 * shows what a full one does), a power of 2 from a page; else the
 * program's 512 KiB (some 1.1 KB a loopback connection, its ten changes:
 * about 470 of them; the pump empties it every 50 ms, and as soon as the
 * program finds it a quarter full and wakes it, then at most every
 * millisecond while it stays so).  Mapped whole, and its data twice over,
 * it counts twice its size in the RSS. */
void tt_bpf_owners_prepare(struct tt_tenantop *skel)
{
	const char *v = getenv("TENANTOP_RINGBUF_BYTES");
	long page = sysconf(_SC_PAGESIZE);
	char *end;
	unsigned long n = v && *v ? strtoul(v, &end, 10) : 0;
	if (!n || *end || n < (unsigned long)page || n > (1ul << 30) || (n & (n - 1)))
		return;
	bpf_map__set_max_entries(skel->maps.life, (uint32_t)n);
}

int tt_bpf_owners_attach(struct tt_tenantop *skel, int *fds, char *msg, size_t len)
{
	int self_fd = bpf_program__fd(skel->progs.tt_set_state);
	uint32_t zero = 0;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.again), &zero, &self_fd, BPF_ANY) != 0) {
		snprintf(msg, len, "the nested program's jump: %s", strerror(errno));
		return -1;
	}
	/* one by one (the skeleton's attach would take the iterator too), kept
	 * in the skeleton, which frees them */
	struct bpf_link *l[3] = {skel->links.tt_set_state = bpf_program__attach(skel->progs.tt_set_state),
				 skel->links.tt_set_state_nested = bpf_program__attach(skel->progs.tt_set_state_nested),
				 skel->links.tt_send_reset = bpf_program__attach(skel->progs.tt_send_reset)};
	if (!l[0] || !l[1] || !l[2]) {
		snprintf(msg, len, "tracepoint inet_sock_set_state refused: %s", strerror(errno));
		return -1;
	}
	fds[FD_LINK] = bpf_link__fd(l[0]);
	fds[FD_RING] = bpf_map__fd(skel->maps.life);
	fds[FD_DROPPED] = bpf_map__fd(skel->maps.dropped);
	fds[FD_WATCH] = bpf_map__fd(skel->maps.watch);
	fds[FD_CLOCK_PROG] = bpf_program__fd(skel->progs.tt_clock);
	fds[FD_CLOCK] = bpf_map__fd(skel->maps.clock);
	fds[FD_NESTED_LINK] = bpf_link__fd(l[1]);
	fds[FD_PROG] = bpf_program__fd(skel->progs.tt_set_state);
	fds[FD_NESTED_PROG] = bpf_program__fd(skel->progs.tt_set_state_nested);
	fds[FD_NEST] = bpf_map__fd(skel->maps.nest);
	fds[FD_RESET_LINK] = bpf_link__fd(l[2]);
	fds[FD_RESET_PROG] = bpf_program__fd(skel->progs.tt_send_reset);
	fds[FD_AGAIN] = bpf_map__fd(skel->maps.again);
	return 0;
}

static uint8_t state_of(uint8_t kernel)
{
	return (uint8_t)tt_state_from_kernel(kernel);
}

static void take_change(tt_bpf_owners *b, const struct tt_bpf_chg *r)
{
	tt_sock_change *c = TT_VEC_PUSH(b->chg, b->nchg, b->chg_cap);
	if (!c) {
		b->raw_oom = true;
		return;
	}
	c->cookie = r->cookie;
	c->boot_ns = r->ts;
	c->inode = r->ino;
	c->netns = r->netns;
	c->tgid = r->tgid;
	c->uid = r->uid;
	c->family = r->family == 10 ? TT_FAM_TCP6 : TT_FAM_TCP4;
	c->lport = r->lport;
	c->rport = r->rport;
	memcpy(c->laddr, r->laddr, 16);
	memcpy(c->raddr, r->raddr, 16);
	c->from = state_of(r->oldstate);
	c->to = state_of(r->newstate);
	c->time_wait = (r->flags & TT_LF_TIME_WAIT) != 0;
	c->fin_in = (r->flags & TT_LF_FIN_IN) != 0;
	c->reset_to = (r->flags & TT_LF_RESET_TO) != 0;
	c->jiffies = r->jiffies;
	c->hz = r->hz;
}

/* An owner the ring told: kept until a refresh's table has no socket
 * without a descriptor under its cookie (its generation: the next
 * refresh's, which it outlives when that refresh looks it up). */
static void take_owner(tt_bpf_owners *b, const struct tt_bpf_owner *r)
{
	bool created;
	struct cached *c = TT_VEC_KEYED(b->c, b->n, b->cap, b->ix, r->cookie, &created);
	if (!c) {
		b->raw_oom = true;
		return;
	}
	c->cookie = r->cookie;
	c->gen = b->gen + 1;
	c->o = *r;
}

/* the ring's two kinds of record, told apart by their size: a change
 * alone, a change with its owner */
#define TT_CHG_OWNER (sizeof(struct tt_bpf_chg) + sizeof(struct tt_bpf_owner))
_Static_assert(sizeof(struct tt_bpf_chg) % 8 == 0, "the part after a change 8-byte aligned");

/* The change into the connection's lifecycle (connlife.h): its opening or
 * close, when it is one, into this refresh's records. */
static void follow(tt_bpf_owners *b, const struct tt_bpf_chg *r, const struct tt_bpf_owner *o)
{
	if (r->flags & TT_LF_RESET_TO)
		return; /* no change of a socket's own */
	tt_life_owner who;
	tt_life_step st = {.cookie = r->cookie, .ts = r->ts, .from = r->oldstate, .to = r->newstate,
			   .flags = r->flags, .v6 = r->family == 10, .lport = r->lport, .rport = r->rport,
			   .uid = r->uid, .owner = NULL};
	if (o) {
		who.tgid = o->tgid;
		who.start_ns = o->start_ns;
		memcpy(who.comm, o->comm, sizeof(who.comm));
		st.owner = &who;
	}
	tt_conn_life l;
	int rc = tt_connlife_step(&b->life, &st, &l);
	if (rc < 0) {
		b->raw_oom = true;
		return;
	}
	if (rc == 0)
		return;
	tt_conn_life *to = TT_VEC_PUSH(b->raw, b->nraw, b->raw_cap);
	if (!to) {
		b->raw_oom = true;
		return;
	}
	*to = l;
}

/* The ring's consumer and producer pages, each mapped read only. */
static void map_positions(tt_bpf_owners *b)
{
	b->page = (size_t)sysconf(_SC_PAGESIZE);
	void *c = mmap(NULL, b->page, PROT_READ, MAP_SHARED, b->ring_fd, 0);
	void *p = mmap(NULL, b->page, PROT_READ, MAP_SHARED, b->ring_fd, (off_t)b->page);
	if (c == MAP_FAILED || p == MAP_FAILED) {
		if (c != MAP_FAILED)
			munmap(c, b->page);
		if (p != MAP_FAILED)
			munmap(p, b->page);
		return;
	}
	b->cons_pos = c;
	b->prod_pos = p;
}

/* A record of the ring, replayed from the pump's stage in the ring's order. */
static void take_record(void *ctx, const void *data, size_t size)
{
	tt_bpf_owners *b = ctx;
	if (size == sizeof(struct tt_bpf_chg)) {
		take_change(b, data);
		follow(b, data, NULL);
		return;
	}
	if (size != TT_CHG_OWNER)
		return;
	/* a change and its owner: kept for the socket's life without a
	 * descriptor when it is a close (a connect's owner goes with the
	 * connection's lifecycle only) */
	struct tt_bpf_owner o;
	memcpy(&o, (const char *)data + sizeof(struct tt_bpf_chg), sizeof(o));
	take_change(b, data);
	if (o.state == 4 || o.state == 9) /* FIN_WAIT1, LAST_ACK */
		take_owner(b, &o);
	follow(b, data, &o);
}

/* The ring's consumer: each record into the pump's stage (its lock held). */
static int stage_record(void *ctx, void *data, size_t size)
{
	tt_bpf_owners *b = ctx;
	(void)tt_ringpump_stage(b->pump, data, size);
	return 0;
}

static void pump_fill(void *ctx)
{
	tt_bpf_owners *b = ctx;
	ring_buffer__consume(b->rb);
}

/* The pump's period: TENANTOP_RING_PUMP_MS (0: no thread, the ring is
 * read at the refreshes only; for tests of a full ring), else 50 ms. */
static unsigned pump_period(void)
{
	const char *v = getenv("TENANTOP_RING_PUMP_MS");
	char *end;
	unsigned long n = v && *v ? strtoul(v, &end, 10) : 50;
	return v && *v && (*end || n > 10000) ? 50 : (unsigned)n;
}

/* what the records waiting in memory may take before the pump stops and
 * the ring counts its drops (some 20 000 loopback connections) */
#define PUMP_CAP (32u << 20)

tt_bpf_owners *tt_bpf_owners_open(const int *fds, char *why, size_t len)
{
	tt_bpf_owners *b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(why, len, "out of memory");
		for (int i = 0; i < NFDS; i++)
			close(fds[i]);
		return NULL;
	}
	b->link_fd = fds[FD_LINK];
	b->ring_fd = fds[FD_RING];
	b->drop_fd = fds[FD_DROPPED];
	b->watch_fd = fds[FD_WATCH];
	b->clock_prog_fd = fds[FD_CLOCK_PROG];
	b->clock_fd = fds[FD_CLOCK];
	b->nested_link_fd = fds[FD_NESTED_LINK];
	b->prog_fd = fds[FD_PROG];
	b->nested_prog_fd = fds[FD_NESTED_PROG];
	b->nest_fd = fds[FD_NEST];
	b->reset_link_fd = fds[FD_RESET_LINK];
	b->reset_prog_fd = fds[FD_RESET_PROG];
	b->again_fd = fds[FD_AGAIN];
	b->rb = ring_buffer__new(b->ring_fd, stage_record, b, NULL);
	b->ncpus = libbpf_num_possible_cpus();
	if (b->ncpus > 0)
		b->dropv = calloc((size_t)b->ncpus, sizeof(uint64_t));
	if (!b->rb || !b->dropv)
		snprintf(why, len, "the event ring buffer could not be mapped: %s", strerror(errno));
	else
		b->pump = tt_ringpump_new(pump_fill, b, PUMP_CAP);
	if (!b->pump) {
		if (b->rb && b->dropv)
			snprintf(why, len, "out of memory");
		ring_buffer__free(b->rb);
		free(b->dropv);
		for (int i = 0; i < NFDS; i++)
			close(fds[i]);
		free(b);
		return NULL;
	}
	map_positions(b);
	b->late = NO_LATE;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	b->since = (double)now.tv_sec + now.tv_nsec / 1e9;
	tt_u64set_init(&b->ix);
	tt_connlife_init(&b->life);
	b->ticks_per_s = sysconf(_SC_CLK_TCK);
	if (b->ticks_per_s <= 0)
		b->ticks_per_s = 100;
	/* last, all set: without its thread the ring is read at the refreshes,
	 * as a full ring it may drop what a burst writes (counted) */
	tt_ringpump_wake_fd(b->pump, ring_buffer__epoll_fd(b->rb));
	char msg[96];
	(void)tt_ringpump_start(b->pump, pump_period(), msg, sizeof(msg));
	return b;
}

void tt_bpf_owners_close(tt_bpf_owners *b)
{
	if (!b)
		return;
	close(b->link_fd); /* detaches the program */
	tt_ringpump_free(b->pump); /* before the ring its thread reads */
	ring_buffer__free(b->rb);
	if (b->cons_pos) {
		munmap((void *)b->cons_pos, b->page);
		munmap((void *)b->prod_pos, b->page);
	}
	close(b->ring_fd);
	close(b->drop_fd);
	close(b->watch_fd);
	close(b->clock_prog_fd);
	close(b->clock_fd);
	close(b->nested_link_fd);
	close(b->prog_fd);
	close(b->nested_prog_fd);
	close(b->nest_fd);
	close(b->reset_link_fd);
	close(b->reset_prog_fd);
	close(b->again_fd);
	free(b->raw);
	free(b->chg);
	free(b->dropv);
	free(b->c);
	tt_u64set_free(&b->ix);
	tt_connlife_free(&b->life);
	free(b);
}

/* The owner the ring told for a socket at its close (NULL: none told);
 * kept another refresh. */
static const struct cached *lookup(tt_bpf_owners *b, uint64_t cookie)
{
	uint64_t i;
	if (!tt_u64set_get(&b->ix, cookie, &i) || i >= b->n)
		return NULL;
	struct cached *c = &b->c[i];
	c->gen = b->gen;
	return c;
}

/* The snapshot's process for an event's owner: the live process when it
 * still runs (same start time), else a stand-in made of what the event saw. */
static long owner_proc(tt_bpf_owners *b, int rootfd, tt_users *users, tt_u64set *by_pid,
		       const struct tt_bpf_owner *o, tt_snapshot *out)
{
	uint64_t start = o->start_ns / (1000000000ULL / (uint64_t)b->ticks_per_s), pi;
	uint64_t key = (uint64_t)o->tgid << 32 ^ start;
	if (tt_u64set_get(by_pid, key, &pi))
		return (long)pi;
	for (size_t i = 0; i < out->nprocs; i++)
		if (out->procs[i].pid == (int32_t)o->tgid && out->procs[i].start_time == start) {
			tt_u64set_put(by_pid, key, i);
			return (long)i;
		}
	long ix = tt_read_proc(rootfd, (int)o->tgid, users, out);
	if (ix >= 0 && out->procs[ix].start_time != start) {
		out->nprocs--; /* the pid is another process's now */
		ix = -1;
	}
	if (ix < 0) {
		tt_proc *p = tt_snapshot_add_proc(out);
		if (!p)
			return -1;
		ix = (long)out->nprocs - 1;
		size_t cl = strnlen(o->comm, sizeof(o->comm));
		const char *user = tt_users_name(users, o->uid);
		uint32_t comm = tt_snapshot_str(out, o->comm, cl, 16);
		uint32_t uname = tt_snapshot_str(out, user, strlen(user), 64);
		uint32_t cmd = tt_snapshot_str_trusted(out, "(exited)");
		p = &out->procs[ix];
		p->pid = (int32_t)o->tgid;
		p->uid = o->uid;
		p->start_time = start;
		p->comm = comm, p->user = uname, p->cmdline = cmd;
		p->flags = TT_PF_EXITED;
	}
	tt_u64set_put(by_pid, key, (uint64_t)ix);
	return ix;
}

/* The time in state of a socket, in ms (0 unknown): the kernel's, from the
 * change that put it in that state (none seen: it was in it before). */
static uint32_t state_ms(tt_bpf_owners *b, const tt_sock *k, uint64_t boot_now)
{
	uint8_t kstate;
	uint64_t ts = tt_connlife_since(&b->life, k->cookie, &kstate);
	if (!ts || ts > boot_now || tt_state_from_kernel(kstate) != k->state)
		return 0;
	uint64_t ms = (boot_now - ts) / 1000000u;
	return ms ? (ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms) : 1;
}

static void take_events(tt_bpf_owners *b, int rootfd, tt_users *users, tt_snapshot *out);

/* What the ring got since the refresh's start, read before the owners are
 * looked up: a connection closed between the drain and the table read is
 * in the table (its TIME_WAIT), and its owner's record is here now.  Its
 * changes wait for the next refresh (the tables were read already), its
 * openings and closes are this one's. */
static uint64_t dropped(tt_bpf_owners *b);

/* What the ring holds now, after what the pump staged before it, into
 * this refresh's records (the lock held). */
static void replay(tt_bpf_owners *b)
{
	tt_ringpump_replay(b->pump, take_record, b);
	b->pump_lost = tt_ringpump_lost(b->pump);
}

static void drain_late(tt_bpf_owners *b)
{
	b->late = b->nchg;
	tt_ringpump_lock(b->pump);
	ring_buffer__consume(b->rb);
	replay(b);
	tt_ringpump_unlock(b->pump);
	b->dropped = dropped(b);
}

void tt_bpf_owners_apply(tt_bpf_owners *b, int rootfd, tt_users *users, tt_snapshot *out)
{
	/* before the generation moves on: the owners read now are this refresh's */
	if (b->drained)
		drain_late(b);
	else
		tt_bpf_owners_drain(b);
	b->gen++;
	/* the boot clock at the snapshot's time, which the model measures ages from */
	struct timespec ts, rt;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	clock_gettime(CLOCK_REALTIME, &rt);
	double behind = (double)rt.tv_sec + rt.tv_nsec / 1e9 - out->time;
	uint64_t boot_now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (behind > 0 && behind * 1e9 < (double)boot_now)
		boot_now -= (uint64_t)(behind * 1e9);
	/* the states whose duration tells a leak (ESTABLISHED has tcp_info's idle
	 * times, TIME_WAIT lasts a minute): one look-up per socket and state */
	const uint32_t timed = 1u << TT_ST_CLOSE_WAIT | 1u << TT_ST_LAST_ACK | 1u << TT_ST_FIN_WAIT1 |
			       1u << TT_ST_FIN_WAIT2 | 1u << TT_ST_CLOSING | 1u << TT_ST_SYN_SENT;
	for (size_t i = 0; i < out->nsocks; i++)
		if (out->socks[i].cookie && out->socks[i].family != TT_FAM_UNIX && (timed >> out->socks[i].state & 1))
			out->socks[i].state_ms = state_ms(b, &out->socks[i], boot_now);
	if (!out->stats.from_events) {
		/* a full read: the lifecycles of sockets it does not have, and
		 * that no change told of since the last, are forgotten (their close
		 * was not seen: an event lost) */
		for (size_t i = 0; i < out->nsocks; i++)
			if (out->socks[i].cookie && out->socks[i].family != TT_FAM_UNIX)
				tt_connlife_mark(&b->life, out->socks[i].cookie);
		tt_connlife_sweep(&b->life);
	}
	tt_u64set by_pid;
	tt_u64set_init(&by_pid);
	size_t nsocks = out->nsocks;
	for (size_t i = 0; i < nsocks; i++) {
		tt_sock *k = &out->socks[i];
		if (k->inode || !k->cookie || k->family == TT_FAM_UNIX)
			continue; /* a descriptor says who holds it */
		const struct cached *c = lookup(b, k->cookie);
		if (!c)
			continue;
		long pi = owner_proc(b, rootfd, users, &by_pid, &c->o, out);
		if (pi >= 0) {
			out->socks[i].event_proc = (uint32_t)pi + 1;
			out->stats.event_owned++;
		}
	}
	tt_u64set_free(&by_pid);
	TT_VEC_SWEEP(b->c, b->n, b->gen, b->ix, cookie);
	take_events(b, rootfd, users, out);
}

/* A per-CPU counter summed (0 unreadable). */
static uint64_t per_cpu_sum(tt_bpf_owners *b, int fd, uint32_t key)
{
	uint64_t sum = 0;
	if (bpf_map_lookup_elem(fd, &key, b->dropv) != 0)
		return 0;
	for (int i = 0; i < b->ncpus; i++)
		sum += b->dropv[i];
	return sum;
}

/* The times the kernel skipped a program (it was running on that CPU). */
static uint64_t misses(int prog_fd)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(prog_fd, &info, &len) == 0 ? info.recursion_misses : 0;
}

/* the events lost so far: the records that found the ring full, the
 * changes the kernel skipped tt_set_state for that tt_set_state_nested did
 * not take (owners.bpf.c), and the resets it skipped tt_send_reset for */
static uint64_t dropped(tt_bpf_owners *b)
{
	uint64_t skipped = misses(b->prog_fd), taken = per_cpu_sum(b, b->nest_fd, 1);
	return per_cpu_sum(b, b->drop_fd, 0) + (skipped > taken ? skipped - taken : 0) + misses(b->nested_prog_fd) +
	       misses(b->reset_prog_fd);
}

void tt_bpf_owners_drain(tt_bpf_owners *b)
{
	b->nraw = 0;
	/* the changes read late in the last refresh (after its tables) are
	 * this refresh's first */
	if (b->late < b->nchg)
		memmove(b->chg, b->chg + b->late, (b->nchg - b->late) * sizeof(*b->chg));
	b->nchg = b->late < b->nchg ? b->nchg - b->late : 0;
	b->late = NO_LATE;
	b->raw_oom = false;
	tt_ringpump_lock(b->pump);
	unsigned long until = b->prod_pos ? __atomic_load_n(b->prod_pos, __ATOMIC_ACQUIRE) : 0;
	ring_buffer__consume(b->rb);
	/* the reading stops at a record still being written (its program
	 * interrupted, its CPU taken away): the ones after it, written before
	 * this drain began, are waited for (200 ms at most: a virtual CPU the
	 * host takes away can hold its record longer than 20 ms, and a steady
	 * refresh then missed the changes behind it) */
	for (int i = 0; i < 200 && b->cons_pos && (long)(__atomic_load_n(b->cons_pos, __ATOMIC_ACQUIRE) - until) < 0; i++) {
		struct timespec ms = {0, 1000000};
		nanosleep(&ms, NULL);
		ring_buffer__consume(b->rb);
	}
	replay(b);
	tt_ringpump_unlock(b->pump);
	b->dropped = dropped(b);
	b->drained = true;
}

/* The lifecycles of sockets on ports no longer watched: the program skips
 * their close, which would have ended them. */
static bool port_watched(const void *ctx, uint16_t port)
{
	return tt_portset_has(ctx, port);
}

void tt_bpf_owners_watch(tt_bpf_owners *b, const tt_portset *ports)
{
	bool shrinks = b->ports.all && !ports->all;
	for (uint32_t k = 0; k < 1024 && !shrinks; k++)
		shrinks = (b->ports.bits[k] & ~ports->bits[k]) != 0;
	if (shrinks)
		tt_connlife_forget(&b->life, port_watched, ports);
	b->ports = *ports;
	for (uint32_t k = 0; k < 1025; k++) {
		uint64_t w = k < 1024 ? ports->bits[k] : ports->all;
		if (w != b->watch[k] && bpf_map_update_elem(b->watch_fd, &k, &w, BPF_ANY) == 0)
			b->watch[k] = w;
	}
}

/* The events lost so far: the ring's drops, and the records tenantop had no room for. */
static uint64_t lost_so_far(const tt_bpf_owners *b)
{
	return b->dropped + b->pump_lost + (b->raw_oom ? 1 : 0);
}

const tt_sock_change *tt_bpf_owners_changes(const tt_bpf_owners *b, size_t *n, uint64_t *lost)
{
	*n = b->drained ? b->nchg : 0;
	*lost = lost_so_far(b);
	return b->chg;
}

int tt_bpf_owners_clock(tt_bpf_owners *b, tt_tick_clock *clk)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct tt_bpf_clock v;
	uint32_t zero = 0;
	if (bpf_prog_test_run_opts(b->clock_prog_fd, &opts) != 0 || bpf_map_lookup_elem(b->clock_fd, &zero, &v) != 0 ||
	    !v.hz)
		return -1;
	clk->jiffies = v.jiffies;
	clk->boot_ns = v.boot_ns;
	clk->hz = v.hz;
	return 0;
}

static void take_events(tt_bpf_owners *b, int rootfd, tt_users *users, tt_snapshot *out)
{
	const tt_portset *ports = &b->ports;
	tt_scan_stats *st = &out->stats;
	st->events = true;
	st->events_since = b->since;
	b->drained = false;
	st->events_dropped = lost_so_far(b);
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	double boot_now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	tt_u64set by_pid;
	tt_u64set_init(&by_pid);
	for (size_t i = 0; i < b->nraw; i++) {
		const tt_conn_life *r = &b->raw[i];
		if (!tt_portset_has(ports, r->lport) && !tt_portset_has(ports, r->rport))
			continue; /* not a connection to or from a watched port */
		tt_conn_event *e = tt_snapshot_add_event(out);
		if (!e)
			break;
		uint64_t at = r->flags & TT_LF_OPEN ? r->opened : r->closed;
		e->cookie = r->cookie;
		e->at = out->time - (boot_now - (double)at / 1e9);
		e->lifetime_s = !(r->flags & TT_LF_OPEN) && r->opened && r->closed >= r->opened
				       ? (double)(r->closed - r->opened) / 1e9 : 0;
		uint64_t app = r->app_closed ? r->app_closed : r->closed;
		e->close_wait_s = !(r->flags & TT_LF_OPEN) && r->close_wait && app >= r->close_wait
					 ? (double)(app - r->close_wait) / 1e9 : -1;
		e->uid = r->uid;
		e->lport = r->lport;
		e->rport = r->rport;
		e->flags = (uint8_t)((r->flags & TT_LF_OPEN ? TT_CE_OPEN : 0) | (r->flags & TT_LF_CLIENT ? TT_CE_CLIENT : 0) |
				     (r->flags & TT_LF_TIME_WAIT ? TT_CE_TIME_WAIT : 0) | (r->flags & TT_LF_V6 ? TT_CE_V6 : 0) |
				     (r->flags & TT_LF_RESET ? TT_CE_RESET : 0));
		/* the owner: the process the events saw connect or close it, told
		 * with the record; an accepted connection's opening has none (it is
		 * owned from its close on: asked, it may have closed since) */
		struct tt_bpf_owner o = {.start_ns = r->start_ns, .tgid = r->tgid, .uid = r->uid};
		memcpy(o.comm, r->comm, sizeof(o.comm));
		const struct cached *c = r->tgid ? NULL : lookup(b, r->cookie);
		if (c)
			o = c->o;
		if (o.tgid) {
			long pi = owner_proc(b, rootfd, users, &by_pid, &o, out);
			e = &out->events[out->nevents - 1];
			if (pi >= 0)
				e->proc = (uint32_t)pi + 1;
		}
	}
	tt_u64set_free(&by_pid);
}

#else /* no BPF in this build */

tt_bpf_owners *tt_bpf_owners_open(const int *fds, char *why, size_t len)
{
	(void)fds;
	snprintf(why, len, "built without BPF (clang, bpftool, libbpf or the kernel's BTF were missing)");
	return NULL;
}

void tt_bpf_owners_close(tt_bpf_owners *b)
{
	(void)b;
}

void tt_bpf_owners_apply(tt_bpf_owners *b, int rootfd, tt_users *users, tt_snapshot *out)
{
	(void)b, (void)rootfd, (void)users, (void)out;
}


void tt_bpf_owners_watch(tt_bpf_owners *b, const tt_portset *ports)
{
	(void)b, (void)ports;
}

void tt_bpf_owners_drain(tt_bpf_owners *b)
{
	(void)b;
}

int tt_bpf_owners_clock(tt_bpf_owners *b, tt_tick_clock *clk)
{
	(void)b, (void)clk;
	return -1;
}

const tt_sock_change *tt_bpf_owners_changes(const tt_bpf_owners *b, size_t *n, uint64_t *lost)
{
	(void)b;
	*n = 0;
	*lost = 0;
	return NULL;
}

#endif

bool tt_bpf_built(void)
{
#ifdef TT_HAVE_BPF
	return true;
#else
	return false;
#endif
}
