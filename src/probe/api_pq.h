/* libpq, loaded when the first PostgreSQL or pgbouncer probe connects
 * (tenantop/dynlib.h): the calls below go through tt_pq_fn.  Included by
 * those probes only, after tenantop/probe_pg.h. */
#ifndef TT_PROBE_API_PQ_H
#define TT_PROBE_API_PQ_H

#include <libpq-fe.h>
#include <stddef.h>

struct tt_pq_api {
	__typeof__(PQconnectStartParams) *connectStartParams;
	__typeof__(PQconnectPoll) *connectPoll;
	__typeof__(PQstatus) *status;
	__typeof__(PQsocket) *socket;
	__typeof__(PQsetnonblocking) *setnonblocking;
	__typeof__(PQerrorMessage) *errorMessage;
	__typeof__(PQfinish) *finish;
	__typeof__(PQsendQuery) *sendQuery;
	__typeof__(PQflush) *flush;
	__typeof__(PQconsumeInput) *consumeInput;
	__typeof__(PQisBusy) *isBusy;
	__typeof__(PQgetResult) *getResult;
	__typeof__(PQresultStatus) *resultStatus;
	__typeof__(PQresultErrorMessage) *resultErrorMessage;
	__typeof__(PQclear) *clear;
	__typeof__(PQntuples) *ntuples;
	__typeof__(PQnfields) *nfields;
	__typeof__(PQfnumber) *fnumber;
	__typeof__(PQgetvalue) *getvalue;
	__typeof__(PQgetisnull) *getisnull;
};
extern struct tt_pq_api tt_pq_fn;

/* 0 once loaded, or -1 with why in err. */
int tt_pq_load(char *err, size_t len);

#define PQconnectStartParams (*tt_pq_fn.connectStartParams)
#define PQconnectPoll (*tt_pq_fn.connectPoll)
#define PQstatus (*tt_pq_fn.status)
#define PQsocket (*tt_pq_fn.socket)
#define PQsetnonblocking (*tt_pq_fn.setnonblocking)
#define PQerrorMessage (*tt_pq_fn.errorMessage)
#define PQfinish (*tt_pq_fn.finish)
#define PQsendQuery (*tt_pq_fn.sendQuery)
#define PQflush (*tt_pq_fn.flush)
#define PQconsumeInput (*tt_pq_fn.consumeInput)
#define PQisBusy (*tt_pq_fn.isBusy)
#define PQgetResult (*tt_pq_fn.getResult)
#define PQresultStatus (*tt_pq_fn.resultStatus)
#define PQresultErrorMessage (*tt_pq_fn.resultErrorMessage)
#define PQclear (*tt_pq_fn.clear)
#define PQntuples (*tt_pq_fn.ntuples)
#define PQnfields (*tt_pq_fn.nfields)
#define PQfnumber (*tt_pq_fn.fnumber)
#define PQgetvalue (*tt_pq_fn.getvalue)
#define PQgetisnull (*tt_pq_fn.getisnull)

#endif
