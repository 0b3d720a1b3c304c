/* tests/unit/test_l7_mongodb.c — the MongoDB probe on messages built byte
 * by byte: OP_MSG commands and answers, OP_QUERY and OP_REPLY, the legacy
 * opcodes, OP_COMPRESSED, BSON checks, SCRAM users, buildInfo, every cut,
 * and what is not MongoDB. Payloads are copied into exact-size buffers. */
#include "l7_data_samples.h"

static int feed(struct run *r, const struct buf *b, uint8_t dir, uint16_t port) {
  return feed_fn(l7_probe_mongodb, r, b->b, b->n, dir, TCP, port);
}

/* BSON helpers: a document is opened, filled, closed. */
static size_t doc_begin(struct buf *b) {
  size_t at = b->n;
  le32(b, 0);
  return at;
}
static void doc_end(struct buf *b, size_t at) {
  u8(b, 0);
  put_le32(b, at, (uint32_t)(b->n - at));
}
static void e_str(struct buf *b, const char *name, const char *v) {
  u8(b, 0x02);
  cstr(b, name);
  le32(b, (uint32_t)strlen(v) + 1);
  cstr(b, v);
}
static void e_int(struct buf *b, const char *name, uint32_t v) {
  u8(b, 0x10);
  cstr(b, name);
  le32(b, v);
}
static void e_double(struct buf *b, const char *name) {
  u8(b, 0x01);
  cstr(b, name);
  bytes(b, "\x00\x00\x00\x00\x00\x00\xf0\x3f", 8);
}
static void e_bin(struct buf *b, const char *name, const char *v) {
  u8(b, 0x05);
  cstr(b, name);
  le32(b, (uint32_t)strlen(v));
  u8(b, 0);
  text(b, v);
}

/* OP_MSG with one body document made by fill(). */
static void op_msg(struct buf *b, uint32_t id, uint32_t reply_to,
                   void (*fill)(struct buf *)) {
  size_t at = mongo_begin(b, id, reply_to, 2013);
  le32(b, 0);
  u8(b, 0);
  size_t d = doc_begin(b);
  fill(b);
  doc_end(b, d);
  mongo_end(b, at);
}

static void fill_ok(struct buf *b) { e_double(b, "ok"); }
static void fill_insert(struct buf *b) {
  e_str(b, "insert", "orders");
  u8(b, 0x08);
  cstr(b, "ordered");
  u8(b, 1);
  e_str(b, "$db", "shop");
}
static void fill_hello(struct buf *b) {
  e_int(b, "hello", 1);
  size_t c = b->n;
  u8(b, 0x03);
  cstr(b, "client");
  size_t d = doc_begin(b);
  e_str(b, "application", "mongosh");
  doc_end(b, d);
  (void)c;
  e_str(b, "$db", "admin");
}
static void fill_sasl(struct buf *b) {
  e_int(b, "saslStart", 1);
  e_str(b, "mechanism", "SCRAM-SHA-256");
  e_bin(b, "payload", "n,,n=reporting,r=fyko+d2lbbFgONRv9qkxdawL");
  e_str(b, "$db", "admin");
}
static void fill_buildinfo_reply(struct buf *b) {
  e_str(b, "version", "7.0.14");
  e_str(b, "gitVersion", "ce59cfc6a3c5e5c067dca0d30697edd68d4f5188");
  e_double(b, "ok");
}

static void test_command_and_answer(void **state) {
  (void)state;
  struct buf q = {.n = 0}, a = {.n = 0};
  mongo_find(&q, 77);
  op_msg(&a, 900, 77, fill_ok);
  struct run r = {0};
  assert_int_equal(feed(&r, &q, 0, 27017), L7_MATCH);
  assert_int_equal(r.conf, 90);
  assert_string_equal(r.f.u.gen.verb, "find");
  assert_string_equal(r.f.u.gen.object, "shop.users");
  assert_int_equal(feed(&r, &a, 1, 27017), L7_DONE);
  assert_int_equal(r.conf, 100);

  /* An answer to another request still proves the server, at 85. */
  struct buf other = {.n = 0};
  op_msg(&other, 901, 5, fill_ok);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &q, 0, 30000), L7_MATCH);
  assert_int_equal(r2.conf, 85);
  assert_int_equal(feed(&r2, &other, 1, 30000), L7_DONE);
  assert_int_equal(r2.conf, 85);

  /* An answer alone (mid-flow). */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &a, 1, 27017), L7_MATCH);
  assert_int_equal(r3.conf, 80);
}

static void test_handshake_commands_give_way(void **state) {
  (void)state;
  struct buf h = {.n = 0}, s = {.n = 0}, ins = {.n = 0}, bi = {.n = 0};
  op_msg(&h, 1, 0, fill_hello);
  op_msg(&s, 2, 0, fill_sasl);
  op_msg(&ins, 3, 0, fill_insert);
  op_msg(&bi, 50, 2, fill_buildinfo_reply);
  struct run r = {0};
  assert_int_equal(feed(&r, &h, 0, 27017), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "hello");
  assert_string_equal(r.f.u.gen.object, "");
  assert_int_equal(feed(&r, &s, 0, 27017), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "hello");
  assert_string_equal(r.f.u.gen.user, "reporting");
  assert_int_equal(feed(&r, &bi, 1, 27017), L7_MATCH);
  assert_string_equal(r.f.u.gen.software, "7.0.14");
  assert_int_equal(feed(&r, &ins, 0, 27017), L7_DONE);
  assert_string_equal(r.f.u.gen.verb, "insert");
  assert_string_equal(r.f.u.gen.object, "shop.orders");
}

static void test_op_query_and_reply(void **state) {
  (void)state;
  struct buf q = {.n = 0}, a = {.n = 0};
  sample(S_MONGO_QUERY, &q);
  size_t at = mongo_begin(&a, 99, 1, 1);
  le32(&a, 8);          /* AwaitCapable */
  le32(&a, 0);          /* cursor id */
  le32(&a, 0);
  le32(&a, 0);          /* starting from */
  le32(&a, 1);          /* one document */
  size_t d = doc_begin(&a);
  u8(&a, 0x08);
  cstr(&a, "ismaster");
  u8(&a, 1);
  e_double(&a, "ok");
  doc_end(&a, d);
  mongo_end(&a, at);
  struct run r = {0};
  assert_int_equal(feed(&r, &q, 0, 27017), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "isMaster");
  assert_int_equal(feed(&r, &a, 1, 27017), L7_MATCH);
  assert_int_equal(r.conf, 100);

  /* responseTo -1 in a request (nDPI's mongodb.pcap): still a request. */
  struct buf q2 = q;
  put_le32(&q2, 8, 0xffffffffu);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &q2, 0, 30000), L7_MATCH);
  assert_int_equal(r2.conf, 85);

  /* A legacy query on a collection. */
  struct buf lq = {.n = 0};
  at = mongo_begin(&lq, 5, 0, 2004);
  le32(&lq, 0);
  cstr(&lq, "shop.carts");
  le32(&lq, 0);
  le32(&lq, 10);
  d = doc_begin(&lq);
  e_str(&lq, "user", "bob");
  doc_end(&lq, d);
  mongo_end(&lq, at);
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &lq, 0, 27017), L7_MATCH);
  assert_string_equal(r3.f.u.gen.verb, "query");
  assert_string_equal(r3.f.u.gen.object, "shop.carts");
}

static void test_legacy_and_compressed(void **state) {
  (void)state;
  struct buf ins = {.n = 0};
  size_t at = mongo_begin(&ins, 8, 0, 2002);
  le32(&ins, 0);
  cstr(&ins, "shop.events");
  size_t d = doc_begin(&ins);
  e_str(&ins, "kind", "click");
  doc_end(&ins, d);
  mongo_end(&ins, at);
  struct run r = {0};
  assert_int_equal(feed(&r, &ins, 0, 27017), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "insert");
  assert_string_equal(r.f.u.gen.object, "shop.events");

  struct buf gm = {.n = 0};
  at = mongo_begin(&gm, 9, 0, 2005);
  le32(&gm, 0);
  cstr(&gm, "shop.events");
  le32(&gm, 100);
  le32(&gm, 0x1234);
  le32(&gm, 0);
  mongo_end(&gm, at);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &gm, 0, 27017), L7_MATCH);
  assert_string_equal(r2.f.u.gen.verb, "getMore");

  struct buf kc = {.n = 0};
  at = mongo_begin(&kc, 10, 0, 2007);
  le32(&kc, 0);
  le32(&kc, 1);
  le32(&kc, 0x1234);
  le32(&kc, 0);
  mongo_end(&kc, at);
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &kc, 0, 27017), L7_MATCH);
  assert_string_equal(r3.f.u.gen.verb, "killCursors");
  put_le32(&kc, 20, 2); /* two ids announced, one there */
  struct run r4 = {0};
  assert_int_equal(feed(&r4, &kc, 0, 27017), L7_NO);

  struct buf z = {.n = 0};
  at = mongo_begin(&z, 11, 0, 2012);
  le32(&z, 2013);
  le32(&z, 200);
  u8(&z, 1); /* snappy */
  bytes(&z, "\x12\x34\x56\x78\x9a\xbc", 6);
  mongo_end(&z, at);
  struct run r5 = {0};
  assert_int_equal(feed(&r5, &z, 0, 27017), L7_MATCH);
  assert_int_equal(r5.conf, 85);
  z.b[24] = 9; /* unknown compressor */
  struct run r6 = {0};
  assert_int_equal(feed(&r6, &z, 0, 27017), L7_NO);
}

static void test_bson_checks(void **state) {
  (void)state;
  struct buf q = {.n = 0};
  mongo_find(&q, 7);
  /* The body document: 21 bytes in (header 16, flags 4, kind 1). */
  size_t doc = 21;
  struct buf bad = q;
  bad.b[bad.n - 2] = 1; /* the terminating 0 of the document */
  struct run r = {0};
  assert_int_equal(feed(&r, &bad, 0, 27017), L7_NO);
  bad = q;
  bad.b[doc + 4] = 0x20; /* unknown element type */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &bad, 0, 27017), L7_NO);
  bad = q;
  put_le32(&bad, doc, 200); /* longer than the message */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &bad, 0, 27017), L7_NO);
  bad = q;
  put_le32(&bad, 16, 0x100); /* a flag bit that does not exist */
  struct run r4 = {0};
  assert_int_equal(feed(&r4, &bad, 0, 27017), L7_NO);
  bad = q;
  put_le32(&bad, 12, 2003); /* opcode 2003 was never used */
  struct run r5 = {0};
  assert_int_equal(feed(&r5, &bad, 0, 27017), L7_NO);
  bad = q;
  text(&bad, "AAAA"); /* after the message, a header that starts nothing */
  struct run r6 = {0};
  assert_int_equal(feed(&r6, &bad, 0, 27017), L7_NO);
  bad = q;
  put_le32(&bad, doc + 4 + 1 + 5, 9); /* a string that overruns its NUL */
  struct run r7 = {0};
  assert_int_equal(feed(&r7, &bad, 0, 27017), L7_NO);
}

static void test_every_prefix(void **state) {
  (void)state;
  struct buf q = {.n = 0}, lq = {.n = 0};
  mongo_find(&q, 7);
  sample(S_MONGO_QUERY, &lq);
  /* Taken once the first element's name is whole. */
  every_prefix(l7_probe_mongodb, &q, 0, TCP, 27017, 21 + 4 + 1 + 5 + 4 + 6);
  every_prefix(l7_probe_mongodb, &lq, 0, TCP, 27017, 0);
}

static void test_not_mongodb(void **state) {
  (void)state;
  static const enum sample maybe[] = {S_COUNT};
  refuses_others(l7_probe_mongodb, "mongodb", maybe);
  struct buf q = {.n = 0};
  mongo_find(&q, 7);
  struct run r = {0};
  assert_int_equal(feed_fn(l7_probe_mongodb, &r, q.b, q.n, 0, UDP, 27017), L7_NO);
  /* nDPI's mongo_false_positive: TLS-looking records with a plausible
   * length are no MongoDB. */
  static const uint8_t fp[] = {
      0x4b, 0x45, 0x00, 0x00, 0x02, 0x06, 0x01, 0x55, 0x00, 0x00, 0x03, 0x9e,
      0x01, 0x00, 0x00, 0x00, 0x8f, 0xe0, 0xa8, 0xcf, 0x6b, 0x86, 0x21, 0x01,
      0x00, 0xaa, 0x04, 0x9a, 0xc3, 0x85, 0x95, 0x88, 0x5b, 0x26, 0xe5, 0x35,
      0x6c, 0x8a, 0x3d, 0x81};
  struct run r2 = {0};
  assert_int_equal(feed_fn(l7_probe_mongodb, &r2, fp, sizeof fp, 0, TCP, 443), L7_NO);
}

static void test_random_junk(void **state) {
  (void)state;
  random_junk(l7_probe_mongodb, TCP, 27017, 17);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_command_and_answer),
      cmocka_unit_test(test_handshake_commands_give_way),
      cmocka_unit_test(test_op_query_and_reply),
      cmocka_unit_test(test_legacy_and_compressed),
      cmocka_unit_test(test_bson_checks),
      cmocka_unit_test(test_every_prefix),
      cmocka_unit_test(test_not_mongodb),
      cmocka_unit_test(test_random_junk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
