/* tenantop: options, then the dashboard or batch mode. */
#include <stdio.h>

#include "tenantop/app.h"

int main(int argc, char **argv)
{
	tt_app app;
	int rc = tt_app_parse(&app, argc, argv);
	if (rc == 0) {
		pid_t demo = -1;
		char err[512];
		if (app.demo && (demo = tt_demo_start(&app, err, sizeof(err))) < 0) {
			fprintf(stderr, "tenantop: --demo: %s\n", err);
			rc = 1;
		} else {
			rc = app.batch ? tt_batch_run(&app) : tt_dashboard_run(&app);
		}
		tt_demo_stop(demo);
	} else if (rc == 1) {
		rc = 0;
	}
	tt_app_free(&app);
	return rc;
}
