/* The one walk over every /proc pid of a refresh (see pids.h). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "collect/pids.h"
#include "collect/procinfo.h"
#include "tenantop/vec.h"

int tt_pids_read(tt_pids *p, int rootfd)
{
	p->n = 0;
	DIR *d = tt_opendir_at(rootfd);
	if (!d)
		return -1;
	struct dirent *de;
	while ((de = readdir(d))) {
		long pid = tt_pid_of_name(de->d_name);
		if (pid < 0)
			continue;
		tt_pid_ent *e = TT_VEC_PUSH(p->v, p->n, p->cap);
		if (!e)
			break;
		e->pid = (int32_t)pid;
		e->ino = de->d_ino;
	}
	closedir(d);
	return 0;
}

void tt_pids_free(tt_pids *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}
