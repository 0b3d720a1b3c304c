/* tests/unit/test_l7_tls.c — the TLS probe on hellos built field by field
 * (RFC 8446 §4.1.2 layout, GREASE and padding extensions included), cut at
 * every length, broken one field at a time, and on SSLv2 hellos. Payloads
 * are copied into buffers of exactly their length for ASan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect/l7/l7.h"

#define TCP 6
#define UDP 17

struct buf {
  uint8_t b[4096];
  size_t n;
};

static void u8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void u16(struct buf *b, unsigned v) {
  u8(b, v >> 8);
  u8(b, v & 0xff);
}
static void str(struct buf *b, const char *s) {
  memcpy(b->b + b->n, s, strlen(s));
  b->n += strlen(s);
}
/* A length field to fill in once its contents are written. */
static size_t mark16(struct buf *b) {
  u16(b, 0);
  return b->n - 2;
}
static size_t mark24(struct buf *b) {
  u8(b, 0);
  u16(b, 0);
  return b->n - 3;
}
static void patch16(struct buf *b, size_t at) {
  size_t v = b->n - at - 2;
  b->b[at] = (uint8_t)(v >> 8);
  b->b[at + 1] = (uint8_t)v;
}
static void patch24(struct buf *b, size_t at) {
  size_t v = b->n - at - 3;
  b->b[at] = (uint8_t)(v >> 16);
  b->b[at + 1] = (uint8_t)(v >> 8);
  b->b[at + 2] = (uint8_t)v;
}

struct ch {
  uint16_t legacy;        /* 0: 0x0303 */
  uint8_t sid_len;
  int odd_suites;         /* one stray byte in the suite list */
  int other_name_first;   /* a server_name entry of type 1 before the host */
  const char *sni;        /* NULL: no server_name */
  const char *alpn[3];
  uint16_t versions[4];   /* supported_versions, 0-terminated */
  int no_ext;
  /* offsets where extensions end, for the cut tests */
  size_t sni_end, alpn_end, versions_end;
};

static void ext_sni(struct buf *b, const char *name, int other_first) {
  u16(b, 0);
  size_t el = mark16(b), ll = mark16(b);
  if (other_first) { /* a name type other than host_name (0) */
    u8(b, 1);
    u16(b, 5);
    str(b, "other");
  }
  u8(b, 0); /* host_name */
  size_t nl = mark16(b);
  str(b, name);
  patch16(b, nl);
  patch16(b, ll);
  patch16(b, el);
}

static void ext_alpn(struct buf *b, const char *const *protos) {
  u16(b, 16);
  size_t el = mark16(b), ll = mark16(b);
  for (int i = 0; i < 3 && protos[i]; i++) {
    u8(b, (unsigned)strlen(protos[i]));
    str(b, protos[i]);
  }
  patch16(b, ll);
  patch16(b, el);
}

static void ext_versions(struct buf *b, const uint16_t *v) {
  u16(b, 43);
  size_t el = mark16(b);
  size_t n = 0;
  while (n < 4 && v[n])
    n++;
  u8(b, (unsigned)(2 * n));
  for (size_t i = 0; i < n; i++)
    u16(b, v[i]);
  patch16(b, el);
}

static void client_hello(struct buf *b, struct ch *o) {
  b->n = 0;
  u8(b, 22);
  u16(b, 0x0301);
  size_t rec = mark16(b);
  u8(b, 1);
  size_t hs = mark24(b);
  u16(b, o->legacy ? o->legacy : 0x0303);
  for (int i = 0; i < 32; i++)
    u8(b, (unsigned)i * 7);
  u8(b, o->sid_len);
  for (int i = 0; i < o->sid_len; i++)
    u8(b, 0xaa);
  size_t cs = mark16(b);
  u16(b, 0x2a2a); /* GREASE suite */
  u16(b, 0x1301);
  u16(b, 0x1302);
  u16(b, 0xc02f);
  if (o->odd_suites)
    u8(b, 0x00);
  patch16(b, cs);
  u8(b, 1);
  u8(b, 0);
  if (!o->no_ext) {
    size_t ext = mark16(b);
    u16(b, 0x0a0a); /* GREASE extension, empty */
    u16(b, 0);
    if (o->sni) {
      ext_sni(b, o->sni, o->other_name_first);
      o->sni_end = b->n;
    }
    if (o->alpn[0]) {
      ext_alpn(b, o->alpn);
      o->alpn_end = b->n;
    }
    if (o->versions[0]) {
      ext_versions(b, o->versions);
      o->versions_end = b->n;
    }
    u16(b, 21); /* padding */
    u16(b, 16);
    for (int i = 0; i < 16; i++)
      u8(b, 0);
    patch16(b, ext);
  }
  patch24(b, hs);
  patch16(b, rec);
}

static void server_hello(struct buf *b, uint16_t legacy, uint16_t selected) {
  b->n = 0;
  u8(b, 22);
  u16(b, 0x0303);
  size_t rec = mark16(b);
  u8(b, 2);
  size_t hs = mark24(b);
  u16(b, legacy);
  for (int i = 0; i < 32; i++)
    u8(b, 0x55);
  u8(b, 32);
  for (int i = 0; i < 32; i++)
    u8(b, 0xaa);
  u16(b, 0x1301);
  u8(b, 0);
  if (selected) {
    size_t ext = mark16(b);
    u16(b, 51); /* key_share: group and a short key */
    u16(b, 8);
    u16(b, 0x001d);
    u16(b, 4);
    u16(b, 0x0102);
    u16(b, 0x0304);
    u16(b, 43);
    u16(b, 2);
    u16(b, selected);
    patch16(b, ext);
  }
  patch24(b, hs);
  patch16(b, rec);
  /* a ChangeCipherSpec record after it, as TLS 1.3 servers send */
  u8(b, 20);
  u16(b, 0x0303);
  u16(b, 1);
  u8(b, 1);
}

struct run {
  union l7_scratch s;
  struct l7_facts f;
  uint8_t conf;
};

static int feed_proto(struct run *r, const void *data, size_t len, uint8_t dir,
                      uint8_t proto, uint16_t port) {
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, data, len);
  struct l7_pkt p = {copy, len, proto, dir, 50000, port};
  int v = l7_probe_tls(&p, &r->s, &r->f, &r->conf);
  free(copy);
  return v;
}

static int feed(struct run *r, const struct buf *b, uint8_t dir, uint16_t port) {
  return feed_proto(r, b->b, b->n, dir, TCP, port);
}

static struct ch modern(void) {
  struct ch o = {.sni = "www.example.com",
                 .alpn = {"h2", "http/1.1", NULL},
                 .versions = {0x3a3a, 0x0304, 0x0303, 0}};
  o.sid_len = 32;
  return o;
}

static void test_client_hello_facts(void **state) {
  (void)state;
  struct ch o = modern();
  struct buf b;
  client_hello(&b, &o);
  struct run r = {0};
  assert_int_equal(feed(&r, &b, 0, 8443), L7_MATCH);
  assert_int_equal(r.conf, 95);
  assert_string_equal(r.f.u.tls.sni, "www.example.com");
  assert_string_equal(r.f.u.tls.alpn, "h2");
  assert_int_equal(r.f.u.tls.version, 0x0304); /* offered; GREASE ignored */

  struct run r2 = {0};
  assert_int_equal(feed(&r2, &b, 0, 443), L7_MATCH);
  assert_int_equal(r2.conf, 99); /* +port, never 100 on one side */
}

static void test_then_server_hello(void **state) {
  (void)state;
  struct ch o = modern();
  struct buf ch, sh;
  client_hello(&ch, &o);
  /* TLS 1.3: legacy 0x0303, the real version in supported_versions. */
  server_hello(&sh, 0x0303, 0x0304);
  struct run r = {0};
  assert_int_equal(feed(&r, &ch, 0, 443), L7_MATCH);
  assert_int_equal(feed(&r, &sh, 1, 443), L7_DONE);
  assert_int_equal(r.conf, 100);
  assert_int_equal(r.f.u.tls.version, 0x0304);
  assert_string_equal(r.f.u.tls.sni, "www.example.com");

  /* TLS 1.2 negotiated although 1.3 was offered. */
  server_hello(&sh, 0x0303, 0);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &ch, 0, 443), L7_MATCH);
  assert_int_equal(feed(&r2, &sh, 1, 443), L7_DONE);
  assert_int_equal(r2.f.u.tls.version, 0x0303);
}

static void test_server_hello_alone(void **state) {
  (void)state;
  struct buf sh;
  server_hello(&sh, 0x0302, 0);
  struct run r = {0};
  assert_int_equal(feed(&r, &sh, 1, 4433), L7_DONE);
  assert_int_equal(r.conf, 85);
  assert_int_equal(r.f.u.tls.version, 0x0302);
}

static void test_old_hello_without_extensions(void **state) {
  (void)state;
  struct ch o = {.legacy = 0x0301, .no_ext = 1};
  struct buf b;
  client_hello(&b, &o);
  struct run r = {0};
  assert_int_equal(feed(&r, &b, 0, 443), L7_MATCH);
  assert_int_equal(r.conf, 99);
  assert_int_equal(r.f.u.tls.version, 0x0301);
  assert_string_equal(r.f.u.tls.sni, "");
  assert_string_equal(r.f.u.tls.alpn, "");
}

static void test_versions(void **state) {
  (void)state;
  /* Only GREASE: the legacy version stands. */
  struct ch o = {.versions = {0x1a1a, 0xfafa, 0}};
  struct buf b;
  client_hello(&b, &o);
  struct run r = {0};
  assert_int_equal(feed(&r, &b, 0, 1), L7_MATCH);
  assert_int_equal(r.f.u.tls.version, 0x0303);
  /* A TLS 1.3 draft counts as 1.3; an unknown value is ignored. */
  struct ch o2 = {.versions = {0x7f17, 0x0303, 0x0505, 0}};
  client_hello(&b, &o2);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &b, 0, 1), L7_MATCH);
  assert_int_equal(r2.f.u.tls.version, 0x0304);
}

/* Every prefix: MORE until the hello's version is in, then MATCH; a name
 * is either whole or absent, never cut. */
static void test_every_prefix(void **state) {
  (void)state;
  struct ch o = modern();
  struct buf b;
  client_hello(&b, &o);
  for (size_t n = 1; n <= b.n; n++) {
    struct run r = {0};
    int v = feed_proto(&r, b.b, n, 0, TCP, 443);
    if (n < 11) {
      assert_int_equal(v, L7_MORE);
      continue;
    }
    assert_int_equal(v, L7_MATCH);
    assert_int_equal(r.conf, n == b.n ? 99 : 90);
    assert_string_equal(r.f.u.tls.sni, n >= o.sni_end ? "www.example.com" : "");
    assert_string_equal(r.f.u.tls.alpn, n >= o.alpn_end ? "h2" : "");
    assert_int_equal(r.f.u.tls.version, n >= o.versions_end ? 0x0304 : 0x0303);
  }
  struct buf sh;
  server_hello(&sh, 0x0303, 0x0304);
  for (size_t n = 1; n <= sh.n; n++) {
    struct run r = {0};
    int v = feed_proto(&r, sh.b, n, 1, TCP, 443);
    assert_int_equal(v, n < 11 ? L7_MORE : L7_DONE);
  }
}

/* One field broken at a time: never TLS. */
static void test_malformed(void **state) {
  (void)state;
  struct ch o = modern();
  struct buf good, b;
  client_hello(&good, &o);
  const size_t sid_at = 5 + 4 + 2 + 32;
  const size_t cs_at = sid_at + 1 + 32;
  const size_t comp_at = cs_at + 2 + 8;
  const size_t ext_at = comp_at + 2;
  struct {
    const char *what;
    size_t at;
    uint8_t v;
  } cases[] = {
      {"record type 25", 0, 25},
      {"record version 3.5", 2, 5},
      {"record major 2", 1, 2},
      {"legacy version 0x0305", 10, 5},
      {"legacy version 0x0203", 9, 2},
      {"session id 33", sid_at, 33},
      {"suites odd", cs_at + 1, 7},
      {"no compression", comp_at, 0},
      {"extensions past the hello", ext_at, 0x7f},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    b = good;
    b.b[cases[i].at] = cases[i].v;
    struct run r = {0};
    int v = feed(&r, &b, 0, 443);
    if (v != L7_NO)
      fail_msg("%s: verdict %d", cases[i].what, v);
  }
  /* Hellos consistent in every length but one rule: a session id over 32
   * bytes, an odd-sized suite list. */
  struct ch o33 = modern();
  o33.sid_len = 33;
  client_hello(&b, &o33);
  struct run r33 = {0};
  assert_int_equal(feed(&r33, &b, 0, 443), L7_NO);
  struct ch odd = modern();
  odd.odd_suites = 1;
  client_hello(&b, &odd);
  struct run rodd = {0};
  assert_int_equal(feed(&rodd, &b, 0, 443), L7_NO);

  /* Records too short to hold the hello's header and version (found by
   * fuzzing: the reader must not start past the record's end). */
  for (unsigned len = 1; len < 6; len++) {
    b = good;
    b.b[3] = 0;
    b.b[4] = (uint8_t)len;
    struct run rl = {0};
    assert_int_equal(feed(&rl, &b, 0, 443), L7_NO);
    struct buf sh;
    server_hello(&sh, 0x0303, 0);
    sh.b[3] = 0;
    sh.b[4] = (uint8_t)len;
    struct run rs = {0};
    assert_int_equal(feed(&rs, &sh, 1, 443), L7_NO);
  }

  /* Record length 0, and a handshake too short to be a ClientHello. */
  b = good;
  b.b[3] = b.b[4] = 0;
  struct run r = {0};
  assert_int_equal(feed(&r, &b, 0, 443), L7_NO);
  b = good;
  b.b[6] = b.b[7] = 0;
  b.b[8] = 40;
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &b, 0, 443), L7_NO);
  /* An extension whose length runs past the extensions block. */
  b = good;
  b.b[ext_at + 2 + 2] = 0x40; /* GREASE extension's length */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &b, 0, 443), L7_NO);
}

static void test_odd_server_name(void **state) {
  (void)state;
  /* A server_name list whose inner length lies: the hello is fine, the name
   * is not taken. */
  struct ch o = {.sni = "a.example"};
  struct buf b;
  client_hello(&b, &o);
  size_t list_len_at = o.sni_end - strlen("a.example") - 2 - 1 - 2;
  b.b[list_len_at + 1] = 0x30;
  struct run r = {0};
  assert_int_equal(feed(&r, &b, 0, 443), L7_MATCH);
  assert_string_equal(r.f.u.tls.sni, "");

  /* An empty protocol name (RFC 7301 forbids it) is not an ALPN. */
  struct ch oa = {.alpn = {"", "h2", NULL}};
  client_hello(&b, &oa);
  struct run ra = {0};
  assert_int_equal(feed(&ra, &b, 0, 443), L7_MATCH);
  assert_string_equal(ra.f.u.tls.alpn, "");

  /* Only a host_name entry is the SNI. */
  struct ch o1 = {.sni = "b.example", .other_name_first = 1};
  client_hello(&b, &o1);
  struct run r1 = {0};
  assert_int_equal(feed(&r1, &b, 0, 443), L7_MATCH);
  assert_string_equal(r1.f.u.tls.sni, "b.example");

  /* Control bytes in a name are not passed on raw. */
  struct ch o2 = {.sni = "a\nb.example"};
  client_hello(&b, &o2);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &b, 0, 443), L7_MATCH);
  assert_string_equal(r2.f.u.tls.sni, "a?b.example");

  /* 255 bytes of name fit, terminated. */
  char longname[256];
  memset(longname, 'x', 255);
  longname[255] = '\0';
  struct ch o3 = {.sni = longname};
  client_hello(&b, &o3);
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &b, 0, 443), L7_MATCH);
  assert_string_equal(r3.f.u.tls.sni, longname);
}

static void test_fragmented_hello(void **state) {
  (void)state;
  /* A hello longer than its record (continued in a second record): the
   * first record is parsed, no further. */
  struct ch o = modern();
  struct buf b;
  client_hello(&b, &o);
  size_t cut = 80;
  b.b[3] = (uint8_t)(cut >> 8);
  b.b[4] = (uint8_t)cut;
  struct run r = {0};
  assert_int_equal(feed(&r, &b, 0, 443), L7_MATCH);
  assert_int_equal(r.conf, 90);
  assert_string_equal(r.f.u.tls.sni, "");
}

static void test_server_not_tls(void **state) {
  (void)state;
  struct ch o = modern();
  struct buf ch;
  client_hello(&ch, &o);
  struct run r = {0};
  assert_int_equal(feed(&r, &ch, 0, 80), L7_MATCH);
  static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
  assert_int_equal(feed_proto(&r, http, strlen(http), 1, TCP, 80), L7_DONE);
  assert_int_equal(r.conf, 70);

  /* An alert in answer: the server refused; still TLS. */
  static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 40};
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &ch, 0, 443), L7_MATCH);
  assert_int_equal(feed_proto(&r2, alert, sizeof alert, 1, TCP, 443), L7_DONE);
  assert_int_equal(r2.conf, 99);

  /* The rest of a long hello in a second segment is no reason to stop. */
  static const uint8_t rest[] = {0x00, 0x33, 0x00, 0x26, 0x00, 0x24};
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &ch, 0, 443), L7_MATCH);
  assert_int_equal(feed_proto(&r3, rest, sizeof rest, 0, TCP, 443), L7_MATCH);
}

static void test_mid_flow(void **state) {
  (void)state;
  /* Application data records only (capture started mid-flow). */
  static const uint8_t rec1[] = {23, 3, 3, 0x05, 0xbb, 0x01, 0x02, 0x03};
  static const uint8_t cont[] = {0x69, 0x40, 0x71, 0x07};
  static const uint8_t rec2[] = {23, 3, 3, 0x00, 0x20, 0x99};
  struct run r = {0};
  assert_int_equal(feed_proto(&r, rec1, sizeof rec1, 0, TCP, 443), L7_MORE);
  assert_int_equal(feed_proto(&r, cont, sizeof cont, 0, TCP, 443), L7_MORE);
  assert_int_equal(feed_proto(&r, rec2, sizeof rec2, 1, TCP, 443), L7_MATCH);
  assert_int_equal(r.conf, 60);
  assert_int_equal(r.f.u.tls.version, 0);
}

static void test_sslv2(void **state) {
  (void)state;
  /* SSLv2 CLIENT-HELLO: 2-byte length with the high bit, type 1, version
   * 0x0002, three cipher specs, no session id, 16-byte challenge. */
  struct buf b = {.n = 0};
  u16(&b, 0x8000 | (9 + 9 + 0 + 16));
  u8(&b, 1);
  u16(&b, 0x0002);
  u16(&b, 9);
  u16(&b, 0);
  u16(&b, 16);
  static const uint8_t specs[] = {0x07, 0x00, 0xc0, 0x05, 0x00, 0x80,
                                  0x03, 0x00, 0x80};
  memcpy(b.b + b.n, specs, sizeof specs);
  b.n += sizeof specs;
  for (int i = 0; i < 16; i++)
    u8(&b, (unsigned)i);
  struct run r = {0};
  assert_int_equal(feed(&r, &b, 0, 443), L7_MATCH);
  assert_int_equal(r.conf, 85);
  assert_int_equal(r.f.u.tls.version, 0x0002);

  /* SSLv2 SERVER-HELLO: hit 0, cert type 1, version, cert, specs, id. */
  struct buf s = {.n = 0};
  u16(&s, 0x8000 | (11 + 4 + 3 + 16));
  u8(&s, 4);
  u8(&s, 0);
  u8(&s, 1);
  u16(&s, 0x0002);
  u16(&s, 4);
  u16(&s, 3);
  u16(&s, 16);
  for (int i = 0; i < 4 + 3 + 16; i++)
    u8(&s, 0x11);
  assert_int_equal(feed(&r, &s, 1, 443), L7_DONE);
  assert_int_equal(r.conf, 100);

  /* Lengths that do not add up: not SSLv2. */
  b.b[1] ^= 1;
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &b, 0, 443), L7_NO);
}

static void test_not_tls(void **state) {
  (void)state;
  static const char *const texts[] = {
      "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "SSH-2.0-OpenSSH_9.6\r\n",
      "HTTP/1.1 200 OK\r\n\r\n", "\x16garbage"};
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    struct run r = {0};
    assert_int_equal(feed_proto(&r, texts[i], strlen(texts[i]), 0, TCP, 443), L7_NO);
  }
  static const uint8_t dns[] = {0x00, 0x1d, 0x12, 0x34, 0x01, 0x00, 0x00, 0x01,
                                0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  struct run r = {0};
  assert_int_equal(feed_proto(&r, dns, sizeof dns, 0, TCP, 53), L7_NO);
  /* DTLS and QUIC are not this probe's. */
  struct ch o = modern();
  struct buf b;
  client_hello(&b, &o);
  struct run r2 = {0};
  assert_int_equal(feed_proto(&r2, b.b, b.n, 0, UDP, 443), L7_NO);
}

static void test_random_junk(void **state) {
  (void)state;
  uint32_t x = 777;
  int claimed = 0;
  for (int i = 0; i < 20000; i++) {
    uint8_t b[96];
    size_t n = 1 + (size_t)(i % 96);
    for (size_t k = 0; k < n; k++) {
      x = x * 1103515245u + 12345u;
      b[k] = (uint8_t)(x >> 16);
    }
    if (i % 4 == 0) { /* a valid-looking record header on junk */
      b[0] = 22;
      if (n > 2) {
        b[1] = 3;
        b[2] = 1;
      }
    }
    struct run r = {0};
    int v = feed_proto(&r, b, n, 0, TCP, 443);
    claimed += v == L7_MATCH || v == L7_DONE;
  }
  assert_int_equal(claimed, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_client_hello_facts),
      cmocka_unit_test(test_then_server_hello),
      cmocka_unit_test(test_server_hello_alone),
      cmocka_unit_test(test_old_hello_without_extensions),
      cmocka_unit_test(test_versions),
      cmocka_unit_test(test_every_prefix),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_odd_server_name),
      cmocka_unit_test(test_fragmented_hello),
      cmocka_unit_test(test_server_not_tls),
      cmocka_unit_test(test_mid_flow),
      cmocka_unit_test(test_sslv2),
      cmocka_unit_test(test_not_tls),
      cmocka_unit_test(test_random_junk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
