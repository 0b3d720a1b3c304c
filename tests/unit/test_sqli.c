/* tests/unit/test_sqli.c — detect/inject/sqli_lex and sqli: the word
 * table, token classes in the three contexts, and detection of specific
 * injections, evasions and benign look-alikes. Values are decoded first as
 * http_inject decodes a query parameter, and sit in buffers of exactly
 * their length (ASan catches reads past n). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/inject/decode.h"
#include "detect/inject/sqli.h"
#include "detect/inject/sqli_lex.h"

static int detect(const char *raw, struct sqli_result *r) {
  size_t n = strlen(raw);
  uint8_t *buf = malloc(n ? n : 1);
  assert_non_null(buf);
  memcpy(buf, raw, n);
  n = inj_decode(buf, n, buf, n,
                 INJ_DEC_URL | INJ_DEC_PLUS | INJ_DEC_NUL_SPACE);
  uint8_t *exact = malloc(n ? n : 1);
  assert_non_null(exact);
  memcpy(exact, buf, n);
  int d = sqli_detect(exact, n, r);
  free(exact);
  free(buf);
  return d;
}

/* The token classes of s lexed in ctx, as a string. */
static void classes(const char *s, enum sqli_ctx ctx, char *out, size_t cap) {
  struct sqli_token t[64];
  int more;
  size_t k = sqli_lex((const uint8_t *)s, strlen(s), ctx, t, 64, &more);
  size_t i = 0;
  for (; i < k && i + 1 < cap; i++)
    out[i] = t[i].type;
  out[i] = '\0';
}

static void test_word_table(void **state) {
  (void)state;
  assert_true(sqli_words_sorted());
  const struct sqli_word *w = sqli_word_find((const uint8_t *)"uNiOn", 5);
  assert_non_null(w);
  assert_true(w->attr & SQLI_W_UNION);
  w = sqli_word_find((const uint8_t *)"sleep", 5);
  assert_non_null(w);
  assert_true(w->attr & SQLI_W_TIME);
  assert_null(sqli_word_find((const uint8_t *)"george", 6));
  assert_null(sqli_word_find((const uint8_t *)"u\xc3\xb1ion", 6));
  assert_null(sqli_word_find((const uint8_t *)"", 0));
}

static void test_lex_classes(void **state) {
  (void)state;
  char fp[64];
  classes("1 UNION SELECT 'a', @@version FROM t -- x", SQLI_CTX_BARE, fp,
          sizeof fp);
  assert_string_equal(fp, "nUEs,vkbc");
  classes("x' OR 'a'='a", SQLI_CTX_SQUOTE, fp, sizeof fp);
  assert_string_equal(fp, "s&sos");
  classes("x\" OR 1=1#", SQLI_CTX_DQUOTE, fp, sizeof fp);
  assert_string_equal(fp, "s&nonc");
  classes("0x41 1.5e3 .5 N'x' sleep(1) foo(2) foo (3)", SQLI_CTX_BARE, fp,
          sizeof fp);
  assert_string_equal(fp, "nnnsf(n)f(n)b(n)");
  classes("`a b` [dbo] ; ( ) , .", SQLI_CTX_BARE, fp, sizeof fp);
  assert_string_equal(fp, "bb;(),.");
  classes("a<=>b || c && d", SQLI_CTX_BARE, fp, sizeof fp);
  assert_string_equal(fp, "bob&b&b");
  classes("14554532v 4G", SQLI_CTX_BARE, fp, sizeof fp); /* names */
  assert_string_equal(fp, "bb");
  classes("1union select", SQLI_CTX_BARE, fp, sizeof fp); /* split */
  assert_string_equal(fp, "nUE");
}

static void test_lex_comments(void **state) {
  (void)state;
  struct sqli_token t[8];
  int more;
  const char *s = "--x";
  size_t k = sqli_lex((const uint8_t *)s, 3, SQLI_CTX_BARE, t, 8, &more);
  assert_int_equal(k, 1);
  assert_int_equal(t[0].type, 'c');
  assert_true(t[0].flags & SQLI_TF_WEAK);
  char fp[32];
  /* MySQL's executable comment is code; an empty comment joins words. */
  classes("/*!50000UNION*/ SELECT", SQLI_CTX_BARE, fp, sizeof fp);
  assert_string_equal(fp, "UE");
  classes("UNI/**/ON SEL/**/ECT", SQLI_CTX_BARE, fp, sizeof fp);
  assert_string_equal(fp, "UE");
  classes("1/*x*/or 1 # y\n=1", SQLI_CTX_BARE, fp, sizeof fp);
  assert_string_equal(fp, "nc&ncon");
  classes("1\xa0UNION", SQLI_CTX_BARE, fp, sizeof fp); /* NBSP is space */
  assert_string_equal(fp, "nU");
  /* The context's string: open when it never closes. */
  s = "O'Brien";
  k = sqli_lex((const uint8_t *)s, 1, SQLI_CTX_SQUOTE, t, 8, &more);
  assert_int_equal(k, 1);
  assert_true(t[0].flags & SQLI_TF_CTX);
  assert_true(t[0].flags & SQLI_TF_OPEN);
}

static void test_lex_limits(void **state) {
  (void)state;
  struct sqli_token t[4];
  int more;
  const char *s = "a b c d e f";
  size_t k = sqli_lex((const uint8_t *)s, strlen(s), SQLI_CTX_BARE, t, 4,
                      &more);
  assert_int_equal(k, 4);
  assert_true(more);
  k = sqli_lex((const uint8_t *)"", 0, SQLI_CTX_SQUOTE, t, 4, &more);
  assert_int_equal(k, 1); /* the (empty, open) context string */
}

static const char *const attacks[] = {
    /* tautologies, every context */
    "' OR 1=1--", "' or 'a'='a", "1 or 1=1", "admin' --", "admin'#",
    "\" or \"\"=\"", "') or ('1'='1", "1) or (1=1", "' or ''='", "' or 1 --",
    "'OR'a='a", "-1 OR 2>1", "x' AND 1=2 AND 'a'='a",
    /* UNION SELECT and its evasions */
    "1 UNION SELECT 1,2,3", "-1' union all select null,null--",
    "1 UNI/**/ON SEL/**/ECT 1,2", "1 uNiOn SeLeCt password FROM users",
    "1/*!50000union*/ select 1", "1%0aunion%0aselect%0a1", "%2527 union select 1--",
    "1%00UNION%00SELECT%002--", "-1+UNION+ALL+SELECT+NULL%2CNULL",
    "1' UNION SELECT table_name FROM information_schema.tables#",
    /* stacked queries */
    "1; DROP TABLE users--", "'; exec master..xp_cmdshell 'dir'--",
    "1'; shutdown--", "1; declare @a int", "'; insert into t values(1)--",
    /* time and heavy functions */
    "1 AND SLEEP(5)", "1' and benchmark(5000000,md5(1))#",
    "1; WAITFOR DELAY '0:0:5'--", "1 and 1=(select 1 from pg_sleep(5))",
    /* comments, ORDER BY, clauses */
    "1 ORDER BY 3--", "' order by 10#", "1) as x where 4039=4039--",
    "id having (1 or 1)",
    /* blind and error-based */
    "1 AND ASCII(SUBSTRING((SELECT password FROM users),1,1))>64",
    "1 and extractvalue(1,concat(0x7e,version()))", "iif(5257=5257,1,1/0)",
    "1 - ORD('A')", "ascii(substring(version() from 1 for 1))",
    "char(65)||char(66)", "@@version", "1' and 1 in (select @@version)--",
    /* MySQL implicit conversion */
    "A' - 'B", "'='", "x' RLIKE 'y",
};

static void test_attacks(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
    struct sqli_result r;
    if (!detect(attacks[i], &r))
      fail_msg("not detected: %s (score %u, rule %s)", attacks[i], r.f.score,
               r.f.rule);
    assert_true(r.f.score >= INJ_DETECT);
    assert_true(r.f.rule[0] != '\0');
    assert_true(r.f.fingerprint[0] != '\0');
    assert_true(strchr("nsd", r.f.context) != NULL);
  }
}

/* Benign look-alikes. Decided: none of these is flagged. */
static const char *const benign[] = {
    "O'Brien", "Vilanova de l'Aguda", "Vandell\xf2s i l'Hospitalet de l'Infant",
    "Mc'Morral Obrist", "select a size", "1-2 or more", "1 or 2 days",
    "WHERE IS GEORGE", "1950 UNION MADE", "\"foo\" AND \"bar\"",
    "rock 'n' roll", "It's 5 o'clock", "don't stop", "50% off",
    "drop-box", "Please select pair #1", "I like having true friends",
    "select x from y where", "necklace length 16\" or 18\"", "1 --",
    "mullen@menorca.com.bf", "Calle Palencia S/N, 3-B", "2011-11-11",
    "Mozilla/5.0 (compatible; Konqueror/3.5; Linux) KHTML/3.5.8 (like Gecko)",
    "User(login_name),Images(url_170x135)", "Apt is gated; call when you get here",
    "a=1&b=2", "/tienda1/publico/anadir.jsp", "x<y", "DRESS WITH HAT 18';",
    "BAMBOO CHARCOAL SOAP 1 '#", "", "'",
};

static void test_benign(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof benign / sizeof benign[0]; i++) {
    struct sqli_result r;
    if (detect(benign[i], &r))
      fail_msg("false positive: %s (rule %s, %s)", benign[i], r.f.rule,
               r.f.evidence);
    assert_false(r.detected);
  }
}

static void test_result_fields(void **state) {
  (void)state;
  struct sqli_result r;
  assert_true(detect("admin' OR 1=1", &r));
  assert_int_equal(r.f.context, 's');
  assert_string_equal(r.f.rule, "boolean-condition");
  assert_non_null(strstr(r.f.evidence, "OR 1=1"));
  assert_true(r.f.evidence[0] == '\''); /* starts at the breaking quote */
  assert_true(detect("1 UNION SELECT 1", &r));
  assert_int_equal(r.f.context, 'n');
  assert_string_equal(r.f.rule, "union-select");
  /* Evidence is cut to INJ_EVIDENCE_MAX and printable. */
  char big[400];
  memset(big, 'x', sizeof big);
  memcpy(big, "1 UNION SELECT '\x01", 17);
  big[sizeof big - 1] = '\0';
  big[sizeof big - 2] = '\'';
  assert_true(detect(big, &r));
  assert_true(strlen(r.f.evidence) <= INJ_EVIDENCE_MAX);
  for (const char *p = r.f.evidence; *p; p++)
    assert_true(*p >= 0x20 && *p < 0x7f);
}

/* Inputs past the caps are cut, not read. */
static void test_long_input(void **state) {
  (void)state;
  size_t n = SQLI_MAX_INPUT * 2;
  uint8_t *s = malloc(n);
  assert_non_null(s);
  for (size_t i = 0; i < n; i++)
    s[i] = "1,"[i & 1];
  struct sqli_result r;
  assert_false(sqli_detect(s, n, &r));
  memcpy(s + n - 20, " UNION SELECT 1,2  ", 19); /* beyond the cap */
  assert_false(sqli_detect(s, n, &r));
  memcpy(s, "1 UNION SELECT 1,2 ", 19); /* within it */
  assert_true(sqli_detect(s, n, &r));
  free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_word_table),   cmocka_unit_test(test_lex_classes),
      cmocka_unit_test(test_lex_comments), cmocka_unit_test(test_lex_limits),
      cmocka_unit_test(test_attacks),      cmocka_unit_test(test_benign),
      cmocka_unit_test(test_result_fields), cmocka_unit_test(test_long_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
