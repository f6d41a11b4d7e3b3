/* Open-addressing hash map from a nonzero 64-bit key to a 64-bit value,
 * used as a set (value ignored) or a map.  Keys of 0 are not allowed. */
#ifndef TENANTOP_U64SET_H
#define TENANTOP_U64SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A key and its value side by side: one cache line holds both. */
struct tt_u64slot {
	uint64_t key; /* 0 empty */
	uint64_t val;
};

typedef struct tt_u64set {
	struct tt_u64slot *slots;
	size_t cap; /* power of two, or 0 */
	size_t len;
} tt_u64set;

void tt_u64set_init(tt_u64set *s);
void tt_u64set_free(tt_u64set *s);
void tt_u64set_clear(tt_u64set *s); /* keep capacity */
/* Insert or overwrite.  0, or -1 when out of memory or key == 0. */
int tt_u64set_put(tt_u64set *s, uint64_t key, uint64_t val);
static inline int tt_u64set_add(tt_u64set *s, uint64_t key) { return tt_u64set_put(s, key, 1); }
bool tt_u64set_get(const tt_u64set *s, uint64_t key, uint64_t *val);
static inline bool tt_u64set_has(const tt_u64set *s, uint64_t key) { return tt_u64set_get(s, key, NULL); }
bool tt_u64set_del(tt_u64set *s, uint64_t key);
/* Iterate: start with *pos = 0; returns false at the end. */
bool tt_u64set_next(const tt_u64set *s, size_t *pos, uint64_t *key, uint64_t *val);
/* The home slot of a key, for a lookup that will come soon: a loop over
 * many keys asks for the slots of a few keys ahead (no effect on the set). */
static inline void tt_u64set_prefetch(const tt_u64set *s, uint64_t key)
{
	if (s->cap)
		__builtin_prefetch(&s->slots[(size_t)((key * 0x9e3779b97f4a7c15ULL) >> 17) & (s->cap - 1)]);
}
/* Mix two 64-bit values into one nonzero key (never 0 nor UINT64_MAX, the
 * set's deleted mark). */
static inline uint64_t tt_hash_mix(uint64_t a, uint64_t b)
{
	uint64_t x = a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (x == 0 || x == UINT64_MAX) ? 1 : x;
}

#endif
