#include "enforce/tcp_reset.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v) {
  put16(p, (uint16_t)(v >> 16));
  put16(p + 2, (uint16_t)v);
}

/* The TCP header at t, within the segment's bytes [t, t + seg). */
static int parse_tcp(const uint8_t *t, size_t seg, struct tcp_segment *s) {
  if (seg < 20)
    return -EINVAL;
  size_t doff = (size_t)(t[12] >> 4) * 4;
  if (doff < 20 || doff > seg)
    return -EINVAL;
  s->sport = get16(t);
  s->dport = get16(t + 2);
  s->seq = get32(t + 4);
  s->ack = get32(t + 8);
  s->flags = t[13];
  s->payload_len = (uint32_t)(seg - doff);
  return 0;
}

static int parse_v4(const uint8_t *pkt, size_t len, struct tcp_segment *s) {
  if (len < 20 || pkt[9] != 6)
    return -EINVAL;
  size_t ihl = (size_t)(pkt[0] & 0x0f) * 4, total = get16(pkt + 2);
  if (ihl < 20 || total > len || total < ihl)
    return -EINVAL;
  if (get16(pkt + 6) & 0x1fff) /* a later fragment: no TCP header */
    return -EINVAL;
  s->family = 4;
  memcpy(s->src, pkt + 12, 4);
  memcpy(s->dst, pkt + 16, 4);
  return parse_tcp(pkt + ihl, total - ihl, s);
}

static int parse_v6(const uint8_t *pkt, size_t len, struct tcp_segment *s) {
  if (len < 40 || pkt[6] != 6) /* TCP right after the fixed header only */
    return -EINVAL;
  size_t plen = get16(pkt + 4);
  if (plen > len - 40)
    return -EINVAL;
  s->family = 6;
  memcpy(s->src, pkt + 8, 16);
  memcpy(s->dst, pkt + 24, 16);
  return parse_tcp(pkt + 40, plen, s);
}

int tcp_segment_parse(const uint8_t *pkt, size_t len, struct tcp_segment *s) {
  memset(s, 0, sizeof *s);
  if (len < 1)
    return -EINVAL;
  int rc = pkt[0] >> 4 == 4 ? parse_v4(pkt, len, s) : pkt[0] >> 4 == 6 ? parse_v6(pkt, len, s)
                                                                          : -EINVAL;
  if (rc < 0)
    memset(s, 0, sizeof *s);
  return rc;
}

uint16_t inet_checksum(const uint8_t *p, size_t len, uint32_t sum) {
  for (; len > 1; p += 2, len -= 2)
    sum += get16(p);
  if (len)
    sum += (uint32_t)p[0] << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

/* One segment without data from src to dst, checksums filled; its length. */
static size_t make_segment(uint8_t out[TCP_RESET_MAX], uint8_t family, const uint8_t *src,
                           const uint8_t *dst, uint16_t sport, uint16_t dport, uint32_t seq,
                           uint32_t ack, uint8_t flags) {
  memset(out, 0, TCP_RESET_MAX);
  size_t alen = family == 6 ? 16 : 4, ip = family == 6 ? 40 : 20;
  if (family == 6) {
    out[0] = 0x60;
    put16(out + 4, 20); /* payload: the TCP header */
    out[6] = 6;
    out[7] = 64;
    memcpy(out + 8, src, 16);
    memcpy(out + 24, dst, 16);
  } else {
    out[0] = 0x45;
    put16(out + 2, TCP_RESET_V4_LEN);
    put16(out + 6, 0x4000); /* don't fragment */
    out[8] = 64;
    out[9] = 6;
    memcpy(out + 12, src, 4);
    memcpy(out + 16, dst, 4);
    put16(out + 10, inet_checksum(out, 20, 0));
  }
  uint8_t *t = out + ip;
  put16(t, sport);
  put16(t + 2, dport);
  put32(t + 4, seq);
  put32(t + 8, ack);
  t[12] = 5 << 4;
  t[13] = flags;
  /* The pseudo-header: both addresses, the protocol, the TCP length. */
  uint32_t sum = 6 + 20;
  for (size_t i = 0; i < alen; i += 2)
    sum += get16(src + i) + get16(dst + i);
  put16(t + 16, inet_checksum(t, 20, sum));
  return ip + 20;
}

size_t tcp_reset_build(const struct tcp_segment *s, uint8_t to_dst[TCP_RESET_MAX],
                       uint8_t to_src[TCP_RESET_MAX]) {
  /* What s occupies of the sequence space: its bytes, SYN and FIN. */
  uint32_t end = s->seq + s->payload_len + !!(s->flags & TCPF_SYN) + !!(s->flags & TCPF_FIN);
  bool acked = s->flags & TCPF_ACK;
  /* B was waiting for s: its first byte is what B expects next. */
  make_segment(to_dst, s->family, s->src, s->dst, s->sport, s->dport, s->seq,
               acked ? s->ack : 0, acked ? (TCPF_RST | TCPF_ACK) : TCPF_RST);
  /* A expects from B what A acknowledged; without an ACK (a SYN), RFC 793
   * answers with seq 0 acknowledging the segment. */
  return make_segment(to_src, s->family, s->dst, s->src, s->dport, s->sport,
                      acked ? s->ack : 0, end, TCPF_RST | TCPF_ACK);
}

size_t tcp_probe_build(uint8_t family, const uint8_t *src, const uint8_t *dst, uint16_t sport,
                       uint16_t dport, uint8_t out[TCP_RESET_MAX]) {
  /* Sequence 0 is outside the window of any connection but one in 2^32:
   * the receiver answers with an ACK of where it stands (RFC 793 3.9,
   * RFC 5961 4-5). */
  return make_segment(out, family, src, dst, sport, dport, 0, 0, TCPF_ACK);
}
