/* What a recording carries of its run's settings (rules, thresholds,
 * watched ports, refresh interval), and replay applying them: --replay FILE
 * alone shows the tenants and alerts of the live run; --config at replay
 * time re-attributes with other rules, and says so. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantop/app.h"
#include "tenantop/record.h"

tt_recorder *tt_app_recorder_open(const tt_app *app, char *err, size_t errlen)
{
	tt_recorder *r = tt_recorder_open(app->record_path, err, errlen);
	if (!r)
		return NULL;
	tt_rec_meta m;
	memset(&m, 0, sizeof(m));
	m.interval = app->delay;
	tt_portset_format(&app->collect.ports, m.ports, sizeof(m.ports));
	if (strlen(m.ports) >= sizeof(m.ports) - 1)
		m.ports[0] = '\0'; /* too many ranges to say: unknown */
	if (app->conf.path[0]) {
		snprintf(m.config_path, sizeof(m.config_path), "%s", app->conf.path);
		m.config_text = app->conf.text;
		m.config_len = app->conf.text_len;
	}
	if (tt_recorder_write_meta(r, &m, err, errlen) < 0) {
		tt_recorder_close(r);
		return NULL;
	}
	return r;
}

int tt_app_replay_settings(tt_app *app, char *err, size_t errlen)
{
	tt_rec_meta m;
	int got = tt_replay_read_settings(app->replay_path, &m);
	if (got == -2)
		return 0; /* opening the replay says why */
	if (got < 0) {
		/* a recording made before settings were recorded, or damaged at its start */
		snprintf(app->replay_settings, sizeof(app->replay_settings), "unrecorded");
		snprintf(app->replay_note, sizeof(app->replay_note),
			 "the recording has no settings: attributed with %.200s",
			 app->conf.path[0] ? app->conf.path : "the built-in rules");
		return 0;
	}
	if (m.interval > 0 && !app->delay_given)
		app->delay = m.interval;
	app->replay_interval = m.interval;
	if (m.ports[0] && !app->ports_given) {
		char e[200];
		tt_portset ps;
		if (!strcmp(m.ports, "all")) {
			tt_portset_clear(&app->collect.ports);
			app->collect.ports.all = true;
		} else if (tt_portset_parse(&ps, m.ports, e, sizeof(e)) == 0) {
			app->collect.ports = ps;
		}
	}
	const char *recorded = m.config_path[0] ? m.config_path : "the built-in rules";
	if (app->config_path) {
		snprintf(app->replay_settings, sizeof(app->replay_settings), "re-attributed");
		snprintf(app->replay_note, sizeof(app->replay_note), "re-attributed with --config %.200s (recorded with %.200s)",
			 app->config_path, recorded);
		free(m.config_text);
		return 0;
	}
	snprintf(app->replay_settings, sizeof(app->replay_settings), "recorded");
	snprintf(app->replay_note, sizeof(app->replay_note), "rules as recorded (%.200s)", recorded);
	tt_conf c;
	if (tt_conf_init(&c) < 0) {
		free(m.config_text);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (m.config_path[0]) {
		char name[600];
		snprintf(name, sizeof(name), "%s (recorded in %s)", m.config_path, app->replay_path);
		if (tt_conf_load_text(&c, name, m.config_text, m.config_len, err, errlen) < 0) {
			free(m.config_text);
			tt_conf_free(&c);
			return -1;
		}
		snprintf(c.path, sizeof(c.path), "%s", m.config_path);
	} else {
		free(m.config_text);
	}
	tt_conf_free(&app->conf);
	app->conf = c;
	app->max_tenants = c.max_tenants;
	if (!app->ports_given && !m.ports[0] && c.ports_set)
		app->collect.ports = c.ports;
	return 0;
}
