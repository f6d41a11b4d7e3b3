/* libpq's functions, found when the first PostgreSQL or pgbouncer probe connects (api_pq.h). */
#include "probe/api_pq.h"
#include "tenantop/dynlib.h"

#ifndef TT_SONAME_PQ
#define TT_SONAME_PQ "libpq.so.5"
#endif

struct tt_pq_api tt_pq_fn;

static const struct tt_dynsym syms[] = {
	{"PQconnectStartParams", &tt_pq_fn.connectStartParams},
	{"PQconnectPoll", &tt_pq_fn.connectPoll},
	{"PQstatus", &tt_pq_fn.status},
	{"PQsocket", &tt_pq_fn.socket},
	{"PQsetnonblocking", &tt_pq_fn.setnonblocking},
	{"PQerrorMessage", &tt_pq_fn.errorMessage},
	{"PQfinish", &tt_pq_fn.finish},
	{"PQsendQuery", &tt_pq_fn.sendQuery},
	{"PQflush", &tt_pq_fn.flush},
	{"PQconsumeInput", &tt_pq_fn.consumeInput},
	{"PQisBusy", &tt_pq_fn.isBusy},
	{"PQgetResult", &tt_pq_fn.getResult},
	{"PQresultStatus", &tt_pq_fn.resultStatus},
	{"PQresultErrorMessage", &tt_pq_fn.resultErrorMessage},
	{"PQclear", &tt_pq_fn.clear},
	{"PQntuples", &tt_pq_fn.ntuples},
	{"PQnfields", &tt_pq_fn.nfields},
	{"PQfnumber", &tt_pq_fn.fnumber},
	{"PQgetvalue", &tt_pq_fn.getvalue},
	{"PQgetisnull", &tt_pq_fn.getisnull},
};

TT_DYNLIB_LOADER(tt_pq_load, TT_SONAME_PQ, "libpq5", syms)
