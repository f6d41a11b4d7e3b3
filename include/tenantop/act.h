/* Acting on the machine (src/act): the one side of tenantop that changes
 * anything.  Send a signal to a process, close a TCP socket
 * (SOCK_DESTROY), as htop and `ss -K` do.  The dashboard asks for a
 * confirmation naming the targets first; --read-only disables every
 * action; each one is written to the alert log.  The read side (collect,
 * model, detect) never calls into here. */
#ifndef TENANTOP_ACT_H
#define TENANTOP_ACT_H

#include <stddef.h>
#include <stdint.h>

#include "tenantop/snapshot.h"

typedef struct tt_signal_choice {
	int key;          /* the key that picks it in the menu */
	int sig;
	const char *name; /* "SIGTERM" */
	const char *what; /* "ask to exit" */
} tt_signal_choice;

/* The signals the menu offers, TERM first (src/act/signal.c). */
const tt_signal_choice *tt_signal_choices(size_t *n);
const tt_signal_choice *tt_signal_by_key(int key);

/* Send sig to pid only if it is still the process that started at
 * start_time (a pidfd pins it, so a reused pid is never hit).  0, or -1
 * with a message. */
int tt_act_signal(const char *proc_root, int32_t pid, uint64_t start_time, int sig, char *msg, size_t len);

/* Close a TCP socket with netlink SOCK_DESTROY (src/act/sockdestroy.c).
 * 0, or -1 with what the kernel (or the socket's kind) refused. */
int tt_sock_destroy(const tt_sock *k, char *err, size_t errlen);

#endif
