/* tenantop: options, then the dashboard or batch mode. */
#include <malloc.h>
#include <stdio.h>

#include "tenantop/app.h"
#include "tenantop/modes.h"

int main(int argc, char **argv)
{
#ifdef M_MMAP_THRESHOLD
	/* Buffers of a refresh's size (hundreds of KiB and up) get their own
	 * mappings and go back to the system when freed or moved: glibc would
	 * otherwise raise the threshold after the first free and keep the
	 * freed copies of grown tables resident in the heap. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
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
