/* hiredis's functions, found when the first Redis probe connects (api_hiredis.h). */
#include "probe/api_hiredis.h"
#include "tenantop/dynlib.h"

#ifndef TT_SONAME_HIREDIS
#define TT_SONAME_HIREDIS "libhiredis.so.0.14"
#endif

struct tt_hiredis_api tt_hiredis_fn;

static const struct tt_dynsym syms[] = {
	{"redisConnectWithTimeout", &tt_hiredis_fn.connectWithTimeout},
	{"redisConnectUnixWithTimeout", &tt_hiredis_fn.connectUnixWithTimeout},
	{"redisSetTimeout", &tt_hiredis_fn.setTimeout},
	{"redisCommand", &tt_hiredis_fn.command},
	{"redisFree", &tt_hiredis_fn.free},
	{"freeReplyObject", &tt_hiredis_fn.freeReply},
};

TT_DYNLIB_LOADER(tt_hiredis_load, TT_SONAME_HIREDIS, "libhiredis0.14", syms)
