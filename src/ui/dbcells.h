/* What the two database panes share (internal to src/ui): a server's
 * label, a fill bar, the tenants whose sockets hold a server's sessions,
 * one database user's sessions summed up. */
#ifndef TT_UI_DBCELLS_H
#define TT_UI_DBCELLS_H

#include <stddef.h>
#include <stdint.h>

#include "tenantop/pane.h"

/* "mariadb 127.0.0.1:3316" (its configured name when it has one) */
void tt_db_server_label(const tt_db_server *s, char *buf, size_t len);
/* [#####.....] of share f (0..1, more is full) in `width` cells */
void tt_db_bar(double f, int width, bool ascii, char *buf, size_t len);
/* "alice 4, bob 2": the tenants of the client sockets paired with the
 * sessions of server `server` (of database user `user`, NULL any), most
 * first, at most max of them; returns how many tenants were found. */
size_t tt_db_top_tenants(const tt_rowctx *rc, uint32_t server, const char *user, size_t max, char *buf, size_t len);

typedef struct tt_db_usage {
	uint32_t sessions, in_txn;
	double longest_s;    /* the longest in its command or state, -1 unknown */
	char databases[96];  /* "shopdb, ttdb" (the first few) */
} tt_db_usage;
void tt_db_user_usage(const tt_db_results *r, uint32_t server, const char *user, tt_db_usage *u);
/* The database user's own limit (per account, else the server's per-user
 * one), -1 none. */
long tt_db_user_limit(const tt_db_results *r, uint32_t server, const char *user);

#endif
