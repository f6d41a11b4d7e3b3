/* Growable arrays (vec.h). */
#include <stdlib.h>
#include <string.h>

#include "tenantop/vec.h"

void *tt_vec_push(void **arr, size_t *n, size_t *cap, size_t size)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void *p = realloc(*arr, ncap * size);
		if (!p)
			return NULL;
		*arr = p;
		*cap = ncap;
	}
	char *e = (char *)*arr + (*n)++ * size;
	memset(e, 0, size);
	return e;
}
