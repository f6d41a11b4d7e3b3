/* The interactive dashboard (placeholder until the panes land). */
#include <stdio.h>

#include "tenantop/app.h"

int tt_dashboard_run(tt_app *app)
{
	(void)app;
	fprintf(stderr, "tenantop: the dashboard is not in this build yet; use --batch\n");
	return 2;
}
