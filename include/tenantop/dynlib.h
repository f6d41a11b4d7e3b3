/* Libraries only some features use (the database probes, the /metrics
 * server), loaded when such a feature first runs (src/util/dynlib.c).
 * A run without them does not map them, nor what they pull in (TLS,
 * Kerberos, LDAP: some 6 MB of resident memory, and their start-up). */
#ifndef TENANTOP_DYNLIB_H
#define TENANTOP_DYNLIB_H

#include <stdbool.h>
#include <stddef.h>

/* A function the library must have, and where its address goes (the
 * address of a function pointer of the right type). */
struct tt_dynsym {
	const char *name;
	void *slot;
};

typedef struct tt_dynlib {
	const char *soname;  /* what the build linked against, e.g. "libmariadb.so.3" */
	const char *package; /* the Debian package that has it, for the message */
	const struct tt_dynsym *syms;
	size_t nsyms;
	/* under the loader's lock */
	bool tried;
	int rc;
	char why[240];
} tt_dynlib;

/* Load l once (any thread may ask; later calls give the first answer).
 * 0, or -1 with why (which library, which package, what failed) in err. */
int tt_dynlib_load(tt_dynlib *l, char *err, size_t len);

/* Defines int fn(char *err, size_t len), which loads the library once:
 * the soname, its Debian package, the array of its tt_dynsym. */
#define TT_DYNLIB_LOADER(fn, soname, package, syms)                                          \
	int fn(char *err, size_t len)                                                         \
	{                                                                                     \
		static tt_dynlib lib = {soname, package, syms, sizeof(syms) / sizeof((syms)[0]), \
					false, 0, ""};                                           \
		return tt_dynlib_load(&lib, err, len);                                        \
	}

#endif
