/* A refresh on the screen: what the session applied becomes the view's
 * rows; a replay's seek (ui.h). */
#include <stdio.h>

#include "tenantop/ui.h"

/* The session applied a refresh: show it. */
void tt_ui_show_refresh(tt_ui *ui)
{
	if (!ui->ses.have_data)
		return;
	ui->refreshed_at = ui->ses.model.time;
	snprintf(ui->source, sizeof(ui->source), "%s", ui->ses.model.snap.stats.source);
	ui->collect_ms = ui->ses.model.snap.stats.collect_ms;
	ui->view.rc.db = ui->ses.out.db;
	ui->view.rc.dbjoin = ui->ses.out.dbjoin;
	tt_view_rebuild(&ui->view, &ui->ses.model, &ui->ses.alerts);
}

void tt_ui_replay_goto(tt_ui *ui, size_t target)
{
	tt_session_seek(&ui->ses, target);
	tt_ui_show_refresh(ui);
}

