/* detect/leak/leak_int.h — what the files of detect/leak share: the
 * layout of the matcher and the scratch, the ids of the built-in patterns,
 * and the one way a confirmed hit leaves the module (leak_emit).
 * Not for use outside detect/leak (tests excepted).
 */
#ifndef HABIT_DETECT_LEAK_INT_H
#define HABIT_DETECT_LEAK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hs/hs.h>

#include "detect/leak/leak.h"

/* Hyperscan ids of the built-in patterns; user pattern i has id
 * LEAK_ID_USER + i. */
enum {
  LEAK_ID_CARD = 0, /* 13 digits, single spaces or dashes between them */
  LEAK_ID_PEM = 1,  /* a PEM private key header */
  LEAK_ID_AWS = 2,  /* AKIA/ASIA + 16 base32 characters */
  LEAK_ID_USER = 3,
};

/* How a user pattern's extent is known. */
enum leak_user_how {
  LEAK_USER_FIXED, /* fixed width: the start is the end minus it */
  LEAK_USER_SOM,   /* Hyperscan reports the leftmost start */
  LEAK_USER_FIRST, /* Hyperscan cannot track the start: the first match of
                      the payload only, covering its last `width` bytes */
};

struct leak_user {
  char *name;
  uint8_t how;    /* enum leak_user_how */
  uint32_t width; /* FIXED: the width; FIRST: the minimum width */
};

struct leak_matcher {
  hs_database_t *db;
  size_t n_user;
  struct leak_user *user;
  unsigned min_width; /* the shortest match of any pattern: shorter
                         payloads are not scanned */
};

/* A user match whose end may still grow (see leak_scan.c). */
struct leak_pending {
  size_t from, to; /* to == 0: nothing pending */
};

/* Hyperscan 5.4's AVX-512 VBMI code (chosen at run time on CPUs that have
 * it) can read past the end of the block it scans — up to one 64-byte
 * vector — and faults when the block ends at the edge of mapped memory
 * (found by fuzz/fuzz_leak.c; the same bug as vectorscan issue 322, "Out of
 * bounds read in AVX512VBMI version of fdr_exec_fat_teddy"). A payload
 * that ends within LEAK_PAD bytes of a 4 KiB boundary is therefore scanned
 * from a copy followed by LEAK_PAD zero bytes (about 1 payload in 64). */
#define LEAK_PAD 64
#define LEAK_PAGE 4096
#define LEAK_COPY_INITIAL 65536 /* the copy buffer, grown on demand */

struct leak_scratch {
  const struct leak_matcher *m;
  hs_scratch_t *hs;
  uint8_t *copy; /* copy_cap + LEAK_PAD bytes */
  size_t copy_cap;
  struct leak_pending *pending; /* one per user pattern */
  uint32_t *live;               /* user patterns with something pending */
  size_t n_live;
  /* The scan in progress. */
  const uint8_t *p;
  size_t n;
  leak_hit_fn fn;
  void *ctx;
  size_t card_seen;   /* digit runs ending before this were examined */
  size_t secret_seen; /* secrets starting before this were reported */
  bool stopped;       /* the callback asked to stop */
};

/* Hand a confirmed hit to the caller; returns non-zero once the caller
 * asked to stop. */
static inline int leak_emit(struct leak_scratch *s, const struct leak_hit *h) {
  if (!s->stopped && s->fn(s->ctx, h) != 0)
    s->stopped = true;
  return s->stopped;
}

static inline bool leak_is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
static inline bool leak_is_upper(uint8_t c) { return c >= 'A' && c <= 'Z'; }
static inline bool leak_is_lower(uint8_t c) { return c >= 'a' && c <= 'z'; }
static inline bool leak_is_alnum(uint8_t c) {
  return leak_is_digit(c) || leak_is_upper(c) || leak_is_lower(c);
}

#endif
