/* tests/unit/test_inspect.c — collect/inspect.h end to end: decoded packets
 * (struct pkt_info built by hand, payloads in exact-size heap buffers) go
 * through collect/flow_table.h and then inspect_packet(), as the collector
 * does. Every check reaches emit with an EV_ALERT of category threat whose
 * signature id, severity, flow 5-tuple, time and words are right: SYN, ICMP
 * and UDP floods, overlapping fragments and the ping of death (non-first
 * fragments have no flow), Heartbleed attempts and leaks, HTTP smuggling,
 * DNS compression loops and oversize messages over UDP and TCP, DNS
 * tunnels, ICMP tunnels and tiny MSS. A flow raises a signature once; a
 * DNS tunnel once per domain and window, whatever its flows. Every alert
 * emitted is encoded and decoded back (core/event.h) in the emit callback:
 * its flow is open (EV_END_OPEN). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect/flow_table.h"
#include "collect/inspect.h"
#include "config/config.h"
#include "core/event.h"
#include "detect/leak/leak.h"
#include "detect/signatures.h"

#define S 1000000000ull
#define T0 (1700000040ull * S) /* a multiple of 60 s */
#define FIN 0x01
#define SYN 0x02
#define ACK 0x10
#define PSH 0x08

#define MAX_ALERTS 64

static struct event alerts[MAX_ALERTS];
static size_t n_alerts;
static struct config cfg;
static struct flow_table table;
static struct inspector in;
static char node[EV_NAME_MAX] = "node-1";
static uint8_t **bufs; /* payload copies, freed at teardown */
static size_t n_bufs, cap_bufs;

/* The collector's sink, as the engine would get it: the alert must survive
 * the wire. */
static int on_alert(void *ctx, const struct event *ev) {
  assert_ptr_equal(ctx, &in);
  assert_true(n_alerts < MAX_ALERTS);
  uint8_t wire[EV_MAX_WIRE];
  int n = ev_encode(ev, wire, sizeof wire);
  if (n <= 0)
    fail_msg("ev_encode: %d for \"%s\"", n, ev->u.alert.signature);
  struct event back;
  struct hb_error err;
  memset(&err, 0, sizeof err);
  if (ev_decode(wire, (size_t)n, &back, &err) != 0)
    fail_msg("ev_decode: %s", err.msg);
  assert_int_equal(back.kind, EV_ALERT);
  assert_int_equal(back.ts_ns, ev->ts_ns);
  assert_string_equal(back.node, "node-1");
  const struct ev_alert *a = &back.u.alert, *o = &ev->u.alert;
  assert_int_equal(a->signature_id, o->signature_id);
  assert_int_equal(a->category, EV_CAT_THREAT);
  assert_int_equal(a->severity, o->severity);
  assert_int_equal(a->action, EV_ACTION_ALLOWED);
  assert_int_equal(a->at_ns, o->at_ns);
  assert_string_equal(a->signature, o->signature);
  assert_int_equal(a->flow.flow_id, o->flow.flow_id);
  assert_memory_equal(&a->flow.cli, &o->flow.cli, sizeof a->flow.cli);
  assert_memory_equal(&a->flow.srv, &o->flow.srv, sizeof a->flow.srv);
  assert_int_equal(a->flow.cli_port, o->flow.cli_port);
  assert_int_equal(a->flow.srv_port, o->flow.srv_port);
  assert_int_equal(a->flow.proto, o->flow.proto);
  assert_int_equal(a->flow.end_reason, EV_END_OPEN);
  assert_int_equal(o->flow.end_reason, EV_END_OPEN);
  alerts[n_alerts++] = back;
  return 0;
}

static void on_flow_end(void *ctx, const struct flow *f, uint8_t reason) {
  (void)ctx, (void)f, (void)reason;
}

static int setup(void **state) {
  (void)state;
  config_defaults(&cfg);
  cfg.detect.threats.syn_flood = 5;
  cfg.detect.threats.icmp_flood = 4;
  cfg.detect.threats.udp_flood = 8;
  n_alerts = 0;
  inspect_init(&in, &cfg, node, on_alert, &in);
  assert_int_equal(flow_table_init(&table, &cfg.flow, on_flow_end, NULL), 0);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  flow_table_free(&table);
  inspect_free(&in);
  config_free(&cfg);
  for (size_t i = 0; i < n_bufs; i++)
    free(bufs[i]);
  free(bufs);
  bufs = NULL;
  n_bufs = cap_bufs = 0;
  return 0;
}

static struct hb_addr ip(const char *s) {
  struct hb_addr a;
  assert_int_equal(hb_addr_parse(s, &a), 0);
  return a;
}

/* A packet with `cap` bytes of payload (a heap copy of exactly that size)
 * out of `len` declared. */
static struct pkt_info pkt(const char *src, unsigned sport, const char *dst,
                           unsigned dport, uint8_t proto, const void *payload,
                           uint32_t cap, uint32_t len) {
  struct pkt_info p;
  memset(&p, 0, sizeof p);
  p.src = ip(src);
  p.dst = ip(dst);
  p.sport = (uint16_t)sport;
  p.dport = (uint16_t)dport;
  p.proto = proto;
  p.payload_len = len;
  p.payload_cap = cap;
  if (cap) {
    if (n_bufs == cap_bufs) {
      cap_bufs = cap_bufs ? 2 * cap_bufs : 256;
      bufs = realloc(bufs, cap_bufs * sizeof *bufs);
      assert_non_null(bufs);
    }
    uint8_t *b = malloc(cap);
    assert_non_null(b);
    memcpy(b, payload, cap);
    bufs[n_bufs++] = b;
    p.payload = b;
  }
  uint32_t l4 = proto == 6 ? 20 : 8;
  p.ip_len = (p.src.family == 4 ? 20 : 40) + l4 + len;
  return p;
}

/* The collector's two steps for a decoded packet; returns its flow. */
static struct flow *see(const struct pkt_info *p, uint64_t ts, int *dir_out) {
  int dir = 0;
  struct flow *f = p->fragment && p->frag_offset ? NULL
                                                 : flow_table_packet(&table, p, ts, &dir);
  inspect_packet(&in, f, dir, p, ts);
  if (dir_out)
    *dir_out = dir;
  return f;
}

static struct flow *tcp(const char *src, unsigned sport, const char *dst, unsigned dport,
                        uint8_t flags, const void *payload, uint32_t n, uint64_t ts) {
  struct pkt_info p = pkt(src, sport, dst, dport, 6, payload, n, n);
  p.tcp_flags = flags;
  return see(&p, ts, NULL);
}

/* A TCP connection with its handshake, its application set by hand (as
 * L7 identification would have). */
static struct flow *connection(const char *c, unsigned cport, const char *s, unsigned sport,
                               uint8_t app, uint64_t ts) {
  tcp(c, cport, s, sport, SYN, NULL, 0, ts);
  tcp(s, sport, c, cport, SYN | ACK, NULL, 0, ts + 1000);
  struct flow *f = tcp(c, cport, s, sport, ACK, NULL, 0, ts + 2000);
  f->l7.app = app;
  f->l7.done = 1;
  return f;
}

static size_t count_sig(uint32_t sig) {
  size_t n = 0;
  for (size_t i = 0; i < n_alerts; i++)
    n += alerts[i].u.alert.signature_id == sig;
  return n;
}

/* The only alert of sig; checks what every alert must say. */
static const struct ev_alert *the_alert(uint32_t sig, uint8_t severity) {
  const struct ev_alert *found = NULL;
  for (size_t i = 0; i < n_alerts; i++)
    if (alerts[i].u.alert.signature_id == sig) {
      if (found)
        fail_msg("signature %u raised twice", sig);
      found = &alerts[i].u.alert;
      assert_int_equal(alerts[i].ts_ns, found->at_ns);
    }
  if (!found)
    fail_msg("signature %u not raised", sig);
  assert_int_equal(found->category, EV_CAT_THREAT);
  assert_int_equal(found->severity, severity);
  assert_int_equal(found->mode, EV_MODE_DISCOVER);
  return found;
}

static void assert_tuple(const struct ev_flow *f, const char *cli, unsigned cport,
                         const char *srv, unsigned sport, uint8_t proto) {
  struct hb_addr c = ip(cli), s = ip(srv);
  assert_memory_equal(&f->cli, &c, sizeof c);
  assert_memory_equal(&f->srv, &s, sizeof s);
  assert_int_equal(f->cli_port, cport);
  assert_int_equal(f->srv_port, sport);
  assert_int_equal(f->proto, proto);
  assert_int_equal(f->end_reason, EV_END_OPEN);
}

static void assert_words(const struct ev_alert *a, const char *want) {
  if (!strstr(a->signature, want))
    fail_msg("\"%s\" does not say \"%s\"", a->signature, want);
}

/* --- floods ---------------------------------------------------------------- */

static void test_syn_flood(void **state) {
  (void)state;
  /* 5 SYNs a second to one host: the limit; SYN-ACKs and ACKs do not count. */
  for (unsigned i = 0; i < 5; i++) {
    tcp("10.0.0.1", 40000 + i, "10.0.0.2", 80, SYN, NULL, 0, T0 + i);
    tcp("10.0.0.2", 80, "10.0.0.1", 40000 + i, SYN | ACK, NULL, 0, T0 + 100 + i);
    tcp("10.0.0.1", 40000 + i, "10.0.0.2", 80, ACK, NULL, 0, T0 + 200 + i);
  }
  /* 10.0.0.1's own connections elsewhere: 6 SYN-ACKs to it. */
  for (unsigned i = 0; i < 6; i++) {
    const char *srv = i & 1 ? "10.0.0.3" : "10.0.0.4";
    tcp("10.0.0.1", 42000 + i, srv, 443, SYN, NULL, 0, T0 + 300 + i);
    tcp(srv, 443, "10.0.0.1", 42000 + i, SYN | ACK, NULL, 0, T0 + 400 + i);
  }
  assert_int_equal(n_alerts, 0);
  tcp("10.0.0.9", 40005, "10.0.0.2", 80, SYN, NULL, 0, T0 + 1000);
  const struct ev_alert *a = the_alert(SIG_SYN_FLOOD, 2);
  assert_tuple(&a->flow, "10.0.0.9", 40005, "10.0.0.2", 80, 6);
  assert_int_equal(a->at_ns, T0 + 1000);
  assert_words(a, "SYN flood: more than 5 SYNs to 10.0.0.2 within 1 s (threshold 5 per "
                  "second)");
  assert_true(a->score > 1.0);
  /* More SYNs in the quiet period: nothing more. */
  for (unsigned i = 0; i < 50; i++)
    tcp("10.0.0.1", 41000 + i, "10.0.0.2", 80, SYN, NULL, 0, T0 + 2000 + i);
  assert_int_equal(count_sig(SIG_SYN_FLOOD), 1);
  assert_int_equal(in.alerts, 1);
}

static void test_icmp_udp_floods(void **state) {
  (void)state;
  uint8_t ping[56] = {0};
  for (unsigned i = 0; i < 5; i++) {
    struct pkt_info p = pkt("10.0.0.1", 0, "10.0.0.3", 0, 1, ping, 56, 56);
    p.icmp_type = 8;
    p.icmp_id = (uint16_t)(7 + i);
    p.sport = p.icmp_id, p.dport = 8;
    see(&p, T0 + i, NULL);
    /* Replies do not count. */
    struct pkt_info r = pkt("10.0.0.3", 0, "10.0.0.1", 0, 1, ping, 56, 56);
    r.icmp_type = 0;
    r.icmp_id = (uint16_t)(7 + i);
    r.sport = 8, r.dport = r.icmp_id;
    see(&r, T0 + 10 + i, NULL);
  }
  const struct ev_alert *a = the_alert(SIG_ICMP_FLOOD, 2);
  assert_tuple(&a->flow, "10.0.0.1", 11, "10.0.0.3", 8, 1);
  assert_words(a, "ICMP flood: more than 4 ICMP echo requests to 10.0.0.3");
  /* IPv6 echo requests. */
  for (unsigned i = 0; i < 5; i++) {
    struct pkt_info p = pkt("fd00::1", 0, "fd00::3", 0, 58, ping, 56, 56);
    p.icmp_type = 128;
    p.icmp_id = 99;
    p.sport = 99, p.dport = 128;
    see(&p, T0 + 100 + i, NULL);
  }
  assert_int_equal(count_sig(SIG_ICMP_FLOOD), 2);
  assert_words(&alerts[n_alerts - 1].u.alert, "to fd00::3");
  /* UDP: 9 datagrams to one host, from anywhere. */
  for (unsigned i = 0; i < 9; i++) {
    struct pkt_info p = pkt("10.1.0.1", 1000 + i, "10.0.0.4", 9999, 17, "x", 1, 1);
    see(&p, T0 + 200 + i, NULL);
  }
  a = the_alert(SIG_UDP_FLOOD, 2);
  assert_tuple(&a->flow, "10.1.0.1", 1008, "10.0.0.4", 9999, 17);
  assert_words(a, "UDP flood: more than 8 UDP packets to 10.0.0.4");
}

/* --- fragments ------------------------------------------------------------- */

static struct pkt_info fragment(const char *src, unsigned sport, const char *dst,
                                unsigned dport, uint8_t proto, uint32_t id, uint32_t off,
                                uint32_t len) {
  static uint8_t zeros[1480];
  uint32_t cap = off ? len : len - 8; /* the first one carries the L4 header */
  struct pkt_info p = pkt(src, off ? 0 : sport, dst, off ? 0 : dport, proto, zeros,
                          cap > sizeof zeros ? (uint32_t)sizeof zeros : cap, cap);
  p.fragment = 1;
  p.more_frags = 1;
  p.frag_offset = off;
  p.frag_len = len;
  p.ip_id = id;
  return p;
}

static void test_fragment_overlap(void **state) {
  (void)state;
  /* The first fragment of a UDP datagram (with a flow), then a non-first
   * one (without) that overlaps it. */
  struct pkt_info first = fragment("10.0.0.1", 5353, "10.0.0.2", 53, 17, 77, 0, 1480);
  assert_non_null(see(&first, T0, NULL));
  struct pkt_info second = fragment("10.0.0.1", 0, "10.0.0.2", 0, 17, 77, 1480, 1480);
  assert_null(see(&second, T0 + 1, NULL));
  assert_int_equal(n_alerts, 0);
  struct pkt_info evil = fragment("10.0.0.1", 0, "10.0.0.2", 0, 17, 77, 1000, 800);
  assert_null(see(&evil, T0 + 2, NULL));
  const struct ev_alert *a = the_alert(SIG_FRAG_OVERLAP, 2);
  /* The packet's addresses, and the ports of its first fragment. */
  assert_tuple(&a->flow, "10.0.0.1", 5353, "10.0.0.2", 53, 17);
  assert_words(a, "overlapping IP fragments: 10.0.0.1 -> 10.0.0.2 (id 77) bytes 1000-1800 "
                  "overlap the fragment at 0");
  assert_int_equal(a->flow.state, EV_STATE_NEW);
  /* Once per datagram. */
  evil.frag_offset = 1400;
  see(&evil, T0 + 3, NULL);
  assert_int_equal(n_alerts, 1);
  /* Non-first fragments alone, of a datagram never seen: no ports, and
   * fine when they do not overlap. */
  struct pkt_info lone = fragment("10.0.0.5", 0, "10.0.0.6", 0, 6, 9, 1480, 1480);
  see(&lone, T0 + 4, NULL);
  assert_int_equal(n_alerts, 1);
  lone.frag_offset = 2000;
  see(&lone, T0 + 5, NULL);
  a = &alerts[1].u.alert;
  assert_int_equal(a->signature_id, SIG_FRAG_OVERLAP);
  assert_tuple(&a->flow, "10.0.0.5", 0, "10.0.0.6", 0, 6);
}

static void test_ping_of_death(void **state) {
  (void)state;
  /* An echo request in 1480-byte fragments whose last ends past 65,515. */
  for (uint32_t off = 0; off < 65520; off += 1480) {
    struct pkt_info p = fragment("10.0.0.1", 0, "10.0.0.2", 0, 1, 4242, off, 1480);
    if (off == 0)
      p.icmp_type = 8, p.icmp_id = 1, p.sport = 1, p.dport = 8;
    see(&p, T0 + off, NULL);
  }
  const struct ev_alert *a = the_alert(SIG_PING_OF_DEATH, 1);
  assert_tuple(&a->flow, "10.0.0.1", 0, "10.0.0.2", 0, 1);
  assert_words(a, "ping of death: a fragment of 10.0.0.1 -> 10.0.0.2 (id 4242) ends at "
                  "byte 66600, past the 65,535");
  /* The same fragment again: once per datagram. */
  struct pkt_info again = fragment("10.0.0.1", 0, "10.0.0.2", 0, 1, 4242, 65120, 1480);
  see(&again, T0 + 70000, NULL);
  assert_int_equal(count_sig(SIG_PING_OF_DEATH), 1);
  /* IPv6: past 65,535. */
  struct pkt_info v6 = fragment("fd00::1", 0, "fd00::2", 0, 58, 5, 65528, 16);
  see(&v6, T0 + 80000, NULL);
  assert_int_equal(count_sig(SIG_PING_OF_DEATH), 2);
}

/* --- payloads -------------------------------------------------------------- */

static void test_heartbleed(void **state) {
  (void)state;
  struct flow *f = connection("10.0.0.1", 40001, "10.0.0.2", 443, L7_APP_TLS, T0);
  /* The exploit's request right after the handshake: 3-byte record,
   * claiming 16 KiB. */
  const uint8_t req[] = {24, 3, 2, 0, 3, 1, 0x40, 0};
  tcp("10.0.0.1", 40001, "10.0.0.2", 443, PSH | ACK, req, sizeof req, T0 + S);
  const struct ev_alert *a = the_alert(SIG_HEARTBLEED, 1);
  assert_tuple(&a->flow, "10.0.0.1", 40001, "10.0.0.2", 443, 6);
  assert_int_equal(a->flow.flow_id, flow_id(f));
  assert_int_equal(a->flow.state, EV_STATE_ESTABLISHED);
  assert_int_equal(a->flow.pkts_c2s, 3);
  assert_int_equal(a->flow.pkts_s2c, 1);
  assert_int_equal(a->at_ns, T0 + S);
  assert_words(a, "Heartbleed: a TLS heartbeat request claims 16384 bytes in a 3-byte record");
  /* The server answers with 16 KiB: the leak, on the same flow. */
  static uint8_t resp[5 + 16387];
  resp[0] = 24, resp[1] = 3, resp[2] = 2, resp[3] = 0x40, resp[4] = 3;
  resp[5] = 2, resp[6] = 0x40, resp[7] = 0;
  tcp("10.0.0.2", 443, "10.0.0.1", 40001, PSH | ACK, resp, sizeof resp, T0 + 2 * S);
  a = the_alert(SIG_HEARTBLEED_LEAK, 1);
  assert_tuple(&a->flow, "10.0.0.1", 40001, "10.0.0.2", 443, 6);
  assert_words(a, "Heartbleed: the server answered a 3-byte heartbeat with a 16387-byte one");
  /* Again and again on this flow: raised once each. */
  for (int i = 0; i < 3; i++) {
    tcp("10.0.0.1", 40001, "10.0.0.2", 443, PSH | ACK, req, sizeof req, T0 + 3 * S + i);
    tcp("10.0.0.2", 443, "10.0.0.1", 40001, PSH | ACK, resp, sizeof resp, T0 + 4 * S + i);
  }
  assert_int_equal(n_alerts, 2);
  /* Another flow: a heartbeat before application data. */
  connection("10.0.0.1", 40002, "10.0.0.2", 443, L7_APP_TLS, T0 + 10 * S);
  const uint8_t ok[] = {24, 3, 3, 0, 19, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
                        9, 10, 11, 12, 13, 14, 15, 16};
  tcp("10.0.0.1", 40002, "10.0.0.2", 443, PSH | ACK, ok, sizeof ok, T0 + 11 * S);
  assert_int_equal(count_sig(SIG_HEARTBLEED), 2);
  assert_words(&alerts[2].u.alert, "before any application data (record of 19 bytes)");
  /* After application data the same heartbeat is fine. */
  connection("10.0.0.1", 40003, "10.0.0.2", 443, L7_APP_TLS, T0 + 20 * S);
  const uint8_t app[] = {23, 3, 3, 0, 4, 0xde, 0xad, 0xbe, 0xef};
  tcp("10.0.0.1", 40003, "10.0.0.2", 443, PSH | ACK, app, sizeof app, T0 + 21 * S);
  tcp("10.0.0.1", 40003, "10.0.0.2", 443, PSH | ACK, ok, sizeof ok, T0 + 22 * S);
  assert_int_equal(n_alerts, 3);
  /* Not a TLS flow: nothing is looked at. */
  connection("10.0.0.1", 40004, "10.0.0.2", 8443, L7_APP_NONE, T0 + 30 * S);
  tcp("10.0.0.1", 40004, "10.0.0.2", 8443, PSH | ACK, req, sizeof req, T0 + 31 * S);
  assert_int_equal(n_alerts, 3);
}

static void test_http_smuggling(void **state) {
  (void)state;
  const char *req = "POST /login HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 6\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nG";
  uint32_t n = (uint32_t)strlen(req);
  connection("10.0.0.7", 50000, "10.0.0.8", 80, L7_APP_HTTP, T0);
  tcp("10.0.0.7", 50000, "10.0.0.8", 80, PSH | ACK, req, n, T0 + S);
  const struct ev_alert *a = the_alert(SIG_HTTP_SMUGGLING, 1);
  assert_tuple(&a->flow, "10.0.0.7", 50000, "10.0.0.8", 80, 6);
  assert_string_equal(a->signature,
                      "HTTP request smuggling: both Content-Length and Transfer-Encoding");
  /* The smuggled request that follows on this flow: not twice. */
  const char *req2 = "GET / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n";
  tcp("10.0.0.7", 50000, "10.0.0.8", 80, PSH | ACK, req2, (uint32_t)strlen(req2), T0 + 2 * S);
  assert_int_equal(n_alerts, 1);
  /* From the server, or not starting with a method: not a request. */
  connection("10.0.0.7", 50001, "10.0.0.8", 80, L7_APP_HTTP, T0 + 3 * S);
  tcp("10.0.0.8", 80, "10.0.0.7", 50001, PSH | ACK, req, n, T0 + 4 * S);
  const char *body = "0\r\n\r\nPOST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n";
  tcp("10.0.0.7", 50001, "10.0.0.8", 80, PSH | ACK, body, (uint32_t)strlen(body), T0 + 5 * S);
  assert_int_equal(n_alerts, 1);
  /* A fine request, then a bad one on the same flow: raised then. */
  const char *fine = "GET / HTTP/1.1\r\nHost: shop.example\r\n\r\n";
  tcp("10.0.0.7", 50001, "10.0.0.8", 80, PSH | ACK, fine, (uint32_t)strlen(fine), T0 + 6 * S);
  assert_int_equal(n_alerts, 1);
  tcp("10.0.0.7", 50001, "10.0.0.8", 80, PSH | ACK, req2, (uint32_t)strlen(req2), T0 + 7 * S);
  assert_int_equal(n_alerts, 2);
  assert_int_equal(alerts[1].u.alert.signature_id, SIG_HTTP_SMUGGLING);
  assert_tuple(&alerts[1].u.alert.flow, "10.0.0.7", 50001, "10.0.0.8", 80, 6);
  assert_words(&alerts[1].u.alert, "does not end in chunked");
}

/* A DNS message: header, one question, then `extra` raw bytes. */
static size_t dns_msg(uint8_t *b, unsigned flags, unsigned an, unsigned ar, const char *qname,
                      unsigned qtype) {
  size_t n = 0;
  const unsigned h[6] = {0xbeef, flags, 1, an, 0, ar};
  for (int i = 0; i < 6; i++)
    b[n++] = (uint8_t)(h[i] >> 8), b[n++] = (uint8_t)h[i];
  while (*qname) {
    const char *dot = strchr(qname, '.');
    size_t l = dot ? (size_t)(dot - qname) : strlen(qname);
    b[n++] = (uint8_t)l;
    memcpy(b + n, qname, l);
    n += l;
    qname += l + (dot ? 1 : 0);
  }
  b[n++] = 0;
  b[n++] = (uint8_t)(qtype >> 8), b[n++] = (uint8_t)qtype;
  b[n++] = 0, b[n++] = 1;
  return n;
}

/* An A record whose owner is a pointer to `to`. */
static size_t answer(uint8_t *b, size_t n, size_t to) {
  const uint8_t rr[] = {(uint8_t)(0xc0 | to >> 8), (uint8_t)to, 0, 1, 0, 1, 0, 0, 1, 0,
                        0, 4, 10, 0, 0, 1};
  memcpy(b + n, rr, sizeof rr);
  return n + sizeof rr;
}

static struct flow *udp(const char *src, unsigned sport, const char *dst, unsigned dport,
                        const uint8_t *payload, size_t n, uint64_t ts) {
  struct pkt_info p = pkt(src, sport, dst, dport, 17, payload, (uint32_t)n, (uint32_t)n);
  return see(&p, ts, NULL);
}

static void test_dns_loop_and_oversize(void **state) {
  (void)state;
  static uint8_t m[2048];
  /* A query, then a response whose answer's owner points at itself. */
  size_t n = dns_msg(m, 0x0100, 0, 0, "www.example.com", 1);
  udp("10.0.0.1", 33333, "10.0.0.53", 53, m, n, T0);
  assert_int_equal(n_alerts, 0);
  n = dns_msg(m, 0x8180, 1, 0, "www.example.com", 1);
  n = answer(m, n, n);
  udp("10.0.0.53", 53, "10.0.0.1", 33333, m, n, T0 + 1000);
  const struct ev_alert *a = the_alert(SIG_DNS_LOOP, 2);
  assert_tuple(&a->flow, "10.0.0.1", 33333, "10.0.0.53", 53, 17);
  assert_words(a, "a DNS name whose compression pointers loop or point forward (49 bytes, "
                  "question www.example.com)");
  /* The same again on this flow: once. */
  udp("10.0.0.53", 53, "10.0.0.1", 33333, m, n, T0 + 2000);
  assert_int_equal(n_alerts, 1);
  /* A 600-byte answer over UDP without EDNS: oversize, on the same flow. */
  n = dns_msg(m, 0x8180, 36, 0, "www.example.com", 1);
  for (int i = 0; i < 36; i++)
    n = answer(m, n, 12);
  assert_true(n > 512);
  udp("10.0.0.53", 53, "10.0.0.1", 33333, m, n, T0 + 3000);
  a = the_alert(SIG_DNS_OVERSIZE, 3);
  assert_tuple(&a->flow, "10.0.0.1", 33333, "10.0.0.53", 53, 17);
  assert_words(a, "larger than 512 bytes without EDNS");
  /* Over TCP: after the 2-byte length, and no size limit. */
  connection("10.0.0.1", 40053, "10.0.0.53", 53, L7_APP_NONE, T0 + S);
  static uint8_t t[2050];
  t[0] = (uint8_t)(n >> 8), t[1] = (uint8_t)n;
  memcpy(t + 2, m, n);
  tcp("10.0.0.53", 53, "10.0.0.1", 40053, PSH | ACK, t, (uint32_t)n + 2, T0 + 2 * S);
  assert_int_equal(n_alerts, 2);
  n = dns_msg(m, 0x8180, 1, 0, "www.example.com", 1);
  n = answer(m, n, n);
  t[0] = 0, t[1] = (uint8_t)n;
  memcpy(t + 2, m, n);
  tcp("10.0.0.53", 53, "10.0.0.1", 40053, PSH | ACK, t, (uint32_t)n + 2, T0 + 3 * S);
  assert_int_equal(count_sig(SIG_DNS_LOOP), 2);
  a = &alerts[2].u.alert;
  assert_int_equal(a->signature_id, SIG_DNS_LOOP);
  assert_tuple(&a->flow, "10.0.0.1", 40053, "10.0.0.53", 53, 6);
  /* Not DNS on port 53: nothing. */
  udp("10.0.0.1", 33334, "10.0.0.53", 53, (const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18,
      T0 + 4 * S);
  assert_int_equal(n_alerts, 3);
}

/* mDNS fills datagrams up to 9000 bytes without EDNS (RFC 6762 §17): not
 * oversize. Its loops are still loops. */
static void test_mdns_sizes(void **state) {
  (void)state;
  static uint8_t m[2048];
  size_t n = dns_msg(m, 0x8400, 60, 0, "_services._dns-sd._udp.local", 12);
  for (int i = 0; i < 60; i++)
    n = answer(m, n, 12);
  assert_true(n > 512);
  struct flow *f = udp("10.0.0.9", 5353, "224.0.0.251", 5353, m, n, T0);
  assert_int_equal(f->l7.app, L7_APP_DNS);
  udp("fe80::1", 5353, "ff02::fb", 5353, m, n, T0 + 1);
  /* A one-shot query (from an ephemeral port) with many known answers. */
  n = dns_msg(m, 0, 60, 0, "_services._dns-sd._udp.local", 12);
  for (int i = 0; i < 60; i++)
    n = answer(m, n, 12);
  f = udp("10.0.0.10", 49152, "224.0.0.251", 5353, m, n, T0 + 2);
  assert_int_equal(f->l7.app, L7_APP_DNS);
  /* ... and its answer, by unicast to that port (RFC 6762 §5.1). */
  n = dns_msg(m, 0x8400, 60, 0, "_services._dns-sd._udp.local", 12);
  for (int i = 0; i < 60; i++)
    n = answer(m, n, 12);
  udp("10.0.0.9", 5353, "10.0.0.10", 49153, m, n, T0 + 2);
  assert_int_equal(n_alerts, 0);
  n = dns_msg(m, 0x8400, 1, 0, "printer.local", 1);
  n = answer(m, n, n);
  udp("10.0.0.9", 5353, "224.0.0.251", 5353, m, n, T0 + 3);
  const struct ev_alert *a = the_alert(SIG_DNS_LOOP, 2);
  assert_tuple(&a->flow, "10.0.0.9", 5353, "224.0.0.251", 5353, 17);
}

static void test_dns_tunnel(void **state) {
  (void)state;
  static uint8_t m[512];
  char name[128];
  /* dnscat2-like TXT queries from many source ports (one flow each). */
  unsigned i = 0;
  uint64_t x = 88172645463325252ull;
  while (n_alerts == 0 && i < 50) {
    char hex[35];
    for (int k = 0; k < 34; k++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      hex[k] = "0123456789abcdef"[x & 15];
    }
    hex[34] = '\0';
    snprintf(name, sizeof name, "%s.c2.evil.com", hex);
    size_t n = dns_msg(m, 0x0100, 0, 0, name, 16);
    udp("10.0.0.1", 20000 + i, "10.0.0.53", 53, m, n, T0 + i * S);
    i++;
  }
  assert_true(i >= 2 && i <= 10);
  const struct ev_alert *a = the_alert(SIG_DNS_TUNNEL, 2);
  assert_tuple(&a->flow, "10.0.0.1", 20000 + i - 1, "10.0.0.53", 53, 17);
  assert_words(a, "DNS tunnel: queries for names under evil.com look like data (score ");
  assert_words(a, "within 60 s; e.g. ");
  assert_words(a, name);
  assert_words(a, "longest label 34");
  /* More in this window: quiet. In the next one, the same flow again. */
  size_t n = dns_msg(m, 0x0100, 0, 0, name, 16);
  for (unsigned k = 0; k < 20; k++)
    udp("10.0.0.1", 20000 + i - 1, "10.0.0.53", 53, m, n, T0 + 50 * S + k * (S / 4));
  assert_int_equal(n_alerts, 1);
  for (unsigned k = 0; k < 20 && n_alerts == 1; k++)
    udp("10.0.0.1", 20000 + i - 1, "10.0.0.53", 53, m, n, T0 + 60 * S + k * (S / 4));
  assert_int_equal(count_sig(SIG_DNS_TUNNEL), 2);
  assert_tuple(&alerts[1].u.alert.flow, "10.0.0.1", 20000 + i - 1, "10.0.0.53", 53, 17);
  /* Ordinary names, many times (5 a second, below the UDP flood): nothing. */
  const char *names[] = {"www.example.com", "e12345.dscb.akamaiedge.net", "_dmarc.example.com"};
  for (unsigned k = 0; k < 3000; k++) {
    n = dns_msg(m, 0x0100, 0, 0, names[k % 3], k % 3 == 2 ? 16 : 1);
    udp("10.0.0.2", 30000 + k % 100, "10.0.0.53", 53, m, n, T0 + 200 * S + k * (S / 5));
  }
  assert_int_equal(n_alerts, 2);
}

static void icmp_echo(const char *src, const char *dst, uint8_t type, uint16_t id,
                      const uint8_t *payload, uint32_t n, int has_inner, uint64_t ts) {
  struct pkt_info p = pkt(src, 0, dst, 0, 1, payload, n, n);
  p.icmp_type = type;
  p.icmp_id = id;
  p.sport = type == 8 ? id : 8;
  p.dport = type == 8 ? 8 : id;
  p.has_inner = (uint8_t)has_inner;
  see(&p, ts, NULL);
}

static void test_icmp_tunnel(void **state) {
  (void)state;
  /* A Linux ping: nothing. */
  uint8_t ping[56];
  for (int i = 0; i < 56; i++)
    ping[i] = (uint8_t)i;
  memcpy(ping, "\x60\xf1\x53\x65\0\0\0\0\x15\xcd\x5b\x07\0\0\0\0", 16);
  icmp_echo("10.0.0.1", "10.0.0.2", 8, 7, ping, sizeof ping, 0, T0);
  icmp_echo("10.0.0.2", "10.0.0.1", 0, 7, ping, sizeof ping, 0, T0 + 1000);
  assert_int_equal(n_alerts, 0);
  /* An IPv4 packet inside an echo request. */
  uint8_t tun[60] = {0x45, 0, 0, 60, 0, 1, 0, 0, 64, 6, 0, 0, 10, 9, 0, 1, 10, 9, 0, 2};
  for (int i = 20; i < 60; i++)
    tun[i] = (uint8_t)(i * 37);
  icmp_echo("10.0.0.1", "10.0.0.2", 8, 9, tun, sizeof tun, 0, T0 + S);
  const struct ev_alert *a = the_alert(SIG_ICMP_TUNNEL, 2);
  assert_tuple(&a->flow, "10.0.0.1", 9, "10.0.0.2", 8, 1);
  assert_string_equal(a->signature, "ICMP tunnel: the echo payload carries an IP packet "
                                    "(10.0.0.1 -> 10.0.0.2, 60 bytes)");
  /* The reply on the same flow: not twice. */
  icmp_echo("10.0.0.2", "10.0.0.1", 0, 9, tun, sizeof tun, 0, T0 + S + 1000);
  assert_int_equal(n_alerts, 1);
  /* A reply carrying text, on a flow of its own. */
  const char *text = "uid=0(root) gid=0(root) groups=0(root) context=unconfined";
  icmp_echo("10.0.0.1", "10.0.0.2", 8, 10, ping, sizeof ping, 0, T0 + 2 * S);
  icmp_echo("10.0.0.2", "10.0.0.1", 0, 10, (const uint8_t *)text, (uint32_t)strlen(text), 0,
            T0 + 2 * S + 1000);
  assert_int_equal(n_alerts, 2);
  assert_tuple(&alerts[1].u.alert.flow, "10.0.0.1", 10, "10.0.0.2", 8, 1);
  assert_words(&alerts[1].u.alert, "follows no ping pattern");
  /* An ICMP error quoting a packet, or another ICMP type: not echoes. */
  struct pkt_info err = pkt("10.0.0.2", 0, "10.0.0.1", 0, 1, tun, sizeof tun, sizeof tun);
  err.icmp_type = 3;
  err.dport = 3;
  see(&err, T0 + 3 * S, NULL);
  struct pkt_info ts = pkt("10.0.0.1", 0, "10.0.0.2", 0, 1, tun, sizeof tun, sizeof tun);
  ts.icmp_type = 13;
  ts.dport = 13;
  see(&ts, T0 + 3 * S, NULL);
  assert_int_equal(n_alerts, 2);
  /* ICMPv6 echo. */
  struct pkt_info v6 = pkt("fd00::1", 0, "fd00::2", 0, 58, tun, sizeof tun, sizeof tun);
  v6.icmp_type = 128;
  v6.icmp_id = 3;
  v6.sport = 3, v6.dport = 128;
  see(&v6, T0 + 4 * S, NULL);
  assert_int_equal(count_sig(SIG_ICMP_TUNNEL), 3);
}

static void test_tiny_mss(void **state) {
  (void)state;
  struct pkt_info p = pkt("10.0.0.1", 40000, "10.0.0.2", 22, 6, NULL, 0, 0);
  p.tcp_flags = SYN;
  p.tcp_mss = 1460;
  see(&p, T0, NULL);
  assert_int_equal(n_alerts, 0);
  p.sport = 40001;
  p.tcp_mss = 48;
  see(&p, T0 + 1, NULL);
  const struct ev_alert *a = the_alert(SIG_TINY_MSS, 3);
  assert_tuple(&a->flow, "10.0.0.1", 40001, "10.0.0.2", 22, 6);
  assert_string_equal(a->signature, "tiny TCP MSS: a SYN from 10.0.0.1 announces 48 bytes per "
                                    "segment (below 200)");
  /* Retransmitted SYN: once per flow. The threshold itself is not tiny. */
  see(&p, T0 + 2, NULL);
  assert_int_equal(n_alerts, 1);
  p.sport = 40002;
  p.tcp_mss = 200;
  see(&p, T0 + 3, NULL);
  assert_int_equal(n_alerts, 1);
  p.tcp_mss = 199;
  p.sport = 40003;
  see(&p, T0 + 4, NULL);
  assert_int_equal(n_alerts, 2);
}

/* Leaks: each distinct card once per flow, in either direction; nothing
 * in a payload that looks encrypted or compressed (under half of its first
 * 64 bytes text), nor in a TLS flow. */
static void test_leaks(void **state) {
  (void)state;
  struct leak_matcher *m;
  struct hb_error err = {0, ""};
  assert_int_equal(leak_matcher_build(NULL, 0, &m, &err), 0);
  assert_int_equal(inspect_set_leaks(&in, m, &err), 0);
  const char *page = "order 100231, card 4111 1111 1111 1111, total 129.90\n";
  connection("10.0.0.7", 50000, "10.0.0.8", 8080, 0, T0);
  tcp("10.0.0.8", 8080, "10.0.0.7", 50000, PSH | ACK, page, (uint32_t)strlen(page), T0 + S);
  const struct ev_alert *a = the_alert(SIG_LEAK_CARD, 1);
  assert_tuple(&a->flow, "10.0.0.7", 50000, "10.0.0.8", 8080, 6);
  assert_words(a, "4111 11** **** 1111");
  assert_words(a, "to the client");
  /* The same card again: no second alert; another card: one more. */
  tcp("10.0.0.8", 8080, "10.0.0.7", 50000, PSH | ACK, page, (uint32_t)strlen(page), T0 + 2 * S);
  assert_int_equal(count_sig(SIG_LEAK_CARD), 1);
  const char *other = "card 5500-0000-0000-0004\n";
  tcp("10.0.0.7", 50000, "10.0.0.8", 8080, PSH | ACK, other, (uint32_t)strlen(other), T0 + 3 * S);
  assert_int_equal(count_sig(SIG_LEAK_CARD), 2);
  /* After 64 bytes of binary: looks opaque, not scanned. */
  uint8_t bin[160];
  for (size_t i = 0; i < 64; i++)
    bin[i] = (uint8_t)(0x80 + i);
  const char *card = " 3782 822463 10005 ";
  memcpy(bin + 64, card, strlen(card));
  connection("10.0.0.7", 50001, "10.0.0.8", 8080, 0, T0 + 4 * S);
  tcp("10.0.0.8", 8080, "10.0.0.7", 50001, PSH | ACK, bin, (uint32_t)(64 + strlen(card)),
      T0 + 5 * S);
  assert_int_equal(count_sig(SIG_LEAK_CARD), 2);
  /* The same bytes with a text head are scanned. */
  memset(bin, 'x', 64);
  tcp("10.0.0.8", 8080, "10.0.0.7", 50001, PSH | ACK, bin, (uint32_t)(64 + strlen(card)),
      T0 + 6 * S);
  assert_int_equal(count_sig(SIG_LEAK_CARD), 3);
  /* TLS: its bytes cannot be read. */
  connection("10.0.0.7", 50002, "10.0.0.8", 443, L7_APP_TLS, T0 + 7 * S);
  tcp("10.0.0.8", 443, "10.0.0.7", 50002, PSH | ACK, page, (uint32_t)strlen(page), T0 + 8 * S);
  assert_int_equal(count_sig(SIG_LEAK_CARD), 3);
  inspect_free(&in); /* frees the scratch; teardown frees again harmlessly */
  inspect_init(&in, &cfg, node, on_alert, &in);
  leak_matcher_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_syn_flood, setup, teardown),
      cmocka_unit_test_setup_teardown(test_icmp_udp_floods, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fragment_overlap, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ping_of_death, setup, teardown),
      cmocka_unit_test_setup_teardown(test_heartbleed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_http_smuggling, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dns_loop_and_oversize, setup, teardown),
      cmocka_unit_test_setup_teardown(test_mdns_sizes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dns_tunnel, setup, teardown),
      cmocka_unit_test_setup_teardown(test_icmp_tunnel, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tiny_mss, setup, teardown),
      cmocka_unit_test_setup_teardown(test_leaks, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
