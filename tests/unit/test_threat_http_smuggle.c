/* tests/unit/test_threat_http_smuggle.c — detect/threat/http_smuggle.h on
 * request header blocks: Content-Length with Transfer-Encoding, two
 * Content-Lengths that differ (the same twice is fine), a Content-Length
 * that is not a plain number, Transfer-Encodings that do not end in a
 * proper "chunked" ("xchunked", "chunked, identity", "gzip chunked") or do
 * ("gzip, chunked"), whitespace before a framing header's colon, folding
 * after a framing header, case, bare LF line ends, what follows the blank
 * line, headers the capture cuts (judged on complete lines only, at every
 * cut), and http_request_start for each method and for what is not a
 * request. Every input is an exact-size heap copy (ASan sees any read past
 * cap). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/threat/http_smuggle.h"

static const char *check_n(const char *s, size_t n) {
  uint8_t *copy = malloc(n ? n : 1);
  assert_non_null(copy);
  memcpy(copy, s, n);
  const char *why = http_smuggling_check(copy, (uint32_t)n);
  free(copy);
  return why;
}

static const char *check(const char *s) { return check_n(s, strlen(s)); }

static int starts(const char *s, size_t n) {
  uint8_t *copy = malloc(n ? n : 1);
  assert_non_null(copy);
  memcpy(copy, s, n);
  int r = http_request_start(copy, (uint32_t)n);
  free(copy);
  return r;
}

#define REQ "POST /api HTTP/1.1\r\nHost: example.com\r\n"

/* The reason for s contains want. */
static void assert_reason(const char *s, const char *want) {
  const char *why = check(s);
  if (!why)
    fail_msg("no reason for: %s", s);
  if (!strstr(why, want))
    fail_msg("reason \"%s\" does not say \"%s\" for: %s", why, want, s);
}

static void test_fine_requests(void **state) {
  (void)state;
  assert_null(check("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"));
  assert_null(check(REQ "Content-Length: 5\r\n\r\nhello"));
  assert_null(check(REQ "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
  assert_null(check(REQ "Content-Length: 0\r\nAccept: */*\r\n\r\n"));
  assert_null(check(REQ "Content-Length:5\r\n\r\n"));        /* no space */
  assert_null(check(REQ "Content-Length: 5  \t\r\n\r\n"));   /* trailing space */
  assert_null(check(REQ "Transfer-Encoding:\tchunked\r\n\r\n"));
  assert_null(check(""));
  assert_null(check("GET"));
  /* Headers that only start like a framing one. */
  assert_null(check(REQ "Content-Lengthy: abc\r\nTransfer-Encodings: x\r\n\r\n"));
  assert_null(check(REQ "X-Content-Length: abc\r\nX-Transfer-Encoding: x\r\n\r\n"));
  assert_null(check(REQ "Content-Length\r\n\r\n")); /* no colon: not a header */
}

static void test_cl_and_te(void **state) {
  (void)state;
  assert_reason(REQ "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
                "both Content-Length and Transfer-Encoding");
  assert_reason(REQ "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n",
                "both Content-Length and Transfer-Encoding");
  /* Apart by other headers. */
  assert_reason(REQ "Content-Length: 6\r\nAccept: */*\r\nX-A: b\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n",
                "both");
}

static void test_two_content_lengths(void **state) {
  (void)state;
  assert_reason(REQ "Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
                "two Content-Length headers that differ");
  assert_reason(REQ "Content-Length: 5\r\nContent-Length: 50\r\n\r\n", "differ");
  assert_reason(REQ "Content-Length: 50\r\nContent-Length: 5\r\n\r\n", "differ");
  assert_reason(REQ "Content-Length: 5\r\nX: y\r\nContent-Length: 6\r\n\r\n", "differ");
  /* The same value twice: one framing. */
  assert_null(check(REQ "Content-Length: 5\r\nContent-Length: 5\r\n\r\n"));
  assert_null(check(REQ "Content-Length: 5\r\ncontent-length:5 \r\n\r\n"));
}

static void test_not_a_number(void **state) {
  (void)state;
  const char *bad[] = {"+5", "-1", "5 5", "0x10", "5,5", "1e3", "", "five",
                       "1234567890123456789"};
  char req[256];
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    snprintf(req, sizeof req, REQ "Content-Length: %s\r\n\r\n", bad[i]);
    assert_reason(req, "not a plain number");
  }
  assert_null(check(REQ "Content-Length: 123456789012345678\r\n\r\n"));
}

static void test_transfer_encoding_values(void **state) {
  (void)state;
  const char *bad[] = {"xchunked", "chunked, identity", "chunkedx", "identity",
                       "chunked,", "gzip chunked", "x chunked", "gzip;chunked",
                       "gzip\tchunked", ""};
  char req[256];
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    snprintf(req, sizeof req, REQ "Transfer-Encoding: %s\r\n\r\n", bad[i]);
    assert_reason(req, "Transfer-Encoding that does not end in chunked");
  }
  const char *good[] = {"chunked", "gzip, chunked", "gzip,chunked", "gzip ,  chunked",
                        "deflate, gzip, chunked", "CHUNKED", "Gzip, Chunked"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    snprintf(req, sizeof req, REQ "Transfer-Encoding: %s\r\n\r\n", good[i]);
    if (check(req))
      fail_msg("a reason for a good Transfer-Encoding: %s", good[i]);
  }
  /* A second Transfer-Encoding that spoils the first. */
  assert_reason(REQ "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n",
                "does not end in chunked");
}

static void test_space_before_colon(void **state) {
  (void)state;
  assert_reason(REQ "Content-Length : 5\r\n\r\n", "whitespace before the colon of Content-Length");
  assert_reason(REQ "Content-Length\t: 5\r\n\r\n", "whitespace before the colon");
  assert_reason(REQ "Transfer-Encoding : chunked\r\n\r\n",
                "whitespace before the colon of Transfer-Encoding");
  assert_reason(REQ "Transfer-Encoding\t:chunked\r\n\r\n", "whitespace before the colon");
  /* Other headers may be sloppy. */
  assert_null(check(REQ "X-Foo : bar\r\n\r\n"));
}

static void test_folding(void **state) {
  (void)state;
  assert_reason(REQ "Transfer-Encoding: chunked\r\n identity\r\n\r\n", "folded");
  assert_reason(REQ "Content-Length: 5\r\n\t6\r\n\r\n", "folded");
  assert_reason(REQ "Transfer-Encoding:\r\n chunked\r\n\r\n", "");
  /* Folding after another header is not about framing. */
  assert_null(check(REQ "X-Long: a\r\n b\r\nContent-Length: 5\r\n\r\n"));
  assert_null(check(REQ "Content-Length: 5\r\nX-Long: a\r\n b\r\n\r\n"));
}

static void test_case(void **state) {
  (void)state;
  assert_reason(REQ "content-length: 5\r\nTRANSFER-ENCODING: CHUNKED\r\n\r\n", "both");
  assert_reason(REQ "CONTENT-LENGTH: 5\r\nContent-length: 6\r\n\r\n", "differ");
  assert_reason(REQ "transfer-encoding: XCHUNKED\r\n\r\n", "does not end in chunked");
  assert_reason(REQ "TrAnSfEr-EnCoDiNg : chunked\r\n\r\n", "whitespace");
}

static void test_line_ends_and_body(void **state) {
  (void)state;
  /* Bare LF ends lines too. */
  assert_reason("POST / HTTP/1.1\nContent-Length: 5\nTransfer-Encoding: chunked\n\n", "both");
  assert_null(check("POST / HTTP/1.1\nContent-Length: 5\n\nhello"));
  /* After the blank line comes the body: not headers. */
  assert_null(check(REQ "Content-Length: 60\r\n\r\nTransfer-Encoding: chunked\r\n"
                        "Content-Length: 7\r\n"));
  assert_null(check(REQ "\r\nContent-Length : x\r\n"));
}

/* Every prefix of a request that is fine whole is fine: a line the capture
 * cuts is not judged, whatever its prefix looks like. */
static void test_cut_headers(void **state) {
  (void)state;
  const char *fine[] = {
      REQ "Content-Length: 1234\r\nContent-Length: 1234\r\n\r\n",
      REQ "Transfer-Encoding: gzip, chunked\r\n\r\n",
      REQ "Content-Length: 42\r\nX-Long: a\r\n b\r\n\r\n",
  };
  for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++)
    for (size_t n = 0; n <= strlen(fine[i]); n++) {
      const char *why = check_n(fine[i], n);
      if (why)
        fail_msg("a reason (%s) for the first %zu bytes of a fine request", why, n);
    }
  /* What the complete lines already show is reported however it is cut. */
  const char *bad = REQ "Content-Length: 5\r\nContent-Length: 6\r\nAccept: */*\r\n";
  size_t whole = strlen(REQ "Content-Length: 5\r\nContent-Length: 6\r\n");
  for (size_t n = whole; n <= strlen(bad); n++)
    assert_non_null(check_n(bad, n));
  /* CL and TE, cut before the end of the header block. */
  assert_non_null(check(REQ "Content-Length: 5\r\nTransfer-Encoding: chunked\r\nAcc"));
}

static void test_request_start(void **state) {
  (void)state;
  const char *methods[] = {"GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS",
                           "PATCH", "CONNECT", "TRACE"};
  char line[64];
  for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
    int n = snprintf(line, sizeof line, "%s / HTTP/1.1\r\n", methods[i]);
    assert_true(starts(line, (size_t)n));
    size_t m = strlen(methods[i]);
    assert_true(starts(line, m + 1));  /* the method and its space */
    assert_false(starts(line, m));     /* cut before the space */
    /* Lower case, or glued to something else, is not a method. */
    for (size_t k = 0; k < m; k++)
      line[k] = (char)(line[k] - 'A' + 'a');
    assert_false(starts(line, (size_t)n));
  }
  const char *not_requests[] = {"HTTP/1.1 200 OK\r\n", "GETX / HTTP/1.1\r\n",
                                "GET/ HTTP/1.1\r\n", " GET / HTTP/1.1\r\n",
                                "PRI * HTTP/2.0\r\n", "\x16\x03\x01\x02\x00", ""};
  for (size_t i = 0; i < sizeof not_requests / sizeof not_requests[0]; i++)
    assert_false(starts(not_requests[i], strlen(not_requests[i])));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fine_requests),
      cmocka_unit_test(test_cl_and_te),
      cmocka_unit_test(test_two_content_lengths),
      cmocka_unit_test(test_not_a_number),
      cmocka_unit_test(test_transfer_encoding_values),
      cmocka_unit_test(test_space_before_colon),
      cmocka_unit_test(test_folding),
      cmocka_unit_test(test_case),
      cmocka_unit_test(test_line_ends_and_body),
      cmocka_unit_test(test_cut_headers),
      cmocka_unit_test(test_request_start),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
