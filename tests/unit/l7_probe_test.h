/* tests/unit/l7_probe_test.h — what the probe tests share: feeding one
 * probe a payload copied into a buffer of exactly its length (so the ASan
 * build catches any read past it), every prefix of a message, random junk,
 * the other protocols' first messages (l7_samples.h), and a whole flow
 * through the dispatcher. Include after cmocka.h. */
#ifndef HABIT_TESTS_L7_PROBE_TEST_H
#define HABIT_TESTS_L7_PROBE_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/l7/l7.h"
#include "l7_samples.h"

#define TCP 6
#define UDP 17

/* One flow as the dispatcher keeps it for one probe. */
struct run {
  union l7_scratch s;
  struct l7_facts f;
  uint8_t conf;
};

static inline int feed_fn(l7_probe_fn fn, struct run *r, const void *data,
                          size_t len, uint8_t dir, uint8_t proto, uint16_t port) {
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, data, len);
  struct l7_pkt p = {copy, len, proto, dir, 40000, port};
  int v = fn(&p, &r->s, &r->f, &r->conf);
  free(copy);
  assert_true(r->conf <= 100);
  return v;
}

static inline int claimed(int v) { return v == L7_MATCH || v == L7_DONE; }

/* Every string of the generic facts is terminated inside its field. */
static inline void assert_gen_terminated(const struct l7_facts *f) {
  assert_non_null(memchr(f->u.gen.verb, 0, sizeof f->u.gen.verb));
  assert_non_null(memchr(f->u.gen.object, 0, sizeof f->u.gen.object));
  assert_non_null(memchr(f->u.gen.user, 0, sizeof f->u.gen.user));
  assert_non_null(memchr(f->u.gen.software, 0, sizeof f->u.gen.software));
}

/* The probe gives up (L7_NO) on every other protocol's first message but
 * those in `except` (bits of S_*: its own, or an opening it shares). */
static inline void assert_no_on_others(l7_probe_fn fn, uint32_t except) {
  static struct sample all[S_COUNT];
  samples_all(all);
  for (int i = 0; i < S_COUNT; i++) {
    if (except & (1u << i))
      continue;
    struct run r;
    memset(&r, 0, sizeof r);
    int v = feed_fn(fn, &r, all[i].b, all[i].n, all[i].dir, all[i].proto,
                    all[i].port);
    if (v != L7_NO)
      fail_msg("verdict %d on %s's first message", v, all[i].name);
  }
}

/* Random payloads, alone and in pairs, are never claimed. */
static inline void assert_junk_unclaimed(l7_probe_fn fn, uint8_t proto,
                                         uint16_t port) {
  uint32_t x = 12345u + port;
  int claims = 0;
  for (int i = 0; i < 20000; i++) {
    uint8_t b[2][300];
    size_t n[2];
    for (int k = 0; k < 2; k++) {
      n[k] = 1 + (size_t)((i * 7 + k * 13) % (k ? 300 : 80));
      for (size_t j = 0; j < n[k]; j++) {
        x = x * 1103515245u + 12345u;
        b[k][j] = (uint8_t)(x >> 16);
      }
    }
    struct run r;
    memset(&r, 0, sizeof r);
    int v = feed_fn(fn, &r, b[0], n[0], (uint8_t)(i & 1), proto, port);
    if (v == L7_MORE)
      v = feed_fn(fn, &r, b[1], n[1], (uint8_t)!(i & 1), proto, port);
    claims += claimed(v);
  }
  assert_int_equal(claims, 0);
}

/* Every prefix of msg (as if cut by the segment or the snap length) is
 * answered without a crash and with terminated facts; never NO unless
 * no_ok (UDP protocols whose datagram length is checked). Returns the
 * shortest prefix length that was claimed (len+1 if none). */
static inline size_t check_prefixes(l7_probe_fn fn, const void *msg, size_t len,
                                    uint8_t dir, uint8_t proto, uint16_t port,
                                    int no_ok) {
  size_t first = len + 1;
  for (size_t n = 1; n < len; n++) {
    struct run r;
    memset(&r, 0, sizeof r);
    int v = feed_fn(fn, &r, msg, n, dir, proto, port);
    if (v == L7_NO && !no_ok)
      fail_msg("prefix of %zu/%zu bytes: NO", n, len);
    assert_gen_terminated(&r.f);
    if (claimed(v) && n < first)
      first = n;
  }
  return first;
}

/* A whole flow through the dispatcher: packets alternate as given. */
struct flow_pkt {
  const void *data;
  size_t len;
  uint8_t dir;
};

static inline const char *dispatch(const struct flow_pkt *pk, size_t count,
                                   uint8_t proto, uint16_t port,
                                   struct ev_l7 *out, uint8_t *conf) {
  static char app[EV_APP_MAX];
  struct l7_flow f;
  l7_flow_init(&f);
  for (size_t i = 0; i < count; i++) {
    uint8_t *copy = malloc(pk[i].len ? pk[i].len : 1);
    assert_non_null(copy);
    memcpy(copy, pk[i].data, pk[i].len);
    struct l7_pkt p = {copy, pk[i].len, proto, pk[i].dir, 40000, port};
    l7_flow_inspect(&f, &p);
    free(copy);
  }
  l7_flow_export(&f, app, conf, out);
  l7_flow_release(&f);
  return app;
}

#endif
