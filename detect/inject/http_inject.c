/* detect/inject/http_inject.c — running the detectors over a request's
 * values (see http_inject.h). */
#include "detect/inject/http_inject.h"

#include <stdio.h>
#include <string.h>

#include "detect/inject/decode.h"
#include "detect/inject/http_values.h"
#include "detect/inject/sqli.h"
#include "detect/inject/xss.h"

struct run {
  struct http_inject_result *out;
  int truncated;
  int nul; /* the raw value encodes a NUL byte */
  uint8_t sql[HTTP_INJ_MAX_VALUE];  /* the value as the application sees it */
  uint8_t html[HTTP_INJ_MAX_VALUE]; /* ... and as a browser would render it */
};

const char *inj_kind_name(uint8_t kind) {
  return kind == INJ_SQLI ? "sqli" : kind == INJ_XSS ? "xss" : "none";
}

/* Bytes that no injection can do without: quotes, brackets, operators,
 * escapes, markup. A value of only letters, digits, spaces and . , _ : /
 * @ can still be bare SQL ("1 union select 1,2") — but only with spaces,
 * so such values go on when they hold a space. */
static int may_inject(const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint8_t c = s[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
        c == '@' || c == ',' || c == '/' || c == ':' || c >= 0x80)
      continue;
    return 1;
  }
  return 0;
}

static void describe(char *where, const struct hv_value *v) {
  static const char *const what[] = {
      [HV_PATH] = "path",
      [HV_QUERY] = "query parameter",
      [HV_QUERY_WHOLE] = "query string",
      [HV_COOKIE] = "cookie",
      [HV_REFERER] = "header Referer parameter",
      [HV_USER_AGENT] = "header User-Agent",
      [HV_XFF] = "header X-Forwarded-For",
      [HV_BODY_FORM] = "body field",
      [HV_BODY_JSON] = "body field"};
  int k = snprintf(where, HTTP_INJ_WHERE_MAX, "%s", what[v->src]);
  if (v->name_len && k > 0 && k + 2 < HTTP_INJ_WHERE_MAX) {
    where[k++] = ' ';
    for (size_t i = 0; i < v->name_len && k + 1 < HTTP_INJ_WHERE_MAX; i++) {
      uint8_t c = v->name[i];
      where[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
    }
    where[k] = '\0';
  }
}

static void consider(struct run *r, const struct hv_value *v, uint8_t kind,
                     const struct inj_finding *f) {
  struct http_inject_result *o = r->out;
  if (f->score <= o->f.score)
    return;
  o->f = *f;
  o->kind = kind;
  describe(o->where, v);
}

static size_t value_len(struct run *r, const struct hv_value *v) {
  if (v->val_len <= HTTP_INJ_MAX_VALUE)
    return v->val_len;
  r->truncated = 1;
  return HTTP_INJ_MAX_VALUE;
}

static unsigned url_flags(const struct hv_value *v) {
  /* '+' is a space in query strings and form bodies only. */
  if (v->src == HV_QUERY || v->src == HV_QUERY_WHOLE ||
      v->src == HV_BODY_FORM || v->src == HV_REFERER)
    return INJ_DEC_URL | INJ_DEC_PLUS;
  return INJ_DEC_URL;
}

/* Does the raw value hold a NUL, raw or %-encoded? SQL reads it as a space,
 * a browser drops it: the two views must then be decoded apart. */
static int has_nul(const uint8_t *s, size_t n) {
  if (memchr(s, 0, n))
    return 1;
  for (size_t i = 0; i + 2 < n; i++)
    if (s[i] == '%' && s[i + 1] == '0' && s[i + 2] == '0')
      return 1;
  return 0;
}

/* Decode a raw value into r->sql as the application would see it. */
static size_t decode_value(struct run *r, const struct hv_value *v) {
  size_t n = value_len(r, v);
  r->nul = has_nul(v->val, n);
  if (v->json)
    n = hv_json_unescape(v->val, n, r->sql, sizeof r->sql);
  else
    memcpy(r->sql, v->val, n);
  return inj_decode(r->sql, n, r->sql, sizeof r->sql,
                    url_flags(v) | INJ_DEC_NUL_SPACE);
}

/* The same value as a browser would read it: entities and JS escapes
 * decoded too. Shares r->sql when there is nothing more to decode. */
static const uint8_t *html_view(struct run *r, const struct hv_value *v,
                                size_t n, size_t *out_n) {
  if (r->nul) {
    size_t raw = value_len(r, v);
    if (v->json)
      raw = hv_json_unescape(v->val, raw, r->html, sizeof r->html);
    else
      memcpy(r->html, v->val, raw);
    *out_n = inj_decode(r->html, raw, r->html, sizeof r->html,
                        url_flags(v) | INJ_DEC_HTML | INJ_DEC_JS);
    return r->html;
  }
  if (!memchr(r->sql, '&', n) && !memchr(r->sql, '\\', n)) {
    *out_n = n;
    return r->sql;
  }
  *out_n = inj_decode(r->sql, n, r->html, sizeof r->html,
                      INJ_DEC_HTML | INJ_DEC_JS);
  return r->html;
}

static int on_value(const struct hv_value *v, void *ctx) {
  struct run *r = ctx;
  if (!may_inject(v->val, v->val_len > HTTP_INJ_MAX_VALUE ? HTTP_INJ_MAX_VALUE
                                                            : v->val_len))
    return 0;
  size_t n = decode_value(r, v);
  struct sqli_result sq;
  if (sqli_detect(r->sql, n, &sq) || sq.f.score)
    consider(r, v, INJ_SQLI, &sq.f);
  size_t hn;
  const uint8_t *h = html_view(r, v, n, &hn);
  struct xss_result xs;
  if (xss_detect(h, hn, &xs) || xs.f.score)
    consider(r, v, INJ_XSS, &xs.f);
  return 0;
}

int http_inject_request(const uint8_t *req, size_t n,
                        struct http_inject_result *out) {
  memset(out, 0, sizeof *out);
  struct run r;
  r.out = out;
  r.truncated = 0;
  struct hv_stats st;
  out->is_http = http_values(req, n, on_value, &r, &st);
  out->values = st.values;
  out->truncated = st.truncated || r.truncated;
  out->detected = out->f.score >= INJ_DETECT;
  if (!out->detected && out->kind == INJ_NONE)
    out->where[0] = '\0';
  return out->detected;
}
