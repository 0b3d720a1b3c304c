/* tests/unit/test_l7_ntp.c — the NTP probe: a client request and the
 * server's reply that echoes its transmit time, replies alone, SNTP,
 * control (mode 6) and private (mode 7, monlist) messages, the header
 * sanity checks, cut datagrams, junk, and the other protocols' openings.
 * Payloads are copied into exact-size buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l7_probe_test.h"

static int feed_s(struct run *r, const struct sample *m, uint8_t dir, uint16_t port) {
  return feed_fn(l7_probe_ntp, r, m->b, m->n, dir, UDP, port);
}

/* A server's reply (RFC 5905 §7.3): stratum, reference id, origin. */
static void reply(struct sample *s, unsigned stratum, const uint8_t refid[4],
                  uint32_t origin_s, uint32_t origin_f) {
  memset(s, 0, sizeof *s);
  s_u8(s, 0x24), s_u8(s, stratum), s_u8(s, 6), s_u8(s, 0xe9); /* v4 server */
  s_u32(s, 0x00000010), s_u32(s, 0x00000020);                 /* root delay, dispersion */
  s_put(s, refid, 4);
  s_u32(s, 0xe9c0a100), s_u32(s, 0);                          /* reference */
  s_u32(s, origin_s), s_u32(s, origin_f);                     /* origin */
  s_u32(s, 0xe9c0a1b2), s_u32(s, 0x60000000);                 /* receive */
  s_u32(s, 0xe9c0a1b2), s_u32(s, 0x61000000);                 /* transmit */
}

static void test_request_reply(void **state) {
  (void)state;
  struct sample all[S_COUNT], rep;
  samples_all(all);
  static const uint8_t gps[4] = {'G', 'P', 'S', 0};
  reply(&rep, 1, gps, 0xe9c0a1b2, 0x5a6b7c8d);
  struct run r = {0};
  assert_int_equal(feed_s(&r, &all[S_NTP], 0, 123), L7_MATCH);
  assert_int_equal(r.conf, 75);
  assert_string_equal(r.f.u.gen.verb, "client");
  assert_string_equal(r.f.u.gen.software, "NTPv4");
  assert_int_equal(feed_s(&r, &rep, 1, 123), L7_DONE);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.object, "GPS");
  /* A reply whose origin is not the request's transmit time. */
  struct sample other;
  reply(&other, 1, gps, 0xe9c0a1b2, 0x11111111);
  struct run r2 = {0};
  assert_int_equal(feed_s(&r2, &all[S_NTP], 0, 123), L7_MATCH);
  assert_int_equal(feed_s(&r2, &other, 1, 123), L7_MATCH);
  assert_int_equal(r2.conf, 85);
}

static void test_reply_alone(void **state) {
  (void)state;
  static const uint8_t ip[4] = {192, 0, 2, 1};
  struct sample rep;
  reply(&rep, 2, ip, 0, 0);
  struct run r = {0};
  assert_int_equal(feed_s(&r, &rep, 1, 12300), L7_MATCH);
  assert_int_equal(r.conf, 70);
  assert_string_equal(r.f.u.gen.verb, "server");
  assert_string_equal(r.f.u.gen.object, "192.0.2.1");
  /* A kiss-o'-death (stratum 0, "RATE"). */
  static const uint8_t rate[4] = {'R', 'A', 'T', 'E'};
  reply(&rep, 0, rate, 0, 0);
  struct run r2 = {0};
  assert_int_equal(feed_s(&r2, &rep, 1, 123), L7_MATCH);
  assert_string_equal(r2.f.u.gen.object, "RATE");
  /* With a MAC (key id and MD5), or extension fields (v4). */
  static const size_t tails[] = {20, 24, 4, 16, 32};
  for (size_t i = 0; i < sizeof tails / sizeof *tails; i++) {
    struct sample t = rep;
    s_zero(&t, tails[i]);
    struct run r3 = {0};
    assert_int_equal(feed_s(&r3, &t, 1, 123), L7_MATCH);
  }
}

static void test_sntp_control_private(void **state) {
  (void)state;
  /* SNTP: all zero but the first byte and the transmit time. */
  struct sample s;
  memset(&s, 0, sizeof s);
  s_u8(&s, 0x1b), s_zero(&s, 39), s_u32(&s, 0xe9c0a1b2), s_u32(&s, 0x1);
  struct run r = {0};
  assert_int_equal(feed_s(&r, &s, 0, 123), L7_MATCH);
  assert_string_equal(r.f.u.gen.software, "NTPv3");
  /* ntpq's READVAR (mode 6). */
  static const uint8_t readvar[12] = {0x16, 0x02, 0x00, 0x01};
  struct run r2 = {0};
  assert_int_equal(feed_fn(l7_probe_ntp, &r2, readvar, sizeof readvar, 0, UDP, 123),
                   L7_MATCH);
  assert_string_equal(r2.f.u.gen.verb, "control");
  /* ntpdc's MON_GETLIST_1 (mode 7), as masscan sends it. */
  uint8_t monlist[48] = {0x17, 0x00, 0x03, 0x2a};
  struct run r3 = {0};
  assert_int_equal(feed_fn(l7_probe_ntp, &r3, monlist, sizeof monlist, 0, UDP, 123),
                   L7_MATCH);
  assert_string_equal(r3.f.u.gen.verb, "private");
  assert_string_equal(r3.f.u.gen.software, "NTPv2");
}

static void test_insane_headers(void **state) {
  (void)state;
  struct sample all[S_COUNT];
  samples_all(all);
  const struct sample *m = &all[S_NTP];
  struct {
    size_t at;
    uint8_t v;
  } const edits[] = {
      {0, 0x03}, /* version 0 */
      {0, 0x2b}, /* version 5 */
      {0, 0x20}, /* mode 0 */
      {1, 17},   /* stratum 17 */
      {2, 18},   /* poll 18 */
      {3, 0x05}, /* precision +5 */
      {3, 0xd0}, /* precision -48 */
      {4, 0x01}, /* root delay 256 s */
      {9, 0x10}, /* root dispersion 16 s */
  };
  for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
    struct sample x = *m;
    x.b[edits[i].at] = edits[i].v;
    struct run r = {0};
    if (feed_s(&r, &x, 0, 123) != L7_NO)
      fail_msg("edit %zu claimed", i);
  }
  /* Lengths: 47, 49, and a v3 header with extension fields. */
  struct run r = {0};
  assert_int_equal(feed_fn(l7_probe_ntp, &r, m->b, 47, 0, UDP, 123), L7_NO);
  struct sample y = *m;
  s_zero(&y, 1);
  assert_int_equal(feed_s(&r, &y, 0, 123), L7_NO);
  struct sample z = *m;
  z.b[0] = 0x1b;
  s_zero(&z, 16);
  assert_int_equal(feed_s(&r, &z, 0, 123), L7_NO);
  /* A server's reply that never says when it was sent. */
  static const uint8_t ip[4] = {10, 0, 0, 1};
  struct sample rep;
  reply(&rep, 2, ip, 0, 0);
  memset(rep.b + 40, 0, 8);
  assert_int_equal(feed_s(&r, &rep, 1, 123), L7_NO);
  /* Over TCP, NTP is not. */
  assert_int_equal(feed_fn(l7_probe_ntp, &r, m->b, m->n, 0, TCP, 123), L7_NO);
}

static void test_prefixes_and_junk(void **state) {
  (void)state;
  struct sample all[S_COUNT];
  samples_all(all);
  /* A datagram cut short has no header to check: given up. */
  size_t first = check_prefixes(l7_probe_ntp, all[S_NTP].b, all[S_NTP].n, 0, UDP, 123, 1);
  assert_int_equal(first, all[S_NTP].n + 1);
  assert_junk_unclaimed(l7_probe_ntp, UDP, 123);
  assert_no_on_others(l7_probe_ntp, 1u << S_NTP);
}

static void test_dispatcher(void **state) {
  (void)state;
  struct sample all[S_COUNT], rep;
  samples_all(all);
  static const uint8_t gps[4] = {'G', 'P', 'S', 0};
  reply(&rep, 1, gps, 0xe9c0a1b2, 0x5a6b7c8d);
  const struct flow_pkt pk[] = {{all[S_NTP].b, all[S_NTP].n, 0}, {rep.b, rep.n, 1}};
  struct ev_l7 l7;
  uint8_t conf = 0;
  assert_string_equal(dispatch(pk, 2, UDP, 123, &l7, &conf), "ntp");
  assert_int_equal(conf, 100);
  assert_string_equal(l7.app_object, "GPS");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_request_reply),
      cmocka_unit_test(test_reply_alone),
      cmocka_unit_test(test_sntp_control_private),
      cmocka_unit_test(test_insane_headers),
      cmocka_unit_test(test_prefixes_and_junk),
      cmocka_unit_test(test_dispatcher),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
