/* The user-name cache: /etc/passwd via getpwuid_r, names sanitised (src/collect/users.c). */
#ifndef TT_COLLECT_USERS_H
#define TT_COLLECT_USERS_H

#include <stdint.h>

typedef struct tt_users tt_users;
tt_users *tt_users_new(void);
/* Names from a passwd-format file only (fixture trees carry one). */
tt_users *tt_users_new_from_file(const char *path);
/* A safe printable name; the decimal uid when unknown. */
const char *tt_users_name(tt_users *u, uint32_t uid);
void tt_users_free(tt_users *u);

#endif
