/* collect/l7/dhcp.c — DHCP (and plain BOOTP with the DHCP magic cookie)
 * over UDP (RFC 2131 §2, RFC 951, options RFC 2132). A weak probe: asked
 * after every strong one, though its checks are many.
 *
 * The fixed part: op 1 (BOOTREQUEST) or 2 (BOOTREPLY), htype 1..32 with an
 * hlen that fits chaddr (6 for Ethernet), hops at most 16, flags with only
 * the broadcast bit (RFC 2131 §2: the others must be zero), 236 bytes in
 * all; then the magic cookie 99.130.83.99 and options: pad, end, or code,
 * length and that many bytes, inside the datagram. Option 53 (DHCP
 * message type, one byte: 1 DISCOVER .. 8 INFORM, and RFC 4388/6926/3203's
 * up to 18) must be consistent with op: a client's types in a request, a
 * server's in a reply. A request and a reply in opposite directions with
 * the same xid prove both sides.
 * Facts: verb = the message type's name (DISCOVER, OFFER, REQUEST, ACK,
 * ...; BOOTREQUEST/BOOTREPLY without option 53), object = the host name
 * (option 12), software = the vendor class (option 60, "MSFT 5.0",
 * "android-dhcp-13").
 *
 * Confidence: a message with option 53 85, without it 70, options cut by
 * the capture -10; +5 on ports 67/68; 100 for request and reply with one
 * xid.
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers: flags in scratch->raw[0], the low three bytes
 * of the request's xid in raw[1..3]. */
#define DHCP_REQ 0x01u      /* a request was seen ... */
#define DHCP_REQ_DIR1 0x02u /* ... in direction 1 */
#define DHCP_CLAIMED 0x04u  /* we said MATCH: the flow is ours */

#define BOOTP_FIXED 236
#define DHCP_COOKIE_END (BOOTP_FIXED + 4)

enum { OPT_PAD = 0, OPT_HOSTNAME = 12, OPT_MSGTYPE = 53, OPT_VENDOR = 60,
       OPT_END = 255 };

static const char *const type_names[] = {
    NULL,         "DISCOVER",     "OFFER",         "REQUEST",
    "DECLINE",    "ACK",          "NAK",           "RELEASE",
    "INFORM",     "FORCERENEW",   "LEASEQUERY",    "LEASEUNASSIGNED",
    "LEASEUNKNOWN", "LEASEACTIVE", "BULKLEASEQUERY", "LEASEQUERYDONE",
    "ACTIVELEASEQUERY", "LEASEQUERYSTATUS", "TLS"};

#define TYPE_MAX 18

/* Message types a client sends (in a BOOTREQUEST); the rest are a
 * server's. LEASEQUERY and BULKLEASEQUERY come from relay agents. */
static int client_type(unsigned t) {
  return t == 1 || t == 3 || t == 4 || t == 7 || t == 8 || t == 10 ||
         t == 14 || t == 16;
}

struct opts {
  unsigned type;     /* option 53, 0 when absent */
  const uint8_t *host, *vendor;
  size_t host_len, vendor_len;
  int cut;           /* the options run past the captured bytes */
};

/* Walk the options after the cookie. 0 when malformed. */
static int walk_options(const uint8_t *p, size_t n, struct opts *o) {
  size_t i = DHCP_COOKIE_END;
  while (i < n) {
    uint8_t code = p[i++];
    if (code == OPT_PAD)
      continue;
    if (code == OPT_END)
      return 1;
    if (i >= n) {
      o->cut = 1;
      return 1;
    }
    size_t len = p[i++];
    if (len > n - i) {
      o->cut = 1;
      return 1;
    }
    const uint8_t *v = p + i;
    if (code == OPT_MSGTYPE) {
      if (len != 1 || v[0] == 0 || v[0] > TYPE_MAX || o->type)
        return 0;
      o->type = v[0];
    } else if (code == OPT_HOSTNAME && len && !o->host) {
      o->host = v;
      o->host_len = len;
    } else if (code == OPT_VENDOR && len && !o->vendor) {
      o->vendor = v;
      o->vendor_len = len;
    }
    i += len;
  }
  /* No end option in the bytes there are: cut, or sent without one. */
  o->cut = 1;
  return 1;
}

static int fixed_ok(const uint8_t *p, size_t n) {
  if (n < DHCP_COOKIE_END)
    return 0;
  unsigned op = p[0], htype = p[1], hlen = p[2], hops = p[3];
  if ((op != 1 && op != 2) || htype == 0 || htype > 32 || hlen > 16 ||
      hops > 16)
    return 0;
  if (htype == 1 && hlen != 6)
    return 0;
  if (l7_be16(p + 10) & 0x7fff)
    return 0; /* flags: only the broadcast bit */
  static const uint8_t cookie[4] = {99, 130, 83, 99};
  return memcmp(p + BOOTP_FIXED, cookie, 4) == 0;
}

static int usual_port(const struct l7_pkt *pkt) {
  return pkt->srv_port == 67 || pkt->srv_port == 68;
}

static void store_facts(const uint8_t *p, const struct opts *o,
                        struct l7_facts *facts) {
  if (facts->u.gen.verb[0])
    return;
  const char *verb = o->type ? type_names[o->type]
                             : (p[0] == 1 ? "BOOTREQUEST" : "BOOTREPLY");
  l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb, (const uint8_t *)verb,
          strlen(verb));
  if (o->host)
    l7_copy(facts->u.gen.object, sizeof facts->u.gen.object, o->host,
            o->host_len);
  if (o->vendor)
    l7_copy(facts->u.gen.software, sizeof facts->u.gen.software, o->vendor,
            o->vendor_len);
}

int l7_probe_dhcp(const struct l7_pkt *pkt, union l7_scratch *scratch,
                  struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_UDP || pkt->len == 0)
    return L7_NO;
  uint8_t *s = scratch->raw;
  const uint8_t *p = pkt->data;
  struct opts o = {0};
  if (!fixed_ok(p, pkt->len) || !walk_options(p, pkt->len, &o) ||
      (o.type && client_type(o.type) != (p[0] == 1))) {
    if (!(s[0] & DHCP_CLAIMED))
      return L7_NO;
    l7_conf_floor(confidence, 70);
    return L7_MATCH;
  }
  int dir1 = pkt->dir & 1;
  store_facts(p, &o, facts);
  s[0] |= DHCP_CLAIMED;
  if (p[0] == 1 && !(s[0] & DHCP_REQ)) {
    s[0] |= (uint8_t)(DHCP_REQ | (dir1 ? DHCP_REQ_DIR1 : 0));
    memcpy(s + 1, p + 5, 3); /* xid, low bytes */
  } else if (p[0] == 2 && (s[0] & DHCP_REQ) &&
             ((s[0] & DHCP_REQ_DIR1) != 0) != (dir1 != 0) &&
             memcmp(s + 1, p + 5, 3) == 0) {
    *confidence = 100;
    return L7_DONE;
  }
  unsigned base = (o.type ? 85u : 70u) - (o.cut ? 10u : 0u);
  l7_conf_floor(confidence, l7_conf(base, usual_port(pkt)));
  return L7_MATCH;
}
