/* Floods: SYN, ICMP echo and UDP packets to one host, each flood inside one
 * whole second of capture time (habit counts per destination in fixed
 * one-second windows). */
#include <stdio.h>

#include "buf.h"
#include "pkt.h"
#include "rng.h"
#include "threats.h"

#define MS 1000ll

/* 1,500 SYNs within 0.9 s to web:80 from spoofed addresses in
 * 198.18.0.0/15 (hping3 --flood --rand-source style: random ports and
 * sequence numbers, window 512, no options). Web answers some with a
 * SYN-ACK (the rest overflow its backlog); nobody ever ACKs. */
void threat_syn_flood(struct world *w, int64_t t, struct threat_truth *tr) {
  struct rng *r = w->rng;
  enum { SYNS = 1500, NET_BITS = 17 };
  static const uint8_t synack_opt[12] = {2, 4, 0x05, 0xb4, 1, 1,
                                         4, 2, 1,    3,    3, 7};
  const uint32_t net = IPV4(198, 18, 0, 0), mask = (1u << NET_BITS) - 1;
  /* Distinct sources: an odd stride walks the /15 without repeating. */
  uint32_t stride = (uint32_t)rng_next(r) | 1;
  uint32_t first = (uint32_t)rng_next(r);
  int64_t start = t + 20 * MS, ts = start;
  for (unsigned i = 0; i < SYNS; i++) {
    struct host src =
        threat_outside("spoofed", net | ((first + i * stride) & mask),
                       (uint8_t)rng_range(r, 40, 64));
    uint32_t seq = (uint32_t)rng_next(r);
    struct tcp_hdr syn = {.sport = (uint16_t)rng_range(r, 1024, 65535),
                          .dport = 80,
                          .seq = seq,
                          .flags = TCP_SYN,
                          .win = 512};
    pkt_tcp(w->tr, ts, &src, &host_web, (uint16_t)rng_next(r), &syn, NULL, 0);
    if (rng_chance(r, 0.3)) {
      struct tcp_hdr sa = {.sport = 80,
                           .dport = syn.sport,
                           .seq = (uint32_t)rng_next(r), /* a SYN cookie */
                           .ack = seq + 1,
                           .flags = TCP_SYN | TCP_ACK,
                           .win = 64240,
                           .opt = synack_opt,
                           .optlen = sizeof(synack_opt)};
      /* One draw per statement: argument order is unspecified. */
      int64_t ta = ts + rng_range(r, 20, 90);
      pkt_tcp(w->tr, ta, &host_web, &src, (uint16_t)rng_next(r), &sa, NULL, 0);
    }
    ts += rng_range(r, 500, 700); /* ~600 us apart: 0.9 s in all */
  }
  w->flows[EDGE_ATTACK]++;
  threat_truth(tr, "syn-flood", start, 0, -1, host_web.ip, 80, "tcp", "3003",
               "SYN flood: 1,500 SYNs to web:80 within 0.9 s from spoofed "
               "198.18.0.0/15 sources and random ports; web SYN-ACKs ~30%, "
               "none is ever ACKed");
  tr->cli_net = "198.18.0.0/15";
}

/* The data Linux ping sends: a struct timeval (16 bytes, little-endian),
 * then the bytes 0x10, 0x11, ... */
static void ping_data(uint8_t *p, size_t n, int64_t ts_us) {
  uint64_t sec = (uint64_t)(ts_us / 1000000),
           usec = (uint64_t)(ts_us % 1000000);
  for (int i = 0; i < 8; i++) {
    p[i] = (uint8_t)(sec >> (8 * i));
    p[8 + i] = (uint8_t)(usec >> (8 * i));
  }
  for (size_t i = 16; i < n; i++) p[i] = (uint8_t)(i);
}

/* 800 echo requests within 0.9 s from 203.0.113.200 to web (ping -f
 * style, 56 data bytes); web answers every one. */
void threat_icmp_flood(struct world *w, int64_t t, struct threat_truth *tr) {
  struct rng *r = w->rng;
  const struct host src =
      threat_outside("attacker", IPV4(203, 0, 113, 200), 52);
  uint16_t id = (uint16_t)rng_next(r);
  uint16_t ip_id = (uint16_t)rng_next(r);
  uint16_t web_id = (uint16_t)rng_next(r);
  int64_t start = t + 30 * MS, ts = start;
  uint8_t data[56];
  for (unsigned seq = 1; seq <= 800; seq++) {
    ping_data(data, sizeof(data), ts);
    pkt_icmp_echo(w->tr, ts, &src, &host_web, ip_id++, 8, id, (uint16_t)seq,
                  data, sizeof(data));
    pkt_icmp_echo(w->tr, ts + rng_range(r, 20, 90), &host_web, &src, web_id++,
                  0, id, (uint16_t)seq, data, sizeof(data));
    ts += rng_range(r, 1000, 1200); /* ~1.1 ms apart */
  }
  w->flows[EDGE_ATTACK]++;
  threat_truth(tr, "icmp-flood", start, src.ip, -1, host_web.ip, -1, "icmp",
               "3004",
               "ICMP flood: 800 echo requests from 203.0.113.200 to web within "
               "0.9 s, each answered");
}

/* 21,000 UDP datagrams of 18 random bytes within 0.9 s from one socket of
 * 198.51.100.66 to cache 10.1.0.40:9999, where nothing listens (the host's
 * port-unreachable answers are rate-limited away). One source port: random
 * ones would land on ports dissectors claim and make them report
 * "malformed" packets that are nothing of the kind. */
void threat_udp_flood(struct world *w, int64_t t, struct threat_truth *tr) {
  struct rng *r = w->rng;
  const struct host src =
      threat_outside("attacker", IPV4(198, 51, 100, 66), 55);
  uint16_t ip_id = (uint16_t)rng_next(r);
  uint16_t sport = (uint16_t)rng_range(r, 32768, 60999);
  int64_t start = t + 20 * MS, ts = start;
  uint8_t payload[18];
  for (unsigned i = 0; i < 21000; i++) {
    rng_bytes(r, payload, sizeof(payload));
    pkt_udp(w->tr, ts, &src, &host_cache, ip_id++, sport, 9999, payload,
            sizeof(payload));
    ts += rng_range(r, 36, 48); /* ~42 us apart: 0.88 s in all */
  }
  w->flows[EDGE_ATTACK]++;
  threat_truth(tr, "udp-flood", start, src.ip, sport, host_cache.ip, 9999,
               "udp", "3005",
               "UDP flood: 21,000 datagrams of 18 bytes from 198.51.100.66 to "
               "cache 10.1.0.40:9999 within 0.9 s");
}
