/* Which sockets a source keeps. */
#include "collect/filter.h"

bool tt_sock_filter_match(const tt_sock_filter *f, const tt_sock *k)
{
	if (f->state_mask && !(f->state_mask & (1u << k->state)))
		return false;
	if (!f->ports || f->ports->all)
		return true;
	return tt_portset_has(f->ports, k->lport) || tt_portset_has(f->ports, k->rport);
}
