/* Which Unix socket files are watched: globs from the configuration and the
 * exact socket files of discovered servers (src/collect/unix.c). */
#ifndef TENANTOP_UNIXWATCH_H
#define TENANTOP_UNIXWATCH_H

#include <stdbool.h>
#include <stddef.h>

/* Socket files of MySQL/MariaDB, PostgreSQL (and pgbouncer), Redis,
 * memcached and ProxySQL wherever they live. */
#define TT_UNIX_PATHS_DEFAULT                                                                    \
	"*/mysqld.sock, */mysql.sock, */mariadb.sock, */.s.PGSQL.*, */redis.sock, "              \
	"*/redis-server.sock, */redis_*.sock, */redis-*.sock, */memcached.sock, */proxysql.sock"

#define TT_UNIX_WATCH_MAX 32
#define TT_UNIX_EXACT_MAX 64
typedef struct tt_unix_watch {
	char pat[TT_UNIX_WATCH_MAX][108];
	size_t n;
	char exact[TT_UNIX_EXACT_MAX][108]; /* socket files of discovered servers */
	size_t nexact;
} tt_unix_watch;
/* Parse a comma-separated glob list (NULL: the default); "none" = empty.
 * 0, or -1 with a message. */
int tt_unix_watch_parse(tt_unix_watch *w, const char *list, char *err, size_t errlen);
bool tt_unix_watch_match(const tt_unix_watch *w, const char *path);
/* Watch this socket file too.  0, or -1 when there is no room. */
int tt_unix_watch_add_exact(tt_unix_watch *w, const char *path);

#endif
