/* tests/unit/test_l7_amqp.c — the AMQP probe on 0-9-1 frames and 1.0
 * headers and frames built byte by byte: the connection's opening, PLAIN
 * and AMQPLAIN logins, publish and deliver seen mid-flow, version
 * mismatch, every cut, and what is not AMQP. Payloads are copied into
 * exact-size buffers. */
#include "l7_data_samples.h"

static int feed(struct run *r, const struct buf *b, uint8_t dir, uint16_t port) {
  return feed_fn(l7_probe_amqp, r, b->b, b->n, dir, TCP, port);
}

static void longstr(struct buf *b, const char *s) {
  be32(b, (uint32_t)strlen(s));
  text(b, s);
}

/* A field-table entry of type 'S'. */
static void field_s(struct buf *b, const char *name, const char *v) {
  shortstr(b, name);
  u8(b, 'S');
  longstr(b, v);
}

static void connection_start(struct buf *b) {
  size_t at = amqp_begin(b, 0, 10, 10);
  u8(b, 0);
  u8(b, 9);
  size_t t = b->n;
  be32(b, 0);
  shortstr(b, "capabilities");
  u8(b, 'F');
  size_t c = b->n;
  be32(b, 0);
  shortstr(b, "publisher_confirms");
  u8(b, 't');
  u8(b, 1);
  put_be32(b, c, (uint32_t)(b->n - c - 4));
  field_s(b, "cluster_name", "rabbit@mq1");
  field_s(b, "product", "RabbitMQ");
  field_s(b, "version", "3.12.1");
  put_be32(b, t, (uint32_t)(b->n - t - 4));
  longstr(b, "AMQPLAIN PLAIN");
  longstr(b, "en_US");
  amqp_end(b, at);
}

static void start_ok(struct buf *b, const char *mech, const void *resp, size_t n) {
  size_t at = amqp_begin(b, 0, 10, 11);
  size_t t = b->n;
  be32(b, 0);
  field_s(b, "product", "pika");
  put_be32(b, t, (uint32_t)(b->n - t - 4));
  shortstr(b, mech);
  be32(b, (uint32_t)n);
  bytes(b, resp, n);
  shortstr(b, "en_US");
  amqp_end(b, at);
}

static void publish(struct buf *b, const char *exchange, const char *key) {
  size_t at = amqp_begin(b, 1, 60, 40);
  be16(b, 0);
  shortstr(b, exchange);
  shortstr(b, key);
  u8(b, 0);
  amqp_end(b, at);
  /* content header and body */
  u8(b, 2);
  be16(b, 1);
  be32(b, 14);
  be16(b, 60);
  be16(b, 0);
  be32(b, 0);
  be32(b, 2);
  be16(b, 0);
  u8(b, 0xce);
  u8(b, 3);
  be16(b, 1);
  be32(b, 2);
  text(b, "hi");
  u8(b, 0xce);
}

static void test_connection(void **state) {
  (void)state;
  struct buf h = {.n = 0}, st = {.n = 0}, ok = {.n = 0}, tune = {.n = 0},
             ch = {.n = 0}, pub = {.n = 0};
  sample(S_AMQP_HEADER, &h);
  connection_start(&st);
  start_ok(&ok, "PLAIN", "\0guest\0guest", 12);
  size_t at = amqp_begin(&tune, 0, 10, 31);
  be16(&tune, 2047);
  be32(&tune, 131072);
  be16(&tune, 60);
  amqp_end(&tune, at);
  at = amqp_begin(&tune, 0, 10, 40);
  shortstr(&tune, "/");
  u8(&tune, 0);
  u8(&tune, 0);
  amqp_end(&tune, at);
  at = amqp_begin(&ch, 1, 20, 10);
  u8(&ch, 0);
  amqp_end(&ch, at);
  publish(&pub, "orders", "order.created");
  struct run r = {0};
  assert_int_equal(feed(&r, &h, 0, 5672), L7_MATCH);
  assert_int_equal(r.conf, 95);
  assert_int_equal(feed(&r, &st, 1, 5672), L7_MATCH);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.software, "RabbitMQ 3.12.1");
  assert_string_equal(r.f.u.gen.verb, "connection.start");
  assert_int_equal(feed(&r, &ok, 0, 5672), L7_MATCH);
  assert_string_equal(r.f.u.gen.user, "guest");
  assert_int_equal(feed(&r, &tune, 0, 5672), L7_MATCH);
  assert_int_equal(feed(&r, &ch, 0, 5672), L7_MATCH);
  assert_int_equal(feed(&r, &pub, 0, 5672), L7_DONE);
  assert_string_equal(r.f.u.gen.verb, "basic.publish");
  assert_string_equal(r.f.u.gen.object, "orders/order.created");
  assert_int_equal(r.conf, 100);

  struct run r2 = {0};
  assert_int_equal(feed(&r2, &h, 0, 5673), L7_MATCH);
  assert_int_equal(r2.conf, 90);
}

static void test_amqplain(void **state) {
  (void)state;
  struct buf ok = {.n = 0}, t = {.n = 0};
  field_s(&t, "LOGIN", "svc-billing");
  field_s(&t, "PASSWORD", "pw");
  start_ok(&ok, "AMQPLAIN", t.b, t.n);
  struct run r = {0};
  assert_int_equal(feed(&r, &ok, 0, 5672), L7_MATCH);
  assert_string_equal(r.f.u.gen.user, "svc-billing");
}

static void test_mid_flow(void **state) {
  (void)state;
  /* nDPI's amqp.pcap: celery publishing, no connection opening seen. */
  struct buf pub = {.n = 0};
  publish(&pub, "celeryev", "worker.heartbeat");
  struct run r = {0};
  assert_int_equal(feed(&r, &pub, 0, 5672), L7_MATCH);
  assert_int_equal(r.conf, 85);
  assert_string_equal(r.f.u.gen.object, "celeryev/worker.heartbeat");
  /* The default exchange: the routing key is the queue. */
  pub.n = 0;
  publish(&pub, "", "tasks");
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &pub, 0, 5672), L7_MATCH);
  assert_string_equal(r2.f.u.gen.object, "tasks");
  /* A consumer: the server delivers, the client acknowledges. */
  struct buf dl = {.n = 0}, ack = {.n = 0};
  size_t at = amqp_begin(&dl, 1, 60, 60);
  shortstr(&dl, "ctag1.0");
  be32(&dl, 0);
  be32(&dl, 7);
  u8(&dl, 0);
  shortstr(&dl, "celeryev");
  shortstr(&dl, "task.started");
  amqp_end(&dl, at);
  at = amqp_begin(&ack, 1, 60, 80);
  be32(&ack, 0);
  be32(&ack, 7);
  u8(&ack, 0);
  amqp_end(&ack, at);
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &dl, 1, 5672), L7_MATCH);
  assert_int_equal(r3.conf, 85);
  assert_string_equal(r3.f.u.gen.verb, "basic.deliver");
  assert_string_equal(r3.f.u.gen.object, "celeryev/task.started");
  assert_int_equal(feed(&r3, &ack, 0, 5672), L7_DONE);
  assert_int_equal(r3.conf, 95);
  assert_string_equal(r3.f.u.gen.verb, "basic.deliver");
  /* Queue methods name their queue. */
  struct buf qd = {.n = 0};
  at = amqp_begin(&qd, 1, 50, 10);
  be16(&qd, 0);
  shortstr(&qd, "invoices");
  u8(&qd, 2);
  be32(&qd, 0);
  amqp_end(&qd, at);
  struct run r4 = {0};
  assert_int_equal(feed(&r4, &qd, 0, 5672), L7_MATCH);
  assert_string_equal(r4.f.u.gen.verb, "queue.declare");
  assert_string_equal(r4.f.u.gen.object, "invoices");
}

static void test_versions(void **state) {
  (void)state;
  struct buf h = {.n = 0}, srv = {.n = 0};
  sample(S_AMQP_HEADER, &h);
  bytes(&srv, "AMQP\x01\x01\x00\x0a", 8);
  struct run r = {0};
  assert_int_equal(feed(&r, &h, 0, 5672), L7_MATCH);
  assert_int_equal(feed(&r, &srv, 1, 5672), L7_DONE);
  assert_int_equal(r.conf, 100);
  /* AMQP 1.0 with SASL: headers both ways, then frames. */
  struct buf h10 = {.n = 0}, mech = {.n = 0}, open = {.n = 0}, attach = {.n = 0};
  bytes(&h10, "AMQP\x03\x01\x00\x00", 8);
  be32(&mech, 0);
  u8(&mech, 2);
  u8(&mech, 1);
  be16(&mech, 0);
  bytes(&mech, "\x00\x53\x40\xc0\x0e\x01\xe0\x0b\x01\xa3\x05PLAIN", 17);
  put_be32(&mech, 0, (uint32_t)mech.n);
  be32(&open, 0);
  u8(&open, 2);
  u8(&open, 0);
  be16(&open, 0);
  bytes(&open, "\x00\x53\x10\xc0\x03\x01\xa1\x00", 8);
  put_be32(&open, 0, (uint32_t)open.n);
  attach = open;
  attach.b[10] = 0x12;
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &h10, 0, 5672), L7_MATCH);
  assert_int_equal(feed(&r2, &h10, 1, 5672), L7_MATCH);
  assert_int_equal(r2.conf, 100);
  assert_int_equal(feed(&r2, &mech, 1, 5672), L7_MATCH);
  assert_int_equal(feed(&r2, &open, 0, 5672), L7_MATCH);
  assert_string_equal(r2.f.u.gen.verb, "open");
  assert_int_equal(feed(&r2, &attach, 0, 5672), L7_DONE);
  assert_string_equal(r2.f.u.gen.verb, "attach");
  /* Headers that are not AMQP's. */
  static const char *const bad[] = {"AMQP\x00\x00\x09\x02", "AMQP\x04\x01\x00\x00",
                                    "AMQX\x00\x00\x09\x01"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct run rb = {0};
    assert_int_equal(feed_fn(l7_probe_amqp, &rb, bad[i], 8, 0, TCP, 5672), L7_NO);
  }
}

static void test_malformed_frames(void **state) {
  (void)state;
  struct buf p = {.n = 0};
  sample(S_AMQP_PUBLISH, &p);
  struct buf bad = p;
  bad.b[bad.n - 1] = 0xcd; /* frame end */
  struct run r = {0};
  assert_int_equal(feed(&r, &bad, 0, 5672), L7_NO);
  bad = p;
  bad.b[10] = 99; /* method 60.99 */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &bad, 0, 5672), L7_NO);
  bad = p;
  bad.b[1] = 0;
  bad.b[2] = 0; /* basic methods are not on channel 0 */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &bad, 0, 5672), L7_NO);
  /* connection.start comes from the server only. */
  struct buf st = {.n = 0};
  connection_start(&st);
  struct run r4 = {0};
  assert_int_equal(feed(&r4, &st, 0, 5672), L7_NO);
  /* Heartbeats alone prove nothing; on channel 1 they are not heartbeats. */
  static const uint8_t hb[] = {8, 0, 0, 0, 0, 0, 0, 0xce};
  struct run r5 = {0};
  assert_int_equal(feed_fn(l7_probe_amqp, &r5, hb, sizeof hb, 0, TCP, 5672), L7_MORE);
  assert_int_equal(feed_fn(l7_probe_amqp, &r5, hb, sizeof hb, 1, TCP, 5672), L7_NO);
  static const uint8_t hb1[] = {8, 0, 1, 0, 0, 0, 0, 0xce};
  struct run r6 = {0};
  assert_int_equal(feed_fn(l7_probe_amqp, &r6, hb1, sizeof hb1, 0, TCP, 5672), L7_NO);
}

static void test_every_prefix(void **state) {
  (void)state;
  struct buf h = {.n = 0}, p = {.n = 0};
  sample(S_AMQP_HEADER, &h);
  sample(S_AMQP_PUBLISH, &p);
  every_prefix(l7_probe_amqp, &h, 0, TCP, 5672, 0);
  every_prefix(l7_probe_amqp, &p, 0, TCP, 5672, 7 + 4);
}

static void test_not_amqp(void **state) {
  (void)state;
  static const enum sample maybe[] = {S_COUNT};
  refuses_others(l7_probe_amqp, "amqp", maybe);
}

static void test_random_junk(void **state) {
  (void)state;
  random_junk(l7_probe_amqp, TCP, 5672, 37);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_connection),
      cmocka_unit_test(test_amqplain),
      cmocka_unit_test(test_mid_flow),
      cmocka_unit_test(test_versions),
      cmocka_unit_test(test_malformed_frames),
      cmocka_unit_test(test_every_prefix),
      cmocka_unit_test(test_not_amqp),
      cmocka_unit_test(test_random_junk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
