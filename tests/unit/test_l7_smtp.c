/* tests/unit/test_l7_smtp.c — the SMTP probe: greetings with and without a
 * hint, the client's first command, both directions and their facts, cut
 * lines, junk, and the other protocols' openings. Payloads are copied into
 * exact-size buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l7_probe_test.h"

static int feed(struct run *r, const char *s, uint8_t dir, uint16_t port) {
  return feed_fn(l7_probe_smtp, r, s, strlen(s), dir, TCP, port);
}

static const char GREETING[] = "220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n";
static const char EHLO[] = "EHLO client.example.org\r\n";

static void test_greeting_then_ehlo(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, GREETING, 1, 25), L7_MATCH);
  assert_int_equal(r.conf, 90);
  assert_string_equal(r.f.u.gen.software, "mail.example.com ESMTP Postfix (Debian/GNU)");
  assert_int_equal(feed(&r, EHLO, 0, 25), L7_DONE);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.verb, "EHLO");
  assert_string_equal(r.f.u.gen.object, "client.example.org");
  assert_string_equal(r.f.u.gen.user, "");
}

static void test_plain_greeting_waits_for_client(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, "220 relay.example.net ready\r\n", 1, 2525), L7_MORE);
  assert_int_equal(feed(&r, "helo pc1\r\n", 0, 2525), L7_DONE);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.verb, "helo");
  assert_string_equal(r.f.u.gen.object, "pc1");
  /* The same greeting answered with an FTP command is not SMTP. */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, "220 relay.example.net ready\r\n", 1, 2525), L7_MORE);
  assert_int_equal(feed(&r2, "USER anonymous\r\n", 0, 2525), L7_NO);
  /* Nor is one that says FTP. */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, "220 ProFTPD 1.3.8 Server (Debian)\r\n", 1, 21), L7_NO);
}

static void test_multiline_greeting(void **state) {
  (void)state;
  /* The hint is in the last line of a multi-line greeting, in a second
   * segment. */
  struct run r = {0};
  assert_int_equal(feed(&r, "220-mx1.example.com\r\n", 1, 25), L7_MORE);
  assert_int_equal(feed(&r, "220-no UCE\r\n220 mx1.example.com ESMTP Exim 4.96\r\n", 1, 25),
                   L7_MATCH);
  assert_int_equal(feed(&r, EHLO, 0, 25), L7_DONE);
  /* And in one packet. */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, "220-mx1.example.com\r\n220 ESMTP ready\r\n", 1, 25), L7_MATCH);
  assert_string_equal(r2.f.u.gen.software, "mx1.example.com");
}

static void test_refusal_greetings(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, "554 mx.example.com ESMTP not accepting messages\r\n", 1, 25),
                   L7_MATCH);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, "421 4.3.2 Service not available, SMTP closing\r\n", 1, 587),
                   L7_MATCH);
  assert_int_equal(r2.conf, 90);
  /* Any other code cannot open a session. */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, "250 mx.example.com ESMTP\r\n", 1, 25), L7_NO);
}

static void test_client_first(void **state) {
  (void)state;
  /* The capture started after the greeting. */
  struct run r = {0};
  assert_int_equal(feed(&r, "MAIL FROM:<alice@example.org> SIZE=1024\r\n", 0, 10025),
                   L7_MATCH);
  assert_int_equal(r.conf, 85);
  assert_string_equal(r.f.u.gen.verb, "MAIL");
  assert_string_equal(r.f.u.gen.object, "");
  assert_int_equal(feed(&r, "250 2.1.0 Ok\r\n", 1, 10025), L7_DONE);
  assert_int_equal(r.conf, 100);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, "RCPT TO:<bob@example.com>\r\n", 0, 25), L7_MATCH);
  /* Commands every text protocol has decide nothing. */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, "QUIT\r\n", 0, 25), L7_NO);
  struct run r4 = {0};
  assert_int_equal(feed(&r4, "MAIL me\r\n", 0, 25), L7_NO);
}

static void test_after_claim(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, GREETING, 1, 25), L7_MATCH);
  /* STARTTLS first (a client may), then TLS bytes: still ours. */
  assert_int_equal(feed(&r, "STARTTLS\r\n", 0, 25), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "STARTTLS");
  assert_int_equal(feed(&r, "220 2.0.0 Ready to start TLS\r\n", 1, 25), L7_MATCH);
  static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc};
  assert_int_equal(feed_fn(l7_probe_smtp, &r, hello, sizeof hello, 0, TCP, 25), L7_MATCH);
  assert_int_equal(feed(&r, EHLO, 0, 25), L7_DONE); /* after TLS, in a test */
  assert_string_equal(r.f.u.gen.verb, "STARTTLS");
  assert_string_equal(r.f.u.gen.object, "");
}

static void test_prefixes(void **state) {
  (void)state;
  /* A greeting cut short: waited for, and claimed once "ESMTP" is in. */
  size_t first = check_prefixes(l7_probe_smtp, GREETING, sizeof GREETING - 1, 1, TCP, 25, 0);
  assert_int_equal(first, strlen("220 mail.example.com ESMTP"));
  /* The client's command is taken once its line is whole. */
  first = check_prefixes(l7_probe_smtp, EHLO, sizeof EHLO - 1, 0, TCP, 25, 0);
  assert_int_equal(first, sizeof EHLO); /* never before the LF */
  /* A long banner is cut to the field. */
  char longb[400] = "220 ";
  memset(longb + 4, 'x', 200);
  strcpy(longb + 204, " ESMTP\r\n");
  struct run r = {0};
  assert_int_equal(feed(&r, longb, 1, 25), L7_MATCH);
  assert_int_equal(strlen(r.f.u.gen.software), sizeof r.f.u.gen.software - 1);
  /* A line longer than any SMTP line is not SMTP. */
  char huge[1200];
  memset(huge, 'a', sizeof huge);
  memcpy(huge, "EHLO ", 5);
  huge[sizeof huge - 2] = '\r', huge[sizeof huge - 1] = '\n';
  struct run r2 = {0};
  assert_int_equal(feed_fn(l7_probe_smtp, &r2, huge, sizeof huge, 0, TCP, 25), L7_NO);
}

static void test_control_bytes(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, "220 mail ESMTP\x01\r\n", 1, 25), L7_NO);
  struct run r2 = {0};
  assert_int_equal(feed_fn(l7_probe_smtp, &r2, "EHLO a\0b\r\n", 10, 0, TCP, 25), L7_NO);
}

static void test_not_smtp(void **state) {
  (void)state;
  assert_no_on_others(l7_probe_smtp, 1u << S_SMTP);
  struct run r = {0};
  assert_int_equal(feed_fn(l7_probe_smtp, &r, GREETING, sizeof GREETING - 1, 1, UDP, 25),
                   L7_NO);
  assert_junk_unclaimed(l7_probe_smtp, TCP, 25);
}

static void test_dispatcher(void **state) {
  (void)state;
  const struct flow_pkt pk[] = {{GREETING, sizeof GREETING - 1, 1},
                                {EHLO, sizeof EHLO - 1, 0},
                                {"250-mail.example.com\r\n250 SIZE 10240000\r\n", 41, 1}};
  struct ev_l7 l7;
  uint8_t conf = 0;
  assert_string_equal(dispatch(pk, 3, TCP, 25, &l7, &conf), "smtp");
  assert_int_equal(conf, 100);
  assert_string_equal(l7.app_verb, "EHLO");
  assert_string_equal(l7.app_object, "client.example.org");
  assert_string_equal(l7.app_software, "mail.example.com ESMTP Postfix (Debian/GNU)");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_greeting_then_ehlo),
      cmocka_unit_test(test_plain_greeting_waits_for_client),
      cmocka_unit_test(test_multiline_greeting),
      cmocka_unit_test(test_refusal_greetings),
      cmocka_unit_test(test_client_first),
      cmocka_unit_test(test_after_claim),
      cmocka_unit_test(test_prefixes),
      cmocka_unit_test(test_control_bytes),
      cmocka_unit_test(test_not_smtp),
      cmocka_unit_test(test_dispatcher),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
