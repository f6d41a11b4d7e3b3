/* libmicrohttpd's functions, found when --listen starts the server (api_mhd.h). */
#include "publish/api_mhd.h"
#include "tenantop/dynlib.h"

#ifndef TT_SONAME_MHD
#define TT_SONAME_MHD "libmicrohttpd.so.12"
#endif

struct tt_mhd_api tt_mhd_fn;

static const struct tt_dynsym syms[] = {
	{"MHD_start_daemon", &tt_mhd_fn.start_daemon},
	{"MHD_stop_daemon", &tt_mhd_fn.stop_daemon},
	{"MHD_is_feature_supported", &tt_mhd_fn.is_feature_supported},
	{"MHD_create_response_from_buffer", &tt_mhd_fn.create_response_from_buffer},
	{"MHD_add_response_header", &tt_mhd_fn.add_response_header},
	{"MHD_queue_response", &tt_mhd_fn.queue_response},
	{"MHD_destroy_response", &tt_mhd_fn.destroy_response},
	{"MHD_basic_auth_get_username_password", &tt_mhd_fn.basic_auth_get_username_password},
	{"MHD_queue_basic_auth_fail_response", &tt_mhd_fn.queue_basic_auth_fail_response},
};

TT_DYNLIB_LOADER(tt_mhd_load, TT_SONAME_MHD, "libmicrohttpd12", syms)
