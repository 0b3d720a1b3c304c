/* Decoding is layered: link -> (VLAN/MPLS/PPPoE) -> IPv4|IPv6 -> transport.
 * Each layer gets (pointer, captured bytes left) and checks before reading.
 * ICMP echo is given ports so that a request and its reply form one flow:
 * the requester's side carries the echo id, the responder's the request
 * type (8 or 128). */
#include "collect/decode.h"

#include <string.h>

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100
#define ETH_MPLS 0x8847
#define ETH_MPLS_MC 0x8848
#define ETH_PPPOE 0x8864
#define MAX_VLAN 4
#define MAX_MPLS 8
#define MAX_IPV6_EXT 8

struct cursor {
  const uint8_t *p;
  uint32_t cap;     /* captured bytes from p */
  uint32_t wire;    /* bytes on the wire from p */
};

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static enum decode_result fail(struct decode_counters *c, enum decode_anomaly a,
                               enum decode_result r) {
  c->anomaly[a]++;
  return r;
}

static void advance(struct cursor *cur, uint32_t n) {
  cur->p += n;
  cur->cap -= n;
  cur->wire = cur->wire > n ? cur->wire - n : 0;
}

static enum decode_result decode_ip(struct cursor cur, struct pkt_info *out,
                                    struct decode_counters *c);

/* ICMP errors quote the offending packet's IP header and first 8 bytes. */
static void decode_icmp_inner(const uint8_t *p, uint32_t cap, int v6,
                              struct pkt_info *out) {
  struct pkt_inner *in = &out->inner;
  uint32_t hl;
  if (!v6) {
    if (cap < 20 || (p[0] >> 4) != 4)
      return;
    hl = (uint32_t)(p[0] & 15) * 4;
    if (hl < 20 || cap < hl + 4)
      return;
    in->src.family = in->dst.family = 4;
    memcpy(in->src.b, p + 12, 4);
    memcpy(in->dst.b, p + 16, 4);
    in->proto = p[9];
  } else {
    if (cap < 44 || (p[0] >> 4) != 6)
      return;
    hl = 40; /* quoted extension headers are rare; not followed */
    in->src.family = in->dst.family = 6;
    memcpy(in->src.b, p + 8, 16);
    memcpy(in->dst.b, p + 24, 16);
    in->proto = p[6];
  }
  if (in->proto != 6 && in->proto != 17)
    return;
  in->sport = rd16(p + hl);
  in->dport = rd16(p + hl + 2);
  out->has_inner = 1;
}

static enum decode_result decode_icmp(const uint8_t *p, uint32_t cap, uint32_t l4len,
                                      int v6, struct pkt_info *out,
                                      struct decode_counters *c) {
  if (cap < 8)
    return fail(c, DA_ICMP_TRUNCATED, l4len < 8 ? DEC_MALFORMED : DEC_TRUNCATED);
  uint8_t type = p[0];
  out->icmp_type = type;
  out->icmp_code = p[1];
  uint8_t echo_req = v6 ? 128 : 8, echo_rep = v6 ? 129 : 0;
  int is_error = v6 ? (type >= 1 && type <= 4)
                    : (type == 3 || type == 4 || type == 5 || type == 11 || type == 12);
  if (type == echo_req || type == echo_rep) {
    out->icmp_id = rd16(p + 4);
    out->sport = type == echo_req ? out->icmp_id : echo_req;
    out->dport = type == echo_req ? echo_req : out->icmp_id;
  } else {
    out->sport = 0;
    out->dport = type;
    if (is_error)
      decode_icmp_inner(p + 8, cap - 8, v6, out);
  }
  out->payload = p + 8;
  out->payload_cap = cap - 8;
  out->payload_len = out->payload_len >= 8 ? out->payload_len - 8 : 0;
  return DEC_OK;
}

/* The MSS option among a SYN's options (n bytes at o), 0 when absent. */
static uint16_t tcp_mss_option(const uint8_t *o, uint32_t n) {
  uint32_t i = 0;
  while (i < n) {
    uint8_t kind = o[i];
    if (kind == 0)
      break;
    if (kind == 1) {
      i++;
      continue;
    }
    if (i + 1 >= n || o[i + 1] < 2)
      break;
    if (kind == 2 && o[i + 1] == 4 && i + 4 <= n)
      return rd16(o + i + 2);
    i += o[i + 1];
  }
  return 0;
}

/* l4len: transport bytes the IP header declares; cap: captured of those.
 * A header that does not fit in l4len is a lie (DEC_MALFORMED), one that
 * does not fit in cap a short capture. first_frag: the packet is the first
 * fragment of a bigger datagram, whose UDP length covers all of it. */
static enum decode_result decode_l4(const uint8_t *p, uint32_t cap, uint32_t l4len,
                                    int v6, int first_frag, struct pkt_info *out,
                                    struct decode_counters *c) {
  out->payload_len = l4len;
  switch (out->proto) {
  case 6: {
    if (cap < 20)
      return fail(c, DA_TCP_TRUNCATED, l4len < 20 ? DEC_MALFORMED : DEC_TRUNCATED);
    uint32_t hl = (uint32_t)(p[12] >> 4) * 4;
    if (hl < 20 || hl > l4len)
      return fail(c, DA_TCP_HLEN_INVALID, DEC_MALFORMED);
    out->sport = rd16(p);
    out->dport = rd16(p + 2);
    out->tcp_flags = p[13];
    if (out->tcp_flags & 0x02)
      out->tcp_mss = tcp_mss_option(p + 20, (hl < cap ? hl : cap) - 20);
    out->payload_len = l4len - hl;
    /* Options cut by the snap length: the header fields are still good. */
    out->payload = hl <= cap ? p + hl : NULL;
    out->payload_cap = hl <= cap ? cap - hl : 0;
    return DEC_OK;
  }
  case 17: {
    if (cap < 8)
      return fail(c, DA_UDP_TRUNCATED, l4len < 8 ? DEC_MALFORMED : DEC_TRUNCATED);
    uint16_t ulen = rd16(p + 4);
    if (ulen < 8 || (ulen > l4len && !first_frag))
      return fail(c, DA_UDP_LEN_INVALID, DEC_MALFORMED);
    out->sport = rd16(p);
    out->dport = rd16(p + 2);
    out->payload_len = ulen - 8u;
    out->payload = p + 8;
    uint32_t avail = cap - 8;
    out->payload_cap = avail < out->payload_len ? avail : out->payload_len;
    return DEC_OK;
  }
  case 1:
    if (v6)
      break;
    return decode_icmp(p, cap, l4len, 0, out, c);
  case 58:
    if (!v6)
      break;
    return decode_icmp(p, cap, l4len, 1, out, c);
  default:
    break;
  }
  out->payload = p;
  out->payload_cap = cap;
  return DEC_OK;
}

static enum decode_result decode_ipv4(struct cursor cur, struct pkt_info *out,
                                      struct decode_counters *c) {
  const uint8_t *p = cur.p;
  if (cur.cap < 20)
    return fail(c, DA_IPV4_TRUNCATED, DEC_TRUNCATED);
  if ((p[0] >> 4) != 4)
    return fail(c, DA_IPV4_BAD_VERSION, DEC_MALFORMED);
  uint32_t hl = (uint32_t)(p[0] & 15) * 4;
  if (hl < 20)
    return fail(c, DA_IPV4_HLEN_TOO_SMALL, DEC_MALFORMED);
  if (hl > cur.cap)
    return fail(c, DA_IPV4_TRUNCATED, DEC_TRUNCATED);
  uint32_t total = rd16(p + 2);
  if (total < hl)
    return fail(c, DA_IPV4_LEN_TOO_SMALL, DEC_MALFORMED);
  if (total > cur.wire)
    return fail(c, DA_IPV4_LEN_EXCEEDS_WIRE, DEC_MALFORMED);
  out->src.family = out->dst.family = 4;
  memcpy(out->src.b, p + 12, 4);
  memcpy(out->dst.b, p + 16, 4);
  out->proto = p[9];
  out->ip_len = total;
  uint16_t frag = rd16(p + 6);
  if (frag & 0x3fff) {
    out->fragment = 1;
    out->more_frags = (frag & 0x2000) != 0;
    out->frag_offset = (uint32_t)(frag & 0x1fff) * 8;
    out->frag_len = total - hl;
    out->ip_id = rd16(p + 4);
  }
  if ((frag & 0x1fff) != 0)
    return DEC_FRAGMENT;
  uint32_t cap = (cur.cap < total ? cur.cap : total) - hl;
  return decode_l4(p + hl, cap, total - hl, 0, (frag & 0x2000) != 0, out, c);
}

static enum decode_result decode_ipv6(struct cursor cur, struct pkt_info *out,
                                      struct decode_counters *c) {
  const uint8_t *p = cur.p;
  if (cur.cap < 40)
    return fail(c, DA_IPV6_TRUNCATED, DEC_TRUNCATED);
  if ((p[0] >> 4) != 6)
    return fail(c, DA_IPV6_BAD_VERSION, DEC_MALFORMED);
  uint32_t total = 40u + rd16(p + 4);
  if (total > cur.wire)
    return fail(c, DA_IPV6_LEN_EXCEEDS_WIRE, DEC_MALFORMED);
  out->src.family = out->dst.family = 6;
  memcpy(out->src.b, p + 8, 16);
  memcpy(out->dst.b, p + 24, 16);
  out->ip_len = total;
  uint32_t cap = cur.cap < total ? cur.cap : total;
  uint32_t off = 40;
  uint8_t next = p[6];
  int first_frag = 0;
  for (int i = 0;; i++) {
    uint32_t len;
    switch (next) {
    case 0: case 43: case 60: case 135: case 139: case 140:
      if (off + 8 > cap)
        return fail(c, DA_IPV6_EXTHDR_TRUNCATED, DEC_TRUNCATED);
      len = ((uint32_t)p[off + 1] + 1) * 8;
      break;
    case 51: /* AH: length in 4-octet units, minus 2 */
      if (off + 8 > cap)
        return fail(c, DA_IPV6_EXTHDR_TRUNCATED, DEC_TRUNCATED);
      len = ((uint32_t)p[off + 1] + 2) * 4;
      break;
    case 44: /* fragment */
      if (off + 8 > cap)
        return fail(c, DA_IPV6_EXTHDR_TRUNCATED, DEC_TRUNCATED);
      out->fragment = 1;
      out->more_frags = rd16(p + off + 2) & 1;
      out->frag_offset = rd16(p + off + 2) & 0xfff8;
      out->frag_len = total > off + 8 ? total - (off + 8) : 0;
      out->ip_id = (uint32_t)rd16(p + off + 4) << 16 | rd16(p + off + 6);
      if ((rd16(p + off + 2) & 0xfff8) != 0) {
        out->proto = p[off];
        return DEC_FRAGMENT;
      }
      first_frag = rd16(p + off + 2) & 1;
      len = 8;
      break;
    default:
      out->proto = next;
      return decode_l4(p + off, cap - off, total - off, 1, first_frag, out, c);
    }
    if (i == MAX_IPV6_EXT) /* an extension header beyond the last allowed */
      return fail(c, DA_IPV6_EXTHDR_TOO_MANY, DEC_MALFORMED);
    if (off + len > total)
      return fail(c, DA_IPV6_EXTHDR_TRUNCATED, DEC_MALFORMED);
    if (off + len > cap)
      return fail(c, DA_IPV6_EXTHDR_TRUNCATED, DEC_TRUNCATED);
    next = p[off];
    off += len;
  }
}

static enum decode_result decode_ip(struct cursor cur, struct pkt_info *out,
                                    struct decode_counters *c) {
  if (cur.cap < 1)
    return fail(c, DA_IPV4_TRUNCATED, DEC_TRUNCATED);
  switch (cur.p[0] >> 4) {
  case 4: return decode_ipv4(cur, out, c);
  case 6: return decode_ipv6(cur, out, c);
  default: return DEC_NON_IP;
  }
}

/* From an ethertype on: VLAN tags, MPLS labels and PPPoE are peeled. */
static enum decode_result decode_ethertype(uint16_t type, struct cursor cur,
                                           struct pkt_info *out,
                                           struct decode_counters *c) {
  for (int vlans = 0;; vlans++) {
    if (type != ETH_VLAN && type != ETH_QINQ && type != ETH_QINQ_OLD)
      break;
    if (vlans == MAX_VLAN)
      return fail(c, DA_VLAN_TOO_MANY, DEC_MALFORMED);
    if (cur.cap < 4)
      return fail(c, DA_LINK_TRUNCATED, DEC_TRUNCATED);
    if (vlans == 0)
      out->vlan = rd16(cur.p) & 0x0fff;
    type = rd16(cur.p + 2);
    advance(&cur, 4);
  }
  switch (type) {
  case ETH_IPV4:
    return decode_ipv4(cur, out, c);
  case ETH_IPV6:
    return decode_ipv6(cur, out, c);
  case ETH_MPLS:
  case ETH_MPLS_MC:
    for (int i = 0; i < MAX_MPLS; i++) {
      if (cur.cap < 4)
        return fail(c, DA_LINK_TRUNCATED, DEC_TRUNCATED);
      int bottom = cur.p[2] & 1;
      advance(&cur, 4);
      if (bottom)
        return decode_ip(cur, out, c);
    }
    return fail(c, DA_LINK_UNSUPPORTED, DEC_MALFORMED);
  case ETH_PPPOE: {
    if (cur.cap < 8)
      return fail(c, DA_LINK_TRUNCATED, DEC_TRUNCATED);
    uint16_t ppp = rd16(cur.p + 6);
    advance(&cur, 8);
    if (ppp == 0x0021)
      return decode_ipv4(cur, out, c);
    if (ppp == 0x0057)
      return decode_ipv6(cur, out, c);
    return DEC_NON_IP;
  }
  default:
    return DEC_NON_IP;
  }
}

static enum decode_result decode_null(struct cursor cur, int network_order,
                                      struct pkt_info *out,
                                      struct decode_counters *c) {
  if (cur.cap < 4)
    return fail(c, DA_LINK_TRUNCATED, DEC_TRUNCATED);
  const uint8_t *p = cur.p;
  uint32_t fam = network_order
                     ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                     : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
  /* DLT_NULL is in the capturing host's byte order: try the other one. */
  if (!network_order && fam > 0xffff)
    fam = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
  advance(&cur, 4);
  switch (fam) {
  case 2:
    return decode_ipv4(cur, out, c);
  case 10: case 24: case 28: case 30: /* AF_INET6 on Linux, BSDs, macOS */
    return decode_ipv6(cur, out, c);
  default:
    return DEC_NON_IP;
  }
}

/* Ethernet and Linux cooked headers: a fixed length with an ethertype in it. */
static enum decode_result after_link_header(struct cursor cur, uint32_t hlen,
                                            uint32_t type_off, struct pkt_info *out,
                                            struct decode_counters *c) {
  if (cur.cap < hlen)
    return fail(c, DA_LINK_TRUNCATED, DEC_TRUNCATED);
  uint16_t type = rd16(cur.p + type_off);
  advance(&cur, hlen);
  return decode_ethertype(type, cur, out, c);
}

int decode_linktype_supported(int linktype) {
  switch (linktype) {
  case LINK_NULL: case LINK_ETHERNET: case 12: case 14: case LINK_RAW:
  case LINK_LOOP: case LINK_SLL: case LINK_IPV4: case LINK_IPV6: case LINK_SLL2:
    return 1;
  default:
    return 0;
  }
}

enum decode_result decode_packet(int linktype, const uint8_t *data,
                                 uint32_t caplen, uint32_t wirelen,
                                 struct pkt_info *out,
                                 struct decode_counters *c) {
  memset(out, 0, offsetof(struct pkt_info, inner));
  out->has_inner = 0;
  struct cursor cur = {data, caplen, wirelen < caplen ? caplen : wirelen};
  switch (linktype) {
  case LINK_ETHERNET:
    return after_link_header(cur, 14, 12, out, c);
  case LINK_SLL:
    return after_link_header(cur, 16, 14, out, c);
  case LINK_SLL2:
    return after_link_header(cur, 20, 0, out, c);
  case LINK_NULL:
    return decode_null(cur, 0, out, c);
  case LINK_LOOP:
    return decode_null(cur, 1, out, c);
  case 12: case 14: case LINK_RAW:
    return decode_ip(cur, out, c);
  case LINK_IPV4:
    return decode_ipv4(cur, out, c);
  case LINK_IPV6:
    return decode_ipv6(cur, out, c);
  default:
    return fail(c, DA_LINK_UNSUPPORTED, DEC_NON_IP);
  }
}

const char *decode_anomaly_name(enum decode_anomaly a) {
  static const char *const names[DA_COUNT] = {
      [DA_LINK_TRUNCATED] = "link.truncated",
      [DA_LINK_UNSUPPORTED] = "link.unsupported",
      [DA_VLAN_TOO_MANY] = "vlan.too_many_layers",
      [DA_IPV4_TRUNCATED] = "ipv4.truncated",
      [DA_IPV4_BAD_VERSION] = "ipv4.bad_version",
      [DA_IPV4_HLEN_TOO_SMALL] = "ipv4.hlen_too_small",
      [DA_IPV4_LEN_TOO_SMALL] = "ipv4.len_too_small",
      [DA_IPV4_LEN_EXCEEDS_WIRE] = "ipv4.len_exceeds_wire",
      [DA_IPV6_TRUNCATED] = "ipv6.truncated",
      [DA_IPV6_BAD_VERSION] = "ipv6.bad_version",
      [DA_IPV6_LEN_EXCEEDS_WIRE] = "ipv6.len_exceeds_wire",
      [DA_IPV6_EXTHDR_TRUNCATED] = "ipv6.exthdr_truncated",
      [DA_IPV6_EXTHDR_TOO_MANY] = "ipv6.exthdr_too_many",
      [DA_TCP_TRUNCATED] = "tcp.truncated",
      [DA_TCP_HLEN_INVALID] = "tcp.hlen_invalid",
      [DA_UDP_TRUNCATED] = "udp.truncated",
      [DA_UDP_LEN_INVALID] = "udp.len_invalid",
      [DA_ICMP_TRUNCATED] = "icmp.truncated",
  };
  return (unsigned)a < DA_COUNT ? names[a] : "unknown";
}
