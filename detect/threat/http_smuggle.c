#include "detect/threat/http_smuggle.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

int http_request_start(const uint8_t *p, uint32_t cap) {
  static const char *const methods[] = {"GET ", "POST ", "PUT ", "HEAD ", "DELETE ",
                                        "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "};
  for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
    size_t n = strlen(methods[i]);
    if (cap >= n && memcmp(p, methods[i], n) == 0)
      return 1;
  }
  return 0;
}

struct line {
  const uint8_t *s;
  uint32_t n;       /* without CR LF */
  int complete;     /* ended by LF, not by the end of the capture */
};

/* Next line from *pos; 0 at the end of the captured bytes. */
static int next_line(const uint8_t *p, uint32_t cap, uint32_t *pos, struct line *l) {
  if (*pos >= cap)
    return 0;
  const uint8_t *start = p + *pos;
  const uint8_t *nl = memchr(start, '\n', cap - *pos);
  uint32_t n = nl ? (uint32_t)(nl - start) : cap - *pos;
  *pos += n + (nl ? 1 : 0);
  if (n && start[n - 1] == '\r')
    n--;
  l->s = start;
  l->n = n;
  l->complete = nl != NULL;
  return 1;
}

/* Header name of a line: up to the colon. *gap: whitespace before it. */
static int header_is(const struct line *l, const char *name, int *gap) {
  size_t k = strlen(name);
  if (l->n < k || strncasecmp((const char *)l->s, name, k) != 0)
    return 0;
  uint32_t i = (uint32_t)k;
  while (i < l->n && (l->s[i] == ' ' || l->s[i] == '\t'))
    i++;
  if (i >= l->n || l->s[i] != ':')
    return 0;
  *gap = i > k;
  return 1;
}

static void value_of(const struct line *l, const uint8_t **v, uint32_t *n) {
  const uint8_t *c = memchr(l->s, ':', l->n);
  uint32_t i = (uint32_t)(c - l->s) + 1;
  while (i < l->n && (l->s[i] == ' ' || l->s[i] == '\t'))
    i++;
  uint32_t end = l->n;
  while (end > i && (l->s[end - 1] == ' ' || l->s[end - 1] == '\t'))
    end--;
  *v = l->s + i;
  *n = end - i;
}

static int plain_number(const uint8_t *v, uint32_t n) {
  if (n == 0 || n > 18)
    return 0;
  for (uint32_t i = 0; i < n; i++)
    if (v[i] < '0' || v[i] > '9')
      return 0;
  return 1;
}

/* "chunked", or a comma list whose last coding is "chunked" ("gzip
 * chunked", without the comma, is one unknown coding). */
static int te_is_chunked(const uint8_t *v, uint32_t n) {
  if (n < 7 || strncasecmp((const char *)v + n - 7, "chunked", 7) != 0)
    return 0;
  uint32_t i = n - 7;
  while (i > 0 && (v[i - 1] == ' ' || v[i - 1] == '\t'))
    i--;
  return i == 0 || v[i - 1] == ',';
}

const char *http_smuggling_check(const uint8_t *p, uint32_t cap) {
  uint32_t pos = 0;
  struct line l;
  if (!next_line(p, cap, &pos, &l)) /* the request line */
    return NULL;
  int cl = 0, te = 0, prev_framing = 0;
  const uint8_t *clv = NULL;
  uint32_t cln = 0;
  while (next_line(p, cap, &pos, &l) && l.n > 0) {
    int gap = 0;
    if (!l.complete)
      break; /* cut by the capture: its value may go on ("chunked", "1234") */
    if ((l.s[0] == ' ' || l.s[0] == '\t') && prev_framing)
      return "a Content-Length or Transfer-Encoding header folded onto a continuation line";
    prev_framing = 0;
    if (header_is(&l, "content-length", &gap)) {
      if (gap)
        return "whitespace before the colon of Content-Length";
      const uint8_t *v;
      uint32_t n;
      value_of(&l, &v, &n);
      if (!plain_number(v, n))
        return "a Content-Length that is not a plain number";
      if (cl && (n != cln || memcmp(v, clv, n) != 0))
        return "two Content-Length headers that differ";
      cl = 1;
      clv = v;
      cln = n;
      prev_framing = 1;
    } else if (header_is(&l, "transfer-encoding", &gap)) {
      if (gap)
        return "whitespace before the colon of Transfer-Encoding";
      const uint8_t *v;
      uint32_t n;
      value_of(&l, &v, &n);
      if (!te_is_chunked(v, n))
        return "a Transfer-Encoding that does not end in chunked";
      te = 1;
      prev_framing = 1;
    }
  }
  if (cl && te)
    return "both Content-Length and Transfer-Encoding";
  return NULL;
}
