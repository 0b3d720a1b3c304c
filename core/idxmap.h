/* core/idxmap.h — a hash index from keys to positions in the caller's array.
 *
 * Contract: the map stores (hash, index) pairs with open addressing and
 * linear probing; the caller owns the keys (in its array) and says whether
 * the key at an index equals the one it looks for through `eq`. Several
 * indexes may share a key (idxmap_next walks them). Grows at 70% load;
 * idxmap_put returns -ENOMEM when it cannot. No deletion: habit's models
 * only grow.
 */
#ifndef HABIT_CORE_IDXMAP_H
#define HABIT_CORE_IDXMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDXMAP_NONE UINT32_MAX

struct idxmap {
  uint64_t *hashes;
  uint32_t *slots; /* index + 1; 0 = empty */
  size_t cap;      /* power of two */
  size_t n;
};

typedef bool (*idxmap_eq_fn)(const void *ctx, uint32_t index, const void *key);

void idxmap_init(struct idxmap *m);
void idxmap_free(struct idxmap *m);
int idxmap_put(struct idxmap *m, uint64_t hash, uint32_t index);

/* Iteration over the indexes whose key equals `key`: start with *pos = 0. */
uint32_t idxmap_next(const struct idxmap *m, uint64_t hash, idxmap_eq_fn eq,
                     const void *ctx, const void *key, size_t *pos);

static inline uint32_t idxmap_find(const struct idxmap *m, uint64_t hash,
                                   idxmap_eq_fn eq, const void *ctx,
                                   const void *key) {
  size_t pos = 0;
  return idxmap_next(m, hash, eq, ctx, key, &pos);
}

#endif
