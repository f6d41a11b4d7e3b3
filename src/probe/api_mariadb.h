/* libmariadb, loaded when the first MariaDB probe runs (tenantop/dynlib.h):
 * the calls below go through tt_mariadb_fn.  Included by the MariaDB probe
 * only, after <mysql.h>. */
#ifndef TT_PROBE_API_MARIADB_H
#define TT_PROBE_API_MARIADB_H

#include <mysql.h>
#include <stddef.h>

struct tt_mariadb_api {
	__typeof__(mysql_init) *init;
	__typeof__(mysql_optionsv) *optionsv;
	__typeof__(mysql_real_connect) *real_connect;
	__typeof__(mysql_error) *error;
	__typeof__(mysql_errno) *errno_;
	__typeof__(mysql_close) *close;
	__typeof__(mysql_query) *query;
	__typeof__(mysql_store_result) *store_result;
	__typeof__(mysql_fetch_row) *fetch_row;
	__typeof__(mysql_fetch_lengths) *fetch_lengths;
	__typeof__(mysql_num_rows) *num_rows;
	__typeof__(mysql_free_result) *free_result;
	__typeof__(mysql_server_init) *server_init;
};
extern struct tt_mariadb_api tt_mariadb_fn;

/* 0 once loaded, or -1 with why in err. */
int tt_mariadb_load(char *err, size_t len);

#undef mysql_library_init
#define mysql_init (*tt_mariadb_fn.init)
#define mysql_optionsv (*tt_mariadb_fn.optionsv)
#define mysql_real_connect (*tt_mariadb_fn.real_connect)
#define mysql_error (*tt_mariadb_fn.error)
#define mysql_errno (*tt_mariadb_fn.errno_)
#define mysql_close (*tt_mariadb_fn.close)
#define mysql_query (*tt_mariadb_fn.query)
#define mysql_store_result (*tt_mariadb_fn.store_result)
#define mysql_fetch_row (*tt_mariadb_fn.fetch_row)
#define mysql_fetch_lengths (*tt_mariadb_fn.fetch_lengths)
#define mysql_num_rows (*tt_mariadb_fn.num_rows)
#define mysql_free_result (*tt_mariadb_fn.free_result)
#define mysql_library_init (*tt_mariadb_fn.server_init)

#endif
