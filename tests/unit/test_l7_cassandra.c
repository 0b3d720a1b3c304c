/* tests/unit/test_l7_cassandra.c — the Cassandra probe on CQL native
 * protocol frames (v3..v5) built byte by byte: OPTIONS/SUPPORTED,
 * STARTUP/READY, QUERY/RESULT, version downgrade, PLAIN authentication,
 * internode handshakes, every cut, and what is not Cassandra. Payloads are
 * copied into exact-size buffers. */
#include "l7_data_samples.h"

static int feed(struct run *r, const struct buf *b, uint8_t dir, uint16_t port) {
  return feed_fn(l7_probe_cassandra, r, b->b, b->n, dir, TCP, port);
}

static void supported(struct buf *b, unsigned version, unsigned stream) {
  size_t at = cql_begin(b, 0x80 | version, stream, 0x06);
  be16(b, 2);
  cql_string(b, "CQL_VERSION");
  be16(b, 1);
  cql_string(b, "3.4.5");
  cql_string(b, "COMPRESSION");
  be16(b, 2);
  cql_string(b, "snappy");
  cql_string(b, "lz4");
  cql_end(b, at);
}

static void startup(struct buf *b, unsigned stream) {
  size_t at = cql_begin(b, 4, stream, 0x01);
  be16(b, 3);
  cql_string(b, "CQL_VERSION");
  cql_string(b, "3.0.0");
  cql_string(b, "DRIVER_NAME");
  cql_string(b, "DataStax Python Driver");
  cql_string(b, "DRIVER_VERSION");
  cql_string(b, "3.25.0");
  cql_end(b, at);
}

static void query(struct buf *b, unsigned stream, const char *cql) {
  size_t at = cql_begin(b, 4, stream, 0x07);
  be32(b, (uint32_t)strlen(cql));
  text(b, cql);
  be16(b, 0x0001); /* ONE */
  u8(b, 0);        /* flags */
  cql_end(b, at);
}

static void empty(struct buf *b, unsigned version, unsigned stream, unsigned op) {
  size_t at = cql_begin(b, version, stream, op);
  cql_end(b, at);
}

static void test_handshake_and_query(void **state) {
  (void)state;
  struct buf o = {.n = 0}, s = {.n = 0}, st = {.n = 0}, rd = {.n = 0}, q = {.n = 0},
             res = {.n = 0};
  sample(S_CQL_OPTIONS, &o);
  supported(&s, 4, 0);
  startup(&st, 1);
  empty(&rd, 0x84, 1, 0x02);
  query(&q, 2, "SELECT name FROM shop.users WHERE id = ?");
  size_t at = cql_begin(&res, 0x84, 2, 0x08);
  be32(&res, 1); /* void */
  cql_end(&res, at);
  struct run r = {0};
  assert_int_equal(feed(&r, &o, 0, 9042), L7_MATCH);
  assert_int_equal(r.conf, 85);
  assert_string_equal(r.f.u.gen.verb, "OPTIONS");
  assert_int_equal(feed(&r, &s, 1, 9042), L7_MATCH);
  assert_int_equal(r.conf, 100);
  assert_int_equal(feed(&r, &st, 0, 9042), L7_MATCH);
  assert_string_equal(r.f.u.gen.software, "DataStax Python Driver 3.25.0");
  assert_int_equal(feed(&r, &rd, 1, 9042), L7_MATCH);
  assert_int_equal(feed(&r, &q, 0, 9042), L7_DONE);
  assert_string_equal(r.f.u.gen.verb, "SELECT");
  assert_string_equal(r.f.u.gen.object, "shop.users");

  struct run r2 = {0};
  assert_int_equal(feed(&r2, &st, 0, 9142), L7_MATCH);
  assert_int_equal(r2.conf, 90);
}

static void test_query_mid_flow(void **state) {
  (void)state;
  struct buf q = {.n = 0}, res = {.n = 0};
  query(&q, 12, "INSERT INTO events (id, kind) VALUES (uuid(), 'x')");
  size_t at = cql_begin(&res, 0x84, 12, 0x08);
  be32(&res, 1);
  cql_end(&res, at);
  struct run r = {0};
  assert_int_equal(feed(&r, &q, 0, 9043), L7_MATCH);
  assert_int_equal(r.conf, 85);
  assert_string_equal(r.f.u.gen.object, "events");
  assert_int_equal(feed(&r, &res, 1, 9043), L7_DONE);
  assert_int_equal(r.conf, 100);
  /* A RESULT alone: 75. */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &res, 1, 9043), L7_MATCH);
  assert_int_equal(r2.conf, 75);
  /* A QUERY whose text is not CQL, or whose consistency does not exist. */
  struct buf bad = {.n = 0};
  query(&bad, 3, "hello world");
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &bad, 0, 9042), L7_NO);
  bad.n = 0;
  query(&bad, 3, "SELECT 1 FROM t");
  bad.b[bad.n - 3] = 0x20;
  struct run r4 = {0};
  assert_int_equal(feed(&r4, &bad, 0, 9042), L7_NO);
}

static void test_downgrade(void **state) {
  (void)state;
  /* A v5 OPTIONS, answered by a v4 server with a protocol error. */
  struct buf o = {.n = 0}, e = {.n = 0};
  empty(&o, 5, 0, 0x05);
  size_t at = cql_begin(&e, 0x84, 0, 0x00);
  be32(&e, 0x000a);
  cql_string(&e, "Invalid or unsupported protocol version (5)");
  cql_end(&e, at);
  struct run r = {0};
  assert_int_equal(feed(&r, &o, 0, 9042), L7_MATCH);
  assert_int_equal(feed(&r, &e, 1, 9042), L7_MATCH);
  assert_int_equal(r.conf, 100);
  /* An error code that does not exist. */
  put_be32(&e, 9, 0x7777);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &e, 1, 9042), L7_NO);
}

static void test_auth(void **state) {
  (void)state;
  struct buf a = {.n = 0}, ar = {.n = 0};
  size_t at = cql_begin(&a, 0x84, 1, 0x03);
  cql_string(&a, "org.apache.cassandra.auth.PasswordAuthenticator");
  cql_end(&a, at);
  at = cql_begin(&ar, 4, 2, 0x0f);
  be32(&ar, 20);
  bytes(&ar, "\0cassandra\0cassandra", 20);
  cql_end(&ar, at);
  struct run r = {0};
  assert_int_equal(feed(&r, &a, 1, 9042), L7_MATCH);
  assert_int_equal(feed(&r, &ar, 0, 9042), L7_MATCH);
  assert_string_equal(r.f.u.gen.user, "cassandra");
  assert_string_equal(r.f.u.gen.verb, "AUTH_RESPONSE");
}

static void test_internode(void **state) {
  (void)state;
  static const uint8_t hello[] = {0xca, 0x55, 0x2d, 0xfa, 0x0c, 0x0a, 0x0c, 0x11, 0x06, 0xc6};
  struct run r = {0};
  assert_int_equal(feed_fn(l7_probe_cassandra, &r, hello, sizeof hello, 0, TCP, 7000),
                   L7_MATCH);
  assert_int_equal(r.conf, 85);
  assert_int_equal(feed_fn(l7_probe_cassandra, &r, hello, sizeof hello, 1, TCP, 7000),
                   L7_DONE);
  assert_int_equal(r.conf, 100);
  struct run r2 = {0};
  assert_int_equal(feed_fn(l7_probe_cassandra, &r2, hello, 3, 0, TCP, 7000), L7_MORE);
}

static void test_malformed(void **state) {
  (void)state;
  struct buf o = {.n = 0};
  sample(S_CQL_OPTIONS, &o);
  struct buf bad = o;
  bad.b[0] = 2; /* v2 has an 8-byte header: not read */
  struct run r = {0};
  assert_int_equal(feed(&r, &bad, 0, 9042), L7_NO);
  bad = o;
  bad.b[4] = 0x02; /* READY is a response */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &bad, 0, 9042), L7_NO);
  bad = o;
  bad.b[1] = 0x40; /* unknown flag */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &bad, 0, 9042), L7_NO);
  bad = o;
  bad.b[2] = 0xff; /* negative stream in a request */
  struct run r4 = {0};
  assert_int_equal(feed(&r4, &bad, 0, 9042), L7_NO);
  bad = o;
  u8(&bad, 0); /* OPTIONS with a body */
  put_be32(&bad, 5, 1);
  struct run r5 = {0};
  assert_int_equal(feed(&r5, &bad, 0, 9042), L7_NO);
  bad = o;
  text(&bad, "junk"); /* bytes after the frame that start no frame */
  struct run r6 = {0};
  assert_int_equal(feed(&r6, &bad, 0, 9042), L7_NO);
  struct buf st = {.n = 0};
  size_t at = cql_begin(&st, 4, 1, 0x01);
  be16(&st, 1);
  cql_string(&st, "COMPRESSION");
  cql_string(&st, "lz4");
  cql_end(&st, at);
  struct run r7 = {0};
  assert_int_equal(feed(&r7, &st, 0, 9042), L7_NO);
}

static void test_every_prefix(void **state) {
  (void)state;
  struct buf o = {.n = 0}, st = {.n = 0}, q = {.n = 0};
  sample(S_CQL_OPTIONS, &o);
  startup(&st, 1);
  query(&q, 2, "SELECT * FROM ks.t");
  every_prefix(l7_probe_cassandra, &o, 0, TCP, 9042, 0);
  every_prefix(l7_probe_cassandra, &st, 0, TCP, 9042, 0);
  every_prefix(l7_probe_cassandra, &q, 0, TCP, 9042, 9 + 4 + 7);
}

static void test_not_cassandra(void **state) {
  (void)state;
  static const enum sample maybe[] = {S_COUNT};
  refuses_others(l7_probe_cassandra, "cassandra", maybe);
  struct buf o = {.n = 0};
  sample(S_CQL_OPTIONS, &o);
  struct run r = {0};
  assert_int_equal(feed_fn(l7_probe_cassandra, &r, o.b, o.n, 0, UDP, 9042), L7_NO);
}

static void test_random_junk(void **state) {
  (void)state;
  random_junk(l7_probe_cassandra, TCP, 9042, 19);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_handshake_and_query),
      cmocka_unit_test(test_query_mid_flow),
      cmocka_unit_test(test_downgrade),
      cmocka_unit_test(test_auth),
      cmocka_unit_test(test_internode),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_every_prefix),
      cmocka_unit_test(test_not_cassandra),
      cmocka_unit_test(test_random_junk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
