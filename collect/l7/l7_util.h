/* collect/l7/l7_util.h — small helpers the probes share (private to l7/).
 *
 * Everything here is static inline: no state, no allocation, and nothing
 * that reads past the length it is given.
 */
#ifndef HABIT_COLLECT_L7_UTIL_H
#define HABIT_COLLECT_L7_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "collect/l7/l7.h"

#define L7_IP_TCP 6
#define L7_IP_UDP 17

static inline uint16_t l7_be16(const uint8_t *p) {
  return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t l7_be24(const uint8_t *p) {
  return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* Where to cut s (n > k bytes) at most k bytes long without splitting a
 * UTF-8 sequence: downstream JSON keeps valid UTF-8 as is, and half a
 * character would turn into escapes. Backs over at most 3 continuation
 * bytes and their lead byte; anything else is not UTF-8, cut where asked. */
static inline size_t l7_utf8_cut(const uint8_t *s, size_t k) {
  if ((s[k] & 0xc0) != 0x80)
    return k;
  size_t j = k;
  while (j > 0 && k - j < 3 && (s[j - 1] & 0xc0) == 0x80)
    j--;
  if (j > 0 && s[j - 1] >= 0xc0)
    return j - 1;
  return k;
}

/* Copy n wire bytes into dst (cap bytes incl. the NUL), cut to fit and
 * always terminated. Control bytes become '?' so that a NUL or a newline
 * from the wire can neither end the string early nor forge a log line.
 * Returns the length written. */
static inline size_t l7_copy(char *dst, size_t cap, const uint8_t *src,
                             size_t n) {
  if (cap == 0)
    return 0;
  size_t k = n < cap - 1 ? n : cap - 1;
  if (k < n)
    k = l7_utf8_cut(src, k);
  for (size_t i = 0; i < k; i++) {
    uint8_t c = src[i];
    dst[i] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
  }
  dst[k] = '\0';
  return k;
}

/* Case-insensitive compare of n wire bytes with a lower-case literal. */
static inline int l7_ieq(const uint8_t *p, const char *lit, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint8_t c = p[i];
    if (c >= 'A' && c <= 'Z')
      c = (uint8_t)(c + 32);
    if (c != (uint8_t)lit[i])
      return 0;
  }
  return 1;
}

/* Confidence with a port hint: a few points on the usual port, never 100
 * (100 is kept for flows where both directions proved the protocol). */
static inline uint8_t l7_conf(unsigned base, int usual_port) {
  unsigned c = base + (usual_port ? 5u : 0u);
  return (uint8_t)(c > 99 ? 99 : c);
}

/* Raise *conf to at least floor: for "nothing new" answers, so that a probe
 * called on its own still reports a sensible confidence. */
static inline void l7_conf_floor(uint8_t *conf, uint8_t floor) {
  if (*conf < floor)
    *conf = floor;
}

#endif
