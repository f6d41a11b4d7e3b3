/* The model's memory across refreshes: a vector of records, each starting
 * with its u64 key, found through a map (key -> index).  Private to
 * src/model. */
#ifndef TENANTOP_MODEL_MEMVEC_H
#define TENANTOP_MODEL_MEMVEC_H

#include <stdbool.h>
#include <stddef.h>

#include "tenantop/u64set.h"

typedef struct tt_memvec {
	void *v;
	size_t n, cap, size;
	tt_u64set index;
} tt_memvec;

void tt_memvec_init(tt_memvec *mv, size_t size);
void tt_memvec_free(tt_memvec *mv);
void *tt_memvec_at(tt_memvec *mv, size_t i);
/* Find the record with this key (its first field), or create a zeroed one. */
void *tt_memvec_get(tt_memvec *mv, uint64_t key, bool *created);
void *tt_memvec_find(tt_memvec *mv, uint64_t key);
/* For a loop over many keys: the index slot of a key a few steps ahead.
 * No effect on the records. */
static inline void tt_memvec_prefetch_slot(const tt_memvec *mv, uint64_t key)
{
	tt_u64set_prefetch(&mv->index, key);
}
/* Remove records for which stale(rec) is true (swap with the last). */
void tt_memvec_sweep(tt_memvec *mv, bool (*stale)(const void *rec, const void *arg), const void *arg);

#endif
