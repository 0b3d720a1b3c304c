/* tests/unit/test_l7_redis.c — the Redis probe on RESP built byte by byte:
 * commands and answers (RESP2 and RESP3 types), HELLO and INFO, AUTH,
 * pipelines, inline commands, a capture that starts with the server,
 * every cut, and what is not Redis (memcached's lines, POP3's "+OK").
 * Payloads are copied into exact-size buffers. */
#include "l7_data_samples.h"

static int feed(struct run *r, const struct buf *b, uint8_t dir, uint16_t port) {
  return feed_fn(l7_probe_redis, r, b->b, b->n, dir, TCP, port);
}

static int feed_str(struct run *r, const char *s, uint8_t dir, uint16_t port) {
  return feed_fn(l7_probe_redis, r, s, strlen(s), dir, TCP, port);
}

static void cmd(struct buf *b, size_t n, const char *const *args) {
  b->n = 0;
  resp_cmd(b, n, args);
}

static void test_command_and_answer(void **state) {
  (void)state;
  struct buf c = {.n = 0};
  static const char *const set[] = {"SET", "session:42", "alice"};
  static const char *const get[] = {"get", "session:42"};
  cmd(&c, 3, set);
  struct run r = {0};
  assert_int_equal(feed(&r, &c, 0, 6379), L7_MATCH);
  assert_int_equal(r.conf, 90);
  assert_string_equal(r.f.u.gen.verb, "SET");
  assert_string_equal(r.f.u.gen.object, "session:42");
  assert_int_equal(feed_str(&r, "+OK\r\n", 1, 6379), L7_MATCH);
  assert_int_equal(r.conf, 100);
  cmd(&c, 2, get);
  assert_int_equal(feed(&r, &c, 0, 6379), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "SET"); /* the first data command stays */
  assert_int_equal(feed_str(&r, "$5\r\nalice\r\n", 1, 6379), L7_DONE);

  struct run r2 = {0};
  assert_int_equal(feed(&r2, &c, 0, 16379), L7_MATCH);
  assert_int_equal(r2.conf, 85);
  assert_string_equal(r2.f.u.gen.verb, "GET");
}

static void test_hello_and_info(void **state) {
  (void)state;
  struct buf c = {.n = 0};
  static const char *const hello[] = {"HELLO", "3", "AUTH", "app", "s3cret"};
  cmd(&c, 5, hello);
  struct run r = {0};
  assert_int_equal(feed(&r, &c, 0, 6379), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "HELLO");
  assert_string_equal(r.f.u.gen.user, "app");
  assert_string_equal(r.f.u.gen.object, "");
  /* RESP3 HELLO answer: a map of seven pairs. */
  static const char map[] = "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.2.5\r\n"
                            "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:4\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n"
                            "$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
  assert_int_equal(feed_str(&r, map, 1, 6379), L7_MATCH);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.software, "redis 7.2.5");
  static const char *const lpush[] = {"LPUSH", "queue:jobs", "42"};
  cmd(&c, 3, lpush);
  assert_int_equal(feed(&r, &c, 0, 6379), L7_DONE);
  assert_string_equal(r.f.u.gen.verb, "LPUSH");
  assert_string_equal(r.f.u.gen.object, "queue:jobs");

  /* INFO's answer: a bulk string with redis_version. */
  static const char *const info[] = {"INFO", "server"};
  cmd(&c, 2, info);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &c, 0, 6379), L7_MATCH);
  assert_string_equal(r2.f.u.gen.verb, "INFO");
  assert_string_equal(r2.f.u.gen.object, "");
  static const char body[] = "# Server\r\nredis_version:6.2.14\r\nredis_mode:standalone\r\n";
  char bulk[128];
  int k = snprintf(bulk, sizeof bulk, "$%zu\r\n%s\r\n", strlen(body), body);
  assert_int_equal(feed_fn(l7_probe_redis, &r2, bulk, (size_t)k, 1, TCP, 6379), L7_DONE);
  assert_string_equal(r2.f.u.gen.software, "redis 6.2.14");
}

static void test_auth(void **state) {
  (void)state;
  struct buf c = {.n = 0};
  static const char *const two[] = {"AUTH", "notauser", "notapassword"};
  static const char *const one[] = {"AUTH", "onlyapassword"};
  cmd(&c, 3, two);
  struct run r = {0};
  assert_int_equal(feed(&r, &c, 0, 6379), L7_MATCH);
  assert_string_equal(r.f.u.gen.user, "notauser");
  assert_string_equal(r.f.u.gen.object, "");
  assert_int_equal(feed_str(&r, "-WRONGPASS invalid username-password pair\r\n", 1, 6379),
                   L7_MATCH);
  assert_int_equal(r.conf, 100);
  cmd(&c, 2, one);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &c, 0, 6379), L7_MATCH);
  assert_string_equal(r2.f.u.gen.user, "");
}

static void test_pipeline(void **state) {
  (void)state;
  struct buf c = {.n = 0};
  static const char *const sel[] = {"SELECT", "2"};
  static const char *const incr[] = {"INCR", "counter:visits"};
  resp_cmd(&c, 2, sel);
  resp_cmd(&c, 2, incr);
  struct run r = {0};
  assert_int_equal(feed(&r, &c, 0, 6379), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "INCR");
  assert_string_equal(r.f.u.gen.object, "counter:visits");
  assert_int_equal(feed_str(&r, "+OK\r\n:7\r\n", 1, 6379), L7_DONE);
}

static void test_resp3_answers(void **state) {
  (void)state;
  static const char *const answers[] = {
      "_\r\n", "#t\r\n", ",3.14\r\n", "(3492890328409238509324850943850943825024385\r\n",
      "=15\r\ntxt:Some string\r\n", "!21\r\nSYNTAX invalid syntax\r\n",
      "~2\r\n+a\r\n+b\r\n", ">3\r\n$7\r\nmessage\r\n$3\r\nFoo\r\n$2\r\nhi\r\n",
      "|1\r\n+ttl\r\n:3600\r\n:42\r\n", "*-1\r\n", "$-1\r\n", "*0\r\n", ":-5\r\n",
      "*2\r\n*2\r\n:1\r\n:2\r\n%1\r\n+k\r\n+v\r\n"};
  struct buf c = {.n = 0};
  static const char *const get[] = {"GET", "k"};
  cmd(&c, 2, get);
  for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
    struct run r = {0};
    assert_int_equal(feed(&r, &c, 0, 6379), L7_MATCH);
    int v = feed_str(&r, answers[i], 1, 6379);
    if (!claims(v) || r.conf != 100)
      fail_msg("answer %zu: %d %u", i, v, r.conf);
  }
  /* Malformed answers: a bulk longer than said, a bad boolean, a bare LF. */
  static const char *const bad[] = {"$3\r\nabcd\r\n", "#x\r\n", "+OK\n", ":12a\r\n",
                                    "*1\r\n?\r\n", "%1\r\n+k\r\n!x\r\n"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct run r = {0};
    assert_int_equal(feed_str(&r, bad[i], 1, 6379), L7_NO);
  }
}

static void test_inline(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed_str(&r, "PING\r\n", 0, 6379), L7_MORE);
  assert_int_equal(feed_str(&r, "+PONG\r\n", 1, 6379), L7_MATCH);
  assert_int_equal(r.conf, 95);
  /* Zeek's almost-resp: inline commands, then answers and text. */
  struct run r2 = {0};
  assert_int_equal(feed_str(&r2, "AUTH noone password\r\nPING\r\n", 0, 6379), L7_MORE);
  assert_int_equal(feed_str(&r2, "+OK\r\n+OK\r\nnot RESP\r\n", 1, 6379), L7_MATCH);
  /* An inline command answered in another protocol. */
  struct run r3 = {0};
  assert_int_equal(feed_str(&r3, "get user:1\r\n", 0, 11211), L7_MORE);
  assert_int_equal(feed_str(&r3, "VALUE user:1 0 5\r\nalice\r\nEND\r\n", 1, 11211), L7_NO);
  /* Not Redis commands, HTTP request lines, memcached storage lines. */
  static const char *const no[] = {"USER anonymous\r\n", "EHLO client\r\n",
                                   "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
                                   "set user:1 0 300 5\r\nalice\r\n", "QUIT\r\n",
                                   "gets a b\r\n", "\r\n"};
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
    struct run rn = {0};
    if (feed_str(&rn, no[i], 0, 6379) != L7_NO)
      fail_msg("%s", no[i]);
  }
  /* A server that greets first (POP3) makes inline commands no Redis. */
  struct run r4 = {0};
  assert_int_equal(feed_str(&r4, "+OK POP3 ready\r\n", 1, 110), L7_MORE);
  assert_int_equal(feed_str(&r4, "AUTH PLAIN\r\n", 0, 110), L7_NO);
}

static void test_server_first(void **state) {
  (void)state;
  /* Zeek's start-with-server: an answer, then a command. */
  struct buf c = {.n = 0};
  static const char *const set[] = {"SET", "hello", "there"};
  cmd(&c, 3, set);
  struct run r = {0};
  assert_int_equal(feed_str(&r, "+OK\r\n", 1, 6379), L7_MORE);
  assert_int_equal(feed(&r, &c, 0, 6379), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "SET");
  /* A subscriber seen mid-flow: pushes of three elements. */
  struct run r2 = {0};
  assert_int_equal(feed_str(&r2, "*3\r\n$7\r\nmessage\r\n$3\r\nFoo\r\n$5\r\nhello\r\n", 1, 6379),
                   L7_MATCH);
  assert_int_equal(r2.conf, 80);
  /* Two lone simple answers: not enough. */
  struct run r3 = {0};
  assert_int_equal(feed_str(&r3, ":1\r\n", 1, 6379), L7_MORE);
  assert_int_equal(feed_str(&r3, "+OK\r\n", 1, 6379), L7_NO);
}

static void test_large_values(void **state) {
  (void)state;
  /* A SET whose value goes on in later segments: taken by its name. */
  static const char head[] = "*3\r\n$3\r\nSET\r\n$14\r\nFIVE_HUNDRED_X\r\n$500\r\nxxxxxxxx";
  struct run r = {0};
  assert_int_equal(feed_str(&r, head, 0, 6379), L7_MATCH);
  assert_string_equal(r.f.u.gen.object, "FIVE_HUNDRED_X");
  assert_int_equal(feed_str(&r, "xxxxxxxxxxxxxxxxxxxxxxxx", 0, 6379), L7_MATCH);
  /* A key longer than the field is cut, terminated. */
  char key[300];
  memset(key, 'k', sizeof key - 1);
  key[sizeof key - 1] = '\0';
  const char *args[] = {"GET", key};
  struct buf c = {.n = 0};
  cmd(&c, 2, args);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &c, 0, 6379), L7_MATCH);
  assert_int_equal(strlen(r2.f.u.gen.object), sizeof r2.f.u.gen.object - 1);
}

static void test_every_prefix(void **state) {
  (void)state;
  struct buf c = {.n = 0};
  static const char *const set[] = {"SET", "session:42", "alice"};
  cmd(&c, 3, set);
  every_prefix(l7_probe_redis, &c, 0, TCP, 6379, strlen("*3\r\n$3\r\nSET\r\n"));
}

static void test_not_redis(void **state) {
  (void)state;
  /* POP3's greeting is a RESP simple string: waited through once. */
  static const enum sample maybe[] = {S_POP3_BANNER, S_COUNT};
  refuses_others(l7_probe_redis, "redis", maybe);
  struct buf c = {.n = 0};
  static const char *const bad[] = {"1SET", "k"};
  cmd(&c, 2, bad);
  struct run r = {0};
  assert_int_equal(feed(&r, &c, 0, 6379), L7_NO);
  /* A length that does not agree with the bytes after it. */
  struct run r2 = {0};
  assert_int_equal(feed_str(&r2, "*1\r\n$3\r\nPING\r\n", 0, 6379), L7_NO);
  struct run r3 = {0};
  assert_int_equal(feed_str(&r3, "*0\r\n", 0, 6379), L7_NO);
  struct run r4 = {0};
  assert_int_equal(feed_fn(l7_probe_redis, &r4, "*1\r\n$4\r\nPING\r\n", 14, 0, UDP, 6379),
                   L7_NO);
}

static void test_random_junk(void **state) {
  (void)state;
  random_junk(l7_probe_redis, TCP, 6379, 13);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_command_and_answer),
      cmocka_unit_test(test_hello_and_info),
      cmocka_unit_test(test_auth),
      cmocka_unit_test(test_pipeline),
      cmocka_unit_test(test_resp3_answers),
      cmocka_unit_test(test_inline),
      cmocka_unit_test(test_server_first),
      cmocka_unit_test(test_large_values),
      cmocka_unit_test(test_every_prefix),
      cmocka_unit_test(test_not_redis),
      cmocka_unit_test(test_random_junk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
