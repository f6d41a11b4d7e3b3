/* The eBPF augmenter over a source that gives cookies: owners of
 * descriptor-less sockets and the connections' lifecycle from kernel events
 * (src/collect/bpfowners.c), and every task's socket descriptors from an
 * iterator (src/collect/bpffds.c), the owner scan's list when it loads
 * (else /proc/PID/fd). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "collect/bpffds.h"
#include "collect/bpfload.h"
#include "collect/bpfowners.h"
#include "collect/source.h"

struct bpf_aug {
	tt_bpf_owners *events;
	tt_bpf_fds *fds; /* NULL: the iterator did not load */
};

static void *bpf_open(char *why, size_t len)
{
	struct bpf_aug *a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	tt_bpf_loaded l = {.has_iter = false};
	if (tt_bpf_load(&l, why, len) < 0 || !(a->events = tt_bpf_owners_open(l.owners, why, len))) {
		for (int i = 0; l.has_iter && i < TT_BPF_ITER_FDS; i++)
			close(l.iter[i]);
		free(a);
		return NULL;
	}
	a->fds = l.has_iter ? tt_bpf_fds_open(l.iter) : NULL;
	return a;
}

static void bpf_apply(void *st, int rootfd, tt_users *users, tt_snapshot *out)
{
	struct bpf_aug *a = st;
	tt_bpf_owners_apply(a->events, rootfd, users, out);
}

static int bpf_list_fds(void *st, tt_fdlist *l)
{
	struct bpf_aug *a = st;
	return a->fds ? tt_bpf_fds_read(a->fds, l) : -1;
}

static void bpf_close(void *st)
{
	struct bpf_aug *a = st;
	tt_bpf_owners_close(a->events);
	tt_bpf_fds_close(a->fds);
	free(a);
}

static void bpf_begin(void *st)
{
	struct bpf_aug *a = st;
	tt_bpf_owners_drain(a->events);
}

static void bpf_watch(void *st, const tt_portset *ports)
{
	struct bpf_aug *a = st;
	tt_bpf_owners_watch(a->events, ports);
}

static const tt_sock_change *bpf_changes(void *st, size_t *n, uint64_t *lost)
{
	struct bpf_aug *a = st;
	return tt_bpf_owners_changes(a->events, n, lost);
}

static int bpf_clock(void *st, tt_tick_clock *clk)
{
	struct bpf_aug *a = st;
	return tt_bpf_owners_clock(a->events, clk);
}

const tt_augment_ops tt_augment_bpf = {
	.name = "bpf",
	.caps = TT_CAP_OWNERS | TT_CAP_EVENTS | TT_CAP_FDS | TT_CAP_CHANGES,
	.needs = TT_CAP_COOKIES,
	.open = bpf_open,
	.apply = bpf_apply,
	.list_fds = bpf_list_fds,
	.close = bpf_close,
	.begin = bpf_begin,
	.watch = bpf_watch,
	.changes = bpf_changes,
	.clock = bpf_clock,
};
