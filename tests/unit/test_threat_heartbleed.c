/* tests/unit/test_threat_heartbleed.c — detect/threat/heartbleed.h on TLS
 * records built byte by byte: a plaintext request claiming more than its
 * record (attempt), a proper one after application data (none), any client
 * heartbeat before application data (attempt), a plaintext response echoing
 * more than the request carried (leak), an encrypted response far larger
 * than the request (leak), normal sizes, records that are not TLS
 * heartbeats, and captures shorter than the 8 bytes of a heartbeat's
 * header. Records are checked from exact-size heap copies (ASan sees any
 * read past cap). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/threat/heartbleed.h"

#define APPDATA 23
#define HEARTBEAT 24

struct rec {
  uint8_t b[20000];
  uint32_t n;
};

/* A record header: type, version 3.minor, length. */
static void header(struct rec *r, uint8_t type, uint8_t minor, uint32_t len) {
  r->b[0] = type;
  r->b[1] = 3;
  r->b[2] = minor;
  r->b[3] = (uint8_t)(len >> 8);
  r->b[4] = (uint8_t)len;
  r->n = 5;
}

/* A plaintext heartbeat message (1 request, 2 response) claiming `claimed`
 * payload bytes, carrying `payload` of them and `padding` more. */
static struct rec heartbeat(uint8_t msg, uint32_t claimed, uint32_t payload,
                            uint32_t padding) {
  struct rec r;
  uint32_t len = 3 + payload + padding;
  header(&r, HEARTBEAT, 2, len);
  r.b[5] = msg;
  r.b[6] = (uint8_t)(claimed >> 8);
  r.b[7] = (uint8_t)claimed;
  memset(r.b + 8, 'x', payload + padding);
  r.n = 5 + len;
  return r;
}

/* An encrypted heartbeat record of len bytes (an AES-GCM explicit nonce,
 * a counter, then ciphertext). */
static struct rec encrypted(uint8_t type, uint32_t len) {
  struct rec r;
  header(&r, type, 3, len);
  memset(r.b + 5, 0, 7);
  r.b[12] = 5;
  for (uint32_t i = 8; i < len; i++)
    r.b[5 + i] = (uint8_t)(i * 73 + 41);
  r.n = 5 + len;
  return r;
}

static uint32_t rec_len, detail;

/* The check on the first cap bytes of r (all of it when cap is 0). */
static enum hb_verdict check_cap(struct hb_state *st, int dir, const struct rec *r,
                                 uint32_t cap) {
  uint8_t *copy = malloc(cap ? cap : 1);
  assert_non_null(copy);
  memcpy(copy, r->b, cap);
  rec_len = detail = 0xdeadbeef;
  enum hb_verdict v = tls_heartbeat_check(st, dir, copy, cap, &rec_len, &detail);
  free(copy);
  return v;
}

static enum hb_verdict check(struct hb_state *st, int dir, const struct rec *r) {
  return check_cap(st, dir, r, r->n);
}

static void app_data(struct hb_state *st, int dir) {
  struct rec r = encrypted(APPDATA, 100);
  assert_int_equal(check(st, dir, &r), HB_NONE);
  assert_int_equal(st->app_data, 1);
}

static void test_request_claims_more(void **state) {
  (void)state;
  struct hb_state st = {0, 0};
  app_data(&st, 0);
  /* The exploit: 1 byte of payload, 16 of padding, 16,384 claimed. */
  struct rec r = heartbeat(1, 16384, 1, 16);
  assert_int_equal(check(&st, 0, &r), HB_ATTEMPT);
  assert_int_equal(rec_len, 20);
  assert_int_equal(detail, 16384);
  assert_int_equal(st.request_len, 20);
  /* The original exploit's record: 3 bytes, 0x4000 claimed, no padding. */
  r = heartbeat(1, 0x4000, 0, 0);
  assert_int_equal(check(&st, 0, &r), HB_ATTEMPT);
  assert_int_equal(rec_len, 3);
  /* At the boundary: claimed + 3 + 16 bytes of padding must fit. */
  r = heartbeat(1, 17, 16, 16);
  assert_int_equal(check(&st, 0, &r), HB_ATTEMPT);
  assert_int_equal(detail, 17);
  r = heartbeat(1, 16, 16, 16);
  assert_int_equal(check(&st, 0, &r), HB_NONE);
}

static void test_proper_request(void **state) {
  (void)state;
  struct hb_state st = {0, 0};
  app_data(&st, 0);
  struct rec r = heartbeat(1, 64, 64, 16);
  assert_int_equal(check(&st, 0, &r), HB_NONE);
  assert_int_equal(rec_len, 83);
  assert_int_equal(st.request_len, 83);
  /* More padding than the minimum is fine too; TLS 1.0 and 1.3 versions. */
  r = heartbeat(1, 10, 10, 200);
  r.b[2] = 1;
  assert_int_equal(check(&st, 0, &r), HB_NONE);
  r.b[2] = 4;
  assert_int_equal(check(&st, 0, &r), HB_NONE);
  /* An encrypted request after application data. */
  r = encrypted(HEARTBEAT, 56);
  assert_int_equal(check(&st, 0, &r), HB_NONE);
  assert_int_equal(st.request_len, 56);
}

static void test_before_application_data(void **state) {
  (void)state;
  /* Right after the handshake, before any application data: an attempt,
   * plaintext or encrypted, however proper. */
  struct hb_state st = {0, 0};
  struct rec r = heartbeat(1, 16, 16, 16);
  assert_int_equal(check(&st, 0, &r), HB_ATTEMPT);
  assert_int_equal(detail, 0);
  assert_int_equal(rec_len, 35);
  st = (struct hb_state){0, 0};
  r = encrypted(HEARTBEAT, 56);
  assert_int_equal(check(&st, 0, &r), HB_ATTEMPT);
  assert_int_equal(detail, 0);
  /* Application data the server sent counts as well. */
  st = (struct hb_state){0, 0};
  app_data(&st, 1);
  assert_int_equal(check(&st, 0, &r), HB_NONE);
  /* A server heartbeat before application data is no attempt. */
  st = (struct hb_state){0, 0};
  assert_int_equal(check(&st, 1, &r), HB_NONE);
}

static void test_plaintext_leak(void **state) {
  (void)state;
  struct hb_state st = {0, 0};
  app_data(&st, 0);
  struct rec req = heartbeat(1, 16, 16, 16); /* record of 35 */
  assert_int_equal(check(&st, 0, &req), HB_NONE);
  /* An echo of what was sent: fine. */
  struct rec resp = heartbeat(2, 16, 16, 16);
  assert_int_equal(check(&st, 1, &resp), HB_NONE);
  assert_int_equal(rec_len, 35);
  /* An echo of 17 bytes to a 16-byte request: one byte of memory. */
  resp = heartbeat(2, 17, 17, 16);
  assert_int_equal(check(&st, 1, &resp), HB_LEAK);
  assert_int_equal(detail, 35);
  assert_int_equal(rec_len, 36);
  /* The vulnerable server's answer to the exploit: 16 KiB back. */
  req = heartbeat(1, 16384, 1, 16);
  assert_int_equal(check(&st, 0, &req), HB_ATTEMPT);
  resp = heartbeat(2, 16384, 16384, 16);
  assert_int_equal(check(&st, 1, &resp), HB_LEAK);
  assert_int_equal(detail, 20);
  assert_int_equal(rec_len, 16403);
  /* Only the header was captured: the claim alone tells. */
  resp = heartbeat(2, 100, 100, 16);
  req = heartbeat(1, 16, 16, 16);
  assert_int_equal(check(&st, 0, &req), HB_NONE);
  assert_int_equal(check_cap(&st, 1, &resp, 8), HB_LEAK);
}

static void test_encrypted_leak(void **state) {
  (void)state;
  struct hb_state st = {0, 0};
  app_data(&st, 0);
  /* Request of 40 bytes: a leak is over 2 * 40 and over 40 + 64. */
  struct rec req = encrypted(HEARTBEAT, 40);
  assert_int_equal(check(&st, 0, &req), HB_NONE);
  struct rec resp = encrypted(HEARTBEAT, 104);
  assert_int_equal(check(&st, 1, &resp), HB_NONE);
  resp = encrypted(HEARTBEAT, 105);
  assert_int_equal(check(&st, 1, &resp), HB_LEAK);
  assert_int_equal(detail, 40);
  assert_int_equal(rec_len, 105);
  /* Request of 100: over 200 is a leak. */
  req = encrypted(HEARTBEAT, 100);
  assert_int_equal(check(&st, 0, &req), HB_NONE);
  resp = encrypted(HEARTBEAT, 200);
  assert_int_equal(check(&st, 1, &resp), HB_NONE);
  resp = encrypted(HEARTBEAT, 201);
  assert_int_equal(check(&st, 1, &resp), HB_LEAK);
  resp = encrypted(HEARTBEAT, 16408);
  assert_int_equal(check(&st, 1, &resp), HB_LEAK);
  assert_int_equal(rec_len, 16408);
  /* Only the record header captured: its length tells. */
  assert_int_equal(check_cap(&st, 1, &resp, 5), HB_LEAK);
}

static void test_normal_sizes(void **state) {
  (void)state;
  struct hb_state st = {0, 0};
  app_data(&st, 0);
  app_data(&st, 1);
  /* A keepalive exchange many times over, same sizes both ways. */
  for (int i = 0; i < 10; i++) {
    struct rec req = encrypted(HEARTBEAT, 56);
    assert_int_equal(check(&st, 0, &req), HB_NONE);
    struct rec resp = encrypted(HEARTBEAT, 56 + (uint32_t)i * 4);
    assert_int_equal(check(&st, 1, &resp), HB_NONE);
    app_data(&st, i & 1);
  }
  /* A server heartbeat with no request seen: nothing to compare. */
  st = (struct hb_state){0, 1};
  struct rec resp = encrypted(HEARTBEAT, 16408);
  assert_int_equal(check(&st, 1, &resp), HB_NONE);
}

static void test_not_tls(void **state) {
  (void)state;
  struct hb_state st = {0, 0};
  struct rec r;
  /* Text, a handshake, an alert: nothing, and no state. */
  const char *http = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
  memcpy(r.b, http, strlen(http));
  r.n = (uint32_t)strlen(http);
  assert_int_equal(check(&st, 0, &r), HB_NONE);
  assert_int_equal(rec_len, 0xdeadbeef);
  uint8_t types[] = {20, 21, 22, 25, 0};
  for (size_t i = 0; i < sizeof types; i++) {
    r = heartbeat(1, 16384, 1, 16);
    r.b[0] = types[i];
    assert_int_equal(check(&st, 0, &r), HB_NONE);
    assert_int_equal(rec_len, 0xdeadbeef);
  }
  /* A heartbeat type with a version that is no TLS one. */
  r = heartbeat(1, 16384, 1, 16);
  r.b[1] = 2;
  assert_int_equal(check(&st, 0, &r), HB_NONE);
  r.b[1] = 3;
  r.b[2] = 5;
  assert_int_equal(check(&st, 0, &r), HB_NONE);
  /* Application data in another version is not application data. */
  r = encrypted(APPDATA, 100);
  r.b[1] = 4;
  assert_int_equal(check(&st, 0, &r), HB_NONE);
  assert_int_equal(st.app_data, 0);
  assert_int_equal(st.request_len, 0);
}

static void test_short_captures(void **state) {
  (void)state;
  struct rec r = heartbeat(1, 16384, 1, 16);
  /* Fewer than 5 bytes: not even a record header. */
  for (uint32_t cap = 0; cap < 5; cap++) {
    struct hb_state st = {0, 0};
    assert_int_equal(check_cap(&st, 0, &r, cap), HB_NONE);
  }
  /* 5 to 7 bytes: the claim is not captured; before application data it
   * is an attempt all the same, after it nothing. */
  for (uint32_t cap = 5; cap < 8; cap++) {
    struct hb_state st = {0, 0};
    assert_int_equal(check_cap(&st, 0, &r, cap), HB_ATTEMPT);
    assert_int_equal(detail, 0);
    assert_int_equal(rec_len, 20);
    st.app_data = 1;
    assert_int_equal(check_cap(&st, 0, &r, cap), HB_NONE);
    /* A response's claim likewise. */
    struct rec resp = heartbeat(2, 16384, 1, 16);
    st.request_len = 20;
    assert_int_equal(check_cap(&st, 1, &resp, cap), HB_NONE);
  }
  struct hb_state st = {0, 1};
  assert_int_equal(check_cap(&st, 0, &r, 8), HB_ATTEMPT);
  assert_int_equal(detail, 16384);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_request_claims_more),
      cmocka_unit_test(test_proper_request),
      cmocka_unit_test(test_before_application_data),
      cmocka_unit_test(test_plaintext_leak),
      cmocka_unit_test(test_encrypted_leak),
      cmocka_unit_test(test_normal_sizes),
      cmocka_unit_test(test_not_tls),
      cmocka_unit_test(test_short_captures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
