/* core/hash.h — fast non-cryptographic hashing for habit's tables.
 *
 * Contract: hb_hash_bytes() mixes a byte string with a seed into 64 bits;
 * the same input always gives the same output on every machine (flow ids
 * and table layouts are deterministic). Not for anything an attacker's
 * collisions could hurt beyond a slower lookup.
 */
#ifndef HABIT_CORE_HASH_H
#define HABIT_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A 64-bit finalizer: every input bit affects every output bit. */
static inline uint64_t hb_mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

static inline uint64_t hb_hash_bytes(const void *data, size_t n, uint64_t seed) {
  const uint8_t *p = data;
  uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ull);
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    h = hb_mix64(h ^ w) + 0x9e3779b97f4a7c15ull;
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  for (size_t i = 0; i < n; i++)
    tail |= (uint64_t)p[i] << (8 * i);
  return hb_mix64(h ^ tail);
}

static inline uint64_t hb_hash_str(const char *s, uint64_t seed) {
  return hb_hash_bytes(s, strlen(s), seed);
}

#endif
