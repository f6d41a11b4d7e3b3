/* The table of socket sources and augmenters, and the plans --source names. */
#include <stdio.h>
#include <string.h>

#include "collect/source.h"
#include "tenantop/collect.h"

extern const tt_source_ops tt_source_netlink, tt_source_proc;
extern const tt_augment_ops tt_augment_bpf;

static const tt_source_ops *const sources[] = {&tt_source_netlink, &tt_source_proc};
static const tt_augment_ops *const augments[] = {&tt_augment_bpf};

static const struct {
	int kind;
	tt_source_plan plan;
} plans[] = {
	{TT_SRC_AUTO, {"netlink", "bpf", false, false, "auto"}},
	{TT_SRC_NETLINK, {"netlink", NULL, true, false, "netlink"}},
	{TT_SRC_PROC, {"proc", NULL, true, false, "proc"}},
	{TT_SRC_BPF, {"netlink", "bpf", true, true, "bpf"}},
};

const tt_source_ops *tt_source_at(size_t i)
{
	return i < sizeof(sources) / sizeof(sources[0]) ? sources[i] : NULL;
}

const tt_source_ops *tt_source_find(const char *name)
{
	for (size_t i = 0; name && tt_source_at(i); i++)
		if (!strcmp(tt_source_at(i)->name, name))
			return tt_source_at(i);
	return NULL;
}

const tt_augment_ops *tt_augment_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(augments) / sizeof(augments[0]); i++)
		if (!strcmp(augments[i]->name, name))
			return augments[i];
	return NULL;
}

int tt_source_plan_of(int kind, tt_source_plan *plan)
{
	for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++)
		if (plans[i].kind == kind) {
			*plan = plans[i].plan;
			return 0;
		}
	return -1;
}

int tt_source_open(tt_source *s, const tt_source_ops *ops, const tt_source_env *env, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	tt_snapshot_init(&s->scratch);
	if ((ops->caps & TT_CAP_LIVE_ONLY) && !env->real_proc) {
		snprintf(err, errlen, "%s reads the live kernel, not %s", ops->name, env->root_path);
		return -1;
	}
	if (!(s->st = ops->open(env, err, errlen)))
		return -1;
	s->ops = ops;
	return 0;
}

void tt_source_close(tt_source *s)
{
	if (s->ops)
		s->ops->close(s->st);
	tt_snapshot_free(&s->scratch);
	memset(s, 0, sizeof(*s));
}

int tt_source_all_inodes(tt_source *s, tt_u64set *all, char *err, size_t errlen)
{
	tt_portset every;
	tt_portset_clear(&every);
	every.all = true;
	tt_sock_filter f = {&every, 0};
	tt_u64set_clear(all);
	tt_snapshot_clear(&s->scratch);
	if (s->ops->read_tcp(s->st, &f, false, &s->scratch, NULL, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < s->scratch.nsocks; i++)
		if (s->scratch.socks[i].inode)
			tt_u64set_add(all, s->scratch.socks[i].inode);
	tt_snapshot_free(&s->scratch); /* every socket of the machine: not kept */
	return 0;
}
