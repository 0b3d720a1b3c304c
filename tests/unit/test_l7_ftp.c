/* tests/unit/test_l7_ftp.c — the FTP control probe: greetings with and
 * without a hint, the client's commands, USER seen first and the reply
 * that tells FTP from POP3, facts, cut lines, junk, and the other
 * protocols' openings. Payloads are copied into exact-size buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l7_probe_test.h"

static int feed(struct run *r, const char *s, uint8_t dir, uint16_t port) {
  return feed_fn(l7_probe_ftp, r, s, strlen(s), dir, TCP, port);
}

static const char GREETING[] = "220 (vsFTPd 3.0.3)\r\n";

static void test_session(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, GREETING, 1, 21), L7_MATCH);
  assert_int_equal(r.conf, 90);
  assert_string_equal(r.f.u.gen.software, "(vsFTPd 3.0.3)");
  assert_int_equal(feed(&r, "USER anonymous\r\n", 0, 21), L7_DONE);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.verb, "USER");
  assert_string_equal(r.f.u.gen.user, "anonymous");
}

static void test_plain_greeting(void **state) {
  (void)state;
  /* No hint: the first command decides. */
  struct run r = {0};
  assert_int_equal(feed(&r, "220 Welcome to the archive\r\n", 1, 2121), L7_MORE);
  assert_int_equal(feed(&r, "AUTH TLS\r\n", 0, 2121), L7_MATCH);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.verb, "AUTH");
  assert_int_equal(feed(&r, "234 Proceed with negotiation.\r\n", 1, 2121), L7_MATCH);
  static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0xf4, 0x01};
  assert_int_equal(feed_fn(l7_probe_ftp, &r, hello, sizeof hello, 0, TCP, 2121), L7_MATCH);
  /* A greeting in parts ("120" then "220") and FEAT. */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, "120 Service ready in 2 minutes\r\n", 1, 21), L7_MORE);
  assert_int_equal(feed(&r2, "220 Ready\r\n", 1, 21), L7_MORE);
  assert_int_equal(feed(&r2, "FEAT\r\n", 0, 21), L7_MATCH);
  /* EHLO, QUIT or a text command of no protocol: not FTP. */
  static const char *const not_ftp[] = {"EHLO x\r\n", "QUIT\r\n", "HELLO there\r\n",
                                        "AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n"};
  for (size_t i = 0; i < sizeof not_ftp / sizeof *not_ftp; i++) {
    struct run r3 = {0};
    assert_int_equal(feed(&r3, "220 Welcome\r\n", 1, 21), L7_MORE);
    assert_int_equal(feed(&r3, not_ftp[i], 0, 21), L7_NO);
  }
  /* A greeting that says SMTP. */
  struct run r4 = {0};
  assert_int_equal(feed(&r4, "220 mx.example.com ESMTP ready\r\n", 1, 21), L7_NO);
}

static void test_user_first(void **state) {
  (void)state;
  /* USER alone is POP3's too: the reply tells. */
  struct run r = {0};
  assert_int_equal(feed(&r, "USER alice\r\n", 0, 21), L7_MORE);
  assert_int_equal(feed(&r, "331 Please specify the password.\r\n", 1, 21), L7_MATCH);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.verb, "");
  /* Following: PASS and RETR give the object, the user is known by now
   * only when the claim came at the USER. */
  assert_int_equal(feed(&r, "PASS secret\r\n", 0, 21), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "PASS");
  assert_int_equal(feed(&r, "RETR /pub/README\r\n", 0, 21), L7_MATCH);
  assert_string_equal(r.f.u.gen.object, "/pub/README");
  struct run r2 = {0};
  assert_int_equal(feed(&r2, "USER alice\r\n", 0, 110), L7_MORE);
  assert_int_equal(feed(&r2, "+OK alice is welcome here\r\n", 1, 110), L7_NO);
  /* Commands only FTP has claim alone. */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, "PASV\r\n", 0, 21), L7_MATCH);
  assert_int_equal(r3.conf, 85);
  assert_int_equal(feed(&r3, "227 Entering Passive Mode (192,168,1,2,19,137).\r\n", 1, 21),
                   L7_MATCH);
  assert_int_equal(r3.conf, 100);
  struct run r4 = {0};
  assert_int_equal(feed(&r4, "CWD /incoming\r\n", 0, 2100), L7_MATCH);
  assert_string_equal(r4.f.u.gen.object, "/incoming");
  assert_int_equal(r4.conf, 80);
}

static void test_prefixes(void **state) {
  (void)state;
  size_t first = check_prefixes(l7_probe_ftp, GREETING, sizeof GREETING - 1, 1, TCP, 21, 0);
  assert_int_equal(first, strlen("220 (vsFTP"));
  static const char feat[] = "FEAT\r\n";
  first = check_prefixes(l7_probe_ftp, feat, sizeof feat - 1, 0, TCP, 21, 0);
  assert_int_equal(first, sizeof feat); /* a command only once its line is whole */
  /* A greeting cut inside the code: still waited for. */
  struct run r = {0};
  assert_int_equal(feed(&r, "22", 1, 21), L7_MORE);
}

static void test_not_ftp(void **state) {
  (void)state;
  assert_no_on_others(l7_probe_ftp, 1u << S_FTP);
  assert_junk_unclaimed(l7_probe_ftp, TCP, 21);
  struct run r = {0};
  assert_int_equal(feed_fn(l7_probe_ftp, &r, GREETING, sizeof GREETING - 1, 1, UDP, 21), L7_NO);
}

static void test_dispatcher(void **state) {
  (void)state;
  static const char reply[] = "331 Please specify the password.\r\n";
  static const char user[] = "USER ftp\r\n";
  const struct flow_pkt pk[] = {{GREETING, sizeof GREETING - 1, 1},
                                {user, sizeof user - 1, 0},
                                {reply, sizeof reply - 1, 1}};
  struct ev_l7 l7;
  uint8_t conf = 0;
  assert_string_equal(dispatch(pk, 3, TCP, 21, &l7, &conf), "ftp");
  assert_int_equal(conf, 100);
  assert_string_equal(l7.app_user, "ftp");
  assert_string_equal(l7.app_software, "(vsFTPd 3.0.3)");
  /* A bare greeting: the dispatcher keeps both FTP and SMTP waiting; the
   * client's USER settles it. */
  const struct flow_pkt pk2[] = {{"220 Hello\r\n", 11, 1}, {user, sizeof user - 1, 0}};
  assert_string_equal(dispatch(pk2, 2, TCP, 21, &l7, &conf), "ftp");
  assert_string_equal(l7.app_user, "ftp");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_session),     cmocka_unit_test(test_plain_greeting),
      cmocka_unit_test(test_user_first),  cmocka_unit_test(test_prefixes),
      cmocka_unit_test(test_not_ftp),     cmocka_unit_test(test_dispatcher),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
