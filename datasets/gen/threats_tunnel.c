/* Tunnels and malicious DNS: data exfiltrated in DNS names (dnscat2
 * style), a response whose name loops, a response too big for plain UDP
 * DNS, and TCP carried inside ICMP echoes (ptunnel style). */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "pkt.h"
#include "proto.h"
#include "rng.h"
#include "threats.h"

#define MS 1000ll

static const char HEX[] = "0123456789abcdef";

/* One query from api to the resolver at t and its answer `delay` later;
 * returns the client port. */
static uint16_t exchange(struct world *w, const struct buf *q,
                         const struct buf *a, int64_t t, int64_t delay) {
  struct rng *r = w->rng;
  uint16_t port = world_port(w, &host_api, &host_resolver, 53);
  pkt_udp(w->tr, t, &host_api, &host_resolver, (uint16_t)rng_next(r), port, 53,
          q->p, q->len);
  pkt_udp(w->tr, t + delay, &host_resolver, &host_api, (uint16_t)rng_next(r),
          53, port, a->p, a->len);
  return port;
}

static void hex_string(struct rng *r, char *out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = HEX[rng_below(r, 16)];
  out[n] = '\0';
}

/* 40 TXT queries within ~27 s from api, each name carrying 17 bytes of
 * data as 34 hex characters and a sequence number under exfil-data.example;
 * the resolver forwards them and returns the tunnel server's TXT answers. */
void threat_dns_tunnel(struct world *w, int64_t t, struct threat_truth *tr) {
  struct rng *r = w->rng;
  struct buf q, a;
  buf_init(&q);
  buf_init(&a);
  int64_t ts = t;
  for (unsigned seq = 0; seq < 40; seq++) {
    char data[35], reply[25], name[96];
    hex_string(r, data, 34);
    hex_string(r, reply, 24);
    snprintf(name, sizeof(name), "%s.%u.exfil-data.example", data, seq);
    uint16_t id = (uint16_t)rng_next(r);
    dns_query(&q, id, name, DNS_TXT);
    const char *txt[1] = {reply};
    dns_answer_txt(&a, id, name, txt, 1, 0);
    exchange(w, &q, &a, ts, rng_range(r, 20 * MS, 60 * MS));
    buf_reset(&q);
    buf_reset(&a);
    ts += rng_range(r, 550 * MS, 700 * MS);
  }
  buf_free(&q);
  buf_free(&a);
  w->flows[EDGE_ATTACK]++;
  threat_truth(tr, "dns-tunnel", t, host_api.ip, -1, host_resolver.ip, 53,
               "udp", "3010",
               "DNS tunnel: api sends the resolver 40 TXT queries within 30 s "
               "for <34 hex chars>.<seq>.exfil-data.example (dnscat2 style), "
               "each answered with a TXT record");
}

/* api asks for an A record; the answer's owner name is a compression
 * pointer to itself. */
void threat_dns_loop(struct world *w, int64_t t, struct threat_truth *tr) {
  struct rng *r = w->rng;
  static const char name[] = "img.cdn-loop.example";
  struct buf q, a;
  buf_init(&q);
  buf_init(&a);
  uint16_t id = (uint16_t)rng_next(r);
  dns_query_a(&q, id, name);
  dns_answer_loop(&a, id, name, IPV4(192, 0, 2, 99), 300);
  uint16_t port = exchange(w, &q, &a, t, rng_range(r, 20 * MS, 60 * MS));
  buf_free(&q);
  buf_free(&a);
  w->flows[EDGE_ATTACK]++;
  threat_truth(tr, "dns-loop", t, host_api.ip, port, host_resolver.ip, 53,
               "udp", "3043",
               "DNS compression loop: the resolver answers api's A query for "
               "img.cdn-loop.example with a record whose owner name is a "
               "pointer to itself");
}

/* api asks for a DKIM key without EDNS; the answer is 900 bytes over UDP,
 * with no additional (OPT) record and no truncation flag. */
void threat_dns_oversize(struct world *w, int64_t t, struct threat_truth *tr) {
  struct rng *r = w->rng;
  static const char name[] = "selector1._domainkey.partner-mail.example";
  enum { SIZE = 900, RR_FIXED = 2 + 10 + 1, MAX_TXT = 230 };
  struct buf q, a;
  buf_init(&q);
  buf_init(&a);
  uint16_t id = (uint16_t)rng_next(r);
  dns_query(&q, id, name, DNS_TXT);
  /* Header and question as the answer repeats them: the query's size. */
  size_t left = SIZE - q.len;
  size_t n = (left + RR_FIXED + MAX_TXT - 1) / (RR_FIXED + MAX_TXT);
  size_t text = left - n * RR_FIXED;
  char strings[8][MAX_TXT + 1];
  const char *txt[8];
  if (n > 8) gen_die("oversize answer needs %zu records", n);
  for (size_t i = 0; i < n; i++) {
    size_t len = text / n + (i < text % n ? 1 : 0);
    size_t k = 0;
    if (i == 0) {
      static const char lead[] = "v=DKIM1; k=rsa; p=";
      memcpy(strings[i], lead, sizeof(lead) - 1);
      k = sizeof(lead) - 1;
    }
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (; k < len; k++) strings[i][k] = b64[rng_below(r, 64)];
    strings[i][len] = '\0';
    txt[i] = strings[i];
  }
  dns_answer_txt(&a, id, name, txt, n, 3600);
  if (a.len != SIZE) gen_die("oversize answer is %zu bytes", a.len);
  uint16_t port = exchange(w, &q, &a, t, rng_range(r, 20 * MS, 60 * MS));
  buf_free(&q);
  buf_free(&a);
  w->flows[EDGE_ATTACK]++;
  threat_truth(tr, "dns-oversize", t, host_api.ip, port, host_resolver.ip, 53,
               "udp", "3044",
               "DNS oversize: the resolver answers api's TXT query for "
               "selector1._domainkey.partner-mail.example with 900 bytes over "
               "UDP, no EDNS (OPT) record, no TC flag");
}

/* api reaches an SSH server through ICMP: 20 echo requests to 192.0.2.88
 * whose payloads are whole IPv4/TCP packets of an inner connection
 * 10.99.0.2 -> 10.99.0.1:22, each answered by a reply carrying the inner
 * server's packet. */
void threat_icmp_tunnel(struct world *w, int64_t t, struct threat_truth *tr) {
  struct rng *r = w->rng;
  const struct host peer = threat_outside("tunnel", IPV4(192, 0, 2, 88), 49);
  const uint32_t in_cli = IPV4(10, 99, 0, 2), in_srv = IPV4(10, 99, 0, 1);
  uint16_t in_port = (uint16_t)rng_range(r, 32768, 60999);
  uint32_t cseq = (uint32_t)rng_next(r);
  uint32_t sseq = (uint32_t)rng_next(r);
  uint16_t cid = (uint16_t)rng_next(r);
  uint16_t sid = (uint16_t)rng_next(r);
  uint16_t echo_id = (uint16_t)rng_next(r);
  uint16_t ip_id = (uint16_t)rng_next(r);
  uint16_t peer_ip_id = (uint16_t)rng_next(r);
  static const char banner_c[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
  static const char banner_s[] = "SSH-2.0-OpenSSH_8.4p1\r\n";
  struct buf pay, inner;
  buf_init(&pay);
  buf_init(&inner);
  int64_t ts = t;
  for (unsigned seq = 1; seq <= 20; seq++) {
    /* The inner client's packet: SYN, then the banner, then data. */
    struct tcp_hdr th = {.sport = in_port, .dport = 22, .win = 502};
    if (seq == 1) {
      th.seq = cseq++;
      th.flags = TCP_SYN;
      th.win = 64240;
    } else {
      buf_reset(&pay);
      if (seq == 2)
        buf_str(&pay, banner_c);
      else
        buf_random(&pay, r, (size_t)rng_range(r, 48, 600));
      th.seq = cseq;
      th.ack = sseq;
      th.flags = TCP_ACK | TCP_PSH;
      cseq += (uint32_t)pay.len;
    }
    pkt_ipv4_tcp_bytes(&inner, in_cli, in_srv, 64, cid++, &th,
                       seq == 1 ? NULL : pay.p, seq == 1 ? 0 : pay.len);
    pkt_icmp_echo(w->tr, ts, &host_api, &peer, ip_id++, 8, echo_id,
                  (uint16_t)seq, inner.p, inner.len);
    buf_reset(&inner);
    /* The inner server's answer rides in the reply. */
    struct tcp_hdr sh = {.sport = 22, .dport = in_port, .win = 509};
    buf_reset(&pay);
    if (seq == 1) {
      sh.seq = sseq++;
      sh.ack = cseq;
      sh.flags = TCP_SYN | TCP_ACK;
      sh.win = 65160;
    } else {
      if (seq == 2)
        buf_str(&pay, banner_s);
      else
        buf_random(&pay, r, (size_t)rng_range(r, 48, 900));
      sh.seq = sseq;
      sh.ack = cseq;
      sh.flags = TCP_ACK | TCP_PSH;
      sseq += (uint32_t)pay.len;
    }
    pkt_ipv4_tcp_bytes(&inner, in_srv, in_cli, 64, sid++, &sh, pay.p, pay.len);
    pkt_icmp_echo(w->tr, ts + rng_range(r, 60 * MS, 80 * MS), &peer, &host_api,
                  peer_ip_id++, 0, echo_id, (uint16_t)seq, inner.p, inner.len);
    buf_reset(&inner);
    ts += rng_range(r, 300 * MS, 700 * MS);
  }
  buf_free(&pay);
  buf_free(&inner);
  w->flows[EDGE_ATTACK]++;
  threat_truth(tr, "icmp-tunnel", t, host_api.ip, -1, peer.ip, -1, "icmp",
               "3011",
               "ICMP tunnel: api sends 192.0.2.88 20 echo requests whose "
               "payloads are IPv4/TCP packets of an SSH connection "
               "10.99.0.2 -> 10.99.0.1:22; the replies carry the server's "
               "packets");
}
