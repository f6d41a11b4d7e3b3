/* What a socket says of itself, through a duplicate of its descriptor (src/collect/peek.c). */
#ifndef TT_COLLECT_PEEK_H
#define TT_COLLECT_PEEK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tt_peek {
	int state;          /* TCP state, -1 unknown */
	bool local, peer;   /* which endpoints were learnt */
	uint8_t family;     /* TT_FAM_TCP4/6 */
	uint16_t lport, rport;
	uint8_t laddr[16], raddr[16];
	char path[108];     /* Unix: the peer's socket file, "" none */
} tt_peek;
enum { TT_PEEK_OK = 0, TT_PEEK_DENIED = -1, TT_PEEK_GONE = -2 };
/* Ask the socket behind descriptor fd of pid.  TT_PEEK_GONE when the
 * process or descriptor is gone, TT_PEEK_DENIED (errno in *why) when the
 * kernel refuses (not root, ptrace denied, no pidfd_getfd). */
int tt_peek_socket(int rootfd, bool real_proc, int pid, int fd, bool unix_sock, tt_peek *pk, int *why);
/* Pure: "127.0.0.1:3306", "[::1]:5432" (the remote endpoint) or a socket
 * path ("/run/mysqld/mysqld.sock", "@abstract") into *pk.  0 or -1. */
int tt_parse_endpoint(const char *s, size_t len, tt_peek *pk);

#endif
