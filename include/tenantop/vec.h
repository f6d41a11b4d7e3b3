/* Growable arrays: append one zeroed element, doubling the capacity. */
#ifndef TENANTOP_VEC_H
#define TENANTOP_VEC_H

#include <stddef.h>

/* Make room in *arr (n used of cap, elements of `size` bytes) for one more,
 * zero it and return it; NULL when out of memory (nothing changed). */
void *tt_vec_push(void **arr, size_t *n, size_t *cap, size_t size);
#define TT_VEC_PUSH(arr, n, cap) ((__typeof__(arr))tt_vec_push((void **)&(arr), &(n), &(cap), sizeof(*(arr))))

#endif
