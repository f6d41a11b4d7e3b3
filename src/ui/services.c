/* What every part of the dashboard uses: the status message, the page
 * height, the one-line prompt being typed (search, filter, ports, go to). */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tenantop/clock.h"
#include "tenantop/sanitize.h"
#include "tenantop/ui.h"

#define CTRL(c) ((c) & 0x1f)

void tt_ui_message(tt_ui *ui, int tone, const char *fmt, ...)
{
	char raw[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	tt_sanitize(raw, strlen(raw), ui->msg, sizeof(ui->msg));
	ui->msg_tone = tone;
	ui->msg_until = tt_mono_s() + 4;
}

size_t tt_ui_page(const tt_ui *ui)
{
	return ui->list_height > 0 ? (size_t)ui->list_height : 1;
}

int tt_ui_prompt_start(tt_ui *ui, int mode, const char *init)
{
	ui->mode = mode;
	snprintf(ui->input, sizeof(ui->input), "%s", init);
	ui->input_len = strlen(ui->input);
	return TT_R_REDRAW;
}

bool tt_ui_prompt_edit(tt_ui *ui, int key)
{
	if (key == KEY_BACKSPACE || key == 127 || key == CTRL('h')) {
		if (!ui->input_len)
			return false;
		/* drop a whole UTF-8 character */
		do
			ui->input_len--;
		while (ui->input_len && ((unsigned char)ui->input[ui->input_len] & 0xc0) == 0x80);
		ui->input[ui->input_len] = '\0';
		return true;
	}
	if (key == CTRL('u')) {
		ui->input_len = 0;
		ui->input[0] = '\0';
		return true;
	}
	if (key >= 0x20 && key < 0x100 && key != 0x7f && ui->input_len + 1 < sizeof(ui->input) - 1) {
		ui->input[ui->input_len++] = (char)key;
		ui->input[ui->input_len] = '\0';
		return true;
	}
	return false;
}
