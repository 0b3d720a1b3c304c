/* Attacks on packet handling: a ping of death, overlapping fragments, and
 * a SYN that asks for tiny segments. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pkt.h"
#include "proto.h"
#include "rng.h"
#include "tcp.h"
#include "threats.h"

#define MS 1000ll

enum { PROTO_ICMP = 1, PROTO_UDP = 17 };

/* An ICMP echo request of 65,628 bytes (IP payload) from 203.0.113.201 to
 * web, sent as 46 fragments: 44 of 1,480 bytes, one of 408 up to offset
 * 65,528, and the last, 100 bytes at offset 65,528, ends past 65,535.
 * Nobody answers: the datagram can never be reassembled. */
void threat_ping_of_death(struct world *w, int64_t t, struct threat_truth *tr) {
  struct rng *r = w->rng;
  const struct host src =
      threat_outside("attacker", IPV4(203, 0, 113, 201), 50);
  enum { LAST_OFF = 65528, LAST_LEN = 100, TOTAL = LAST_OFF + LAST_LEN };
  uint8_t *m = malloc(TOTAL);
  if (!m) gen_die("out of memory");
  uint16_t id = (uint16_t)rng_next(r);
  uint16_t ip_id = (uint16_t)rng_next(r);
  m[0] = 8; /* echo request */
  m[1] = 0;
  m[2] = m[3] = 0;
  m[4] = (uint8_t)(id >> 8);
  m[5] = (uint8_t)id;
  m[6] = 0;
  m[7] = 1;
  for (size_t i = 8; i < TOTAL; i++) m[i] = (uint8_t)(i - 8); /* a pattern */
  uint16_t ck = pkt_l4_checksum(src.ip, host_web.ip, PROTO_ICMP, m, TOTAL);
  m[2] = (uint8_t)(ck >> 8);
  m[3] = (uint8_t)ck;
  int64_t ts = t;
  for (size_t off = 0; off < TOTAL;) {
    size_t len = TOTAL - off;
    if (off < LAST_OFF && len > LAST_OFF - off) len = LAST_OFF - off;
    if (len > PKT_MAX_IP_PAYLOAD) len = PKT_MAX_IP_PAYLOAD;
    uint16_t frag = (uint16_t)(off / 8 | (off + len < TOTAL ? PKT_IP_MF : 0));
    pkt_ipv4(w->tr, ts, &src, &host_web, ip_id, frag, PROTO_ICMP, m + off, len);
    off += len;
    ts += 120; /* back to back on a 100 Mbit/s uplink */
  }
  free(m);
  w->flows[EDGE_ATTACK]++;
  threat_truth(tr, "ping-of-death", t, src.ip, -1, host_web.ip, -1, "icmp",
               "3045",
               "ping of death: an echo request from 203.0.113.201 to web in 46 "
               "fragments; the last (offset 65528, 100 bytes) ends at 65628, "
               "past 65535");
}

/* A UDP datagram (an mDNS query, 76 bytes with its header) from
 * 203.0.113.202 to web:5353 in three fragments, the second overlapping the
 * first (teardrop style): bytes 0-47, 24-55, 56-75. The overlapping bytes
 * are the same in both, so every reassembly gives the one datagram and its
 * checksum holds. */
void threat_frag_overlap(struct world *w, int64_t t, struct threat_truth *tr) {
  struct rng *r = w->rng;
  const struct host src =
      threat_outside("attacker", IPV4(203, 0, 113, 202), 51);
  struct buf b;
  buf_init(&b);
  uint16_t sport = (uint16_t)rng_range(r, 1024, 65535);
  buf_u16(&b, sport);
  buf_u16(&b, 5353);
  buf_u16(&b, 0); /* length, patched below */
  buf_u16(&b, 0); /* checksum, patched below */
  /* mDNS: two PTR questions. */
  buf_u16(&b, 0);
  buf_u16(&b, 0);
  buf_u16(&b, 2);
  buf_u16(&b, 0);
  buf_u16(&b, 0);
  buf_u16(&b, 0);
  static const char *const names[2][5] = {
      {"_services", "_dns-sd", "_udp", "local", NULL},
      {"_http", "_tcp", "local", NULL, NULL}};
  for (int q = 0; q < 2; q++) {
    for (int i = 0; names[q][i]; i++) {
      buf_u8(&b, (uint8_t)strlen(names[q][i]));
      buf_str(&b, names[q][i]);
    }
    buf_u8(&b, 0);
    buf_u16(&b, 12); /* PTR */
    buf_u16(&b, 1);  /* IN */
  }
  if (b.len != 76) gen_die("overlap datagram is %zu bytes, not 76", b.len);
  buf_set_u16(&b, 4, (uint16_t)b.len);
  buf_set_u16(&b, 6,
              pkt_l4_checksum(src.ip, host_web.ip, PROTO_UDP, b.p, b.len));
  static const struct {
    size_t off, len;
  } frags[3] = {{0, 48}, {24, 32}, {56, 20}};
  uint16_t ip_id = (uint16_t)rng_next(r);
  int64_t ts = t;
  for (int i = 0; i < 3; i++) {
    uint16_t frag = (uint16_t)(frags[i].off / 8 | (i < 2 ? PKT_IP_MF : 0));
    pkt_ipv4(w->tr, ts, &src, &host_web, ip_id, frag, PROTO_UDP,
             b.p + frags[i].off, frags[i].len);
    ts += rng_range(r, 40, 120);
  }
  buf_free(&b);
  w->flows[EDGE_ATTACK]++;
  threat_truth(tr, "frag-overlap", t, src.ip, sport, host_web.ip, 5353, "udp",
               "3046",
               "overlapping fragments: a UDP datagram (mDNS query) from "
               "203.0.113.202 to web:5353 in 3 fragments, bytes 0-47, 24-55 "
               "(overlapping the first) and 56-75");
}

/* A SYN from 203.0.113.203 to web:80 with a lone MSS option of 48; the
 * handshake completes, the client asks for the home page and web answers
 * in 48-byte segments. */
void threat_tiny_mss(struct world *w, int64_t t, struct threat_truth *tr) {
  struct rng *r = w->rng;
  const struct host src_h =
      threat_outside("attacker", IPV4(203, 0, 113, 203), 53);
  struct tcp_path path;
  tcp_path_remote_client(&path, r, rng_range(r, 25 * MS, 35 * MS));
  uint16_t cport = world_port(w, &src_h, &host_web, 80);
  struct tcp_conn c;
  tcp_open_mss(&c, w->tr, r, &src_h, cport, &host_web, 80, &path, t, 48);
  w->flows[EDGE_ATTACK]++;
  struct buf b;
  buf_init(&b);
  buf_str(&b,
          "GET / HTTP/1.1\r\nHost: shop.example\r\n"
          "User-Agent: python-requests/2.31.0\r\nAccept: */*\r\n"
          "Connection: keep-alive\r\n\r\n");
  tcp_send(&c, TCP_CLI, b.p, b.len, TCP_REPLY_FOLLOWS);
  buf_reset(&b);
  tcp_idle(&c, rng_range(r, 2 * MS, 6 * MS));
  http_response(&b, r, c.now, "nginx/1.24.0", "text/html; charset=utf-8",
                (size_t)rng_range(r, 1000, 1400));
  tcp_send(&c, TCP_SRV, b.p, b.len, TCP_ACK_NOW);
  tcp_idle(&c, rng_range(r, 200 * MS, 800 * MS));
  tcp_close(&c, TCP_CLI);
  buf_free(&b);
  threat_truth(
      tr, "tiny-mss", t, src_h.ip, cport, host_web.ip, 80, "tcp", "3047",
      "tiny MSS: a SYN from 203.0.113.203 to web:80 announcing MSS 48; "
      "the handshake completes and web sends its page in 48-byte "
      "segments");
}
