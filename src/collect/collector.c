/* src/collect owns the read side: socket sources (source.c), endpoint memory, the owner scan, into a snapshot. */
/* The collector: one refresh = sockstat, the socket tables through the
 * source, the descriptor scan, into a snapshot. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collect/delta.h"
#include "collect/discover.h"
#include "collect/endpoints.h"
#include "collect/fdlist.h"
#include "collect/netns.h"
#include "collect/netstat.h"
#include "collect/owners.h"
#include "collect/pids.h"
#include "collect/procinfo.h"
#include "collect/procnet.h"
#include "collect/source.h"
#include "collect/unix.h"
#include "tenantop/clock.h"
#include "tenantop/collect.h"

struct tt_collector {
	tt_collect_opts opts;
	char root_path[4096];
	int rootfd;
	bool real_proc;
	tt_source_env env;
	tt_source text;        /* /proc text: always open, the fallback */
	tt_source live;        /* the planned source when it opened (ops NULL: none) */
	tt_source *src;        /* the TCP tables' source: &live or &text */
	tt_source *usrc;       /* the Unix table's source (text once UNIX_DIAG failed) */
	char note[256];        /* why the planned source is not used */
	char name[16];         /* the composed source's name ("netlink+bpf") */
	const tt_augment_ops *aug; /* NULL: no augmenter */
	void *aug_st;
	char aug_note[112];    /* why not */
	tt_endpoints eps;      /* where each TCP socket was last seen */
	tt_owners owners;      /* the descriptor cache and held sockets */
	tt_scan_ctx sc;
	tt_pids pids;          /* this refresh's processes (one walk) */
	tt_fdlist fdl;         /* every task's socket descriptors, when the augmenter lists them */
	tt_snapshot scratch;   /* the listening sockets, for discovery */
	tt_unix_watch uwatch_conf; /* configured Unix socket paths */
	tt_unix_watch uwatch;  /* this refresh's: configured + discovered */
	tt_portset ports;      /* this refresh's TCP ports: configured + discovered */
	tt_discover *disc;     /* NULL: no discovery */
	tt_pids disc_pids;     /* its processes, read before the tables (they decide the ports) */
	bool utab_read;        /* utab holds this refresh's Unix table already */
	tt_unix_table utab;
	tt_unix_mem umem;
	tt_netns ns;
	double info_mono;      /* when tcp_info was last asked (monotonic), 0 never */
	tt_delta delta;        /* the TCP table kept by the augmenter's state changes */
};

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
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

/* The augmenter applies over this source. */
static bool augmented(const tt_collector *c)
{
	return c->aug && c->aug_st && tt_source_has(c->src, c->aug->needs);
}

/* The composed source's name: the source's, "+augmenter" when one applies. */
static void name_source(tt_collector *c)
{
	snprintf(c->name, sizeof(c->name), "%s%s%s", c->src->ops->name, augmented(c) ? "+" : "",
		 augmented(c) ? c->aug->name : "");
}

/* The text source always (the fallback); the plan's source when it opens
 * here; the plan's augmenter over it.  0, or -1 with a message. */
static int open_sources(struct tt_collector *c, char *err, size_t errlen)
{
	tt_source_plan plan;
	if (tt_source_plan_of(c->opts.source, &plan) < 0) {
		snprintf(err, errlen, "unknown socket source %d", c->opts.source);
		return -1;
	}
	c->env = (tt_source_env){c->rootfd, c->root_path, c->real_proc};
	if (tt_source_open(&c->text, tt_source_find("proc"), &c->env, err, errlen) < 0)
		return -1;
	c->src = &c->text;
	const tt_source_ops *ops = tt_source_find(plan.source);
	if (ops && ops != c->text.ops) {
		char why[200] = "";
		if (tt_source_open(&c->live, ops, &c->env, why, sizeof(why)) == 0)
			c->src = &c->live;
		else
			snprintf(c->note, sizeof(c->note), "%s%s", why, c->real_proc ? ": reading /proc text" : "");
	}
	c->usrc = c->src;
	const tt_augment_ops *aug = tt_augment_find(plan.augment);
	if (aug && tt_source_has(c->src, aug->needs)) {
		c->aug = aug;
		c->aug_st = aug->open(c->aug_note, sizeof(c->aug_note));
		if (c->aug_st && aug->watch)
			aug->watch(c->aug_st, &c->opts.ports);
		if (!c->aug_st && plan.need_augment) {
			snprintf(err, errlen, "--source %s: %s", plan.option, c->aug_note);
			return -1;
		}
	}
	if (plan.need_source && c->src->ops != ops) {
		snprintf(err, errlen, "--source %s: %s", plan.option, c->note);
		return -1;
	}
	name_source(c);
	return 0;
}

/* The proc root: opened, checked, and whether it is the kernel's. */
static int open_root(struct tt_collector *c, char *err, size_t errlen)
{
	const char *root = c->opts.proc_root ? c->opts.proc_root : "/proc";
	snprintf(c->root_path, sizeof(c->root_path), "%s", root);
	c->rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->rootfd < 0) {
		snprintf(err, errlen, "cannot open the proc root %s: %s", root, strerror(errno));
		return -1;
	}
	c->real_proc = same_file(root, "/proc") && faccessat(c->rootfd, "self", F_OK, 0) == 0;
	return proc_root_check(c->rootfd, root, err, errlen);
}

/* The user names: fixture trees carry their own passwd. */
static tt_users *open_users(const struct tt_collector *c)
{
	int pw = c->real_proc ? -1 : openat(c->rootfd, "passwd", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (pw < 0)
		return tt_users_new();
	close(pw);
	char path[4200];
	snprintf(path, sizeof(path), "%s/passwd", c->root_path);
	return tt_users_new_from_file(path);
}

tt_collector *tt_collector_new(const tt_collect_opts *opts, char *err, size_t errlen)
{
	struct tt_collector *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->opts = *opts;
	c->rootfd = -1;
	tt_unix_mem_init(&c->umem);
	tt_netns_init(&c->ns);
	tt_endpoints_init(&c->eps);
	tt_delta_init(&c->delta);
	tt_owners_init(&c->owners);
	tt_scan_ctx_init(&c->sc);
	tt_snapshot_init(&c->scratch);
	tt_fdlist_init(&c->fdl);
	if (tt_unix_watch_parse(&c->uwatch_conf, opts->unix_paths, err, errlen) < 0 || open_root(c, err, errlen) < 0 ||
	    open_sources(c, err, errlen) < 0) {
		tt_collector_free(c);
		return NULL;
	}
	c->uwatch = c->uwatch_conf;
	c->ports = c->opts.ports;
	tt_scan_ctx *sc = &c->sc;
	if ((opts->discover && !opts->ports.all && (!opts->ports_exact || !opts->unix_exact) &&
	     !(c->disc = tt_discover_new(opts->servers))) ||
	    !(sc->users = open_users(c))) {
		snprintf(err, errlen, "out of memory");
		tt_collector_free(c);
		return NULL;
	}
	sc->rootfd = c->rootfd;
	sc->root_path = c->root_path;
	sc->real_proc = c->real_proc;
	sc->ports = &c->ports;
	sc->try_pidfd = c->real_proc;
	sc->pids = &c->pids;
	sc->eps = &c->eps;
	sc->uwatch = &c->uwatch;
	sc->umem = &c->umem;
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
	return c->name;
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

/* Unix stream sockets of the own namespace: the source's (netlink: peers
 * known), else /proc/net/unix (server ends only) for good. */
static void read_unix_table(tt_collector *c, tt_snapshot *out)
{
	c->utab.n = 0;
	c->utab_read = true;
	uint32_t bad = 0;
	char err[160];
	if (c->usrc->ops->read_unix(c->usrc->st, &c->utab, &bad, err, sizeof(err)) < 0) {
		if (c->usrc == &c->text)
			return;
		c->usrc = &c->text; /* UNIX_DIAG missing (module not loaded): text from now on */
		c->utab.n = 0;
		if (c->usrc->ops->read_unix(c->usrc->st, &c->utab, &bad, err, sizeof(err)) < 0)
			return;
	}
	if (!tt_source_has(c->usrc, TT_CAP_UNIX_PEERS))
		out->stats.unix_no_peers = c->utab.n > 0;
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
	c->src->ops->read_tcp(c->src->st, &lf, false, &c->scratch, NULL, err, sizeof(err));
	read_unix_table(c, out);
	if (tt_pids_read(&c->disc_pids, c->rootfd) == 0)
		tt_discover_run(c->disc, c->rootfd, &c->disc_pids, &c->scratch, &c->utab);
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

/* Phase: the refresh's header facts (times, source, sockstat). */
static void begin(tt_collector *c, tt_snapshot *out, double t0)
{
	tt_snapshot_clear(out);
	out->time = clock_s(CLOCK_REALTIME);
	out->mono = t0;
	tt_scan_stats *st = &out->stats;
	snprintf(st->source, sizeof(st->source), "%s", tt_collector_source(c));
	snprintf(st->source_note, sizeof(st->source_note), "%s",
		 c->aug_st ? "" : c->aug_note[0] ? c->aug_note : "eBPF events not asked for: no connection lifecycle");
	if (augmented(c) && c->aug->begin)
		c->aug->begin(c->aug_st);
	st->is_root = geteuid() == 0;
	char buf[4096];
	ssize_t n = tt_read_file_at(c->rootfd, "net/sockstat", buf, sizeof(buf));
	if (n > 0)
		tt_parse_sockstat(buf, (size_t)n, &st->sk_inuse, &st->sk_orphan, &st->sk_tw, &st->sk_alloc);
}

/* tcp_info now (due, or now: with a full read that events could have
 * stood in for), or carry the last samples forward (*carry), when the
 * source gives it. */
static bool want_info(tt_collector *c, double t0, bool now, bool *carry)
{
	*carry = false;
	if (!tt_source_has(c->src, TT_CAP_TCP_INFO) || !c->opts.want_info)
		return false;
	bool info = now || c->info_mono == 0 || c->opts.info_every_s <= 0 ||
		    t0 - c->info_mono + 0.1 >= c->opts.info_every_s;
	*carry = !info;
	if (info)
		c->info_mono = t0;
	return info;
}

/* A table with more malformed units than good ones was not read: say so
 * rather than count what little parsed. */
static void judge_tables(const tt_collector *c, tt_scan_stats *st)
{
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
			 c->src->ops->bad_what, st->table_lines);
	}
}

/* Phase: the TCP tables through the source.  1 when the source broke and
 * the refresh must start again over the text source; 0; -1 with a message. */
static int read_tables(tt_collector *c, tt_snapshot *out, const tt_sock_filter *f, bool info, char *err,
		       size_t errlen)
{
	tt_scan_ctx *sc = &c->sc;
	tt_u64set_clear(&sc->all_inodes);
	sc->all_inodes_valid = false;
	if (c->src->ops->read_tcp(c->src->st, f, info, out, &sc->all_inodes, err, errlen) < 0) {
		if (c->src == &c->text)
			return -1;
		/* the source broke: fall back to text for good, and say so */
		snprintf(c->note, sizeof(c->note), "%s failed (%s): reading /proc text", c->src->ops->name, err);
		if (c->usrc == c->src)
			c->usrc = &c->text;
		tt_source_close(c->src);
		c->src = &c->text;
		name_source(c);
		return 1;
	}
	sc->all_inodes_valid = tt_source_has(c->src, TT_CAP_ALL_INODES);
	judge_tables(c, &out->stats);
	return 0;
}

/* The kernel's count of TIME_WAIT sockets it could not keep (its table
 * was full), -1 unknown. */
static int64_t tw_overflow(const tt_collector *c)
{
	char buf[8192];
	ssize_t n = tt_read_file_at(c->rootfd, "net/netstat", buf, sizeof(buf));
	return n > 0 ? tt_parse_netstat(buf, (size_t)n, "TCPTimeWaitOverflow") : -1;
}

/* The augmenter tells every state change of the watched sockets. */
static bool has_changes(const tt_collector *c)
{
	return augmented(c) && c->aug->changes && c->src != &c->text;
}

/* Phase: the TCP tables from the kernel's state changes since the last
 * refresh, applied to the table kept since the last full read, instead of
 * reading every socket; a full read (and tcp_info) at least every
 * --tcp-info-every seconds, and at once when the kept table cannot be
 * trusted.  true when the changes stood in; else *why says why not. */
static bool tables_from_events(tt_collector *c, tt_snapshot *out, const tt_sock_filter *f, bool info,
			       uint64_t *lost, int64_t *twov)
{
	tt_scan_stats *st = &out->stats;
	size_t n = 0;
	const tt_sock_change *chg = c->aug->changes(c->aug_st, &n, lost);
	*twov = tw_overflow(c);
	const char *why = !c->delta.valid ? "first read"
			  : info ? "reconciliation" : tt_delta_distrust(&c->delta, &c->ports, *lost, *twov);
	double boot_now = clock_s(CLOCK_BOOTTIME);
	if (!why && tt_delta_apply(&c->delta, chg, n, boot_now) < 0)
		why = "out of memory";
	if (why) {
		snprintf(st->full_why, sizeof(st->full_why), "%s", why);
		return false;
	}
	size_t before = out->nsocks;
	if (tt_delta_emit(&c->delta, f, boot_now, out) < 0) {
		out->nsocks = before;
		c->delta.valid = false;
		snprintf(st->full_why, sizeof(st->full_why), "out of memory");
		return false;
	}
	st->from_events = true;
	st->changes = c->delta.applied;
	st->table_lines = (uint32_t)(out->nsocks - before);
	return true;
}

/* The kernel's tick clock now (hz 0: unknown). */
static void tick_clock(tt_collector *c, tt_tick_clock *k)
{
	if (!c->aug->clock || c->aug->clock(c->aug_st, k) < 0)
		k->hz = 0;
}

/* After a full read (k0: the tick clock before it): the table the changes
 * are applied to from the next refresh on, its TIME_WAITs' timers placed
 * on the read's middle. */
static void rebase(tt_collector *c, tt_snapshot *out, const tt_tick_clock *k0, uint64_t lost, int64_t twov)
{
	tt_tick_clock k1 = {0};
	tick_clock(c, &k1);
	if (k0->hz && k1.hz) {
		k1.jiffies = k0->jiffies + (k1.jiffies - k0->jiffies) / 2;
		k1.boot_ns = k0->boot_ns + (k1.boot_ns - k0->boot_ns) / 2;
	} else {
		k1.hz = 0;
	}
	if (tt_delta_rebase(&c->delta, out, out->nsocks, &k1, &c->ports, lost, twov) < 0)
		snprintf(out->stats.full_why, sizeof(out->stats.full_why), "%s", k1.hz ? "out of memory" : "no tick clock");
}

/* What the owner scan is to explain: every listed socket, by inode. */
static void want_sockets(tt_scan_ctx *sc, const tt_snapshot *out)
{
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
}

/* Each process's network namespace, named when ip netns names it. */
static void name_namespaces(tt_collector *c, tt_snapshot *out)
{
	for (size_t i = 0; i < out->nprocs; i++) {
		tt_proc *p = &out->procs[i];
		p->netns = tt_netns_of_pid(&c->ns, p->pid);
		const char *name = p->netns ? tt_netns_name(&c->ns, p->netns) : "";
		p->netns_name = name[0] ? tt_snapshot_str(out, name, strlen(name), 64) : 0;
	}
}

/* Phase: who holds each socket (the descriptor scan), then what the
 * descriptors could not say (socket uids, kernel events, ancestors). */
static int attribute(tt_collector *c, tt_snapshot *out, int pids_errno, char *err, size_t errlen)
{
	tt_scan_ctx *sc = &c->sc;
	tt_scan_stats *st = &out->stats;
	want_sockets(sc, out);
	/* unhashed TCP sockets exist only when sockstat's alloc exceeds inuse
	 * (unknown sockstat: look anyway) */
	sc->check_held = !(st->sk_alloc >= 0 && st->sk_inuse >= 0 && st->sk_alloc <= st->sk_inuse) ||
			 sc->all_inodes_valid;
	sc->src = c->src;
	/* every descriptor from the augmenter's iterator when it has one, else
	 * /proc; between full reads, only the processes whose descriptors
	 * changed are read again (/proc), as the iterator walks them all */
	sc->fdl = augmented(c) && c->aug->list_fds && !st->from_events && c->aug->list_fds(c->aug_st, &c->fdl) == 0
			  ? &c->fdl : NULL;
	/* the check of unchanged processes: not between the iterator's full
	 * lists (the next one, at the next full read, has every descriptor) */
	sc->verify = !(st->from_events && augmented(c) && c->aug->list_fds);
	if (pids_errno || tt_owners_scan(&c->owners, sc, out) < 0) {
		snprintf(err, errlen, "cannot list %s: %s", c->root_path, strerror(pids_errno ? pids_errno : errno));
		return -1;
	}
	/* the iterator's list is read whole again at the next full read: not
	 * kept in between (some 6 MB at 100 000 sockets) */
	if (sc->fdl) {
		tt_fdlist_free(&c->fdl);
		tt_fdlist_init(&c->fdl);
	}
	tt_endpoints_sweep(&c->eps, out, out->time);
	drop_unowned_unknown(out);
	if (st->fd_denied || (st->hidepid && !st->is_root))
		attribute_by_socket_uid(c, out);
	if (augmented(c))
		c->aug->apply(c->aug_st, c->rootfd, sc->users, out);
	name_namespaces(c, out);
	if (c->opts.ancestor_depth > 0)
		read_ancestors(c, out, c->opts.ancestor_depth);
	if (st->fd_denied && !st->unreadable) {
		st->attribution_partial = true;
		snprintf(st->partial_reason, sizeof(st->partial_reason),
			 "%s: descriptors of %u of %u processes unreadable; their sockets go by the socket's uid, processes unknown",
			 st->is_root ? "permission denied" : "not root", st->fd_denied, st->procs);
	}
	return 0;
}

/* Phase: what the refresh could not see, said in its reason. */
static void finish(tt_snapshot *out)
{
	tt_scan_stats *st = &out->stats;
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
}

int tt_collect(tt_collector *c, tt_snapshot *out, char *err, size_t errlen)
{
	double t0 = tt_mono_s();
	begin(c, out, t0);
	c->utab_read = false;
	watch_list(c, out);
	/* the events' filter before the tables are read: a change during the
	 * read is applied over it at the next refresh, as the kernel made it */
	if (augmented(c) && c->aug->watch)
		c->aug->watch(c->aug_st, &c->ports);
	tt_sock_filter f = {&c->ports, 0};
	bool carry, info = want_info(c, t0, false, &carry);
	uint64_t lost = 0;
	int64_t twov = -1;
	bool changes = has_changes(c);
	if (!changes || !tables_from_events(c, out, &f, info, &lost, &twov)) {
		if (changes && !info) /* a full read: tcp_info with it (it costs little more) */
			info = want_info(c, t0, true, &carry);
		tt_tick_clock k0 = {0};
		if (changes)
			tick_clock(c, &k0);
		int rc = read_tables(c, out, &f, info, err, errlen);
		if (rc != 0)
			return rc > 0 ? tt_collect(c, out, err, errlen) : -1;
		if (changes)
			rebase(c, out, &k0, lost, twov);
	}
	read_unix(c, out);
	/* the one walk over the processes, for the namespaces and the owners */
	int pids_errno = 0;
	if ((!c->opts.no_netns || !c->opts.skip_processes) && tt_pids_read(&c->pids, c->rootfd) < 0)
		pids_errno = errno ? errno : EIO;
	tt_u64set_clear(&c->sc.ns_inodes);
	if (!c->opts.no_netns && !pids_errno && tt_netns_discover(&c->ns, c->rootfd, c->real_proc, &c->pids) == 0)
		read_namespaces(c, out, &f);
	tt_unix_mem_commit(&c->umem);
	if (c->real_proc)
		out->stats.hidepid = proc_hidepid(c->rootfd);
	tt_endpoints_remember(&c->eps, out, out->time, carry);
	if (!c->opts.skip_processes && attribute(c, out, pids_errno, err, errlen) < 0)
		return -1;
	finish(out);
	out->stats.collect_ms = (tt_mono_s() - t0) * 1e3;
	return 0;
}

void tt_collector_free(tt_collector *c)
{
	if (!c)
		return;
	tt_owners_free(&c->owners);
	tt_scan_ctx_free(&c->sc);
	tt_endpoints_free(&c->eps);
	tt_pids_free(&c->pids);
	tt_pids_free(&c->disc_pids);
	tt_fdlist_free(&c->fdl);
	tt_unix_table_free(&c->utab);
	tt_unix_mem_free(&c->umem);
	tt_netns_free(&c->ns);
	tt_delta_free(&c->delta);
	tt_discover_free(c->disc);
	if (c->aug && c->aug_st)
		c->aug->close(c->aug_st);
	tt_users_free(c->sc.users);
	tt_snapshot_free(&c->scratch);
	tt_source_close(&c->live);
	tt_source_close(&c->text);
	if (c->rootfd >= 0)
		close(c->rootfd);
	free(c);
}
