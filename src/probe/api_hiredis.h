/* hiredis, loaded when the first Redis probe connects (tenantop/dynlib.h):
 * the calls below go through tt_hiredis_fn.  Included by the Redis probe
 * only, after <hiredis.h>. */
#ifndef TT_PROBE_API_HIREDIS_H
#define TT_PROBE_API_HIREDIS_H

#include <hiredis.h>
#include <stddef.h>

struct tt_hiredis_api {
	__typeof__(redisConnectWithTimeout) *connectWithTimeout;
	__typeof__(redisConnectUnixWithTimeout) *connectUnixWithTimeout;
	__typeof__(redisSetTimeout) *setTimeout;
	__typeof__(redisCommand) *command;
	__typeof__(redisFree) *free;
	__typeof__(freeReplyObject) *freeReply;
};
extern struct tt_hiredis_api tt_hiredis_fn;

/* 0 once loaded, or -1 with why in err. */
int tt_hiredis_load(char *err, size_t len);

#define redisConnectWithTimeout (*tt_hiredis_fn.connectWithTimeout)
#define redisConnectUnixWithTimeout (*tt_hiredis_fn.connectUnixWithTimeout)
#define redisSetTimeout (*tt_hiredis_fn.setTimeout)
#define redisCommand (*tt_hiredis_fn.command)
#define redisFree (*tt_hiredis_fn.free)
#define freeReplyObject (*tt_hiredis_fn.freeReply)

#endif
