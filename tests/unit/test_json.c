/* tests/unit/test_json.c — core/json.h: commas and nesting, RFC 8259
 * escaping, invalid UTF-8 as \u00XX while valid multibyte UTF-8 is kept,
 * numbers, non-finite doubles as null, depth limit, reset. Every output is
 * compared with the exact expected text. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"

static void expect(struct json *j, const char *want) {
  assert_false(json_failed(j));
  if (j->len != strlen(want) || memcmp(j->buf, want, j->len) != 0)
    print_error("want %s\ngot  %.*s\n", want, (int)j->len, j->buf);
  assert_int_equal(j->len, strlen(want));
  assert_memory_equal(j->buf, want, j->len);
}

/* One string value, escaped. */
static void expect_str(const char *in, size_t n, const char *want) {
  struct json j;
  json_init(&j);
  json_arr_begin(&j);
  json_strn(&j, in, n);
  json_arr_end(&j);
  char w[512];
  snprintf(w, sizeof w, "[%s]", want);
  expect(&j, w);
  json_free(&j);
}

static void test_nesting_and_commas(void **state) {
  (void)state;
  struct json j;
  json_init(&j);
  json_obj_begin(&j);
  json_obj_end(&j);
  expect(&j, "{}");
  json_reset(&j);
  json_arr_begin(&j);
  json_arr_end(&j);
  expect(&j, "[]");
  json_reset(&j);

  json_obj_begin(&j);
  json_kstr(&j, "a", "x");
  json_ku64(&j, "b", 18446744073709551615ull);
  json_key(&j, "c");
  json_arr_begin(&j);
  json_u64(&j, 1);
  json_i64(&j, -9223372036854775807ll - 1);
  json_bool(&j, true);
  json_bool(&j, false);
  json_null(&j);
  json_obj_begin(&j);
  json_obj_end(&j);
  json_arr_begin(&j);
  json_arr_end(&j);
  json_str(&j, "s");
  json_arr_end(&j);
  json_key(&j, "d");
  json_obj_begin(&j);
  json_key(&j, "e");
  json_obj_begin(&j);
  json_kdouble(&j, "f", 0.5);
  json_obj_end(&j);
  json_kstr(&j, "g", "");
  json_obj_end(&j);
  json_key(&j, "");
  json_null(&j);
  json_obj_end(&j);
  expect(&j,
         "{\"a\":\"x\",\"b\":18446744073709551615,\"c\":[1,-9223372036854775808,true,"
         "false,null,{},[],\"s\"],\"d\":{\"e\":{\"f\":0.5},\"g\":\"\"},\"\":null}");
  /* Objects one a line: no comma between top-level values. */
  json_reset(&j);
  for (int i = 0; i < 3; i++) {
    json_obj_begin(&j);
    json_ku64(&j, "i", (uint64_t)i);
    json_obj_end(&j);
    json_raw(&j, "\n", 1);
  }
  expect(&j, "{\"i\":0}\n{\"i\":1}\n{\"i\":2}\n");
  /* Reset empties the buffer. */
  json_reset(&j);
  json_obj_begin(&j);
  json_ku64(&j, "i", 9);
  json_obj_end(&j);
  expect(&j, "{\"i\":9}");
  json_free(&j);
  assert_null(j.buf);
}

static void test_top_level_sequence(void **state) {
  (void)state;
  /* json_strn is a value like json_str: commas included. */
  struct json j;
  json_init(&j);
  json_arr_begin(&j);
  json_strn(&j, "a", 1);
  json_strn(&j, "b", 1);
  json_str(&j, "c");
  json_strn(&j, "d", 1);
  json_arr_end(&j);
  expect(&j, "[\"a\",\"b\",\"c\",\"d\"]");
  json_reset(&j);
  json_obj_begin(&j);
  json_key(&j, "k");
  json_strn(&j, "v", 1);
  json_key(&j, "l");
  json_strn(&j, "w", 1);
  json_obj_end(&j);
  expect(&j, "{\"k\":\"v\",\"l\":\"w\"}");
  json_free(&j);
}

static void test_escaping(void **state) {
  (void)state;
  expect_str("plain", 5, "\"plain\"");
  expect_str("", 0, "\"\"");
  expect_str("a\"b", 3, "\"a\\\"b\"");
  expect_str("a\\b", 3, "\"a\\\\b\"");
  expect_str("\\\"", 2, "\"\\\\\\\"\"");
  expect_str("/", 1, "\"/\"");
  expect_str("\n\r\t", 3, "\"\\n\\r\\t\"");
  expect_str("\b\f", 2, "\"\\u0008\\u000c\"");
  expect_str("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"");
  expect_str("a\0b", 3, "\"a\\u0000b\"");
  /* Every control character. */
  for (unsigned c = 0; c < 0x20; c++) {
    char in[1] = {(char)c};
    char want[16];
    if (c == '\n')
      snprintf(want, sizeof want, "\"\\n\"");
    else if (c == '\r')
      snprintf(want, sizeof want, "\"\\r\"");
    else if (c == '\t')
      snprintf(want, sizeof want, "\"\\t\"");
    else
      snprintf(want, sizeof want, "\"\\u%04x\"", c);
    expect_str(in, 1, want);
  }
  /* Keys are escaped alike. */
  struct json j;
  json_init(&j);
  json_obj_begin(&j);
  json_kstr(&j, "k\"\n", "v\\");
  json_obj_end(&j);
  expect(&j, "{\"k\\\"\\n\":\"v\\\\\"}");
  json_free(&j);
}

static void test_utf8(void **state) {
  (void)state;
  /* Valid sequences of every length are kept as they are. */
  expect_str("\xc3\xa9", 2, "\"\xc3\xa9\"");                 /* é */
  expect_str("\xe2\x82\xac", 3, "\"\xe2\x82\xac\"");         /* € */
  expect_str("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\""); /* 😀 */
  expect_str("\xc2\x80", 2, "\"\xc2\x80\"");                 /* U+0080 */
  expect_str("\xef\xbf\xbf", 3, "\"\xef\xbf\xbf\"");         /* U+FFFF */
  expect_str("\xf4\x8f\xbf\xbf", 4, "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
  expect_str("\xed\x9f\xbf", 3, "\"\xed\x9f\xbf\"");         /* U+D7FF */
  expect_str("\xee\x80\x80", 3, "\"\xee\x80\x80\"");         /* U+E000 */
  /* Invalid bytes, one \u00XX each; what follows resynchronizes. */
  expect_str("\x80", 1, "\"\\u0080\"");
  expect_str("\xbf", 1, "\"\\u00bf\"");
  expect_str("\xff", 1, "\"\\u00ff\"");
  expect_str("\xfe", 1, "\"\\u00fe\"");
  expect_str("\xc3", 1, "\"\\u00c3\"");                     /* cut */
  expect_str("\xc3x", 2, "\"\\u00c3x\"");                   /* bad continuation */
  expect_str("\xe2\x82", 2, "\"\\u00e2\\u0082\"");          /* cut */
  expect_str("\xc0\xaf", 2, "\"\\u00c0\\u00af\"");          /* overlong '/' */
  expect_str("\xc1\xbf", 2, "\"\\u00c1\\u00bf\"");          /* overlong */
  expect_str("\xe0\x80\xaf", 3, "\"\\u00e0\\u0080\\u00af\""); /* overlong */
  expect_str("\xf0\x80\x80\xaf", 4, "\"\\u00f0\\u0080\\u0080\\u00af\"");
  expect_str("\xed\xa0\x80", 3, "\"\\u00ed\\u00a0\\u0080\"");  /* surrogate */
  expect_str("\xed\xbf\xbf", 3, "\"\\u00ed\\u00bf\\u00bf\"");  /* surrogate */
  expect_str("\xf4\x90\x80\x80", 4, "\"\\u00f4\\u0090\\u0080\\u0080\""); /* > U+10FFFF */
  expect_str("\xf5\x80\x80\x80", 4, "\"\\u00f5\\u0080\\u0080\\u0080\"");
  expect_str("\xf8\x88\x80\x80\x80", 5, "\"\\u00f8\\u0088\\u0080\\u0080\\u0080\"");
  expect_str("a\xc3\xa9\xff\xc3\xa9z", 7, "\"a\xc3\xa9\\u00ff\xc3\xa9z\"");
  /* A valid sequence cut by n is invalid, even if the buffer goes on. */
  expect_str("\xc3\xa9", 1, "\"\\u00c3\"");
}

static void test_numbers(void **state) {
  (void)state;
  struct json j;
  json_init(&j);
  json_arr_begin(&j);
  json_double(&j, NAN);
  json_double(&j, INFINITY);
  json_double(&j, -INFINITY);
  json_double(&j, 0.0);
  json_double(&j, -2.5);
  json_double(&j, 1e300);
  json_double(&j, 1234567.0);
  json_double(&j, 0.000125);
  json_u64(&j, 0);
  json_i64(&j, -1);
  json_arr_end(&j);
  expect(&j, "[null,null,null,0,-2.5,1e+300,1.23457e+06,0.000125,0,-1]");
  json_reset(&j);
  json_obj_begin(&j);
  json_kdouble(&j, "x", NAN);
  json_kdouble(&j, "y", 1.0);
  json_obj_end(&j);
  expect(&j, "{\"x\":null,\"y\":1}");
  json_free(&j);
}

static void test_depth_limit(void **state) {
  (void)state;
  struct json j;
  json_init(&j);
  for (int i = 0; i < JSON_MAX_DEPTH; i++)
    json_arr_begin(&j);
  for (int i = 0; i < JSON_MAX_DEPTH; i++)
    json_arr_end(&j);
  assert_false(json_failed(&j));
  assert_int_equal(j.len, 2 * JSON_MAX_DEPTH);
  json_reset(&j);
  for (int i = 0; i <= JSON_MAX_DEPTH; i++)
    json_obj_begin(&j);
  assert_true(json_failed(&j));
  /* Sticky until reset. */
  json_obj_end(&j);
  json_str(&j, "x");
  assert_true(json_failed(&j));
  json_reset(&j);
  assert_false(json_failed(&j));
  json_str(&j, "x");
  expect(&j, "\"x\"");
  json_free(&j);
}

static void test_growth(void **state) {
  (void)state;
  /* Long strings grow the buffer; every escape is written. */
  enum { N = 100000 };
  char *s = malloc(N);
  assert_non_null(s);
  for (int i = 0; i < N; i++)
    s[i] = (i % 3 == 0) ? '"' : (i % 3 == 1) ? '\x01' : 'a';
  struct json j;
  json_init(&j);
  json_strn(&j, s, N);
  assert_false(json_failed(&j));
  size_t want = 2 + (size_t)(N / 3 + 1) * 2 + (size_t)(N / 3) * 6 + (size_t)(N / 3);
  assert_int_equal(j.len, want);
  assert_memory_equal(j.buf, "\"\\\"\\u0001a\\\"", 12);
  assert_int_equal(j.buf[j.len - 1], '"');
  json_free(&j);
  free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_nesting_and_commas),
      cmocka_unit_test(test_top_level_sequence),
      cmocka_unit_test(test_escaping),
      cmocka_unit_test(test_utf8),
      cmocka_unit_test(test_numbers),
      cmocka_unit_test(test_depth_limit),
      cmocka_unit_test(test_growth),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
