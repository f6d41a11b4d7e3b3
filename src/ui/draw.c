/* Drawing the dashboard: header, totals with sparklines, alerts, the
 * breadcrumb, the pane's table, the function-key bar, and the overlays
 * (help, sort menu, prompts).  Colours by severity, with a monochrome
 * fallback; UTF-8 line art with an ASCII fallback. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tenantop/clock.h"
#include "tenantop/format.h"
#include "tenantop/output.h"
#include "tenantop/record.h"
#include "tenantop/sanitize.h"
#include "tenantop/ui.h"


static attr_t attr_of(const tt_ui *ui, int p)
{
	if (ui->color)
		return COLOR_PAIR(p) | ((p == P_CRIT || p == P_TITLE || p == P_TAG) ? A_BOLD : 0);
	switch (p) { /* monochrome: bold, reverse, underline, dim */
	case P_COLHDR:
	case P_SEL:
	case P_FLABEL:
	case P_PAUSED:
		return A_REVERSE;
	case P_COLHDR_SORT:
		return A_REVERSE | A_BOLD;
	case P_CRIT:
	case P_TITLE:
		return A_BOLD;
	case P_WARN:
		return A_UNDERLINE;
	case P_TAG:
		return A_BOLD | A_UNDERLINE;
	case P_DIM:
		return A_DIM;
	default:
		return A_NORMAL;
	}
}

static int tone_pair(int tone)
{
	switch (tone) {
	case TT_TONE_OK: return P_OK;
	case TT_TONE_WARN: return P_WARN;
	case TT_TONE_CRIT: return P_CRIT;
	case TT_TONE_INFO: return P_INFO;
	case TT_TONE_DIM: return P_DIM;
	default: return 0;
	}
}

void tt_ui_theme_init(tt_ui *ui)
{
	if (!ui->color)
		return;
	start_color();
	use_default_colors();
	init_pair(P_TITLE, COLOR_CYAN, -1);
	init_pair(P_COLHDR, COLOR_BLACK, COLOR_GREEN);
	init_pair(P_COLHDR_SORT, COLOR_BLACK, COLOR_CYAN);
	init_pair(P_SEL, COLOR_BLACK, COLOR_CYAN);
	init_pair(P_OK, COLOR_GREEN, -1);
	init_pair(P_WARN, COLOR_YELLOW, -1);
	init_pair(P_CRIT, COLOR_RED, -1);
	init_pair(P_INFO, COLOR_BLUE, -1);
	init_pair(P_DIM, COLORS >= 16 ? 8 : COLOR_WHITE, -1);
	init_pair(P_FKEY, COLOR_WHITE, -1);
	init_pair(P_FLABEL, COLOR_BLACK, COLOR_CYAN);
	init_pair(P_PAUSED, COLOR_BLACK, COLOR_YELLOW);
	init_pair(P_TAG, COLOR_YELLOW, -1);
}

/* Put a safe string at (y, x) in at most `cols` columns; returns columns used. */
static int put(int y, int x, const char *s, int cols, attr_t a)
{
	if (cols <= 0 || x >= COLS)
		return 0;
	if (x + cols > COLS)
		cols = COLS - x;
	size_t n = tt_display_prefix(s, (size_t)cols);
	char tmp[1024];
	if (n >= sizeof(tmp))
		n = tt_display_prefix(s, 200);
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	attron(a);
	mvaddnstr(y, x, tmp, (int)n);
	attroff(a);
	return (int)tt_display_width(tmp);
}

static void fill(int y, int x, int cols, attr_t a)
{
	attron(a);
	for (int i = 0; i < cols && x + i < COLS; i++)
		mvaddch(y, x + i, ' ');
	attroff(a);
}

/* For setup.c: pair is a P_* index (0 = normal) */
int tt_ui_put(const tt_ui *ui, int y, int x, const char *s, int cols, int pair, bool bold)
{
	return put(y, x, s, cols, (pair ? attr_of(ui, pair) : A_NORMAL) | (bold ? A_BOLD : 0));
}
void tt_ui_fill(const tt_ui *ui, int y, int x, int cols, int pair)
{
	fill(y, x, cols, pair ? attr_of(ui, pair) : A_NORMAL);
}

static const char *glyph_sep(const tt_ui *ui)
{
	return ui->ascii ? ">" : "\xe2\x80\xba"; /* › */
}

/* Word-wrap s into at most max lines of `width` columns (out[i], each
 * LINE_MAX bytes); returns the count, *rest = what did not fit ("" = all). */
#define WRAP_LINE 512
static int wrap(const char *s, int width, char out[][WRAP_LINE], int max, const char **rest)
{
	int n = 0;
	const char *p = s;
	if (width < 1)
		width = 1;
	while (*p && n < max) {
		if (n)
			while (*p == ' ')
				p++;
		if (!*p)
			break;
		size_t fit = tt_display_prefix(p, (size_t)width);
		if (fit >= WRAP_LINE)
			fit = tt_display_prefix(p, 100);
		size_t cut = fit;
		if (p[fit]) {
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = fit ? fit : 1;
		}
		memcpy(out[n], p, cut);
		out[n][cut] = '\0';
		n++;
		p += cut;
	}
	if (n)
		while (*p == ' ')
			p++;
	if (rest)
		*rest = p;
	return n;
}

/* Wrap text so that `tail` ends the last line, whole and always visible:
 * when the text needs more than max lines it is cut with an ellipsis. */
static int wrap_tail(const tt_ui *ui, const char *text, const char *tail, int width, char out[][WRAP_LINE], int max)
{
	const char *rest;
	int n = wrap(text, width, out, max, &rest);
	int tw = (int)tt_display_width(tail);
	if (!*rest && n && (int)tt_display_width(out[n - 1]) + tw <= width) {
		size_t o = strlen(out[n - 1]);
		snprintf(out[n - 1] + o, WRAP_LINE - o, "%s", tail);
		return n;
	}
	if (!*rest && n < max) {
		const char *t = tail;
		while (*t == ' ')
			t++;
		snprintf(out[n], WRAP_LINE, "%s", t);
		return *t ? n + 1 : n;
	}
	if (!n)
		return 0;
	/* cut the last line to make room for an ellipsis and the tail */
	char *last = out[n - 1];
	size_t keep = tt_display_prefix(last, (size_t)(width > tw + 1 ? width - tw - 1 : 0));
	last[keep] = '\0';
	size_t o = strlen(last);
	snprintf(last + o, WRAP_LINE - o, "%s%s", ui->ascii ? "~" : "\xe2\x80\xa6", tail);
	return n;
}

static const char *ellipsis(const tt_ui *ui)
{
	return ui->ascii ? "~" : "\xe2\x80\xa6";
}

/* ---------------------------------------------------------------- header */

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

static void add_part(struct part *v, int *n, int prio, attr_t a, const char *full, const char *brief)
{
	struct part *p = &v[(*n)++];
	snprintf(p->full, sizeof(p->full), "%s", full);
	snprintf(p->brief, sizeof(p->brief), "%s", brief ? brief : "");
	p->prio = prio;
	p->a = a;
	p->state = 0;
}

static void draw_title(tt_ui *ui, int y, bool compact)
{
	char buf[160], b2[64], tbuf[32];
	struct part parts[16];
	int np = 0;
	time_t now = ui->refreshed_at > 0 ? (time_t)ui->refreshed_at : time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	fill(y, 0, COLS, A_NORMAL);
	const tt_scan_stats *st = &ui->ses.model.snap.stats;
	add_part(parts, &np, 3, attr_of(ui, P_TITLE), "tenantop", NULL);
	add_part(parts, &np, 7, A_NORMAL, ui->host, NULL);
	add_part(parts, &np, 5, A_NORMAL, tbuf, NULL);
	snprintf(buf, sizeof(buf), "every %gs", ui->delay);
	snprintf(b2, sizeof(b2), "%gs", ui->delay);
	add_part(parts, &np, 6, A_NORMAL, buf, b2);
	add_part(parts, &np, 8, A_NORMAL, ui->source[0] ? ui->source : "-", NULL);
	if (ui->ses.have_data) {
		if (st->attribution_partial)
			add_part(parts, &np, 0, attr_of(ui, P_WARN), "attribution PARTIAL", "PARTIAL");
		else
			add_part(parts, &np, 9, attr_of(ui, P_DIM), "attribution complete", NULL);
		/* what discovery added: where database servers listen beyond the configured */
		const tt_snapshot *sn = &ui->ses.model.snap;
		size_t nd = 0, o = 0;
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
			add_part(parts, &np, 7, attr_of(ui, P_INFO), buf, b2);
		}
		if (ui->ses.model.endpoint_unknown) {
			snprintf(buf, sizeof(buf), "%u dead, endpoint unknown", ui->ses.model.endpoint_unknown);
			snprintf(b2, sizeof(b2), "%u unknown", ui->ses.model.endpoint_unknown);
			add_part(parts, &np, 2, attr_of(ui, P_WARN), buf, b2);
		}
		if (st->netns_failed) {
			snprintf(buf, sizeof(buf), "netns %u (%u unreadable)", st->netns_read + 1, st->netns_failed);
			snprintf(b2, sizeof(b2), "netns %u!", st->netns_failed);
			add_part(parts, &np, 1, attr_of(ui, P_WARN), buf, b2);
		} else if (st->netns_read) {
			snprintf(buf, sizeof(buf), "netns %u", st->netns_read + 1);
			add_part(parts, &np, 8, A_NORMAL, buf, NULL);
		}
	}
	if (compact && ui->ses.alerts.n) {
		size_t crit = 0;
		for (size_t i = 0; i < ui->ses.alerts.n; i++)
			crit += ui->ses.alerts.v[i].severity == TT_SEV_CRIT;
		snprintf(buf, sizeof(buf), "%zu alert%s%s", ui->ses.alerts.n, ui->ses.alerts.n == 1 ? "" : "s",
			 crit ? " (" : "");
		if (crit)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%zu critical)", crit);
		snprintf(b2, sizeof(b2), "%zu alert%s", ui->ses.alerts.n, ui->ses.alerts.n == 1 ? "" : "s");
		add_part(parts, &np, 0, attr_of(ui, crit ? P_CRIT : P_WARN), buf, b2);
	}
	if (ui->ses.replay) {
		snprintf(buf, sizeof(buf), "REPLAY %zu/%zu%s", ui->ses.replay_pos + 1, tt_replay_count(ui->ses.replay),
			 ui->playing ? " playing" : "");
		snprintf(b2, sizeof(b2), "R %zu/%zu", ui->ses.replay_pos + 1, tt_replay_count(ui->ses.replay));
		add_part(parts, &np, 1, attr_of(ui, P_INFO) | A_BOLD, buf, b2);
	}
	if (ui->ses.base.learning) {
		snprintf(buf, sizeof(buf), "LEARNING %.0fs", ui->ses.base.learn_until - ui->ses.model.time);
		add_part(parts, &np, 2, attr_of(ui, P_INFO) | A_BOLD, buf, "LEARN");
	} else if (tt_baseline_ready(&ui->ses.base)) {
		add_part(parts, &np, 9, attr_of(ui, P_DIM), "baseline", NULL);
	}
	if (ui->paused)
		add_part(parts, &np, 0, attr_of(ui, P_PAUSED), " PAUSED ", "PAUSED");
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
	int x = 0;
	for (int i = 0; i < np; i++) {
		if (parts[i].state == 2)
			continue;
		const char *t = parts[i].state == 1 ? parts[i].brief : parts[i].full;
		bool paused = ui->paused && i == np - 1;
		if (paused && x + 2 + (int)tt_display_width(t) <= COLS)
			x = COLS - (int)tt_display_width(t) - 2 > x ? COLS - (int)tt_display_width(t) : x + 2;
		else if (x)
			x += 2;
		x += put(y, x, t, COLS - x, parts[i].a);
	}
}

/* The totals: the widest form that fits (sparklines, full names, short
 * names), so the counts survive on a narrow terminal. */
static void draw_totals(tt_ui *ui, int y)
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
	fill(y, 0, COLS, A_NORMAL);
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
		x += put(y, x, buf, COLS - x, attr_of(ui, P_DIM));
		snprintf(buf, sizeof(buf), "%u", c->st[items[i].state]);
		x += put(y, x, buf, COLS - x,
			 c->st[items[i].state] && items[i].pair == P_CRIT ? attr_of(ui, P_CRIT) : A_BOLD);
		if (sparks[form]) {
			sparkline(ui, items[i].series, sparks[form], sp, sizeof(sp));
			x += 1;
			x += put(y, x, sp, COLS - x, attr_of(ui, items[i].pair));
		}
		x += 2;
	}
	if (form < 5) {
		snprintf(buf, sizeof(buf), "%s %u", form >= 4 ? "oth" : "other", tt_counts_other(c));
		put(y, x, buf, COLS - x, attr_of(ui, P_DIM));
	}
}

static int sev_pair(int sev)
{
	return sev == TT_SEV_CRIT ? P_CRIT : sev == TT_SEV_WARN ? P_WARN : P_INFO;
}

static void draw_alerts(tt_ui *ui, int y)
{
	char buf[512];
	fill(y, 0, COLS, A_NORMAL);
	const tt_scan_stats *st = &ui->ses.model.snap.stats;
	if (!ui->ses.alerts.n) {
		if (ui->ses.have_data && st->attribution_partial)
			put(y, 0, st->partial_reason, COLS, attr_of(ui, P_WARN));
		else
			put(y, 0, ui->ses.have_data ? "no alerts" : "collecting...", COLS, attr_of(ui, P_OK));
		return;
	}
	const tt_alert *a = &ui->ses.alerts.v[0]; /* sorted: the worst first */
	size_t crit = 0;
	for (size_t i = 0; i < ui->ses.alerts.n; i++)
		crit += ui->ses.alerts.v[i].severity == TT_SEV_CRIT;
	snprintf(buf, sizeof(buf), "%zu alert%s", ui->ses.alerts.n, ui->ses.alerts.n == 1 ? "" : "s");
	int x = put(y, 0, buf, COLS, attr_of(ui, crit ? P_CRIT : P_WARN));
	if (crit) {
		snprintf(buf, sizeof(buf), " (%zu critical)", crit);
		x += put(y, x, buf, COLS - x, attr_of(ui, P_CRIT));
	}
	snprintf(buf, sizeof(buf), "  %s %s: %s", a->tenant, tt_alert_kind_name(a->kind), a->message);
	int w = (int)tt_display_width(buf);
	if (w > COLS - x) {
		/* cut: say so, the whole text is one key away */
		size_t keep = tt_display_prefix(buf, (size_t)(COLS - x > 1 ? COLS - x - 1 : 0));
		buf[keep] = '\0';
		snprintf(buf + keep, sizeof(buf) - keep, "%s", ellipsis(ui));
	}
	put(y, x, buf, COLS - x, attr_of(ui, sev_pair(a->severity)));
}

static void draw_crumb(tt_ui *ui, int y)
{
	char buf[512], right[240], sortdesc[160];
	fill(y, 0, COLS, A_NORMAL);
	tt_view_breadcrumb(&ui->view, glyph_sep(ui), buf, sizeof(buf));
	size_t n;
	const tt_column *cols = tt_columns(ui->view.level, &n);
	const tt_pane_state *ps = &ui->view.pane[ui->view.level];
	const char *title = ps->sort_col < n ? cols[ps->sort_col].title : "-";
	bool shown = false;
	for (size_t k = 0; k < ui->ncols; k++)
		shown |= ui->col_idx[k] == ps->sort_col;
	const char *why = "";
	if (ps->sort_col < n && !strcmp(cols[ps->sort_col].id, "vs_base") && !tt_baseline_ready(&ui->ses.base))
		why = " (no baseline: b learns one)";
	else if (!shown)
		why = " (column hidden)";
	/* narrow: the arrow in the column titles says the sort; only a reason stays */
	if (COLS < 60 && !*why)
		sortdesc[0] = '\0';
	else if (COLS < 60)
		snprintf(sortdesc, sizeof(sortdesc), "sort %s%s", title, why);
	else
		snprintf(sortdesc, sizeof(sortdesc), "sort %s %s%s", title, ps->sort_desc ? "desc" : "asc", why);
	int o = snprintf(right, sizeof(right), "%zu row%s%s%s", ui->view.nrows, ui->view.nrows == 1 ? "" : "s",
			 sortdesc[0] ? "  " : "", sortdesc);
	if (ui->view.filter[0] && o > 0 && (size_t)o < sizeof(right))
		snprintf(right + o, sizeof(right) - (size_t)o, "  filter \"%s\"", ui->view.filter);
	int rw = (int)tt_display_width(right);
	int x = put(y, 0, buf, COLS - rw - 2 > 10 ? COLS - rw - 2 : COLS, A_BOLD);
	if (x + rw + 2 <= COLS)
		put(y, COLS - rw, right, rw, attr_of(ui, *why ? P_WARN : P_DIM));
}

/* ------------------------------------------------------------------ table */

static bool col_available(const tt_ui *ui, const tt_column *c)
{
	if (!strcmp(c->id, "vs_base"))
		return tt_baseline_ready(&ui->ses.base);
	if (!strcmp(c->id, "eta")) {
		/* shown when a tenant has a limit of its own (a port's limit for
		 * every tenant has its ETA in the alert, not per tenant) */
		for (size_t i = 0; i < ui->app->conf.detect.nlimits; i++)
			if (ui->app->conf.detect.limits[i].tenant[0])
				return true;
		return ui->ses.alerts.tenant_pools;
	}
	return true;
}

/* Choose the columns that fit.  The choice depends on the width only, not
 * on the sort column, so < and > never change what is shown: drop the
 * columns with the highest numbers down to 2, shrink the shrinkable ones,
 * then drop the 1s; 0 is never dropped. */
static void layout_columns(tt_ui *ui)
{
	size_t n;
	const tt_column *cols = tt_columns(ui->view.level, &n);
	bool on[TT_MAX_SHOWN];
	int w[TT_MAX_SHOWN];
	int need = -1;
	if (n > TT_MAX_SHOWN)
		n = TT_MAX_SHOWN;
	const tt_pane_settings *pset = &ui->set.pane[ui->view.level];
	for (size_t i = 0; i < n; i++) {
		on[i] = col_available(ui, &cols[i]) && !(i < TT_SET_MAXCOLS && pset->hidden[i]);
		w[i] = cols[i].width;
		if (on[i])
			need += w[i] + 1;
	}
	for (int floor = 2; need > COLS; floor--) {
		while (need > COLS) {
			int worst = -1;
			for (size_t i = 0; i < n; i++)
				if (on[i] && cols[i].prio >= floor && (worst < 0 || cols[i].prio >= cols[worst].prio))
					worst = (int)i;
			if (worst < 0)
				break;
			on[worst] = false;
			need -= w[worst] + 1;
		}
		if (floor == 2)
			for (size_t i = 0; i < n && need > COLS; i++)
				if (on[i] && cols[i].minw && w[i] > cols[i].minw) {
					int cut = need - COLS < w[i] - cols[i].minw ? need - COLS : w[i] - cols[i].minw;
					w[i] -= cut;
					need -= cut;
				}
		if (floor <= 1)
			break;
	}
	int extra = COLS - need;
	ui->ncols = 0;
	int x = 0;
	/* in the order chosen in Setup (the table's order by default) */
	size_t norder = pset->ncols ? pset->ncols : n;
	for (size_t k = 0; k < norder; k++) {
		size_t i = pset->ncols ? pset->order[k] : k;
		if (i >= n || !on[i])
			continue;
		int cw = w[i];
		if (cols[i].flex && extra > 0)
			cw += extra;
		if (x + cw > COLS)
			cw = COLS - x;
		if (cw <= 0)
			break;
		ui->col_idx[ui->ncols] = i;
		ui->col_x[ui->ncols] = x;
		ui->col_w[ui->ncols] = cw;
		ui->ncols++;
		x += cw + 1;
	}
}

static void draw_header(tt_ui *ui, int y)
{
	size_t n;
	const tt_column *cols = tt_columns(ui->view.level, &n);
	const tt_pane_state *ps = &ui->view.pane[ui->view.level];
	fill(y, 0, COLS, attr_of(ui, P_COLHDR));
	const char *arrow = ui->ascii ? (ps->sort_desc ? "v" : "^") : (ps->sort_desc ? "\xe2\x96\xbc" : "\xe2\x96\xb2");
	for (size_t k = 0; k < ui->ncols; k++) {
		size_t i = ui->col_idx[k];
		bool sorted = i == ps->sort_col;
		char t[128], title[48];
		snprintf(title, sizeof(title), "%s", cols[i].title);
		if (sorted && (int)strlen(title) + 1 > ui->col_w[k] && ui->col_w[k] > 1)
			title[ui->col_w[k] - 1] = '\0'; /* a shrunk column keeps its arrow */
		if (sorted)
			snprintf(t, sizeof(t), "%s%s", cols[i].right ? arrow : title, cols[i].right ? title : arrow);
		else
			snprintf(t, sizeof(t), "%s", title);
		int tw = (int)tt_display_width(t);
		int x = ui->col_x[k] + (cols[i].right && tw < ui->col_w[k] ? ui->col_w[k] - tw : 0);
		attr_t a = attr_of(ui, sorted ? P_COLHDR_SORT : P_COLHDR);
		if (sorted)
			fill(y, ui->col_x[k], ui->col_w[k], a);
		put(y, x, t, ui->col_w[k], a);
	}
}

/* A cell cut to w columns shows that it was cut: an ellipsis at the end,
 * or at the start for cells that keep their end (an address's port). */
static void cut_cell(const tt_ui *ui, char *buf, size_t len, int w, bool keep_end)
{
	int tw = (int)tt_display_width(buf);
	if (tw <= w || w < 2)
		return;
	const char *el = ellipsis(ui);
	char tmp[1024];
	if (keep_end) {
		size_t skip = tt_display_prefix(buf, (size_t)(tw - (w - 1)));
		snprintf(tmp, sizeof(tmp), "%s%s", el, buf + skip);
	} else {
		size_t keep = tt_display_prefix(buf, (size_t)(w - 1));
		snprintf(tmp, sizeof(tmp), "%.*s%s", (int)keep, buf, el);
	}
	snprintf(buf, len, "%s", tmp);
}

static void draw_row(tt_ui *ui, int y, uint32_t row, bool selected)
{
	size_t n;
	const tt_column *cols = tt_columns(ui->view.level, &n);
	attr_t sel = attr_of(ui, P_SEL);
	bool tagged = tt_view_tagged(&ui->view, row);
	if (tagged)
		sel |= A_BOLD;
	if (selected)
		fill(y, 0, COLS, sel);
	for (size_t k = 0; k < ui->ncols; k++) {
		const tt_column *c = &cols[ui->col_idx[k]];
		char buf[1024];
		int tone = c->cell(&ui->view, row, buf, sizeof(buf));
		if (c->flex && ui->hscroll > 0 && ui->hscroll_level == ui->view.level) {
			/* scrolled: drop the first columns, an ellipsis says so */
			size_t skip = tt_display_prefix(buf, (size_t)ui->hscroll);
			if (buf[skip]) {
				char tmp[1024];
				snprintf(tmp, sizeof(tmp), "%s%s", ellipsis(ui), buf + skip);
				snprintf(buf, sizeof(buf), "%s", tmp);
			}
		}
		cut_cell(ui, buf, sizeof(buf), ui->col_w[k], c->keep_end && !(c->flex && ui->hscroll > 0));
		attr_t a = selected ? sel : tagged ? attr_of(ui, P_TAG) : attr_of(ui, tone_pair(tone));
		int w = (int)tt_display_width(buf);
		int x = ui->col_x[k];
		if (c->right && w < ui->col_w[k])
			x += ui->col_w[k] - w;
		put(y, x, buf, ui->col_w[k], a);
	}
}

static void draw_list(tt_ui *ui, int top, int height)
{
	tt_view *v = &ui->view;
	tt_pane_state *ps = &v->pane[v->level];
	ui->list_top = top;
	ui->list_height = height;
	/* keep the cursor visible after a resize or a refresh */
	if (ps->cursor < ps->scroll)
		ps->scroll = ps->cursor;
	if (height > 0 && ps->cursor >= ps->scroll + (size_t)height)
		ps->scroll = ps->cursor - (size_t)height + 1;
	if (ps->scroll + (size_t)height > v->nrows)
		ps->scroll = v->nrows > (size_t)height ? v->nrows - (size_t)height : 0;
	for (int i = 0; i < height; i++) {
		size_t r = ps->scroll + (size_t)i;
		if (r >= v->nrows)
			break;
		draw_row(ui, top + i, v->rows[r], r == ps->cursor);
	}
	if (!v->nrows && height > 0) {
		const char *why = !ui->ses.have_data ? "collecting..."
				  : v->filter[0] ? "no row matches the filter (\\ to change it, Esc in the prompt clears it)"
				  : v->gone ? "gone: it holds no watched sockets now (Esc to go back)"
				  : v->level == TT_LV_TENANTS ? "no sockets on the watched ports (p to choose ports)"
				  : "nothing here";
		put(top, 1, why, COLS - 1, attr_of(ui, P_DIM));
	}
}

/* The cursor row in words, whole: a command line, both addresses, and
 * what a CLOSE socket needs. */
static void detail_text(tt_ui *ui, char *out, size_t len)
{
	const tt_view *v = &ui->view;
	const tt_model *m = &ui->ses.model;
	const tt_pane_state *ps = &v->pane[v->level];
	char raw[2048] = "";
	out[0] = '\0';
	if (!ui->ses.have_data || ps->cursor >= v->nrows)
		return;
	uint32_t row = v->rows[ps->cursor];
	if (v->level == TT_LV_TENANTS) {
		if (row == TT_ROW_UNATTRIBUTED) {
			snprintf(raw, sizeof(raw), "(unattributed): sockets on the watched ports no tenant rule names "
						   "(TIME_WAIT has no process; a port or remote rule can name them)");
		} else {
			const tt_mtenant *t = &m->tenants[row];
			snprintf(raw, sizeof(raw), "%s: %s; %u process%s, %u leaked of %u held", t->name,
				 t->detail[0] ? t->detail : t->rule ? t->rule : "-", t->nprocs, t->nprocs == 1 ? "" : "es",
				 tt_counts_leaked(&t->counts),
				 tt_counts_leaked(&t->counts) + t->counts.st[TT_ST_ESTABLISHED]);
		}
	} else if (v->level == TT_LV_PROCS) {
		if (row == TT_ROW_NOPROC) {
			snprintf(raw, sizeof(raw), "(no process): sockets of this tenant that no process holds now");
		} else {
			const tt_proc *p = m->procs[row].p;
			const char *cmd = tt_model_str(m, p->cmdline);
			snprintf(raw, sizeof(raw), "%d %s, %u fds%s: %s", p->pid, tt_model_str(m, p->user), p->nfds,
				 (p->flags & TT_PF_FD_DENIED) ? " (descriptors unreadable)" : "",
				 *cmd ? cmd : tt_model_str(m, p->comm));
		}
	} else {
		const tt_msock *ms = &m->socks[row];
		char l[128], r[128], age[32];
		tt_sock_fmt_local(ms->s, &m->snap, l, sizeof(l));
		tt_sock_fmt_remote(ms->s, &m->snap, r, sizeof(r));
		tt_fmt_age(tt_msock_state_age(m, ms), age, sizeof(age));
		bool closed_here = ui->view.closed && ms->id && tt_u64set_has(ui->view.closed, ms->id);
		/* what to do first, then the socket itself */
		const char *what = ms->s->state == TT_ST_CLOSE && closed_here
					   ? "closed here: the connection is gone but the process still holds the descriptor "
					     "(LEAKED stays); signal the process to free it (Esc, then k). "
				   : ms->s->state == TT_ST_CLOSE
					   ? "reset: the descriptor is still held; only the process can free it (signal it: Esc, then k). "
				   : ms->s->state == TT_ST_CLOSE_WAIT
					   ? "k closes the connection; the descriptor stays held (CLOSE) until the process closes it. "
					   : "";
		snprintf(raw, sizeof(raw), "%s%s %s -> %s for %s, %u holder%s%s", what, tt_state_name(ms->s->state), l, r,
			 age, ms->nholders, ms->nholders == 1 ? "" : "s",
			 (ms->s->flags & TT_SF_ENDPOINT_REMEMBERED) ? "; remote remembered from an earlier refresh" : "");
	}
	tt_sanitize(raw, strlen(raw), out, len);
}

/* --------------------------------------------------------- function bar */

static void draw_fbar(tt_ui *ui, int y)
{
	struct item {
		const char *key;
		char label[16];
		int prio; /* dropped first: highest */
		attr_t la;
	} items[16];
	int ni = 0;
	attr_t lab = attr_of(ui, P_FLABEL);
#define ITEM(k, l, p) (items[ni] = (struct item){k, "", p, lab}, snprintf(items[ni].label, sizeof(items[ni].label), "%s", l), ni++)
	ITEM("F1", "Help", 0);
	ITEM("F2", "Setup", 5);
	ITEM("F3", "Search", 3);
	ITEM("F4", "Filter", 2);
	ITEM("F5", "Ports", 5);
	ITEM("F6", "SortBy", 4);
	bool space_pauses = ui->view.level == TT_LV_TENANTS && ui->set.space_pauses;
	if (ui->ses.replay)
		ITEM("Spc", ui->playing ? "Stop" : "Play", 1);
	else if (ui->paused)
		(items[ni] = (struct item){space_pauses ? "Spc" : "Z", "Resume", 0, attr_of(ui, P_PAUSED)}, ni++);
	else if (space_pauses)
		ITEM("Spc", "Pause", 3);
	else
		ITEM("Spc", "Tag", 2);
	if (ui->view.level != TT_LV_SOCKETS)
		ITEM("Ent", "Open", 4);
	if (ui->view.level >= TT_LV_PROCS && !ui->app->read_only && !ui->ses.replay)
		ITEM("F9", ui->view.level == TT_LV_SOCKETS ? "Close" : "Signal", 1);
	if (ui->view.level >= TT_LV_PROCS)
		ITEM("Esc", "Back", 3);
	if (ui->ses.alerts.n)
		ITEM("a", "Alerts", 2);
	ITEM("F10", "Quit", 0);
#undef ITEM
	bool on[16];
	int lw[16];
	int pad = COLS >= 90 ? 7 : 6;
	for (int shrink = 0; shrink < 2; shrink++) {
		int need = 0;
		for (int i = 0; i < ni; i++) {
			on[i] = true;
			int l = (int)strlen(items[i].label) + 1; /* always one space after a label */
			lw[i] = shrink ? l : l < pad ? pad : l;
			need += (int)strlen(items[i].key) + lw[i];
		}
		while (need > COLS) {
			int worst = -1;
			for (int i = 0; i < ni; i++)
				if (on[i] && items[i].prio > 0 && (worst < 0 || items[i].prio >= items[worst].prio))
					worst = i;
			if (worst < 0 || !shrink)
				break;
			on[worst] = false;
			need -= (int)strlen(items[worst].key) + lw[worst];
		}
		if (need <= COLS || shrink)
			break;
	}
	fill(y, 0, COLS, A_NORMAL);
	int x = 0;
	char l[24];
	for (int i = 0; i < ni; i++) {
		if (!on[i])
			continue;
		x += put(y, x, items[i].key, COLS - x, attr_of(ui, P_FKEY) | A_BOLD);
		snprintf(l, sizeof(l), "%-*s", lw[i], items[i].label);
		x += put(y, x, l, COLS - x, items[i].la);
	}
	if (x < COLS)
		fill(y, x, COLS - x, attr_of(ui, P_FLABEL));
}

static void draw_prompt(tt_ui *ui, int y)
{
	const char *label = ui->mode == TT_MODE_SEARCH   ? "Search: "
			    : ui->mode == TT_MODE_FILTER ? "Filter: "
			    : ui->mode == TT_MODE_GOTO   ? "Go to (HH:MM[:SS] or #record): "
							 : "Ports (e.g. 3306,5432,6000-6010 or all): ";
	fill(y, 0, COLS, A_NORMAL);
	int x = put(y, 0, label, COLS, attr_of(ui, P_FKEY) | A_BOLD);
	char safe[256];
	tt_sanitize(ui->input, ui->input_len, safe, sizeof(safe));
	x += put(y, x, safe, COLS - x, A_NORMAL);
	const char *hint = ui->mode == TT_MODE_SEARCH ? "   Enter keep, Esc cancel, F3 next" : "   Enter apply, Esc cancel";
	put(y, x + 1, hint, COLS - x - 1, attr_of(ui, P_DIM));
	move(y, x < COLS ? x : COLS - 1);
}

/* --------------------------------------------------------------- overlays */

static void draw_sort_menu(tt_ui *ui, int top, int height)
{
	size_t n;
	const tt_column *cols = tt_columns(ui->view.level, &n);
	int w = 16;
	fill(top, 0, w, attr_of(ui, P_COLHDR));
	put(top, 0, "Sort by", w, attr_of(ui, P_COLHDR));
	int y = top + 1;
	/* scroll the menu so the chosen entry is visible */
	size_t first = 0, idx = 0;
	for (size_t i = 0; i < n; i++)
		if (cols[i].cmp && i < ui->sort_menu)
			idx++;
	if (height > 1 && idx >= (size_t)(height - 1))
		first = idx - (size_t)(height - 2);
	size_t k = 0;
	for (size_t i = 0; i < n && y < top + height; i++) {
		if (!cols[i].cmp)
			continue;
		if (k++ < first)
			continue;
		bool cur = i == ui->sort_menu;
		fill(y, 0, w, cur ? attr_of(ui, P_SEL) : A_NORMAL);
		put(y, 1, cols[i].title, w - 1, cur ? attr_of(ui, P_SEL) : col_available(ui, &cols[i]) ? A_NORMAL : attr_of(ui, P_DIM));
		mvaddch(y, w, ui->ascii ? '|' : ' ');
		y++;
	}
}

/* A scrollable page (help, the alert list): lines are emitted in order;
 * those inside the window are drawn; the total is kept for the keys. */
struct pager {
	tt_ui *ui;
	int line, top, height;
};

static void pg_line(struct pager *pg, int x, const char *s, attr_t a)
{
	int y = pg->line - pg->top;
	if (y >= 0 && y < pg->height)
		put(y, x, s, COLS - x, a);
	pg->line++;
}

/* left in a column of lw, right wrapped beside it (or below on a narrow screen) */
static void pg_pair(struct pager *pg, const char *left, int lw, attr_t la, const char *right, attr_t ra)
{
	char lines[12][WRAP_LINE];
	if (COLS < lw + 24) {
		pg_line(pg, 1, left, la);
		int n = wrap(right, COLS - 4, lines, 12, NULL);
		for (int i = 0; i < n; i++)
			pg_line(pg, 4, lines[i], ra);
		return;
	}
	int n = wrap(right, COLS - lw - 2, lines, 12, NULL);
	for (int i = 0; i < (n ? n : 1); i++) {
		int y = pg->line - pg->top;
		if (i == 0 && y >= 0 && y < pg->height)
			put(y, 1, left, lw, la);
		if (n) {
			if (y >= 0 && y < pg->height)
				put(y, lw + 2, lines[i], COLS - lw - 2, ra);
		}
		pg->line++;
	}
}

static void pg_text(struct pager *pg, int indent, const char *s, attr_t a)
{
	char lines[16][WRAP_LINE];
	int n = wrap(s, COLS - indent, lines, 16, NULL);
	for (int i = 0; i < n; i++)
		pg_line(pg, indent, lines[i], a);
}

static void pg_begin(struct pager *pg, tt_ui *ui)
{
	erase();
	pg->ui = ui;
	pg->line = 0;
	pg->height = LINES - 1;
	if (pg->height < 1)
		pg->height = 1;
	ui->pager_height = pg->height;
	pg->top = ui->pager_top;
}

static void pg_end(struct pager *pg, const char *what)
{
	tt_ui *ui = pg->ui;
	ui->pager_total = pg->line;
	int maxtop = pg->line > pg->height ? pg->line - pg->height : 0;
	if (ui->pager_top > maxtop)
		ui->pager_top = maxtop; /* resized, or scrolled past the end: drawn again from there */
	if (ui->pager_top < 0)
		ui->pager_top = 0;
	char buf[200];
	int last = pg->top + pg->height < pg->line ? pg->top + pg->height : pg->line;
	if (COLS >= 60)
		snprintf(buf, sizeof(buf), "%s: lines %d-%d of %d   Up/Down PgUp/PgDn Home/End scroll, q or Esc returns",
			 what, pg->line ? pg->top + 1 : 0, last, pg->line);
	else
		snprintf(buf, sizeof(buf), "%d-%d/%d  arrows PgDn scroll, q back", pg->line ? pg->top + 1 : 0, last, pg->line);
	fill(LINES - 1, 0, COLS, attr_of(ui, P_FLABEL));
	put(LINES - 1, 0, buf, COLS, attr_of(ui, P_FLABEL));
}

static const char *help_keys[][2] = {
	{"Up/Down PgUp/PgDn Home/End", "move the cursor (mouse: click a row, wheel scrolls)"},
	{"Enter Right, double click", "open: tenant -> its processes -> their sockets"},
	{"Esc Backspace Left", "back up, the cursor on the row you came from"},
	{"< > , .", "sort by the previous / next column shown (mouse: click a column title)"},
	{"F6", "the sort menu: every column, shown or not"},
	{"I", "invert the sort order"},
	{"/  F3", "incremental search; n or F3 again: next match"},
	{"\\  F4", "filter rows by text (Esc in the prompt clears)"},
	{"p  F5", "choose the watched ports (htop's F5 tree: here the tree is the drill-down, Enter)"},
	{"a", "every alert, whole, worst first (scrollable)"},
	{"Z", "pause: the data freezes, keys keep working"},
	{"Space  U", "tag the row (and move down), on every pane; U untags all"},
	{"k  F9", "tenants: signal all their processes; processes: send a signal; sockets: close them "
		  "(SOCK_DESTROY); asks first. A closed socket stays held (CLOSE*) until its process closes it or "
		  "is signalled"},
	{"b", "learn the normal levels (5 min; b again stops early), saved"},
	{"t T g", "replay: one refresh back / forward, go to a time; Space plays"},
	{"[ ]", "scroll the wide column (COMMAND, REMOTE, TENANT) left / right; the detail line shows the cursor row whole"},
	{"c", "tag every leaking row: tenants or processes with leaks, CLOSE_WAIT sockets (then k or x)"},
	{"x", "close every CLOSE_WAIT of the tagged (or cursor) tenants or processes, or of the sockets pane"},
	{"u l s", "processes: only this user; open its sockets (htop's lsof); how to strace it"},
	{"+ -", "refresh delay longer / shorter (0.2 0.5 1 1.5 2 3 5 10 15 30 60 s)"},
	{"F2 S", "Setup: delay, colours, ports, and per pane the sort and the columns shown in their order; "
		 "saved at once to ~/.config/tenantop/tenantoprc"},
	{"h ? F1", "this help"},
	{"q F10 Ctrl-C", "quit"},
};

static void draw_help(tt_ui *ui)
{
	struct pager pg;
	pg_begin(&pg, ui);
	pg_text(&pg, 0, "tenantop - who is leaking database connections", attr_of(ui, P_TITLE));
	pg_line(&pg, 0, "", A_NORMAL);
	for (size_t i = 0; i < sizeof(help_keys) / sizeof(help_keys[0]); i++)
		pg_pair(&pg, help_keys[i][0], 28, A_BOLD, help_keys[i][1], A_NORMAL);
	pg_line(&pg, 0, "", A_NORMAL);
	static const char *names[] = {"Tenants", "Processes", "Sockets"};
	char buf[160];
	snprintf(buf, sizeof(buf), "%s pane columns (narrow terminals drop the last ones first):", names[ui->view.level]);
	pg_text(&pg, 0, buf, attr_of(ui, P_TITLE));
	size_t n;
	const tt_column *cols = tt_columns(ui->view.level, &n);
	for (size_t i = 0; i < n; i++)
		pg_pair(&pg, cols[i].title, 12, A_BOLD, cols[i].help, A_NORMAL);
	pg_line(&pg, 0, "", A_NORMAL);
	pg_line(&pg, 0, "Alerts (worst first: severity, then a pool about to fill, then leaked and growing):",
		attr_of(ui, P_TITLE));
	size_t nkinds;
	const tt_alert_kind_info *kinds = tt_alert_kinds(&nkinds);
	for (size_t i = 0; i < nkinds; i++)
		pg_pair(&pg, kinds[i].name, 18, A_BOLD, kinds[i].meaning, A_NORMAL);
	pg_line(&pg, 0, "", A_NORMAL);
	pg_line(&pg, 0, "Tenant rules (RULE column; first match wins):", attr_of(ui, P_TITLE));
	static const char *rules[][2] = {
		{"user", "the process's Unix user"},
		{"cgroup", "a pattern over the process's cgroup path"},
		{"path", "a pattern over the executable or working directory"},
		{"cmdline", "a pattern over the command line"},
		{"remote", "the peer address (cidr)"},
		{"port", "the local or remote port"},
		{"parent", "an ancestor process's match"},
		{"netns", "the network namespace the socket lives in"},
		{"memory", "no rule now: the owner seen earlier on this connection"},
	};
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		pg_pair(&pg, rules[i][0], 18, A_BOLD, rules[i][1], A_NORMAL);
	pg_end(&pg, "help");
}

/* Every alert whole, worst first, with its numbers. */
static void draw_alert_list(tt_ui *ui)
{
	struct pager pg;
	pg_begin(&pg, ui);
	char buf[700], age[32], first[32], e[32];
	snprintf(buf, sizeof(buf), "%zu alert%s, worst first", ui->ses.alerts.n, ui->ses.alerts.n == 1 ? "" : "s");
	pg_line(&pg, 0, buf, attr_of(ui, P_TITLE));
	if (!ui->ses.alerts.n)
		pg_line(&pg, 1, "no alerts", attr_of(ui, P_OK));
	for (size_t i = 0; i < ui->ses.alerts.n; i++) {
		const tt_alert *a = &ui->ses.alerts.v[i];
		time_t fs = (time_t)a->first_seen;
		struct tm tm;
		localtime_r(&fs, &tm);
		strftime(first, sizeof(first), "%H:%M:%S", &tm);
		tt_fmt_age(ui->ses.model.time - a->first_seen, age, sizeof(age));
		snprintf(buf, sizeof(buf), "%s  %s  %s  for %s (since %s)", tt_severity_name(a->severity), a->tenant,
			 tt_alert_kind_name(a->kind), age, first);
		pg_line(&pg, 0, "", A_NORMAL);
		pg_text(&pg, 0, buf, attr_of(ui, sev_pair(a->severity)) | A_BOLD);
		pg_text(&pg, 2, a->message, A_NORMAL);
		if (a->fill >= 0) { /* a pool's use of its limit */
			if (a->fill >= 1)
				snprintf(buf, sizeof(buf), "%.0f %% of its limit: %s", a->fill * 100, a->fill > 1 ? "over" : "full");
			else if (a->eta_s >= 0)
				snprintf(buf, sizeof(buf), "%.0f %% of its limit, full in about %s", a->fill * 100,
					 tt_fmt_age(a->eta_s, e, sizeof(e)));
			else
				snprintf(buf, sizeof(buf), "%.0f %% of its limit, steady (not growing)", a->fill * 100);
			pg_text(&pg, 2, buf, attr_of(ui, P_DIM));
		}
	}
	pg_end(&pg, "alerts");
}

/* How many lines an alert takes in the bottom panel. */
static int alert_lines(const tt_ui *ui, const tt_alert *a, char lines[][WRAP_LINE], int max)
{
	static const char *sev[] = {"info", "WARN", "CRIT"};
	char buf[700], age[32], eta[48] = "";
	tt_fmt_age(ui->ses.model.time - a->first_seen, age, sizeof(age));
	if (a->fill >= 1) {
		snprintf(eta, sizeof(eta), "  %s", a->fill > 1 ? "OVER" : "FULL");
	} else if (a->eta_s >= 0) {
		char e[32];
		snprintf(eta, sizeof(eta), "  ETA full %s", tt_fmt_age(a->eta_s, e, sizeof(e)));
	}
	snprintf(buf, sizeof(buf), "%s %5s  %s %s: %s%s", sev[a->severity >= 0 && a->severity <= 2 ? a->severity : 0], age,
		 a->tenant, tt_alert_kind_name(a->kind), a->message, eta);
	return wrap(buf, COLS - 2, lines, max, NULL);
}

/* The alerts panel at the bottom: the worst first, each message wrapped
 * whole; when they do not all fit, a key shows them all. */
static void draw_alert_panel(tt_ui *ui, int top, int rows)
{
	fill(top, 0, COLS, attr_of(ui, P_COLHDR));
	char buf[200];
	snprintf(buf, sizeof(buf), "ALERTS %zu, worst first%s", ui->ses.alerts.n, COLS >= 50 ? "   (a: all of them, whole)" : "");
	put(top, 0, buf, COLS, attr_of(ui, P_COLHDR));
	int y = top + 1, end = top + rows;
	for (size_t i = 0; i < ui->ses.alerts.n && y < end; i++) {
		const tt_alert *a = &ui->ses.alerts.v[i];
		char lines[6][WRAP_LINE];
		int n = alert_lines(ui, a, lines, 6);
		bool last_room = y + n > end - (i + 1 < ui->ses.alerts.n ? 1 : 0);
		if (last_room && i) {
			snprintf(buf, sizeof(buf), "%s %zu more: press a to see every alert", ellipsis(ui), ui->ses.alerts.n - i);
			put(end - 1 < y ? y : end - 1, 0, buf, COLS, attr_of(ui, P_DIM));
			break;
		}
		for (int k = 0; k < n && y < end; k++, y++) {
			if (k == 0) {
				/* the severity word in its colour, the rest plain */
				size_t sw = strcspn(lines[0], " ");
				char sevw[8];
				snprintf(sevw, sizeof(sevw), "%.*s", (int)(sw < 7 ? sw : 7), lines[0]);
				int x = put(y, 0, sevw, COLS, attr_of(ui, sev_pair(a->severity)));
				put(y, x, lines[0] + sw, COLS - x, A_NORMAL);
			} else {
				put(y, 2, lines[k], COLS - 2, A_NORMAL);
			}
		}
	}
}

static int panel_need(const tt_ui *ui)
{
	int need = 1;
	for (size_t i = 0; i < ui->ses.alerts.n && need < 200; i++) {
		char lines[6][WRAP_LINE];
		need += alert_lines(ui, &ui->ses.alerts.v[i], lines, 6);
	}
	return need;
}

void tt_ui_draw(tt_ui *ui)
{
	erase();
	if (ui->mode == TT_MODE_SETUP) {
		tt_ui_setup_draw(ui);
		refresh();
		return;
	}
	if (ui->mode == TT_MODE_HELP || ui->mode == TT_MODE_ALERTS) {
		for (int pass = 0; pass < 2; pass++) {
			int before = ui->pager_top;
			if (ui->mode == TT_MODE_HELP)
				draw_help(ui);
			else
				draw_alert_list(ui);
			if (ui->pager_top == before)
				break; /* clamped: draw once more at the new top */
		}
		refresh();
		return;
	}
	bool compact = LINES < 16;
	int y = 0;
	draw_title(ui, y++, compact);
	draw_totals(ui, y++);
	if (!compact)
		draw_alerts(ui, y++);
	layout_columns(ui); /* first: the breadcrumb says when the sort column is hidden */
	draw_crumb(ui, y++);
	ui->header_row = y;
	draw_header(ui, y++);
	int bottom = LINES - 1; /* the function bar or a prompt */
	double now = tt_mono_s();
	/* the bottom: a prompt (wrapped, up to 4 lines), a message (up to 2) */
	char plines[8][WRAP_LINE];
	int np = 0;
	bool act = ui->mode == TT_MODE_SIGNAL || ui->mode == TT_MODE_CONFIRM;
	if (act) {
		char q[1024];
		tt_ui_act_prompt(ui, q, sizeof(q));
		const char *tail = ui->mode == TT_MODE_CONFIRM ? "  y/N" : "  Enter TERM, Esc cancel";
		/* as many lines as it needs (up to 6), leaving the header and a row */
		int maxl = LINES - 6 < 2 ? 2 : LINES - 6 > 6 ? 6 : LINES - 6;
		np = wrap_tail(ui, q, tail, COLS, plines, maxl);
		bottom = LINES - np;
	}
	char mlines[2][WRAP_LINE];
	int nm = 0;
	if (ui->msg[0] && now < ui->msg_until)
		nm = wrap(ui->msg, COLS, mlines, LINES >= 16 ? 2 : 1, NULL);
	char dlines[2][WRAP_LINE];
	int nd = 0;
	if (!act && !compact && LINES >= 20 && ui->mode != TT_MODE_SORT) {
		char d[2048];
		detail_text(ui, d, sizeof(d));
		if (d[0])
			nd = wrap_tail(ui, d, "", COLS, dlines, ui->view.level == TT_LV_TENANTS ? 1 : 2);
	}
	int height = bottom - y - nm - nd;
	/* alerts take the bottom of the screen when there is room */
	int panel = 0;
	if (ui->ses.alerts.n && height >= 10 && ui->mode != TT_MODE_SORT) {
		panel = panel_need(ui);
		int cap = height * 2 / 5;
		if (panel > cap)
			panel = cap;
		if (panel < 3)
			panel = 3;
		height -= panel;
	}
	draw_list(ui, y, height > 0 ? height : 0);
	int yy = y + (height > 0 ? height : 0);
	if (panel) {
		draw_alert_panel(ui, yy, panel);
		yy += panel;
	}
	if (ui->mode == TT_MODE_SORT)
		draw_sort_menu(ui, y, height);
	for (int i = 0; i < nd; i++, yy++) {
		fill(yy, 0, COLS, A_NORMAL);
		put(yy, 0, dlines[i], COLS, A_NORMAL);
	}
	for (int i = 0; i < nm; i++, yy++) {
		fill(yy, 0, COLS, A_NORMAL);
		put(yy, 0, mlines[i], COLS, attr_of(ui, tone_pair(ui->msg_tone)));
	}
	if (act) {
		curs_set(0);
		for (int i = 0; i < np; i++) {
			fill(bottom + i, 0, COLS, A_NORMAL);
			put(bottom + i, 0, plines[i], COLS, attr_of(ui, ui->mode == TT_MODE_CONFIRM ? P_CRIT : P_WARN));
		}
	} else if (ui->mode == TT_MODE_SEARCH || ui->mode == TT_MODE_FILTER || ui->mode == TT_MODE_PORTS ||
		   ui->mode == TT_MODE_GOTO) {
		curs_set(1);
		draw_prompt(ui, bottom);
	} else {
		curs_set(0);
		draw_fbar(ui, bottom);
	}
	refresh();
}
