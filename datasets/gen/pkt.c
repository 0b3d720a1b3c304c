#include "pkt.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "pcap.h"

#define ETH_LEN 14u
#define IP_LEN 20u
#define FRAME_MAX (ETH_LEN + IP_LEN + 60u + PKT_MAX_PAYLOAD)

enum { IPPROTO_ICMP_ = 1, IPPROTO_TCP_ = 6, IPPROTO_UDP_ = 17 };

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v) {
  put16(p, (uint16_t)(v >> 16));
  put16(p + 2, (uint16_t)v);
}

/* Ones' complement sum of 16-bit big-endian words, odd byte padded. */
static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n) {
  for (; n > 1; p += 2, n -= 2) acc += (uint32_t)(p[0] << 8 | p[1]);
  if (n) acc += (uint32_t)(p[0] << 8);
  return acc;
}

static uint16_t fold(uint32_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return (uint16_t)~acc;
}

/* An IPv4 header at ip for l4len bytes of payload. */
static void put_ipv4(uint8_t *ip, uint32_t src, uint32_t dst, uint8_t ttl,
                     uint16_t ip_id, uint16_t frag, uint8_t proto,
                     size_t l4len) {
  ip[0] = 0x45;
  ip[1] = 0;
  put16(ip + 2, (uint16_t)(IP_LEN + l4len));
  put16(ip + 4, ip_id);
  put16(ip + 6, frag);
  ip[8] = ttl;
  ip[9] = proto;
  put16(ip + 10, 0);
  put32(ip + 12, src);
  put32(ip + 16, dst);
  put16(ip + 10, fold(sum16(0, ip, IP_LEN)));
}

/* Ethernet + IPv4 headers for an L4 segment of l4len bytes with the given
 * flags/fragment field; returns the offset of the L4 header. */
static size_t put_l2l3_frag(uint8_t *f, const struct host *src,
                            const struct host *dst, uint16_t ip_id,
                            uint16_t frag, uint8_t proto, size_t l4len) {
  memcpy(f, dst->mac, 6);
  memcpy(f + 6, src->mac, 6);
  put16(f + 12, 0x0800);
  put_ipv4(f + ETH_LEN, src->ip, dst->ip, src->ttl, ip_id, frag, proto, l4len);
  return ETH_LEN + IP_LEN;
}

/* DF, as Linux sets on path-MTU-discovering sockets. */
static size_t put_l2l3(uint8_t *f, const struct host *src,
                       const struct host *dst, uint16_t ip_id, uint8_t proto,
                       size_t l4len) {
  return put_l2l3_frag(f, src, dst, ip_id, PKT_IP_DF, proto, l4len);
}

static uint32_t pseudo_sum_ip(uint32_t src, uint32_t dst, uint8_t proto,
                              size_t l4len) {
  uint8_t ph[12];
  put32(ph, src);
  put32(ph + 4, dst);
  ph[8] = 0;
  ph[9] = proto;
  put16(ph + 10, (uint16_t)l4len);
  return sum16(0, ph, sizeof(ph));
}

static uint32_t pseudo_sum(const struct host *src, const struct host *dst,
                           uint8_t proto, size_t l4len) {
  return pseudo_sum_ip(src->ip, dst->ip, proto, l4len);
}

/* A TCP header, options and payload at tcp, checksummed for src -> dst;
 * returns the segment's length. */
static size_t put_tcp(uint8_t *tcp, uint32_t src, uint32_t dst,
                      const struct tcp_hdr *th, const uint8_t *payload,
                      size_t len) {
  size_t hlen = 20 + th->optlen;
  put16(tcp, th->sport);
  put16(tcp + 2, th->dport);
  put32(tcp + 4, th->seq);
  put32(tcp + 8, th->ack);
  tcp[12] = (uint8_t)((hlen / 4) << 4);
  tcp[13] = th->flags;
  put16(tcp + 14, th->win);
  put16(tcp + 16, 0);
  put16(tcp + 18, 0);
  if (th->optlen) memcpy(tcp + 20, th->opt, th->optlen);
  if (len) memcpy(tcp + hlen, payload, len);
  uint32_t acc = pseudo_sum_ip(src, dst, IPPROTO_TCP_, hlen + len);
  put16(tcp + 16, fold(sum16(acc, tcp, hlen + len)));
  return hlen + len;
}

static void check_tcp(const struct tcp_hdr *th, size_t len) {
  if (len > PKT_MAX_PAYLOAD || th->optlen > 40 || th->optlen % 4)
    gen_die("bad TCP segment (payload %zu, options %zu)", len, th->optlen);
}

void pkt_tcp(struct pcap_trace *t, int64_t ts_us, const struct host *src,
             const struct host *dst, uint16_t ip_id, const struct tcp_hdr *th,
             const uint8_t *payload, size_t len) {
  uint8_t f[FRAME_MAX];
  check_tcp(th, len);
  size_t o = put_l2l3(f, src, dst, ip_id, IPPROTO_TCP_, 20 + th->optlen + len);
  size_t n = put_tcp(f + o, src->ip, dst->ip, th, payload, len);
  pcap_trace_add(t, ts_us, f, o + n);
}

void pkt_udp(struct pcap_trace *t, int64_t ts_us, const struct host *src,
             const struct host *dst, uint16_t ip_id, uint16_t sport,
             uint16_t dport, const uint8_t *payload, size_t len) {
  uint8_t f[FRAME_MAX];
  if (len > PKT_MAX_PAYLOAD) gen_die("UDP payload too large (%zu)", len);
  size_t o = put_l2l3(f, src, dst, ip_id, IPPROTO_UDP_, 8 + len);
  uint8_t *udp = f + o;
  put16(udp, sport);
  put16(udp + 2, dport);
  put16(udp + 4, (uint16_t)(8 + len));
  put16(udp + 6, 0);
  if (len) memcpy(udp + 8, payload, len);
  uint16_t ck =
      fold(sum16(pseudo_sum(src, dst, IPPROTO_UDP_, 8 + len), udp, 8 + len));
  put16(udp + 6, ck ? ck : 0xffff); /* 0 means "no checksum" in UDP */
  pcap_trace_add(t, ts_us, f, o + 8 + len);
}

uint16_t pkt_l4_checksum(uint32_t src, uint32_t dst, uint8_t proto,
                         const uint8_t *l4, size_t len) {
  uint32_t acc =
      proto == IPPROTO_ICMP_ ? 0 : pseudo_sum_ip(src, dst, proto, len);
  uint16_t ck = fold(sum16(acc, l4, len));
  return proto == IPPROTO_UDP_ && ck == 0 ? 0xffff : ck;
}

void pkt_ipv4(struct pcap_trace *t, int64_t ts_us, const struct host *src,
              const struct host *dst, uint16_t ip_id, uint16_t frag,
              uint8_t proto, const uint8_t *payload, size_t len) {
  uint8_t f[FRAME_MAX];
  if (len > PKT_MAX_IP_PAYLOAD) gen_die("IP payload too large (%zu)", len);
  size_t o = put_l2l3_frag(f, src, dst, ip_id, frag, proto, len);
  if (len) memcpy(f + o, payload, len);
  pcap_trace_add(t, ts_us, f, o + len);
}

void pkt_icmp_echo(struct pcap_trace *t, int64_t ts_us, const struct host *src,
                   const struct host *dst, uint16_t ip_id, uint8_t type,
                   uint16_t id, uint16_t seq, const uint8_t *data, size_t len) {
  uint8_t m[PKT_MAX_IP_PAYLOAD];
  if (len > PKT_MAX_IP_PAYLOAD - 8) gen_die("ICMP data too large (%zu)", len);
  m[0] = type;
  m[1] = 0;
  put16(m + 2, 0);
  put16(m + 4, id);
  put16(m + 6, seq);
  if (len) memcpy(m + 8, data, len);
  put16(m + 2, pkt_l4_checksum(0, 0, IPPROTO_ICMP_, m, 8 + len));
  pkt_ipv4(t, ts_us, src, dst, ip_id, PKT_IP_DF, IPPROTO_ICMP_, m, 8 + len);
}

void pkt_ipv4_tcp_bytes(struct buf *b, uint32_t src, uint32_t dst, uint8_t ttl,
                        uint16_t ip_id, const struct tcp_hdr *th,
                        const uint8_t *payload, size_t len) {
  uint8_t p[IP_LEN + 60 + PKT_MAX_PAYLOAD];
  check_tcp(th, len);
  size_t n = put_tcp(p + IP_LEN, src, dst, th, payload, len);
  put_ipv4(p, src, dst, ttl, ip_id, PKT_IP_DF, IPPROTO_TCP_, n);
  buf_put(b, p, IP_LEN + n);
}

const char *pkt_ip_str(uint32_t ip, char *out) {
  snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
           (ip >> 8) & 0xff, ip & 0xff);
  return out;
}
