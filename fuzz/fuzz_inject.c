/* fuzz/fuzz_inject.c — libFuzzer target for detect/inject: the input runs
 * through every decoder (in place and not, with every flag), sqli_detect,
 * xss_detect and sql_statement_check, and as a whole HTTP request through
 * http_inject_request (with http_values' JSON unescaping). Traps on a
 * decoder that grows its input or writes past its cap, a finding whose
 * strings lack their NUL or hold unprintable bytes, a span outside the
 * input, or "detected" disagreeing with the score; ASan and UBSan do the
 * rest. The input sits in a buffer of exactly its length.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/inject/decode.h"
#include "detect/inject/http_inject.h"
#include "detect/inject/http_values.h"
#include "detect/inject/sql_statement.h"
#include "detect/inject/sqli.h"
#include "detect/inject/xss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TRAP_IF(c)                                                             \
  do {                                                                         \
    if (c)                                                                     \
      __builtin_trap();                                                        \
  } while (0)

static void check_str(const char *s, size_t cap, int printable) {
  const char *end = memchr(s, '\0', cap);
  TRAP_IF(!end);
  for (const char *p = s; printable && p < end; p++)
    TRAP_IF(*p < 0x20 || *p > 0x7e);
}

static void check_finding(const struct inj_finding *f, int detected, size_t n) {
  check_str(f->rule, sizeof f->rule, 1);
  check_str(f->fingerprint, sizeof f->fingerprint, 0);
  check_str(f->evidence, sizeof f->evidence, 1);
  TRAP_IF(detected != (f->score >= INJ_DETECT));
  TRAP_IF(f->score && !f->rule[0]);
  TRAP_IF(f->ev_off > n || f->ev_len > n - f->ev_off);
}

static void run_decoders(const uint8_t *s, size_t n) {
  static const unsigned flags[] = {
      INJ_DEC_URL, INJ_DEC_URL | INJ_DEC_PLUS | INJ_DEC_NUL_SPACE,
      INJ_DEC_HTML, INJ_DEC_JS,
      INJ_DEC_URL | INJ_DEC_PLUS | INJ_DEC_HTML | INJ_DEC_JS};
  uint8_t *out = malloc(n + 1);
  uint8_t *in = malloc(n ? n : 1);
  if (!out || !in)
    abort();
  for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++) {
    out[n] = 0xA5;
    size_t a = inj_decode(s, n, out, n, flags[k]);
    TRAP_IF(a > n || out[n] != 0xA5);
    memcpy(in, s, n); /* in place gives the same */
    size_t b = inj_decode(in, n, in, n, flags[k]);
    TRAP_IF(a != b || memcmp(in, out, a) != 0);
  }
  size_t cap = n / 2;
  out[cap] = 0xA5;
  TRAP_IF(inj_decode(s, n, out, cap, INJ_DEC_URL | INJ_DEC_HTML | INJ_DEC_JS) >
          cap);
  TRAP_IF(out[cap] != 0xA5);
  TRAP_IF(hv_json_unescape(s, n, out, n) > n);
  free(out);
  free(in);
}

static void run_detectors(const uint8_t *s, size_t n) {
  struct sqli_result sq;
  int d = sqli_detect(s, n, &sq);
  check_finding(&sq.f, d, n);
  TRAP_IF(d != sq.detected);
  struct xss_result xs;
  d = xss_detect(s, n, &xs);
  check_finding(&xs.f, d, n);
  struct sql_statement_result st;
  d = sql_statement_check(s, n, &st);
  check_finding(&st.f, d, n);
}

static int count_values(const struct hv_value *v, void *ctx) {
  TRAP_IF(v->val_len > HV_MAX_BYTES || v->name_len > HV_MAX_BYTES);
  (*(unsigned *)ctx)++;
  return 0;
}

static void run_http(const uint8_t *s, size_t n) {
  struct http_inject_result r;
  int d = http_inject_request(s, n, &r);
  check_finding(&r.f, d, HTTP_INJ_MAX_VALUE);
  check_str(r.where, sizeof r.where, 1);
  TRAP_IF(r.values > HV_MAX_VALUES);
  TRAP_IF(!r.is_http && (d || r.values));
  TRAP_IF(d && r.kind != INJ_SQLI && r.kind != INJ_XSS);
  unsigned seen = 0;
  struct hv_stats st;
  http_values(s, n, count_values, &seen, &st);
  TRAP_IF(seen != st.values || seen != r.values);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *s = malloc(size ? size : 1);
  if (!s)
    return 0;
  memcpy(s, data, size);
  run_decoders(s, size);
  run_detectors(s, size);
  run_http(s, size);
  free(s);
  return 0;
}
