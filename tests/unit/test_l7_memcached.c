/* tests/unit/test_l7_memcached.c — the memcached probe on the text, meta
 * and binary protocols over TCP, and over UDP with its frame header:
 * commands and answers, lone answers, versions, every cut, and what is not
 * memcached (Redis inline commands among them). Payloads are copied into
 * exact-size buffers. */
#include "l7_data_samples.h"

static int feed_str(struct run *r, const char *s, uint8_t dir, uint16_t port) {
  return feed_fn(l7_probe_memcached, r, s, strlen(s), dir, TCP, port);
}

static int feed(struct run *r, const struct buf *b, uint8_t dir, uint8_t proto,
                uint16_t port) {
  return feed_fn(l7_probe_memcached, r, b->b, b->n, dir, proto, port);
}

/* UDP frame header then a text. */
static void udp(struct buf *b, unsigned id, unsigned seq, unsigned total,
                const char *s) {
  b->n = 0;
  be16(b, id);
  be16(b, seq);
  be16(b, total);
  be16(b, 0);
  text(b, s);
}

/* A binary packet: header, extras, key, value. */
static void bin(struct buf *b, unsigned magic, unsigned op, unsigned status,
                uint32_t opaque, size_t extras, const char *key, const char *value) {
  size_t kl = strlen(key), vl = strlen(value);
  b->n = 0;
  u8(b, magic);
  u8(b, op);
  be16(b, (unsigned)kl);
  u8(b, (unsigned)extras);
  u8(b, 0);
  be16(b, status);
  be32(b, (uint32_t)(extras + kl + vl));
  be32(b, opaque);
  be32(b, 0);
  be32(b, 0);
  zeros(b, extras);
  text(b, key);
  text(b, value);
}

static void test_stats(void **state) {
  (void)state;
  /* nDPI's memcached.cap. */
  struct run r = {0};
  assert_int_equal(feed_str(&r, "stats\r\n", 0, 11211), L7_MATCH);
  assert_int_equal(r.conf, 75);
  assert_string_equal(r.f.u.gen.verb, "STATS");
  assert_int_equal(feed_str(&r, "STAT pid 8837\r\nSTAT uptime 193\r\nSTAT version 1.4.15\r\n"
                                "STAT libevent 2.0.21-stable\r\n", 1, 11211),
                   L7_DONE);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.software, "memcached 1.4.15");
}

static void test_storage_and_retrieval(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed_str(&r, "set user:1 0 300 5\r\nalice\r\n", 0, 11211), L7_MATCH);
  assert_int_equal(r.conf, 90);
  assert_string_equal(r.f.u.gen.verb, "SET");
  assert_string_equal(r.f.u.gen.object, "user:1");
  assert_int_equal(feed_str(&r, "STORED\r\n", 1, 11211), L7_DONE);
  assert_int_equal(r.conf, 100);

  /* "get" alone is also Redis inline: the answer decides, and names the key. */
  struct run r2 = {0};
  assert_int_equal(feed_str(&r2, "get user:1\r\n", 0, 11211), L7_MORE);
  assert_int_equal(feed_str(&r2, "VALUE user:1 0 5\r\nalice\r\nEND\r\n", 1, 11211), L7_DONE);
  assert_int_equal(r2.conf, 100);
  assert_string_equal(r2.f.u.gen.verb, "GET");
  assert_string_equal(r2.f.u.gen.object, "user:1");
  struct run r3 = {0};
  assert_int_equal(feed_str(&r3, "get user:1\r\n", 0, 11211), L7_MORE);
  assert_int_equal(feed_str(&r3, "$5\r\nalice\r\n", 1, 11211), L7_NO);

  static const struct {
    const char *line, *verb, *object;
    uint8_t conf;
  } cases[] = {
      {"gets a b c\r\n", "GETS", "a", 85},
      {"gat 60 sess:9\r\n", "GAT", "sess:9", 85},
      {"delete sess:9 noreply\r\n", "DELETE", "sess:9", 80},
      {"incr hits 1\r\n", "INCR", "hits", 85},
      {"touch sess:9 -1\r\n", "TOUCH", "sess:9", 85},
      {"cas k 0 0 1 42\r\nx\r\n", "CAS", "k", 90},
      {"append k 0 0 2 noreply\r\nab\r\n", "APPEND", "k", 90},
      {"version\r\n", "VERSION", "", 75},
      {"flush_all 10\r\n", "FLUSH_ALL", "", 75},
      {"verbosity 1\r\n", "VERBOSITY", "", 80},
      {"mg user:1 v t\r\n", "MG", "user:1", 80},
      {"ms user:1 5 T60\r\nalice\r\n", "MS", "user:1", 80},
      {"mn\r\n", "MN", "", 75},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct run rc = {0};
    int v = feed_str(&rc, cases[i].line, 0, 11211);
    if (!claims(v) || rc.conf != cases[i].conf)
      fail_msg("%s: %d %u", cases[i].line, v, rc.conf);
    assert_string_equal(rc.f.u.gen.verb, cases[i].verb);
    assert_string_equal(rc.f.u.gen.object, cases[i].object);
  }
  /* The answers a server gives. */
  static const char *const answers[] = {
      "END\r\n", "NOT_STORED\r\n", "EXISTS\r\n", "NOT_FOUND\r\n", "DELETED\r\n",
      "TOUCHED\r\n", "OK\r\n", "ERROR\r\n", "CLIENT_ERROR bad data chunk\r\n",
      "SERVER_ERROR out of memory\r\n", "42\r\n", "HD\r\n", "VA 5 t59\r\nalice\r\n",
      "EN\r\n", "MN\r\n", "VERSION 1.6.21\r\n"};
  for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
    struct run ra = {0};
    assert_int_equal(feed_str(&ra, "gets k\r\n", 0, 11211), L7_MATCH);
    int v = feed_str(&ra, answers[i], 1, 11211);
    if (!claims(v) || ra.conf != 100)
      fail_msg("%s: %d", answers[i], v);
  }
  struct run rv = {0};
  assert_int_equal(feed_str(&rv, "version\r\n", 0, 11211), L7_MATCH);
  assert_int_equal(feed_str(&rv, "VERSION 1.6.21\r\n", 1, 11211), L7_DONE);
  assert_string_equal(rv.f.u.gen.software, "memcached 1.6.21");
}

static void test_lone_answers(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed_str(&r, "VALUE user:1 0 5\r\nalice\r\nEND\r\n", 1, 11211), L7_MATCH);
  assert_int_equal(r.conf, 85);
  assert_string_equal(r.f.u.gen.object, "user:1");
  struct run r2 = {0};
  assert_int_equal(feed_str(&r2, "STAT pid 1\r\nSTAT uptime 2\r\n", 1, 11212), L7_MATCH);
  assert_int_equal(r2.conf, 75);
  struct run r3 = {0};
  assert_int_equal(feed_str(&r3, "END\r\n", 1, 11211), L7_MORE);
  assert_int_equal(feed_str(&r3, "STORED\r\n", 1, 11211), L7_NO);
  /* A VALUE whose data is not the length it says. */
  struct run r4 = {0};
  assert_int_equal(feed_str(&r4, "VALUE k 0 3\r\nabcdef\r\nEND\r\n", 1, 11211), L7_NO);
}

static void test_binary(void **state) {
  (void)state;
  struct buf q = {.n = 0}, a = {.n = 0};
  bin(&q, 0x80, 0x00, 0, 0xdeadbeef, 0, "user:1", "");
  bin(&a, 0x81, 0x00, 1, 0xdeadbeef, 0, "", "Not found");
  struct run r = {0};
  assert_int_equal(feed(&r, &q, 0, TCP, 11211), L7_MATCH);
  assert_int_equal(r.conf, 90);
  assert_string_equal(r.f.u.gen.verb, "GET");
  assert_string_equal(r.f.u.gen.object, "user:1");
  assert_int_equal(feed(&r, &a, 1, TCP, 11211), L7_DONE);
  assert_int_equal(r.conf, 100);
  /* SET takes 8 bytes of extras; VERSION's answer is the version. */
  bin(&q, 0x80, 0x01, 0, 7, 8, "k", "value");
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &q, 0, TCP, 11211), L7_MATCH);
  bin(&q, 0x80, 0x01, 0, 7, 4, "k", "value");
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &q, 0, TCP, 11211), L7_NO);
  bin(&q, 0x80, 0x0b, 0, 9, 0, "", "");
  bin(&a, 0x81, 0x0b, 0, 9, 0, "", "1.6.21");
  struct run r4 = {0};
  assert_int_equal(feed(&r4, &q, 0, TCP, 11211), L7_MATCH);
  assert_int_equal(feed(&r4, &a, 1, TCP, 11211), L7_DONE);
  assert_string_equal(r4.f.u.gen.software, "memcached 1.6.21");
  /* Bad data type, unknown opcode, bad status, body shorter than key. */
  struct buf bad = {.n = 0};
  bin(&bad, 0x80, 0x00, 0, 1, 0, "k", "");
  bad.b[5] = 1;
  struct run r5 = {0};
  assert_int_equal(feed(&r5, &bad, 0, TCP, 11211), L7_NO);
  bin(&bad, 0x80, 0x50, 0, 1, 0, "k", "");
  struct run r6 = {0};
  assert_int_equal(feed(&r6, &bad, 0, TCP, 11211), L7_NO);
  bin(&bad, 0x81, 0x00, 0x99, 1, 0, "", "");
  struct run r7 = {0};
  assert_int_equal(feed(&r7, &bad, 1, TCP, 11211), L7_NO);
  bin(&bad, 0x80, 0x00, 0, 1, 0, "key", "");
  bad.b[11] = 1;
  struct run r8 = {0};
  assert_int_equal(feed(&r8, &bad, 0, TCP, 11211), L7_NO);
}

static void test_udp(void **state) {
  (void)state;
  struct buf q = {.n = 0}, a = {.n = 0};
  udp(&q, 0x0101, 0, 1, "gets user:1\r\n");
  udp(&a, 0x0101, 0, 1, "VALUE user:1 0 5 77\r\nalice\r\nEND\r\n");
  struct run r = {0};
  assert_int_equal(feed(&r, &q, 0, UDP, 11211), L7_MATCH);
  assert_int_equal(r.conf, 80); /* 5 less over UDP */
  assert_int_equal(feed(&r, &a, 1, UDP, 11211), L7_DONE);
  assert_int_equal(r.conf, 100);
  /* An amplification answer: many datagrams of STAT lines, alone. */
  struct buf s = {.n = 0};
  udp(&s, 0x4242, 0, 3, "STAT pid 1\r\nSTAT uptime 2\r\nSTAT time 3\r\n");
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &s, 1, UDP, 11211), L7_MATCH);
  assert_int_equal(r2.conf, 75);
  /* Requests are one datagram; the reserved field is zero. */
  udp(&q, 1, 0, 2, "gets k\r\n");
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &q, 0, UDP, 11211), L7_NO);
  udp(&q, 1, 0, 1, "gets k\r\n");
  q.b[7] = 1;
  struct run r4 = {0};
  assert_int_equal(feed(&r4, &q, 0, UDP, 11211), L7_NO);
  /* An answer with another request id is not this flow's. */
  udp(&q, 7, 0, 1, "gets k\r\n");
  udp(&a, 8, 0, 1, "END\r\n");
  struct run r5 = {0};
  assert_int_equal(feed(&r5, &q, 0, UDP, 11211), L7_MATCH);
  assert_int_equal(feed(&r5, &a, 1, UDP, 11211), L7_MATCH);
  assert_int_equal(r5.conf, 80); /* nothing proved by it */
  /* Binary over UDP. */
  struct buf bq = {.n = 0}, tmp = {.n = 0};
  bin(&tmp, 0x80, 0x00, 0, 5, 0, "k", "");
  be16(&bq, 3);
  be16(&bq, 0);
  be16(&bq, 1);
  be16(&bq, 0);
  bytes(&bq, tmp.b, tmp.n);
  struct run r6 = {0};
  assert_int_equal(feed(&r6, &bq, 0, UDP, 11211), L7_MATCH);
  assert_int_equal(r6.conf, 85);
}

static void test_malformed(void **state) {
  (void)state;
  static const char *const no[] = {
      "set k x 0 5\r\nhello\r\n", "set k 0 0 5\r\nhelloXX\r\n", "set k 0 0\r\n",
      "GET k\r\n", "get\r\n", "delete\r\n", "incr k x\r\n", "stats a b c d\r\n",
      "version 2\r\n", "gets k\rX\n", "gets k\r\nhello\r\n", "hello world\r\n"};
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
    struct run r = {0};
    if (feed_str(&r, no[i], 0, 11211) != L7_NO)
      fail_msg("%s", no[i]);
  }
  char key[300] = "gets ";
  memset(key + 5, 'k', 251);
  strcpy(key + 256, "\r\n");
  struct run r = {0};
  assert_int_equal(feed_str(&r, key, 0, 11211), L7_NO);
}

static void test_every_prefix(void **state) {
  (void)state;
  struct buf s = {.n = 0}, b = {.n = 0}, u = {.n = 0};
  struct sample_meta m = sample(S_MEMCACHED_SET, &s);
  every_prefix(l7_probe_memcached, &s, 0, m.proto, m.port, strlen("set user:1 0 300 5\r\n"));
  m = sample(S_MEMCACHED_BIN, &b);
  every_prefix(l7_probe_memcached, &b, 0, m.proto, m.port, 24);
  m = sample(S_MEMCACHED_GETS, &u);
  every_prefix(l7_probe_memcached, &u, 0, m.proto, m.port, 0);
}

static void test_not_memcached(void **state) {
  (void)state;
  static const enum sample maybe[] = {S_COUNT};
  refuses_others(l7_probe_memcached, "memcached", maybe);
}

static void test_random_junk(void **state) {
  (void)state;
  random_junk(l7_probe_memcached, TCP, 11211, 29);
  random_junk(l7_probe_memcached, UDP, 11211, 31);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stats),
      cmocka_unit_test(test_storage_and_retrieval),
      cmocka_unit_test(test_lone_answers),
      cmocka_unit_test(test_binary),
      cmocka_unit_test(test_udp),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_every_prefix),
      cmocka_unit_test(test_not_memcached),
      cmocka_unit_test(test_random_junk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
