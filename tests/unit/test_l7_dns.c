/* tests/unit/test_l7_dns.c — the DNS probe on messages built byte by byte
 * (RFC 1035 §4): queries and responses over UDP and TCP, compression
 * pointers, pointer loops, name limits, implausible headers, NetBIOS, and
 * every cut. Payloads are copied into buffers of exactly their length. */
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
  uint8_t b[2048];
  size_t n;
};

static void u8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void u16(struct buf *b, unsigned v) {
  u8(b, v >> 8);
  u8(b, v & 0xff);
}
static void bytes(struct buf *b, const void *p, size_t n) {
  memcpy(b->b + b->n, p, n);
  b->n += n;
}

static void header(struct buf *b, unsigned id, unsigned flags, unsigned qd,
                   unsigned an, unsigned ns, unsigned ar) {
  b->n = 0;
  u16(b, id);
  u16(b, flags);
  u16(b, qd);
  u16(b, an);
  u16(b, ns);
  u16(b, ar);
}

/* "www.example.com" as labels and the root; "" is the root alone. */
static void name(struct buf *b, const char *dotted) {
  while (*dotted) {
    const char *dot = strchr(dotted, '.');
    size_t n = dot ? (size_t)(dot - dotted) : strlen(dotted);
    u8(b, (unsigned)n);
    bytes(b, dotted, n);
    dotted += n + (dot ? 1 : 0);
  }
  u8(b, 0);
}

static void question(struct buf *b, const char *qname, unsigned type) {
  name(b, qname);
  u16(b, type);
  u16(b, 1);
}

/* An A record whose owner is a pointer. */
static void answer_ptr(struct buf *b, unsigned target) {
  u16(b, 0xc000 | target);
  u16(b, 1);
  u16(b, 1);
  u16(b, 0);
  u16(b, 300);
  u16(b, 4);
  u8(b, 192);
  u8(b, 0);
  u8(b, 2);
  u8(b, 1);
}

static void query(struct buf *b, unsigned id, const char *qname, unsigned type) {
  header(b, id, 0x0100, 1, 0, 0, 0);
  question(b, qname, type);
}

static void response(struct buf *b, unsigned id, const char *qname,
                     unsigned type, unsigned rcode) {
  header(b, id, 0x8180 | rcode, 1, rcode ? 0 : 1, 0, 0);
  question(b, qname, type);
  if (!rcode)
    answer_ptr(b, 12);
}

/* The same message with TCP's length prefix. */
static void tcp_framed(struct buf *out, const struct buf *in) {
  out->n = 0;
  u16(out, (unsigned)in->n);
  bytes(out, in->b, in->n);
}

struct run {
  union l7_scratch s;
  struct l7_facts f;
  uint8_t conf;
};

static int feed_raw(struct run *r, const void *data, size_t len, uint8_t dir,
                    uint8_t proto, uint16_t port) {
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, data, len);
  struct l7_pkt p = {copy, len, proto, dir, 40000, port};
  int v = l7_probe_dns(&p, &r->s, &r->f, &r->conf);
  free(copy);
  return v;
}

static int feed(struct run *r, const struct buf *b, uint8_t dir, uint8_t proto,
                uint16_t port) {
  return feed_raw(r, b->b, b->n, dir, proto, port);
}

static void test_query_and_response(void **state) {
  (void)state;
  struct buf q, a;
  query(&q, 0x1234, "www.example.com", 1);
  response(&a, 0x1234, "www.example.com", 1, 0);
  struct run r = {0};
  assert_int_equal(feed(&r, &q, 0, UDP, 53), L7_MATCH);
  assert_int_equal(r.conf, 85);
  assert_string_equal(r.f.u.dns.qname, "www.example.com");
  assert_int_equal(r.f.u.dns.qtype, 1);
  assert_int_equal(r.f.u.dns.answered, 0);
  assert_int_equal(feed(&r, &a, 1, UDP, 53), L7_DONE);
  assert_int_equal(r.conf, 100);
  assert_int_equal(r.f.u.dns.answered, 1);
  assert_int_equal(r.f.u.dns.rcode, 0);

  /* No port bonus elsewhere. */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &q, 0, UDP, 5000), L7_MATCH);
  assert_int_equal(r2.conf, 80);
}

static void test_nxdomain(void **state) {
  (void)state;
  struct buf q, a;
  query(&q, 7, "nope.example", 28);
  response(&a, 7, "nope.example", 28, 3);
  struct run r = {0};
  assert_int_equal(feed(&r, &q, 0, UDP, 53), L7_MATCH);
  assert_int_equal(feed(&r, &a, 1, UDP, 53), L7_DONE);
  assert_int_equal(r.f.u.dns.rcode, 3);
  assert_int_equal(r.f.u.dns.qtype, 28);
  assert_int_equal(r.f.u.dns.answered, 1);
}

static void test_other_id(void **state) {
  (void)state;
  struct buf q, a;
  query(&q, 1, "a.example", 1);
  response(&a, 2, "b.example", 1, 2);
  struct run r = {0};
  assert_int_equal(feed(&r, &q, 0, UDP, 53), L7_MATCH);
  assert_int_equal(feed(&r, &a, 1, UDP, 53), L7_MATCH);
  assert_int_equal(r.f.u.dns.answered, 0);
  assert_string_equal(r.f.u.dns.qname, "a.example");
  /* A retry of the query: nothing new. */
  assert_int_equal(feed(&r, &q, 0, UDP, 53), L7_MATCH);

  /* A and AAAA asked on one socket with two ids: the first query is the
   * flow's, and its answer ends the inspection whenever it comes. */
  struct buf q1, q2, a2, a1;
  query(&q1, 0x0101, "both.example", 1);
  query(&q2, 0x0202, "both.example", 28);
  response(&a2, 0x0202, "both.example", 28, 0);
  response(&a1, 0x0101, "both.example", 1, 0);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &q1, 0, UDP, 53), L7_MATCH);
  assert_int_equal(feed(&r2, &q2, 0, UDP, 53), L7_MATCH);
  assert_int_equal(feed(&r2, &a2, 1, UDP, 53), L7_MATCH);
  assert_int_equal(feed(&r2, &a1, 1, UDP, 53), L7_DONE);
  assert_int_equal(r2.f.u.dns.qtype, 1);
}

static void test_response_alone(void **state) {
  (void)state;
  struct buf a;
  response(&a, 9, "only.example", 16, 0);
  struct run r = {0};
  assert_int_equal(feed(&r, &a, 1, UDP, 53), L7_DONE);
  assert_int_equal(r.conf, 85);
  assert_string_equal(r.f.u.dns.qname, "only.example");
  assert_int_equal(r.f.u.dns.answered, 1);
}

static void test_tcp(void **state) {
  (void)state;
  struct buf q, a, tq, ta;
  query(&q, 0xbeef, "axfr.example", 252);
  response(&a, 0xbeef, "axfr.example", 252, 0);
  tcp_framed(&tq, &q);
  tcp_framed(&ta, &a);
  struct run r = {0};
  assert_int_equal(feed(&r, &tq, 0, TCP, 53), L7_MATCH);
  assert_string_equal(r.f.u.dns.qname, "axfr.example");
  assert_int_equal(r.f.u.dns.qtype, 252);
  assert_int_equal(feed(&r, &ta, 1, TCP, 53), L7_DONE);
  assert_int_equal(r.conf, 100);

  /* The prefix alone in one segment, the message in the next. */
  struct run r2 = {0};
  assert_int_equal(feed_raw(&r2, tq.b, 2, 0, TCP, 53), L7_MORE);
  assert_int_equal(feed(&r2, &q, 0, TCP, 53), L7_MATCH);
  assert_string_equal(r2.f.u.dns.qname, "axfr.example");
  /* ... and the bare message is not accepted without that prefix. */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &q, 0, TCP, 53), L7_NO);

  /* Two messages in one segment: the first is read. */
  struct buf two = tq;
  bytes(&two, tq.b, tq.n);
  struct run r4 = {0};
  assert_int_equal(feed(&r4, &two, 0, TCP, 53), L7_MATCH);

  /* The prefix bounds the message: a length that stops inside the
   * question leaves it cut, whatever bytes follow in the segment. */
  struct buf short_len = tq;
  short_len.b[0] = (uint8_t)((q.n - 3) >> 8);
  short_len.b[1] = (uint8_t)(q.n - 3);
  struct run r6 = {0};
  assert_int_equal(feed(&r6, &short_len, 0, TCP, 53), L7_MATCH);
  assert_int_equal(r6.conf, 55);

  /* A length that cannot hold a header. */
  static const uint8_t tiny[] = {0x00, 0x05, 1, 2, 3, 4, 5};
  struct run r5 = {0};
  assert_int_equal(feed_raw(&r5, tiny, sizeof tiny, 0, TCP, 53), L7_NO);
}

static void test_compression_in_answers(void **state) {
  (void)state;
  /* Answer owners as real servers write them: a pointer to the question
   * (answer_ptr), or a label followed by a pointer into it
   * ("cdn" + -> "example.com" at offset 16). */
  struct buf q;
  query(&q, 5, "www.example.com", 1);
  struct buf a;
  header(&a, 5, 0x8180, 1, 1, 0, 0);
  question(&a, "www.example.com", 1);
  u8(&a, 3);
  bytes(&a, "cdn", 3);
  u16(&a, 0xc010);
  u16(&a, 1);
  u16(&a, 1);
  u16(&a, 0);
  u16(&a, 60);
  u16(&a, 4);
  u16(&a, 0x0a00);
  u16(&a, 0x0002);
  struct run r = {0};
  assert_int_equal(feed(&r, &q, 0, UDP, 53), L7_MATCH);
  assert_int_equal(feed(&r, &a, 1, UDP, 53), L7_DONE);
  assert_int_equal(r.conf, 100);

  /* The same with a pointer into the header (offset 4 holds a zero byte,
   * which read as a name would be the root): malformed. */
  a.b[a.n - 14 - 1] = 0x04;
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &q, 0, UDP, 53), L7_MATCH);
  assert_int_equal(feed(&r2, &a, 1, UDP, 53), L7_DONE);
  assert_int_equal(r2.conf, 90);
}

static void test_pointer_loops(void **state) {
  (void)state;
  struct buf q;
  query(&q, 3, "loop.example", 1);

  /* An answer whose name is a label and a pointer to itself. */
  struct buf a;
  header(&a, 3, 0x8180, 1, 1, 0, 0);
  question(&a, "loop.example", 1);
  size_t self = a.n;
  u8(&a, 1);
  u8(&a, 'x');
  u16(&a, 0xc000 | (unsigned)self);
  u16(&a, 1);
  u16(&a, 1);
  struct run r = {0};
  assert_int_equal(feed(&r, &q, 0, UDP, 53), L7_MATCH);
  assert_int_equal(feed(&r, &a, 1, UDP, 53), L7_DONE);
  assert_int_equal(r.conf, 90); /* answered, but malformed */

  /* Two names pointing at each other. */
  struct buf a2;
  header(&a2, 3, 0x8180, 1, 1, 0, 0);
  question(&a2, "loop.example", 1);
  size_t first = a2.n;
  u8(&a2, 1);
  u8(&a2, 'y');
  u16(&a2, 0xc000 | (unsigned)(first + 4));
  u8(&a2, 1);
  u8(&a2, 'z');
  u16(&a2, 0xc000 | (unsigned)first);
  u16(&a2, 1);
  u16(&a2, 1);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &q, 0, UDP, 53), L7_MATCH);
  assert_int_equal(feed(&r2, &a2, 1, UDP, 53), L7_DONE);
  assert_int_equal(r2.conf, 90);

  /* A question whose name points at itself (Zeek's dns-invalid-names):
   * a plain query header, so DNS at a low confidence, without a name. */
  struct buf bad;
  header(&bad, 0x2223, 0x0100, 1, 0, 0, 0);
  u16(&bad, 0xc00c);
  u16(&bad, 1);
  u16(&bad, 1);
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &bad, 0, UDP, 53), L7_MATCH);
  assert_int_equal(r3.conf, 55);
  assert_string_equal(r3.f.u.dns.qname, "");

  /* A forward pointer (masscan's version.bind probe): refused as a
   * pointer, the query header still speaks. */
  static const uint8_t masscan[] = {
      0x0a, 0xb1, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x07, 'v',  'e',  'r',  's',  'i',  'o',  'n',  0x04, 'b',  'i',  'n',
      'd',  0xc0, 0x1b, 0x00, 0x10, 0x00, 0x03};
  struct run r4 = {0};
  assert_int_equal(feed_raw(&r4, masscan, sizeof masscan, 0, UDP, 53), L7_MATCH);
  assert_int_equal(r4.conf, 55);
}

static void test_name_limits(void **state) {
  (void)state;
  /* 253 characters: 4 labels of 63 and one of 1 = 255 wire bytes. */
  char longest[300] = "";
  for (int i = 0; i < 4; i++) {
    size_t n = strlen(longest);
    memset(longest + n, 'a' + i, 63);
    longest[n + 63] = '.';
    longest[n + 64] = '\0';
  }
  strcat(longest, "z");
  assert_int_equal(strlen(longest), 257);
  /* 259 bytes on the wire (four 64-byte labels, "z", the root): over 255. */
  struct buf q;
  query(&q, 1, longest, 1);
  struct run r = {0};
  assert_int_equal(feed(&r, &q, 0, UDP, 53), L7_MATCH);
  assert_int_equal(r.conf, 55); /* only the plain header speaks */
  assert_string_equal(r.f.u.dns.qname, "");

  /* Three labels of 63 and one of 61: 3*64 + 62 + 1 = 255 wire bytes,
   * 253 characters — the longest name there is. */
  char fits[300] = "";
  for (int i = 0; i < 3; i++) {
    size_t n = strlen(fits);
    memset(fits + n, 'a' + i, 63);
    fits[n + 63] = '.';
    fits[n + 64] = '\0';
  }
  size_t n = strlen(fits);
  memset(fits + n, 'd', 61);
  fits[n + 61] = '\0';
  assert_int_equal(strlen(fits), 253);
  query(&q, 1, fits, 1);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &q, 0, UDP, 53), L7_MATCH);
  assert_int_equal(r2.conf, 85);
  assert_string_equal(r2.f.u.dns.qname, fits);

  /* 127 one-letter labels: 255 bytes, accepted; 128: refused. */
  char many[400] = "";
  for (int i = 0; i < 127; i++)
    strcat(many, i ? ".a" : "a");
  query(&q, 1, many, 1);
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &q, 0, UDP, 53), L7_MATCH);
  assert_int_equal(r3.conf, 85);
  strcat(many, ".a");
  query(&q, 1, many, 1);
  struct run r4 = {0};
  assert_int_equal(feed(&r4, &q, 0, UDP, 53), L7_MATCH);
  assert_int_equal(r4.conf, 55);

  /* A label length with the 0x40 bit (extended label type, or a label
   * over 63 bytes): refused even with the bytes there. */
  struct buf e;
  header(&e, 1, 0x0100, 1, 0, 0, 0);
  u8(&e, 0x41);
  for (int i = 0; i < 0x41; i++)
    u8(&e, 'x');
  u8(&e, 0);
  u16(&e, 1);
  u16(&e, 1);
  struct run r5 = {0};
  assert_int_equal(feed(&r5, &e, 0, UDP, 53), L7_MATCH);
  assert_int_equal(r5.conf, 55);

  /* 256 wire bytes: one too many. */
  char over[300];
  memcpy(over, fits, sizeof fits);
  strcat(over, "e");
  query(&q, 1, over, 1);
  struct run r6 = {0};
  assert_int_equal(feed(&r6, &q, 0, UDP, 53), L7_MATCH);
  assert_int_equal(r6.conf, 55);
}

static void test_root_and_odd_bytes(void **state) {
  (void)state;
  struct buf q;
  query(&q, 1, "", 2); /* ". NS", the priming query */
  struct run r = {0};
  assert_int_equal(feed(&r, &q, 0, UDP, 53), L7_MATCH);
  assert_string_equal(r.f.u.dns.qname, ".");
  assert_int_equal(r.f.u.dns.qtype, 2);

  /* A dot or a control byte inside a label is shown as '?'. */
  struct buf o;
  header(&o, 1, 0x0100, 1, 0, 0, 0);
  u8(&o, 3);
  bytes(&o, "a.\n", 3);
  u8(&o, 3);
  bytes(&o, "com", 3);
  u8(&o, 0);
  u16(&o, 16);
  u16(&o, 1);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &o, 0, UDP, 53), L7_MATCH);
  assert_string_equal(r2.f.u.dns.qname, "a??.com");
}

static void test_implausible_headers(void **state) {
  (void)state;
  struct buf q;
  struct {
    const char *what;
    unsigned flags, qd, an, ns, ar;
  } cases[] = {
      {"opcode 3", 0x1800, 1, 0, 0, 0},
      {"opcode 6", 0x3000, 1, 0, 0, 0},
      {"Z bit", 0x0140, 1, 0, 0, 0},
      {"query with rcode", 0x0103, 1, 0, 0, 0},
      {"query without question", 0x0100, 0, 0, 0, 0},
      {"query with 65 answers", 0x0100, 1, 65, 0, 0},
      {"response rcode 12", 0x818c, 1, 0, 0, 0},
      {"response with 0xffff answers", 0x8180, 1, 0xffff, 0, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    header(&q, 1, cases[i].flags, cases[i].qd, cases[i].an, cases[i].ns, cases[i].ar);
    question(&q, "x.example", 1);
    struct run r = {0};
    int v = feed(&r, &q, 0, UDP, 53);
    if (v != L7_NO)
      fail_msg("%s: verdict %d", cases[i].what, v);
  }
  /* A class no one uses, and qtype 0. */
  header(&q, 1, 0x0100, 1, 0, 0, 0);
  name(&q, "x.example");
  u16(&q, 1);
  u16(&q, 77);
  struct run r = {0};
  assert_int_equal(feed(&r, &q, 0, UDP, 5353), L7_MATCH); /* plain header */
  assert_int_equal(r.conf, 55);
  header(&q, 1, 0x8180, 1, 0, 0, 0);
  name(&q, "x.example");
  u16(&q, 0);
  u16(&q, 1);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &q, 0, UDP, 53), L7_NO);

  /* A MongoDB reply over TCP that passes as a DNS length and header
   * (ndpi mongodb.pcap): the counts cannot fit its length. */
  static const uint8_t mongo[] = {0x49, 0x00, 0x00, 0x00, 0x87, 0x91, 0x00, 0x00,
                                  0xff, 0xff, 0xff, 0xff, 0xd4, 0x07, 0x00, 0x00,
                                  0x00, 0x00, 0x00, 0x00, 0x49, 0x6e, 0x61, 0x63};
  struct run r3 = {0};
  assert_int_equal(feed_raw(&r3, mongo, sizeof mongo, 0, TCP, 30000), L7_NO);
}

static void test_updates_and_mdns(void **state) {
  (void)state;
  /* A dynamic update: zone in the question, one update record. */
  struct buf u;
  header(&u, 0x77, 0x2800, 1, 0, 1, 0);
  name(&u, "example.com");
  u16(&u, 6);
  u16(&u, 1);
  u16(&u, 0xc00c);
  u16(&u, 1);
  u16(&u, 1);
  u16(&u, 0);
  u16(&u, 60);
  u16(&u, 4);
  u16(&u, 0x0a00);
  u16(&u, 0x0001);
  struct run r = {0};
  assert_int_equal(feed(&r, &u, 0, UDP, 53), L7_MATCH);
  assert_string_equal(r.f.u.dns.qname, "example.com");
  assert_int_equal(r.f.u.dns.qtype, 6);

  /* An mDNS announcement: no question, one answer (cache-flush class). */
  struct buf m;
  header(&m, 0, 0x8400, 0, 1, 0, 0);
  name(&m, "host.local");
  u16(&m, 1);
  u16(&m, 0x8001);
  u16(&m, 0);
  u16(&m, 120);
  u16(&m, 4);
  u16(&m, 0xc0a8);
  u16(&m, 0x0001);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &m, 1, UDP, 5353), L7_DONE);
  assert_int_equal(r2.f.u.dns.answered, 1);
  assert_string_equal(r2.f.u.dns.qname, "");

  /* Twelve bytes of "response" with nothing in it: not enough, even with
   * the id of our query. */
  struct buf z, q;
  header(&z, 0x55, 0x8180, 0, 0, 0, 0);
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &z, 1, UDP, 53), L7_NO);
  query(&q, 0x55, "a.example", 1);
  struct run r4 = {0};
  assert_int_equal(feed(&r4, &q, 0, UDP, 53), L7_MATCH);
  assert_int_equal(feed(&r4, &z, 1, UDP, 53), L7_MATCH);
  assert_int_equal(r4.f.u.dns.answered, 0);
  /* A FORMERR without the question is the answer to our query. */
  header(&z, 0x55, 0x8181, 0, 0, 0, 0);
  assert_int_equal(feed(&r4, &z, 1, UDP, 53), L7_DONE);
  assert_int_equal(r4.f.u.dns.rcode, 1);
  assert_int_equal(r4.f.u.dns.answered, 1);
  /* ... but not anyone else's. */
  struct run r5 = {0};
  assert_int_equal(feed(&r5, &z, 1, UDP, 53), L7_NO);

  /* An announcement whose answer is cut: not enough either. */
  struct buf c = m;
  c.n = 12 + 5;
  struct run r6 = {0};
  assert_int_equal(feed(&r6, &c, 1, UDP, 5353), L7_NO);

  /* mDNS asks several questions at once: DNS, a little less sure. */
  struct buf multi;
  header(&multi, 0, 0x0000, 2, 0, 0, 0);
  question(&multi, "_ipp._tcp.local", 12);
  question(&multi, "_printer._tcp.local", 12);
  struct run r7 = {0};
  assert_int_equal(feed(&r7, &multi, 0, UDP, 5353), L7_MATCH);
  assert_int_equal(r7.conf, 75);
  assert_string_equal(r7.f.u.dns.qname, "_ipp._tcp.local");

  /* An update with a broken zone name is not a plain query. */
  struct buf ub;
  header(&ub, 1, 0x2800, 1, 0, 1, 0);
  u16(&ub, 0xc00c);
  u16(&ub, 6);
  u16(&ub, 1);
  struct run r8 = {0};
  assert_int_equal(feed(&r8, &ub, 0, UDP, 53), L7_NO);
  /* Nor is a query with an authority record. */
  header(&ub, 1, 0x0100, 1, 0, 1, 0);
  u16(&ub, 0xc00c);
  u16(&ub, 1);
  u16(&ub, 1);
  struct run r9 = {0};
  assert_int_equal(feed(&r9, &ub, 0, UDP, 53), L7_NO);
}

static void test_netbios(void **state) {
  (void)state;
  /* NBNS name query: DNS's layout with a 32-letter encoded name. */
  struct buf q;
  header(&q, 0x8001, 0x0110, 1, 0, 0, 0);
  name(&q, "EKEFEMFCEDEPEPEFEFCACACACACACAAA");
  u16(&q, 0x20);
  u16(&q, 1);
  struct run r = {0};
  assert_int_equal(feed(&r, &q, 0, UDP, 137), L7_NO);
}

/* Every cut of a query and a response, over UDP and TCP: no crash, no read
 * past the end, and the verdicts the cut allows. */
static void test_every_prefix(void **state) {
  (void)state;
  struct buf q, a, tq;
  query(&q, 0x4242, "mail.example.org", 15);
  response(&a, 0x4242, "mail.example.org", 15, 0);
  tcp_framed(&tq, &q);
  size_t question_end = q.n;
  for (size_t n = 1; n <= q.n; n++) {
    struct run r = {0};
    int v = feed_raw(&r, q.b, n, 0, UDP, 53);
    if (n < 12)
      assert_int_equal(v, L7_NO);
    else
      assert_int_equal(v, L7_MATCH);
    assert_int_equal(r.conf, n < 12 ? 0 : n < question_end ? 55 : 85);
    assert_string_equal(r.f.u.dns.qname, n < question_end ? "" : "mail.example.org");
  }
  for (size_t n = 1; n <= tq.n; n++) {
    struct run r = {0};
    int v = feed_raw(&r, tq.b, n, 0, TCP, 53);
    assert_true(v == L7_MORE || v == L7_MATCH);
    assert_int_equal(v == L7_MATCH, n >= 14);
  }
  /* A response cut anywhere after the header still answers the query. */
  for (size_t n = 12; n <= a.n; n++) {
    struct run r = {0};
    assert_int_equal(feed(&r, &q, 0, UDP, 53), L7_MATCH);
    assert_int_equal(feed_raw(&r, a.b, n, 1, UDP, 53), L7_DONE);
    assert_int_equal(r.f.u.dns.answered, 1);
    assert_string_equal(r.f.u.dns.qname, "mail.example.org");
  }
}

static void test_not_dns(void **state) {
  (void)state;
  static const char *const texts[] = {
      "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", "SSH-2.0-OpenSSH_9.6\r\n",
      "HTTP/1.1 200 OK\r\n\r\n"};
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    struct run r = {0};
    assert_int_equal(feed_raw(&r, texts[i], strlen(texts[i]), 0, UDP, 53), L7_NO);
    struct run r2 = {0};
    assert_int_equal(feed_raw(&r2, texts[i], strlen(texts[i]), 0, TCP, 53), L7_NO);
  }
  static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x00, 0x30, 0x01, 0x00, 0x00,
                                0x2c, 0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00};
  struct run r = {0};
  assert_int_equal(feed_raw(&r, tls, sizeof tls, 0, TCP, 443), L7_NO);
  /* Not over other transports. */
  struct buf q;
  query(&q, 1, "a.example", 1);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &q, 0, 132, 53), L7_NO);
}

static void test_random_junk(void **state) {
  (void)state;
  uint32_t x = 4242;
  int claimed = 0;
  for (int i = 0; i < 50000; i++) {
    uint8_t b[80];
    size_t n = 1 + (size_t)(i % 80);
    for (size_t k = 0; k < n; k++) {
      x = x * 1103515245u + 12345u;
      b[k] = (uint8_t)(x >> 16);
    }
    struct run r = {0};
    int v = feed_raw(&r, b, n, 0, (i & 1) ? TCP : UDP, 53);
    claimed += v == L7_MATCH || v == L7_DONE;
  }
  assert_int_equal(claimed, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_query_and_response),
      cmocka_unit_test(test_nxdomain),
      cmocka_unit_test(test_other_id),
      cmocka_unit_test(test_response_alone),
      cmocka_unit_test(test_tcp),
      cmocka_unit_test(test_compression_in_answers),
      cmocka_unit_test(test_pointer_loops),
      cmocka_unit_test(test_name_limits),
      cmocka_unit_test(test_root_and_odd_bytes),
      cmocka_unit_test(test_implausible_headers),
      cmocka_unit_test(test_updates_and_mdns),
      cmocka_unit_test(test_netbios),
      cmocka_unit_test(test_every_prefix),
      cmocka_unit_test(test_not_dns),
      cmocka_unit_test(test_random_junk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
