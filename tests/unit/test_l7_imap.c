/* tests/unit/test_l7_imap.c — the IMAP probe: greetings, tagged commands,
 * responses, facts (LOGIN user, SELECT mailbox), a capture that starts with
 * the client, cut lines, junk, and the other protocols' openings. Payloads
 * are copied into exact-size buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l7_probe_test.h"

static int feed(struct run *r, const char *s, uint8_t dir, uint16_t port) {
  return feed_fn(l7_probe_imap, r, s, strlen(s), dir, TCP, port);
}

static const char GREETING[] =
    "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE STARTTLS "
    "AUTH=PLAIN] Dovecot (Debian) ready.\r\n";

static void test_session(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, GREETING, 1, 143), L7_MATCH);
  assert_int_equal(r.conf, 90);
  /* The greeting's text after "* OK", cut to the field's 63 bytes. */
  assert_string_equal(r.f.u.gen.software,
                      "[CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE ST");
  assert_int_equal(feed(&r, "a001 CAPABILITY\r\n", 0, 143), L7_MATCH);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.verb, "CAPABILITY");
  assert_int_equal(feed(&r, "* CAPABILITY IMAP4rev1 STARTTLS\r\na001 OK done\r\n", 1, 143),
                   L7_MATCH);
  assert_int_equal(feed(&r, "a002 LOGIN \"joe user\" \"p\\\"w\"\r\n", 0, 143), L7_DONE);
  assert_string_equal(r.f.u.gen.user, "joe user");
  assert_string_equal(r.f.u.gen.verb, "CAPABILITY");
}

static void test_select_and_atoms(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, "* OK ready\r\n", 1, 1143), L7_MATCH);
  assert_int_equal(r.conf, 75);
  assert_string_equal(r.f.u.gen.software, "ready");
  assert_int_equal(feed(&r, "1 select INBOX\r\n", 0, 1143), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "select");
  assert_string_equal(r.f.u.gen.object, "INBOX");
  assert_int_equal(feed(&r, "2 LOGIN alice secret\r\n", 0, 1143), L7_DONE);
  assert_string_equal(r.f.u.gen.user, "alice");
  /* A literal is left out. */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, "A1 LOGIN {5}\r\n", 0, 143), L7_MATCH);
  assert_string_equal(r2.f.u.gen.user, "");
  /* PREAUTH and BYE greetings. */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, "* PREAUTH IMAP4rev2 server logged in as Smith\r\n", 1, 143),
                   L7_MATCH);
  assert_int_equal(r3.conf, 90);
  struct run r4 = {0};
  assert_int_equal(feed(&r4, "* BYE Autologout; idle for too long\r\n", 1, 143), L7_MATCH);
}

static void test_client_first(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, "a003 FETCH 12 FULL\r\n", 0, 143), L7_MATCH);
  assert_int_equal(r.conf, 90);
  assert_int_equal(feed(&r, "* 12 FETCH (FLAGS (\\Seen))\r\n", 1, 143), L7_MATCH);
  assert_int_equal(r.conf, 100);
  /* A tagged line that is no command, responses seen first, text of
   * other protocols. */
  static const char *const no[] = {"a1 HELLO world\r\n", "a1 OK LOGIN completed\r\n",
                                   "* 3 EXISTS\r\n", "+ go ahead\r\n",
                                   "a(1 LOGIN x y\r\n", "LOGIN x y\r\n"};
  for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
    struct run r2 = {0};
    if (feed(&r2, no[i], i == 0 || i >= 4 ? 0 : 1, 143) != L7_NO)
      fail_msg("claimed %s", no[i]);
  }
  /* A greeting from the client's side is not one. */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, "a1 NOOP\r\n", 0, 143), L7_MATCH);
  assert_int_equal(feed(&r3, "* OK hi\r\n", 1, 143), L7_MATCH);
}

static void test_after_claim(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, GREETING, 1, 143), L7_MATCH);
  assert_int_equal(feed(&r, "a STARTTLS\r\n", 0, 143), L7_MATCH);
  assert_int_equal(feed(&r, "a OK Begin TLS negotiation now.\r\n", 1, 143), L7_MATCH);
  static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0xf4, 0x01};
  assert_int_equal(feed_fn(l7_probe_imap, &r, hello, sizeof hello, 0, TCP, 143), L7_MATCH);
  assert_int_equal(r.conf, 100);
}

static void test_prefixes(void **state) {
  (void)state;
  size_t first = check_prefixes(l7_probe_imap, GREETING, sizeof GREETING - 1, 1, TCP, 143, 0);
  assert_int_equal(first, 5); /* "* OK " */
  static const char login[] = "a001 LOGIN joe secret\r\n";
  first = check_prefixes(l7_probe_imap, login, sizeof login - 1, 0, TCP, 143, 0);
  assert_int_equal(first, strlen("a001 LOGIN "));
  /* A long tag is no tag. */
  char tag[100];
  memset(tag, 'a', 70);
  strcpy(tag + 70, " NOOP\r\n");
  struct run r = {0};
  assert_int_equal(feed(&r, tag, 0, 143), L7_NO);
}

static void test_not_imap(void **state) {
  (void)state;
  assert_no_on_others(l7_probe_imap, 1u << S_IMAP);
  assert_junk_unclaimed(l7_probe_imap, TCP, 143);
  struct run r = {0};
  assert_int_equal(feed_fn(l7_probe_imap, &r, GREETING, sizeof GREETING - 1, 1, UDP, 143),
                   L7_NO);
}

static void test_dispatcher(void **state) {
  (void)state;
  static const char login[] = "a1 LOGIN bob hunter2\r\n";
  const struct flow_pkt pk[] = {{GREETING, sizeof GREETING - 1, 1},
                                {login, sizeof login - 1, 0}};
  struct ev_l7 l7;
  uint8_t conf = 0;
  assert_string_equal(dispatch(pk, 2, TCP, 143, &l7, &conf), "imap");
  assert_int_equal(conf, 100);
  assert_string_equal(l7.app_user, "bob");
  assert_string_equal(l7.app_verb, "LOGIN");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_session),      cmocka_unit_test(test_select_and_atoms),
      cmocka_unit_test(test_client_first), cmocka_unit_test(test_after_claim),
      cmocka_unit_test(test_prefixes),     cmocka_unit_test(test_not_imap),
      cmocka_unit_test(test_dispatcher),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
