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

#include "tenantop/clock.h"
#include "tenantop/modes.h"
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

/* The session's messages on the status line. */
static void say_status(void *ctx, int level, const char *msg)
{
	static const int tone[] = {[TT_SAY_INFO] = TT_TONE_INFO, [TT_SAY_OK] = TT_TONE_OK, [TT_SAY_WARN] = TT_TONE_WARN,
				   [TT_SAY_ERROR] = TT_TONE_CRIT};
	tt_ui_message(ctx, level >= 0 && level <= TT_SAY_ERROR ? tone[level] : TT_TONE_INFO, "%s", msg);
}

/* A refresh arrived: record it, apply it, rebuild the rows. */
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
	tt_session_record(&ui->ses, &ui->spare);
	if (tt_session_apply(&ui->ses, &ui->spare, 0, -1) == 0)
		tt_ui_show_refresh(ui);
	/* the previous refresh's buffers, handed back: freed rather than kept
	 * for the refresher to fill (the one it fills and the one shown are
	 * then the only two resident, not four) */
	tt_snapshot_free(&ui->spare);
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
		if (ui->ses.replay && ui->playing) {
			double left = ui->next_play - tt_mono_s();
			timeout = left <= 0 ? 0 : left < 1 ? (int)(left * 1000) : 1000;
		}
		int r = poll(fds, 2, timeout);
		if (ui->ses.replay && ui->playing && tt_mono_s() >= ui->next_play) {
			if (ui->ses.replay_pos + 1 < tt_replay_count(ui->ses.replay)) {
				tt_ui_replay_goto(ui, ui->ses.replay_pos + 1);
				double gap = tt_replay_time(ui->ses.replay, ui->ses.replay_pos + 1) - tt_replay_time(ui->ses.replay, ui->ses.replay_pos);
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
				tt_view_rebuild(&ui->view, &ui->ses.model, &ui->ses.alerts);
			if (res)
				dirty = true;
		}
	}
	return 0;
}

/* Keys one by one, no echo, no waiting, the mouse's clicks and wheel. */
static void terminal_modes(void)
{
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
}

/* The dashboard's settings (F2), read before anything uses the delay or the
 * ports; a replay keeps the recorded interval and ports (the recording's,
 * not this user's saved settings).  The load's result (msg when < 0). */
static int load_settings(tt_ui *ui, tt_app *app, char *msg, size_t len)
{
	int rc = 0;
	if (tt_settings_path(ui->set_path, sizeof(ui->set_path)) == 0)
		rc = tt_settings_load(&ui->set, ui->set_path, msg, len);
	else
		tt_settings_default(&ui->set);
	if (ui->set.delay > 0 && !app->delay_given && !app->replay_path)
		app->delay = ui->delay = ui->set.delay;
	if (ui->set.ports[0] && !app->ports_given && !app->conf.ports_set && !app->demo && !app->replay_path) {
		tt_portset ps;
		char perr[128];
		if (!strcmp(ui->set.ports, "all")) {
			tt_portset_clear(&ps);
			ps.all = true;
			app->collect.ports = ps;
		} else if (tt_portset_parse(&ps, ui->set.ports, perr, sizeof(perr)) == 0) {
			app->collect.ports = ps;
		}
	}
	return rc;
}

/* Why the Databases pane can be empty: the probes are off, and for what. */
static void set_db_why(tt_ui *ui)
{
	const tt_app *app = ui->app;
	if (ui->ses.db.prober)
		ui->db_why[0] = '\0';
	else if (ui->ses.replay)
		snprintf(ui->db_why, sizeof(ui->db_why), "a recording: the database probes are not recorded");
	else if (app->no_db)
		snprintf(ui->db_why, sizeof(ui->db_why), "database probes are off (--no-db)");
	else if (app->demo)
		snprintf(ui->db_why, sizeof(ui->db_why), "the demo has no database server: probes are off with --demo");
	else
		snprintf(ui->db_why, sizeof(ui->db_why), "database probes are off (a proc tree given with --proc, or "
							 "they could not start)");
	ui->view.rc.db_why = ui->db_why;
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

	char setmsg[700] = "";
	int setrc = load_settings(&ui, app, setmsg, sizeof(setmsg));
	if (tt_session_open(&ui.ses, app, TT_SES_DASHBOARD, say_status, &ui, err, sizeof(err)) < 0) {
		fprintf(stderr, "tenantop: %s\n", err);
		return 1;
	}
	tt_snapshot_init(&ui.spare);
	tt_view_init(&ui.view);
	for (size_t l = 0; l < tt_pane_count(); l++)
		if (ui.set.pane[l].have_sort) {
			ui.view.sort[l].col = ui.set.pane[l].sort_col;
			ui.view.sort[l].desc = ui.set.pane[l].sort_desc;
		}
	tt_u64set_init(&ui.closed);
	ui.view.rc.closed = &ui.closed;
	ui.view.rc.base = &ui.ses.base;
	if (!ui.ses.replay && !(ui.ref = tt_refresher_new(&app->collect, app->delay, err, sizeof(err)))) {
		fprintf(stderr, "tenantop: %s\n", err);
		tt_session_close(&ui.ses);
		return 1;
	}
	set_db_why(&ui);
	snprintf(ui.source, sizeof(ui.source), "%s", ui.ref ? tt_refresher_source(ui.ref) : "replay");
	if (ui.ses.replay) {
		tt_ui_replay_goto(&ui, 0);
		tt_ui_message(&ui, strcmp(app->replay_settings, "recorded") ? TT_TONE_WARN : TT_TONE_INFO, "replay: %s",
			      app->replay_note);
		if (*tt_replay_note(ui.ses.replay))
			tt_ui_message(&ui, TT_TONE_WARN, "%s", tt_replay_note(ui.ses.replay));
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
		tt_session_close(&ui.ses);
		return 1;
	}
	g_curses_on = 1;
	atexit(restore_at_exit);
	install_signals();
	terminal_modes();
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

	if (ui.ses.baseline_rc != 1)
		tt_ui_message(&ui, ui.ses.baseline_rc < 0 ? TT_TONE_WARN : TT_TONE_INFO, "%s", ui.ses.baseline_msg);
	int rc = run_loop(&ui);

	g_curses_on = 0;
	endwin();
	if (ui.ref)
		tt_refresher_free(ui.ref);
	tt_session_close(&ui.ses);
	tt_view_free(&ui.view);
	tt_u64set_free(&ui.closed);
	tt_snapshot_free(&ui.spare);
	return rc;
}
