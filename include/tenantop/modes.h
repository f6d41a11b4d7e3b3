/* The program's modes, each run from main with the parsed settings:
 * the dashboard (src/ui), batch (src/app/batch.c), and the demo's
 * simulator beside either (src/app/demo.c). */
#ifndef TENANTOP_MODES_H
#define TENANTOP_MODES_H

#include <sys/types.h>

#include "tenantop/app.h"

/* The interactive dashboard (src/ui).  Returns the exit status. */
int tt_dashboard_run(tt_app *app);
/* --demo (src/app/demo.c): start the simulator, point the settings at it.
 * Returns the simulator's pid, or -1 with a message. */
pid_t tt_demo_start(tt_app *app, char *err, size_t errlen);
void tt_demo_stop(pid_t pid);
/* Batch mode (src/app/batch.c).  Returns the exit status. */
int tt_batch_run(tt_app *app);

#endif
