/* The dashboard's state, shared by its files (src/ui): the loop, the key
 * table, the drawing.  The panes read the model through the view, never
 * the machine. */
#ifndef TENANTOP_UI_H
#define TENANTOP_UI_H

#include <stdbool.h>
#include <stddef.h>

#include "tenantop/app.h"
#include "tenantop/baseline.h"
#include "tenantop/detect.h"
#include "tenantop/layout.h"
#include "tenantop/model.h"
#include "tenantop/refresher.h"
#include "tenantop/session.h"
#include "tenantop/settings.h"
#include "tenantop/u64set.h"
#include "tenantop/view.h"

enum tt_ui_mode {
	TT_MODE_NORMAL = 0,
	TT_MODE_HELP,
	TT_MODE_SEARCH,
	TT_MODE_FILTER,
	TT_MODE_PORTS,
	TT_MODE_SORT, /* the F6 sort menu */
	TT_MODE_GOTO, /* replay: go to a time */
	TT_MODE_SIGNAL, /* processes pane: choose a signal */
	TT_MODE_CONFIRM, /* y/N before an action */
	TT_MODE_ALERTS,  /* every alert whole, worst first, scrollable */
	TT_MODE_SETUP    /* F2: settings, saved as they change */
};

/* Colour pairs (src/ui/draw.c sets them up; setup.c uses them too). */
enum pair {
	P_TITLE = 1,
	P_COLHDR,
	P_COLHDR_SORT,
	P_SEL,
	P_OK,
	P_WARN,
	P_CRIT,
	P_INFO,
	P_DIM,
	P_FKEY,
	P_FLABEL,
	P_PAUSED,
	P_TAG,
	P_COUNT
};

/* What an action applies to, copied when it is asked for (the model may
 * refresh before the answer). */
#define TT_ACT_MAX 256
enum tt_act_kind { TT_ACT_NONE = 0, TT_ACT_SIGNAL, TT_ACT_CLOSE };
typedef struct tt_act_target {
	int32_t pid;
	uint64_t start;
	tt_sock sock;
	uint64_t id; /* the socket's model id (sockets) */
	char tenant[TT_NAME_MAX];
	char label[160]; /* "4242 php-fpm" or "CLOSE_WAIT 127.0.0.1:41001 -> 127.0.0.1:3306" */
} tt_act_target;

/* Results of a key action (htop's Htop_Reaction, in spirit). */
#define TT_R_REDRAW 0x1
#define TT_R_REBUILD 0x2 /* rows changed: sort, filter, level */
#define TT_R_QUIT 0x4

typedef struct tt_ui {
	tt_app *app;
	tt_session ses;   /* model, alerts, baseline, database side, replay: the pipeline */
	tt_refresher *ref;
	bool playing;
	double next_play;         /* monotonic */
	tt_snapshot spare; /* the refresher hands refreshes over in this one */
	tt_view view;
	char host[64];
	double delay;
	bool paused, color, ascii;
	int mode;
	char input[512];
	size_t input_len;
	char search[512];
	size_t sort_menu;
	char msg[256];
	double msg_until; /* monotonic */
	int msg_tone;
	/* layout of the last frame, for the mouse and page moves */
	int list_top, list_height, header_row;
	tt_col_layout lay;    /* the columns shown */
	/* the action being asked for */
	int act_kind;
	int act_sig;
	const char *act_signame;
	tt_act_target act[TT_ACT_MAX];
	size_t nact, nact_over;   /* targets, and how many did not fit */
	char act_scope[96];       /* " of alice", " of 3 processes" */
	bool act_every_cw;        /* x: every CLOSE_WAIT */
	char source[16];
	/* help and the alert list: a scrollable page */
	int pager_top, pager_total, pager_height;
	tt_u64set closed; /* sockets closed from here (ids): still held by their process */
	/* F2 Setup: the settings in effect (columns shown and their order live
	 * here), the file, what it holds now */
	tt_settings set;
	char set_path[4096];
	char set_saved[8192];
	bool set_failed, ports_changed, delay_changed;
	int setup_row, setup_pane, setup_top;
	int hscroll;         /* [ ]: the wide column's text shifted left by this many columns */
	size_t hscroll_pane; /* ... on this pane (the table's index) */
	double refreshed_at; /* wall clock of the data shown */
	double collect_ms;
	char db_why[256];    /* why there are none ("" when probing) */
} tt_ui;

/* src/ui/draw.c */
void tt_ui_theme_init(tt_ui *ui);
void tt_ui_draw(tt_ui *ui);
/* src/ui/keys.c: handle one key (or mouse event); returns TT_R_* bits. */
int tt_ui_key(tt_ui *ui, int key);
/* src/ui/actmenu.c: k/F9 and x on the pane's rows; the signal menu and
 * the confirmation keys; the prompt text. */
int tt_ui_act_start(tt_ui *ui);
int tt_ui_act_close_leaks(tt_ui *ui);
int tt_ui_act_key(tt_ui *ui, int key);
void tt_ui_act_prompt(const tt_ui *ui, char *buf, size_t len);


/* src/ui/setup.c: the F2 screen and its keys; sync writes the settings
 * file when what it would hold changed (after every key). */
void tt_ui_setup_draw(tt_ui *ui);
int tt_ui_setup_key(tt_ui *ui, int key);
void tt_ui_settings_sync(tt_ui *ui);
/* what the settings file would hold now (each pane's sort from the view) */
void tt_ui_settings_current(const tt_ui *ui, tt_settings *cur);
/* src/ui/draw.c: shared drawing helpers for setup.c */
int tt_ui_put(const tt_ui *ui, int y, int x, const char *s, int cols, int pair, bool bold);
void tt_ui_fill(const tt_ui *ui, int y, int x, int cols, int pair);

/* src/ui/services.c: the status message (tone TT_TONE_*, shown 4 s), the
 * page height of the table, the prompt: start it in a mode with a text,
 * edit it with a key (false: the key is not an edit) */
__attribute__((format(printf, 3, 4))) void tt_ui_message(tt_ui *ui, int tone, const char *fmt, ...);
size_t tt_ui_page(const tt_ui *ui);
int tt_ui_prompt_start(tt_ui *ui, int mode, const char *init);
bool tt_ui_prompt_edit(tt_ui *ui, int key);

/* src/ui/refresh.c: show what the session applied last (the view's rows);
 * replay: show record `target` (the model is rebuilt from the start when
 * going back, so ages and trends are as they were). */
void tt_ui_show_refresh(tt_ui *ui);
void tt_ui_replay_goto(tt_ui *ui, size_t target);

#endif
