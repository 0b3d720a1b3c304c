/* tests/unit/test_l7_sip.c — the SIP probe over UDP and TCP: requests and
 * responses both ways, facts (method, Request-URI, User-Agent or Server),
 * extension methods, cut lines, keep-alives, junk, and the other
 * protocols' openings. Payloads are copied into exact-size buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l7_probe_test.h"

static int feed(struct run *r, const char *s, uint8_t dir, uint8_t proto,
                uint16_t port) {
  return feed_fn(l7_probe_sip, r, s, strlen(s), dir, proto, port);
}

/* RFC 3261 §24.2's INVITE, with a User-Agent, and its answer. */
static const char INVITE[] =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "User-Agent: Linphone/5.2.0 (belle-sip/5.2.0)\r\n"
    "Content-Length: 0\r\n\r\n";
static const char RINGING[] =
    "SIP/2.0 180 Ringing\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
    "Server: Asterisk PBX 20.5.0\r\n"
    "Content-Length: 0\r\n\r\n";

static void test_invite_and_answer(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, INVITE, 0, UDP, 5060), L7_MATCH);
  assert_int_equal(r.conf, 95);
  assert_string_equal(r.f.u.gen.verb, "INVITE");
  assert_string_equal(r.f.u.gen.object, "sip:bob@biloxi.example.com");
  assert_string_equal(r.f.u.gen.software, "Linphone/5.2.0 (belle-sip/5.2.0)");
  assert_int_equal(feed(&r, RINGING, 1, UDP, 5060), L7_DONE);
  assert_int_equal(r.conf, 100);
  /* The User-Agent stays: the Server header only fills an empty field. */
  assert_string_equal(r.f.u.gen.software, "Linphone/5.2.0 (belle-sip/5.2.0)");
}

static void test_response_first_tcp(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, RINGING, 1, TCP, 5060), L7_MATCH);
  assert_int_equal(r.conf, 90);
  assert_string_equal(r.f.u.gen.verb, "");
  assert_string_equal(r.f.u.gen.software, "Asterisk PBX 20.5.0");
  /* Then a request from the other side: both proved. */
  assert_int_equal(feed(&r, "BYE sip:alice@pc33.atlanta.example.com SIP/2.0\r\n"
                            "User-Agent: Zoiper\r\n\r\n",
                        0, TCP, 5060),
                   L7_DONE);
  assert_string_equal(r.f.u.gen.verb, "BYE");
  assert_string_equal(r.f.u.gen.software, "Zoiper");
  /* Keep-alives after the claim (RFC 5626's CRLF ping). */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, INVITE, 0, TCP, 5060), L7_MATCH);
  assert_int_equal(feed(&r2, "\r\n\r\n", 0, TCP, 5060), L7_MATCH);
  /* Alone, a ping proves nothing. */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, "\r\n\r\n", 0, UDP, 5060), L7_NO);
}

static void test_methods_and_uris(void **state) {
  (void)state;
  static const char *const ok[] = {
      "REGISTER sips:ss2.biloxi.example.com SIP/2.0\r\n\r\n",
      "OPTIONS sip:carol@chicago.example.com SIP/2.0\r\n\r\n",
      "MESSAGE tel:+1-201-555-0123 SIP/2.0\r\n\r\n",
      "SUBSCRIBE sip:bob@example.com SIP/2.0\r\n\r\n",
      "FOOBAR urn:service:sos SIP/2.0\r\n\r\n", /* an extension method, whole line */
  };
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
    struct run r = {0};
    if (feed(&r, ok[i], 0, UDP, 5080) != L7_MATCH)
      fail_msg("not claimed: %s", ok[i]);
  }
  static const char *const bad[] = {
      "INVITE sip:bob@example.com SIP/3.0\r\n\r\n",
      "INVITE bob@example.com SIP/2.0\r\n\r\n",      /* no scheme */
      "invite sip:bob@example.com SIP/2.0\r\n\r\n",  /* methods are upper case */
      "INVITE sip:bob@example.com HTTP/1.1\r\n\r\n",
      "SIP/2.0 99 Too small\r\n\r\n",
      "SIP/2.0 200OK\r\n\r\n",
      "INVITE  sip:bob@example.com SIP/2.0\r\n\r\n",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    struct run r = {0};
    if (feed(&r, bad[i], 0, UDP, 5060) != L7_NO)
      fail_msg("not refused: %s", bad[i]);
  }
}

static void test_prefixes(void **state) {
  (void)state;
  /* Over UDP a datagram is whole, but a snap length may cut it: a request
   * line cut after a known method and a SIP URI is taken. */
  size_t first = check_prefixes(l7_probe_sip, INVITE, sizeof INVITE - 1, 0, UDP, 5060, 0);
  assert_int_equal(first, strlen("INVITE sip:"));
  first = check_prefixes(l7_probe_sip, RINGING, sizeof RINGING - 1, 1, TCP, 5060, 0);
  assert_int_equal(first, strlen("SIP/2.0 180"));
  /* The facts of a cut request: the URI as far as it goes. */
  struct run r = {0};
  assert_int_equal(feed_fn(l7_probe_sip, &r, INVITE, 20, 0, UDP, 5060), L7_MATCH);
  assert_string_equal(r.f.u.gen.object, "sip:bob@bilox");
  assert_int_equal(r.conf, 80);
}

static void test_not_sip(void **state) {
  (void)state;
  assert_no_on_others(l7_probe_sip, 1u << S_SIP);
  assert_junk_unclaimed(l7_probe_sip, UDP, 5060);
  assert_junk_unclaimed(l7_probe_sip, TCP, 5060);
}

static void test_dispatcher(void **state) {
  (void)state;
  const struct flow_pkt pk[] = {{INVITE, sizeof INVITE - 1, 0},
                                {RINGING, sizeof RINGING - 1, 1}};
  struct ev_l7 l7;
  uint8_t conf = 0;
  assert_string_equal(dispatch(pk, 2, UDP, 5060, &l7, &conf), "sip");
  assert_int_equal(conf, 100);
  assert_string_equal(l7.app_verb, "INVITE");
  assert_string_equal(l7.app_object, "sip:bob@biloxi.example.com");
  assert_string_equal(dispatch(pk, 2, TCP, 5060, &l7, &conf), "sip");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_invite_and_answer),
      cmocka_unit_test(test_response_first_tcp),
      cmocka_unit_test(test_methods_and_uris),
      cmocka_unit_test(test_prefixes),
      cmocka_unit_test(test_not_sip),
      cmocka_unit_test(test_dispatcher),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
