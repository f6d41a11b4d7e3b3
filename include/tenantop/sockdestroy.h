/* Closing a TCP socket from outside its process (src/collect/nl_destroy.c). */
#ifndef TENANTOP_SOCKDESTROY_H
#define TENANTOP_SOCKDESTROY_H

#include <stddef.h>

#include "tenantop/snapshot.h"

/* Close a TCP socket with netlink SOCK_DESTROY.  0, or -1 with what the
 * kernel (or the socket's kind) refused. */
int tt_sock_destroy(const tt_sock *k, char *err, size_t errlen);

#endif
