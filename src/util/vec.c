/* Growable arrays (vec.h). */
#include <stdlib.h>
#include <string.h>

#include "tenantop/vec.h"

int tt_vec_reserve(void **arr, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 16;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / size)
			return -1;
		ncap *= 2;
	}
	void *p = realloc(*arr, ncap * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

void *tt_vec_push(void **arr, size_t *n, size_t *cap, size_t size)
{
	if (tt_vec_reserve(arr, cap, *n + 1, size) < 0)
		return NULL;
	char *e = (char *)*arr + (*n)++ * size;
	memset(e, 0, size);
	return e;
}

void *tt_vec_keyed(void **arr, size_t *n, size_t *cap, size_t size, tt_u64set *ix, uint64_t key, bool *created)
{
	uint64_t i;
	*created = false;
	if (tt_u64set_get(ix, key, &i) && i < *n)
		return (char *)*arr + i * size;
	void *e = tt_vec_push(arr, n, cap, size);
	if (!e)
		return NULL;
	if (tt_u64set_put(ix, key, *n - 1) < 0) {
		(*n)--;
		return NULL;
	}
	*created = true;
	return e;
}

size_t tt_vec_sweep_gen(void *arr, size_t n, size_t size, size_t gen_off, uint32_t now, tt_u64set *ix,
			size_t key_off, size_t key_size)
{
	char *a = arr;
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t g;
		memcpy(&g, a + i * size + gen_off, sizeof(g));
		if (g != now)
			continue;
		if (w != i)
			memcpy(a + w * size, a + i * size, size);
		w++;
	}
	if (w == n)
		return n;
	tt_u64set_clear(ix);
	for (size_t i = 0; i < w; i++) {
		uint64_t key = 0;
		if (key_size == 4) {
			int32_t k32;
			memcpy(&k32, a + i * size + key_off, 4);
			key = (uint64_t)(int64_t)k32;
		} else {
			memcpy(&key, a + i * size + key_off, 8);
		}
		tt_u64set_put(ix, key, i);
	}
	return w;
}
