/* tests/unit/test_l7_quic.c — the QUIC probe: a client's Initial (v1, v2,
 * draft-29) and the server's answers whose DCID is the client's SCID
 * (Initial coalesced with Handshake, Retry, Version Negotiation), short
 * headers after the handshake, the header checks, cut datagrams, junk, and
 * the other protocols' openings. Packets follow RFC 9000 §17 and RFC 9369;
 * their encrypted parts are filler. Payloads are copied into exact-size
 * buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l7_probe_test.h"

static int feed_s(struct run *r, const struct sample *m, uint8_t dir) {
  return feed_fn(l7_probe_quic, r, m->b, m->n, dir, UDP, 443);
}

static const uint8_t CLIENT_SCID[5] = {0x11, 0x22, 0x33, 0x44, 0x55};

/* A long-header packet: first byte, version, CIDs, the token (Initial
 * only, when token_len >= 0), a 2-byte Length and `body` filler bytes. */
static void long_packet(struct sample *s, uint8_t first, uint32_t version,
                        const uint8_t *dcid, size_t dl, const uint8_t *scid,
                        size_t sl, int token_len, size_t body) {
  s_u8(s, first), s_u32(s, version);
  s_u8(s, (unsigned)dl), s_put(s, dcid, dl);
  s_u8(s, (unsigned)sl), s_put(s, scid, sl);
  if (token_len >= 0) {
    s_u8(s, (unsigned)token_len);
    for (int i = 0; i < token_len; i++)
      s_u8(s, 0xa0 + (unsigned)i);
  }
  s_u16(s, 0x4000 | (unsigned)body);
  for (size_t i = 0; i < body; i++)
    s_u8(s, (unsigned)(i * 13 + 5));
}

/* The server's first datagram: Initial (no token) + Handshake. */
static void server_flight(struct sample *s, uint32_t version, uint8_t init,
                          uint8_t hs, const uint8_t *dcid, size_t dl) {
  static const uint8_t scid[8] = {0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8};
  memset(s, 0, sizeof *s);
  long_packet(s, init, version, dcid, dl, scid, 8, 0, 120);
  long_packet(s, hs, version, dcid, dl, scid, 8, -1, 900);
}

static void client_initial(struct sample *s, uint8_t first, uint32_t version) {
  static const uint8_t dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
  memset(s, 0, sizeof *s);
  long_packet(s, first, version, dcid, 8, CLIENT_SCID, 5, 0, 1200 - 23); /* 1200 bytes */
}

static void test_v1_handshake(void **state) {
  (void)state;
  struct sample all[S_COUNT], srv;
  samples_all(all);
  struct run r = {0};
  assert_int_equal(feed_s(&r, &all[S_QUIC], 0), L7_MATCH);
  assert_int_equal(r.conf, 90);
  assert_string_equal(r.f.u.gen.software, "QUIC v1");
  assert_string_equal(r.f.u.gen.verb, "Initial");
  server_flight(&srv, 1, 0xc1, 0xe1, CLIENT_SCID, 5);
  assert_int_equal(feed_s(&r, &srv, 1), L7_DONE);
  assert_int_equal(r.conf, 100);
  /* A server answering another connection's ID proves less. */
  static const uint8_t other[5] = {0x11, 0x99, 0x33, 0x44, 0x55};
  struct sample srv2;
  server_flight(&srv2, 1, 0xc1, 0xe1, other, 5);
  struct run r2 = {0};
  assert_int_equal(feed_s(&r2, &all[S_QUIC], 0), L7_MATCH);
  assert_int_equal(feed_s(&r2, &srv2, 1), L7_MATCH);
  assert_int_equal(r2.conf, 90);
  /* After the handshake, 1-RTT short headers are ours. */
  static const uint8_t short_hdr[40] = {0x41, 0x11, 0x22, 0x33, 0x44, 0x55};
  assert_int_equal(feed_fn(l7_probe_quic, &r2, short_hdr, sizeof short_hdr, 0, UDP, 443),
                   L7_MATCH);
  /* Alone, a short header is nothing to go on. */
  struct run r3 = {0};
  assert_int_equal(feed_fn(l7_probe_quic, &r3, short_hdr, sizeof short_hdr, 0, UDP, 443),
                   L7_NO);
}

static void test_versions(void **state) {
  (void)state;
  /* v2 (RFC 9369): Initial is type 1, Handshake type 3. */
  struct sample c, s;
  client_initial(&c, 0xd3, 0x6b3343cf);
  server_flight(&s, 0x6b3343cf, 0xd0, 0xf0, CLIENT_SCID, 5);
  struct run r = {0};
  assert_int_equal(feed_s(&r, &c, 0), L7_MATCH);
  assert_string_equal(r.f.u.gen.software, "QUIC v2");
  assert_string_equal(r.f.u.gen.verb, "Initial");
  assert_int_equal(feed_s(&r, &s, 1), L7_DONE);
  /* v2 with v1's Initial code is a Retry: not a client's packet, and a
   * Retry's token and tag are what it then needs. */
  struct sample wrong;
  client_initial(&wrong, 0xc3, 0x6b3343cf);
  struct run r2 = {0};
  assert_int_equal(feed_s(&r2, &wrong, 0), L7_MATCH);
  assert_string_equal(r2.f.u.gen.verb, "Retry");
  /* draft-29. */
  struct sample d;
  client_initial(&d, 0xc3, 0xff00001d);
  struct run r3 = {0};
  assert_int_equal(feed_s(&r3, &d, 0), L7_MATCH);
  assert_string_equal(r3.f.u.gen.software, "QUIC draft-29");
  /* Unknown versions: Google's Q050, a GREASE version. */
  static const uint32_t unknown[] = {0x51303530, 0x0a0a0a0a, 0xff000010, 0x00000002};
  for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++) {
    struct sample u;
    client_initial(&u, 0xc3, unknown[i]);
    struct run r4 = {0};
    assert_int_equal(feed_s(&r4, &u, 0), L7_NO);
  }
}

static void test_retry_and_version_negotiation(void **state) {
  (void)state;
  struct sample all[S_COUNT];
  samples_all(all);
  static const uint8_t scid[8] = {0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8};
  /* Version Negotiation: version 0, the CIDs swapped, a list of versions. */
  struct sample vn;
  memset(&vn, 0, sizeof vn);
  s_u8(&vn, 0x80 | 0x2a), s_u32(&vn, 0);
  s_u8(&vn, 5), s_put(&vn, CLIENT_SCID, 5), s_u8(&vn, 8), s_put(&vn, all[S_QUIC].b + 6, 8);
  s_u32(&vn, 0x6b3343cf), s_u32(&vn, 1);
  struct run r = {0};
  assert_int_equal(feed_s(&r, &all[S_QUIC], 0), L7_MATCH);
  assert_int_equal(feed_s(&r, &vn, 1), L7_DONE);
  /* Alone, version 0 is too little. */
  struct run r2 = {0};
  assert_int_equal(feed_s(&r2, &vn, 1), L7_NO);
  /* Retry (v1 type 3): a token and the 16-byte integrity tag. */
  struct sample retry;
  memset(&retry, 0, sizeof retry);
  s_u8(&retry, 0xf0), s_u32(&retry, 1);
  s_u8(&retry, 5), s_put(&retry, CLIENT_SCID, 5), s_u8(&retry, 8), s_put(&retry, scid, 8);
  s_zero(&retry, 40 + 16);
  struct run r3 = {0};
  assert_int_equal(feed_s(&r3, &all[S_QUIC], 0), L7_MATCH);
  assert_int_equal(feed_s(&r3, &retry, 1), L7_DONE);
  /* A server's flight alone. */
  struct sample srv;
  server_flight(&srv, 1, 0xc1, 0xe1, CLIENT_SCID, 5);
  struct run r4 = {0};
  assert_int_equal(feed_s(&r4, &srv, 1), L7_MATCH);
  assert_int_equal(r4.conf, 80);
}

static void test_bad_headers(void **state) {
  (void)state;
  struct sample all[S_COUNT];
  samples_all(all);
  const struct sample *m = &all[S_QUIC];
  struct {
    size_t at;
    uint8_t v;
  } const edits[] = {
      {0, 0x83},  /* fixed bit clear */
      {5, 21},    /* a DCID of 21 bytes */
      {14, 21},   /* a SCID of 21 bytes */
      {20, 0x44}, /* a 2-byte token length (1092): what follows is no Length */
      {21, 0x7f}, /* Length past the datagram */
      {0, 0x03},  /* a short header with no flow */
  };
  for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
    struct sample x = *m;
    x.b[edits[i].at] = edits[i].v;
    struct run r = {0};
    int v = feed_s(&r, &x, 0);
    if (v != L7_NO)
      fail_msg("edit %zu: verdict %d", i, v);
  }
  /* A Length under 20 bytes (no room for the header protection sample). */
  struct sample tiny;
  memset(&tiny, 0, sizeof tiny);
  long_packet(&tiny, 0xe1, 1, CLIENT_SCID, 5, CLIENT_SCID, 5, -1, 19);
  struct run r = {0};
  assert_int_equal(feed_s(&r, &tiny, 1), L7_NO);
  /* A client-looking Initial cut by the snap length: its Length no longer
   * fits, given up (datagrams are whole or not QUIC). */
  check_prefixes(l7_probe_quic, m->b, m->n, 0, UDP, 443, 1);
  assert_int_equal(feed_fn(l7_probe_quic, &r, m->b, 600, 0, UDP, 443), L7_NO);
  /* Over TCP. */
  assert_int_equal(feed_fn(l7_probe_quic, &r, m->b, m->n, 0, TCP, 443), L7_NO);
}

static void test_not_quic(void **state) {
  (void)state;
  assert_no_on_others(l7_probe_quic, 1u << S_QUIC);
  assert_junk_unclaimed(l7_probe_quic, UDP, 443);
}

static void test_dispatcher(void **state) {
  (void)state;
  struct sample all[S_COUNT], srv;
  samples_all(all);
  server_flight(&srv, 1, 0xc1, 0xe1, CLIENT_SCID, 5);
  const struct flow_pkt pk[] = {{all[S_QUIC].b, all[S_QUIC].n, 0}, {srv.b, srv.n, 1}};
  struct ev_l7 l7;
  uint8_t conf = 0;
  assert_string_equal(dispatch(pk, 2, UDP, 443, &l7, &conf), "quic");
  assert_int_equal(conf, 100);
  assert_string_equal(l7.app_software, "QUIC v1");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_v1_handshake),
      cmocka_unit_test(test_versions),
      cmocka_unit_test(test_retry_and_version_negotiation),
      cmocka_unit_test(test_bad_headers),
      cmocka_unit_test(test_not_quic),
      cmocka_unit_test(test_dispatcher),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
