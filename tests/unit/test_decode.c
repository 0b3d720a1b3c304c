/* tests/unit/test_decode.c — collect/decode.h on frames built byte by byte:
 * every link type, VLAN/QinQ/MPLS/PPPoE, IPv4 and IPv6 with extension
 * headers and fragments, TCP/UDP/ICMP including ICMP errors quoting a
 * transport header, snaplen cuts, and one frame per anomaly counter with
 * the result it must give. Frames are decoded from exact-size heap copies so
 * that ASan sees any read past caplen; every prefix of every good frame is
 * decoded too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect/decode.h"

struct buf {
  uint8_t b[4096];
  size_t n;
};

static void u8(struct buf *b, unsigned v) {
  assert_true(b->n < sizeof b->b);
  b->b[b->n++] = (uint8_t)v;
}
static void u16(struct buf *b, unsigned v) {
  u8(b, (v >> 8) & 0xff);
  u8(b, v & 0xff);
}
static void u32(struct buf *b, uint32_t v) {
  u16(b, v >> 16);
  u16(b, v & 0xffff);
}
static void bytes(struct buf *b, const void *p, size_t n) {
  assert_true(b->n + n <= sizeof b->b);
  memcpy(b->b + b->n, p, n);
  b->n += n;
}
static void cat(struct buf *b, const struct buf *x) { bytes(b, x->b, x->n); }
static void zeros(struct buf *b, size_t n) {
  while (n--)
    u8(b, 0);
}

static const uint8_t V4A[4] = {10, 0, 0, 1}, V4B[4] = {192, 168, 1, 2};
static const uint8_t V6A[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t V6B[16] = {0xfd, 0x00, [14] = 0xab, [15] = 0xcd};

/* --- transport ---------------------------------------------------------- */

/* TCP with data offset doff (32-bit words; options are NOPs). */
static struct buf tcp(unsigned sport, unsigned dport, unsigned flags, unsigned doff,
                      const char *payload) {
  struct buf b = {.n = 0};
  u16(&b, sport);
  u16(&b, dport);
  u32(&b, 1000);
  u32(&b, 2000);
  u8(&b, doff << 4);
  u8(&b, flags);
  u16(&b, 65535);
  u16(&b, 0);
  u16(&b, 0);
  while (b.n < doff * 4u)
    u8(&b, 1);
  bytes(&b, payload, strlen(payload));
  return b;
}

static struct buf udp_len(unsigned sport, unsigned dport, const char *payload,
                          unsigned len) {
  struct buf b = {.n = 0};
  u16(&b, sport);
  u16(&b, dport);
  u16(&b, len);
  u16(&b, 0);
  bytes(&b, payload, strlen(payload));
  return b;
}

static struct buf udp(unsigned sport, unsigned dport, const char *payload) {
  return udp_len(sport, dport, payload, 8 + (unsigned)strlen(payload));
}

static struct buf icmp(unsigned type, unsigned code, unsigned id, unsigned seq,
                       const struct buf *body) {
  struct buf b = {.n = 0};
  u8(&b, type);
  u8(&b, code);
  u16(&b, 0);
  u16(&b, id);
  u16(&b, seq);
  if (body)
    cat(&b, body);
  return b;
}

/* --- network ------------------------------------------------------------ */

/* IPv4 with ihl words of header, the given fragment field, and a total
 * length of header + l4 unless total is nonzero. */
static struct buf ipv4_full(unsigned proto, const uint8_t *src, const uint8_t *dst,
                            const struct buf *l4, unsigned ihl, unsigned frag,
                            unsigned total) {
  struct buf b = {.n = 0};
  u8(&b, 0x40 | ihl);
  u8(&b, 0);
  u16(&b, total ? total : ihl * 4 + (unsigned)l4->n);
  u16(&b, 0x1234);
  u16(&b, frag);
  u8(&b, 64);
  u8(&b, proto);
  u16(&b, 0);
  bytes(&b, src, 4);
  bytes(&b, dst, 4);
  while (b.n < ihl * 4u)
    u8(&b, 1); /* NOP options */
  cat(&b, l4);
  return b;
}

static struct buf ipv4(unsigned proto, const struct buf *l4) {
  return ipv4_full(proto, V4A, V4B, l4, 5, 0x4000, 0);
}

/* IPv6 whose payload (extension headers + l4) is given; plen overrides. */
static struct buf ipv6_full(unsigned next, const uint8_t *src, const uint8_t *dst,
                            const struct buf *payload, unsigned plen) {
  struct buf b = {.n = 0};
  u32(&b, 0x60000000);
  u16(&b, plen ? plen : (unsigned)payload->n);
  u8(&b, next);
  u8(&b, 64);
  bytes(&b, src, 16);
  bytes(&b, dst, 16);
  cat(&b, payload);
  return b;
}

static struct buf ipv6(unsigned next, const struct buf *payload) {
  return ipv6_full(next, V6A, V6B, payload, 0);
}

/* A generic extension header (hop-by-hop, routing, dest opts) of len8
 * 8-byte units, followed by rest. */
static struct buf ext(unsigned next, unsigned len8, const struct buf *rest) {
  struct buf b = {.n = 0};
  u8(&b, next);
  u8(&b, len8 - 1);
  zeros(&b, len8 * 8 - 2);
  if (rest)
    cat(&b, rest);
  return b;
}

static struct buf frag6(unsigned next, unsigned offset8, int more, const struct buf *rest) {
  struct buf b = {.n = 0};
  u8(&b, next);
  u8(&b, 0);
  u16(&b, (offset8 << 3) | (more ? 1 : 0));
  u32(&b, 0xdeadbeef);
  if (rest)
    cat(&b, rest);
  return b;
}

/* --- link --------------------------------------------------------------- */

static struct buf eth(unsigned type, const struct buf *inner) {
  struct buf b = {.n = 0};
  static const uint8_t mac1[6] = {0, 1, 2, 3, 4, 5}, mac2[6] = {6, 7, 8, 9, 10, 11};
  bytes(&b, mac1, 6);
  bytes(&b, mac2, 6);
  u16(&b, type);
  cat(&b, inner);
  return b;
}

/* Ethernet with n tags, tpids[0] and ids[0] outermost. */
static struct buf eth_vlans(const unsigned *ids, const unsigned *tpids, size_t n,
                            unsigned type, const struct buf *inner) {
  struct buf b = {.n = 0};
  static const uint8_t macs[12] = {0};
  bytes(&b, macs, 12);
  for (size_t i = 0; i < n; i++) {
    u16(&b, tpids[i]);
    u16(&b, 0xe000 | ids[i]);
  }
  u16(&b, type);
  cat(&b, inner);
  return b;
}

/* --- decoding ----------------------------------------------------------- */

static struct decode_counters counters;

/* Decode the first caplen bytes of f (wire = f->n unless wire given). */
static enum decode_result dec_cut(int link, const struct buf *f, size_t caplen,
                                  size_t wire, struct pkt_info *out) {
  uint8_t *copy = malloc(caplen ? caplen : 1);
  assert_non_null(copy);
  memcpy(copy, f->b, caplen);
  enum decode_result r =
      decode_packet(link, copy, (uint32_t)caplen, (uint32_t)wire, out, &counters);
  /* The payload points into the frame or is NULL. */
  if (r == DEC_OK && out->payload) {
    assert_true(out->payload >= copy && out->payload + out->payload_cap <= copy + caplen);
  } else if (r == DEC_OK) {
    assert_int_equal(out->payload_cap, 0);
  }
  /* Make the pointer comparable after the copy is gone. */
  if (r == DEC_OK && out->payload)
    out->payload = f->b + (out->payload - copy);
  free(copy);
  return r;
}

static enum decode_result dec(int link, const struct buf *f, struct pkt_info *out) {
  return dec_cut(link, f, f->n, f->n, out);
}

static uint64_t total_anomalies(void) {
  uint64_t t = 0;
  for (int i = 0; i < DA_COUNT; i++)
    t += counters.anomaly[i];
  return t;
}

/* A good frame: DEC_OK and no anomaly; every shorter capture of it decodes
 * without crashing. */
static void decode_ok(int link, const struct buf *f, struct pkt_info *out) {
  memset(&counters, 0, sizeof counters);
  enum decode_result r = dec(link, f, out);
  if (r != DEC_OK) {
    for (int i = 0; i < DA_COUNT; i++)
      if (counters.anomaly[i])
        print_error("anomaly %s\n", decode_anomaly_name((enum decode_anomaly)i));
  }
  assert_int_equal(r, DEC_OK);
  assert_int_equal(total_anomalies(), 0);
  struct pkt_info tmp;
  for (size_t cut = 0; cut < f->n; cut++)
    (void)dec_cut(link, f, cut, f->n, &tmp);
  memset(&counters, 0, sizeof counters);
}

/* The frame sets exactly anomaly a once and gives result r. */
static void expect_anomaly(int link, const struct buf *f, size_t caplen, size_t wire,
                           enum decode_anomaly a, enum decode_result r) {
  memset(&counters, 0, sizeof counters);
  struct pkt_info out;
  enum decode_result got = dec_cut(link, f, caplen, wire, &out);
  if (got != r || counters.anomaly[a] != 1 || total_anomalies() != 1) {
    print_error("want %s -> %d, got %d\n", decode_anomaly_name(a), r, got);
    for (int i = 0; i < DA_COUNT; i++)
      if (counters.anomaly[i])
        print_error("  set: %s\n", decode_anomaly_name((enum decode_anomaly)i));
  }
  assert_int_equal(got, r);
  assert_int_equal(counters.anomaly[a], 1);
  assert_int_equal(total_anomalies(), 1);
  memset(&counters, 0, sizeof counters);
}

static void assert_v4(const struct pkt_info *p) {
  assert_int_equal(p->src.family, 4);
  assert_int_equal(p->dst.family, 4);
  assert_memory_equal(p->src.b, V4A, 4);
  assert_memory_equal(p->dst.b, V4B, 4);
  for (int i = 4; i < 16; i++)
    assert_int_equal(p->src.b[i] | p->dst.b[i], 0);
}

static void assert_v6(const struct pkt_info *p) {
  assert_int_equal(p->src.family, 6);
  assert_memory_equal(p->src.b, V6A, 16);
  assert_memory_equal(p->dst.b, V6B, 16);
}

static void assert_payload(const struct pkt_info *p, const char *want) {
  size_t n = strlen(want);
  assert_int_equal(p->payload_len, n);
  assert_int_equal(p->payload_cap, n);
  if (n) {
    assert_non_null(p->payload);
    assert_memory_equal(p->payload, want, n);
  }
}

/* --- tests -------------------------------------------------------------- */

static void test_eth_ipv4(void **state) {
  (void)state;
  struct pkt_info p;
  struct buf l4 = tcp(43210, 80, 0x18, 5, "GET / HTTP/1.1\r\n");
  struct buf ip = ipv4(6, &l4);
  struct buf f = eth(0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_v4(&p);
  assert_int_equal(p.proto, 6);
  assert_int_equal(p.sport, 43210);
  assert_int_equal(p.dport, 80);
  assert_int_equal(p.tcp_flags, 0x18);
  assert_int_equal(p.vlan, 0);
  assert_int_equal(p.ip_len, 20 + 20 + 16);
  assert_int_equal(p.has_inner, 0);
  assert_payload(&p, "GET / HTTP/1.1\r\n");

  /* TCP with options and IPv4 with options. */
  l4 = tcp(1, 2, 0x02, 10, "");
  ip = ipv4_full(6, V4A, V4B, &l4, 15, 0, 0);
  f = eth(0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.sport, 1);
  assert_int_equal(p.tcp_flags, 0x02);
  assert_int_equal(p.ip_len, 60 + 40);
  assert_payload(&p, "");

  /* UDP; Ethernet padding after a short datagram is not payload. */
  l4 = udp(5353, 53, "abc");
  ip = ipv4(17, &l4);
  f = eth(0x0800, &ip);
  zeros(&f, 60 - f.n);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.proto, 17);
  assert_int_equal(p.sport, 5353);
  assert_int_equal(p.dport, 53);
  assert_int_equal(p.ip_len, 31);
  assert_payload(&p, "abc");
  /* A UDP length shorter than the IP payload: the UDP length wins. */
  l4 = udp_len(1000, 2000, "abcdef", 8 + 2);
  ip = ipv4(17, &l4);
  f = eth(0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_payload(&p, "ab");

  /* Another protocol: payload is everything after the IP header. */
  struct buf gre = {.n = 0};
  bytes(&gre, "\x00\x00\x08\x00xyz", 7);
  ip = ipv4(47, &gre);
  f = eth(0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.proto, 47);
  assert_int_equal(p.sport, 0);
  assert_int_equal(p.dport, 0);
  assert_int_equal(p.payload_len, 7);
  assert_int_equal(p.payload_cap, 7);

  /* ARP: not IP, and not an anomaly. */
  struct buf arp = {.n = 0};
  zeros(&arp, 28);
  f = eth(0x0806, &arp);
  memset(&counters, 0, sizeof counters);
  assert_int_equal(dec(LINK_ETHERNET, &f, &p), DEC_NON_IP);
  assert_int_equal(total_anomalies(), 0);
  /* 802.3 length field. */
  f = eth(0x0040, &arp);
  assert_int_equal(dec(LINK_ETHERNET, &f, &p), DEC_NON_IP);
  assert_int_equal(total_anomalies(), 0);
}

static void test_icmp(void **state) {
  (void)state;
  struct pkt_info p;
  /* Echo request and reply map to one flow, reversed. */
  struct buf l4 = icmp(8, 0, 0x4242, 1, NULL);
  bytes(&l4, "pingdata", 8);
  struct buf ip = ipv4(1, &l4);
  struct buf f = eth(0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.proto, 1);
  assert_int_equal(p.icmp_type, 8);
  assert_int_equal(p.icmp_code, 0);
  assert_int_equal(p.icmp_id, 0x4242);
  assert_int_equal(p.sport, 0x4242);
  assert_int_equal(p.dport, 8);
  assert_int_equal(p.has_inner, 0);
  assert_payload(&p, "pingdata");
  l4 = icmp(0, 0, 0x4242, 1, NULL);
  ip = ipv4_full(1, V4B, V4A, &l4, 5, 0, 0);
  f = eth(0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.icmp_type, 0);
  assert_int_equal(p.sport, 8);
  assert_int_equal(p.dport, 0x4242);
  assert_payload(&p, "");
  /* Other informational types: port 0 -> type. */
  l4 = icmp(13, 0, 7, 7, NULL);
  ip = ipv4(1, &l4);
  f = eth(0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.sport, 0);
  assert_int_equal(p.dport, 13);
  assert_int_equal(p.icmp_id, 0);

  /* Destination unreachable quoting the UDP datagram it is about. */
  struct buf q4 = udp(40000, 161, "");
  struct buf quoted = ipv4_full(17, V4A, V4B, &q4, 5, 0, 20 + 8 + 40);
  l4 = icmp(3, 3, 0, 0, &quoted);
  ip = ipv4_full(1, V4B, V4A, &l4, 5, 0, 0);
  f = eth(0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.icmp_type, 3);
  assert_int_equal(p.icmp_code, 3);
  assert_int_equal(p.sport, 0);
  assert_int_equal(p.dport, 3);
  assert_int_equal(p.has_inner, 1);
  assert_int_equal(p.inner.proto, 17);
  assert_int_equal(p.inner.src.family, 4);
  assert_memory_equal(p.inner.src.b, V4A, 4);
  assert_memory_equal(p.inner.dst.b, V4B, 4);
  assert_int_equal(p.inner.sport, 40000);
  assert_int_equal(p.inner.dport, 161);
  /* Quoting an IP header with options, and TCP; time exceeded. */
  struct buf qt = tcp(5555, 443, 0x02, 5, "");
  qt.n = 8; /* only the first 8 bytes are quoted */
  quoted = ipv4_full(6, V4A, V4B, &qt, 7, 0, 100);
  l4 = icmp(11, 0, 0, 0, &quoted);
  ip = ipv4_full(1, V4B, V4A, &l4, 5, 0, 0);
  f = eth(0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.has_inner, 1);
  assert_int_equal(p.inner.proto, 6);
  assert_int_equal(p.inner.sport, 5555);
  assert_int_equal(p.inner.dport, 443);
  /* Quoting something too short, or not TCP/UDP: no inner. */
  quoted = ipv4_full(17, V4A, V4B, &q4, 5, 0, 0);
  quoted.n = 22;
  l4 = icmp(3, 1, 0, 0, &quoted);
  ip = ipv4(1, &l4);
  f = eth(0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.has_inner, 0);
  struct buf qi = icmp(8, 0, 1, 1, NULL);
  quoted = ipv4_full(1, V4A, V4B, &qi, 5, 0, 0);
  l4 = icmp(3, 1, 0, 0, &quoted);
  ip = ipv4(1, &l4);
  f = eth(0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.has_inner, 0);
  /* An echo request is not an error even if it looks like one inside. */
  quoted = ipv4_full(17, V4A, V4B, &q4, 5, 0, 0);
  l4 = icmp(8, 0, 9, 9, &quoted);
  ip = ipv4(1, &l4);
  f = eth(0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.has_inner, 0);

  /* ICMPv6: echo 128/129, and unreachable (1) quoting IPv6 + UDP. */
  l4 = icmp(128, 0, 0x77, 1, NULL);
  ip = ipv6(58, &l4);
  f = eth(0x86dd, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_v6(&p);
  assert_int_equal(p.proto, 58);
  assert_int_equal(p.sport, 0x77);
  assert_int_equal(p.dport, 128);
  l4 = icmp(129, 0, 0x77, 1, NULL);
  ip = ipv6(58, &l4);
  f = eth(0x86dd, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.sport, 128);
  assert_int_equal(p.dport, 0x77);
  struct buf q6 = udp(50000, 53, "");
  struct buf quoted6 = ipv6_full(17, V6A, V6B, &q6, 100);
  l4 = icmp(1, 4, 0, 0, &quoted6);
  ip = ipv6_full(58, V6B, V6A, &l4, 0);
  f = eth(0x86dd, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.icmp_type, 1);
  assert_int_equal(p.has_inner, 1);
  assert_int_equal(p.inner.proto, 17);
  assert_int_equal(p.inner.src.family, 6);
  assert_memory_equal(p.inner.src.b, V6A, 16);
  assert_int_equal(p.inner.sport, 50000);
  assert_int_equal(p.inner.dport, 53);
  /* ICMPv4 type numbers inside ICMPv6 mean nothing: 3 is time exceeded
   * there, an error too; 8 is not an echo request. */
  l4 = icmp(8, 0, 5, 5, NULL);
  ip = ipv6(58, &l4);
  f = eth(0x86dd, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.sport, 0);
  assert_int_equal(p.dport, 8);
  /* Protocol 1 over IPv6 and 58 over IPv4 are not ICMP: no ports. */
  l4 = icmp(8, 0, 5, 5, NULL);
  ip = ipv6(1, &l4);
  f = eth(0x86dd, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.sport, 0);
  assert_int_equal(p.icmp_type, 0);
  ip = ipv4(58, &l4);
  f = eth(0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.icmp_type, 0);
}

static void test_vlan_mpls_pppoe(void **state) {
  (void)state;
  struct pkt_info p;
  struct buf l4 = udp(1234, 5678, "v");
  struct buf ip = ipv4(17, &l4);
  /* One 802.1Q tag. */
  unsigned ids[5] = {100, 200, 300, 400, 500};
  unsigned tp1[1] = {0x8100};
  struct buf f = eth_vlans(ids, tp1, 1, 0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.vlan, 100);
  assert_int_equal(p.sport, 1234);
  assert_payload(&p, "v");
  /* QinQ (802.1ad outer, 802.1Q inner) and the old 0x9100: outer id. */
  unsigned tp2[2] = {0x88a8, 0x8100};
  f = eth_vlans(ids, tp2, 2, 0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.vlan, 100);
  unsigned tp3[2] = {0x9100, 0x8100};
  f = eth_vlans(ids, tp3, 2, 0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.vlan, 100);
  /* Four tags is the most. */
  unsigned tp4[4] = {0x88a8, 0x8100, 0x8100, 0x8100};
  f = eth_vlans(ids, tp4, 4, 0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.vlan, 100);
  /* VLAN then IPv6. */
  struct buf ip6 = ipv6(17, &l4);
  f = eth_vlans(ids, tp1, 1, 0x86dd, &ip6);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_v6(&p);
  assert_int_equal(p.vlan, 100);

  /* MPLS: two labels, the second bottom of stack, then IPv4 (by version). */
  struct buf m = {.n = 0};
  u32(&m, (16 << 12) | (0 << 8) | 64);
  u32(&m, (17 << 12) | (1 << 8) | 64);
  cat(&m, &ip);
  f = eth(0x8847, &m);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_v4(&p);
  assert_int_equal(p.sport, 1234);
  m.n = 0;
  u32(&m, (99 << 12) | (1 << 8) | 64);
  cat(&m, &ip6);
  f = eth(0x8848, &m);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_v6(&p);
  /* MPLS inside a VLAN. */
  f = eth_vlans(ids, tp1, 1, 0x8847, &m);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.vlan, 100);
  assert_v6(&p);
  /* Eight labels are allowed. */
  m.n = 0;
  for (int i = 0; i < 8; i++)
    u32(&m, ((uint32_t)(20 + i) << 12) | (i == 7 ? 1u << 8 : 0) | 64);
  cat(&m, &ip);
  f = eth(0x8847, &m);
  decode_ok(LINK_ETHERNET, &f, &p);
  /* After MPLS, neither IPv4 nor IPv6 (a pseudowire control word). */
  m.n = 0;
  u32(&m, (16 << 12) | (1 << 8) | 64);
  u32(&m, 0);
  zeros(&m, 30);
  f = eth(0x8847, &m);
  memset(&counters, 0, sizeof counters);
  assert_int_equal(dec(LINK_ETHERNET, &f, &p), DEC_NON_IP);

  /* PPPoE session: IPv4 (0x0021) and IPv6 (0x0057); LCP is not IP. */
  struct buf s = {.n = 0};
  u8(&s, 0x11);
  u8(&s, 0);
  u16(&s, 0x0001);
  u16(&s, (unsigned)ip.n + 2);
  u16(&s, 0x0021);
  cat(&s, &ip);
  f = eth(0x8864, &s);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_v4(&p);
  assert_payload(&p, "v");
  s.n = 6;
  u16(&s, 0x0057);
  cat(&s, &ip6);
  f = eth(0x8864, &s);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_v6(&p);
  s.n = 6;
  u16(&s, 0xc021);
  zeros(&s, 10);
  f = eth(0x8864, &s);
  memset(&counters, 0, sizeof counters);
  assert_int_equal(dec(LINK_ETHERNET, &f, &p), DEC_NON_IP);
  assert_int_equal(total_anomalies(), 0);
}

static void test_ipv6_ext_and_fragments(void **state) {
  (void)state;
  struct pkt_info p;
  /* Hop-by-hop, then the first fragment (offset 0, more), then TCP. */
  struct buf l4 = tcp(2222, 22, 0x10, 5, "SSH-2.0-x\r\n");
  struct buf fr = frag6(6, 0, 1, &l4);
  struct buf hbh = ext(44, 1, &fr);
  struct buf ip = ipv6(0, &hbh);
  struct buf f = eth(0x86dd, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_v6(&p);
  assert_int_equal(p.proto, 6);
  assert_int_equal(p.sport, 2222);
  assert_int_equal(p.dport, 22);
  assert_int_equal(p.ip_len, 40 + 8 + 8 + 20 + 11);
  assert_payload(&p, "SSH-2.0-x\r\n");
  /* Routing (43), destination options (60) of 2 units, AH (51). */
  struct buf u = udp(1, 2, "q");
  struct buf ah = {.n = 0};
  u8(&ah, 17);
  u8(&ah, 4); /* (4 + 2) * 4 = 24 bytes */
  zeros(&ah, 22);
  cat(&ah, &u);
  struct buf dst = ext(51, 2, &ah);
  struct buf rt = ext(60, 1, &dst);
  ip = ipv6(43, &rt);
  f = eth(0x86dd, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.proto, 17);
  assert_payload(&p, "q");
  /* No next header (59). */
  struct buf none = {.n = 0};
  zeros(&none, 4);
  ip = ipv6(59, &none);
  f = eth(0x86dd, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.proto, 59);
  /* Eight extension headers is the most. */
  struct buf chain = udp(7, 8, "");
  unsigned next = 17;
  for (int i = 0; i < 7; i++) {
    chain = ext(next, 1, &chain);
    next = 60;
  }
  chain = ext(next, 1, &chain);
  ip = ipv6(0, &chain);
  f = eth(0x86dd, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.sport, 7);

  /* A non-first fragment: no transport header, the protocol is known. */
  struct buf data = {.n = 0};
  bytes(&data, "more data of the datagram", 25);
  fr = frag6(17, 185, 0, &data);
  ip = ipv6(44, &fr);
  f = eth(0x86dd, &ip);
  memset(&counters, 0, sizeof counters);
  assert_int_equal(dec(LINK_ETHERNET, &f, &p), DEC_FRAGMENT);
  assert_int_equal(total_anomalies(), 0);
  assert_int_equal(p.proto, 17);
  assert_v6(&p);
  assert_int_equal(p.sport, 0);

  /* IPv4 fragments: offset > 0 is a fragment, with or without MF. */
  l4 = udp(53, 5353, "tail of a big answer");
  for (unsigned fo = 0; fo < 2; fo++) {
    struct buf ip4 = ipv4_full(17, V4A, V4B, &l4, 5, fo ? 0x2000 | 185 : 185, 0);
    f = eth(0x0800, &ip4);
    memset(&counters, 0, sizeof counters);
    assert_int_equal(dec(LINK_ETHERNET, &f, &p), DEC_FRAGMENT);
    assert_int_equal(total_anomalies(), 0);
    assert_int_equal(p.proto, 17);
    assert_v4(&p);
  }
}

/* The first fragment of a datagram bigger than the fragment: the UDP
 * length covers the whole datagram, which is normal, not malformed. */
static void test_first_fragment_udp(void **state) {
  (void)state;
  struct pkt_info p;
  struct buf l4 = udp_len(53, 40000, "first part of a 3000-byte answer", 3008);
  struct buf ip = ipv4_full(17, V4A, V4B, &l4, 5, 0x2000, 0); /* MF, offset 0 */
  struct buf f = eth(0x0800, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.sport, 53);
  assert_int_equal(p.dport, 40000);
  assert_int_equal(p.payload_cap, 32);
  assert_memory_equal(p.payload, "first part", 10);
  /* IPv6 alike. */
  struct buf fr = frag6(17, 0, 1, &l4);
  ip = ipv6(44, &fr);
  f = eth(0x86dd, &ip);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.sport, 53);
  assert_int_equal(p.payload_cap, 32);
  /* Without MF the same length is a lie. */
  ip = ipv4_full(17, V4A, V4B, &l4, 5, 0x4000, 0);
  f = eth(0x0800, &ip);
  expect_anomaly(LINK_ETHERNET, &f, f.n, f.n, DA_UDP_LEN_INVALID, DEC_MALFORMED);
  fr = frag6(17, 0, 0, &l4); /* an atomic fragment */
  ip = ipv6(44, &fr);
  f = eth(0x86dd, &ip);
  expect_anomaly(LINK_ETHERNET, &f, f.n, f.n, DA_UDP_LEN_INVALID, DEC_MALFORMED);
}

static void test_link_types(void **state) {
  (void)state;
  struct pkt_info p;
  struct buf l4 = tcp(1111, 443, 0x02, 5, "");
  struct buf ip4 = ipv4(6, &l4);
  struct buf ip6 = ipv6(6, &l4);
  struct buf f;
  /* Linux cooked v1: 16 bytes, protocol at 14. */
  for (int v6 = 0; v6 <= 1; v6++) {
    f.n = 0;
    u16(&f, 0);      /* packet type */
    u16(&f, 1);      /* ARPHRD_ETHER */
    u16(&f, 6);      /* address length */
    zeros(&f, 8);    /* address */
    u16(&f, v6 ? 0x86dd : 0x0800);
    cat(&f, v6 ? &ip6 : &ip4);
    decode_ok(LINK_SLL, &f, &p);
    assert_int_equal(p.src.family, v6 ? 6 : 4);
    assert_int_equal(p.sport, 1111);
    /* Cooked v2: protocol first, 20 bytes. */
    f.n = 0;
    u16(&f, v6 ? 0x86dd : 0x0800);
    u16(&f, 0);      /* reserved */
    u32(&f, 2);      /* interface index */
    u16(&f, 1);      /* ARPHRD_ETHER */
    u8(&f, 4);       /* packet type: outgoing */
    u8(&f, 6);       /* address length */
    zeros(&f, 8);
    cat(&f, v6 ? &ip6 : &ip4);
    decode_ok(LINK_SLL2, &f, &p);
    assert_int_equal(p.src.family, v6 ? 6 : 4);
    assert_int_equal(p.dport, 443);
    /* Raw IP under every number it goes by. */
    const int raws[] = {12, 14, LINK_RAW};
    for (size_t i = 0; i < 3; i++) {
      decode_ok(raws[i], v6 ? &ip6 : &ip4, &p);
      assert_int_equal(p.src.family, v6 ? 6 : 4);
    }
    decode_ok(v6 ? LINK_IPV6 : LINK_IPV4, v6 ? &ip6 : &ip4, &p);
    assert_int_equal(p.sport, 1111);
  }
  /* LINK_IPV4 given IPv6 is malformed, and the reverse. */
  expect_anomaly(LINK_IPV4, &ip6, ip6.n, ip6.n, DA_IPV4_BAD_VERSION, DEC_MALFORMED);
  expect_anomaly(LINK_IPV6, &ip4, ip4.n, ip4.n, DA_IPV6_BAD_VERSION, DEC_MALFORMED);
  /* Raw with neither version: not IP. */
  struct buf junk = {.n = 0};
  u8(&junk, 0x50);
  zeros(&junk, 30);
  memset(&counters, 0, sizeof counters);
  assert_int_equal(dec(LINK_RAW, &junk, &p), DEC_NON_IP);

  /* DLT_NULL: host byte order, either one. */
  const uint8_t le2[4] = {2, 0, 0, 0}, be2[4] = {0, 0, 0, 2};
  f.n = 0;
  bytes(&f, le2, 4);
  cat(&f, &ip4);
  decode_ok(LINK_NULL, &f, &p);
  assert_v4(&p);
  f.n = 0;
  bytes(&f, be2, 4);
  cat(&f, &ip4);
  decode_ok(LINK_NULL, &f, &p);
  assert_v4(&p);
  /* AF_INET6 as Linux, the BSDs and macOS number it, both orders. */
  const unsigned af6[] = {10, 24, 28, 30};
  for (size_t i = 0; i < 4; i++) {
    for (int be = 0; be <= 1; be++) {
      f.n = 0;
      if (be) {
        u32(&f, af6[i]);
      } else {
        u8(&f, af6[i]);
        zeros(&f, 3);
      }
      cat(&f, &ip6);
      decode_ok(LINK_NULL, &f, &p);
      assert_v6(&p);
    }
  }
  /* LOOP: always network order. */
  f.n = 0;
  u32(&f, 2);
  cat(&f, &ip4);
  decode_ok(LINK_LOOP, &f, &p);
  assert_v4(&p);
  f.n = 0;
  u32(&f, 24);
  cat(&f, &ip6);
  decode_ok(LINK_LOOP, &f, &p);
  assert_v6(&p);
  /* Unknown families. */
  f.n = 0;
  u32(&f, 7);
  cat(&f, &ip4);
  memset(&counters, 0, sizeof counters);
  assert_int_equal(dec(LINK_LOOP, &f, &p), DEC_NON_IP);
  assert_int_equal(dec(LINK_NULL, &f, &p), DEC_NON_IP);
  assert_int_equal(total_anomalies(), 0);

  /* Which link types are supported. */
  const int yes[] = {LINK_NULL, LINK_ETHERNET, 12, 14, LINK_RAW, LINK_LOOP,
                     LINK_SLL,  LINK_IPV4,     LINK_IPV6, LINK_SLL2};
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
    assert_true(decode_linktype_supported(yes[i]));
  const int no[] = {-1, 2, 105, 127, 147, 1000};
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
    assert_false(decode_linktype_supported(no[i]));
  expect_anomaly(105, &ip4, ip4.n, ip4.n, DA_LINK_UNSUPPORTED, DEC_NON_IP);
}

static void test_snaplen(void **state) {
  (void)state;
  struct pkt_info p;
  /* TCP with 40 bytes of options, captured up to the middle of them: the
   * ports and flags are there, the payload is not. */
  struct buf l4 = tcp(8080, 55555, 0x12, 15, "hello");
  struct buf ip = ipv4(6, &l4);
  struct buf f = eth(0x0800, &ip);
  memset(&counters, 0, sizeof counters);
  size_t cut = 14 + 20 + 30;
  assert_int_equal(dec_cut(LINK_ETHERNET, &f, cut, f.n, &p), DEC_OK);
  assert_int_equal(total_anomalies(), 0);
  assert_int_equal(p.sport, 8080);
  assert_int_equal(p.dport, 55555);
  assert_int_equal(p.tcp_flags, 0x12);
  assert_null(p.payload);
  assert_int_equal(p.payload_cap, 0);
  assert_int_equal(p.payload_len, 5);
  assert_int_equal(p.ip_len, 20 + 60 + 5);
  /* Cut inside the payload: some of it. */
  cut = f.n - 2;
  assert_int_equal(dec_cut(LINK_ETHERNET, &f, cut, f.n, &p), DEC_OK);
  assert_int_equal(p.payload_len, 5);
  assert_int_equal(p.payload_cap, 3);
  assert_memory_equal(p.payload, "hel", 3);
  /* Cut exactly at the end of the options. */
  cut = f.n - 5;
  assert_int_equal(dec_cut(LINK_ETHERNET, &f, cut, f.n, &p), DEC_OK);
  assert_non_null(p.payload);
  assert_int_equal(p.payload_cap, 0);
  /* UDP cut inside its payload. */
  l4 = udp(1, 2, "0123456789");
  ip = ipv6(17, &l4);
  f = eth(0x86dd, &ip);
  assert_int_equal(dec_cut(LINK_ETHERNET, &f, f.n - 4, f.n, &p), DEC_OK);
  assert_int_equal(p.payload_len, 10);
  assert_int_equal(p.payload_cap, 6);
  /* A wire length below the capture length is taken as the capture's. */
  assert_int_equal(dec_cut(LINK_ETHERNET, &f, f.n, 10, &p), DEC_OK);
  assert_int_equal(total_anomalies(), 0);
}

static void test_anomalies(void **state) {
  (void)state;
  struct buf l4 = tcp(1, 2, 0x10, 5, "");
  struct buf ip = ipv4(6, &l4);
  struct buf f = eth(0x0800, &ip);
  /* Link. */
  expect_anomaly(LINK_ETHERNET, &f, 13, 13, DA_LINK_TRUNCATED, DEC_TRUNCATED);
  expect_anomaly(LINK_SLL, &f, 15, 15, DA_LINK_TRUNCATED, DEC_TRUNCATED);
  expect_anomaly(LINK_SLL2, &f, 19, 19, DA_LINK_TRUNCATED, DEC_TRUNCATED);
  expect_anomaly(LINK_NULL, &f, 3, 3, DA_LINK_TRUNCATED, DEC_TRUNCATED);
  expect_anomaly(LINK_LOOP, &f, 0, 0, DA_LINK_TRUNCATED, DEC_TRUNCATED);
  expect_anomaly(1234, &f, f.n, f.n, DA_LINK_UNSUPPORTED, DEC_NON_IP);
  unsigned ids[5] = {1, 2, 3, 4, 5};
  unsigned tp5[5] = {0x8100, 0x8100, 0x8100, 0x8100, 0x8100};
  struct buf v = eth_vlans(ids, tp5, 5, 0x0800, &ip);
  expect_anomaly(LINK_ETHERNET, &v, v.n, v.n, DA_VLAN_TOO_MANY, DEC_MALFORMED);
  v = eth_vlans(ids, tp5, 1, 0x0800, &ip);
  expect_anomaly(LINK_ETHERNET, &v, 16, 16, DA_LINK_TRUNCATED, DEC_TRUNCATED);
  struct buf m = {.n = 0};
  for (int i = 0; i < 9; i++)
    u32(&m, 16u << 12);
  cat(&m, &ip);
  struct buf mf = eth(0x8847, &m);
  expect_anomaly(LINK_ETHERNET, &mf, mf.n, mf.n, DA_LINK_UNSUPPORTED, DEC_MALFORMED);
  expect_anomaly(LINK_ETHERNET, &mf, 14 + 6, 14 + 6, DA_LINK_TRUNCATED, DEC_TRUNCATED);
  struct buf pp = {.n = 0};
  zeros(&pp, 7);
  struct buf pf = eth(0x8864, &pp);
  expect_anomaly(LINK_ETHERNET, &pf, pf.n, pf.n, DA_LINK_TRUNCATED, DEC_TRUNCATED);

  /* IPv4. */
  expect_anomaly(LINK_ETHERNET, &f, 14 + 19, f.n, DA_IPV4_TRUNCATED, DEC_TRUNCATED);
  expect_anomaly(LINK_RAW, &ip, 0, 0, DA_IPV4_TRUNCATED, DEC_TRUNCATED);
  struct buf opt = ipv4_full(6, V4A, V4B, &l4, 15, 0, 0);
  expect_anomaly(LINK_RAW, &opt, 40, opt.n, DA_IPV4_TRUNCATED, DEC_TRUNCATED);
  struct buf bad = ip;
  bad.b[0] = 0x65; /* version 6 behind ethertype IPv4 */
  struct buf bf = eth(0x0800, &bad);
  expect_anomaly(LINK_ETHERNET, &bf, bf.n, bf.n, DA_IPV4_BAD_VERSION, DEC_MALFORMED);
  for (unsigned ihl = 0; ihl < 5; ihl++) {
    bad = ip;
    bad.b[0] = (uint8_t)(0x40 | ihl);
    expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_IPV4_HLEN_TOO_SMALL, DEC_MALFORMED);
  }
  const unsigned small[] = {0, 10, 19};
  for (size_t i = 0; i < 3; i++) {
    bad = ipv4_full(6, V4A, V4B, &l4, 5, 0, 40);
    bad.b[2] = 0;
    bad.b[3] = (uint8_t)small[i];
    expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_IPV4_LEN_TOO_SMALL, DEC_MALFORMED);
  }
  bad = ipv4_full(6, V4A, V4B, &l4, 6, 0, 23); /* below its own options */
  expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_IPV4_LEN_TOO_SMALL, DEC_MALFORMED);
  bad = ipv4_full(6, V4A, V4B, &l4, 5, 0, 41);
  expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_IPV4_LEN_EXCEEDS_WIRE, DEC_MALFORMED);
  bad = ipv4_full(6, V4A, V4B, &l4, 5, 0, 65535);
  bf = eth(0x0800, &bad);
  expect_anomaly(LINK_ETHERNET, &bf, bf.n, bf.n, DA_IPV4_LEN_EXCEEDS_WIRE, DEC_MALFORMED);

  /* IPv6. */
  struct buf ip6 = ipv6(6, &l4);
  struct buf f6 = eth(0x86dd, &ip6);
  expect_anomaly(LINK_ETHERNET, &f6, 14 + 39, f6.n, DA_IPV6_TRUNCATED, DEC_TRUNCATED);
  bad = ip6;
  bad.b[0] = 0x45;
  bf = eth(0x86dd, &bad);
  expect_anomaly(LINK_ETHERNET, &bf, bf.n, bf.n, DA_IPV6_BAD_VERSION, DEC_MALFORMED);
  bad = ipv6_full(6, V6A, V6B, &l4, 21);
  expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_IPV6_LEN_EXCEEDS_WIRE, DEC_MALFORMED);
  /* An extension header cut by the capture, or longer than the packet. */
  struct buf hbh = ext(6, 2, &l4);
  bad = ipv6(0, &hbh);
  expect_anomaly(LINK_RAW, &bad, 40 + 7, bad.n, DA_IPV6_EXTHDR_TRUNCATED, DEC_TRUNCATED);
  expect_anomaly(LINK_RAW, &bad, 40 + 12, bad.n, DA_IPV6_EXTHDR_TRUNCATED, DEC_TRUNCATED);
  bad = ipv6_full(0, V6A, V6B, &hbh, 12);
  bad.n = 40 + 12;
  expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_IPV6_EXTHDR_TRUNCATED, DEC_MALFORMED);
  struct buf fr = frag6(6, 0, 1, NULL);
  bad = ipv6(44, &fr);
  expect_anomaly(LINK_RAW, &bad, 40 + 7, bad.n, DA_IPV6_EXTHDR_TRUNCATED, DEC_TRUNCATED);
  struct buf ah = {.n = 0};
  u8(&ah, 6);
  u8(&ah, 200);
  zeros(&ah, 10);
  bad = ipv6(51, &ah);
  expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_IPV6_EXTHDR_TRUNCATED, DEC_MALFORMED);
  /* Nine extension headers. */
  struct buf chain = l4;
  unsigned next = 6;
  for (int i = 0; i < 9; i++) {
    chain = ext(next, 1, &chain);
    next = 60;
  }
  bad = ipv6(60, &chain);
  expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_IPV6_EXTHDR_TOO_MANY, DEC_MALFORMED);

  /* TCP. */
  expect_anomaly(LINK_ETHERNET, &f, 14 + 20 + 19, f.n, DA_TCP_TRUNCATED, DEC_TRUNCATED);
  for (unsigned doff = 0; doff < 5; doff++) {
    struct buf t = tcp(1, 2, 0x10, 5, "");
    t.b[12] = (uint8_t)(doff << 4);
    bad = ipv4(6, &t);
    expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_TCP_HLEN_INVALID, DEC_MALFORMED);
  }
  struct buf t = tcp(1, 2, 0x10, 5, "abcdefgh");
  t.b[12] = 8 << 4; /* 32 bytes of header in a 28-byte segment */
  bad = ipv4(6, &t);
  expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_TCP_HLEN_INVALID, DEC_MALFORMED);
  bad = ipv6(6, &t);
  expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_TCP_HLEN_INVALID, DEC_MALFORMED);
  /* The IP total length is what counts, not the bytes after it: one that
   * leaves no room for the TCP header is a lie, not a short capture. */
  t = tcp(1, 2, 0x10, 5, "abcdefgh");
  bad = ipv4_full(6, V4A, V4B, &t, 5, 0, 20 + 19);
  expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_TCP_TRUNCATED, DEC_MALFORMED);
  bad = ipv6_full(6, V6A, V6B, &t, 19);
  expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_TCP_TRUNCATED, DEC_MALFORMED);

  /* UDP. */
  struct buf u = udp(1, 2, "xyz");
  bad = ipv4(17, &u);
  expect_anomaly(LINK_RAW, &bad, 20 + 7, bad.n, DA_UDP_TRUNCATED, DEC_TRUNCATED);
  for (unsigned len = 0; len < 8; len++) {
    struct buf uu = udp_len(1, 2, "xyz", len);
    bad = ipv4(17, &uu);
    expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_UDP_LEN_INVALID, DEC_MALFORMED);
  }
  bad = ipv4_full(17, V4A, V4B, &u, 5, 0, 20 + 7);
  expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_UDP_TRUNCATED, DEC_MALFORMED);
  struct buf uu = udp_len(1, 2, "xyz", 12);
  bad = ipv4(17, &uu);
  expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_UDP_LEN_INVALID, DEC_MALFORMED);
  bad = ipv6(17, &uu);
  expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_UDP_LEN_INVALID, DEC_MALFORMED);

  /* ICMP. */
  struct buf ic = icmp(8, 0, 1, 1, NULL);
  bad = ipv4(1, &ic);
  expect_anomaly(LINK_RAW, &bad, 20 + 7, bad.n, DA_ICMP_TRUNCATED, DEC_TRUNCATED);
  bad = ipv6(58, &ic);
  expect_anomaly(LINK_RAW, &bad, 40 + 7, bad.n, DA_ICMP_TRUNCATED, DEC_TRUNCATED);
  ic.n = 7;
  bad = ipv4(1, &ic);
  expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_ICMP_TRUNCATED, DEC_MALFORMED);
  bad = ipv6(58, &ic);
  expect_anomaly(LINK_RAW, &bad, bad.n, bad.n, DA_ICMP_TRUNCATED, DEC_MALFORMED);
}

static void test_names(void **state) {
  (void)state;
  for (int i = 0; i < DA_COUNT; i++) {
    const char *n = decode_anomaly_name((enum decode_anomaly)i);
    assert_non_null(n);
    assert_true(strchr(n, '.') != NULL);
    for (int j = 0; j < i; j++)
      assert_string_not_equal(n, decode_anomaly_name((enum decode_anomaly)j));
  }
  assert_string_equal(decode_anomaly_name(DA_IPV4_HLEN_TOO_SMALL), "ipv4.hlen_too_small");
  assert_string_equal(decode_anomaly_name(DA_COUNT), "unknown");
  assert_string_equal(decode_anomaly_name((enum decode_anomaly)-1), "unknown");
}

/* Stale state from a previous packet never shows through. */
static void test_output_reset(void **state) {
  (void)state;
  struct pkt_info p;
  struct buf q4 = udp(40000, 161, "");
  struct buf quoted = ipv4_full(17, V4A, V4B, &q4, 5, 0, 0);
  struct buf l4 = icmp(3, 3, 0, 0, &quoted);
  struct buf ip = ipv4(1, &l4);
  struct buf f = eth(0x0800, &ip);
  unsigned ids[1] = {7}, tp[1] = {0x8100};
  struct buf fv = eth_vlans(ids, tp, 1, 0x0800, &ip);
  decode_ok(LINK_ETHERNET, &fv, &p);
  assert_int_equal(p.has_inner, 1);
  assert_int_equal(p.vlan, 7);
  struct buf t = tcp(1, 2, 0x10, 5, "");
  struct buf ip2 = ipv4(6, &t);
  f = eth(0x0800, &ip2);
  decode_ok(LINK_ETHERNET, &f, &p);
  assert_int_equal(p.has_inner, 0);
  assert_int_equal(p.vlan, 0);
  assert_int_equal(p.icmp_type, 0);
  assert_int_equal(p.icmp_id, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_eth_ipv4),
      cmocka_unit_test(test_icmp),
      cmocka_unit_test(test_vlan_mpls_pppoe),
      cmocka_unit_test(test_ipv6_ext_and_fragments),
      cmocka_unit_test(test_first_fragment_udp),
      cmocka_unit_test(test_link_types),
      cmocka_unit_test(test_snaplen),
      cmocka_unit_test(test_anomalies),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_output_reset),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
