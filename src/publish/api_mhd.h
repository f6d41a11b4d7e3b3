/* libmicrohttpd, loaded when --listen starts the /metrics server
 * (tenantop/dynlib.h): the calls below go through tt_mhd_fn.  Included by
 * the exporter only, after <microhttpd.h>. */
#ifndef TT_PUBLISH_API_MHD_H
#define TT_PUBLISH_API_MHD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <microhttpd.h>

struct tt_mhd_api {
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_is_feature_supported) *is_feature_supported;
	__typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
	__typeof__(MHD_basic_auth_get_username_password) *basic_auth_get_username_password;
	__typeof__(MHD_queue_basic_auth_fail_response) *queue_basic_auth_fail_response;
};
extern struct tt_mhd_api tt_mhd_fn;

/* 0 once loaded, or -1 with why in err. */
int tt_mhd_load(char *err, size_t len);

#define MHD_start_daemon (*tt_mhd_fn.start_daemon)
#define MHD_stop_daemon (*tt_mhd_fn.stop_daemon)
#define MHD_is_feature_supported (*tt_mhd_fn.is_feature_supported)
#define MHD_create_response_from_buffer (*tt_mhd_fn.create_response_from_buffer)
#define MHD_add_response_header (*tt_mhd_fn.add_response_header)
#define MHD_queue_response (*tt_mhd_fn.queue_response)
#define MHD_destroy_response (*tt_mhd_fn.destroy_response)
#define MHD_basic_auth_get_username_password (*tt_mhd_fn.basic_auth_get_username_password)
#define MHD_queue_basic_auth_fail_response (*tt_mhd_fn.queue_basic_auth_fail_response)

#endif
