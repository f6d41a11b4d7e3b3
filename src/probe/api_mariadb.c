/* libmariadb's functions, found when the first MariaDB probe runs (api_mariadb.h). */
#include "probe/api_mariadb.h"
#include "tenantop/dynlib.h"

#ifndef TT_SONAME_MARIADB
#define TT_SONAME_MARIADB "libmariadb.so.3"
#endif

struct tt_mariadb_api tt_mariadb_fn;

static const struct tt_dynsym syms[] = {
	{"mysql_init", &tt_mariadb_fn.init},
	{"mysql_optionsv", &tt_mariadb_fn.optionsv},
	{"mysql_real_connect", &tt_mariadb_fn.real_connect},
	{"mysql_error", &tt_mariadb_fn.error},
	{"mysql_errno", &tt_mariadb_fn.errno_},
	{"mysql_close", &tt_mariadb_fn.close},
	{"mysql_query", &tt_mariadb_fn.query},
	{"mysql_store_result", &tt_mariadb_fn.store_result},
	{"mysql_fetch_row", &tt_mariadb_fn.fetch_row},
	{"mysql_fetch_lengths", &tt_mariadb_fn.fetch_lengths},
	{"mysql_num_rows", &tt_mariadb_fn.num_rows},
	{"mysql_free_result", &tt_mariadb_fn.free_result},
	{"mysql_server_init", &tt_mariadb_fn.server_init},
};

TT_DYNLIB_LOADER(tt_mariadb_load, TT_SONAME_MARIADB, "libmariadb3", syms)
