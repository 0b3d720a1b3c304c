/* tests/unit/test_http_inject.c — detect/inject/http_values and
 * http_inject: which values of a request are read and under what name,
 * decoding per source, where a finding was, JSON and form bodies, caps,
 * and requests cut anywhere. Every request sits in a buffer of exactly its
 * length, so the ASan build catches a read past n. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/inject/http_inject.h"
#include "detect/inject/http_values.h"

static int run_n(const char *req, size_t n, struct http_inject_result *r) {
  uint8_t *b = malloc(n ? n : 1);
  assert_non_null(b);
  memcpy(b, req, n);
  int d = http_inject_request(b, n, r);
  free(b);
  return d;
}

static int run(const char *req, struct http_inject_result *r) {
  return run_n(req, strlen(req), r);
}

#define UA "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0\r\n"

static void test_query_sqli(void **state) {
  (void)state;
  struct http_inject_result r;
  assert_true(run("GET /item.php?cat=2&id=1%27+OR+%271%27%3D%271 HTTP/1.1\r\n"
                  "Host: shop\r\n" UA "\r\n",
                  &r));
  assert_true(r.is_http);
  assert_int_equal(r.kind, INJ_SQLI);
  assert_string_equal(r.where, "query parameter id");
  assert_non_null(strstr(r.f.evidence, "OR '1'='1"));
  /* Double encoding, and absolute-form targets (proxies, CSIC). */
  assert_true(run("GET http://shop:8080/a.jsp?id=1%2527%20union%20select%201--"
                  " HTTP/1.1\r\n\r\n",
                  &r));
  assert_string_equal(r.where, "query parameter id");
  assert_string_equal(inj_kind_name(r.kind), "sqli");
}

static void test_headers(void **state) {
  (void)state;
  struct http_inject_result r;
  assert_true(run("GET / HTTP/1.1\r\nUser-Agent: <script>alert(1)</script>\r\n"
                  "\r\n",
                  &r));
  assert_int_equal(r.kind, INJ_XSS);
  assert_string_equal(r.where, "header User-Agent");
  assert_true(run("GET / HTTP/1.1\r\nCookie: lang=en; session=x' or 1=1--\r\n"
                  "\r\n",
                  &r));
  assert_string_equal(r.where, "cookie session");
  assert_true(run("GET / HTTP/1.1\r\nReferer: http://a/s?q=%22%3E%3Csvg/onload%3D"
                  "alert(1)%3E\r\n\r\n",
                  &r));
  assert_string_equal(r.where, "header Referer parameter q");
  assert_true(run("GET / HTTP/1.1\r\nX-Forwarded-For: 1.2.3.4' AND SLEEP(5)#\r\n"
                  "\r\n",
                  &r));
  assert_string_equal(r.where, "header X-Forwarded-For");
  /* Headers by any case; other headers are not values. */
  assert_true(run("GET / HTTP/1.1\r\nuser-agent: x' union select 1,2--\r\n\r\n",
                  &r));
  assert_false(run("GET / HTTP/1.1\r\nX-Other: ' or 1=1--\r\n\r\n", &r));
}

static void test_form_body(void **state) {
  (void)state;
  struct http_inject_result r;
  const char *req = "POST /login HTTP/1.1\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    "Content-Length: 35\r\n\r\n"
                    "user=admin%27--&pass=x&go=Log+in";
  assert_true(run(req, &r));
  assert_string_equal(r.where, "body field user");
  /* No Content-Type, but shaped like a form. */
  assert_true(run("POST /x HTTP/1.1\r\n\r\nq=<img src=x onerror=alert(1)>", &r));
  assert_string_equal(r.where, "body field q");
  /* Content-Length cuts the body: what follows it is not read. */
  assert_false(run("POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\na=b"
                   "&c=' or 1=1--",
                   &r));
}

static void test_json_body(void **state) {
  (void)state;
  struct http_inject_result r;
  const char *req = "POST /api HTTP/1.1\r\nContent-Type: application/json\r\n\r\n"
                    "{\"page\": 2, \"filter\": {\"name\": \"x\\u0027 OR 1=1--\"}}";
  assert_true(run(req, &r));
  assert_string_equal(r.where, "body field name");
  assert_int_equal(r.kind, INJ_SQLI);
  assert_true(run("POST /api HTTP/1.1\r\n\r\n[\"ok\", \"<svg onload=alert(1)>\"]",
                  &r));
  assert_int_equal(r.kind, INJ_XSS);
  /* Keys are not values; benign JSON is clean. */
  assert_false(run("POST /api HTTP/1.1\r\nContent-Type: application/json\r\n\r\n"
                   "{\"' or 1=1--\": 1, \"comment\": \"<b>great</b> O'Brien\","
                   " \"escaped\": \"a\\\"b\\\\c\"}",
                   &r));
}

/* What the walker gives, with names. */
struct seen {
  char log[1024];
  size_t len;
};

static int collect(const struct hv_value *v, void *ctx) {
  struct seen *s = ctx;
  int k = snprintf(s->log + s->len, sizeof s->log - s->len, "%d:%.*s=%.*s|",
                   (int)v->src, (int)v->name_len, (const char *)v->name,
                   (int)v->val_len, (const char *)v->val);
  if (k > 0 && (size_t)k < sizeof s->log - s->len)
    s->len += (size_t)k;
  return 0;
}

static void test_values(void **state) {
  (void)state;
  struct seen s = {{0}, 0};
  struct hv_stats st;
  const char *req = "GET /a/b?x=1&y&z=a=b HTTP/1.1\r\nCookie: c=1; d=2\r\n"
                    "Referer: http://r/p?q=3#frag\r\nUser-Agent: ua\r\n\r\n";
  assert_true(http_values((const uint8_t *)req, strlen(req), collect, &s, &st));
  assert_string_equal(s.log, "0:=/a/b|1:x=1|1:=y|1:z=a=b|2:=x=1&y&z=a=b|"
                             "3:c=1|3:d=2|4:q=3|5:=ua|");
  assert_int_equal(st.values, 9);
  assert_false(st.truncated);
  /* Plain name=value segments: no whole-query value. */
  s.len = 0;
  req = "GET /?a=1&b=2 HTTP/1.0\r\n\r\n";
  assert_true(http_values((const uint8_t *)req, strlen(req), collect, &s, &st));
  s.log[s.len] = '\0';
  assert_string_equal(s.log, "1:a=1|1:b=2|");
}

/* An unencoded '&' splits a payload; the whole query catches it. */
static void test_split_payload(void **state) {
  (void)state;
  struct http_inject_result r;
  assert_true(run("GET /?id=1' && '1'='1 HTTP/1.1\r\n\r\n", &r));
  assert_string_equal(r.where, "query string");
}

static void test_not_http(void **state) {
  (void)state;
  struct http_inject_result r;
  static const char *const bad[] = {"", "\r\n", "GET", "get / HTTP/1.1\r\n",
                                    "GET / SPDY/3\r\n", "\x16\x03\x01\x02",
                                    "SSH-2.0-OpenSSH\r\n",
                                    "TOOLONGMETHODNAMEXX / HTTP/1.1\r\n"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_false(run(bad[i], &r));
    assert_false(r.is_http);
    assert_int_equal(r.values, 0);
  }
}

static void test_benign_requests(void **state) {
  (void)state;
  struct http_inject_result r;
  const char *req =
      "GET http://localhost:8080/tienda1/publico/anadir.jsp?id=3&nombre=Vino+"
      "Rioja&precio=100&cantidad=55&B1=A%F1adir+al+carrito HTTP/1.1\r\n"
      "User-Agent: Mozilla/5.0 (compatible; Konqueror/3.5; Linux) KHTML/3.5.8 "
      "(like Gecko)\r\nCookie: JSESSIONID=81761ACA043B0E6014CA42A4BCD06AB5\r\n"
      "Connection: close\r\n\r\n";
  assert_false(run(req, &r));
  assert_true(r.is_http);
  assert_int_equal(r.values, 8); /* path, 5 parameters, cookie, UA */
  assert_string_equal(r.where, "");
  assert_false(run("POST /r HTTP/1.1\r\nContent-Type: application/x-www-form-"
                   "urlencoded\r\n\r\napellidos=O%27Neil&ciudad=Vilanova+de+l%27"
                   "Aguda&comment=%3Cb%3Ebold%3C%2Fb%3E+1-2+or+more",
                   &r));
}

/* Every prefix of a request: parsed as far as it goes, never past n. */
static void test_cut_everywhere(void **state) {
  (void)state;
  const char *req = "POST /p?a=%27+or+1%3D1--&b=2 HTTP/1.1\r\nCookie: k=v\r\n"
                    "Content-Type: application/json\r\nContent-Length: 30\r\n"
                    "\r\n{\"q\": \"<script>x</script>\"}";
  size_t n = strlen(req);
  for (size_t k = 0; k <= n; k++) {
    struct http_inject_result r;
    run_n(req, k, &r);
    assert_true(strlen(r.where) < HTTP_INJ_WHERE_MAX);
    assert_true(strlen(r.f.evidence) <= INJ_EVIDENCE_MAX);
  }
}

static void test_caps(void **state) {
  (void)state;
  char *req = malloc(HV_MAX_BYTES * 2);
  assert_non_null(req);
  size_t k = (size_t)sprintf(req, "GET /?");
  for (int i = 0; i < 100; i++)
    k += (size_t)sprintf(req + k, "p%d=%d&", i, i);
  k += (size_t)sprintf(req + k, "last=' or 1=1-- HTTP/1.1\r\n\r\n");
  struct http_inject_result r;
  run_n(req, k, &r);
  assert_int_equal(r.values, HV_MAX_VALUES);
  assert_true(r.truncated);
  assert_false(r.detected); /* the 101st parameter was not read */
  /* Bytes past HV_MAX_BYTES are not read. */
  k = (size_t)sprintf(req, "GET / HTTP/1.1\r\nX-Pad: ");
  memset(req + k, 'a', HV_MAX_BYTES);
  k += HV_MAX_BYTES;
  k += (size_t)sprintf(req + k, "\r\nUser-Agent: ' or 1=1--\r\n\r\n");
  run_n(req, k, &r);
  assert_true(r.truncated);
  assert_false(r.detected);
  /* A value longer than HTTP_INJ_MAX_VALUE is examined up to it. */
  k = (size_t)sprintf(req, "GET /?q=' or 1=1--");
  memset(req + k, 'b', HTTP_INJ_MAX_VALUE * 2);
  k += HTTP_INJ_MAX_VALUE * 2;
  k += (size_t)sprintf(req + k, " HTTP/1.1\r\n\r\n");
  assert_true(run_n(req, k, &r));
  assert_true(r.truncated);
  free(req);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_query_sqli),      cmocka_unit_test(test_headers),
      cmocka_unit_test(test_form_body),       cmocka_unit_test(test_json_body),
      cmocka_unit_test(test_values),          cmocka_unit_test(test_split_payload),
      cmocka_unit_test(test_not_http),        cmocka_unit_test(test_benign_requests),
      cmocka_unit_test(test_cut_everywhere),  cmocka_unit_test(test_caps),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
