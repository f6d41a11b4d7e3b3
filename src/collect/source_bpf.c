/* The eBPF event augmenter: owners of descriptor-less sockets and the
 * connections' lifecycle from kernel events (src/collect/bpfowners.c), over
 * a source that gives cookies. */
#include "collect/bpfowners.h"
#include "collect/source.h"

static void *bpf_open(char *why, size_t len)
{
	return tt_bpf_owners_open(why, len);
}

static void bpf_apply(void *st, int rootfd, tt_users *users, tt_snapshot *out)
{
	tt_bpf_owners_apply(st, rootfd, users, out);
}

static void bpf_close(void *st)
{
	tt_bpf_owners_close(st);
}

static void bpf_begin(void *st)
{
	tt_bpf_owners_drain(st);
}

static void bpf_watch(void *st, const tt_portset *ports)
{
	tt_bpf_owners_watch(st, ports);
}

const tt_augment_ops tt_augment_bpf = {
	.name = "bpf",
	.caps = TT_CAP_OWNERS | TT_CAP_EVENTS,
	.needs = TT_CAP_COOKIES,
	.open = bpf_open,
	.apply = bpf_apply,
	.close = bpf_close,
	.begin = bpf_begin,
	.watch = bpf_watch,
};
