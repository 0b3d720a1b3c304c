/* tests/unit/test_l7_dhcp.c — the DHCP probe: DISCOVER and OFFER with one
 * xid, facts (message type, host name, vendor class), plain BOOTP, options
 * cut by a snap length, the fixed fields' checks, junk, and the other
 * protocols' openings. Messages follow RFC 2131 §2; payloads are copied
 * into exact-size buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l7_probe_test.h"

static int feed_s(struct run *r, const struct sample *m, uint8_t dir, uint16_t port) {
  return feed_fn(l7_probe_dhcp, r, m->b, m->n, dir, UDP, port);
}

/* A server's reply of type t to xid. */
static void server_reply(struct sample *s, uint32_t xid, unsigned type) {
  memset(s, 0, sizeof *s);
  s_u8(s, 2), s_u8(s, 1), s_u8(s, 6), s_u8(s, 0);
  s_u32(s, xid), s_u16(s, 0), s_u16(s, 0);
  s_u32(s, 0), s_u32(s, 0xc0a8010a), s_u32(s, 0xc0a80101), s_u32(s, 0);
  s_u8(s, 0x00), s_u8(s, 0x0b), s_u8(s, 0x82), s_u8(s, 0x01), s_u8(s, 0xfc),
      s_u8(s, 0x42);
  s_zero(s, 10 + 64 + 128);
  s_u8(s, 99), s_u8(s, 130), s_u8(s, 83), s_u8(s, 99);
  s_u8(s, 53), s_u8(s, 1), s_u8(s, type);
  s_u8(s, 54), s_u8(s, 4), s_u32(s, 0xc0a80101);
  s_u8(s, 51), s_u8(s, 4), s_u32(s, 86400);
  s_u8(s, 0), s_u8(s, 0); /* pad */
  s_u8(s, 255);
}

static void test_discover_offer(void **state) {
  (void)state;
  struct sample all[S_COUNT], offer;
  samples_all(all);
  server_reply(&offer, 0x3903f326, 2);
  struct run r = {0};
  assert_int_equal(feed_s(&r, &all[S_DHCP], 0, 67), L7_MATCH);
  assert_int_equal(r.conf, 90);
  assert_string_equal(r.f.u.gen.verb, "DISCOVER");
  assert_string_equal(r.f.u.gen.object, "laptop");
  assert_string_equal(r.f.u.gen.software, "MSFT 5.0");
  assert_int_equal(feed_s(&r, &offer, 1, 67), L7_DONE);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.verb, "DISCOVER");
  /* Another transaction's reply proves nothing more. */
  struct sample ack;
  server_reply(&ack, 0x12345678, 5);
  struct run r2 = {0};
  assert_int_equal(feed_s(&r2, &all[S_DHCP], 0, 67), L7_MATCH);
  assert_int_equal(feed_s(&r2, &ack, 1, 67), L7_MATCH);
  assert_int_equal(r2.conf, 90);
  /* A reply alone (the client's broadcast is another flow). */
  struct run r3 = {0};
  assert_int_equal(feed_s(&r3, &ack, 1, 68), L7_MATCH);
  assert_string_equal(r3.f.u.gen.verb, "ACK");
}

static void test_bootp_and_cut(void **state) {
  (void)state;
  struct sample all[S_COUNT];
  samples_all(all);
  /* BOOTP: the cookie and no option 53. */
  struct sample b = all[S_DHCP];
  b.n = 240;
  s_u8(&b, 255);
  struct run r = {0};
  assert_int_equal(feed_s(&r, &b, 0, 67), L7_MATCH);
  assert_int_equal(r.conf, 75);
  assert_string_equal(r.f.u.gen.verb, "BOOTREQUEST");
  /* Options cut by the snap length: claimed, 10 points lower. */
  struct run r2 = {0};
  assert_int_equal(feed_fn(l7_probe_dhcp, &r2, all[S_DHCP].b, 250, 0, UDP, 67), L7_MATCH);
  assert_int_equal(r2.conf, 80);
  assert_string_equal(r2.f.u.gen.verb, "DISCOVER");
  assert_string_equal(r2.f.u.gen.object, "");
  /* Shorter than the fixed part and the cookie: given up. */
  size_t first = check_prefixes(l7_probe_dhcp, all[S_DHCP].b, all[S_DHCP].n, 0, UDP, 67, 1);
  assert_int_equal(first, 240);
}

static void test_bad_fields(void **state) {
  (void)state;
  struct sample all[S_COUNT];
  samples_all(all);
  const struct sample *m = &all[S_DHCP];
  struct {
    size_t at;
    uint8_t v;
  } const edits[] = {
      {0, 3},      /* op 3 */
      {1, 0},      /* htype 0 */
      {2, 7},      /* Ethernet with hlen 7 */
      {3, 17},     /* hops 17 */
      {11, 0x01},  /* a flag other than broadcast */
      {236, 98},   /* the magic cookie */
      {241, 2},    /* option 53 of length 2 */
      {242, 0},    /* message type 0 */
      {242, 19},   /* message type 19 */
      {242, 2},    /* OFFER in a BOOTREQUEST */
      {0, 2},      /* DISCOVER in a BOOTREPLY */
  };
  for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
    struct sample x = *m;
    x.b[edits[i].at] = edits[i].v;
    struct run r = {0};
    if (feed_s(&r, &x, 0, 67) != L7_NO)
      fail_msg("edit %zu claimed", i);
  }
  /* Option 53 twice. */
  struct sample y = *m;
  y.n--; /* drop the end option */
  s_u8(&y, 53), s_u8(&y, 1), s_u8(&y, 3), s_u8(&y, 255);
  struct run r = {0};
  assert_int_equal(feed_s(&r, &y, 0, 67), L7_NO);
  /* Over TCP. */
  assert_int_equal(feed_fn(l7_probe_dhcp, &r, m->b, m->n, 0, TCP, 67), L7_NO);
}

static void test_not_dhcp(void **state) {
  (void)state;
  assert_no_on_others(l7_probe_dhcp, 1u << S_DHCP);
  assert_junk_unclaimed(l7_probe_dhcp, UDP, 67);
}

static void test_dispatcher(void **state) {
  (void)state;
  struct sample all[S_COUNT], offer;
  samples_all(all);
  server_reply(&offer, 0x3903f326, 2);
  const struct flow_pkt pk[] = {{all[S_DHCP].b, all[S_DHCP].n, 0}, {offer.b, offer.n, 1}};
  struct ev_l7 l7;
  uint8_t conf = 0;
  assert_string_equal(dispatch(pk, 2, UDP, 67, &l7, &conf), "dhcp");
  assert_int_equal(conf, 100);
  assert_string_equal(l7.app_software, "MSFT 5.0");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_discover_offer), cmocka_unit_test(test_bootp_and_cut),
      cmocka_unit_test(test_bad_fields),     cmocka_unit_test(test_not_dhcp),
      cmocka_unit_test(test_dispatcher),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
