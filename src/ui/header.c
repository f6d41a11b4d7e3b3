/* The top of the screen: the title line (parts that shorten or go on a
 * narrow terminal), the totals with sparklines, the worst alert. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tenantop/record.h"
#include "tenantop/sanitize.h"
#include "tenantop/ui.h"

#include "draw.h"

static void sparkline(const tt_ui *ui, int series, int width, char *buf, size_t len)
{
	static const char *blocks[8] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
					"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"};
	static const char ascii[] = "_.-:=+*#";
	const tt_history *h = &ui->ses.model.total_hist;
	size_t n = h->count < (size_t)width ? h->count : (size_t)width;
	uint32_t max = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t v = tt_history_get(h, series, i);
		if (v > max)
			max = v;
	}
	size_t o = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < (size_t)width && o + 4 < len; k++) {
		/* oldest on the left; missing samples as blanks */
		size_t i = (size_t)width - 1 - k;
		if (i >= n) {
			buf[o++] = ' ';
			continue;
		}
		uint32_t v = tt_history_get(h, series, i);
		/* scaled from zero to the window's greatest, so a 2 % wobble is a
		 * 2 % wobble, not full-height bars */
		int level = max ? (int)(((uint64_t)v * 7 + max / 2) / max) : 0;
		if (ui->ascii) {
			buf[o++] = ascii[level];
		} else {
			memcpy(buf + o, blocks[level], 3);
			o += 3;
		}
	}
	buf[o] = '\0';
}

/* The title line: parts with a priority; on a narrow terminal the least
 * important shorten or go first; the PARTIAL notice, the alert count and
 * PAUSED never go (they shorten). */
struct part {
	char full[160], brief[64];
	int prio; /* 0 = never dropped; higher = dropped first */
	attr_t a;
	int state; /* 0 full, 1 brief, 2 dropped */
};

static int part_width(const struct part *p)
{
	return p->state == 2 ? 0 : (int)tt_display_width(p->state == 1 ? p->brief : p->full);
}

struct parts {
	struct part v[16];
	int n;
};

static void add_part(struct parts *ps, int prio, attr_t a, const char *full, const char *brief)
{
	if (ps->n >= (int)(sizeof(ps->v) / sizeof(ps->v[0])))
		return;
	struct part *p = &ps->v[ps->n++];
	snprintf(p->full, sizeof(p->full), "%s", full);
	snprintf(p->brief, sizeof(p->brief), "%s", brief ? brief : "");
	p->prio = prio;
	p->a = a;
	p->state = 0;
}

/* What discovery added: where database servers listen beyond the configured. */
static void part_discovered(tt_ui *ui, struct parts *ps)
{
	char buf[160], b2[64];
	const tt_snapshot *sn = &ui->ses.model.snap;
	size_t nd = 0, o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sn->nwatched; i++) {
		const tt_watch *w = &sn->watched[i];
		if (w->why != TT_WHY_DISCOVERED)
			continue;
		nd++;
		if (o < sizeof(buf) - 1) {
			char ep[64];
			if (w->family == TT_FAM_UNIX) {
				const char *path = tt_model_str(&ui->ses.model, w->path), *base = strrchr(path, '/');
				snprintf(ep, sizeof(ep), "%s", base ? base + 1 : path);
			} else {
				snprintf(ep, sizeof(ep), "%u", w->port);
			}
			int k = snprintf(buf + o, sizeof(buf) - o, "%s%s %s", nd == 1 ? "+watch " : ", ", ep,
					 tt_model_str(&ui->ses.model, w->server));
			o = k > 0 ? o + (size_t)k : o;
		}
	}
	if (nd) {
		snprintf(b2, sizeof(b2), "+%zu found", nd);
		add_part(ps, 7, ui_attr(ui, P_INFO), buf, b2);
	}
}

/* The fullest database server: "mariadb 3316 148/151" (its share of its
 * own limit the highest), warn colour past 80 %, critical when full. */
static void part_fullest_db(tt_ui *ui, struct parts *ps)
{
	const tt_db_results *r = ui->view.rc.db;
	const tt_db_server *best = NULL;
	double bf = -1;
	for (size_t i = 0; r && i < r->nservers; i++) {
		const tt_db_server *s = &r->servers[i];
		if (s->error[0] || s->max_connections <= 0 || s->connections < 0)
			continue;
		double f = (double)s->connections / (double)s->max_connections;
		if (f > bf) {
			bf = f;
			best = s;
		}
	}
	if (!best)
		return;
	char buf[160], b2[64], ep[40];
	if (best->t.port)
		snprintf(ep, sizeof(ep), "%u", best->t.port);
	else
		snprintf(ep, sizeof(ep), "%.*s", (int)strcspn(best->t.endpoints, ","), best->t.endpoints);
	snprintf(buf, sizeof(buf), "%s %s %ld/%ld", tt_db_kind_name(best->t.kind), ep, best->connections, best->max_connections);
	snprintf(b2, sizeof(b2), "db %ld/%ld", best->connections, best->max_connections);
	add_part(ps, 4, ui_attr(ui, bf >= 1 ? P_CRIT : bf >= 0.8 ? P_WARN : P_INFO), buf, b2);
}

/* What the last refresh could read: attribution, discovery, dead
 * endpoints, network namespaces. */
static void parts_scan(tt_ui *ui, struct parts *ps)
{
	char buf[160], b2[64];
	const tt_scan_stats *st = &ui->ses.model.snap.stats;
	if (st->attribution_partial)
		add_part(ps, 0, ui_attr(ui, P_WARN), "attribution PARTIAL", "PARTIAL");
	else
		add_part(ps, 9, ui_attr(ui, P_DIM), "attribution complete", NULL);
	part_discovered(ui, ps);
	part_fullest_db(ui, ps);
	if (ui->ses.model.endpoint_unknown) {
		snprintf(buf, sizeof(buf), "%u dead, endpoint unknown", ui->ses.model.endpoint_unknown);
		snprintf(b2, sizeof(b2), "%u unknown", ui->ses.model.endpoint_unknown);
		add_part(ps, 2, ui_attr(ui, P_WARN), buf, b2);
	}
	if (st->netns_failed) {
		snprintf(buf, sizeof(buf), "netns %u (%u unreadable)", st->netns_read + 1, st->netns_failed);
		snprintf(b2, sizeof(b2), "netns %u!", st->netns_failed);
		add_part(ps, 1, ui_attr(ui, P_WARN), buf, b2);
	} else if (st->netns_read) {
		snprintf(buf, sizeof(buf), "netns %u", st->netns_read + 1);
		add_part(ps, 8, A_NORMAL, buf, NULL);
	}
}

/* The dashboard's own state: alerts (when there is no alert line),
 * replay, baseline, paused (last: it goes to the right edge). */
static void parts_state(tt_ui *ui, struct parts *ps, bool compact)
{
	char buf[160], b2[64];
	if (compact && ui->ses.alerts.n) {
		size_t crit = 0;
		for (size_t i = 0; i < ui->ses.alerts.n; i++)
			crit += ui->ses.alerts.v[i].severity == TT_SEV_CRIT;
		snprintf(buf, sizeof(buf), "%zu alert%s%s", ui->ses.alerts.n, ui->ses.alerts.n == 1 ? "" : "s",
			 crit ? " (" : "");
		if (crit)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%zu critical)", crit);
		snprintf(b2, sizeof(b2), "%zu alert%s", ui->ses.alerts.n, ui->ses.alerts.n == 1 ? "" : "s");
		add_part(ps, 0, ui_attr(ui, crit ? P_CRIT : P_WARN), buf, b2);
	}
	if (ui->ses.replay) {
		snprintf(buf, sizeof(buf), "REPLAY %zu/%zu%s", ui->ses.replay_pos + 1, tt_replay_count(ui->ses.replay),
			 ui->playing ? " playing" : "");
		snprintf(b2, sizeof(b2), "R %zu/%zu", ui->ses.replay_pos + 1, tt_replay_count(ui->ses.replay));
		add_part(ps, 1, ui_attr(ui, P_INFO) | A_BOLD, buf, b2);
	}
	if (ui->ses.base.learning) {
		snprintf(buf, sizeof(buf), "LEARNING %.0fs", ui->ses.base.learn_until - ui->ses.model.time);
		add_part(ps, 2, ui_attr(ui, P_INFO) | A_BOLD, buf, "LEARN");
	} else if (tt_baseline_ready(&ui->ses.base)) {
		add_part(ps, 9, ui_attr(ui, P_DIM), "baseline", NULL);
	}
	if (ui->paused)
		add_part(ps, 0, ui_attr(ui, P_PAUSED), " PAUSED ", "PAUSED");
}

/* Shorten or drop the least important parts until the line fits. */
static void fit_parts(struct parts *ps)
{
	struct part *parts = ps->v;
	int np = ps->n;
	for (;;) {
		int total = 0, shown = 0;
		for (int i = 0; i < np; i++)
			if (parts[i].state != 2) {
				total += part_width(&parts[i]);
				shown++;
			}
		total += 2 * (shown > 0 ? shown - 1 : 0);
		if (total <= COLS)
			break;
		/* the least important part: shorten it, or drop it (prio 0 only shortens) */
		int worst = -1;
		for (int i = 0; i < np; i++) {
			const struct part *p = &parts[i];
			bool can = p->state == 0 ? (p->brief[0] || p->prio > 0) : (p->state == 1 && p->prio > 0);
			if (can && (worst < 0 || p->prio >= parts[worst].prio ||
				    (parts[worst].prio == 0 && p->prio == 0)))
				worst = i;
		}
		if (worst < 0)
			break;
		struct part *p = &parts[worst];
		p->state = p->state == 0 && p->brief[0] ? 1 : 2;
	}
}

void ui_draw_title(tt_ui *ui, int y, bool compact)
{
	char buf[160], b2[64], tbuf[32];
	struct parts ps = {.n = 0};
	time_t now = ui->refreshed_at > 0 ? (time_t)ui->refreshed_at : time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	ui_fill(y, 0, COLS, A_NORMAL);
	add_part(&ps, 3, ui_attr(ui, P_TITLE), "tenantop", NULL);
	add_part(&ps, 7, A_NORMAL, ui->host, NULL);
	add_part(&ps, 5, A_NORMAL, tbuf, NULL);
	snprintf(buf, sizeof(buf), "every %gs", ui->delay);
	snprintf(b2, sizeof(b2), "%gs", ui->delay);
	add_part(&ps, 6, A_NORMAL, buf, b2);
	add_part(&ps, 8, A_NORMAL, ui->source[0] ? ui->source : "-", NULL);
	if (ui->ses.have_data)
		parts_scan(ui, &ps);
	parts_state(ui, &ps, compact);
	fit_parts(&ps);
	int x = 0;
	for (int i = 0; i < ps.n; i++) {
		const struct part *p = &ps.v[i];
		if (p->state == 2)
			continue;
		const char *t = p->state == 1 ? p->brief : p->full;
		bool paused = ui->paused && i == ps.n - 1;
		if (paused && x + 2 + (int)tt_display_width(t) <= COLS)
			x = COLS - (int)tt_display_width(t) - 2 > x ? COLS - (int)tt_display_width(t) : x + 2;
		else if (x)
			x += 2;
		x += ui_put(y, x, t, COLS - x, p->a);
	}
}

/* The totals: the widest form that fits (sparklines, full names, short
 * names), so the counts survive on a narrow terminal. */
void ui_draw_totals(tt_ui *ui, int y)
{
	static const struct {
		const char *label, *brief;
		int state, series, pair;
	} items[] = {{"ESTAB", "EST", TT_ST_ESTABLISHED, TT_SER_ESTAB, P_OK},
		     {"CLOSE_WAIT", "CW", TT_ST_CLOSE_WAIT, TT_SER_CLOSE_WAIT, P_CRIT},
		     {"CLOSE", "CL", TT_ST_CLOSE, TT_SER_CLOSE, P_CRIT},
		     {"TIME_WAIT", "TW", TT_ST_TIME_WAIT, TT_SER_TIME_WAIT, P_DIM}};
	const tt_counts *c = &ui->ses.model.totals;
	char buf[160], sp[64];
	static const int sparks[] = {12, 8, 4, 0, 0, 0};
	ui_fill(y, 0, COLS, A_NORMAL);
	int form = 0;
	for (; form < 6; form++) {
		/* forms 0-3: full names; 4: short names; 5: short names, no "other" */
		int w = 0;
		for (size_t i = 0; i < 4; i++) {
			w += (int)strlen(form >= 4 ? items[i].brief : items[i].label) + 1;
			w += snprintf(buf, sizeof(buf), "%u", c->st[items[i].state]);
			if (sparks[form])
				w += 1 + sparks[form];
			w += 2;
		}
		if (form < 5)
			w += snprintf(buf, sizeof(buf), "%s %u", form >= 4 ? "oth" : "other", tt_counts_other(c));
		if (w <= COLS)
			break;
	}
	if (form == 6)
		form = 5;
	int x = 0;
	for (size_t i = 0; i < 4; i++) {
		snprintf(buf, sizeof(buf), "%s ", form >= 4 ? items[i].brief : items[i].label);
		x += ui_put(y, x, buf, COLS - x, ui_attr(ui, P_DIM));
		snprintf(buf, sizeof(buf), "%u", c->st[items[i].state]);
		x += ui_put(y, x, buf, COLS - x,
			 c->st[items[i].state] && items[i].pair == P_CRIT ? ui_attr(ui, P_CRIT) : A_BOLD);
		if (sparks[form]) {
			sparkline(ui, items[i].series, sparks[form], sp, sizeof(sp));
			x += 1;
			x += ui_put(y, x, sp, COLS - x, ui_attr(ui, items[i].pair));
		}
		x += 2;
	}
	if (form < 5) {
		snprintf(buf, sizeof(buf), "%s %u", form >= 4 ? "oth" : "other", tt_counts_other(c));
		ui_put(y, x, buf, COLS - x, ui_attr(ui, P_DIM));
	}
}

void ui_draw_alerts(tt_ui *ui, int y)
{
	char buf[512];
	ui_fill(y, 0, COLS, A_NORMAL);
	const tt_scan_stats *st = &ui->ses.model.snap.stats;
	if (!ui->ses.alerts.n) {
		if (ui->ses.have_data && st->attribution_partial)
			ui_put(y, 0, st->partial_reason, COLS, ui_attr(ui, P_WARN));
		else
			ui_put(y, 0, ui->ses.have_data ? "no alerts" : "collecting...", COLS, ui_attr(ui, P_OK));
		return;
	}
	const tt_alert *a = &ui->ses.alerts.v[0]; /* sorted: the worst first */
	size_t crit = 0;
	for (size_t i = 0; i < ui->ses.alerts.n; i++)
		crit += ui->ses.alerts.v[i].severity == TT_SEV_CRIT;
	snprintf(buf, sizeof(buf), "%zu alert%s", ui->ses.alerts.n, ui->ses.alerts.n == 1 ? "" : "s");
	int x = ui_put(y, 0, buf, COLS, ui_attr(ui, crit ? P_CRIT : P_WARN));
	if (crit) {
		snprintf(buf, sizeof(buf), " (%zu critical)", crit);
		x += ui_put(y, x, buf, COLS - x, ui_attr(ui, P_CRIT));
	}
	snprintf(buf, sizeof(buf), "  %s %s: %s", a->tenant, tt_alert_kind_name(a->kind), a->message);
	int w = (int)tt_display_width(buf);
	if (w > COLS - x) {
		/* cut: say so, the whole text is one key away */
		size_t keep = tt_display_prefix(buf, (size_t)(COLS - x > 1 ? COLS - x - 1 : 0));
		buf[keep] = '\0';
		snprintf(buf + keep, sizeof(buf) - keep, "%s", ui_ellipsis(ui));
	}
	ui_put(y, x, buf, COLS - x, ui_attr(ui, ui_sev_pair(a->severity)));
}
