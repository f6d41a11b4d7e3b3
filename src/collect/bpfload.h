/* Loading BPF programs in a short-lived child (src/collect/bpfload.c).
 *
 * Relocating a CO-RE program for the running kernel parses the kernel's
 * whole BTF (some 12 MB at its peak), which tenantop's own memory need not
 * carry: a forked child loads and attaches, then hands back the
 * descriptors (links, maps) over a socket (SCM_RIGHTS) and exits; the
 * descriptors keep the programs loaded and attached. */
#ifndef TT_COLLECT_BPFLOAD_H
#define TT_COLLECT_BPFLOAD_H

#include <stddef.h>

/* Runs in the child: load and attach, fill the nfds descriptors.  0, or -1
 * with what went wrong in msg. */
typedef int (*tt_bpf_loader)(int *fds, size_t nfds, char *msg, size_t len);

#define TT_BPF_LOAD_MAX_FDS 16

/* Run load in a child and receive its descriptors into fds (nfds of them,
 * at most TT_BPF_LOAD_MAX_FDS).  0, or -1 with why (fds then all -1). */
int tt_bpf_load_in_child(tt_bpf_loader load, int *fds, size_t nfds, char *why, size_t len);

#endif
