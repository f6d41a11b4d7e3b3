/* What a socket says of itself, through a duplicate of its descriptor (src/collect/peek.c). */
#ifndef TT_COLLECT_PEEK_H
#define TT_COLLECT_PEEK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tt_peek {
	int state;          /* TCP state, -1 unknown */
	bool connected;     /* getpeername named the peer: neither CLOSE nor SYN_SENT (state not asked) */
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
/* The same in parts, for many descriptors of one process: its pidfd (-1,
 * errno in *why), the socket behind its descriptor fd duplicated (>= 0, or
 * TT_PEEK_GONE / TT_PEEK_DENIED with errno in *why), what that socket says
 * of itself, and its family and protocol (SO_DOMAIN, SO_PROTOCOL; 0 or -1). */
int tt_peek_pidfd(int pid, int *why);
int tt_peek_dup(int pidfd, int fd, int *why);
void tt_peek_ask(int sfd, bool unix_sock, tt_peek *pk);
int tt_peek_proto(int sfd, int *family, int *protocol);
/* Pure: "127.0.0.1:3306", "[::1]:5432" (the remote endpoint) or a socket
 * path ("/run/mysqld/mysqld.sock", "@abstract") into *pk.  0 or -1. */
int tt_parse_endpoint(const char *s, size_t len, tt_peek *pk);

#endif
