/* Loading an optional library when it is first needed (dynlib.h). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "tenantop/dynlib.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static int open_lib(tt_dynlib *l)
{
	void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(l->why, sizeof(l->why), "cannot load %s (Debian package %s): %s", l->soname, l->package,
			 e ? e : "not found");
		return -1;
	}
	for (size_t i = 0; i < l->nsyms; i++) {
		void *p = dlsym(h, l->syms[i].name);
		if (!p) {
			snprintf(l->why, sizeof(l->why), "%s has no %s: not the version tenantop was built for", l->soname,
				 l->syms[i].name);
			dlclose(h);
			return -1;
		}
		memcpy(l->syms[i].slot, &p, sizeof(p));
	}
	return 0; /* kept loaded for the rest of the run */
}

int tt_dynlib_load(tt_dynlib *l, char *err, size_t len)
{
	pthread_mutex_lock(&mu);
	if (!l->tried) {
		l->tried = true;
		l->rc = open_lib(l);
	}
	int rc = l->rc;
	if (rc < 0 && err && len)
		snprintf(err, len, "%s", l->why);
	pthread_mutex_unlock(&mu);
	return rc;
}
