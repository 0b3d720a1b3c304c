/* tests/unit/test_inject_decode.c — detect/inject/decode: URL, HTML and
 * JS/CSS decoding, repeated rounds, normalising, bounds and in-place use.
 * Inputs sit in buffers of exactly their length so that ASan catches a
 * read past n; outputs have a guard byte after cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/inject/decode.h"

#define GUARD 0xA5

/* Decode s with flags into a fresh buffer and compare with want. */
static void check(const char *s, unsigned flags, const char *want,
                  size_t want_len) {
  size_t n = strlen(s);
  uint8_t *in = malloc(n ? n : 1);
  uint8_t *out = malloc(n + 1);
  assert_non_null(in);
  assert_non_null(out);
  memcpy(in, s, n);
  out[n] = GUARD;
  size_t k = inj_decode(in, n, out, n, flags);
  assert_int_equal(k, want_len);
  assert_memory_equal(out, want, want_len);
  assert_int_equal(out[n], GUARD);
  assert_true(k <= n);
  free(in);
  free(out);
}

#define CHECK(s, flags, want) check((s), (flags), (want), sizeof(want) - 1)

static void test_url(void **state) {
  (void)state;
  CHECK("%41%42c", INJ_DEC_URL, "ABc");
  CHECK("a+b", INJ_DEC_URL | INJ_DEC_PLUS, "a b");
  CHECK("a+b", INJ_DEC_URL, "a+b");
  CHECK("%zz%4", INJ_DEC_URL, "%zz%4");     /* not escapes: kept */
  CHECK("%", INJ_DEC_URL, "%");
  CHECK("%u0041%U0042", INJ_DEC_URL, "AB"); /* IIS %uXXXX */
  CHECK("%uFF1Cscript%uFF1E", INJ_DEC_URL, "<script>"); /* fullwidth */
  CHECK("%u00e9", INJ_DEC_URL, "\xc3\xa9");
  CHECK("1%27%20or%201%3D1", INJ_DEC_URL, "1' or 1=1");
}

static void test_rounds(void **state) {
  (void)state;
  CHECK("%2527", INJ_DEC_URL, "'");          /* double encoding */
  CHECK("%252527", INJ_DEC_URL, "'");        /* three rounds */
  CHECK("%25252527", INJ_DEC_URL, "%27");    /* a fourth is not done */
  /* '+' is a space in the first round only: %2B is a plus. */
  CHECK("a+%2B", INJ_DEC_URL | INJ_DEC_PLUS, "a +");
  CHECK("100%25", INJ_DEC_URL, "100%");      /* stable after one round */
}

static void test_html(void **state) {
  (void)state;
  CHECK("&lt;script&gt;", INJ_DEC_HTML, "<script>");
  CHECK("&LT;&Gt;", INJ_DEC_HTML, "<>");
  CHECK("&#60;&#x3c;&#X3C;", INJ_DEC_HTML, "<<<");
  CHECK("&#0000106avascript", INJ_DEC_HTML, "javascript"); /* no ';' */
  CHECK("&#x6A&#x61", INJ_DEC_HTML, "ja");
  CHECK("java&Tab;script&colon;alert&lpar;1&rpar;", INJ_DEC_HTML,
        "java\tscript:alert(1)");
  CHECK("&lt", INJ_DEC_HTML, "<");           /* legacy name without ';' */
  CHECK("&colon", INJ_DEC_HTML, "&colon");   /* not without ';' */
  CHECK("&nbsp;", INJ_DEC_HTML, "\xc2\xa0");
  CHECK("&bogus; & &# &#x;", INJ_DEC_HTML, "&bogus; & &# &#x;");
  CHECK("a&#0;b&#x110000;c", INJ_DEC_HTML, "abc"); /* dropped */
  CHECK("&amp;lt;", INJ_DEC_HTML, "<");      /* two rounds */
  CHECK("AT&T", INJ_DEC_HTML, "AT&T");
}

static void test_js(void **state) {
  (void)state;
  CHECK("\\x3cscript\\x3e", INJ_DEC_JS, "<script>");
  CHECK("\\u003c\\u{3e}", INJ_DEC_JS, "<>");
  CHECK("\\61lert", INJ_DEC_JS, "alert");          /* CSS */
  CHECK("\\6a avascript", INJ_DEC_JS, "javascript"); /* CSS, one space */
  CHECK("\\'\\q", INJ_DEC_JS, "\\'\\q");          /* others stay */
  CHECK("end\\", INJ_DEC_JS, "end\\");
}

static void test_normalize(void **state) {
  (void)state;
  CHECK("sel%00ect", INJ_DEC_URL, "select");       /* NUL dropped */
  CHECK("1%00union", INJ_DEC_URL | INJ_DEC_NUL_SPACE, "1 union");
  CHECK("%C0%BCscript%C0%BE", INJ_DEC_URL, "<script>"); /* overlong */
  CHECK("%C0%A7", INJ_DEC_URL, "'");
  CHECK("%E0%80%A7", INJ_DEC_URL, "'");            /* 3-byte overlong */
  CHECK("\xef\xbc\x9cscript", 0, "<script");       /* fullwidth UTF-8 */
  CHECK("caf\xc3\xa9 \xc3\xb1", 0, "caf\xc3\xa9 \xc3\xb1"); /* UTF-8 stays */
  CHECK("\xc0", 0, "\xc0");                        /* cut sequence stays */
}

static void test_everything(void **state) {
  (void)state;
  unsigned all = INJ_DEC_URL | INJ_DEC_PLUS | INJ_DEC_HTML | INJ_DEC_JS;
  CHECK("%26lt%3Bimg+src%3Dx+onerror%3D%26%23x61%3Blert(1)%26gt%3B", all,
        "<img src=x onerror=alert(1)>");
  CHECK("", all, "");
}

/* Decoding in place gives what decoding into another buffer gives. */
static void test_in_place(void **state) {
  (void)state;
  const char *s = "%253Cscript%253E&lt;&#x41;\\x42%u0043+d";
  unsigned flags = INJ_DEC_URL | INJ_DEC_PLUS | INJ_DEC_HTML | INJ_DEC_JS;
  size_t n = strlen(s);
  uint8_t a[64], b[64];
  memcpy(a, s, n);
  size_t ka = inj_decode(a, n, a, sizeof a, flags);
  size_t kb = inj_decode((const uint8_t *)s, n, b, sizeof b, flags);
  assert_int_equal(ka, kb);
  assert_memory_equal(a, b, ka);
  assert_memory_equal(a, "<script><ABC d", ka);
}

/* A small cap cuts the output and never writes past it. */
static void test_cap(void **state) {
  (void)state;
  const char *s = "%41%42%43%44%45";
  uint8_t out[8];
  memset(out, GUARD, sizeof out);
  size_t k = inj_decode((const uint8_t *)s, strlen(s), out, 3, INJ_DEC_URL);
  assert_true(k <= 3);
  assert_int_equal(out[3], GUARD);
  memset(out, GUARD, sizeof out);
  k = inj_html_decode((const uint8_t *)"&#x1F600;", 9, out, 2);
  assert_true(k <= 2); /* a 4-byte code point does not fit: stop */
  assert_int_equal(out[2], GUARD);
  k = inj_url_decode((const uint8_t *)"%u4E2D", 6, out, 2, 0);
  assert_true(k <= 2);
  assert_int_equal(out[2], GUARD);
}

/* Escapes cut by the end of the input are left as they are. */
static void test_truncated_escapes(void **state) {
  (void)state;
  CHECK("%4", INJ_DEC_URL, "%4");
  CHECK("%u004", INJ_DEC_URL, "%u004");
  CHECK("&#x", INJ_DEC_HTML, "&#x");
  CHECK("\\u00", INJ_DEC_JS, "\\u00");
  CHECK("\\u{41", INJ_DEC_JS, "\\u{41");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_url),       cmocka_unit_test(test_rounds),
      cmocka_unit_test(test_html),      cmocka_unit_test(test_js),
      cmocka_unit_test(test_normalize), cmocka_unit_test(test_everything),
      cmocka_unit_test(test_in_place),  cmocka_unit_test(test_cap),
      cmocka_unit_test(test_truncated_escapes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
