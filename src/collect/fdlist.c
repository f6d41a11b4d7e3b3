/* Every task's socket descriptors, indexed by process (see fdlist.h). */
#include <stdlib.h>
#include <string.h>

#include "collect/fdlist.h"

void tt_fdlist_init(tt_fdlist *l)
{
	memset(l, 0, sizeof(*l));
	tt_u64set_init(&l->first);
}

void tt_fdlist_free(tt_fdlist *l)
{
	free(l->v);
	free(l->addrs);
	tt_u64set_free(&l->first);
	memset(l, 0, sizeof(*l));
}

static int by_task(const void *a, const void *b)
{
	const struct tt_sockfd *x = a, *y = b;
	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

int tt_fdlist_index(tt_fdlist *l)
{
	/* the iterator walks the tasks in pid order: sorted already, unless a
	 * thread with a descriptor table of its own came apart from its process */
	for (size_t i = 1; i < l->n; i++)
		if (by_task(&l->v[i - 1], &l->v[i]) > 0) {
			qsort(l->v, l->n, sizeof(*l->v), by_task);
			break;
		}
	tt_u64set_clear(&l->first);
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].tgid && (i == 0 || l->v[i - 1].tgid != l->v[i].tgid) &&
		    tt_u64set_put(&l->first, l->v[i].tgid, i + 1) < 0)
			return -1;
	return 0;
}

const struct tt_sockfd *tt_fdlist_of(const tt_fdlist *l, uint32_t tgid, size_t *n)
{
	uint64_t ix;
	*n = 0;
	if (!tt_u64set_get(&l->first, tgid, &ix) || !ix || ix > l->n)
		return NULL;
	size_t i = ix - 1, j = i;
	while (j < l->n && l->v[j].tgid == tgid)
		j++;
	*n = j - i;
	return &l->v[i];
}

int tt_fdlist_fill(tt_fdlist *l, const tt_portset *ports)
{
	if (!l->fill)
		return 0;
	int (*fill)(void *, tt_fdlist *, const tt_portset *) = l->fill;
	l->fill = NULL;
	return fill(l->fill_src, l, ports);
}

const struct tt_sockfd_addrs *tt_fdlist_addrs(const tt_fdlist *l, const struct tt_sockfd *r)
{
	return (r->flags & TT_SFD_ADDRS) && r->addrs && r->addrs <= l->naddrs ? &l->addrs[r->addrs - 1] : NULL;
}
