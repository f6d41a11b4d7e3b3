/* The sockets pane: the sockets of one process, of a tenant's "(no
 * process)" row, or of the unattributed group; k closes them. */
#include <stdio.h>
#include <string.h>

#include "tenantop/format.h"
#include "tenantop/output.h"

#include "cells.h"


static const tt_msock *ms_of(const tt_rowctx *rc, uint32_t row)
{
	return &rc->m->socks[row];
}

static int s_state(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_msock *ms = ms_of(rc, row);
	int st = ms->s->state;
	bool closed_here = st == TT_ST_CLOSE && rc->closed && ms->id && tt_u64set_has(rc->closed, ms->id);
	snprintf(buf, len, "%s%s", tt_state_name(st), closed_here ? "*" : "");
	switch (st) {
	case TT_ST_CLOSE_WAIT:
	case TT_ST_CLOSE:
		return TT_TONE_CRIT;
	case TT_ST_ESTABLISHED:
		return TT_TONE_OK;
	case TT_ST_LISTEN:
		return TT_TONE_INFO;
	case TT_ST_TIME_WAIT:
		return TT_TONE_DIM;
	default:
		return TT_TONE_WARN;
	}
}
/* Leaks first, then the states worth a look, the quiet ones last. */
static int state_rank(int st)
{
	static const int rank[TT_ST_COUNT] = {
		[TT_ST_CLOSE_WAIT] = 0, [TT_ST_CLOSE] = 1, [TT_ST_LAST_ACK] = 2, [TT_ST_CLOSING] = 3,
		[TT_ST_FIN_WAIT1] = 4, [TT_ST_FIN_WAIT2] = 5, [TT_ST_SYN_SENT] = 6, [TT_ST_SYN_RECV] = 7,
		[TT_ST_ESTABLISHED] = 8, [TT_ST_LISTEN] = 9, [TT_ST_TIME_WAIT] = 10, [TT_ST_UNKNOWN] = 11};
	return st >= 0 && st < TT_ST_COUNT ? rank[st] : 12;
}
static int sc_state(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	const tt_msock *x = ms_of(rc, a), *y = ms_of(rc, b);
	int c = TT_CMP(state_rank(x->s->state), state_rank(y->s->state));
	/* within a state, the longest in it first */
	return c ? c : TT_CMP(tt_msock_state_age(rc->m, y), tt_msock_state_age(rc->m, x));
}

static int s_role(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	snprintf(buf, len, "%s", tt_role_name(ms_of(rc, row)->role));
	return TT_TONE_DIM;
}
static int sc_role(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(ms_of(rc, a)->role, ms_of(rc, b)->role);
}

static int s_local(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	tt_sock_fmt_local(ms_of(rc, row)->s, &rc->m->snap, buf, len);
	return TT_TONE_NORMAL;
}
/* Unix sockets after the others, by path; IP ones by address, then port. */
static int cmp_end(const tt_rowctx *rc, uint32_t a, uint32_t b, bool remote)
{
	const tt_sock *x = ms_of(rc, a)->s, *y = ms_of(rc, b)->s;
	if ((x->family == TT_FAM_UNIX) != (y->family == TT_FAM_UNIX))
		return TT_CMP(x->family, y->family);
	if (x->family == TT_FAM_UNIX)
		return strcmp(tt_model_str(rc->m, remote ? x->peer_path : x->path),
			      tt_model_str(rc->m, remote ? y->peer_path : y->path));
	int c = memcmp(remote ? x->raddr : x->laddr, remote ? y->raddr : y->laddr, 16);
	return c ? c : remote ? TT_CMP(x->rport, y->rport) : TT_CMP(x->lport, y->lport);
}
static int sc_local(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return cmp_end(rc, a, b, false);
}

static int s_remote(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_msock *ms = ms_of(rc, row);
	tt_sock_fmt_remote(ms->s, &rc->m->snap, buf, len);
	if (ms->s->flags & TT_SF_ENDPOINT_REMEMBERED) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "*"); /* remembered: the detail line says so in words */
	}
	return (ms->s->flags & TT_SF_ENDPOINT_UNKNOWN) ? TT_TONE_DIM : TT_TONE_NORMAL;
}
static int sc_remote(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return cmp_end(rc, a, b, true);
}

static int s_age(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	tt_fmt_age(tt_msock_age(rc->m, ms_of(rc, row)), buf, len);
	return TT_TONE_NORMAL;
}
static int sc_age(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(tt_msock_age(rc->m, ms_of(rc, a)), tt_msock_age(rc->m, ms_of(rc, b)));
}

static int s_instate(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_msock *ms = ms_of(rc, row);
	tt_fmt_age(tt_msock_state_age(rc->m, ms), buf, len);
	return tt_state_is_leak(ms->s->state) ? TT_TONE_CRIT : TT_TONE_NORMAL;
}
static int sc_instate(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(tt_msock_state_age(rc->m, ms_of(rc, a)), tt_msock_state_age(rc->m, ms_of(rc, b)));
}

static double idle_s(const tt_sock *k)
{
	if (!(k->flags & TT_SF_HAS_INFO) || k->state != TT_ST_ESTABLISHED)
		return -1;
	uint32_t q = k->last_data_recv_ms < k->last_data_sent_ms ? k->last_data_recv_ms : k->last_data_sent_ms;
	return q / 1000.0;
}
static int s_idle(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	double s = idle_s(ms_of(rc, row)->s);
	if (s < 0)
		return tt_cell_dash(buf, len);
	tt_fmt_age(s, buf, len);
	return s >= 600 ? TT_TONE_WARN : TT_TONE_NORMAL;
}
static int sc_idle(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(idle_s(ms_of(rc, a)->s), idle_s(ms_of(rc, b)->s));
}

static int s_rq(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	return tt_cell_num(buf, len, ms_of(rc, row)->s->rxq);
}
static int sc_rq(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(ms_of(rc, a)->s->rxq, ms_of(rc, b)->s->rxq);
}
static int s_sq(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	return tt_cell_num(buf, len, ms_of(rc, row)->s->txq);
}
static int sc_sq(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(ms_of(rc, a)->s->txq, ms_of(rc, b)->s->txq);
}

static int s_holders(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	return tt_cell_num(buf, len, ms_of(rc, row)->nholders);
}
static int sc_holders(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(ms_of(rc, a)->nholders, ms_of(rc, b)->nholders);
}

static int s_inode(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	uint64_t ino = ms_of(rc, row)->s->inode;
	if (!ino)
		return tt_cell_dash(buf, len);
	snprintf(buf, len, "%llu", (unsigned long long)ino);
	return TT_TONE_DIM;
}
static int sc_inode(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return TT_CMP(ms_of(rc, a)->s->inode, ms_of(rc, b)->s->inode);
}

/* The database session paired with the socket (both ends on this host). */
static const tt_db_session *db_of(const tt_rowctx *rc, uint32_t row)
{
	size_t k = (size_t)(rc->m->socks[row].s - rc->m->snap.socks); /* the snapshot's index: the join's */
	if (!rc->db || !rc->dbjoin || k >= rc->dbjoin->n || rc->dbjoin->sock_session[k] < 0)
		return NULL;
	return &rc->db->sessions[rc->dbjoin->sock_session[k]];
}
/* idle in a transaction: a held pool slot */
static bool idle_in_txn(const tt_db_session *s)
{
	return s->in_transaction == 1 && strcmp(s->command, "active") && strcmp(s->command, "Query");
}
static int db_text(const tt_rowctx *rc, uint32_t row, const char *what, char *buf, size_t len)
{
	const tt_db_session *s = db_of(rc, row);
	const char *t = !s ? "" : !strcmp(what, "user") ? s->user : !strcmp(what, "db") ? s->database : s->command;
	if (!*t)
		return tt_cell_dash(buf, len);
	snprintf(buf, len, "%s", t);
	return idle_in_txn(s) ? TT_TONE_WARN : TT_TONE_NORMAL;
}
static int db_cmp(const tt_rowctx *rc, uint32_t a, uint32_t b, const char *what)
{
	char x[128], y[128];
	db_text(rc, a, what, x, sizeof(x));
	db_text(rc, b, what, y, sizeof(y));
	return strcmp(x, y);
}
static int s_dbuser(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	return db_text(rc, row, "user", buf, len);
}
static int sc_dbuser(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return db_cmp(rc, a, b, "user");
}
static int s_dbname(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	return db_text(rc, row, "db", buf, len);
}
static int sc_dbname(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return db_cmp(rc, a, b, "db");
}
static int s_dbcmd(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	return db_text(rc, row, "command", buf, len);
}
static int sc_dbcmd(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	return db_cmp(rc, a, b, "command");
}
static int s_dbtime(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_db_session *s = db_of(rc, row);
	if (!s || s->time_s < 0)
		return tt_cell_dash(buf, len);
	tt_fmt_age(s->time_s, buf, len);
	return idle_in_txn(s) ? TT_TONE_WARN : TT_TONE_NORMAL;
}
static int sc_dbtime(const tt_rowctx *rc, uint32_t a, uint32_t b)
{
	const tt_db_session *x = db_of(rc, a), *y = db_of(rc, b);
	double tx = x ? x->time_s : -2, ty = y ? y->time_s : -2;
	return TT_CMP(tx, ty);
}

/* the database columns have something to show once a probe listed sessions */
static bool db_here(const tt_rowctx *rc)
{
	return rc->db && rc->db->nsessions > 0;
}

static const tt_column cols[] = {
	{"state", "STATE", "TCP state, leaks first (CLOSE = reset by the peer, still held; CLOSE* = closed here, still held)", 11, 0, false, false, false, s_state, sc_state, 0, false},
	{"role", "ROLE", "client: the watched port is remote; server: it is local", 7, 4, false, false, false, s_role, sc_role, 0, false},
	{"local", "LOCAL", "local address:port (cut from the left: the port stays)", 21, 1, false, false, false, s_local, sc_local, 7, true},
	{"remote", "REMOTE", "peer address:port (? = reset before it was first seen, * = remembered from an earlier refresh)", 21, 0, false, true, false, s_remote, sc_remote, 12, true},
	{"age", "AGE", "time since first seen (at start: a lower bound from tcp_info)", 7, 2, true, false, true, s_age, sc_age, 0, false},
	{"in_state", "IN STATE", "time in the current state", 9, 2, true, false, true, s_instate, sc_instate, 0, false},
	{"db", "DB USER", "the database user of the session on it (database probes; warn colour: idle in a transaction)", 10, 3, false, false, false, s_dbuser, sc_dbuser, 0, false, db_here},
	{"db_command", "COMMAND", "the session's command or state (Sleep, Query, idle, active, idle in transaction...)", 12, 3, false, false, false, s_dbcmd, sc_dbcmd, 0, false, db_here},
	{"db_time", "TIME", "how long the session has been in that command or state", 6, 3, true, false, true, s_dbtime, sc_dbtime, 0, false, db_here},
	{"database", "DB", "the database the session uses", 10, 4, false, false, false, s_dbname, sc_dbname, 0, false, db_here},
	{"idle", "IDLE", "no data either way for this long (tcp_info; ESTABLISHED only)", 7, 3, true, false, true, s_idle, sc_idle, 0, false},
	{"recv_q", "RECV-Q", "bytes received, not read by the process", 7, 3, true, false, true, s_rq, sc_rq, 0, false},
	{"send_q", "SEND-Q", "bytes sent, not acknowledged", 7, 3, true, false, true, s_sq, sc_sq, 0, false},
	{"holders", "HOLD", "processes holding the socket (fork, fd passing)", 5, 5, true, false, true, s_holders, sc_holders, 0, false},
	{"inode", "INODE", "socket inode", 9, 4, true, false, false, s_inode, sc_inode, 0, false},
};


static int push_refs(const tt_model *m, uint32_t first, uint32_t n, tt_rows *out)
{
	int r = 0;
	for (uint32_t i = 0; i < n && r == 0; i++)
		r = tt_rows_push(out, m->refs[first + i]);
	return r;
}

static int build(const tt_rowctx *rc, tt_rows *out, bool *gone)
{
	const tt_model *m = rc->m;
	int r = 0;
	if (rc->at->tenant_unattr) {
		for (size_t i = 0; i < m->nunattr && r == 0; i++)
			r = tt_rows_push(out, m->unattr[i]);
		return r;
	}
	long t = tt_model_find_tenant(m, rc->at->tenant);
	if (t < 0) {
		*gone = true;
		return 0;
	}
	const tt_mtenant *mt = &m->tenants[t];
	if (rc->at->noproc) {
		*gone = mt->nunowned == 0;
		return push_refs(m, mt->first_unowned, mt->nunowned, out);
	}
	long p = tt_model_find_proc(m, t, rc->at->pid, rc->at->start);
	if (p < 0) {
		*gone = true;
		return 0;
	}
	*gone = m->procs[p].nrefs == 0;
	return push_refs(m, m->procs[p].first_ref, m->procs[p].nrefs, out);
}

static void row_id(const tt_rowctx *rc, uint32_t row, tt_cursor_id *id)
{
	id->sock = rc->m->socks[row].id;
}

static uint64_t row_key(const tt_rowctx *rc, uint32_t row)
{
	if (row >= rc->m->nsocks)
		return 0;
	return rc->m->socks[row].id ? rc->m->socks[row].id : 1;
}

static void row_text(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_model *m = rc->m;
	const tt_sock *k = m->socks[row].s;
	char l[80], r[80];
	snprintf(buf, len, "%s %s %s %llu", tt_state_name(k->state), tt_sock_fmt_local(k, &m->snap, l, sizeof(l)),
		 tt_sock_fmt_remote(k, &m->snap, r, sizeof(r)), (unsigned long long)k->inode);
}

static bool leaking(const tt_rowctx *rc, uint32_t row)
{
	return rc->m->socks[row].s->state == TT_ST_CLOSE_WAIT;
}

static void crumb(const tt_rowctx *rc, char *buf, size_t len)
{
	const tt_pane_ctx *at = rc->at;
	if (at->tenant_unattr) {
		snprintf(buf, len, "%s", at->tenant);
		return;
	}
	if (at->noproc) {
		snprintf(buf, len, "(no process)");
		return;
	}
	const char *comm = "";
	if (rc->m) {
		long t = tt_model_find_tenant(rc->m, at->tenant);
		long p = t >= 0 ? tt_model_find_proc(rc->m, t, at->pid, at->start) : -1;
		if (p >= 0)
			comm = tt_model_str(rc->m, rc->m->procs[p].p->comm);
	}
	snprintf(buf, len, "%d %s", at->pid, comm);
}

/* What to do first, then the socket itself. */
static void detail(const tt_rowctx *rc, uint32_t row, char *buf, size_t len)
{
	const tt_model *m = rc->m;
	const tt_msock *ms = &m->socks[row];
	char l[128], r[128], age[32];
	tt_sock_fmt_local(ms->s, &m->snap, l, sizeof(l));
	tt_sock_fmt_remote(ms->s, &m->snap, r, sizeof(r));
	tt_fmt_age(tt_msock_state_age(m, ms), age, sizeof(age));
	bool closed_here = rc->closed && ms->id && tt_u64set_has(rc->closed, ms->id);
	const char *what = ms->s->state == TT_ST_CLOSE && closed_here
				   ? "closed here: the connection is gone but the process still holds the descriptor "
				     "(LEAKED stays); signal the process to free it (Esc, then k). "
			   : ms->s->state == TT_ST_CLOSE
				   ? "reset: the descriptor is still held; only the process can free it (signal it: Esc, then k). "
			   : ms->s->state == TT_ST_CLOSE_WAIT
				   ? "k closes the connection; the descriptor stays held (CLOSE) until the process closes it. "
				   : "";
	snprintf(buf, len, "%s%s %s -> %s for %s, %u holder%s%s", what, tt_state_name(ms->s->state), l, r, age,
		 ms->nholders, ms->nholders == 1 ? "" : "s",
		 (ms->s->flags & TT_SF_ENDPOINT_REMEMBERED) ? "; remote remembered from an earlier refresh" : "");
}

/* k: the socket; x: every CLOSE_WAIT one shown */
static void act_rows(const tt_rowctx *rc, uint32_t row, bool leaks, const tt_act_sink *sink)
{
	const tt_msock *ms = &rc->m->socks[row];
	if (!leaks || ms->s->state == TT_ST_CLOSE_WAIT)
		sink->sock(sink->ctx, ms, rc->at->tenant);
}

static void act_scope(const tt_rowctx *rc, const uint32_t *rows, size_t n, bool leaks, char *buf, size_t len)
{
	(void)rc, (void)rows, (void)n;
	snprintf(buf, len, "%s", leaks ? " shown here" : "");
}

const tt_pane tt_pane_sockets = {
	TT_PANE_BASICS,
	.id = "sockets",
	.title = "Sockets",
	.default_sort = "state",
	.leaking = leaking,
	.leaking_what = "CLOSE_WAIT sockets",
	.detail_lines = 2,
	.act = TT_PANE_ACT_CLOSE,
	.act_rows = act_rows,
	.act_scope = act_scope,
	.x_every_row = true,
	.act_label = "Close",
};
