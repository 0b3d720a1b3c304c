/* fuzz/fuzz_leak.c — libFuzzer target for detect/leak: one payload through
 * leak_scan() with the built-in patterns and a few user patterns. Traps on
 * a hit outside the payload, evidence without its NUL, a card whose digits
 * fail Luhn or show more than the first 6 and last 4, a key whose bytes
 * are not what its kind says, a callback after it asked to stop, or a
 * scratch that keeps state from one payload to the next (each input is
 * scanned twice; the hits must be the same). ASan and UBSan do the rest.
 * The second scan is of a copy that ends where an unreadable page begins:
 * Hyperscan 5.4's AVX-512 VBMI code reads past the end of a block, which
 * ASan cannot see (libhs is not instrumented) but a guard page can.
 *
 * Input: byte 0 — bit 0: stop after the first hit; the rest is the payload,
 * copied into a buffer of exactly its length.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "detect/leak/card.h"
#include "detect/leak/leak.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct leak_pattern user[] = {
    {"ticket", "TCK-[0-9]{4,8}"},
    {"ssn", "\\b[0-8][0-9]{2}-[0-9]{2}-[0-9]{4}\\b"},
    {"password", "(?i)password\\s*[=:]\\s*[^\\s&]{6,}"},
    {"bytes", "\\x00\\xff+"},
};

struct run {
  const uint8_t *p;
  size_t n;
  int stop_first;
  size_t hits;
  uint64_t sum; /* of offsets, lengths and kinds: the two scans must agree */
};

static void check_card(const struct run *r, const struct leak_hit *h) {
  char d[32];
  size_t nd = 0;
  for (size_t i = h->offset; i < h->offset + h->length; i++)
    if (r->p[i] >= '0' && r->p[i] <= '9') {
      if (nd == sizeof d)
        __builtin_trap();
      d[nd++] = (char)r->p[i];
    }
  if (nd < 13 || nd > 19 || !leak_luhn_ok(d, nd) || leak_card_is_toy(d, nd))
    __builtin_trap();
  size_t shown = 0;
  for (const char *e = h->evidence; *e; e++)
    shown += *e >= '0' && *e <= '9';
  if (shown != 10)
    __builtin_trap();
}

static int on_hit(void *ctx, const struct leak_hit *h) {
  struct run *r = ctx;
  if (r->stop_first && r->hits > 0)
    __builtin_trap(); /* called after it asked to stop */
  if (!memchr(h->evidence, '\0', sizeof h->evidence))
    __builtin_trap();
  if (h->length == 0 || h->offset > r->n || h->length > r->n - h->offset)
    __builtin_trap();
  const uint8_t *at = r->p + h->offset;
  switch (h->kind) {
  case LEAK_CARD:
    check_card(r, h);
    break;
  case LEAK_PRIVATE_KEY:
    if (h->length < 27 || memcmp(at, "-----BEGIN ", 11) != 0 ||
        memcmp(at + h->length - 16, "PRIVATE KEY-----", 16) != 0)
      __builtin_trap();
    break;
  case LEAK_AWS_ACCESS_KEY:
    if (h->length != 20 || (memcmp(at, "AKIA", 4) != 0 && memcmp(at, "ASIA", 4) != 0))
      __builtin_trap();
    break;
  case LEAK_AWS_SECRET_KEY:
    if (h->length != 40)
      __builtin_trap();
    break;
  case LEAK_USER:
    if (h->pattern >= sizeof user / sizeof user[0])
      __builtin_trap();
    break;
  default:
    __builtin_trap();
  }
  r->hits++;
  r->sum = r->sum * 31 + h->offset * 7 + h->length * 3 + (uint64_t)h->kind;
  return r->stop_first;
}

#define EDGE_CAP (1u << 20)

/* EDGE_CAP bytes followed by a page that cannot be read. */
static uint8_t *edge_region(void) {
  static uint8_t *edge;
  if (!edge) {
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    uint8_t *m = mmap(NULL, EDGE_CAP + pg, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || mprotect(m + EDGE_CAP, pg, PROT_NONE) != 0)
      __builtin_trap();
    edge = m;
  }
  return edge;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct leak_matcher *m;
  static struct leak_scratch *s;
  if (!m) {
    struct hb_error err = {0};
    if (leak_matcher_build(user, sizeof user / sizeof user[0], &m, &err) != 0 ||
        leak_scratch_alloc(m, &s, &err) != 0)
      __builtin_trap();
  }
  if (size == 0)
    return 0;
  int stop_first = data[0] & 1;
  size_t n = size - 1;
  uint8_t *p = malloc(n ? n : 1);
  if (!p)
    return 0;
  memcpy(p, data + 1, n);
  struct run a = {.p = p, .n = n, .stop_first = stop_first};
  struct run b = a;
  if (n <= EDGE_CAP) { /* the same bytes, ending at the unreadable page */
    b.p = edge_region() + EDGE_CAP - n;
    memcpy((uint8_t *)b.p, p, n);
  }
  int ra = leak_scan(m, s, p, n, on_hit, &a);
  int rb = leak_scan(m, s, b.p, n, on_hit, &b);
  if (ra < 0 || ra != rb || a.hits != b.hits || a.sum != b.sum)
    __builtin_trap();
  if (ra == 1 && (!stop_first || a.hits != 1))
    __builtin_trap();
  free(p);
  return 0;
}
