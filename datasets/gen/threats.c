/* The schedule of the planted threats in shop-threats.pcap and the helpers
 * the threat families share. */
#include "threats.h"

#include <string.h>

#include "buf.h"
#include "pcap.h"
#include "sessions.h"
#include "tcp.h"

#define SEC 1000000ll

/* Offsets from the capture's start: 15 s apart, 45 s after the start of the
 * DNS tunnel (~25 s long) and 30 s after the ICMP tunnel's (~10 s). Every
 * offset is a whole second: the floods start a few ms into theirs and end
 * before the next. */
static const struct {
  int64_t at;
  void (*plant)(struct world *, int64_t, struct threat_truth *);
} schedule[THREAT_COUNT] = {
    {15 * SEC, threat_syn_flood},       {30 * SEC, threat_icmp_flood},
    {45 * SEC, threat_udp_flood},       {60 * SEC, threat_ping_of_death},
    {75 * SEC, threat_frag_overlap},    {90 * SEC, threat_tiny_mss},
    {105 * SEC, threat_http_smuggling}, {120 * SEC, threat_http_sqli},
    {135 * SEC, threat_http_xss},       {150 * SEC, threat_pg_sqli},
    {165 * SEC, threat_leak_card},      {180 * SEC, threat_leak_private_key},
    {195 * SEC, threat_leak_aws_key},   {210 * SEC, threat_dns_tunnel},
    {255 * SEC, threat_dns_loop},       {270 * SEC, threat_dns_oversize},
    {285 * SEC, threat_icmp_tunnel},    {315 * SEC, threat_heartbleed},
};

void threats_plant(struct world *w, int64_t t0,
                   struct threat_truth truth[THREAT_COUNT]) {
  for (size_t i = 0; i < THREAT_COUNT; i++)
    schedule[i].plant(w, t0 + schedule[i].at, &truth[i]);
}

struct host threat_outside(const char *name, uint32_t ip, uint8_t ttl) {
  struct host h = {name, ip, {0x02, 0x42, 10, 1, 0, 1}, ttl}; /* gateway */
  return h;
}

void threat_truth(struct threat_truth *tr, const char *id, int64_t start,
                  uint32_t cli_ip, int cli_port, uint32_t srv_ip, int srv_port,
                  const char *proto, const char *sids, const char *desc) {
  tr->cli_net = NULL;
  tr->t = (struct truth){.id = id,
                         .start_us = start,
                         .cli_ip = cli_ip,
                         .srv_ip = srv_ip,
                         .cli_port = cli_port,
                         .srv_port = srv_port,
                         .proto = proto,
                         .category = sids,
                         .description = desc};
}

void threat_connect(struct world *w, struct tcp_conn *c, const struct host *cli,
                    const struct host *srv, uint16_t sport, int64_t rtt_us,
                    int64_t t, struct session_out *out) {
  struct tcp_path path;
  if (rtt_us)
    tcp_path_remote_client(&path, w->rng, rtt_us);
  else
    tcp_path_lan(&path, w->rng);
  session_open(w, c, cli, srv, sport, &path, t, EDGE_ATTACK, out);
}

void threat_captured(const struct buf *b, size_t seg, const char *marker) {
  const size_t kept = PCAP_SNAPLEN - 14 - 20 - 20;
  size_t n = strlen(marker);
  for (size_t i = seg; i + n <= b->len; i++) {
    if (memcmp(b->p + i, marker, n) != 0) continue;
    if (i + n - seg <= kept) return;
    break;
  }
  gen_die("planted \"%s\" is not within the captured %zu bytes", marker, kept);
}
