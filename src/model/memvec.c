/* Records that outlive a refresh, found by a u64 key (memvec.h). */
#include <stdlib.h>
#include <string.h>

#include "model/memvec.h"
#include "tenantop/vec.h"

void tt_memvec_init(tt_memvec *mv, size_t size)
{
	memset(mv, 0, sizeof(*mv));
	mv->size = size;
	tt_u64set_init(&mv->index);
}

void tt_memvec_free(tt_memvec *mv)
{
	free(mv->v);
	tt_u64set_free(&mv->index);
	memset(mv, 0, sizeof(*mv));
}

void *tt_memvec_at(tt_memvec *mv, size_t i)
{
	return (char *)mv->v + i * mv->size;
}

/* Find the record with this key (its first field), or create a zeroed one. */
void *tt_memvec_get(tt_memvec *mv, uint64_t key, bool *created)
{
	void *rec = tt_vec_keyed(&mv->v, &mv->n, &mv->cap, mv->size, &mv->index, key, created);
	if (rec && *created)
		memcpy(rec, &key, sizeof(key));
	return rec;
}

void *tt_memvec_find(tt_memvec *mv, uint64_t key)
{
	uint64_t ix;
	return tt_u64set_get(&mv->index, key, &ix) ? tt_memvec_at(mv, ix) : NULL;
}

/* Remove records for which stale(rec) is true (swap with the last). */
void tt_memvec_sweep(tt_memvec *mv, bool (*stale)(const void *rec, const void *arg),
			 const void *arg)
{
	size_t i = 0;
	while (i < mv->n) {
		void *rec = tt_memvec_at(mv, i);
		if (!stale(rec, arg)) {
			i++;
			continue;
		}
		uint64_t key;
		memcpy(&key, rec, sizeof(key));
		tt_u64set_del(&mv->index, key);
		if (i != mv->n - 1) {
			void *last = tt_memvec_at(mv, mv->n - 1);
			memcpy(rec, last, mv->size);
			memcpy(&key, rec, sizeof(key));
			tt_u64set_put(&mv->index, key, i);
		}
		mv->n--;
	}
	/* Tombstones accumulate in the index; rebuild it when it is mostly dead. */
	if (mv->index.len > 2 * mv->n + 1024) {
		tt_u64set_free(&mv->index);
		tt_u64set_init(&mv->index);
		for (size_t j = 0; j < mv->n; j++) {
			uint64_t key;
			memcpy(&key, tt_memvec_at(mv, j), sizeof(key));
			tt_u64set_put(&mv->index, key, j);
		}
	}
}

