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
#include "tenantop/model.h"
#include "tenantop/refresher.h"
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
	TT_MODE_ALERTS   /* every alert whole, worst first, scrollable */
};

/* What an action applies to, copied when it is asked for (the model may
 * refresh before the answer). */
#define TT_ACT_MAX 64
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

#define TT_MAX_SHOWN 32

typedef struct tt_ui {
	tt_app *app;
	tt_model model;
	tt_detector *det;
	tt_alerts alerts;
	tt_refresher *ref;
	struct tt_alert_sink *sink;
	struct tt_exporter *exporter;
	struct tt_recorder *recorder;
	struct tt_replay *replay; /* --replay: records instead of the machine */
	size_t replay_pos;        /* the record shown */
	bool playing;
	double next_play;         /* monotonic */
	tt_baseline base;
	tt_snapshot spare;
	tt_view view;
	char host[64];
	double delay;
	bool paused, have_data, color, ascii;
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
	int col_x[TT_MAX_SHOWN], col_w[TT_MAX_SHOWN];
	size_t col_idx[TT_MAX_SHOWN], ncols;
	/* the action being asked for */
	int act_kind;
	int act_sig;
	const char *act_signame;
	tt_act_target act[TT_ACT_MAX];
	size_t nact;
	char source[16];
	/* help and the alert list: a scrollable page */
	int pager_top, pager_total, pager_height;
	tt_u64set closed; /* sockets closed from here (ids): still held by their process */
	double refreshed_at; /* wall clock of the data shown */
	double collect_ms;
} tt_ui;

/* src/ui/draw.c */
void tt_ui_theme_init(tt_ui *ui);
void tt_ui_draw(tt_ui *ui);
/* src/ui/keys.c: handle one key (or mouse event); returns TT_R_* bits. */
int tt_ui_key(tt_ui *ui, int key);
/* src/ui/act.c: k/F9 on the processes or sockets pane; the signal menu
 * and the confirmation keys; the prompt text. */
int tt_ui_act_start(tt_ui *ui);
int tt_ui_act_key(tt_ui *ui, int key);
void tt_ui_act_prompt(const tt_ui *ui, char *buf, size_t len);

/* src/ui/keys.c: the next refresh delay for + (dir 1) or - (dir -1), on a
 * fixed ladder from 0.2 s to 60 s (so 2 s is always reached again) */
double tt_ui_delay_step(double d, int dir);

/* src/ui/dashboard.c */
__attribute__((format(printf, 3, 4))) void tt_ui_message(tt_ui *ui, int tone, const char *fmt, ...);
size_t tt_ui_page(const tt_ui *ui);
/* Replay: show record `target` (the model is rebuilt from the start when
 * going back, so ages and trends are as they were). */
void tt_ui_replay_goto(tt_ui *ui, size_t target);

#endif
