/* tests/unit/test_l7_http2.c — the HTTP/2 and gRPC probes (one examination
 * in collect/l7/http2.c): the preface and the server's SETTINGS, the HPACK
 * decoder on RFC 7541's own examples (Appendix C, plain and Huffman-coded)
 * and on a real exchange (nDPI's http2.pcapng), the grpc decision by
 * content-type from the request or the response, the packet budget,
 * malformed frames and strings, cut input, junk, and the other protocols'
 * openings. Payloads are copied into exact-size buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l7_probe_test.h"

struct pair {
  struct run h2, grpc;
};

/* Feed both probes; return the http2 verdict, the grpc one in *g. */
static int feed2(struct pair *p, const void *b, size_t n, uint8_t dir, int *g) {
  int v = feed_fn(l7_probe_http2, &p->h2, b, n, dir, TCP, 8080);
  *g = feed_fn(l7_probe_grpc, &p->grpc, b, n, dir, TCP, 8080);
  return v;
}

static void frame(struct sample *s, unsigned type, unsigned flags, uint32_t stream,
                  const void *payload, size_t n) {
  s_u8(s, (unsigned)(n >> 16)), s_u16(s, (unsigned)(n & 0xffff));
  s_u8(s, type), s_u8(s, flags), s_u32(s, stream);
  s_put(s, payload, n);
}

static void headers(struct sample *s, const void *block, size_t n) {
  memset(s, 0, sizeof *s);
  frame(s, 1, 0x04 | 0x01, 1, block, n); /* END_HEADERS, END_STREAM */
}

/* nDPI's http2.pcapng: a 5G core's POST over h2c, packets 1, 2, 4, 7. */
static const uint8_t NDPI_PREFACE[] = {
    0x50, 0x52, 0x49, 0x20, 0x2a, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x32,
    0x2e, 0x30, 0x0d, 0x0a, 0x0d, 0x0a, 0x53, 0x4d, 0x0d, 0x0a, 0x0d, 0x0a,
    0x00, 0x00, 0x12, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x40, 0x00, 0x00, 0x00, 0x06, 0x00,
    0xa0, 0x00, 0x00, 0x00, 0x00, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x40, 0x00, 0x00, 0x00};
static const uint8_t NDPI_REQUEST[] = {
    0x00, 0x00, 0x5d, 0x01, 0x04, 0x00, 0x00, 0x00, 0x03, 0x41, 0x8b, 0x08,
    0x9d, 0x5c, 0x0b, 0x81, 0x70, 0xdc, 0x13, 0xed, 0x85, 0xef, 0x83, 0x45,
    0x93, 0x62, 0xa1, 0xd3, 0x2a, 0xc4, 0x3d, 0x34, 0xb1, 0xdc, 0x2c, 0x22,
    0xd8, 0xd0, 0x4b, 0x0d, 0x5a, 0x4c, 0x7a, 0x91, 0x86, 0x5f, 0x8b, 0x1d,
    0x75, 0xd0, 0x62, 0x0d, 0x26, 0x3d, 0x4c, 0x74, 0x41, 0xea, 0x53, 0x8b,
    0x1d, 0x75, 0xd0, 0x62, 0x0d, 0x26, 0x3d, 0x4c, 0x74, 0x41, 0xea, 0x7a,
    0x93, 0xd5, 0x59, 0x6a, 0x87, 0x5e, 0x45, 0xb1, 0x16, 0xa2, 0xd8, 0x34,
    0x9e, 0xc6, 0x02, 0xb8, 0x17, 0x03, 0x13, 0x1f, 0x5c, 0x03, 0x31, 0x33,
    0x35, 0x50, 0x83, 0x9b, 0xd9, 0xab};
static const uint8_t NDPI_SETTINGS[] = {
    0x00, 0x00, 0x18, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00,
    0x10, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0xfa, 0x00, 0x06, 0x00,
    0x10, 0x01, 0x40, 0x00, 0x04, 0x00, 0x10, 0x00, 0x00};
static const uint8_t NDPI_RESPONSE[] = {
    0x00, 0x00, 0x53, 0x01, 0x04, 0x00, 0x00, 0x00, 0x03, 0x4e, 0x82, 0x10,
    0x03, 0x5f, 0x8b, 0x1d, 0x75, 0xd0, 0x62, 0x0d, 0x26, 0x3d, 0x4c, 0x74,
    0x41, 0xea, 0x6e, 0xa4, 0x9d, 0x29, 0xae, 0xe3, 0x0c, 0x04, 0x4e, 0xae,
    0x05, 0xc0, 0xb8, 0x6e, 0x09, 0xf6, 0xc0, 0xeb, 0x15, 0x56, 0x49, 0x56,
    0x20, 0xe8, 0xa2, 0x31, 0x93, 0xab, 0x1d, 0xc2, 0xc0, 0xe9, 0x95, 0x09,
    0x1a, 0x6d, 0x43, 0x01, 0x5c, 0x02, 0x38, 0x36, 0x61, 0x96, 0xdf, 0x3d,
    0xbf, 0x4a, 0x04, 0x2a, 0x65, 0xb6, 0xa5, 0x04, 0x01, 0x01, 0x40, 0x3d,
    0x70, 0x2e, 0xdc, 0x68, 0x0a, 0x62, 0xd1, 0xbf};

/* A gRPC call's request headers (gRPC's PROTOCOL-HTTP2): :method POST,
 * :scheme http, then literals with incremental indexing whose values are
 * Huffman-coded — :path /helloworld.Greeter/SayHello, :authority
 * localhost:50051, content-type application/grpc —, te: trailers as a
 * plain literal with a new name, user-agent grpc-go/1.60.0. */
static const uint8_t GRPC_BLOCK[] = {
    0x83, 0x86,
    0x44, 0x95, 0x62, 0x72, 0xd1, 0x41, 0xfc, 0x1e, 0xca, 0x24, 0x5f, 0x15,
    0x85, 0x2a, 0x4b, 0x63, 0x1b, 0x87, 0xeb, 0x19, 0x68, 0xa0, 0xff,
    0x41, 0x8b, 0xa0, 0xe4, 0x1d, 0x13, 0x9d, 0x09, 0xb8, 0xd8, 0x00, 0xd8, 0x7f,
    0x5f, 0x8b, 0x1d, 0x75, 0xd0, 0x62, 0x0d, 0x26, 0x3d, 0x4c, 0x4d, 0x65, 0x64,
    0x00, 0x02, 't', 'e', 0x08, 't', 'r', 'a', 'i', 'l', 'e', 'r', 's',
    0x7a, 0x8a, 0x9a, 0xca, 0xc8, 0xb4, 0xc7, 0x60, 0x2b, 0xb8, 0x05, 0xc1};

/* :status 200 and content-type application/grpc (Huffman). */
static const uint8_t GRPC_RESPONSE_BLOCK[] = {
    0x88, 0x5f, 0x8b, 0x1d, 0x75, 0xd0, 0x62, 0x0d, 0x26, 0x3d, 0x4c, 0x4d, 0x65, 0x64};

static void test_ndpi_exchange(void **state) {
  (void)state;
  struct pair p;
  memset(&p, 0, sizeof p);
  int g = 0;
  assert_int_equal(feed2(&p, NDPI_PREFACE, sizeof NDPI_PREFACE, 0, &g), L7_MORE);
  assert_int_equal(g, L7_MORE);
  /* The request's content-type is application/json: HTTP/2, not gRPC. */
  assert_int_equal(feed2(&p, NDPI_REQUEST, sizeof NDPI_REQUEST, 0, &g), L7_MATCH);
  assert_int_equal(g, L7_NO);
  assert_int_equal(p.h2.conf, 90);
  assert_string_equal(p.h2.f.u.gen.verb, "POST");
  assert_string_equal(p.h2.f.u.gen.object, "/namf-comm/v1/subscriptions");
  assert_string_equal(p.h2.f.u.gen.software, "OpenAPI-Generator/1.0.0/go");
  struct run *r = &p.h2;
  assert_int_equal(feed_fn(l7_probe_http2, r, NDPI_SETTINGS, sizeof NDPI_SETTINGS, 1, TCP,
                           29518),
                   L7_MATCH);
  assert_int_equal(r->conf, 100);
  assert_int_equal(feed_fn(l7_probe_http2, r, NDPI_RESPONSE, sizeof NDPI_RESPONSE, 1, TCP,
                           29518),
                   L7_DONE);
  assert_string_equal(r->f.u.gen.verb, "POST");
}

static void test_grpc(void **state) {
  (void)state;
  struct sample all[S_COUNT], req, resp, settings;
  samples_all(all);
  headers(&req, GRPC_BLOCK, sizeof GRPC_BLOCK);
  headers(&resp, GRPC_RESPONSE_BLOCK, sizeof GRPC_RESPONSE_BLOCK);
  memset(&settings, 0, sizeof settings);
  static const uint8_t max_frame[6] = {0x00, 0x05, 0x00, 0x00, 0x40, 0x00};
  frame(&settings, 4, 0, 0, max_frame, sizeof max_frame);
  struct pair p;
  memset(&p, 0, sizeof p);
  int g = 0;
  assert_int_equal(feed2(&p, all[S_HTTP2].b, all[S_HTTP2].n, 0, &g), L7_MORE);
  assert_int_equal(g, L7_MORE);
  assert_int_equal(feed2(&p, req.b, req.n, 0, &g), L7_NO);
  assert_int_equal(g, L7_MATCH);
  struct run *r = &p.grpc;
  assert_int_equal(r->conf, 90);
  assert_string_equal(r->f.u.gen.verb, "POST");
  assert_string_equal(r->f.u.gen.object, "/helloworld.Greeter/SayHello");
  assert_string_equal(r->f.u.gen.software, "grpc-go/1.60.0");
  assert_int_equal(feed_fn(l7_probe_grpc, r, settings.b, settings.n, 1, TCP, 50051), L7_MATCH);
  assert_int_equal(r->conf, 100);
  assert_int_equal(feed_fn(l7_probe_grpc, r, resp.b, resp.n, 1, TCP, 50051), L7_DONE);
  /* The content-type never indexed, plain, with a suffix (+proto). */
  static const uint8_t never[] = {0x83, 0x1f, 0x10, 0x16, 'a', 'p', 'p', 'l', 'i', 'c', 'a',
                                  't', 'i', 'o', 'n', '/', 'g', 'r', 'p', 'c', '+', 'p',
                                  'r', 'o', 't', 'o'};
  struct sample req2;
  headers(&req2, never, sizeof never);
  struct pair p2;
  memset(&p2, 0, sizeof p2);
  feed2(&p2, all[S_HTTP2].b, all[S_HTTP2].n, 0, &g);
  assert_int_equal(feed2(&p2, req2.b, req2.n, 0, &g), L7_NO);
  assert_int_equal(g, L7_MATCH);
}

static void test_decision_from_response(void **state) {
  (void)state;
  /* The request's block is cut before its content-type (a frame longer
   * than the segment): the response decides. */
  struct sample all[S_COUNT], req, resp;
  samples_all(all);
  memset(&req, 0, sizeof req);
  s_u8(&req, 0), s_u16(&req, 200), s_u8(&req, 1), s_u8(&req, 4), s_u32(&req, 1);
  s_u8(&req, 0x83), s_u8(&req, 0x86), s_u8(&req, 0x84);
  headers(&resp, GRPC_RESPONSE_BLOCK, sizeof GRPC_RESPONSE_BLOCK);
  struct pair p;
  memset(&p, 0, sizeof p);
  int g = 0;
  feed2(&p, all[S_HTTP2].b, all[S_HTTP2].n, 0, &g);
  assert_int_equal(feed2(&p, req.b, req.n, 0, &g), L7_MORE);
  assert_int_equal(g, L7_MORE);
  /* The server's first frame is its SETTINGS (empty will do, the preface
   * was seen), then the response's block. */
  static const uint8_t empty[] = {0, 0, 0, 4, 0, 0, 0, 0, 0};
  assert_int_equal(feed2(&p, empty, sizeof empty, 1, &g), L7_MORE);
  assert_int_equal(feed2(&p, resp.b, resp.n, 1, &g), L7_NO);
  assert_int_equal(g, L7_MATCH);
  /* Server side only (the preface lost): its SETTINGS must be known
   * settings, then its HEADERS decide. */
  struct pair q;
  memset(&q, 0, sizeof q);
  assert_int_equal(feed2(&q, NDPI_SETTINGS, sizeof NDPI_SETTINGS, 1, &g), L7_MORE);
  assert_int_equal(feed2(&q, NDPI_RESPONSE, sizeof NDPI_RESPONSE, 1, &g), L7_MATCH);
  assert_int_equal(g, L7_NO);
  assert_int_equal(q.h2.conf, 80);
  assert_string_equal(q.h2.f.u.gen.verb, "");
}

static void test_rfc7541_examples(void **state) {
  (void)state;
  /* C.3.1 (plain) and C.4.1 (Huffman): GET / of www.example.com. */
  static const uint8_t c31[] = {0x82, 0x86, 0x84, 0x41, 0x0f, 'w', 'w', 'w', '.', 'e',
                                'x',  'a',  'm',  'p',  'l',  'e', '.', 'c', 'o', 'm'};
  static const uint8_t c41[] = {0x82, 0x86, 0x84, 0x41, 0x8c, 0xf1, 0xe3, 0xc2,
                                0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff};
  /* C.4.3: a custom header and a reference to the dynamic table (index
   * 63, unknown here: skipped). */
  static const uint8_t c43[] = {0x82, 0x87, 0x85, 0xbf, 0x40, 0x88, 0x25, 0xa8, 0x49,
                                0xe9, 0x5b, 0xa9, 0x7d, 0x7f, 0x89, 0x25, 0xa8, 0x49,
                                0xe9, 0x5b, 0xb8, 0xe8, 0xb4, 0xbf};
  const struct {
    const uint8_t *b;
    size_t n;
    const char *path;
  } blocks[] = {{c31, sizeof c31, "/"}, {c41, sizeof c41, "/"}, {c43, sizeof c43, "/index.html"}};
  struct sample all[S_COUNT];
  samples_all(all);
  for (size_t i = 0; i < 3; i++) {
    struct sample h;
    headers(&h, blocks[i].b, blocks[i].n);
    struct pair p;
    memset(&p, 0, sizeof p);
    int g = 0;
    feed2(&p, all[S_HTTP2].b, all[S_HTTP2].n, 0, &g);
    assert_int_equal(feed2(&p, h.b, h.n, 0, &g), L7_MATCH);
    assert_int_equal(g, L7_NO);
    assert_string_equal(p.h2.f.u.gen.verb, "GET");
    assert_string_equal(p.h2.f.u.gen.object, blocks[i].path);
  }
}

static void test_split_preface_and_budget(void **state) {
  (void)state;
  struct sample all[S_COUNT];
  samples_all(all);
  const struct sample *pre = &all[S_HTTP2];
  struct pair p;
  memset(&p, 0, sizeof p);
  int g = 0;
  assert_int_equal(feed2(&p, pre->b, 10, 0, &g), L7_MORE);
  assert_int_equal(feed2(&p, pre->b + 10, pre->n - 10, 0, &g), L7_MORE);
  /* No header block in the client's 4 packets: http2 claims at the 4th. */
  static const uint8_t ack[] = {0, 0, 0, 4, 1, 0, 0, 0, 0};
  static const uint8_t ping[] = {0, 0, 8, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
  assert_int_equal(feed2(&p, ack, sizeof ack, 0, &g), L7_MORE);
  assert_int_equal(feed2(&p, ping, sizeof ping, 0, &g), L7_MATCH);
  assert_int_equal(g, L7_NO);
  assert_int_equal(p.h2.conf, 90);
  /* A split preface that goes wrong. */
  struct pair q;
  memset(&q, 0, sizeof q);
  assert_int_equal(feed2(&q, pre->b, 10, 0, &g), L7_MORE);
  assert_int_equal(feed2(&q, "XX", 2, 0, &g), L7_NO);
}

static void test_malformed(void **state) {
  (void)state;
  struct sample all[S_COUNT];
  samples_all(all);
  const struct sample *pre = &all[S_HTTP2];
  /* Preface typos; the first frame after it not a SETTINGS. */
  struct sample x = *pre;
  x.b[13] = '1';
  struct pair p;
  memset(&p, 0, sizeof p);
  int g = 0;
  assert_int_equal(feed2(&p, x.b, x.n, 0, &g), L7_NO);
  x = *pre;
  x.b[24 + 3] = 0; /* DATA on stream 0 */
  memset(&p, 0, sizeof p);
  assert_int_equal(feed2(&p, x.b, x.n, 0, &g), L7_NO);
  x = *pre;
  x.b[24 + 2] = 5; /* SETTINGS of 5 bytes */
  memset(&p, 0, sizeof p);
  assert_int_equal(feed2(&p, x.b, x.n, 0, &g), L7_NO);
  /* Bad header blocks after a good preface. */
  static const uint8_t index0[] = {0x80};
  static const uint8_t eos[] = {0x04, 0x84, 0xff, 0xff, 0xff, 0xff};      /* EOS in :path */
  static const uint8_t zero_pad[] = {0x04, 0x81, 0x18};                   /* "a" + 000 */
  static const uint8_t long_pad[] = {0x04, 0x82, 0x1f, 0xff};             /* "a" + 11 ones */
  static const uint8_t past[] = {0x04, 0x0a, '/', 'x'};                   /* 10 bytes of 2 */
  const struct {
    const uint8_t *b;
    size_t n;
    int cut; /* a string past the block's end: cut, not malformed */
  } bad[] = {{index0, 1, 0}, {eos, 6, 0}, {zero_pad, 3, 0}, {long_pad, 4, 0}, {past, 4, 1}};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    struct sample h;
    headers(&h, bad[i].b, bad[i].n);
    struct pair q;
    memset(&q, 0, sizeof q);
    feed2(&q, pre->b, pre->n, 0, &g);
    int v = feed2(&q, h.b, h.n, 0, &g);
    if (v != (bad[i].cut ? L7_MORE : L7_NO) || g != v)
      fail_msg("block %zu: verdicts %d %d", i, v, g);
  }
  /* A server whose first frame is not a SETTINGS, or whose SETTINGS name
   * an unknown setting without a preface to vouch for the flow. */
  static const uint8_t data_first[] = {0, 0, 1, 0, 0, 0, 0, 0, 1, 'x'};
  static const uint8_t unknown_id[] = {0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 0x0a, 0, 0, 0, 1};
  static const uint8_t empty[] = {0, 0, 0, 4, 0, 0, 0, 0, 0};
  struct pair s1, s2, s3;
  memset(&s1, 0, sizeof s1), memset(&s2, 0, sizeof s2), memset(&s3, 0, sizeof s3);
  assert_int_equal(feed2(&s1, data_first, sizeof data_first, 1, &g), L7_NO);
  assert_int_equal(feed2(&s2, unknown_id, sizeof unknown_id, 1, &g), L7_NO);
  assert_int_equal(feed2(&s3, empty, sizeof empty, 1, &g), L7_NO);
  /* With the preface seen, an empty SETTINGS is the server's. */
  struct pair s4;
  memset(&s4, 0, sizeof s4);
  feed2(&s4, pre->b, pre->n, 0, &g);
  assert_int_equal(feed2(&s4, empty, sizeof empty, 1, &g), L7_MORE);
  /* An h2c upgrade is HTTP/1's. */
  static const char upgrade[] = "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                                "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n";
  struct pair u;
  memset(&u, 0, sizeof u);
  assert_int_equal(feed2(&u, upgrade, sizeof upgrade - 1, 0, &g), L7_NO);
  assert_int_equal(g, L7_NO);
}

static void test_prefixes_junk_others(void **state) {
  (void)state;
  /* Undecided until a header block: every prefix waits. */
  size_t first = check_prefixes(l7_probe_http2, NDPI_PREFACE, sizeof NDPI_PREFACE, 0, TCP,
                                8080, 0);
  assert_int_equal(first, sizeof NDPI_PREFACE + 1);
  struct sample h;
  headers(&h, GRPC_BLOCK, sizeof GRPC_BLOCK);
  for (size_t n = 1; n < h.n; n++) {
    struct pair p;
    memset(&p, 0, sizeof p);
    int g = 0;
    feed2(&p, NDPI_PREFACE, sizeof NDPI_PREFACE, 0, &g);
    int v = feed2(&p, h.b, n, 0, &g);
    assert_true(v != L7_NO || g != L7_NO);
    assert_gen_terminated(&p.grpc.f);
  }
  assert_no_on_others(l7_probe_http2, 1u << S_HTTP2);
  assert_no_on_others(l7_probe_grpc, 1u << S_HTTP2);
  assert_junk_unclaimed(l7_probe_http2, TCP, 8080);
  assert_junk_unclaimed(l7_probe_grpc, TCP, 50051);
}

static void test_dispatcher(void **state) {
  (void)state;
  const struct flow_pkt pk[] = {{NDPI_PREFACE, sizeof NDPI_PREFACE, 0},
                                {NDPI_REQUEST, sizeof NDPI_REQUEST, 0},
                                {NDPI_SETTINGS, sizeof NDPI_SETTINGS, 1},
                                {NDPI_RESPONSE, sizeof NDPI_RESPONSE, 1}};
  struct ev_l7 l7;
  uint8_t conf = 0;
  assert_string_equal(dispatch(pk, 4, TCP, 29518, &l7, &conf), "http2");
  assert_int_equal(conf, 100);
  assert_string_equal(l7.app_object, "/namf-comm/v1/subscriptions");
  struct sample all[S_COUNT], req;
  samples_all(all);
  headers(&req, GRPC_BLOCK, sizeof GRPC_BLOCK);
  const struct flow_pkt pg[] = {{all[S_HTTP2].b, all[S_HTTP2].n, 0}, {req.b, req.n, 0}};
  assert_string_equal(dispatch(pg, 2, TCP, 50051, &l7, &conf), "grpc");
  assert_string_equal(l7.app_software, "grpc-go/1.60.0");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ndpi_exchange),
      cmocka_unit_test(test_grpc),
      cmocka_unit_test(test_decision_from_response),
      cmocka_unit_test(test_rfc7541_examples),
      cmocka_unit_test(test_split_preface_and_budget),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_prefixes_junk_others),
      cmocka_unit_test(test_dispatcher),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
