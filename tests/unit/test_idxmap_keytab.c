/* tests/unit/test_idxmap_keytab.c — core/idxmap.h and core/keytab.h.
 *
 * idxmap: many indexes under few hashes (forced collisions), keys that
 * share a hash but differ, duplicates walked with idxmap_next, growth.
 * keytab: random inserts and random drops through keytab_each over many
 * rounds, checked after every round against a plain reference array; keys
 * are chosen so that their home slots pile up in one place (and across the
 * end of the table), where re-seating after a drop is hardest. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/hash.h"
#include "core/idxmap.h"
#include "core/keytab.h"

/* A small fixed PRNG (xorshift64*), so failures reproduce. */
static uint64_t rng_state;
static uint64_t rnd(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dull;
}

/* --- idxmap ------------------------------------------------------------- */

struct keys {
  uint32_t *key; /* key of each index */
};

static bool key_eq(const void *ctx, uint32_t index, const void *key) {
  const struct keys *k = ctx;
  return k->key[index] == *(const uint32_t *)key;
}

/* The indexes idxmap_next yields for key, sorted, into out; returns count. */
static size_t walk(const struct idxmap *m, uint64_t hash, const struct keys *k,
                   uint32_t key, uint32_t *out, size_t cap) {
  size_t pos = 0, n = 0;
  uint32_t i;
  while ((i = idxmap_next(m, hash, key_eq, k, &key, &pos)) != IDXMAP_NONE) {
    assert_true(n < cap);
    out[n++] = i;
  }
  /* The end is sticky. */
  assert_int_equal(idxmap_next(m, hash, key_eq, k, &key, &pos), IDXMAP_NONE);
  for (size_t a = 1; a < n; a++)
    for (size_t b = a; b > 0 && out[b - 1] > out[b]; b--) {
      uint32_t t = out[b];
      out[b] = out[b - 1];
      out[b - 1] = t;
    }
  return n;
}

static void test_idxmap_empty(void **state) {
  (void)state;
  struct idxmap m;
  idxmap_init(&m);
  struct keys k = {NULL};
  uint32_t key = 1;
  assert_int_equal(idxmap_find(&m, 42, key_eq, &k, &key), IDXMAP_NONE);
  size_t pos = 0;
  assert_int_equal(idxmap_next(&m, 42, key_eq, &k, &key, &pos), IDXMAP_NONE);
  idxmap_free(&m);
  idxmap_free(&m); /* twice is harmless */
}

static void test_idxmap_collisions(void **state) {
  (void)state;
  enum { N = 5000, KEYS = 97, HASHES = 7 };
  struct idxmap m;
  idxmap_init(&m);
  struct keys k;
  k.key = calloc(N, sizeof *k.key);
  assert_non_null(k.key);
  /* KEYS distinct keys over only HASHES hashes, and hashes chosen to share
   * their low bits (the same home slot at every table size). */
  rng_state = 7;
  for (uint32_t i = 0; i < N; i++) {
    k.key[i] = (uint32_t)(rnd() % KEYS);
    uint64_t h = ((uint64_t)(k.key[i] % HASHES) << 40) | 5;
    assert_int_equal(idxmap_put(&m, h, i), 0);
    assert_int_equal(m.n, i + 1);
    assert_true(m.n * 10 <= m.cap * 7);
    /* Check a few keys as the map grows. */
    if (i % 499 == 0 || i == N - 1) {
      for (uint32_t key = 0; key < KEYS; key++) {
        uint32_t got[N];
        size_t n = walk(&m, ((uint64_t)(key % HASHES) << 40) | 5, &k, key, got, N);
        size_t want = 0;
        for (uint32_t j = 0; j <= i; j++)
          if (k.key[j] == key) {
            assert_true(want < n);
            assert_int_equal(got[want], j);
            want++;
          }
        assert_int_equal(n, want);
        /* A wrong hash finds nothing, even with the right key. */
        assert_int_equal(idxmap_find(&m, ((uint64_t)(key % HASHES) << 40) | 6, key_eq, &k,
                                     &key),
                         IDXMAP_NONE);
      }
    }
  }
  /* A key never inserted, under a used hash. */
  uint32_t absent = KEYS + 1;
  assert_int_equal(idxmap_find(&m, ((uint64_t)(absent % HASHES) << 40) | 5, key_eq, &k,
                               &absent),
                   IDXMAP_NONE);
  /* find returns one of the key's indexes. */
  uint32_t key = 3;
  uint32_t i = idxmap_find(&m, ((uint64_t)(key % HASHES) << 40) | 5, key_eq, &k, &key);
  assert_int_not_equal(i, IDXMAP_NONE);
  assert_int_equal(k.key[i], key);
  idxmap_free(&m);
  free(k.key);
}

static void test_idxmap_random(void **state) {
  (void)state;
  /* Random 64-bit hashes, index 0 included, every one found again. */
  enum { N = 20000 };
  struct idxmap m;
  idxmap_init(&m);
  struct keys k;
  k.key = calloc(N, sizeof *k.key);
  uint64_t *h = calloc(N, sizeof *h);
  assert_non_null(k.key);
  assert_non_null(h);
  rng_state = 99;
  for (uint32_t i = 0; i < N; i++) {
    k.key[i] = i;
    h[i] = rnd();
    if (i % 10 == 0)
      h[i] = 0; /* a zero hash is a hash like any other */
    assert_int_equal(idxmap_put(&m, h[i], i), 0);
  }
  for (uint32_t i = 0; i < N; i++)
    assert_int_equal(idxmap_find(&m, h[i], key_eq, &k, &i), i);
  idxmap_free(&m);
  free(k.key);
  free(h);
}

/* --- keytab ------------------------------------------------------------- */

#define KLEN 12

struct ref {
  uint8_t key[KLEN];
  uint64_t a, b;
  bool live;
};

struct refs {
  struct ref *r;
  size_t n, cap;
};

static uint64_t home_hash(const uint8_t *key) {
  uint64_t h = hb_hash_bytes(key, KLEN, 0x6b6579u);
  return h ? h : 1;
}

/* The next candidate key whose home slot in a table of `cap` falls within
 * `spread` slots after (cap - spread/2), i.e. around the wrap. */
static void clustered_key(uint8_t *key, uint64_t *counter, size_t cap, size_t spread) {
  for (;;) {
    memset(key, 0, KLEN);
    uint64_t c = (*counter)++;
    memcpy(key, &c, sizeof c);
    key[9] = 0x5a;
    size_t home = (size_t)home_hash(key) & (cap - 1);
    size_t start = cap - spread / 2;
    if (((home - start) & (cap - 1)) < spread)
      return;
  }
}

static struct ref *ref_find(struct refs *R, const uint8_t *key) {
  for (size_t i = 0; i < R->n; i++)
    if (R->r[i].live && memcmp(R->r[i].key, key, KLEN) == 0)
      return &R->r[i];
  return NULL;
}

static void ref_check(const struct refs *R, const struct keytab *t) {
  size_t live = 0;
  for (size_t i = 0; i < R->n; i++) {
    const struct ref *r = &R->r[i];
    struct keytab_entry *e = keytab_find(t, r->key);
    if (r->live) {
      live++;
      if (!e)
        fail_msg("live key %zu not found (table n %zu cap %zu)", i, t->n, t->cap);
      assert_memory_equal(e->key, r->key, KLEN);
      assert_int_equal(e->a, r->a);
      assert_int_equal(e->b, r->b);
    } else if (e) {
      fail_msg("dropped key %zu still found", i);
    }
  }
  assert_int_equal(t->n, live);
  /* The table's own count matches its slots. */
  size_t used = 0;
  for (size_t i = 0; i < t->cap; i++)
    used += t->e[i].hash != 0;
  assert_int_equal(used, live);
}

struct drop_ctx {
  struct refs *R;
  unsigned percent; /* chance to drop each entry */
  size_t visited;
};

static bool drop_some(void *p, struct keytab_entry *e) {
  struct drop_ctx *c = p;
  c->visited++;
  struct ref *r = ref_find(c->R, e->key);
  assert_non_null(r); /* only live entries are visited */
  assert_int_equal(e->a, r->a);
  if (rnd() % 100 < c->percent) {
    r->live = false;
    return true;
  }
  /* Survivors may be changed in place. */
  e->b++;
  r->b++;
  return false;
}

static void ref_add(struct refs *R, struct keytab *t, const uint8_t *key) {
  bool created;
  struct keytab_entry *e = keytab_get(t, key, &created);
  assert_non_null(e);
  struct ref *r = ref_find(R, key);
  if (r) {
    assert_false(created);
  } else {
    assert_true(created);
    assert_int_equal(e->a, 0);
    assert_int_equal(e->b, 0);
    if (R->n == R->cap) {
      R->cap = R->cap ? R->cap * 2 : 256;
      R->r = realloc(R->r, R->cap * sizeof *R->r);
      assert_non_null(R->r);
    }
    r = &R->r[R->n++];
    memcpy(r->key, key, KLEN);
    r->a = r->b = 0;
    r->live = true;
  }
  e->a += 3;
  r->a += 3;
  assert_memory_equal(e->key, key, KLEN);
}

/* Rounds of inserts then drops in one table whose size stays at `cap`
 * (below 70% load), with keys crowded around the wrap. */
static void churn(size_t cap, size_t spread, size_t fill, unsigned percent,
                  int rounds, uint64_t seed) {
  struct keytab t;
  keytab_init(&t, KLEN);
  struct refs R = {NULL, 0, 0};
  uint64_t counter = seed * 1000003;
  rng_state = seed;
  for (int round = 0; round < rounds; round++) {
    while (t.n < fill) {
      uint8_t key[KLEN];
      clustered_key(key, &counter, cap, spread);
      ref_add(&R, &t, key);
      /* Sometimes touch a live key again. */
      if (R.n && rnd() % 4 == 0) {
        struct ref *r = &R.r[rnd() % R.n];
        if (r->live)
          ref_add(&R, &t, r->key);
      }
    }
    assert_int_equal(t.cap, cap);
    ref_check(&R, &t);
    struct drop_ctx c = {&R, percent, 0};
    size_t before = t.n;
    keytab_each(&t, drop_some, &c);
    assert_int_equal(c.visited, before);
    ref_check(&R, &t);
    /* Forget dropped refs now and then to keep the reference small. */
    if (round % 8 == 7) {
      size_t w = 0;
      for (size_t i = 0; i < R.n; i++)
        if (R.r[i].live)
          R.r[w++] = R.r[i];
      R.n = w;
    }
  }
  keytab_free(&t);
  free(R.r);
}

static void test_keytab_drop_clustered(void **state) {
  (void)state;
  /* One big cluster across the end of a 256-slot table. */
  for (uint64_t seed = 1; seed <= 40; seed++)
    churn(256, 24, 150, 30, 30, seed);
  /* Several smaller ones. */
  for (uint64_t seed = 41; seed <= 60; seed++)
    churn(256, 120, 170, 50, 30, seed);
  /* Drop nearly everything, or almost nothing. */
  for (uint64_t seed = 61; seed <= 70; seed++) {
    churn(256, 16, 170, 95, 20, seed);
    churn(256, 16, 170, 3, 20, seed);
  }
}

static bool drop_marked(void *ctx, struct keytab_entry *e) {
  (void)ctx;
  return e->b == 0xdead;
}

static bool drop_odd(void *ctx, struct keytab_entry *e) {
  (void)ctx;
  return e->a % 2 == 1;
}

/* The smallest failing shape, by hand: a cluster crossing the end of the
 * table, slot 0 dropped (so the first empty slot is inside the old
 * cluster), and entries at the end that move back towards their homes. */
static void test_keytab_wrap_by_hand(void **state) {
  (void)state;
  const size_t cap = 256;
  /* X, A, C, E, D, B by home slot; inserted in that order they sit at
   * 252, 253, 254, 255, 0, 1. */
  const size_t homes[6] = {252, 252, 253, 253, 254, 253};
  const size_t slots[6] = {252, 253, 254, 255, 0, 1};
  uint8_t keys[6][KLEN];
  uint64_t counter = 1;
  for (int i = 0; i < 6; i++)
    do
      clustered_key(keys[i], &counter, cap, 16);
    while ((home_hash(keys[i]) & (cap - 1)) != homes[i]);
  struct keytab t;
  keytab_init(&t, KLEN);
  struct refs R = {calloc(6, sizeof(struct ref)), 6, 6};
  assert_non_null(R.r);
  for (int i = 0; i < 6; i++) {
    bool created;
    assert_non_null(keytab_get(&t, keys[i], &created));
    memcpy(R.r[i].key, keys[i], KLEN);
    R.r[i].live = true;
  }
  assert_int_equal(t.cap, cap);
  for (int i = 0; i < 6; i++)
    assert_memory_equal(t.e[slots[i]].key, keys[i], KLEN);
  /* Drop X (slot 252) and D (slot 0). */
  t.e[252].b = 0xdead;
  t.e[0].b = 0xdead;
  keytab_each(&t, drop_marked, NULL);
  R.r[0].live = R.r[4].live = false;
  ref_check(&R, &t);
  keytab_free(&t);
  free(R.r);
}

static void test_keytab_growth_and_clear(void **state) {
  (void)state;
  struct keytab t;
  keytab_init(&t, KLEN);
  assert_null(keytab_find(&t, "nothing here"));
  keytab_each(&t, drop_marked, NULL); /* empty: nothing to visit */
  rng_state = 5;
  for (uint32_t i = 0; i < 50000; i++) {
    uint8_t key[KLEN] = {0};
    uint64_t r = rnd() % 30000; /* some repeats */
    memcpy(key, &r, sizeof r);
    bool created;
    struct keytab_entry *e = keytab_get(&t, key, &created);
    assert_non_null(e);
    e->a++;
    assert_true(t.n * 10 <= t.cap * 7);
  }
  size_t n = t.n;
  assert_true(n > 20000);
  /* Every key found with the right count. */
  rng_state = 5;
  uint32_t *count = calloc(30000, sizeof *count);
  assert_non_null(count);
  for (uint32_t i = 0; i < 50000; i++)
    count[rnd() % 30000]++;
  size_t distinct = 0;
  for (uint64_t r = 0; r < 30000; r++) {
    uint8_t key[KLEN] = {0};
    memcpy(key, &r, sizeof r);
    struct keytab_entry *e = keytab_find(&t, key);
    if (count[r]) {
      distinct++;
      assert_non_null(e);
      assert_int_equal(e->a, count[r]);
    } else {
      assert_null(e);
    }
  }
  assert_int_equal(distinct, n);
  /* Drop those with odd counts through each at this size too. */
  keytab_each(&t, drop_odd, NULL);
  for (uint64_t r = 0; r < 30000; r++) {
    uint8_t key[KLEN] = {0};
    memcpy(key, &r, sizeof r);
    struct keytab_entry *e = keytab_find(&t, key);
    if (count[r] && count[r] % 2 == 0) {
      assert_non_null(e);
      assert_int_equal(e->a, count[r]);
    } else {
      assert_null(e);
    }
  }
  size_t cap = t.cap;
  keytab_clear(&t);
  assert_int_equal(t.n, 0);
  assert_int_equal(t.cap, cap);
  uint8_t key[KLEN] = {1};
  assert_null(keytab_find(&t, key));
  bool created;
  assert_non_null(keytab_get(&t, key, &created));
  assert_true(created);
  assert_non_null(keytab_get(&t, key, &created));
  assert_false(created);
  assert_int_equal(t.n, 1);
  keytab_free(&t);
  assert_int_equal(t.n, 0);
  assert_null(t.e);
  free(count);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_idxmap_empty),
      cmocka_unit_test(test_idxmap_collisions),
      cmocka_unit_test(test_idxmap_random),
      cmocka_unit_test(test_keytab_wrap_by_hand),
      cmocka_unit_test(test_keytab_drop_clustered),
      cmocka_unit_test(test_keytab_growth_and_clear),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
