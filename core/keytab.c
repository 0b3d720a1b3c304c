#include "core/keytab.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

void keytab_init(struct keytab *t, size_t key_len) {
  memset(t, 0, sizeof *t);
  t->key_len = key_len <= KEYTAB_KEY_MAX ? key_len : KEYTAB_KEY_MAX;
}

void keytab_free(struct keytab *t) {
  free(t->e);
  keytab_init(t, t->key_len);
}

void keytab_clear(struct keytab *t) {
  if (t->e)
    memset(t->e, 0, t->cap * sizeof *t->e);
  t->n = 0;
}

static uint64_t hash_key(const struct keytab *t, const void *key) {
  uint64_t h = hb_hash_bytes(key, t->key_len, 0x6b6579u);
  return h ? h : 1; /* 0 marks an empty slot */
}

static struct keytab_entry *probe(const struct keytab *t, uint64_t h, const void *key) {
  size_t i = (size_t)h & (t->cap - 1);
  for (;;) {
    struct keytab_entry *e = &t->e[i];
    if (e->hash == 0 || (e->hash == h && memcmp(e->key, key, t->key_len) == 0))
      return e;
    i = (i + 1) & (t->cap - 1);
  }
}

static bool grow(struct keytab *t) {
  size_t cap = t->cap ? t->cap * 2 : 256;
  struct keytab_entry *old = t->e;
  size_t old_cap = t->cap;
  t->e = calloc(cap, sizeof *t->e);
  if (!t->e) {
    t->e = old;
    return false;
  }
  t->cap = cap;
  for (size_t i = 0; i < old_cap; i++)
    if (old[i].hash)
      *probe(t, old[i].hash, old[i].key) = old[i];
  free(old);
  return true;
}

struct keytab_entry *keytab_find(const struct keytab *t, const void *key) {
  if (!t->cap)
    return NULL;
  struct keytab_entry *e = probe(t, hash_key(t, key), key);
  return e->hash ? e : NULL;
}

struct keytab_entry *keytab_get(struct keytab *t, const void *key, bool *created) {
  *created = false;
  if ((t->n + 1) * 10 > t->cap * 7 && !grow(t))
    return NULL;
  uint64_t h = hash_key(t, key);
  struct keytab_entry *e = probe(t, h, key);
  if (!e->hash) {
    memset(e, 0, sizeof *e);
    e->hash = h;
    memcpy(e->key, key, t->key_len);
    t->n++;
    *created = true;
  }
  return e;
}

/* Dropping from linear probing leaves holes inside clusters: re-seat every
 * survivor, walking circularly from a slot that was empty before the drops
 * (no probe sequence crosses it; a slot emptied by a drop may sit inside a
 * cluster that wraps past it), so that each one moves, if at all, towards
 * its home. The load bound guarantees such a slot. */
void keytab_each(struct keytab *t, bool (*fn)(void *ctx, struct keytab_entry *e),
                 void *ctx) {
  size_t dropped = 0, start = t->cap;
  for (size_t i = 0; i < t->cap; i++) {
    if (!t->e[i].hash) {
      if (start == t->cap)
        start = i;
    } else if (fn(ctx, &t->e[i])) {
      t->e[i].hash = 0;
      dropped++;
    }
  }
  if (!dropped)
    return;
  t->n -= dropped;
  for (size_t k = 1; k <= t->cap; k++) {
    size_t i = (start + k) & (t->cap - 1);
    if (!t->e[i].hash)
      continue;
    struct keytab_entry tmp = t->e[i];
    t->e[i].hash = 0;
    *probe(t, tmp.hash, tmp.key) = tmp;
  }
}
