/* Open-addressing hash map from nonzero u64 keys to u64 values. */
#include <stdlib.h>
#include <string.h>

#include "tenantop/u64set.h"

#define TOMB UINT64_MAX /* deleted slot marker (UINT64_MAX is never a key we store) */

static size_t slot_of(uint64_t key, size_t cap)
{
	uint64_t x = key * 0x9e3779b97f4a7c15ULL;
	return (size_t)(x >> 17) & (cap - 1);
}

void tt_u64set_init(tt_u64set *s)
{
	memset(s, 0, sizeof(*s));
}

void tt_u64set_free(tt_u64set *s)
{
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

void tt_u64set_clear(tt_u64set *s)
{
	if (s->slots)
		memset(s->slots, 0, s->cap * sizeof(*s->slots));
	s->len = 0;
}

static int grow(tt_u64set *s, size_t newcap)
{
	struct tt_u64slot *ns = calloc(newcap, sizeof(*ns));
	if (!ns)
		return -1;
	size_t len = 0;
	for (size_t i = 0; i < s->cap; i++) {
		uint64_t k = s->slots[i].key;
		if (k == 0 || k == TOMB)
			continue;
		size_t j = slot_of(k, newcap);
		while (ns[j].key)
			j = (j + 1) & (newcap - 1);
		ns[j] = s->slots[i];
		len++;
	}
	free(s->slots);
	s->slots = ns;
	s->cap = newcap;
	s->len = len;
	return 0;
}

int tt_u64set_put(tt_u64set *s, uint64_t key, uint64_t val)
{
	if (key == 0 || key == TOMB)
		return -1;
	/* len counts tombstones too (they lengthen probes); grow or rehash at 70 % */
	if ((s->len + 1) * 10 >= s->cap * 7) {
		size_t live = 0;
		for (size_t i = 0; i < s->cap; i++)
			live += s->slots[i].key && s->slots[i].key != TOMB;
		size_t ncap = s->cap ? s->cap : 64;
		while ((live + 1) * 10 >= ncap * 5)
			ncap *= 2;
		if (grow(s, ncap) < 0)
			return -1;
	}
	size_t j = slot_of(key, s->cap);
	size_t tomb = (size_t)-1;
	while (s->slots[j].key) {
		if (s->slots[j].key == key) {
			s->slots[j].val = val;
			return 0;
		}
		if (s->slots[j].key == TOMB && tomb == (size_t)-1)
			tomb = j;
		j = (j + 1) & (s->cap - 1);
	}
	if (tomb != (size_t)-1) {
		j = tomb; /* reuse: len already counts it */
	} else {
		s->len++;
	}
	s->slots[j].key = key;
	s->slots[j].val = val;
	return 0;
}

bool tt_u64set_get(const tt_u64set *s, uint64_t key, uint64_t *val)
{
	if (!s->cap || key == 0 || key == TOMB)
		return false;
	size_t j = slot_of(key, s->cap);
	while (s->slots[j].key) {
		if (s->slots[j].key == key) {
			if (val)
				*val = s->slots[j].val;
			return true;
		}
		j = (j + 1) & (s->cap - 1);
	}
	return false;
}

bool tt_u64set_del(tt_u64set *s, uint64_t key)
{
	if (!s->cap || key == 0 || key == TOMB)
		return false;
	size_t j = slot_of(key, s->cap);
	while (s->slots[j].key) {
		if (s->slots[j].key == key) {
			s->slots[j].key = TOMB;
			return true;
		}
		j = (j + 1) & (s->cap - 1);
	}
	return false;
}

bool tt_u64set_next(const tt_u64set *s, size_t *pos, uint64_t *key, uint64_t *val)
{
	for (size_t i = *pos; i < s->cap; i++) {
		uint64_t k = s->slots[i].key;
		if (k && k != TOMB) {
			if (key)
				*key = k;
			if (val)
				*val = s->slots[i].val;
			*pos = i + 1;
			return true;
		}
	}
	*pos = s->cap;
	return false;
}
