/* tests/unit/test_l7_http.c — the HTTP/1.x probe: request and status lines,
 * header facts, verdicts and confidences, cut and malformed input. Every
 * payload is copied into a buffer of exactly its length, so the ASan build
 * catches a read past len. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect/l7/l7.h"

#define TCP 6
#define UDP 17

/* One flow as the dispatcher would keep it for this probe. */
struct run {
  union l7_scratch s;
  struct l7_facts f;
  uint8_t conf;
};

static int feed_proto(struct run *r, const void *data, size_t len, uint8_t dir,
                      uint8_t proto, uint16_t srv_port) {
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, data, len);
  struct l7_pkt p = {copy, len, proto, dir, 40000, srv_port};
  int v = l7_probe_http(&p, &r->s, &r->f, &r->conf);
  free(copy);
  return v;
}

static int feed(struct run *r, const char *s, uint8_t dir, uint16_t port) {
  return feed_proto(r, s, strlen(s), dir, TCP, port);
}

static const char REQ[] = "GET /index.html?q=1 HTTP/1.1\r\n"
                          "HOST: Example.com \r\n"
                          "user-agent:\tcurl/8.0\r\n"
                          "Accept: */*\r\n"
                          "\r\n";

static void test_request_facts(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, REQ, 0, 8000), L7_MATCH);
  assert_int_equal(r.conf, 90);
  assert_string_equal(r.f.u.http.method, "GET");
  assert_string_equal(r.f.u.http.path, "/index.html?q=1");
  assert_string_equal(r.f.u.http.host, "Example.com");
  assert_string_equal(r.f.u.http.user_agent, "curl/8.0");
  assert_int_equal(r.f.u.http.status, 0);
}

/* SIP and RTSP borrow OPTIONS; their request lines are not broken HTTP. */
static void test_other_protocols_options(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, "OPTIONS sip:bob@example.com SIP/2.0\r\nVia: x\r\n\r\n", 0, 5060),
                   L7_NO);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, "OPTIONS rtsp://cam/stream RTSP/1.0\r\nCSeq: 1\r\n\r\n", 0, 554),
                   L7_NO);
  struct run r3 = {0}; /* a real HTTP OPTIONS still is HTTP */
  assert_int_equal(feed(&r3, "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", 0, 80), L7_MATCH);
}

static void test_port_hint(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, REQ, 0, 80), L7_MATCH);
  assert_int_equal(r.conf, 95);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, REQ, 0, 8080), L7_MATCH);
  assert_int_equal(r2.conf, 95);
}

static void test_request_then_response(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, REQ, 0, 80), L7_MATCH);
  assert_int_equal(feed(&r, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
                        1, 80),
                   L7_DONE);
  assert_int_equal(r.conf, 100);
  assert_int_equal(r.f.u.http.status, 404);
  assert_string_equal(r.f.u.http.method, "GET");
}

static void test_interim_response(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, "POST /up HTTP/1.1\r\nExpect: 100-continue\r\n\r\n", 0, 80),
                   L7_MATCH);
  assert_int_equal(feed(&r, "HTTP/1.1 100 Continue\r\n\r\n", 1, 80), L7_MATCH);
  assert_int_equal(r.f.u.http.status, 100);
  assert_int_equal(r.conf, 95);
  /* The server has proved HTTP: an odd packet from it changes nothing. */
  assert_int_equal(feed(&r, "\x7f\x01junk", 1, 80), L7_MATCH);
  assert_int_equal(r.conf, 95);
  assert_int_equal(feed(&r, "body=1", 0, 80), L7_MATCH);
  assert_int_equal(feed(&r, "HTTP/1.1 201 Created\r\n\r\n", 1, 80), L7_DONE);
  assert_int_equal(r.f.u.http.status, 201);
  assert_int_equal(r.conf, 100);

  /* Interim and final in one segment: the final one counts. */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, REQ, 0, 80), L7_MATCH);
  assert_int_equal(feed(&r2, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
                        1, 80),
                   L7_DONE);
  assert_int_equal(r2.f.u.http.status, 200);

  /* 101 Switching Protocols is final (WebSocket upgrade). */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, REQ, 0, 80), L7_MATCH);
  assert_int_equal(feed(&r3, "HTTP/1.1 101 Switching Protocols\r\n\r\n", 1, 80),
                   L7_DONE);
  assert_int_equal(r3.f.u.http.status, 101);
}

static void test_response_first(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nhello", 1, 9000),
                   L7_MATCH);
  assert_int_equal(r.conf, 80);
  assert_int_equal(r.f.u.http.status, 200);
  assert_string_equal(r.f.u.http.method, "");
  /* The body of that response, the next response: nothing new. */
  assert_int_equal(feed(&r, "more body bytes", 1, 9000), L7_MATCH);
  assert_int_equal(feed(&r, "HTTP/1.1 404 Not Found\r\n\r\n", 1, 9000), L7_MATCH);
  assert_int_equal(r.f.u.http.status, 200);
  /* The next request of the keep-alive connection proves the other side. */
  assert_int_equal(feed(&r, "HEAD /x HTTP/1.0\r\n\r\n", 0, 9000), L7_DONE);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.http.method, "HEAD");
  assert_string_equal(r.f.u.http.path, "/x");
  assert_int_equal(r.f.u.http.status, 200);

  struct run r2 = {0};
  assert_int_equal(feed(&r2, "HTTP/1.1 304 Not Modified\r\n\r\n", 1, 80), L7_MATCH);
  assert_int_equal(r2.conf, 85);
}

static void test_lower_case_status_line(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, "GET / HTTP/1.1\r\n\r\n", 0, 1234), L7_MATCH);
  assert_int_equal(feed(&r, "http/1.1 200 OK\r\n\r\n", 1, 1234), L7_DONE);
  assert_int_equal(r.f.u.http.status, 200);
}

static void test_methods(void **state) {
  (void)state;
  static const char *const methods[] = {
      "GET",  "POST",     "PUT",       "DELETE", "HEAD",   "OPTIONS",
      "PATCH", "CONNECT", "TRACE",     "PROPFIND", "PROPPATCH", "MKCOL",
      "COPY", "MOVE",     "LOCK",      "UNLOCK", "SEARCH", "REPORT"};
  for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
    char line[128];
    strcpy(line, methods[i]);
    strcat(line, " / HTTP/1.0\r\n\r\n");
    struct run r = {0};
    assert_int_equal(feed(&r, line, 0, 1), L7_MATCH);
    assert_int_equal(r.conf, 90);
    assert_string_equal(r.f.u.http.method, methods[i]);
  }
  /* CONNECT's target is an authority, OPTIONS may ask about "*". */
  struct run c = {0};
  assert_int_equal(feed(&c, "CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\n\r\n",
                        0, 3128),
                   L7_MATCH);
  assert_string_equal(c.f.u.http.path, "db.internal:5432");
  struct run o = {0};
  assert_int_equal(feed(&o, "OPTIONS * HTTP/1.1\r\n\r\n", 0, 80), L7_MATCH);
  assert_string_equal(o.f.u.http.path, "*");
}

static void test_unknown_method(void **state) {
  (void)state;
  /* A whole line with an unknown upper-case method is HTTP (RFC 9110 lets
   * methods be extended; Zeek's QUERY trace). */
  struct run r = {0};
  assert_int_equal(feed(&r, "QUERY /users HTTP/1.1\r\nHost: example.com\r\n\r\n", 0, 4711),
                   L7_MATCH);
  assert_int_equal(r.conf, 80);
  assert_string_equal(r.f.u.http.method, "QUERY");
  assert_string_equal(r.f.u.http.host, "example.com");
  /* Cut before the version: not enough to tell. */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, "QUERY /users HT", 0, 4711), L7_MORE);
  /* Methods are case-sensitive upper case. */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, "get / HTTP/1.1\r\n\r\n", 0, 80), L7_NO);
}

static void test_cut_request_line(void **state) {
  (void)state;
  /* A long URL cut by the segment or the snap length. */
  struct run r = {0};
  assert_int_equal(feed(&r, "GET /very/long/path/that/goes/o", 0, 80), L7_MATCH);
  assert_int_equal(r.conf, 80); /* 75 + port */
  assert_string_equal(r.f.u.http.path, "/very/long/path/that/goes/o");
  assert_string_equal(r.f.u.http.host, "");
}

static void test_malformed_request_answered(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, "GET /HTTP/1.1\r\nHost: www.google.com\r\n\r\n", 0, 80),
                   L7_MATCH);
  assert_int_equal(r.conf, 55);
  assert_string_equal(r.f.u.http.host, "www.google.com");
  assert_int_equal(feed(&r, "HTTP/1.1 400 Bad Request\r\n\r\n", 1, 80), L7_DONE);
  assert_int_equal(r.conf, 90);
  assert_int_equal(r.f.u.http.status, 400);

  /* No space after the method: only the answer can tell. */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, "GET/HTTP/1.1\r\n\r\n", 0, 80), L7_MORE);
  assert_int_equal(feed(&r2, "HTTP/1.1 400 Bad Request\r\n\r\n", 1, 80), L7_MATCH);
  assert_int_equal(r2.conf, 85);
}

static void test_not_http_answer(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, REQ, 0, 22), L7_MATCH);
  assert_int_equal(feed(&r, "SSH-2.0-OpenSSH_9.6\r\n", 1, 22), L7_DONE);
  assert_int_equal(r.conf, 60);
  assert_int_equal(r.f.u.http.status, 0);
}

static void test_request_body_and_pipelining(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n", 0, 80),
                   L7_MATCH);
  uint8_t body[] = {0x00, 0xff, 0x10, 0x80, 0x7f};
  assert_int_equal(feed_proto(&r, body, sizeof body, 0, TCP, 80), L7_MATCH);
  assert_int_equal(feed(&r, "GET /b HTTP/1.1\r\nHost: b\r\n\r\n", 0, 80), L7_MATCH);
  /* The first request's facts stay. */
  assert_string_equal(r.f.u.http.path, "/a");
  assert_string_equal(r.f.u.http.host, "a");
  assert_int_equal(feed(&r, "HTTP/1.1 200 OK\r\n\r\n", 1, 80), L7_DONE);
}

static void test_headers_in_next_segment(void **state) {
  (void)state;
  /* Request line alone, headers in the next segment. */
  struct run r = {0};
  assert_int_equal(feed(&r, "POST / HTTP/1.1\r\n", 0, 80), L7_MATCH);
  assert_string_equal(r.f.u.http.host, "");
  assert_int_equal(feed(&r, "Host: ocsp.example\r\nUser-Agent: zbtls\r\n\r\n0Q0O", 0, 80),
                   L7_MATCH);
  assert_string_equal(r.f.u.http.host, "ocsp.example");
  assert_string_equal(r.f.u.http.user_agent, "zbtls");

  /* A segment that starts inside a header line: its first line is the tail
   * of "X-Forwarded-Host", not a Host header. */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, "GET / HTTP/1.1\r\nX-Forwarded-", 0, 80), L7_MATCH);
  assert_int_equal(feed(&r2, "Host: evil\r\nHost: good\r\n\r\n", 0, 80), L7_MATCH);
  assert_string_equal(r2.f.u.http.host, "good");

  /* Once the headers ended, the body is not scanned. */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, "POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n", 0, 80), L7_MATCH);
  assert_int_equal(feed(&r3, "Host: x\r\n", 0, 80), L7_MATCH);
  assert_string_equal(r3.f.u.http.host, "");
}

static void test_header_values(void **state) {
  (void)state;
  /* A Host line cut by the capture is not taken. */
  struct run r = {0};
  assert_int_equal(feed(&r, "GET / HTTP/1.1\r\nUser-Agent: a\r\nHost: exam", 0, 80),
                   L7_MATCH);
  assert_string_equal(r.f.u.http.host, "");
  assert_string_equal(r.f.u.http.user_agent, "a");

  /* Bare LF line ends, no blank after the colon, a header name that only
   * starts like "host". */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, "GET / HTTP/1.0\nHostname: no\nHost:yes\n\n", 0, 80),
                   L7_MATCH);
  assert_string_equal(r2.f.u.http.host, "yes");

  /* Long values are cut to the field and terminated; control bytes from
   * the wire never reach the facts as such. */
  char req[600];
  strcpy(req, "GET / HTTP/1.1\r\nUser-Agent: ");
  size_t n = strlen(req);
  for (int i = 0; i < 200; i++)
    req[n++] = (char)('a' + i % 26);
  req[n++] = '\x01';
  strcpy(req + n, "\r\n\r\n");
  struct run r3 = {0};
  assert_int_equal(feed(&r3, req, 0, 80), L7_MATCH);
  assert_int_equal(strlen(r3.f.u.http.user_agent), sizeof r3.f.u.http.user_agent - 1);
  assert_int_equal(r3.f.u.http.user_agent[0], 'a');

  struct run r4 = {0};
  assert_int_equal(feed(&r4, "GET / HTTP/1.1\r\nUser-Agent: a\x01z\r\n\r\n", 0, 80),
                   L7_MATCH);
  assert_string_equal(r4.f.u.http.user_agent, "a?z");
}

static void test_path_cut_on_utf8_boundary(void **state) {
  (void)state;
  /* path[] holds 191 bytes: a 2-byte character that would straddle the
   * cut is dropped whole. */
  char req[400] = "GET /";
  size_t n = strlen(req);
  while (n < 5 + 189)
    req[n++] = 'p';
  req[n++] = '\xc3'; /* é: bytes 190 and 191 of the target, from 0 */
  req[n++] = '\xa9';
  strcpy(req + n, " HTTP/1.1\r\n\r\n");
  struct run r = {0};
  assert_int_equal(feed(&r, req, 0, 80), L7_MATCH);
  assert_int_equal(strlen(r.f.u.http.path), 190);
  assert_int_equal((uint8_t)r.f.u.http.path[189], 'p');

  /* Not UTF-8 (a lead byte and a run of 9 continuation bytes): cut where
   * the field ends, not back at the lead byte. */
  char bad[400] = "GET /";
  n = strlen(bad);
  while (n < 5 + 185)
    bad[n++] = 'p';
  bad[n++] = '\xc3';
  for (int i = 0; i < 9; i++)
    bad[n++] = '\x80';
  strcpy(bad + n, " HTTP/1.1\r\n\r\n");
  struct run r2 = {0};
  assert_int_equal(feed(&r2, bad, 0, 80), L7_MATCH);
  assert_int_equal(strlen(r2.f.u.http.path), sizeof r2.f.u.http.path - 1);
}

static void test_not_http(void **state) {
  (void)state;
  static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc};
  static const uint8_t dns[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00,
                                0x00, 0x00, 0x00, 0x00, 0x01, 'a', 0x00, 0x00,
                                0x01, 0x00, 0x01};
  struct run r = {0};
  assert_int_equal(feed_proto(&r, tls, sizeof tls, 0, TCP, 443), L7_NO);
  struct run r2 = {0};
  assert_int_equal(feed_proto(&r2, dns, sizeof dns, 0, TCP, 53), L7_NO);
  struct run r3 = {0};
  assert_int_equal(feed(&r3, "SSH-2.0-OpenSSH_9.6\r\n", 1, 80), L7_NO);
  struct run r4 = {0};
  assert_int_equal(feed(&r4, "220 mail.example ESMTP\r\n", 1, 25), L7_NO);
  /* Not HTTP/1.x. */
  struct run r5 = {0};
  assert_int_equal(feed(&r5, "HTTP/2 200\r\n\r\n", 1, 80), L7_NO);
  struct run r6 = {0};
  assert_int_equal(feed(&r6, "HTTP/1.1 999 Odd\r\n\r\n", 1, 80), L7_NO);
  struct run r7 = {0};
  assert_int_equal(feed(&r7, "HTTP/1.1 20x OK\r\n\r\n", 1, 80), L7_NO);
  struct run r8 = {0};
  assert_int_equal(feed(&r8, "HTTP/1.1 2000\r\n\r\n", 1, 80), L7_NO);
  /* Over UDP (SSDP looks like HTTP; it is not this probe's). */
  struct run r9 = {0};
  assert_int_equal(feed_proto(&r9, REQ, strlen(REQ), 0, UDP, 80), L7_NO);
  /* An over-long token is no method. */
  struct run r10 = {0};
  assert_int_equal(feed(&r10, "ABCDEFGHIJKLMNOPQRSTUVWXYZ / HTTP/1.1\r\n\r\n", 0, 80), L7_NO);
}

static void test_random_junk(void **state) {
  (void)state;
  uint32_t x = 12345;
  int claimed = 0;
  for (int i = 0; i < 20000; i++) {
    uint8_t b[64];
    size_t n = 1 + (size_t)(i % 64);
    for (size_t k = 0; k < n; k++) {
      x = x * 1103515245u + 12345u;
      b[k] = (uint8_t)(x >> 16);
    }
    struct run r = {0};
    int v = feed_proto(&r, b, n, (uint8_t)(i & 1), TCP, 80);
    claimed += v == L7_MATCH || v == L7_DONE;
  }
  assert_int_equal(claimed, 0);
}

/* Every prefix of a request and of a response: never NO (it could be the
 * start of HTTP), never a read past the end (ASan). */
static void test_every_prefix(void **state) {
  (void)state;
  static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  for (size_t n = 1; n <= strlen(REQ); n++) {
    struct run r = {0};
    int v = feed_proto(&r, REQ, n, 0, TCP, 80);
    assert_true(v == L7_MORE || v == L7_MATCH);
    if (n >= strlen("GET /"))
      assert_int_equal(v, L7_MATCH);
    /* Host only once its line is complete. */
    const char *host_end = strstr(REQ, "Example.com \r\n");
    if (n < (size_t)(host_end - REQ) + strlen("Example.com \r\n"))
      assert_string_equal(r.f.u.http.host, "");
    else
      assert_string_equal(r.f.u.http.host, "Example.com");
  }
  for (size_t n = 1; n <= strlen(resp); n++) {
    struct run r = {0};
    int v = feed_proto(&r, resp, n, 1, TCP, 80);
    assert_true(v == L7_MORE || v == L7_MATCH);
    assert_int_equal(v == L7_MATCH, n >= strlen("HTTP/1.1 200"));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_request_facts),
      cmocka_unit_test(test_other_protocols_options),
      cmocka_unit_test(test_port_hint),
      cmocka_unit_test(test_request_then_response),
      cmocka_unit_test(test_interim_response),
      cmocka_unit_test(test_response_first),
      cmocka_unit_test(test_lower_case_status_line),
      cmocka_unit_test(test_methods),
      cmocka_unit_test(test_unknown_method),
      cmocka_unit_test(test_cut_request_line),
      cmocka_unit_test(test_malformed_request_answered),
      cmocka_unit_test(test_not_http_answer),
      cmocka_unit_test(test_request_body_and_pipelining),
      cmocka_unit_test(test_headers_in_next_segment),
      cmocka_unit_test(test_header_values),
      cmocka_unit_test(test_path_cut_on_utf8_boundary),
      cmocka_unit_test(test_not_http),
      cmocka_unit_test(test_random_junk),
      cmocka_unit_test(test_every_prefix),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
