/* detect/threat/http_smuggle.h — request smuggling by body lengths.
 *
 * Contract: http_smuggling_check() reads the header block of one HTTP/1
 * request as captured (it stops at the blank line or at cap; a last line
 * cut by cap is not judged, its value may go on) and returns
 * NULL, or the reason the request could be framed two ways by two servers:
 * both Content-Length and Transfer-Encoding; two Content-Length values that
 * differ, or one that is not a plain number; a Transfer-Encoding whose
 * value is not exactly a list ending in "chunked" (e.g. "xchunked",
 * "chunked, identity"); a Transfer-Encoding or Content-Length header name
 * with whitespace before its colon, or folded onto a continuation line.
 * Pure; reads at most cap bytes.
 */
#ifndef HABIT_DETECT_THREAT_HTTP_SMUGGLE_H
#define HABIT_DETECT_THREAT_HTTP_SMUGGLE_H

#include <stdint.h>

/* Whether p starts with an HTTP/1 request line's method and a space. */
int http_request_start(const uint8_t *p, uint32_t cap);
const char *http_smuggling_check(const uint8_t *p, uint32_t cap);

#endif
