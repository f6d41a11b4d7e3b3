/* The one growable-array helper: room for more elements, doubling the
 * capacity; append one zeroed element; sweep caches by generation. */
#ifndef TENANTOP_VEC_H
#define TENANTOP_VEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenantop/u64set.h"

/* Make room in *arr (n used of cap, elements of `size` bytes) for one more,
 * zero it and return it; NULL when out of memory (nothing changed). */
void *tt_vec_push(void **arr, size_t *n, size_t *cap, size_t size);
#define TT_VEC_PUSH(arr, n, cap) ((__typeof__(arr))tt_vec_push((void **)&(arr), &(n), &(cap), sizeof(*(arr))))

/* Make room in *arr for at least `need` elements of `size` bytes (doubling;
 * new room not zeroed).  0, or -1 when out of memory (nothing changed). */
int tt_vec_reserve(void **arr, size_t *cap, size_t need, size_t size);
#define TT_VEC_RESERVE(arr, cap, need) tt_vec_reserve((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* The element of key in *arr, found through ix (key -> index), or a new
 * zeroed one appended and indexed (*created set); NULL when out of memory
 * (nothing changed). */
void *tt_vec_keyed(void **arr, size_t *n, size_t *cap, size_t size, tt_u64set *ix, uint64_t key, bool *created);
#define TT_VEC_KEYED(arr, n, cap, ix, key, created)                                                     \
	((__typeof__(arr))tt_vec_keyed((void **)&(arr), &(n), &(cap), sizeof(*(arr)), &(ix), (key), (created)))

/* Caches swept by generation: keep, in order, the elements whose uint32_t
 * `gen` field equals now; when any went, rebuild ix (the element's key
 * field, an integer of its own size -> index).  Returns the new count. */
size_t tt_vec_sweep_gen(void *arr, size_t n, size_t size, size_t gen_off, uint32_t now, tt_u64set *ix,
			size_t key_off, size_t key_size);
#define TT_VEC_SWEEP(arr, n, now, ix, keyfield)                                                            \
	((n) = tt_vec_sweep_gen((arr), (n), sizeof(*(arr)), offsetof(__typeof__(*(arr)), gen), (now), &(ix), \
				offsetof(__typeof__(*(arr)), keyfield), sizeof((arr)->keyfield)))

#endif
