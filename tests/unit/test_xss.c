/* tests/unit/test_xss.c — detect/inject/xss: markup, handlers, script
 * URLs, CSS, JS sinks and string breaks, encoded evasions, and benign
 * markup and text. Values are decoded as http_inject decodes them for the
 * browser's view (URL, HTML entities, JS/CSS escapes) and sit in buffers
 * of exactly their length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/inject/decode.h"
#include "detect/inject/xss.h"

static int detect(const char *raw, struct xss_result *r) {
  size_t n = strlen(raw);
  uint8_t *buf = malloc(n ? n : 1);
  assert_non_null(buf);
  memcpy(buf, raw, n);
  n = inj_decode(buf, n, buf, n, INJ_DEC_URL | INJ_DEC_HTML | INJ_DEC_JS);
  uint8_t *exact = malloc(n ? n : 1);
  assert_non_null(exact);
  memcpy(exact, buf, n);
  int d = xss_detect(exact, n, r);
  free(exact);
  free(buf);
  return d;
}

static const char *const attacks[] = {
    /* script and code-loading tags */
    "<script>alert(1)</script>", "<ScRiPt>x</sCrIpT>", "<scr<script>ipt>",
    "<iframe src=//evil.example/>", "<object data=x.swf>", "<embed src=x>",
    "%3Cscript%3Ealert(1)%3C/script%3E", "&lt;script&gt;x&lt;/script&gt;",
    "\\x3cscript\\x3e", "%uFF1Cscript%uFF1E", "<scr%00ipt>",
    /* handlers, any tag, any separator */
    "<svg/onload=alert(1)>", "<img src=x onerror=alert(1)>",
    "<body onload=x()>", "<x onxxx=1", "<img src=x onerror\n=alert(1)>",
    "<input autofocus onfocus=prompt(1)>", "<IMG SRC=x OnErRoR=y>",
    "\" onmouseover=\"alert(1)", "' onfocus=x() autofocus='",
    "x onmouseover=alert(1)",
    /* script URLs, with the obfuscations browsers undo */
    "<a href=\"javascript:alert(1)\">x</a>", "<a href=\"jav&#x09;ascript:x()\">",
    "<iframe src=\"&#106;avascript:alert(1)\">", "<img src=\" &#14; javascript:x\">",
    "<a href=vbscript:msgbox(1)>", "javascript:alert(document.domain)",
    "<object data=\"data:text/html;base64,PHNjcmlwdD4=\">",
    "data:text/html,<b>x", "<form><button formaction=javascript:x>",
    /* CSS */
    "<div style=\"width:expression(alert(1))\">", "<x style=behavior:url(#x)>",
    "<style>@import 'http://x/x.css';</style>", "width:expression(alert(1))",
    /* JS string breaks and sinks */
    "\"-alert(1)-\"", "';alert(1)//", "</script><script>alert(1)//",
    "top['al'+'ert'](1)", "[1].find(alert)", "alert`1`",
    "document.cookie", "x'+String.fromCharCode(88)+'",
    /* other markup that runs or loads code */
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:x\">",
    "<meta charset=\"UTF-7\">", "<link rel=stylesheet href=//x/x.css>",
    "<span datasrc=#x datafld=y dataformatas=html>", "<?xml-stylesheet href=x?>",
    "\"><svg>",
};

static void test_attacks(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
    struct xss_result r;
    if (!detect(attacks[i], &r))
      fail_msg("not detected: %s (score %u, rule %s)", attacks[i], r.f.score,
               r.f.rule);
    assert_true(r.f.score >= INJ_DETECT);
    assert_true(r.f.rule[0] != '\0');
    assert_true(r.f.evidence[0] != '\0');
  }
}

/* Decided: formatting markup, links to http(s), and text are not XSS. A
 * comment field that allows <b> is common; script, handlers and script
 * URLs are not. */
static const char *const benign[] = {
    "<b>bold</b>", "<i>x</i> <p>para</p><br/>", "<strong>a</strong>",
    "<a href=\"http://example.com/x?a=1\">link</a>", "<img src=\"cat.jpg\" alt=\"cat\">",
    "<table width=\"99%\" border=\"0\">", "I <3 you", "a < b and c > d",
    "x=1", "alert me when ready", "online=yes", "document", "O'Brien",
    "Mozilla/5.0 (compatible; Konqueror/3.5; Linux) KHTML/3.5.8 (like Gecko)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/120.0 Safari/537.36",
    "http://localhost:8080/tienda1/publico/entrar.jsp?errorMsg=Credenciales",
    "mailto:someone@example.com", "12:30", "see: the docs (page 3)",
    "the function (f) is", "AT&T", "\"quoted\" text; more", "", "<",
    "1 < 2", "[1, 2, 3]", "please confirm your order",
};

static void test_benign(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof benign / sizeof benign[0]; i++) {
    struct xss_result r;
    if (detect(benign[i], &r))
      fail_msg("false positive: %s (rule %s, %s)", benign[i], r.f.rule,
               r.f.evidence);
  }
}

static void test_result_fields(void **state) {
  (void)state;
  struct xss_result r;
  assert_true(detect("hello <img src=x onerror=alert(1)> world", &r));
  assert_string_equal(r.f.rule, "event-handler");
  assert_int_equal(r.f.context, 'h');
  assert_true(strncmp(r.f.evidence, "<img", 4) == 0);
  assert_true(detect("x';alert(1)//", &r));
  assert_string_equal(r.f.rule, "js-sink");
  assert_int_equal(r.f.context, 'j');
  /* Weak signals add up but stay below detection alone. */
  assert_false(detect("<svg>", &r));
  assert_int_equal(r.f.score, 60);
  assert_false(detect("<!-- x -->", &r));
  assert_true(r.f.score > 0);
}

/* Unterminated markup at the end of the input is read up to n, not past. */
static void test_cut(void **state) {
  (void)state;
  static const char *const cut[] = {"<", "<a", "<a ", "<a b", "<a b=",
                                    "<a b=\"", "<a b='x", "</", "<!", "<?",
                                    "<x onload", "<x onload=", "javascript",
                                    "top[", "'", "\" on", "\\"};
  for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
    struct xss_result r;
    detect(cut[i], &r);
    assert_true(r.f.score < INJ_DETECT || strcmp(cut[i], "<x onload=") == 0);
  }
}

static void test_long_input(void **state) {
  (void)state;
  size_t n = XSS_MAX_INPUT + 100;
  uint8_t *s = malloc(n);
  assert_non_null(s);
  memset(s, 'a', n);
  memcpy(s + XSS_MAX_INPUT + 10, "<script>", 8); /* beyond the cap */
  struct xss_result r;
  assert_false(xss_detect(s, n, &r));
  memcpy(s + 10, "<script>", 8);
  assert_true(xss_detect(s, n, &r));
  free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_attacks), cmocka_unit_test(test_benign),
      cmocka_unit_test(test_result_fields), cmocka_unit_test(test_cut),
      cmocka_unit_test(test_long_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
