/* Every task's socket descriptors from the iter/task_file iterator (see
 * bpffds.h).  The iterator is loaded in a short-lived child (bpfload.c);
 * its link stays here, and each refresh reads one new iterator instance. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/bpffds.h"
#include "collect/bpfload.h"
#include "tenantop/vec.h"

#ifdef TT_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sockfds.skel.h"

struct tt_bpf_fds {
	int link_fd;
};

static int load_iter(int *fds, size_t nfds, char *msg, size_t len)
{
	(void)nfds;
	struct tt_sockfds *skel = tt_sockfds__open_and_load();
	if (!skel) {
		snprintf(msg, len, "the descriptor iterator did not load: %s", strerror(errno));
		return -1;
	}
	struct bpf_link *link = bpf_program__attach_iter(skel->progs.tt_sock_fds, NULL);
	if (!link) {
		snprintf(msg, len, "iter/task_file refused: %s", strerror(errno));
		return -1;
	}
	fds[0] = bpf_link__fd(link);
	return 0;
}

tt_bpf_fds *tt_bpf_fds_open(char *why, size_t len)
{
	tt_bpf_fds *b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	if (tt_bpf_load_in_child(load_iter, &b->link_fd, 1, why, len) < 0) {
		free(b);
		return NULL;
	}
	return b;
}

void tt_bpf_fds_close(tt_bpf_fds *b)
{
	if (!b)
		return;
	close(b->link_fd);
	free(b);
}

int tt_bpf_fds_read(tt_bpf_fds *b, tt_fdlist *l)
{
	l->n = 0;
	int fd = bpf_iter_create(b->link_fd);
	if (fd < 0)
		return -1;
	int rc = 0;
	size_t bytes = 0; /* read so far: whole records, and maybe part of one */
	for (;;) {
		size_t have = bytes / sizeof(*l->v);
		if (TT_VEC_RESERVE(l->v, l->cap, have + 1024) < 0) {
			rc = -1;
			break;
		}
		ssize_t n = read(fd, (char *)l->v + bytes, (l->cap - have) * sizeof(*l->v) - bytes % sizeof(*l->v));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -1 : 0;
			break;
		}
		bytes += (size_t)n;
	}
	close(fd);
	l->n = bytes / sizeof(*l->v);
	return rc == 0 ? tt_fdlist_index(l) : -1;
}

#else

struct tt_bpf_fds {
	int unused;
};

tt_bpf_fds *tt_bpf_fds_open(char *why, size_t len)
{
	snprintf(why, len, "built without BPF (clang, bpftool, libbpf or the kernel's BTF were missing)");
	return NULL;
}

void tt_bpf_fds_close(tt_bpf_fds *b)
{
	(void)b;
}

int tt_bpf_fds_read(tt_bpf_fds *b, tt_fdlist *l)
{
	(void)b, (void)l;
	return -1;
}

#endif
