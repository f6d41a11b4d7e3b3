/* A set of TCP ports (bitmap of 65536 bits) and its textual form. */
#ifndef TENANTOP_PORTSET_H
#define TENANTOP_PORTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tt_portset {
	uint64_t bits[1024];
	bool all; /* --all-ports: every port matches */
	unsigned count;
} tt_portset;

#define TT_DEFAULT_PORTS "3306,33060,5432,6379,6032,6033,6446,6447,11211,27017"

void tt_portset_clear(tt_portset *p);
void tt_portset_add(tt_portset *p, uint16_t port);
static inline bool tt_portset_has(const tt_portset *p, uint16_t port)
{
	return p->all || (p->bits[port >> 6] >> (port & 63)) & 1u;
}
/* Parse "3306,5432,6000-6010".  Returns 0, or -1 with a message in err. */
int tt_portset_parse(tt_portset *p, const char *text, char *err, size_t errlen);
/* "3306,5432,6000-6010" or "all"; returns buf. */
char *tt_portset_format(const tt_portset *p, char *buf, size_t len);
/* Fill out[] with up to max ports in ascending order; returns the count. */
size_t tt_portset_list(const tt_portset *p, uint16_t *out, size_t max);

#endif
