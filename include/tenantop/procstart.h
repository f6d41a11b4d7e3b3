/* A process's identity over time (src/collect/procinfo.c). */
#ifndef TENANTOP_PROCSTART_H
#define TENANTOP_PROCSTART_H

#include <stdint.h>

/* The start time (clock ticks after boot) of a live process, to tell it
 * from a later process with the same pid.  0, or -1 when it is gone. */
int tt_proc_start_time(const char *proc_root, int pid, uint64_t *start);

#endif
