/* tenantop: options, then the dashboard or batch mode. */
#include "tenantop/app.h"

int main(int argc, char **argv)
{
	tt_app app;
	int rc = tt_app_parse(&app, argc, argv);
	if (rc == 0)
		rc = app.batch ? tt_batch_run(&app) : tt_dashboard_run(&app);
	else if (rc == 1)
		rc = 0;
	tt_app_free(&app);
	return rc;
}
