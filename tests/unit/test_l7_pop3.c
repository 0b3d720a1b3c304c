/* tests/unit/test_l7_pop3.c — the POP3 probe: greetings, the client's
 * commands, USER seen first, facts, a bare "+OK" (Redis says that too),
 * cut lines, junk, and the other protocols' openings. Payloads are copied
 * into exact-size buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l7_probe_test.h"

static int feed(struct run *r, const char *s, uint8_t dir, uint16_t port) {
  return feed_fn(l7_probe_pop3, r, s, strlen(s), dir, TCP, port);
}

static const char GREETING[] = "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n";

static void test_session(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, GREETING, 1, 110), L7_MATCH);
  assert_int_equal(r.conf, 90);
  assert_string_equal(r.f.u.gen.software, "POP3 server ready <1896.697170952@dbc.mtview.ca.us>");
  assert_int_equal(feed(&r, "CAPA\r\n", 0, 110), L7_MATCH);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.verb, "CAPA");
  assert_int_equal(feed(&r, "+OK Capability list follows\r\nTOP\r\nUSER\r\n.\r\n", 1, 110),
                   L7_MATCH);
  assert_int_equal(feed(&r, "USER mrose\r\n", 0, 110), L7_DONE);
  assert_string_equal(r.f.u.gen.user, "mrose");
  assert_string_equal(r.f.u.gen.verb, "CAPA");
}

static void test_apop(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, "+OK ready\r\n", 1, 1110), L7_MATCH);
  assert_int_equal(r.conf, 75);
  assert_int_equal(feed(&r, "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n", 0, 1110),
                   L7_DONE);
  assert_string_equal(r.f.u.gen.user, "mrose");
  assert_string_equal(r.f.u.gen.verb, "APOP");
}

static void test_bare_ok(void **state) {
  (void)state;
  /* "+OK" alone waits for a POP3 command ... */
  struct run r = {0};
  assert_int_equal(feed(&r, "+OK\r\n", 1, 110), L7_MORE);
  assert_int_equal(feed(&r, "STAT\r\n", 0, 110), L7_MATCH);
  assert_int_equal(r.conf, 100);
  /* ... and gives up on a Redis command. */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, "+OK\r\n", 1, 6379), L7_MORE);
  assert_int_equal(feed(&r2, "*1\r\n$4\r\nPING\r\n", 0, 6379), L7_NO);
  /* "-ERR" cannot be a greeting. */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, "-ERR go away\r\n", 1, 110), L7_NO);
}

static void test_client_first(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, "CAPA\r\n", 0, 110), L7_MATCH);
  assert_int_equal(r.conf, 85);
  assert_int_equal(feed(&r, "-ERR unknown command\r\n", 1, 110), L7_MATCH);
  assert_int_equal(r.conf, 100);
  /* USER alone: FTP's too. */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, "USER bob\r\n", 0, 110), L7_MORE);
  assert_int_equal(feed(&r2, "+OK bob is welcome\r\n", 1, 110), L7_MATCH);
  assert_int_equal(r2.conf, 100);
  struct run r3 = {0};
  assert_int_equal(feed(&r3, "USER bob\r\n", 0, 21), L7_MORE);
  assert_int_equal(feed(&r3, "331 Password required\r\n", 1, 21), L7_NO);
  /* Commands POP3 shares with others decide nothing alone. */
  struct run r4 = {0};
  assert_int_equal(feed(&r4, "LIST\r\n", 0, 110), L7_NO);
}

static void test_after_greeting_other_protocol(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, "+OK\r\n", 1, 110), L7_MORE);
  assert_int_equal(feed(&r, "EHLO me\r\n", 0, 110), L7_NO);
  /* Once claimed, STLS then TLS bytes are ours. */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, GREETING, 1, 110), L7_MATCH);
  assert_int_equal(feed(&r2, "STLS\r\n", 0, 110), L7_MATCH);
  static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0xf4, 0x01};
  assert_int_equal(feed_fn(l7_probe_pop3, &r2, hello, sizeof hello, 0, TCP, 110), L7_MATCH);
}

static void test_prefixes(void **state) {
  (void)state;
  size_t first = check_prefixes(l7_probe_pop3, GREETING, sizeof GREETING - 1, 1, TCP, 110, 0);
  assert_int_equal(first, 5); /* "+OK P" */
  static const char capa[] = "CAPA\r\n";
  first = check_prefixes(l7_probe_pop3, capa, sizeof capa - 1, 0, TCP, 110, 0);
  assert_int_equal(first, sizeof capa);
}

static void test_not_pop3(void **state) {
  (void)state;
  assert_no_on_others(l7_probe_pop3, 1u << S_POP3);
  assert_junk_unclaimed(l7_probe_pop3, TCP, 110);
  struct run r = {0};
  assert_int_equal(feed_fn(l7_probe_pop3, &r, GREETING, sizeof GREETING - 1, 1, UDP, 110),
                   L7_NO);
}

static void test_dispatcher(void **state) {
  (void)state;
  static const char user[] = "USER mrose\r\n";
  static const char ok[] = "+OK mrose is a real hoopy frood\r\n";
  const struct flow_pkt pk[] = {{GREETING, sizeof GREETING - 1, 1},
                                {user, sizeof user - 1, 0},
                                {ok, sizeof ok - 1, 1}};
  struct ev_l7 l7;
  uint8_t conf = 0;
  assert_string_equal(dispatch(pk, 3, TCP, 110, &l7, &conf), "pop3");
  assert_int_equal(conf, 100);
  assert_string_equal(l7.app_user, "mrose");
  assert_string_equal(l7.app_verb, "USER");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_session),
      cmocka_unit_test(test_apop),
      cmocka_unit_test(test_bare_ok),
      cmocka_unit_test(test_client_first),
      cmocka_unit_test(test_after_greeting_other_protocol),
      cmocka_unit_test(test_prefixes),
      cmocka_unit_test(test_not_pop3),
      cmocka_unit_test(test_dispatcher),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
