/* collect/l7/ssh.c — SSH by its identification lines (RFC 4253 §4.2).
 *
 * "SSH-protoversion-softwareversion [comments]" CR LF, protoversion 2.0,
 * 1.99 (a 2.0 server that also speaks 1.x) or 1.x. Either side may speak
 * first (servers usually do), and a server — direction 1 — may send other
 * text lines before its banner, so its packets of text lines are scanned
 * for one that starts with "SSH-". A banner cut before its CR LF is taken
 * as far as it goes.
 * Facts: the whole banner line without CR LF (protoversion included: an
 * "SSH-1.5" peer is worth knowing), cut to 63 bytes, as the client's when it
 * comes in direction 0 and the server's in direction 1.
 *
 * Confidence: one banner 90 (+5 on port 22); both banners 100; 70 when one
 * side sent a banner and the other answered with something else.
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers, as bits of scratch->ssh.saw_client. */
#define SSH_BANNER0 0x01u /* a banner came in direction 0 */
#define SSH_BANNER1 0x02u /* ... in direction 1 */

#define SSH_MAX_LINE 255 /* RFC 4253 §4.2, CR LF included */

enum { P_BAD = -1, P_CUT = 0, P_OK = 1, P_TEXT = 2 };

/* Text a banner or a pre-banner line may hold. */
static int is_text(uint8_t c) { return (c >= 0x20 && c < 0x7f) || c == '\t'; }

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* Does p[0..n) (a whole line or a line cut by the capture) start with a
 * valid "SSH-x.y-z"? P_CUT when it is a prefix of one. */
static int banner_head(const uint8_t *p, size_t n) {
  static const char magic[] = "SSH-";
  if (n < 4)
    return memcmp(p, magic, n) == 0 ? P_CUT : P_BAD;
  if (memcmp(p, magic, 4) != 0)
    return P_BAD;
  size_t i = 4;
  if (i == n)
    return P_CUT;
  if (p[i] != '1' && p[i] != '2')
    return P_BAD;
  if (++i == n)
    return P_CUT;
  if (p[i++] != '.')
    return P_BAD;
  size_t minor = i;
  while (i < n && i - minor < 3 && is_digit(p[i]))
    i++;
  if (i == n)
    return P_CUT;
  if (i == minor || p[i] != '-')
    return P_BAD;
  if (++i == n)
    return P_CUT;
  return is_text(p[i]) && p[i] != ' ' ? P_OK : P_BAD;
}

/* Length of the line at p (up to LF, or n when there is none), and of its
 * text without CR LF. */
static size_t line_end(const uint8_t *p, size_t n, size_t *text_len) {
  const uint8_t *lf = memchr(p, '\n', n);
  size_t end = lf ? (size_t)(lf - p) + 1 : n;
  size_t t = lf ? end - 1 : n;
  if (t && p[t - 1] == '\r')
    t--;
  *text_len = t;
  return end;
}

static int line_is_text(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!is_text(p[i]))
      return 0;
  return 1;
}

/* Find the banner in a packet: at its start, or after lines of text.
 * P_CUT: the packet is the start of a banner cut short; P_TEXT: lines of
 * text without one (a server's banner could still come). */
static int find_banner(const uint8_t *p, size_t n, const uint8_t **line,
                       size_t *line_len) {
  size_t i = 0;
  while (i < n) {
    size_t text = 0, end = line_end(p + i, n - i, &text);
    if (text > SSH_MAX_LINE || !line_is_text(p + i, text))
      return P_BAD;
    int r = banner_head(p + i, text);
    if (r == P_OK) {
      *line = p + i;
      *line_len = text;
      return P_OK;
    }
    if (r == P_CUT && i == 0 && end == n)
      return P_CUT;
    i += end;
  }
  return P_TEXT;
}

static int usual_port(const struct l7_pkt *pkt) { return pkt->srv_port == 22; }

static int on_banner(const struct l7_pkt *pkt, uint8_t *st,
                     struct l7_facts *facts, const uint8_t *line, size_t len,
                     uint8_t *confidence) {
  int dir1 = pkt->dir & 1;
  uint8_t bit = dir1 ? SSH_BANNER1 : SSH_BANNER0;
  if (!(*st & bit)) {
    *st |= bit;
    if (dir1)
      l7_copy(facts->u.ssh.server, sizeof facts->u.ssh.server, line, len);
    else
      l7_copy(facts->u.ssh.client, sizeof facts->u.ssh.client, line, len);
  }
  if (*st == (SSH_BANNER0 | SSH_BANNER1)) {
    *confidence = 100;
    return L7_DONE;
  }
  *confidence = l7_conf(90, usual_port(pkt));
  return L7_MATCH;
}

int l7_probe_ssh(const struct l7_pkt *pkt, union l7_scratch *scratch,
                 struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_TCP || pkt->len == 0)
    return L7_NO;
  uint8_t *st = &scratch->ssh.saw_client;
  const uint8_t *line = NULL;
  size_t len = 0;
  int r = find_banner(pkt->data, pkt->len, &line, &len);
  if (r == P_OK)
    return on_banner(pkt, st, facts, line, len, confidence);
  uint8_t bit = (pkt->dir & 1) ? SSH_BANNER1 : SSH_BANNER0;
  /* Only a server may send lines before its banner: text from the client
   * side without one is another protocol (and ends a useless scan of every
   * SMTP or FTP command). */
  if (r == P_TEXT)
    r = bit == SSH_BANNER1 ? P_CUT : P_BAD;
  if (*st == 0)
    return r == P_CUT ? L7_MORE : L7_NO;
  if ((*st & bit) || r == P_CUT) {
    /* Binary packets after our banner, or text the server sends before
     * its own banner: nothing new. */
    l7_conf_floor(confidence, 70);
    return L7_MATCH;
  }
  /* One side sent a banner, the other answers in another protocol. */
  *confidence = 70;
  return L7_DONE;
}
