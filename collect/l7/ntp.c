/* collect/l7/ntp.c — NTP over UDP (RFC 5905; control messages RFC 1305
 * appendix B / RFC 9327; ntpd's private mode 7). A weak probe: a 48-byte
 * header has little that random bytes cannot have, so it is asked after
 * every strong one, and a reply that echoes the request's transmit time
 * (RFC 5905 §8: the origin timestamp) is what makes it sure.
 *
 * Modes 1..5 (symmetric active/passive, client, server, broadcast): VN
 * 1..4, 48 bytes of header, then nothing, a MAC (key id and a 16- or
 * 20-byte digest: 68 or 72 bytes), a crypto-NAK (52), or NTPv4 extension
 * fields (a multiple of 4, at most 1024 bytes in all); stratum 0..16; poll
 * 0..17; precision -32..0 (a client's SNTP request may leave stratum, poll
 * and precision all 0); root delay and root dispersion under 16 s
 * (MAXDISP); a server's reply has a transmit timestamp. Mode 6
 * (control): a 12-byte header whose count fits the datagram, opcode 1..31.
 * Mode 7 (private): an 8-byte header, implementation 0, 2 or 3, request
 * code under 64 and an item size that fits. Anything else gives up.
 * Facts: verb = the mode's name (client, server, symmetric-active,
 * symmetric-passive, broadcast, control, private), object = the reference
 * id of a server's reply (four ASCII letters for stratum 0/1 — a kiss code
 * or a clock source like GPS —, a dotted IPv4 address above),
 * software = "NTPv<VN>".
 *
 * Confidence: one well-formed packet 70, a reply to a request whose origin
 * does not match 80, +5 on port 123; 100 for a server reply whose origin
 * timestamp is the client's transmit timestamp.
 */
#include <stdio.h>
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers: flags in scratch->raw[0] and the first three
 * bytes of the client's transmit timestamp's fraction in raw[1..3]. */
#define NTP_REQ 0x01u      /* a client (mode 3) or active (mode 1) packet */
#define NTP_REQ_DIR1 0x02u /* ... in direction 1 */
#define NTP_REPLY 0x04u    /* the reply that matched it */
#define NTP_CLAIMED 0x08u  /* we said MATCH: the flow is ours */

#define NTP_HDR 48
#define NTP_MAX_EXT 1024

enum { MODE_SYM_ACTIVE = 1, MODE_SYM_PASSIVE, MODE_CLIENT, MODE_SERVER,
       MODE_BROADCAST, MODE_CONTROL, MODE_PRIVATE };

static const char *const mode_names[8] = {
    "reserved", "symmetric-active", "symmetric-passive", "client",
    "server",   "broadcast",        "control",           "private"};

static int all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i])
      return 0;
  return 1;
}

/* What may follow the 48-byte header. */
static int tail_ok(size_t n, unsigned vn) {
  size_t t = n - NTP_HDR;
  if (t == 0 || t == 4 || t == 20 || t == 24)
    return 1;
  return vn == 4 && t % 4 == 0 && t <= NTP_MAX_EXT;
}

static int header_ok(const uint8_t *p, size_t n, unsigned vn, unsigned mode) {
  if (n < NTP_HDR || !tail_ok(n, vn))
    return 0;
  unsigned stratum = p[1], poll = p[2];
  int8_t precision = (int8_t)p[3];
  /* SNTP requests (RFC 4330 §5) may leave all three fields at 0. */
  if (stratum > 16 || poll > 17 || precision > 0 || precision < -32)
    return 0;
  /* Root delay and root dispersion (16.16 seconds) under MAXDISP, 16 s
   * (§7.3, appendix A.1.1); NTPv3's delay is signed. */
  unsigned delay = l7_be16(p + 4), disp = l7_be16(p + 8);
  if ((delay >= 16 && delay < 0xfff0) || disp >= 16)
    return 0;
  if (mode == MODE_SERVER || mode == MODE_BROADCAST)
    return !all_zero(p + 40, 8); /* a reply says when it was sent */
  return 1;
}

/* Mode 6: LI/VN/mode, R/E/M/opcode, sequence, status, association id,
 * offset, count, then count bytes of data (padded to 4, maybe a MAC). */
static int control_ok(const uint8_t *p, size_t n) {
  if (n < 12)
    return 0;
  unsigned op = p[1] & 0x1f, count = l7_be16(p + 10);
  if (op == 0 || count > 468 || 12u + count > n)
    return 0;
  return n - 12 - count <= 3 + 24; /* padding and an optional MAC */
}

/* Mode 7: R/M/VN/mode, A/sequence, implementation, request code, then
 * err/nitems and mbz/itemsize. */
static int private_ok(const uint8_t *p, size_t n) {
  if (n < 8)
    return 0;
  unsigned impl = p[2], code = p[3];
  unsigned nitems = l7_be16(p + 4) & 0x0fff, size = l7_be16(p + 6) & 0x0fff;
  if ((impl != 0 && impl != 2 && impl != 3) || code >= 64)
    return 0;
  return (size_t)nitems * size <= n - 8;
}

static void reply_facts(const uint8_t *p, unsigned vn, struct l7_facts *facts) {
  unsigned stratum = p[1];
  const uint8_t *ref = p + 12;
  if (stratum <= 1) {
    size_t k = 0;
    while (k < 4 && ref[k] >= 0x20 && ref[k] < 0x7f)
      k++;
    l7_copy(facts->u.gen.object, sizeof facts->u.gen.object, ref, k);
  } else if (vn <= 4) {
    snprintf(facts->u.gen.object, sizeof facts->u.gen.object, "%u.%u.%u.%u",
             ref[0], ref[1], ref[2], ref[3]);
  }
}

static int usual_port(const struct l7_pkt *pkt) { return pkt->srv_port == 123; }

int l7_probe_ntp(const struct l7_pkt *pkt, union l7_scratch *scratch,
                 struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_UDP || pkt->len == 0)
    return L7_NO;
  uint8_t *s = scratch->raw;
  const uint8_t *p = pkt->data;
  size_t n = pkt->len;
  unsigned vn = (p[0] >> 3) & 7, mode = p[0] & 7;
  int ok = vn >= 1 && vn <= 4 && mode != 0;
  if (ok && mode <= MODE_BROADCAST)
    ok = header_ok(p, n, vn, mode);
  else if (ok && mode == MODE_CONTROL)
    ok = vn >= 2 && control_ok(p, n);
  else if (ok)
    ok = vn >= 2 && private_ok(p, n);
  if (!ok) {
    if (!(s[0] & NTP_CLAIMED))
      return L7_NO;
    l7_conf_floor(confidence, 70);
    return L7_MATCH;
  }
  int dir1 = pkt->dir & 1;
  uint8_t base = 70;
  if (!facts->u.gen.verb[0]) {
    l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb,
            (const uint8_t *)mode_names[mode], strlen(mode_names[mode]));
    char v[8] = "NTPv0";
    v[4] = (char)('0' + vn);
    l7_copy(facts->u.gen.software, sizeof facts->u.gen.software,
            (const uint8_t *)v, 5);
  }
  if ((mode == MODE_CLIENT || mode == MODE_SYM_ACTIVE) && !(s[0] & NTP_REQ)) {
    s[0] |= (uint8_t)(NTP_REQ | (dir1 ? NTP_REQ_DIR1 : 0));
    memcpy(s + 1, p + 44, 3); /* transmit timestamp, fraction */
  } else if ((mode == MODE_SERVER || mode == MODE_SYM_PASSIVE) &&
             (s[0] & NTP_REQ) && ((s[0] & NTP_REQ_DIR1) != 0) != (dir1 != 0)) {
    if (!facts->u.gen.object[0])
      reply_facts(p, vn, facts);
    /* The reply's origin timestamp is the request's transmit timestamp. */
    if (memcmp(p + 28, s + 1, 3) == 0) {
      s[0] |= NTP_REPLY | NTP_CLAIMED;
      *confidence = 100;
      return L7_DONE;
    }
    base = 80;
  } else if (mode == MODE_SERVER && !facts->u.gen.object[0]) {
    reply_facts(p, vn, facts);
  }
  s[0] |= NTP_CLAIMED;
  l7_conf_floor(confidence, l7_conf(base, usual_port(pkt)));
  return L7_MATCH;
}
