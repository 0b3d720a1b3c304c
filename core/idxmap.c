#include "core/idxmap.h"

#include <errno.h>
#include <stdlib.h>

void idxmap_init(struct idxmap *m) {
  m->hashes = NULL;
  m->slots = NULL;
  m->cap = 0;
  m->n = 0;
}

void idxmap_free(struct idxmap *m) {
  free(m->hashes);
  free(m->slots);
  idxmap_init(m);
}

static void insert(uint64_t *hashes, uint32_t *slots, size_t cap, uint64_t h,
                   uint32_t index) {
  size_t i = (size_t)h & (cap - 1);
  while (slots[i])
    i = (i + 1) & (cap - 1);
  hashes[i] = h;
  slots[i] = index + 1;
}

static int grow(struct idxmap *m) {
  size_t cap = m->cap ? m->cap * 2 : 64;
  uint64_t *hashes = calloc(cap, sizeof *hashes);
  uint32_t *slots = calloc(cap, sizeof *slots);
  if (!hashes || !slots) {
    free(hashes);
    free(slots);
    return -ENOMEM;
  }
  for (size_t i = 0; i < m->cap; i++)
    if (m->slots[i])
      insert(hashes, slots, cap, m->hashes[i], m->slots[i] - 1);
  free(m->hashes);
  free(m->slots);
  m->hashes = hashes;
  m->slots = slots;
  m->cap = cap;
  return 0;
}

int idxmap_put(struct idxmap *m, uint64_t hash, uint32_t index) {
  if ((m->n + 1) * 10 > m->cap * 7) {
    int rc = grow(m);
    if (rc < 0)
      return rc;
  }
  insert(m->hashes, m->slots, m->cap, hash, index);
  m->n++;
  return 0;
}

/* *pos counts probe steps from the home slot, so a walk resumes where it
 * stopped. */
uint32_t idxmap_next(const struct idxmap *m, uint64_t hash, idxmap_eq_fn eq,
                     const void *ctx, const void *key, size_t *pos) {
  if (m->cap == 0)
    return IDXMAP_NONE;
  for (; *pos < m->cap; (*pos)++) {
    size_t i = ((size_t)hash + *pos) & (m->cap - 1);
    if (!m->slots[i])
      return IDXMAP_NONE;
    if (m->hashes[i] == hash && eq(ctx, m->slots[i] - 1, key)) {
      (*pos)++;
      return m->slots[i] - 1;
    }
  }
  return IDXMAP_NONE;
}
