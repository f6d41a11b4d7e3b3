/* One refresh's database side: targets from the snapshot, the prober's
 * latest results, their pairing with the snapshot's sockets. */
#include <stdio.h>
#include <string.h>

#include "tenantop/probe.h"

int tt_dbstate_start(tt_dbstate *d, bool on, const char *proc_root, double every_s, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	tt_db_results_init(&d->res);
	tt_db_join_init(&d->join);
	if (!on)
		return 0;
	tt_probe_opts po = {.timeout_s = 1, .proc_root = proc_root};
	d->prober = tt_prober_new(&po, every_s, err, errlen);
	return d->prober ? 0 : -1;
}

void tt_dbstate_update(tt_dbstate *d, const tt_snapshot *snap, const tt_db_conf *conf, double wait_s)
{
	d->valid = false;
	if (!d->prober)
		return;
	if (tt_db_targets_build(&d->targets, snap, conf) == 0)
		tt_prober_set_targets(d->prober, &d->targets);
	if (wait_s > 0)
		tt_prober_wait_round(d->prober, wait_s);
	d->valid = tt_prober_take(d->prober, &d->res) == 0 && tt_db_join_run(&d->join, snap, &d->res) == 0;
}

void tt_dbstate_free(tt_dbstate *d)
{
	tt_prober_free(d->prober);
	tt_db_targets_free(&d->targets);
	tt_db_results_free(&d->res);
	tt_db_join_free(&d->join);
	memset(d, 0, sizeof(*d));
}
