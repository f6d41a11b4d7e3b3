/* tenantop's own CPU time: this process's, and that of the short-lived
 * helpers it forks and waits for (the BPF loader), which do its work too. */
#ifndef TENANTOP_SELFCPU_H
#define TENANTOP_SELFCPU_H

struct rusage;

/* CPU ms so far, helpers included (and the peak RSS in KiB, the largest of
 * this process and its helpers, when asked). */
double tt_self_cpu_ms(long *maxrss_kb);

/* A helper's use, once it was waited for. */
void tt_self_cpu_add_helper(const struct rusage *ru);

#endif
