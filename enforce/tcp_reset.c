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

int tcp_segment_parse(const uint8_t *pkt, size_t len, struct tcp_segment *s) {
  memset(s, 0, sizeof *s);
  if (len < 20 || pkt[0] >> 4 != 4 || pkt[9] != 6)
    return -EINVAL;
  size_t ihl = (size_t)(pkt[0] & 0x0f) * 4, total = get16(pkt + 2);
  if (ihl < 20 || total > len || total < ihl + 20)
    return -EINVAL;
  if (get16(pkt + 6) & 0x1fff) /* a later fragment: no TCP header */
    return -EINVAL;
  const uint8_t *t = pkt + ihl;
  size_t doff = (size_t)(t[12] >> 4) * 4;
  if (doff < 20 || ihl + doff > total)
    return -EINVAL;
  memcpy(s->src, pkt + 12, 4);
  memcpy(s->dst, pkt + 16, 4);
  s->sport = get16(t);
  s->dport = get16(t + 2);
  s->seq = get32(t + 4);
  s->ack = get32(t + 8);
  s->flags = t[13];
  s->payload_len = (uint32_t)(total - ihl - doff);
  return 0;
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

/* One segment without data from src to dst, checksums filled. */
static void make_segment(uint8_t out[TCP_RESET_LEN], const uint8_t src[4], const uint8_t dst[4],
                       uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                       uint8_t flags) {
  memset(out, 0, TCP_RESET_LEN);
  out[0] = 0x45;
  put16(out + 2, TCP_RESET_LEN);
  put16(out + 6, 0x4000); /* don't fragment */
  out[8] = 64;
  out[9] = 6;
  memcpy(out + 12, src, 4);
  memcpy(out + 16, dst, 4);
  put16(out + 10, inet_checksum(out, 20, 0));
  uint8_t *t = out + 20;
  put16(t, sport);
  put16(t + 2, dport);
  put32(t + 4, seq);
  put32(t + 8, ack);
  t[12] = 5 << 4;
  t[13] = flags;
  /* The pseudo-header: addresses, protocol, TCP length. */
  uint32_t sum = get16(src) + get16(src + 2) + get16(dst) + get16(dst + 2) + 6 + 20;
  put16(t + 16, inet_checksum(t, 20, sum));
}

void tcp_reset_build(const struct tcp_segment *s, uint8_t to_dst[TCP_RESET_LEN],
                     uint8_t to_src[TCP_RESET_LEN]) {
  /* What s occupies of the sequence space: its bytes, SYN and FIN. */
  uint32_t end = s->seq + s->payload_len + !!(s->flags & TCPF_SYN) + !!(s->flags & TCPF_FIN);
  bool acked = s->flags & TCPF_ACK;
  /* B was waiting for s: its first byte is what B expects next. */
  make_segment(to_dst, s->src, s->dst, s->sport, s->dport, s->seq, acked ? s->ack : 0,
             acked ? (TCPF_RST | TCPF_ACK) : TCPF_RST);
  /* A expects from B what A acknowledged; without an ACK (a SYN), RFC 793
   * answers with seq 0 acknowledging the segment. */
  make_segment(to_src, s->dst, s->src, s->dport, s->sport, acked ? s->ack : 0, end,
             TCPF_RST | TCPF_ACK);
}

void tcp_probe_build(const uint8_t src[4], const uint8_t dst[4], uint16_t sport,
                     uint16_t dport, uint8_t out[TCP_RESET_LEN]) {
  /* Sequence 0 is outside the window of any connection but one in 2^32:
   * the receiver answers with an ACK of where it stands (RFC 793 3.9,
   * RFC 5961 4-5). */
  make_segment(out, src, dst, sport, dport, 0, 0, TCPF_ACK);
}
