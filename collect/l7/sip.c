/* collect/l7/sip.c — SIP over UDP and TCP by its start lines (RFC 3261 §7).
 *
 * Request-Line: Method SP Request-URI SP "SIP/2.0" CRLF, the method one of
 * RFC 3261's and its extensions' (INVITE, REGISTER, OPTIONS, SUBSCRIBE,
 * ...) or, when the whole line is present, any upper-case token; the
 * Request-URI an absolute URI (scheme ":" ...: sip, sips, tel, urn).
 * Status-Line: "SIP/2.0" SP 3DIGIT SP reason. Both sides of a UDP flow may
 * send requests (a phone answers INVITE with 200 and sends BYE later), so
 * a request and a response in opposite directions prove both sides, and so
 * do two requests in opposite directions. Once claimed, keep-alives (CR LF
 * pings, RFC 5626 §4.4.1) and bodies are ours.
 * Facts: verb = the method, object = the Request-URI, software = the
 * User-Agent header of the request, else the Server header of a response
 * (header values only from complete lines of the packet).
 *
 * Confidence: a complete request line 90, one cut before its version with
 * a known method and a sip:/sips:/tel: URI 75, a status line 85; +5 on
 * ports 5060/5061; 100 for both directions.
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_text.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers, in scratch->raw[0]. */
#define SIP_MSG0 0x01u    /* a SIP message came in direction 0 */
#define SIP_MSG1 0x02u    /* ... in direction 1 */
#define SIP_CLAIMED 0x04u /* we said MATCH: the flow is ours */
#define SIP_REQ 0x08u     /* a request's facts are in */
#define SIP_UA 0x10u      /* software came from a User-Agent */

#define SIP_METHOD_MAX 16
#define SIP_URI_MAX 1024

enum { LINE_NO = -1, LINE_UNSURE = 0, LINE_REQ = 1, LINE_RESP = 2 };

static const char *const methods[] = {
    "INVITE", "ACK",     "BYE",     "CANCEL", "REGISTER", "OPTIONS", "PRACK",
    "SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO",  "REFER",    "MESSAGE", "UPDATE"};

#define COUNT(a) (sizeof(a) / sizeof *(a))

struct start {
  size_t method_len, uri_off, uri_len;
  uint16_t status;
  uint8_t conf;
};

static int usual_port(const struct l7_pkt *pkt) {
  return pkt->srv_port == 5060 || pkt->srv_port == 5061 ||
         pkt->cli_port == 5060;
}

static int is_upper(uint8_t c) { return c >= 'A' && c <= 'Z'; }

/* scheme ":" with the scheme 2..10 letters, digits, '+', '-', '.'
 * (RFC 3986 §3.1): *known when it is sip, sips or tel. LINE_UNSURE when
 * the data ends inside it. */
static int uri_scheme(const uint8_t *p, size_t n, int *known) {
  size_t i = 0;
  while (i < n && i <= 10 &&
         (((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z') ||
          (i && ((p[i] >= '0' && p[i] <= '9') || p[i] == '+' || p[i] == '-' ||
                 p[i] == '.'))))
    i++;
  if (i == n)
    return i <= 10 ? LINE_UNSURE : LINE_NO;
  if (i < 2 || i > 10 || p[i] != ':')
    return LINE_NO;
  *known = (i == 3 && (l7_ieq(p, "sip", 3) || l7_ieq(p, "tel", 3))) ||
           (i == 4 && l7_ieq(p, "sips", 4));
  return LINE_REQ;
}

static int request_line(const struct l7_line *l, struct start *st) {
  const uint8_t *p = l->p;
  size_t n = l->len, i = 0;
  while (i < n && i <= SIP_METHOD_MAX && (is_upper(p[i]) || p[i] == '-'))
    i++;
  if (i == n && !l->complete)
    return i <= SIP_METHOD_MAX ? LINE_UNSURE : LINE_NO;
  if (i == 0 || i > SIP_METHOD_MAX || i == n || p[i] != ' ')
    return LINE_NO;
  int known = l7_word_in(p, i, methods, COUNT(methods)) >= 0;
  st->method_len = i;
  st->uri_off = ++i;
  int known_scheme = 0;
  int r = uri_scheme(p + i, n - i, &known_scheme);
  if (r == LINE_NO)
    return LINE_NO;
  if (r == LINE_UNSURE)
    return l->complete ? LINE_NO : LINE_UNSURE;
  while (i < n && p[i] > 0x20 && p[i] != 0x7f)
    i++;
  st->uri_len = i - st->uri_off;
  if (st->uri_len > SIP_URI_MAX)
    return LINE_NO;
  static const char v[] = " SIP/2.0";
  size_t rest = n - i;
  if (!l->complete && rest < sizeof v - 1) {
    /* Cut before the version: a known method and a SIP URI will do. */
    if (memcmp(p + i, v, rest) != 0)
      return LINE_NO;
    st->conf = 75;
    return known && known_scheme ? LINE_REQ : LINE_UNSURE;
  }
  if (rest != sizeof v - 1 || memcmp(p + i, v, rest) != 0)
    return LINE_NO;
  st->conf = 90;
  return LINE_REQ;
}

static int status_line(const struct l7_line *l, struct start *st) {
  static const char v[] = "SIP/2.0 ";
  const uint8_t *p = l->p;
  size_t n = l->len, vl = sizeof v - 1;
  if (n < vl + 3 && !l->complete)
    return memcmp(p, v, n < vl ? n : vl) == 0 ? LINE_UNSURE : LINE_NO;
  if (n < vl + 3 || memcmp(p, v, vl) != 0)
    return LINE_NO;
  unsigned code = 0;
  for (size_t i = vl; i < vl + 3; i++) {
    if (p[i] < '0' || p[i] > '9')
      return LINE_NO;
    code = code * 10 + (unsigned)(p[i] - '0');
  }
  if (code < 100 || code > 699 || (n > vl + 3 && p[vl + 3] != ' '))
    return LINE_NO;
  st->status = (uint16_t)code;
  st->conf = 85;
  return LINE_RESP;
}

/* User-Agent or Server from the complete header lines after the start
 * line, up to the blank line. */
static void scan_headers(const uint8_t *p, size_t n, size_t off, int request,
                         uint8_t *s, struct l7_facts *facts) {
  struct l7_line h;
  for (l7_line_at(p, n, off, &h); h.complete && h.len;
       l7_line_at(p, n, h.next, &h)) {
    const uint8_t *colon = memchr(h.p, ':', h.len);
    if (!colon)
      continue;
    size_t nl = (size_t)(colon - h.p);
    while (nl && (h.p[nl - 1] == ' ' || h.p[nl - 1] == '\t'))
      nl--;
    int ua = request && nl == 10 && l7_ieq(h.p, "user-agent", 10);
    int srv = !request && nl == 6 && l7_ieq(h.p, "server", 6);
    if ((ua && !(*s & SIP_UA)) || (srv && !facts->u.gen.software[0])) {
      l7_copy_rest(facts->u.gen.software, sizeof facts->u.gen.software, &h,
                   (size_t)(colon - h.p) + 1);
      if (ua)
        *s |= SIP_UA;
    }
  }
}

static int ours(const struct l7_pkt *pkt, uint8_t *s, uint8_t base,
                const struct l7_facts *facts, uint8_t *confidence) {
  *s |= SIP_CLAIMED;
  if ((*s & SIP_MSG0) && (*s & SIP_MSG1)) {
    *confidence = 100;
    /* Follow until the request and some software are known. */
    return (*s & SIP_REQ) && facts->u.gen.software[0] ? L7_DONE : L7_MATCH;
  }
  if (*confidence < base)
    *confidence = l7_conf(base, usual_port(pkt));
  return L7_MATCH;
}

static int on_message(const struct l7_pkt *pkt, uint8_t *s, int kind,
                      const struct l7_line *l, const struct start *st,
                      struct l7_facts *facts, uint8_t *confidence) {
  *s |= (pkt->dir & 1) ? SIP_MSG1 : SIP_MSG0;
  if (kind == LINE_REQ && !(*s & SIP_REQ)) {
    *s |= SIP_REQ;
    l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb, l->p, st->method_len);
    l7_copy(facts->u.gen.object, sizeof facts->u.gen.object, l->p + st->uri_off,
            st->uri_len);
  }
  if (l->complete && (kind == LINE_REQ || !(*s & SIP_UA)))
    scan_headers(pkt->data, pkt->len, l->next, kind == LINE_REQ, s, facts);
  return ours(pkt, s, st->conf, facts, confidence);
}

int l7_probe_sip(const struct l7_pkt *pkt, union l7_scratch *scratch,
                 struct l7_facts *facts, uint8_t *confidence) {
  if ((pkt->proto != L7_IP_TCP && pkt->proto != L7_IP_UDP) || pkt->len == 0)
    return L7_NO;
  uint8_t *s = &scratch->raw[0];
  struct l7_line l;
  struct start st = {0};
  int kind = LINE_NO;
  if (l7_first_line(pkt->data, pkt->len, &l)) {
    kind = status_line(&l, &st);
    if (kind == LINE_NO)
      kind = request_line(&l, &st);
  }
  if (kind == LINE_REQ || kind == LINE_RESP)
    return on_message(pkt, s, kind, &l, &st, facts, confidence);
  if (*s & SIP_CLAIMED)
    return ours(pkt, s, 75, facts, confidence); /* bodies, keep-alives */
  return kind == LINE_UNSURE ? L7_MORE : L7_NO;
}
