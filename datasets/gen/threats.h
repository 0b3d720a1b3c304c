/* datasets/gen/threats.h — the planted threats of shop-threats.pcap.
 *
 * Contract: threats_plant writes THREAT_COUNT threats into w, each at a
 * fixed offset from t0 (datasets/README.md lists the times), each with
 * hosts, ports or a time of its own so that no two mix, and describes each
 * in truth[]: the first packet's time, the 5-tuple (a port is -1 where
 * there are many or none, cli_net names many spoofed clients), and the
 * signature ids habit should raise. Every draw comes from w->rng (the
 * threats' own PRNG stream); each threat counts as one flow on EDGE_ATTACK.
 * Packets are valid for dissectors (correct checksums) except where the
 * malformation is the threat: the DNS compression loop and the heartbeat
 * that lies about its length. The bytes a detector needs lie within the
 * snaplen of their packet: threat_captured dies when they would not.
 *
 * One file per family: threats_flood.c (floods), threats_packet.c
 * (fragments, tiny MSS), threats_inject.c (HTTP and SQL injection,
 * smuggling), threats_leak.c (cards, keys), threats_tunnel.c (DNS and ICMP
 * tunnels, malicious DNS messages), threats_tls.c (Heartbleed); threats.c
 * holds the schedule and the helpers they share.
 */
#ifndef HABIT_GEN_THREATS_H
#define HABIT_GEN_THREATS_H

#include <stddef.h>
#include <stdint.h>

#include "sessions.h"
#include "shop.h"
#include "world.h"

struct buf;
struct tcp_conn;

#define THREAT_COUNT 18

/* A truth line and, when the clients are many spoofed addresses, their
 * network (written instead of cli_ip); NULL otherwise. */
struct threat_truth {
  struct truth t;
  const char *cli_net;
};

void threats_plant(struct world *w, int64_t t0,
                   struct threat_truth truth[THREAT_COUNT]);

/* ---- the threats: each writes its packets from t on and fills *tr ---- */
void threat_syn_flood(struct world *w, int64_t t, struct threat_truth *tr);
void threat_icmp_flood(struct world *w, int64_t t, struct threat_truth *tr);
void threat_udp_flood(struct world *w, int64_t t, struct threat_truth *tr);
void threat_ping_of_death(struct world *w, int64_t t, struct threat_truth *tr);
void threat_frag_overlap(struct world *w, int64_t t, struct threat_truth *tr);
void threat_tiny_mss(struct world *w, int64_t t, struct threat_truth *tr);
void threat_http_smuggling(struct world *w, int64_t t, struct threat_truth *tr);
void threat_http_sqli(struct world *w, int64_t t, struct threat_truth *tr);
void threat_http_xss(struct world *w, int64_t t, struct threat_truth *tr);
void threat_pg_sqli(struct world *w, int64_t t, struct threat_truth *tr);
void threat_leak_card(struct world *w, int64_t t, struct threat_truth *tr);
void threat_leak_private_key(struct world *w, int64_t t,
                             struct threat_truth *tr);
void threat_leak_aws_key(struct world *w, int64_t t, struct threat_truth *tr);
void threat_dns_tunnel(struct world *w, int64_t t, struct threat_truth *tr);
void threat_dns_loop(struct world *w, int64_t t, struct threat_truth *tr);
void threat_dns_oversize(struct world *w, int64_t t, struct threat_truth *tr);
void threat_icmp_tunnel(struct world *w, int64_t t, struct threat_truth *tr);
void threat_heartbleed(struct world *w, int64_t t, struct threat_truth *tr);

/* ---- shared helpers (threats.c) ---- */
#define IPV4(a, b, c, d)                                            \
  ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | \
   (uint32_t)(d))

/* A host outside the shop: its frames carry the gateway's MAC. */
struct host threat_outside(const char *name, uint32_t ip, uint8_t ttl);

void threat_truth(struct threat_truth *tr, const char *id, int64_t start,
                  uint32_t cli_ip, int cli_port, uint32_t srv_ip, int srv_port,
                  const char *proto, const char *sids, const char *desc);

/* A TCP connection from cli to srv:sport at t, counted on EDGE_ATTACK:
 * cli outside with a round trip of rtt_us from the tap, or (rtt_us 0) a
 * LAN peer. Fills out. */
void threat_connect(struct world *w, struct tcp_conn *c, const struct host *cli,
                    const struct host *srv, uint16_t sport, int64_t rtt_us,
                    int64_t t, struct session_out *out);

/* Dies unless `marker` occurs in the part of b that the capture keeps when
 * b[seg..] starts a TCP segment without options (PCAP_SNAPLEN minus the
 * Ethernet, IPv4 and TCP headers). */
void threat_captured(const struct buf *b, size_t seg, const char *marker);

#endif
