/* detect/inject/http_values.h — the attacker-controlled values of one HTTP
 * request, one at a time.
 *
 * Contract: http_values() reads req[0, n) — the raw bytes of the request
 * as captured: request line, headers, maybe (part of) a body — and calls fn
 * once per value, in order: the path; each query parameter (split on '&',
 * name=value); the whole query string, when a segment is not name=value
 * with a plain name (a value cut by an unencoded '&'); each Cookie pair (split on ';');
 * the query parameters of the Referer URL; User-Agent and X-Forwarded-For
 * as whole values; then the body's fields when it is form-urlencoded
 * (Content-Type application/x-www-form-urlencoded, or no Content-Type and
 * a body shaped like a=b&c=d) or JSON (Content-Type *json, or a body that
 * starts with '{' or '['): every JSON string that is a value, with the key
 * it belongs to. Other bodies (multipart, XML, binary) are not read.
 *
 * Values are given raw, undecoded, as slices of req (JSON strings without
 * their quotes, flag json set; hv_json_unescape() decodes them). Nothing
 * is copied, nothing allocated; no byte past n, nor past HV_MAX_BYTES, is
 * read; at most HV_MAX_VALUES values are given. A request line that is not
 * "METHOD SP target SP HTTP/x" makes it return 0 without calling fn. fn
 * returns nonzero to stop early. Headers cut by the end of the capture are
 * used as far as they go; a body is what follows the blank line, up to
 * Content-Length.
 */
#ifndef HABIT_DETECT_INJECT_HTTP_VALUES_H
#define HABIT_DETECT_INJECT_HTTP_VALUES_H

#include <stddef.h>
#include <stdint.h>

#define HV_MAX_BYTES 16384 /* bytes of a request read */
#define HV_MAX_VALUES 64   /* values given per request */

enum hv_source {
  HV_PATH,
  HV_QUERY,       /* a query parameter */
  HV_QUERY_WHOLE, /* the whole query string */
  HV_COOKIE,
  HV_REFERER,     /* a query parameter of the Referer URL */
  HV_USER_AGENT,
  HV_XFF,         /* X-Forwarded-For */
  HV_BODY_FORM,
  HV_BODY_JSON
};

struct hv_value {
  enum hv_source src;
  const uint8_t *name; /* parameter, cookie or JSON key; may be empty */
  size_t name_len;
  const uint8_t *val;
  size_t val_len;
  int json; /* val is a JSON string's content, still escaped */
};

struct hv_stats {
  unsigned values;  /* values given to fn */
  int truncated;    /* a cap was reached: some of the request was not read */
};

typedef int (*hv_fn)(const struct hv_value *v, void *ctx);

/* 1 when req is an HTTP request (fn was called for its values), else 0. */
int http_values(const uint8_t *req, size_t n, hv_fn fn, void *ctx,
                struct hv_stats *st);

/* Decode a JSON string's content (\" \\ \/ \b \f \n \r \t \uXXXX, with
 * surrogate pairs) into out; returns the length, at most cap (the output
 * is never longer than the input, so it may decode in place). */
size_t hv_json_unescape(const uint8_t *s, size_t n, uint8_t *out, size_t cap);

#endif
