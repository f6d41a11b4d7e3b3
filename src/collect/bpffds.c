/* Every task's socket descriptors from the iter/task_file iterator (see
 * bpffds.h).  The iterator is loaded in a short-lived child (bpfload.c),
 * with the event programs;
 * its link stays here, and each refresh reads one new iterator instance. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/bpffds.h"
#include "tenantop/vec.h"

#ifdef TT_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tenantop.skel.h"

struct tt_bpf_fds {
	int link_fd;
	int watch_fd;     /* the watched ports, as the iterator reads them */
	bool can_filter;  /* descriptor counts come from the fd folder's size, not from the list */
	char *buf;        /* one read of the iterator */
	size_t cap;
	struct tt_watch {
		uint64_t bits[1024];
		uint32_t on, pad;
	} watch;
};

/* as in bpf/sockfds.bpf.c */
struct rec {
	uint64_t ino;
	uint32_t tgid;
	int32_t fd;
	uint16_t lport, rport;
	uint8_t family, protocol, state, flags;
};

int tt_bpf_fds_attach(struct tt_tenantop *skel, int *fds, char *msg, size_t len)
{
	struct bpf_link *link = skel->links.tt_sock_fds = bpf_program__attach_iter(skel->progs.tt_sock_fds, NULL);
	if (!link) {
		snprintf(msg, len, "iter/task_file refused: %s", strerror(errno));
		return -1;
	}
	fds[0] = bpf_link__fd(link);
	fds[1] = bpf_map__fd(skel->maps.tt_watch_map);
	return 0;
}

tt_bpf_fds *tt_bpf_fds_open(const int *fds)
{
	tt_bpf_fds *b = calloc(1, sizeof(*b));
	if (!b) {
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	b->link_fd = fds[0];
	b->watch_fd = fds[1];
	/* a process's descriptor count is st_size of its fd folder (Linux 6.2+)
	 * there, not the number of its records: the iterator may leave some out */
	struct stat st;
	b->can_filter = stat("/proc/self/fd", &st) == 0 && st.st_size > 0;
	return b;
}

void tt_bpf_fds_close(tt_bpf_fds *b)
{
	if (!b)
		return;
	close(b->link_fd);
	close(b->watch_fd);
	free(b->buf);
	free(b);
}

/* Tell the iterator which ports are watched (none, or every socket when it cannot filter). */
static void set_watch(tt_bpf_fds *b, const tt_portset *ports)
{
	uint32_t on = b->can_filter && ports && !ports->all;
	if (!on && !b->watch.on)
		return;
	if (on && b->watch.on && !memcmp(b->watch.bits, ports->bits, sizeof(b->watch.bits)))
		return;
	struct tt_watch w = {.on = on};
	if (on)
		memcpy(w.bits, ports->bits, sizeof(w.bits));
	uint32_t zero = 0;
	if (bpf_map_update_elem(b->watch_fd, &zero, &w, BPF_ANY) == 0)
		b->watch = w;
}

/* One instance of the iterator, read whole into b->buf (*got bytes).  0 or -1. */
static int read_all(tt_bpf_fds *b, size_t *got)
{
	int fd = bpf_iter_create(b->link_fd);
	if (fd < 0)
		return -1;
	int rc = 0;
	size_t have = 0;
	for (;;) {
		if (b->cap - have < 65536 && TT_VEC_RESERVE(b->buf, b->cap, have + 65536) < 0) {
			rc = -1;
			break;
		}
		ssize_t n = read(fd, b->buf + have, b->cap - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -1 : 0;
			break;
		}
		have += (size_t)n;
	}
	close(fd);
	*got = have;
	return rc;
}

/* The records (each followed by its endpoints when it has them) into l. */
static int parse(const char *p, size_t len, tt_fdlist *l)
{
	l->n = l->naddrs = 0;
	if (TT_VEC_RESERVE(l->v, l->cap, len / sizeof(struct rec)) < 0)
		return -1;
	const char *end = p + len;
	while ((size_t)(end - p) >= sizeof(struct rec)) {
		struct rec r;
		memcpy(&r, p, sizeof(r));
		p += sizeof(r);
		struct tt_sockfd *d = &l->v[l->n++];
		*d = (struct tt_sockfd){r.ino, r.tgid, r.fd, r.lport, r.rport, r.family, r.protocol, r.state, 0, 0};
		if (!(r.flags & TT_SFD_ADDRS))
			continue;
		if ((size_t)(end - p) < sizeof(struct tt_sockfd_addrs))
			break;
		struct tt_sockfd_addrs *a = TT_VEC_PUSH(l->addrs, l->naddrs, l->addrs_cap);
		if (!a)
			return -1;
		memcpy(a, p, sizeof(*a));
		p += sizeof(*a);
		d->flags = TT_SFD_ADDRS;
		d->addrs = (uint32_t)l->naddrs;
	}
	return 0;
}

static int fill(void *src, tt_fdlist *l, const tt_portset *ports)
{
	tt_bpf_fds *b = src;
	size_t got = 0;
	set_watch(b, ports);
	l->n = l->naddrs = 0;
	int rc = read_all(b, &got) < 0 || parse(b->buf, got, l) < 0 ? -1 : 0;
	/* the iterator's text is read again whole each time: not kept */
	free(b->buf);
	b->buf = NULL;
	b->cap = 0;
	return rc < 0 ? -1 : tt_fdlist_index(l);
}

int tt_bpf_fds_read(tt_bpf_fds *b, tt_fdlist *l)
{
	/* read when the owner scan knows the watched ports (tt_fdlist_fill) */
	l->n = l->naddrs = 0;
	l->fill = fill;
	l->fill_src = b;
	return 0;
}

#else

struct tt_bpf_fds {
	int unused;
};

tt_bpf_fds *tt_bpf_fds_open(const int *fds)
{
	(void)fds;
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
