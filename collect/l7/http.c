/* collect/l7/http.c — HTTP/1.x by its request and status lines.
 *
 * Request line: METHOD SP request-target SP HTTP/1.0|1.1 CRLF (RFC 9112 §3),
 * with a method from the known list, or any upper-case token when the whole
 * line is present. Status line: HTTP/1.x SP 3DIGIT (the "HTTP" compared
 * without case: some servers answer "http/1.1"). Facts: method, target,
 * Host and User-Agent (header names without case; values only from complete
 * lines, so that a header cut by the snap length never yields a wrong host),
 * and the final status code.
 *
 * Confidence: a request 90, a request line cut before its end 75, an unknown
 * method 80, a known method with a malformed rest of line 50, a response
 * without a request (capture started mid-flow) 80; +5 on ports 80/8080;
 * 100 once a request and its response are both seen (90 when the request
 * was malformed); 60 when the request was HTTP but the answer is not.
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers, as bits of scratch->http.saw_request. */
#define HTTP_REQ 0x01u      /* a request line was seen */
#define HTTP_REQ_DIR1 0x02u /* ... in direction 1 */
#define HTTP_RESP 0x04u     /* a status line was seen */
#define HTTP_RESP_DIR1 0x08u
#define HTTP_FINAL 0x10u    /* the status seen is final (not 1xx) */
#define HTTP_REQ_BAD 0x20u  /* the request line was malformed */
#define HTTP_HDRS 0x40u     /* the request's headers go on in the next segment */
#define HTTP_HDRS_MID 0x80u /* ... and that segment starts inside a line */

#define HTTP_METHOD_MAX 15 /* longest token taken as a method */

enum { LINE_NO = -1, LINE_UNSURE = 0, LINE_YES = 1 };

struct req_line {
  size_t method_len;
  size_t target_off, target_len;
  size_t end;     /* offset after the line's LF; 0 when the line is cut */
  uint8_t conf;
};

static int is_known_method(const uint8_t *m, size_t n) {
  static const char *const known[] = {
      "GET",   "POST",     "PUT",       "DELETE", "HEAD",  "OPTIONS",
      "PATCH", "CONNECT",  "TRACE",     "PROPFIND", "PROPPATCH", "MKCOL",
      "COPY",  "MOVE",     "LOCK",      "UNLOCK", "SEARCH", "REPORT"};
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (strlen(known[i]) == n && memcmp(known[i], m, n) == 0)
      return 1;
  return 0;
}

static int is_token_char(uint8_t c) {
  return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

/* Bytes allowed in a request target: visible ASCII and, leniently, the
 * UTF-8 some clients send unencoded. */
static int is_target_char(uint8_t c) { return c > 0x20 && c != 0x7f; }

/* Does p[0..n) match the start of lit (n may be shorter than lit)? */
static int prefix_of(const uint8_t *p, size_t n, const char *lit) {
  size_t l = strlen(lit);
  return memcmp(p, lit, n < l ? n : l) == 0;
}

/* " HTTP/1.0" or " HTTP/1.1" then CRLF or LF at p[i]. LINE_UNSURE when the
 * data ends inside a prefix of it. Sets *end past the LF. */
static int version_tail(const uint8_t *p, size_t n, size_t i, size_t *end) {
  static const char v[] = " HTTP/1.";
  size_t vl = sizeof v - 1;
  if (n - i < vl)
    return prefix_of(p + i, n - i, v) ? LINE_UNSURE : LINE_NO;
  if (memcmp(p + i, v, vl) != 0)
    return LINE_NO;
  i += vl;
  if (i == n)
    return LINE_UNSURE;
  if (p[i] != '0' && p[i] != '1')
    return LINE_NO;
  i++;
  if (i < n && p[i] == '\r')
    i++;
  if (i == n)
    return LINE_UNSURE;
  if (p[i] != '\n')
    return LINE_NO;
  *end = i + 1;
  return LINE_YES;
}

/* A known method and a space, then a line that is not quite right
 * ("GET /HTTP/1.1", "CONNECT host:25 / HTTP/1.0"): an HTTP client, broken
 * or probing. Taken with a low confidence; the answer will tell. */
static int malformed(const uint8_t *p, size_t n, size_t i,
                     struct req_line *rl) {
  const uint8_t *lf = memchr(p + i, '\n', n - i);
  /* Other protocols borrow HTTP's methods (SIP and RTSP OPTIONS): their
   * request line names their own version, and they are not broken HTTP. */
  if (lf) {
    size_t e = (size_t)(lf - p);
    if (e > 0 && p[e - 1] == '\r')
      e--;
    if ((e >= 8 && memcmp(p + e - 8, " SIP/2.0", 8) == 0) ||
        (e >= 9 && memcmp(p + e - 9, " RTSP/1.0", 9) == 0))
      return LINE_NO;
  }
  rl->end = lf ? (size_t)(lf - p) + 1 : 0;
  rl->conf = 50;
  return LINE_YES;
}

/* Parse a request line at the start of p. LINE_UNSURE: too little data to
 * tell (or a line cut short with an unknown method). */
static int request_line(const uint8_t *p, size_t n, struct req_line *rl) {
  size_t i = 0;
  while (i < n && i <= HTTP_METHOD_MAX && is_token_char(p[i]))
    i++;
  if (i == n)
    return i <= HTTP_METHOD_MAX ? LINE_UNSURE : LINE_NO;
  if (i == 0 || i > HTTP_METHOD_MAX)
    return LINE_NO;
  int known = is_known_method(p, i);
  if (p[i] != ' ')
    return known ? LINE_UNSURE : LINE_NO; /* "GET/": let the answer decide */
  rl->method_len = i;
  rl->target_off = ++i;
  while (i < n && is_target_char(p[i]))
    i++;
  rl->target_len = i - rl->target_off;
  rl->end = 0;
  if (i == n) {
    /* Cut inside the target (long URL, snap length): fine for a known
     * method, too weak a sign for an unknown one. */
    rl->conf = 75;
    return known && rl->target_len ? LINE_YES : LINE_UNSURE;
  }
  int v = rl->target_len ? version_tail(p, n, i, &rl->end) : LINE_NO;
  if (v == LINE_NO)
    return known ? malformed(p, n, i, rl) : LINE_NO;
  if (v == LINE_UNSURE) {
    rl->conf = 75;
    return known ? LINE_YES : LINE_UNSURE;
  }
  rl->conf = known ? 90 : 80;
  return LINE_YES;
}

/* "HTTP/1.x NNN" at the start of p; the status is stored in *status. */
static int status_line(const uint8_t *p, size_t n, uint16_t *status) {
  static const char v[] = "http/1.";
  size_t vl = sizeof v - 1;
  size_t k = n < vl ? n : vl;
  if (!l7_ieq(p, v, k))
    return LINE_NO;
  if (n < vl + 5)
    return LINE_UNSURE; /* "HTTP/1.1 20" cut: can't tell yet */
  if ((p[7] != '0' && p[7] != '1') || p[8] != ' ')
    return LINE_NO;
  unsigned code = 0;
  for (size_t i = 9; i < 12; i++) {
    if (p[i] < '0' || p[i] > '9')
      return LINE_NO;
    code = code * 10 + (unsigned)(p[i] - '0');
  }
  if (n > 12 && p[12] != ' ' && p[12] != '\r' && p[12] != '\n')
    return LINE_NO;
  if (code < 100 || code > 599)
    return LINE_NO;
  *status = (uint16_t)code;
  return LINE_YES;
}

/* Copy the value of a header line (after the colon) without the blanks
 * around it. */
static void header_value(char *dst, size_t cap, const uint8_t *v, size_t n) {
  while (n && (*v == ' ' || *v == '\t'))
    v++, n--;
  while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
    n--;
  l7_copy(dst, cap, v, n);
}

/* Scan complete header lines from p[i] for Host and User-Agent. Returns
 * where the headers stand at the end of the data: ended by the blank line
 * (0), or open, the data ending on a line boundary (HTTP_HDRS) or inside a
 * line (HTTP_HDRS | HTTP_HDRS_MID). */
static uint8_t scan_headers(const uint8_t *p, size_t n, size_t i,
                            struct l7_facts *facts) {
  while (i < n) {
    const uint8_t *lf = memchr(p + i, '\n', n - i);
    if (!lf)
      return HTTP_HDRS | HTTP_HDRS_MID; /* a cut line is not trusted */
    size_t end = (size_t)(lf - p), len = end - i;
    if (len && p[end - 1] == '\r')
      len--;
    if (len == 0)
      return 0; /* blank line: end of headers */
    const uint8_t *line = p + i;
    const uint8_t *colon = memchr(line, ':', len);
    if (colon) {
      size_t nl = (size_t)(colon - line), vl = len - nl - 1;
      if (nl == 4 && l7_ieq(line, "host", 4) && !facts->u.http.host[0])
        header_value(facts->u.http.host, sizeof facts->u.http.host, colon + 1, vl);
      else if (nl == 10 && l7_ieq(line, "user-agent", 10) &&
               !facts->u.http.user_agent[0])
        header_value(facts->u.http.user_agent,
                     sizeof facts->u.http.user_agent, colon + 1, vl);
    }
    i = end + 1;
  }
  return HTTP_HDRS;
}

/* The next segment of a request whose headers did not fit in the first
 * (some clients send the request line alone). A segment that starts inside
 * a line skips to the next one: half a header name could match another. */
static void more_headers(const uint8_t *p, size_t n, uint8_t *st,
                         struct l7_facts *facts) {
  size_t i = 0;
  if (*st & HTTP_HDRS_MID) {
    const uint8_t *lf = memchr(p, '\n', n);
    i = lf ? (size_t)(lf - p) + 1 : n;
  }
  *st &= (uint8_t)~(HTTP_HDRS | HTTP_HDRS_MID);
  *st |= scan_headers(p, n, i, facts);
}

static int usual_port(const struct l7_pkt *pkt) {
  return pkt->srv_port == 80 || pkt->srv_port == 8080;
}

static uint8_t dir_bit(const struct l7_pkt *pkt, uint8_t bit1) {
  return (pkt->dir & 1) ? bit1 : 0;
}

static int on_request(const struct l7_pkt *pkt, uint8_t *st,
                      struct l7_facts *facts, const struct req_line *rl,
                      uint8_t *confidence) {
  if (*st & HTTP_REQ) {
    l7_conf_floor(confidence, 75); /* pipelined or next request */
    return L7_MATCH;
  }
  *st |= (uint8_t)(HTTP_REQ | dir_bit(pkt, HTTP_REQ_DIR1));
  if (rl->conf < 75)
    *st |= HTTP_REQ_BAD;
  l7_copy(facts->u.http.method, sizeof facts->u.http.method, pkt->data,
          rl->method_len);
  l7_copy(facts->u.http.path, sizeof facts->u.http.path,
          pkt->data + rl->target_off, rl->target_len);
  if (rl->end)
    *st |= scan_headers(pkt->data, pkt->len, rl->end, facts);
  if (*st & HTTP_RESP) {
    /* A response came first (mid-flow capture) and now a request: both
     * directions speak HTTP. */
    *confidence = 100;
    return L7_DONE;
  }
  *confidence = l7_conf(rl->conf, usual_port(pkt));
  return L7_MATCH;
}

/* A 1xx interim response may share its packet with the final one. */
static uint16_t final_status(const uint8_t *p, size_t n, uint16_t status) {
  for (int hops = 0; hops < 4 && status >= 100 && status < 200 && status != 101;
       hops++) {
    const uint8_t *blank = memmem(p, n, "\r\n\r\n", 4);
    if (!blank)
      break;
    size_t skip = (size_t)(blank - p) + 4;
    p += skip;
    n -= skip;
    uint16_t next = 0;
    if (status_line(p, n, &next) != LINE_YES)
      break;
    status = next;
  }
  return status;
}

static int on_response(const struct l7_pkt *pkt, uint8_t *st,
                       struct l7_facts *facts, uint16_t status,
                       uint8_t *confidence) {
  int req = (*st & HTTP_REQ) != 0;
  int same_dir = req && ((*st & HTTP_REQ_DIR1) != 0) == ((pkt->dir & 1) != 0);
  if (*st & HTTP_FINAL || same_dir) {
    l7_conf_floor(confidence, 75);
    return L7_MATCH;
  }
  status = final_status(pkt->data, pkt->len, status);
  *st |= (uint8_t)(HTTP_RESP | dir_bit(pkt, HTTP_RESP_DIR1));
  facts->u.http.status = status;
  int interim = status < 200 && status != 101;
  if (!interim)
    *st |= HTTP_FINAL;
  if (req) {
    /* A malformed request that a server answered in HTTP is still HTTP. */
    *confidence = (*st & HTTP_REQ_BAD) ? 90 : interim ? 95 : 100;
    return interim ? L7_MATCH : L7_DONE;
  }
  *confidence = l7_conf(80, usual_port(pkt));
  return L7_MATCH;
}

/* A packet that starts with neither line: a body, a continuation, or a
 * peer that does not speak HTTP. */
static int on_other(const struct l7_pkt *pkt, uint8_t *st, int unsure,
                    struct l7_facts *facts, uint8_t *confidence) {
  if (*st == 0)
    return unsure ? L7_MORE : L7_NO;
  if (!(*st & HTTP_REQ) || (*st & HTTP_RESP)) {
    l7_conf_floor(confidence, 75); /* body of a message already seen */
    return L7_MATCH;
  }
  int req_dir1 = (*st & HTTP_REQ_DIR1) != 0;
  if (req_dir1 == ((pkt->dir & 1) != 0)) {
    if (*st & HTTP_HDRS)
      more_headers(pkt->data, pkt->len, st, facts);
    l7_conf_floor(confidence, 75); /* rest of the request */
    return L7_MATCH;
  }
  if (unsure) {
    l7_conf_floor(confidence, 75); /* a tiny segment of the answer */
    return L7_MATCH;
  }
  /* The request was HTTP, the answer is not (an HTTP client talking to an
   * SSH or TLS server): keep the claim, say so in the confidence. */
  *confidence = 60;
  return L7_DONE;
}

int l7_probe_http(const struct l7_pkt *pkt, union l7_scratch *scratch,
                  struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_TCP || pkt->len == 0)
    return L7_NO;
  uint8_t *st = &scratch->http.saw_request;
  struct req_line rl;
  int r = request_line(pkt->data, pkt->len, &rl);
  if (r == LINE_YES)
    return on_request(pkt, st, facts, &rl, confidence);
  uint16_t status = 0;
  int s = status_line(pkt->data, pkt->len, &status);
  if (s == LINE_YES)
    return on_response(pkt, st, facts, status, confidence);
  return on_other(pkt, st, r == LINE_UNSURE || s == LINE_UNSURE, facts,
                  confidence);
}
