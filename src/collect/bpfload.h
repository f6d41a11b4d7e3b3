/* Loading BPF programs in a short-lived child (src/collect/bpfload.c).
 *
 * Relocating a CO-RE program for the running kernel parses the kernel's
 * whole BTF (some 12 MB at its peak), which tenantop's own memory need not
 * carry: a forked child loads and attaches, then hands back the
 * descriptors (links, maps) over a socket (SCM_RIGHTS) and exits; the
 * descriptors keep the programs loaded and attached. */
#ifndef TT_COLLECT_BPFLOAD_H
#define TT_COLLECT_BPFLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "collect/bpffds.h"
#include "collect/bpfowners.h"

/* Runs in the child: load and attach, fill up to nfds descriptors.  How
 * many it filled (msg may say why not all), or -1 with what went wrong in
 * msg. */
typedef int (*tt_bpf_loader)(int *fds, size_t nfds, char *msg, size_t len);

#define TT_BPF_LOAD_MAX_FDS 16

/* Run load in a child and receive its descriptors into fds (up to nfds of
 * them, at most TT_BPF_LOAD_MAX_FDS).  How many came, with why saying what
 * the child said (empty when nothing); -1 with why when none came. */
int tt_bpf_load_in_child(tt_bpf_loader load, int *fds, size_t nfds, char *why, size_t len);

/* tenantop's eBPF object (the programs of src/collect/bpf linked into one, so that
 * the kernel's BTF is parsed once): the event programs and the descriptor
 * iterator, loaded and attached in one child. */
typedef struct tt_bpf_loaded {
	int owners[TT_BPF_OWNER_FDS]; /* for tt_bpf_owners_open */
	int iter[TT_BPF_ITER_FDS];    /* for tt_bpf_fds_open, when has_iter */
	bool has_iter;
	char iter_why[160];           /* else why not */
} tt_bpf_loaded;
/* 0 (the event programs loaded, the iterator perhaps), or -1 with why. */
int tt_bpf_load(tt_bpf_loaded *out, char *why, size_t len);

#endif
