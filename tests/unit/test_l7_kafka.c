/* tests/unit/test_l7_kafka.c — the Kafka probe on requests and responses
 * built byte by byte: ApiVersions, Metadata, Produce and Fetch in plain and
 * flexible versions, SASL users, correlation ids, requests in flight,
 * every cut, and what is not Kafka. Payloads are copied into exact-size
 * buffers. */
#include "l7_data_samples.h"

static int feed(struct run *r, const struct buf *b, uint8_t dir, uint16_t port) {
  return feed_fn(l7_probe_kafka, r, b->b, b->n, dir, TCP, port);
}

static void response(struct buf *b, uint32_t corr) {
  b->n = 0;
  be32(b, 0);
  be32(b, corr);
  be16(b, 0);    /* error_code */
  be32(b, 0);    /* an empty array */
  put_be32(b, 0, (uint32_t)(b->n - 4));
}

static void compact_str(struct buf *b, const char *s) {
  u8(b, (unsigned)strlen(s) + 1);
  text(b, s);
}

static void produce_v3(struct buf *b, uint32_t corr, const char *topic) {
  size_t at = kafka_begin(b, 0, 3, corr, "producer-1", 0);
  be16(b, 0xffff);          /* transactional_id: null */
  be16(b, 1);               /* acks */
  be32(b, 30000);           /* timeout */
  be32(b, 1);               /* one topic */
  be16(b, (unsigned)strlen(topic));
  text(b, topic);
  be32(b, 0);               /* no partitions */
  kafka_end(b, at);
}

static void test_producer_session(void **state) {
  (void)state;
  struct buf av = {.n = 0}, md = {.n = 0}, pr = {.n = 0}, rsp = {.n = 0};
  sample(S_KAFKA_APIVERSIONS, &av); /* correlation 0 */
  sample(S_KAFKA_METADATA, &md);    /* correlation 2 */
  produce_v3(&pr, 3, "orders.v2");
  struct run r = {0};
  assert_int_equal(feed(&r, &av, 0, 9092), L7_MATCH);
  assert_int_equal(r.conf, 90);
  assert_string_equal(r.f.u.gen.verb, "ApiVersions");
  assert_string_equal(r.f.u.gen.software, "apache-kafka-java 3.6.1");
  response(&rsp, 0);
  assert_int_equal(feed(&r, &rsp, 1, 9092), L7_MATCH);
  assert_int_equal(r.conf, 100);
  assert_int_equal(feed(&r, &md, 0, 9092), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "Metadata");
  assert_string_equal(r.f.u.gen.object, "orders");
  assert_int_equal(feed(&r, &pr, 0, 9092), L7_DONE);
  assert_string_equal(r.f.u.gen.verb, "Produce");
  assert_string_equal(r.f.u.gen.object, "orders.v2");

  /* Elsewhere, no port bonus; a response with another id is not ours. */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &pr, 0, 19092), L7_MATCH);
  assert_int_equal(r2.conf, 85);
  response(&rsp, 99);
  assert_int_equal(feed(&r2, &rsp, 1, 19092), L7_MATCH);
  assert_int_equal(r2.conf, 85);
  response(&rsp, 3);
  assert_int_equal(feed(&r2, &rsp, 1, 19092), L7_DONE);
  assert_int_equal(r2.conf, 100);
}

static void test_flexible_versions(void **state) {
  (void)state;
  /* Produce v9: compact strings and arrays, tagged fields. */
  struct buf b = {.n = 0};
  size_t at = kafka_begin(&b, 0, 9, 5, "rdkafka", 1);
  u8(&b, 0);                /* transactional_id: null */
  be16(&b, 0xffff);         /* acks -1 */
  be32(&b, 5000);
  u8(&b, 2);                /* one topic */
  compact_str(&b, "events");
  u8(&b, 1);                /* no partitions */
  u8(&b, 0);
  u8(&b, 0);
  kafka_end(&b, at);
  struct run r = {0};
  assert_int_equal(feed(&r, &b, 0, 9092), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "Produce");
  assert_string_equal(r.f.u.gen.object, "events");

  /* Metadata v12: topic id then a compact name. */
  b.n = 0;
  at = kafka_begin(&b, 3, 12, 6, "adminclient-1", 1);
  u8(&b, 2);
  zeros(&b, 16);
  compact_str(&b, "audit");
  u8(&b, 0);
  u8(&b, 1);                /* include_topic_authorized_operations */
  u8(&b, 0);
  kafka_end(&b, at);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &b, 0, 9092), L7_MATCH);
  assert_string_equal(r2.f.u.gen.object, "audit");

  /* Fetch v11: replica, waits, sizes, isolation, session, then topics. */
  b.n = 0;
  at = kafka_begin(&b, 1, 11, 7, "consumer-g1-1", 0);
  be32(&b, 0xffffffffu);
  be32(&b, 500);
  be32(&b, 1);
  be32(&b, 52428800);
  u8(&b, 0);
  be32(&b, 0);
  be32(&b, 0xffffffffu);
  be32(&b, 1);
  be16(&b, 4);
  text(&b, "logs");
  be32(&b, 0);
  kafka_end(&b, at);
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &b, 0, 9092), L7_MATCH);
  assert_string_equal(r3.f.u.gen.verb, "Fetch");
  assert_string_equal(r3.f.u.gen.object, "logs");
}

static void test_sasl_user(void **state) {
  (void)state;
  struct buf b = {.n = 0};
  size_t at = kafka_begin(&b, 36, 1, 4, "producer-1", 0);
  be32(&b, 14);
  bytes(&b, "\0alice\0s3cret!", 14);
  kafka_end(&b, at);
  struct run r = {0};
  assert_int_equal(feed(&r, &b, 0, 9092), L7_MATCH);
  assert_string_equal(r.f.u.gen.user, "alice");
  assert_string_equal(r.f.u.gen.verb, "SaslAuthenticate");
  b.n = 0;
  at = kafka_begin(&b, 36, 2, 4, "producer-1", 1);
  compact_str(&b, "n,,n=bob,r=fyko+d2lbbFgONRv9qkxdawL");
  u8(&b, 0);
  kafka_end(&b, at);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &b, 0, 9092), L7_MATCH);
  assert_string_equal(r2.f.u.gen.user, "bob");
}

static void test_in_flight(void **state) {
  (void)state;
  struct buf two = {.n = 0};
  produce_v3(&two, 10, "a");
  produce_v3(&two, 11, "b");
  struct run r = {0};
  assert_int_equal(feed(&r, &two, 0, 9092), L7_MATCH);
  assert_string_equal(r.f.u.gen.object, "a");
  /* What follows a request must look like one. */
  struct buf junk = {.n = 0};
  produce_v3(&junk, 10, "a");
  text(&junk, "GET / HTTP/1.1\r\n");
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &junk, 0, 9092), L7_NO);
  /* A long produce goes on in the next segment. */
  struct buf big = {.n = 0};
  produce_v3(&big, 12, "bulk");
  put_be32(&big, 0, 100000);
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &big, 0, 9092), L7_MATCH);
  static const uint8_t rest[] = {0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x10, 0x00, 0xfe};
  assert_int_equal(feed_fn(l7_probe_kafka, &r3, rest, sizeof rest, 0, TCP, 9092), L7_MATCH);
}

static void test_server_first(void **state) {
  (void)state;
  struct buf rsp = {.n = 0}, av = {.n = 0};
  response(&rsp, 1);
  sample(S_KAFKA_APIVERSIONS, &av);
  struct run r = {0};
  assert_int_equal(feed(&r, &rsp, 1, 9092), L7_MORE);
  assert_int_equal(feed(&r, &av, 0, 9092), L7_MATCH);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &rsp, 1, 9092), L7_MORE);
  assert_int_equal(feed(&r2, &rsp, 1, 9092), L7_NO);
}

static void test_malformed(void **state) {
  (void)state;
  struct buf av = {.n = 0};
  sample(S_KAFKA_APIVERSIONS, &av);
  struct buf bad = av;
  bad.b[4] = 0x00;
  bad.b[5] = 200; /* api key */
  struct run r = {0};
  assert_int_equal(feed(&r, &bad, 0, 9092), L7_NO);
  bad = av;
  bad.b[7] = 40; /* api version */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &bad, 0, 9092), L7_NO);
  bad = av;
  bad.b[8] = 0x80; /* negative correlation id */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &bad, 0, 9092), L7_NO);
  bad = av;
  bad.b[14] = 0x01; /* control byte in client_id */
  struct run r4 = {0};
  assert_int_equal(feed(&r4, &bad, 0, 9092), L7_NO);
  bad = av;
  bad.b[12] = 0x7f; /* client_id longer than the message */
  struct run r5 = {0};
  assert_int_equal(feed(&r5, &bad, 0, 9092), L7_NO);
  bad = av;
  put_be32(&bad, 0, 6); /* shorter than a header */
  struct run r6 = {0};
  assert_int_equal(feed(&r6, &bad, 0, 9092), L7_NO);
}

static void test_every_prefix(void **state) {
  (void)state;
  struct buf av = {.n = 0}, md = {.n = 0};
  sample(S_KAFKA_APIVERSIONS, &av);
  sample(S_KAFKA_METADATA, &md);
  /* Taken once the client id is whole. */
  every_prefix(l7_probe_kafka, &av, 0, TCP, 9092, 4 + 10 + 10);
  every_prefix(l7_probe_kafka, &md, 0, TCP, 9092, 4 + 10 + 10);
}

static void test_not_kafka(void **state) {
  (void)state;
  /* A segment in direction 1 that could be a response is waited through
   * once (a capture that starts with the broker's side): none of these. */
  static const enum sample maybe[] = {S_COUNT};
  refuses_others(l7_probe_kafka, "kafka", maybe);
  /* ... but in direction 0, where requests come from, every one is NO. */
  for (int s = 0; s < S_COUNT; s++) {
    struct buf b;
    struct sample_meta m = sample((enum sample)s, &b);
    if (strcmp(m.app, "kafka") == 0)
      continue;
    struct run r;
    memset(&r, 0, sizeof r);
    if (feed_fn(l7_probe_kafka, &r, b.b, b.n, 0, m.proto, m.port) != L7_NO)
      fail_msg("sample %d (%s)", s, m.app);
  }
}

static void test_random_junk(void **state) {
  (void)state;
  random_junk(l7_probe_kafka, TCP, 9092, 23);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_producer_session),
      cmocka_unit_test(test_flexible_versions),
      cmocka_unit_test(test_sasl_user),
      cmocka_unit_test(test_in_flight),
      cmocka_unit_test(test_server_first),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_every_prefix),
      cmocka_unit_test(test_not_kafka),
      cmocka_unit_test(test_random_junk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
