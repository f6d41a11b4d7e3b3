/* The collector: one refresh = sockstat, the socket tables (netlink or
 * /proc text), the descriptor scan, into a snapshot. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tenantop/clock.h"
#include "tenantop/collect_internal.h"

struct tt_collector {
	tt_collect_opts opts;
	char root_path[4096];
	int rootfd;
	bool real_proc;
	tt_nl_inet *nl;     /* NULL: text source */
	char note[256];     /* why netlink is not used */
	tt_scan_ctx sc;
	tt_snapshot scratch; /* for an unfiltered netlink dump */
	tt_unix_watch uwatch_conf; /* configured Unix socket paths */
	tt_unix_watch uwatch;  /* this refresh's: configured + discovered */
	tt_portset ports;      /* this refresh's TCP ports: configured + discovered */
	tt_discover *disc;     /* NULL: no discovery */
	tt_bpf_owners *bpf;    /* NULL: no kernel events */
	char bpf_note[112];    /* why not */
	bool utab_read;        /* utab holds this refresh's Unix table already */
	tt_unix_table utab;
	tt_unix_mem umem;
	bool unix_text;        /* UNIX_DIAG failed: /proc/net/unix (no peers) */
	tt_netns ns;
	double info_mono;      /* when tcp_info was last asked (monotonic), 0 never */
};

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

const struct tt_endpoint_mem *tt_endpoints_find(const tt_scan_ctx *sc, uint64_t inode)
{
	uint64_t ix;
	if (!tt_u64set_get(&sc->eps_index, inode, &ix) || ix >= sc->neps)
		return NULL;
	return &sc->eps[ix];
}

static uint32_t add_ms(uint32_t a, double s)
{
	double v = a + s * 1000.0;
	return v >= UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Remember each TCP socket's endpoints (for when it is reset but held) and
 * its tcp_info sample; with carry (a refresh that did not ask for tcp_info),
 * give a socket its last sample, the idle times grown by the time since: a
 * quiet connection is exact, a busy one looks idle for at most the interval. */
static void endpoints_remember(tt_scan_ctx *sc, tt_snapshot *s, double now, bool carry)
{
	for (size_t i = 0; i < s->nsocks; i++) {
		tt_sock *k = &s->socks[i];
		if (!k->inode || (k->flags & TT_SF_HELD_ONLY) || k->family == TT_FAM_UNIX)
			continue;
		uint64_t ix;
		struct tt_endpoint_mem *e;
		if (tt_u64set_get(&sc->eps_index, k->inode, &ix)) {
			e = &sc->eps[ix];
		} else {
			if (sc->neps == sc->eps_cap) {
				size_t ncap = sc->eps_cap ? sc->eps_cap * 2 : 256;
				void *p = realloc(sc->eps, ncap * sizeof(*sc->eps));
				if (!p)
					return;
				sc->eps = p;
				sc->eps_cap = ncap;
			}
			if (tt_u64set_put(&sc->eps_index, k->inode, sc->neps) < 0)
				return;
			e = &sc->eps[sc->neps++];
			e->info_at = 0;
		}
		e->inode = k->inode;
		e->last_seen = now;
		e->family = k->family;
		e->lport = k->lport;
		e->rport = k->rport;
		memcpy(e->laddr, k->laddr, 16);
		memcpy(e->raddr, k->raddr, 16);
		e->uid = k->uid;
		if (k->flags & TT_SF_HAS_INFO) {
			e->last_data_sent_ms = k->last_data_sent_ms;
			e->last_data_recv_ms = k->last_data_recv_ms;
			e->last_ack_recv_ms = k->last_ack_recv_ms;
			e->rtt_us = k->rtt_us;
			e->probes = k->timeout;
			e->info_at = s->mono;
		} else if (carry && e->info_at > 0) {
			double since = s->mono - e->info_at;
			k->last_data_sent_ms = add_ms(e->last_data_sent_ms, since);
			k->last_data_recv_ms = add_ms(e->last_data_recv_ms, since);
			k->last_ack_recv_ms = add_ms(e->last_ack_recv_ms, since);
			k->rtt_us = e->rtt_us;
			k->timeout = e->probes;
			k->flags |= TT_SF_HAS_INFO;
		}
	}
}

/* Forget endpoints unseen for 10 minutes (held sockets refresh theirs). */
static void endpoints_sweep(tt_scan_ctx *sc, const tt_snapshot *s, double now)
{
	for (size_t i = 0; i < s->nsocks; i++) {
		uint64_t ix;
		if ((s->socks[i].flags & TT_SF_HELD_ONLY) && tt_u64set_get(&sc->eps_index, s->socks[i].inode, &ix))
			sc->eps[ix].last_seen = now;
	}
	size_t w = 0;
	bool moved = false;
	for (size_t i = 0; i < sc->neps; i++) {
		if (now - sc->eps[i].last_seen > 600) {
			moved = true;
			continue;
		}
		sc->eps[w++] = sc->eps[i];
	}
	if (!moved)
		return;
	sc->neps = w;
	tt_u64set_free(&sc->eps_index);
	tt_u64set_init(&sc->eps_index);
	for (size_t i = 0; i < sc->neps; i++)
		tt_u64set_put(&sc->eps_index, sc->eps[i].inode, i);
}

/* netlink: every inode of every TCP socket, without filter (fallback when
 * a socket's own state cannot be asked). */
static int load_all_inodes_nl(tt_scan_ctx *sc)
{
	struct tt_collector *c = sc->owner;
	char err[160];
	tt_portset all;
	tt_portset_clear(&all);
	all.all = true;
	tt_sock_filter f = {&all, 0};
	tt_u64set_clear(&sc->all_inodes);
	for (int fam = TT_FAM_TCP4; fam <= TT_FAM_TCP6; fam++) {
		tt_snapshot_clear(&c->scratch);
		if (tt_nl_inet_dump(c->nl, fam, &f, false, &c->scratch, err, sizeof(err)) < 0)
			return -1;
		for (size_t i = 0; i < c->scratch.nsocks; i++)
			if (c->scratch.socks[i].inode)
				tt_u64set_add(&sc->all_inodes, c->scratch.socks[i].inode);
	}
	sc->all_inodes_valid = true;
	return 0;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* A proc root has a TCP table and at least one process folder; a folder
 * that has neither (an empty folder, "/") would read as an idle machine. */
static int proc_root_check(int rootfd, const char *root, char *err, size_t errlen)
{
	bool tcp = faccessat(rootfd, "net/tcp", R_OK, 0) == 0 || faccessat(rootfd, "net/tcp6", R_OK, 0) == 0;
	bool pids = false;
	int dfd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d && dfd >= 0)
		close(dfd);
	for (struct dirent *e; d && !pids && (e = readdir(d));) {
		const char *n = e->d_name;
		while (*n >= '0' && *n <= '9')
			n++;
		pids = n != e->d_name && !*n;
	}
	if (d)
		closedir(d);
	if (tcp && pids)
		return 0;
	snprintf(err, errlen, "--proc %s: not a proc tree (%s%s%s): nothing there could be read", root,
		 tcp ? "" : "no net/tcp", !tcp && !pids ? ", " : "", pids ? "" : "no process folders");
	return -1;
}

tt_collector *tt_collector_new(const tt_collect_opts *opts, char *err, size_t errlen)
{
	struct tt_collector *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->opts = *opts;
	tt_unix_mem_init(&c->umem);
	tt_netns_init(&c->ns);
	if (tt_unix_watch_parse(&c->uwatch_conf, opts->unix_paths, err, errlen) < 0) {
		tt_unix_mem_free(&c->umem);
		free(c);
		return NULL;
	}
	const char *root = opts->proc_root ? opts->proc_root : "/proc";
	snprintf(c->root_path, sizeof(c->root_path), "%s", root);
	c->rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->rootfd < 0) {
		snprintf(err, errlen, "cannot open the proc root %s: %s", root, strerror(errno));
		free(c);
		return NULL;
	}
	c->real_proc = same_file(root, "/proc") && faccessat(c->rootfd, "self", F_OK, 0) == 0;
	if (proc_root_check(c->rootfd, root, err, errlen) < 0) {
		close(c->rootfd);
		free(c);
		return NULL;
	}
	tt_snapshot_init(&c->scratch);
	if (opts->source != TT_SRC_PROC && c->real_proc) {
		char nerr[128] = "";
		c->nl = tt_nl_inet_open(nerr, sizeof(nerr));
		if (!c->nl)
			snprintf(c->note, sizeof(c->note), "netlink unavailable (%s): reading /proc text", nerr);
	} else if (opts->source == TT_SRC_NETLINK) {
		snprintf(c->note, sizeof(c->note), "netlink reads the live kernel, not %s", root);
	}
	if ((opts->source == TT_SRC_AUTO || opts->source == TT_SRC_BPF) && c->nl &&
	    !(c->bpf = tt_bpf_owners_open(c->bpf_note, sizeof(c->bpf_note))) && opts->source == TT_SRC_BPF) {
		snprintf(err, errlen, "--source bpf: %s", c->bpf_note);
		tt_nl_inet_close(c->nl);
		close(c->rootfd);
		free(c);
		return NULL;
	}
	if ((opts->source == TT_SRC_NETLINK || opts->source == TT_SRC_BPF) && !c->nl) {
		snprintf(err, errlen, "--source %s: %s", opts->source == TT_SRC_BPF ? "bpf" : "netlink", c->note);
		close(c->rootfd);
		free(c);
		return NULL;
	}
	c->uwatch = c->uwatch_conf;
	c->ports = c->opts.ports;
	if (opts->discover && !opts->ports.all && (!opts->ports_exact || !opts->unix_exact) &&
	    !(c->disc = tt_discover_new(opts->servers))) {
		snprintf(err, errlen, "out of memory");
		close(c->rootfd);
		free(c);
		return NULL;
	}
	tt_scan_ctx *sc = &c->sc;
	sc->rootfd = c->rootfd;
	sc->root_path = c->root_path;
	sc->real_proc = c->real_proc;
	sc->ports = &c->ports;
	sc->try_pidfd = c->real_proc;
	sc->owner = c;
	sc->load_all_inodes = load_all_inodes_nl;
	tt_u64set_init(&sc->wanted);
	tt_u64set_init(&sc->all_inodes);
	tt_u64set_init(&sc->ns_inodes);
	tt_u64set_init(&sc->held);
	tt_u64set_init(&sc->unknown_ix);
	sc->uwatch = &c->uwatch;
	sc->umem = &c->umem;
	tt_u64set_init(&sc->proto_cache);
	tt_u64set_init(&sc->eps_index);
	/* fixture trees carry their own passwd */
	int pw = c->real_proc ? -1 : openat(c->rootfd, "passwd", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (pw >= 0) {
		close(pw);
		char path[4200];
		snprintf(path, sizeof(path), "%s/passwd", root);
		sc->users = tt_users_new_from_file(path);
	} else {
		sc->users = tt_users_new();
	}
	if (!sc->users) {
		snprintf(err, errlen, "out of memory");
		tt_collector_free(c);
		return NULL;
	}
	return c;
}

void tt_collector_set_ports(tt_collector *c, const tt_portset *ports)
{
	c->opts.ports = *ports;
	c->ports = *ports;
	/* a port list the operator typed means exactly those ports */
	tt_discover_free(c->disc);
	c->disc = NULL;
	c->info_mono = 0; /* the newly watched sockets get their tcp_info at once */
}

const char *tt_collector_source(const tt_collector *c)
{
	return c->nl ? (c->bpf ? "netlink+bpf" : "netlink") : "proc";
}

/* hidepid: the proc mount's super options (mountinfo field after " - "). */
static bool proc_hidepid(int rootfd)
{
	char buf[65536];
	ssize_t n = tt_read_file_at(rootfd, "self/mountinfo", buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *sep = strstr(line, " - proc ");
		if (sep && strstr(line, " /proc ") && (strstr(sep, "hidepid=1") || strstr(sep, "hidepid=2") ||
						       strstr(sep, "hidepid=invisible") || strstr(sep, "hidepid=noaccess")))
			return true;
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

/* Unix stream sockets of the own namespace: netlink when it works (peers
 * known), else /proc/net/unix (server ends only). */
static void read_unix_table(tt_collector *c, tt_snapshot *out)
{
	c->utab.n = 0;
	c->utab_read = true;
	uint32_t bad = 0;
	char err[160];
	if (c->nl && !c->unix_text && tt_nl_unix_dump(c->nl, &c->utab, &bad, err, sizeof(err)) < 0) {
		c->unix_text = true; /* UNIX_DIAG missing (module not loaded): text from now on */
		c->utab.n = 0;
	}
	if (!c->nl || c->unix_text) {
		if (tt_procunix_read(c->rootfd, "net/unix", &c->utab, &bad) < 0)
			return;
		out->stats.unix_no_peers = c->utab.n > 0;
	}
	out->stats.bad_lines += bad;
}

static void read_unix(tt_collector *c, tt_snapshot *out)
{
	if (!c->uwatch.n && !c->uwatch.nexact && !c->ports.all)
		return;
	if (!c->utab_read)
		read_unix_table(c, out);
	tt_unix_select(&c->utab, &c->uwatch, c->ports.all, &c->umem, out);
}

static tt_watch *add_watch(tt_snapshot *out, int family, int why, uint16_t port, const char *path)
{
	tt_watch *w = tt_snapshot_add_watch(out);
	if (!w)
		return NULL;
	w->family = (uint8_t)family;
	w->why = (uint8_t)why;
	w->port = port;
	if (path)
		w->path = tt_snapshot_str(out, path, strlen(path), 256);
	return w;
}

/* What is watched this refresh and why: the configured ports and socket
 * paths, and what the database servers listen on (discovered). */
static void watch_list(tt_collector *c, tt_snapshot *out)
{
	c->ports = c->opts.ports;
	c->uwatch = c->uwatch_conf;
	if (!c->ports.all) {
		uint16_t ports[1024];
		size_t n = tt_portset_list(&c->ports, ports, 1024);
		for (size_t i = 0; i < n; i++)
			add_watch(out, TT_FAM_TCP4, c->opts.ports_why, ports[i], NULL);
	}
	uint8_t uwhy = c->opts.unix_paths ? TT_WHY_CONFIGURED : TT_WHY_DEFAULT;
	for (size_t i = 0; i < c->uwatch_conf.n; i++)
		add_watch(out, TT_FAM_UNIX, uwhy, 0, c->uwatch_conf.pat[i]);
	if (!c->disc)
		return;
	/* every listening TCP socket (few: no connection is walked) and the Unix table */
	tt_portset all;
	tt_portset_clear(&all);
	all.all = true;
	tt_sock_filter lf = {&all, 1u << TT_ST_LISTEN};
	tt_snapshot_clear(&c->scratch);
	char err[160];
	for (int fam = TT_FAM_TCP4; fam <= TT_FAM_TCP6; fam++) {
		if (c->nl)
			tt_nl_inet_dump(c->nl, fam, &lf, false, &c->scratch, err, sizeof(err));
		else
			tt_procnet_read(c->rootfd, fam == TT_FAM_TCP4 ? "net/tcp" : "net/tcp6", fam, &lf, &c->scratch, NULL);
	}
	read_unix_table(c, out);
	tt_discover_run(c->disc, c->rootfd, &c->scratch, &c->utab);
	size_t nf;
	const tt_discovered *f = tt_discover_found(c->disc, &nf);
	for (size_t i = 0; i < nf; i++) {
		bool tcp = f[i].family != TT_FAM_UNIX;
		if (tcp ? c->opts.ports_exact : c->opts.unix_exact)
			continue;
		/* a configured endpoint the server is on: say which server */
		tt_watch *w = NULL;
		for (size_t j = 0; j < out->nwatched && !w; j++) {
			tt_watch *x = &out->watched[j];
			if (tcp ? (x->family != TT_FAM_UNIX && x->port == f[i].port)
				: (x->family == TT_FAM_UNIX &&
				   !strcmp(tt_snapshot_get_str(out, x->path), f[i].path)))
				w = x;
		}
		if (w && w->pid)
			continue;
		if (!w && tcp && tt_portset_has(&c->ports, f[i].port))
			continue; /* listed already */
		if (!w && !tcp && tt_unix_watch_match(&c->uwatch, f[i].path)) {
			/* matched by a glob: name the server on a row of its own */
			w = add_watch(out, TT_FAM_UNIX, uwhy, 0, f[i].path);
		} else if (!w) {
			w = add_watch(out, tcp ? TT_FAM_TCP4 : TT_FAM_UNIX, TT_WHY_DISCOVERED, f[i].port,
				      tcp ? NULL : f[i].path);
			if (tcp)
				tt_portset_add(&c->ports, f[i].port);
			else if (tt_unix_watch_add_exact(&c->uwatch, f[i].path) < 0 && w)
				out->nwatched--; /* no room: not watched after all */
		}
		if (w) {
			w->pid = f[i].pid;
			w->server = tt_snapshot_str(out, f[i].comm, strlen(f[i].comm), 16);
		}
	}
}

/* Dead Unix connections of unknown target that no watched process holds
 * are not database connections as far as anyone can tell, and the ones
 * found connected to an unwatched socket are not either: drop them. */
static bool dropped(const tt_sock *k)
{
	return k->family == TT_FAM_UNIX && (k->flags & (TT_SF_ENDPOINT_UNKNOWN | TT_SF_DROP));
}

static void drop_unowned_unknown(tt_snapshot *out)
{
	size_t first = 0;
	while (first < out->nsocks && !dropped(&out->socks[first]))
		first++;
	if (first == out->nsocks)
		return; /* the usual case: nothing to drop */
	tt_u64set owned;
	tt_u64set_init(&owned);
	for (size_t i = 0; i < out->nowners; i++)
		tt_u64set_add(&owned, out->owners[i].inode);
	size_t w = first;
	for (size_t i = first; i < out->nsocks; i++) {
		const tt_sock *k = &out->socks[i];
		if (dropped(k) && ((k->flags & TT_SF_DROP) || !tt_u64set_has(&owned, k->inode)))
			continue;
		out->socks[w++] = *k;
	}
	out->nsocks = w;
	tt_u64set_free(&owned);
}

/* Not root (or hidepid): the sockets no readable descriptor explains
 * belong to processes tenantop may not look into.  The kernel still says
 * whose they are (the socket's uid): each uid gets a stand-in process, so
 * that user rules attribute them; its process facts are unknown. */
static void attribute_by_socket_uid(tt_collector *c, tt_snapshot *out)
{
	tt_u64set owned, stand_in;
	tt_u64set_init(&owned);
	tt_u64set_init(&stand_in);
	for (size_t i = 0; i < out->nowners; i++)
		tt_u64set_add(&owned, out->owners[i].inode);
	size_t nsocks = out->nsocks;
	for (size_t i = 0; i < nsocks; i++) {
		const tt_sock *k = &out->socks[i];
		if (!k->inode || (k->flags & TT_SF_NO_UID) || tt_u64set_has(&owned, k->inode))
			continue;
		uint64_t pi;
		if (!tt_u64set_get(&stand_in, k->uid, &pi)) {
			tt_proc *p = tt_snapshot_add_proc(out);
			if (!p)
				break;
			pi = out->nprocs - 1;
			uint32_t uid = out->socks[i].uid;
			char what[96];
			snprintf(what, sizeof(what), "(processes of uid %u: descriptors unreadable)", uid);
			const char *user = tt_users_name(c->sc.users, uid);
			uint32_t cmd = tt_snapshot_str_trusted(out, what);
			uint32_t comm = tt_snapshot_str_trusted(out, "?");
			uint32_t uname = tt_snapshot_str(out, user, strlen(user), 64);
			p = &out->procs[pi];
			p->uid = uid;
			p->start_time = uid; /* with pid 0, the stand-in's identity */
			p->cmdline = cmd, p->comm = comm, p->user = uname;
			p->flags = TT_PF_SOCKET_UID | TT_PF_FD_DENIED;
			tt_u64set_put(&stand_in, uid, pi);
		}
		tt_owner *o = tt_snapshot_add_owner(out);
		if (!o)
			break;
		o->inode = out->socks[i].inode;
		o->netns = out->socks[i].netns;
		o->proc = (uint32_t)pi;
		o->fd = -1;
	}
	tt_u64set_free(&owned);
	tt_u64set_free(&stand_in);
}

/* The other network namespaces, each through a member process's tables. */
static void read_namespaces(tt_collector *c, tt_snapshot *out, const tt_sock_filter *f)
{
	for (size_t i = 0; i < c->ns.n; i++) {
		const struct tt_netns_ent *e = &c->ns.v[i];
		size_t mark = out->nsocks;
		char path[64];
		int ok = 0;
		for (int fam = TT_FAM_TCP4; fam <= TT_FAM_TCP6; fam++) {
			snprintf(path, sizeof(path), "%d/net/%s", e->pid, fam == TT_FAM_TCP4 ? "tcp" : "tcp6");
			ok += tt_procnet_read(c->rootfd, path, fam, f, out, &c->sc.ns_inodes) == 0;
		}
		if (ok < 2) {
			out->nsocks = mark; /* the member exited or cannot be read: next refresh */
			out->stats.netns_failed++;
			continue;
		}
		if (c->uwatch.n || c->uwatch.nexact || c->ports.all) {
			c->utab.n = 0;
			uint32_t bad = 0;
			snprintf(path, sizeof(path), "%d/net/unix", e->pid);
			if (tt_procunix_read(c->rootfd, path, &c->utab, &bad) == 0)
				tt_unix_select(&c->utab, &c->uwatch, c->ports.all, &c->umem, out);
		}
		for (size_t j = mark; j < out->nsocks; j++)
			out->socks[j].netns = e->inode;
		out->stats.netns_read++;
	}
}

/* Parent rules climb the process tree: read the ancestors of every holder
 * that the scan did not read (they hold no watched socket). */
static void read_ancestors(tt_collector *c, tt_snapshot *out, int depth)
{
	tt_u64set seen;
	tt_u64set_init(&seen);
	for (size_t i = 0; i < out->nprocs; i++)
		tt_u64set_add(&seen, (uint64_t)out->procs[i].pid);
	size_t nholders = out->nprocs;
	for (size_t i = 0; i < nholders; i++) {
		int32_t ppid = out->procs[i].ppid;
		for (int d = 0; d < depth && ppid > 1; d++) {
			if (tt_u64set_has(&seen, (uint64_t)ppid))
				break;
			tt_u64set_add(&seen, (uint64_t)ppid);
			long ix = tt_read_proc(c->rootfd, ppid, c->sc.users, out);
			if (ix < 0)
				break;
			out->procs[ix].flags |= TT_PF_ANCESTOR;
			ppid = out->procs[ix].ppid;
		}
	}
	tt_u64set_free(&seen);
}

int tt_collect(tt_collector *c, tt_snapshot *out, char *err, size_t errlen)
{
	double t0 = tt_mono_s();
	tt_snapshot_clear(out);
	out->time = clock_s(CLOCK_REALTIME);
	out->mono = t0;
	tt_scan_stats *st = &out->stats;
	snprintf(st->source, sizeof(st->source), "%s", tt_collector_source(c));
	snprintf(st->source_note, sizeof(st->source_note), "%s", c->bpf ? "" : c->bpf_note);
	st->is_root = geteuid() == 0;

	char buf[4096];
	ssize_t n = tt_read_file_at(c->rootfd, "net/sockstat", buf, sizeof(buf));
	if (n > 0)
		tt_parse_sockstat(buf, (size_t)n, &st->sk_inuse, &st->sk_orphan, &st->sk_tw, &st->sk_alloc);

	c->utab_read = false;
	watch_list(c, out);
	tt_scan_ctx *sc = &c->sc;
	tt_sock_filter f = {&c->ports, 0};
	tt_u64set_clear(&sc->all_inodes);
	sc->all_inodes_valid = false;
	/* tcp_info now, or carry the last samples forward (netlink only) */
	bool info = false, carry = false;
	if (c->nl && c->opts.want_info) {
		info = c->info_mono == 0 || c->opts.info_every_s <= 0 || t0 - c->info_mono + 0.1 >= c->opts.info_every_s;
		carry = !info;
		if (info)
			c->info_mono = t0;
	}
	if (c->nl) {
		for (int fam = TT_FAM_TCP4; fam <= TT_FAM_TCP6; fam++) {
			if (tt_nl_inet_dump(c->nl, fam, &f, info, out, err, errlen) == 0)
				continue;
			/* netlink broke: fall back to text for good, and say so */
			snprintf(c->note, sizeof(c->note), "netlink failed (%s): reading /proc text", err);
			tt_nl_inet_close(c->nl);
			c->nl = NULL;
			return tt_collect(c, out, err, errlen);
		}
	} else {
		const char *files[2] = {"net/tcp", "net/tcp6"};
		if (faccessat(c->rootfd, files[0], F_OK, 0) < 0 && faccessat(c->rootfd, files[1], F_OK, 0) < 0) {
			st->unreadable = true; /* set again below: the reason stays */
			st->bad_lines++;
		}
		for (int i = 0; i < 2; i++) {
			if (tt_procnet_read(c->rootfd, files[i], i ? TT_FAM_TCP6 : TT_FAM_TCP4, &f, out,
					    &sc->all_inodes) < 0) {
				snprintf(err, errlen, "cannot read %s/%s: %s", c->root_path, files[i], strerror(errno));
				return -1;
			}
		}
		sc->all_inodes_valid = true;
	}

	/* a table with more malformed lines than good ones was not read: say
	 * so rather than count what little parsed */
	if (st->unreadable) {
		st->attribution_partial = true;
		snprintf(st->partial_reason, sizeof(st->partial_reason),
			 "socket table unreadable: %.60s/net/tcp and net/tcp6 are missing; counts are not trustworthy",
			 c->root_path);
	} else if (st->bad_lines > st->table_lines) {
		st->unreadable = true;
		st->attribution_partial = true;
		snprintf(st->partial_reason, sizeof(st->partial_reason),
			 "socket table unreadable: %u malformed %s, %u good; counts are not trustworthy", st->bad_lines,
			 c->nl ? "netlink messages" : "lines in net/tcp", st->table_lines);
	}
	read_unix(c, out);
	tt_u64set_clear(&sc->ns_inodes);
	if (!c->opts.no_netns && tt_netns_discover(&c->ns, c->rootfd, c->real_proc) == 0)
		read_namespaces(c, out, &f);
	tt_unix_mem_commit(&c->umem);

	if (c->real_proc)
		st->hidepid = proc_hidepid(c->rootfd);
	endpoints_remember(sc, out, out->time, carry);
	if (!c->opts.skip_processes) {
		tt_u64set_clear(&sc->wanted);
		tt_u64set_clear(&sc->unknown_ix);
		for (size_t i = 0; i < out->nsocks; i++) {
			const tt_sock *k = &out->socks[i];
			if (!k->inode)
				continue;
			bool weak = k->family == TT_FAM_UNIX && (k->flags & TT_SF_ENDPOINT_UNKNOWN);
			tt_u64set_put(&sc->wanted, k->inode, (k->netns ? k->netns : TT_OWN_NS) | (weak ? TT_WANT_WEAK : 0));
			if (weak && !k->netns)
				tt_u64set_put(&sc->unknown_ix, k->inode, i);
		}
		/* unhashed TCP sockets exist only when sockstat's alloc exceeds inuse
		 * (unknown sockstat: look anyway) */
		sc->check_held = !(st->sk_alloc >= 0 && st->sk_inuse >= 0 && st->sk_alloc <= st->sk_inuse) ||
				 sc->all_inodes_valid;
		if (tt_owners_scan(sc, out) < 0) {
			snprintf(err, errlen, "cannot list %s: %s", c->root_path, strerror(errno));
			return -1;
		}
		endpoints_sweep(sc, out, out->time);
		drop_unowned_unknown(out);
		if (st->fd_denied || (st->hidepid && !st->is_root))
			attribute_by_socket_uid(c, out);
		if (c->bpf)
			tt_bpf_owners_apply(c->bpf, c->rootfd, c->sc.users, out);
		for (size_t i = 0; i < out->nprocs; i++) {
			tt_proc *p = &out->procs[i];
			p->netns = tt_netns_of_pid(&c->ns, p->pid);
			const char *name = p->netns ? tt_netns_name(&c->ns, p->netns) : "";
			p->netns_name = name[0] ? tt_snapshot_str(out, name, strlen(name), 64) : 0;
		}
		if (c->opts.ancestor_depth > 0)
			read_ancestors(c, out, c->opts.ancestor_depth);
		if (st->fd_denied && !st->unreadable) {
			st->attribution_partial = true;
			snprintf(st->partial_reason, sizeof(st->partial_reason),
				 "%s: descriptors of %u of %u processes unreadable; their sockets go by the socket's uid, processes unknown",
				 st->is_root ? "permission denied" : "not root", st->fd_denied, st->procs);
		}
	}
	if (st->held_unknown) {
		size_t at = strlen(st->partial_reason);
		snprintf(st->partial_reason + at, sizeof(st->partial_reason) - at,
			 "%s%u dead connection%s of unknown endpoint (%s), not counted", at ? "; " : "",
			 st->held_unknown, st->held_unknown == 1 ? "" : "s", st->peek_errno ? strerror(st->peek_errno) : "not asked");
		st->attribution_partial = true;
	}
	if (st->hidepid && !st->is_root && !st->attribution_partial) {
		st->attribution_partial = true;
		snprintf(st->partial_reason, sizeof(st->partial_reason),
			 "/proc is mounted with hidepid: other users' processes are invisible");
	}
	tt_snapshot_index_owners(out);
	st->collect_ms = (tt_mono_s() - t0) * 1e3;
	return 0;
}

void tt_collector_free(tt_collector *c)
{
	if (!c)
		return;
	tt_scan_ctx *sc = &c->sc;
	tt_owners_free(sc);
	tt_u64set_free(&sc->wanted);
	tt_u64set_free(&sc->all_inodes);
	tt_u64set_free(&sc->ns_inodes);
	tt_u64set_free(&sc->held);
	tt_u64set_free(&sc->unknown_ix);
	tt_unix_table_free(&c->utab);
	tt_unix_mem_free(&c->umem);
	tt_netns_free(&c->ns);
	tt_discover_free(c->disc);
	tt_bpf_owners_close(c->bpf);
	tt_u64set_free(&sc->proto_cache);
	tt_u64set_free(&sc->eps_index);
	free(sc->eps);
	tt_users_free(sc->users);
	tt_snapshot_free(&c->scratch);
	if (c->nl)
		tt_nl_inet_close(c->nl);
	close(c->rootfd);
	free(c);
}
