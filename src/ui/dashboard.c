/* The interactive dashboard: the event loop.
 *
 * The collector runs on the refresher's thread; this loop waits on the
 * terminal and on the refresher at once (poll), so a key is answered at
 * once even while a collection is running.  The terminal is restored on
 * q, Ctrl-C, SIGTERM, SIGHUP and on the crash path (SIGSEGV, SIGABRT...). */
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tenantop/alertsink.h"
#include "tenantop/clock.h"
#include "tenantop/exporter.h"
#include "tenantop/textfile.h"
#include "tenantop/output.h"
#include "tenantop/record.h"
#include "tenantop/sanitize.h"
#include "tenantop/ui.h"

static volatile sig_atomic_t g_stop;
static volatile sig_atomic_t g_curses_on;

static void on_stop(int sig)
{
	(void)sig;
	g_stop = 1;
}

static void on_crash(int sig)
{
	if (g_curses_on) {
		g_curses_on = 0;
		endwin();
	}
	static const char msg[] = "tenantop: crashed; the terminal was restored\n";
	ssize_t n = write(2, msg, sizeof(msg) - 1);
	(void)n;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void restore_at_exit(void)
{
	if (g_curses_on) {
		g_curses_on = 0;
		endwin();
	}
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	int crash[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
	for (size_t i = 0; i < sizeof(crash) / sizeof(crash[0]); i++)
		sigaction(crash[i], &sa, NULL);
}

static bool want_color(const tt_app *app)
{
	if (app->no_color)
		return false;
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return false;
	return has_colors();
}

static void merge(tt_ui *ui);

/* A refresh arrived: record it, merge it, detect, rebuild the rows. */
static void take_refresh(tt_ui *ui)
{
	char err[512];
	int rc = tt_refresher_take(ui->ref, &ui->spare, err, sizeof(err));
	if (rc < 0) {
		tt_ui_message(ui, TT_TONE_CRIT, "collection failed: %s", err);
		return;
	}
	if (rc == 0 || ui->paused)
		return;
	if (ui->recorder && tt_recorder_write(ui->recorder, &ui->spare, err, sizeof(err)) < 0)
		tt_ui_message(ui, TT_TONE_CRIT, "%s", err);
	merge(ui);
}

static void replay_apply(tt_ui *ui, size_t i)
{
	char err[512];
	if (tt_replay_read(ui->replay, i, &ui->spare, err, sizeof(err)) < 0) {
		tt_ui_message(ui, TT_TONE_CRIT, "%s", err);
		return;
	}
	merge(ui);
	ui->replay_pos = i;
}

void tt_ui_replay_goto(tt_ui *ui, size_t target)
{
	size_t n = tt_replay_count(ui->replay);
	if (!n)
		return;
	if (target >= n)
		target = n - 1;
	if (ui->have_data && target == ui->replay_pos)
		return;
	if (!ui->have_data || target < ui->replay_pos) {
		/* back in time: rebuild the model from the first record */
		tt_model_opts mo = ui->model.opts;
		tt_model_free(&ui->model);
		tt_model_init(&ui->model, &mo);
		tt_detector_free(ui->det);
		ui->det = tt_detector_new(&ui->app->conf.detect);
		tt_detector_set_baseline(ui->det, &ui->base);
		ui->have_data = false;
		for (size_t i = 0; i <= target; i++)
			replay_apply(ui, i);
	} else {
		for (size_t i = ui->replay_pos + 1; i <= target; i++)
			replay_apply(ui, i);
	}
}

static void merge(tt_ui *ui)
{
	/* the database side: the latest probe results, never waited for */
	tt_dbstate_update(&ui->db, &ui->spare, &ui->app->conf.dbs, 0);
	tt_dbstate_annotate(&ui->db, &ui->spare);
	if (tt_model_update(&ui->model, &ui->spare) < 0) {
		tt_ui_message(ui, TT_TONE_CRIT, "out of memory while building the model");
		return;
	}
	if (tt_baseline_observe(&ui->base, &ui->model)) {
		char path[4096], berr[600];
		tt_app_baseline_path(ui->app, path, sizeof(path));
		if (tt_baseline_save(&ui->base, path, berr, sizeof(berr)) < 0)
			tt_ui_message(ui, TT_TONE_CRIT, "%s", berr);
		else
			tt_ui_message(ui, TT_TONE_OK, "baseline learned from %u refreshes, saved to %s", ui->base.samples, path);
	}
	ui->model.snap.dbuser = NULL; /* the model has read them */
	tt_db_limit dblim[TT_DB_LIMITS_MAX];
	tt_detector_set_db_limits(ui->det, dblim,
				  tt_dbstate_limits(&ui->db, &ui->model, &ui->app->conf.detect, dblim, TT_DB_LIMITS_MAX));
	tt_detect_run(ui->det, &ui->model, &ui->alerts);
	if (ui->exporter || ui->app->textfile) {
		tt_output_opts oo = {.self_cpu_ms = -1, .self_rss_kb = -1, .max_tenants = ui->app->max_tenants};
		oo.pools = tt_detector_pools(ui->det, &oo.npools);
		oo.db = ui->db.valid ? &ui->db.res : NULL;
		oo.dbjoin = ui->db.valid ? &ui->db.join : NULL;
		size_t len = 0;
		char *text = tt_prometheus_text(&ui->model, &ui->alerts, &oo, &len);
		char terr[600];
		if (!text) {
			tt_ui_message(ui, TT_TONE_CRIT, "out of memory while writing the metrics");
		} else {
			if (ui->exporter)
				tt_exporter_publish(ui->exporter, text, len);
			if (ui->app->textfile && tt_textfile_write(ui->app->textfile, text, len, terr, sizeof(terr)) < 0)
				tt_ui_message(ui, TT_TONE_CRIT, "%s", terr);
			free(text);
		}
	}
	if (ui->sink)
		tt_alert_sink_update(ui->sink, &ui->alerts, ui->model.time);
	ui->have_data = true;
	ui->refreshed_at = ui->model.time;
	snprintf(ui->source, sizeof(ui->source), "%s", ui->model.snap.stats.source);
	ui->collect_ms = ui->model.snap.stats.collect_ms;
	ui->view.rc.db = ui->db.valid ? &ui->db.res : NULL;
	ui->view.rc.dbjoin = ui->db.valid ? &ui->db.join : NULL;
	tt_view_rebuild(&ui->view, &ui->model, &ui->alerts);
}

static int run_loop(tt_ui *ui)
{
	bool dirty = true;
	double last_draw = 0;
	while (!g_stop) {
		if (dirty || tt_mono_s() - last_draw >= 1.0) {
			tt_ui_draw(ui);
			last_draw = tt_mono_s();
			dirty = false;
		}
		struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {ui->ref ? tt_refresher_fd(ui->ref) : -1, POLLIN, 0}};
		int timeout = 1000;
		if (ui->replay && ui->playing) {
			double left = ui->next_play - tt_mono_s();
			timeout = left <= 0 ? 0 : left < 1 ? (int)(left * 1000) : 1000;
		}
		int r = poll(fds, 2, timeout);
		if (ui->replay && ui->playing && tt_mono_s() >= ui->next_play) {
			if (ui->replay_pos + 1 < tt_replay_count(ui->replay)) {
				tt_ui_replay_goto(ui, ui->replay_pos + 1);
				double gap = tt_replay_time(ui->replay, ui->replay_pos + 1) - tt_replay_time(ui->replay, ui->replay_pos);
				ui->next_play = tt_mono_s() + (gap > 0 && gap < 60 ? gap : ui->delay);
			} else {
				ui->playing = false;
				tt_ui_message(ui, TT_TONE_INFO, "end of the recording");
			}
			dirty = true;
		}
		if (r < 0 && errno != EINTR)
			return 1;
		if (r > 0 && (fds[1].revents & POLLIN)) {
			take_refresh(ui);
			dirty = true;
		}
		if (r > 0 && (fds[0].revents & (POLLHUP | POLLERR)))
			return 0; /* the terminal went away */
		int key;
		while ((key = getch()) != ERR) {
			if (key == KEY_RESIZE) {
				dirty = true;
				continue;
			}
			int res = tt_ui_key(ui, key);
			tt_ui_settings_sync(ui);
			if (res & TT_R_QUIT)
				return 0;
			if (res & TT_R_REBUILD)
				tt_view_rebuild(&ui->view, &ui->model, &ui->alerts);
			if (res)
				dirty = true;
		}
	}
	return 0;
}

int tt_dashboard_run(tt_app *app)
{
	char err[512], raw[256] = "";
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "tenantop: the dashboard needs a terminal; use --batch for a pipe or a file\n");
		return 2;
	}
	/* a replay takes the recording's rules and interval first */
	if (app->replay_path && tt_app_replay_settings(app, err, sizeof(err)) < 0) {
		fprintf(stderr, "tenantop: %s\n", err);
		return 1;
	}
	tt_ui ui;
	memset(&ui, 0, sizeof(ui));
	ui.app = app;
	ui.delay = app->delay;
	gethostname(raw, sizeof(raw) - 1);
	tt_sanitize(raw, strlen(raw), ui.host, sizeof(ui.host));

	/* the dashboard's settings (F2): read before anything uses the delay or the ports */
	char setmsg[700] = "";
	int setrc = 0;
	if (tt_settings_path(ui.set_path, sizeof(ui.set_path)) == 0)
		setrc = tt_settings_load(&ui.set, ui.set_path, setmsg, sizeof(setmsg));
	else
		tt_settings_default(&ui.set);
	/* a replay keeps the recorded interval and ports (the recording's, not
	 * this user's saved settings) */
	if (ui.set.delay > 0 && !app->delay_given && !app->replay_path) {
		app->delay = ui.delay = ui.set.delay;
	}
	if (ui.set.ports[0] && !app->ports_given && !app->conf.ports_set && !app->demo && !app->replay_path) {
		tt_portset ps;
		char perr[128];
		if (!strcmp(ui.set.ports, "all")) {
			tt_portset_clear(&ps);
			ps.all = true;
			app->collect.ports = ps;
		} else if (tt_portset_parse(&ps, ui.set.ports, perr, sizeof(perr)) == 0) {
			app->collect.ports = ps;
		}
	}
	tt_model_opts mo = {.ports = app->collect.ports, .rules = app->conf.rules};
	if (tt_model_init(&ui.model, &mo) < 0 || !(ui.det = tt_detector_new(&app->conf.detect))) {
		fprintf(stderr, "tenantop: out of memory\n");
		tt_model_free(&ui.model);
		return 1;
	}
	tt_alerts_init(&ui.alerts);
	tt_snapshot_init(&ui.spare);
	tt_view_init(&ui.view);
	for (size_t l = 0; l < tt_pane_count(); l++)
		if (ui.set.pane[l].have_sort) {
			ui.view.sort[l].col = ui.set.pane[l].sort_col;
			ui.view.sort[l].desc = ui.set.pane[l].sort_desc;
		}
	tt_u64set_init(&ui.closed);
	ui.view.rc.closed = &ui.closed;
	tt_baseline_init(&ui.base);
	char bmsg[600];
	int brc = tt_app_baseline_load(app, &ui.base, bmsg, sizeof(bmsg));
	tt_detector_set_baseline(ui.det, &ui.base);
	ui.view.rc.base = &ui.base;
	if (app->alert_log || app->syslog || app->on_alert) {
		tt_alert_sink_opts so = {app->alert_log, app->syslog, app->on_alert, true};
		ui.sink = tt_alert_sink_new(&so, err, sizeof(err));
		if (!ui.sink) {
			fprintf(stderr, "tenantop: %s\n", err);
			tt_detector_free(ui.det);
			tt_model_free(&ui.model);
			return 1;
		}
	}
	if (app->listen && !(ui.exporter = tt_exporter_start(app->listen, app->web_config ? &app->web : NULL, err, sizeof(err)))) {
		fprintf(stderr, "tenantop: %s\n", err);
		tt_alert_sink_free(ui.sink);
		tt_detector_free(ui.det);
		tt_model_free(&ui.model);
		return 1;
	}
	if (app->replay_path) {
		ui.replay = tt_replay_open(app->replay_path, err, sizeof(err));
		if (ui.replay && !tt_replay_count(ui.replay)) {
			snprintf(err, sizeof(err), "%s: no complete record (%s)", app->replay_path, tt_replay_note(ui.replay));
			tt_replay_close(ui.replay);
			ui.replay = NULL;
		}
	} else {
		ui.ref = tt_refresher_new(&app->collect, app->delay, err, sizeof(err));
		char dberr[256];
		if (ui.ref && tt_dbstate_start(&ui.db, !app->no_db && !app->demo,
					       app->collect.proc_root, app->delay, dberr, sizeof(dberr)) < 0)
			tt_ui_message(&ui, TT_TONE_WARN, "%s", dberr);
		if (ui.ref && app->record_path && !(ui.recorder = tt_app_recorder_open(app, err, sizeof(err)))) {
			tt_refresher_free(ui.ref);
			ui.ref = NULL;
		}
	}
	if (!ui.ref && !ui.replay) {
		fprintf(stderr, "tenantop: %s\n", err);
		tt_alert_sink_free(ui.sink);
		tt_detector_free(ui.det);
		tt_model_free(&ui.model);
		return 1;
	}
	snprintf(ui.source, sizeof(ui.source), "%s", ui.ref ? tt_refresher_source(ui.ref) : "replay");
	if (ui.replay) {
		tt_ui_replay_goto(&ui, 0);
		tt_ui_message(&ui, strcmp(app->replay_settings, "recorded") ? TT_TONE_WARN : TT_TONE_INFO, "replay: %s",
			      app->replay_note);
		if (*tt_replay_note(ui.replay))
			tt_ui_message(&ui, TT_TONE_WARN, "%s", tt_replay_note(ui.replay));
	}

	setlocale(LC_ALL, "");
	const char *cs = nl_langinfo(CODESET);
	const char *term = getenv("TERM");
	ui.ascii = !cs || strcmp(cs, "UTF-8") != 0 || (term && !strncmp(term, "vt", 2)) ||
		   (term && !strcmp(term, "linux"));
	ui.view.rc.ascii = ui.ascii;
	if (!getenv("ESCDELAY"))
		set_escdelay(25);
	if (!initscr()) {
		fprintf(stderr, "tenantop: cannot start the terminal (TERM=%s)\n", term ? term : "");
		if (ui.ref)
			tt_refresher_free(ui.ref);
		return 1;
	}
	g_curses_on = 1;
	atexit(restore_at_exit);
	install_signals();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
			  | BUTTON5_PRESSED
#endif
		  ,
		  NULL);
	mouseinterval(200);
	ui.color = want_color(app) && ui.set.color != TT_COLOR_OFF;
	tt_ui_theme_init(&ui);
	/* what the file holds now: written again only when something changes */
	{
		tt_settings cur;
		tt_ui_settings_current(&ui, &cur);
		if (tt_settings_format(&cur, ui.set_saved, sizeof(ui.set_saved)) < 0)
			ui.set_saved[0] = '\0';
	}
	if (setrc < 0)
		tt_ui_message(&ui, TT_TONE_WARN, "settings: %s", setmsg);

	if (brc != 1)
		tt_ui_message(&ui, brc < 0 ? TT_TONE_WARN : TT_TONE_INFO, "%s", bmsg);
	int rc = run_loop(&ui);

	g_curses_on = 0;
	endwin();
	if (ui.ref)
		tt_refresher_free(ui.ref);
	tt_dbstate_free(&ui.db);
	tt_recorder_close(ui.recorder);
	tt_replay_close(ui.replay);
	tt_alert_sink_free(ui.sink);
	tt_exporter_stop(ui.exporter);
	tt_baseline_free(&ui.base);
	tt_view_free(&ui.view);
	tt_u64set_free(&ui.closed);
	tt_snapshot_free(&ui.spare);
	tt_alerts_free(&ui.alerts);
	tt_detector_free(ui.det);
	tt_model_free(&ui.model);
	return rc;
}
