/* A hand-built model for the dashboard's view and panes (no machine):
 *   alice  php-fpm 100 + child 101 sharing an ESTABLISHED socket; 101 holds
 *          3 CLOSE_WAIT
 *   bob    worker 200 holds a reset CLOSE
 *   carol  (port rule: remote port 3307) worker 400 ESTABLISHED, and a
 *          TIME_WAIT no process holds: the "(no process)" row
 *   mysql  the server side of alice's connection, and the listener
 *   one TIME_WAIT on 3306 nobody owns: the unattributed group
 * A later refresh (dave = true) adds dave, 5 CLOSE_WAIT. */
#ifndef TT_TEST_VIEW_FIXTURE_H
#define TT_TEST_VIEW_FIXTURE_H

#include <string.h>

#include "tenantop/model.h"
#include "tenantop/tenant.h"
#include "tenantop/view.h"

static inline uint32_t vf_proc(tt_snapshot *s, int pid, int ppid, uint32_t uid, const char *user, const char *comm)
{
	tt_proc *p = tt_snapshot_add_proc(s);
	p->pid = pid;
	p->ppid = ppid;
	p->uid = uid;
	p->start_time = 1000u + (uint64_t)pid;
	p->user = tt_snapshot_str_trusted(s, user);
	p->comm = tt_snapshot_str_trusted(s, comm);
	p->cmdline = tt_snapshot_str_trusted(s, comm);
	return (uint32_t)(s->nprocs - 1);
}

static inline void vf_sock(tt_snapshot *s, uint64_t inode, int state, uint16_t lport, uint16_t rport, long proc, int fd)
{
	tt_sock *k = tt_snapshot_add_sock(s);
	k->family = TT_FAM_TCP4;
	k->state = (uint8_t)state;
	k->inode = inode;
	k->laddr[0] = 127;
	k->laddr[3] = 1;
	k->raddr[0] = 127;
	k->raddr[3] = 1;
	k->lport = lport;
	k->rport = rport;
	if (proc >= 0) {
		tt_owner *o = tt_snapshot_add_owner(s);
		o->inode = inode;
		o->proc = (uint32_t)proc;
		o->fd = fd;
	}
}

static inline void vf_fill(tt_snapshot *s, double t, bool dave)
{
	tt_snapshot_clear(s);
	s->time = t;
	uint32_t a1 = vf_proc(s, 100, 1, 1001, "alice", "php-fpm");
	uint32_t a2 = vf_proc(s, 101, 100, 1001, "alice", "php-fpm");
	uint32_t b = vf_proc(s, 200, 1, 1002, "bob", "worker");
	uint32_t c = vf_proc(s, 400, 1, 1003, "carol", "worker");
	uint32_t my = vf_proc(s, 300, 1, 106, "mysql", "mysqld");
	vf_sock(s, 11, TT_ST_ESTABLISHED, 50001, 3306, a1, 5);
	tt_owner *o = tt_snapshot_add_owner(s);
	o->inode = 11, o->proc = a2, o->fd = 5;
	for (int i = 0; i < 3; i++)
		vf_sock(s, 20 + (uint64_t)i, TT_ST_CLOSE_WAIT, (uint16_t)(50010 + i), 3306, a2, 6 + i);
	vf_sock(s, 30, TT_ST_CLOSE, 50020, 3306, b, 3);
	s->socks[s->nsocks - 1].flags |= TT_SF_HELD_ONLY;
	vf_sock(s, 40, TT_ST_LISTEN, 3306, 0, my, 10);
	vf_sock(s, 41, TT_ST_ESTABLISHED, 3306, 50001, my, 11);
	vf_sock(s, 0, TT_ST_TIME_WAIT, 50030, 3306, -1, 0);
	vf_sock(s, 50, TT_ST_ESTABLISHED, 50040, 3307, c, 4);
	vf_sock(s, 0, TT_ST_TIME_WAIT, 50041, 3307, -1, 0);
	if (dave) { /* a later refresh: dave arrives with more leaks than anyone */
		uint32_t d = vf_proc(s, 500, 1, 1004, "dave", "worker");
		for (int i = 0; i < 5; i++)
			vf_sock(s, 60 + (uint64_t)i, TT_ST_CLOSE_WAIT, (uint16_t)(50060 + i), 3306, d, 3 + i);
	}
	tt_snapshot_index_owners(s);
}

typedef struct vf {
	tt_rules *rules;
	tt_model m;
	tt_snapshot s;
	tt_alerts alerts;
	tt_view v;
} vf;

static inline void vf_open(vf *f)
{
	memset(f, 0, sizeof(*f));
	f->rules = tt_rules_new();
	const char *bad;
	char err[256];
	tt_rule_spec port = {.kind = "port", .ports = "3307", .tenant = "carol"};
	tt_rule_spec user = {.kind = "user"};
	tt_rules_add(f->rules, &port, &bad, err, sizeof(err));
	tt_rules_add(f->rules, &user, &bad, err, sizeof(err));
	tt_model_opts o;
	memset(&o, 0, sizeof(o));
	tt_portset_add(&o.ports, 3306);
	tt_portset_add(&o.ports, 3307);
	o.rules = f->rules;
	tt_model_init(&f->m, &o);
	tt_snapshot_init(&f->s);
	tt_alerts_init(&f->alerts);
	vf_fill(&f->s, 1000.0, false);
	tt_model_update(&f->m, &f->s);
	tt_view_init(&f->v);
	tt_view_rebuild(&f->v, &f->m, &f->alerts);
}

static inline void vf_close(vf *f)
{
	tt_view_free(&f->v);
	tt_alerts_free(&f->alerts);
	tt_snapshot_free(&f->s);
	tt_model_free(&f->m);
	tt_rules_free(f->rules);
}

/* the text of the cell of column `id` on view row i */
static inline const char *vf_cell(const vf *f, size_t i, const char *id, char *buf, size_t len)
{
	const tt_pane *p = tt_view_pane(&f->v);
	tt_rowctx rc = tt_view_rowctx(&f->v);
	buf[0] = '\0';
	for (size_t c = 0; c < p->ncols; c++)
		if (!strcmp(p->cols[c].id, id))
			p->cols[c].cell(&rc, f->v.rows[i], buf, len);
	return buf;
}

/* the view row whose first cell is `text`, or -1 */
static inline long vf_row(const vf *f, const char *text)
{
	const tt_pane *p = tt_view_pane(&f->v);
	tt_rowctx rc = tt_view_rowctx(&f->v);
	char buf[256];
	for (size_t i = 0; i < f->v.nrows; i++) {
		p->cols[0].cell(&rc, f->v.rows[i], buf, sizeof(buf));
		if (!strcmp(buf, text))
			return (long)i;
	}
	return -1;
}

#endif
