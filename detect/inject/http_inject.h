/* detect/inject/http_inject.h — SQL injection and XSS in one HTTP request.
 *
 * Contract: http_inject_request() is what the collector calls on the
 * bytes of a request as captured (its first packet or packets: request
 * line, headers, maybe a body). It walks the request's values
 * (http_values.h: path, query parameters, the whole query string, cookies,
 * Referer parameters, User-Agent, X-Forwarded-For, form and JSON body
 * fields), decodes each as the application would (URL with '+' as space in
 * query strings and form bodies, repeated until stable; JSON escapes in
 * JSON; see decode.h), runs sqli_detect() on it, and xss_detect() on it
 * once more HTML-entity and JS-escape decoded. It returns 1 when any value
 * is detected, and fills *out with the worst finding (highest score; SQLi
 * before XSS on a tie) and where it was: "query parameter id", "header
 * User-Agent", "cookie session", "header Referer parameter q", "body field
 * q", "path", "query string".
 *
 * Bounded work: at most HV_MAX_BYTES (16 KiB) of the request and
 * HV_MAX_VALUES (64) values are read; each value is decoded into a buffer
 * of HTTP_INJ_MAX_VALUE (2 KiB) bytes and only that much is examined; the
 * detectors cap their own work (sqli.h, xss.h). out->truncated says when a
 * cap was hit. Values that cannot hold an injection (letters, digits and
 * harmless punctuation only) are skipped after one byte scan. Nothing is
 * allocated; the buffers live on the stack (about 5 KiB).
 */
#ifndef HABIT_DETECT_INJECT_HTTP_INJECT_H
#define HABIT_DETECT_INJECT_HTTP_INJECT_H

#include <stddef.h>
#include <stdint.h>

#include "detect/inject/inject.h"

#define HTTP_INJ_MAX_VALUE 2048 /* bytes of one decoded value examined */
#define HTTP_INJ_WHERE_MAX 64

enum inj_kind { INJ_NONE = 0, INJ_SQLI = 1, INJ_XSS = 2 };

struct http_inject_result {
  int detected;
  uint8_t kind;                     /* enum inj_kind of the worst finding */
  struct inj_finding f;             /* the worst finding */
  char where[HTTP_INJ_WHERE_MAX];   /* where it was, printable */
  unsigned values;                  /* values examined */
  int truncated;                    /* a cap was reached */
  int is_http;                      /* the bytes parsed as a request */
};

int http_inject_request(const uint8_t *req, size_t n,
                        struct http_inject_result *out);

const char *inj_kind_name(uint8_t kind); /* "sqli", "xss", "none" */

#endif
