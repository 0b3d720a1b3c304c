/* tests/unit/test_flow_table.c — collect/flow_table.h with a small config
 * and an emit callback that records every ended flow: who the client is
 * (SYN, SYN-ACK, well-known port, first sender), counters each way, TCP
 * states and end reasons, idle timeouts per class by capture time, time
 * going backwards, eviction when full, port reuse after close, ICMP errors,
 * flush, and deterministic flow ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static int dir_unused; /* flow_table_packet reports a direction the tests ignore */

#include "collect/flow_table.h"
#include "core/event.h"

#define S 1000000000ull
#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

struct ended {
  struct flow f;
  uint8_t reason;
  uint8_t state;
  uint64_t id;
};

struct rec {
  struct ended *e;
  size_t n, cap;
};

static void on_end(void *ctx, const struct flow *f, uint8_t reason) {
  struct rec *r = ctx;
  if (r->n == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 64;
    r->e = realloc(r->e, r->cap * sizeof *r->e);
    assert_non_null(r->e);
  }
  struct ended *e = &r->e[r->n++];
  e->f = *f;
  e->f.l7.facts = NULL; /* freed after we return */
  e->reason = reason;
  e->state = flow_state(f);
  e->id = flow_id(f);
}

static struct cfg_flow small_cfg(void) {
  struct cfg_flow c = {
      .max_flows = 64,
      .tcp_new_timeout = 30,
      .tcp_est_timeout = 100,
      .tcp_closed_timeout = 10,
      .udp_timeout = 60,
      .icmp_timeout = 20,
      .other_timeout = 40,
      .dpi = true,
  };
  return c;
}

static struct flow_table table;
static struct rec rec;

static void open_table(struct cfg_flow c) {
  memset(&rec, 0, sizeof rec);
  assert_int_equal(flow_table_init(&table, &c, on_end, &rec), 0);
}

static void close_table(void) {
  flow_table_free(&table);
  free(rec.e);
  memset(&rec, 0, sizeof rec);
}

static struct hb_addr ip(const char *s) {
  struct hb_addr a;
  assert_int_equal(hb_addr_parse(s, &a), 0);
  return a;
}

static struct pkt_info pkt(const char *src, unsigned sport, const char *dst,
                           unsigned dport, uint8_t proto, uint8_t flags,
                           uint32_t payload) {
  struct pkt_info p;
  memset(&p, 0, sizeof p);
  p.src = ip(src);
  p.dst = ip(dst);
  p.sport = (uint16_t)sport;
  p.dport = (uint16_t)dport;
  p.proto = proto;
  p.tcp_flags = flags;
  p.payload_len = payload;
  p.ip_len = (p.src.family == 4 ? 20 : 40) + (proto == 6 ? 20 : 8) + payload;
  return p;
}

/* Send a TCP segment at time t (seconds). */
static void tcp(const char *src, unsigned sport, const char *dst, unsigned dport,
                uint8_t flags, uint32_t payload, double t) {
  struct pkt_info p = pkt(src, sport, dst, dport, 6, flags, payload);
  flow_table_packet(&table, &p, (uint64_t)(t * S), &dir_unused);
}

static void udp(const char *src, unsigned sport, const char *dst, unsigned dport,
                uint32_t payload, double t) {
  struct pkt_info p = pkt(src, sport, dst, dport, 17, 0, payload);
  flow_table_packet(&table, &p, (uint64_t)(t * S), &dir_unused);
}

/* A packet on an unrelated flow, only to move the clock. */
static void tick(double t) { udp("10.255.255.1", 9, "10.255.255.2", 9, 0, t); }

/* Ended flows other than the ticker's. */
static size_t n_ended(void) {
  size_t n = 0;
  for (size_t i = 0; i < rec.n; i++)
    if (rec.e[i].f.c_port != 9)
      n++;
  return n;
}

static const struct ended *ended_at(size_t k) {
  for (size_t i = 0; i < rec.n; i++)
    if (rec.e[i].f.c_port != 9 && k-- == 0)
      return &rec.e[i];
  fail_msg("fewer ended flows than asked");
  return NULL;
}

static void assert_addr(const struct hb_addr *a, const char *want) {
  struct hb_addr w = ip(want);
  assert_memory_equal(a, &w, sizeof w);
}

static void test_tcp_handshake_and_fin(void **state) {
  (void)state;
  open_table(small_cfg());
  const char *C = "10.0.0.5", *Sv = "10.0.0.80";
  tcp(C, 40000, Sv, 80, SYN, 0, 1.0);
  tcp(Sv, 80, C, 40000, SYN | ACK, 0, 1.1);
  tcp(C, 40000, Sv, 80, ACK, 0, 1.2);
  tcp(C, 40000, Sv, 80, PSH | ACK, 100, 1.3);
  tcp(Sv, 80, C, 40000, PSH | ACK, 1000, 1.4);
  tcp(Sv, 80, C, 40000, PSH | ACK, 500, 1.5);
  tcp(C, 40000, Sv, 80, FIN | ACK, 0, 2.0);
  tcp(Sv, 80, C, 40000, FIN | ACK, 0, 2.1);
  tcp(C, 40000, Sv, 80, ACK, 0, 2.2);
  assert_int_equal(table.used, 1);
  /* Lingers for tcp_closed_timeout after the last packet. */
  tick(11.0);
  assert_int_equal(n_ended(), 0);
  tick(12.3);
  assert_int_equal(n_ended(), 1);
  const struct ended *e = ended_at(0);
  assert_int_equal(e->reason, EV_END_FIN);
  assert_int_equal(e->state, EV_STATE_CLOSED);
  assert_addr(&e->f.c, C);
  assert_addr(&e->f.s, Sv);
  assert_int_equal(e->f.c_port, 40000);
  assert_int_equal(e->f.s_port, 80);
  assert_int_equal(e->f.proto, 6);
  assert_int_equal(e->f.client_guessed, 0);
  assert_int_equal(e->f.pkts[0], 5);
  assert_int_equal(e->f.pkts[1], 4);
  assert_int_equal(e->f.payload[0], 100);
  assert_int_equal(e->f.payload[1], 1500);
  assert_int_equal(e->f.bytes[0], 5 * 40 + 100);
  assert_int_equal(e->f.bytes[1], 4 * 40 + 1500);
  assert_int_equal(e->f.flags[0], SYN | ACK | PSH | FIN);
  assert_int_equal(e->f.flags[1], SYN | ACK | PSH | FIN);
  assert_int_equal(e->f.first_ns, 1 * S);
  assert_int_equal(e->f.last_ns, (uint64_t)(2.2 * S));
  assert_int_equal(table.used, 1); /* the ticker */
  assert_int_equal(table.evicted, 0);
  close_table();
}

static void test_tcp_rejected_and_reset(void **state) {
  (void)state;
  open_table(small_cfg());
  /* SYN answered by RST: rejected. */
  tcp("10.0.0.5", 40001, "10.0.0.80", 81, SYN, 0, 1);
  tcp("10.0.0.80", 81, "10.0.0.5", 40001, RST | ACK, 0, 1.01);
  /* SYN unanswered: new. */
  tcp("10.0.0.5", 40002, "10.0.0.80", 82, SYN, 0, 1);
  tcp("10.0.0.5", 40002, "10.0.0.80", 82, SYN, 0, 2);
  /* Established then reset by the client. */
  tcp("10.0.0.5", 40003, "10.0.0.80", 83, SYN, 0, 1);
  tcp("10.0.0.80", 83, "10.0.0.5", 40003, SYN | ACK, 0, 1.01);
  tcp("10.0.0.5", 40003, "10.0.0.80", 83, ACK, 10, 1.02);
  tcp("10.0.0.5", 40003, "10.0.0.80", 83, RST, 0, 1.03);
  /* Established, open at the end. */
  tcp("10.0.0.5", 40004, "10.0.0.80", 84, SYN, 0, 1);
  tcp("10.0.0.80", 84, "10.0.0.5", 40004, SYN | ACK, 0, 1.01);
  /* Only one FIN: not closed. */
  tcp("10.0.0.5", 40005, "10.0.0.80", 85, SYN, 0, 1);
  tcp("10.0.0.80", 85, "10.0.0.5", 40005, SYN | ACK, 0, 1.01);
  tcp("10.0.0.5", 40005, "10.0.0.80", 85, FIN | ACK, 0, 1.02);
  tick(12);
  /* The two closed ones ended after the linger, the rest are open. */
  assert_int_equal(n_ended(), 2);
  for (size_t i = 0; i < 2; i++) {
    const struct ended *e = ended_at(i);
    if (e->f.s_port == 81) {
      assert_int_equal(e->state, EV_STATE_REJECTED);
      assert_int_equal(e->reason, EV_END_RST);
    } else {
      assert_int_equal(e->f.s_port, 83);
      assert_int_equal(e->state, EV_STATE_CLOSED);
      assert_int_equal(e->reason, EV_END_RST);
    }
  }
  flow_table_flush(&table);
  assert_int_equal(n_ended(), 5);
  for (size_t i = 2; i < 5; i++) {
    const struct ended *e = ended_at(i);
    assert_int_equal(e->reason, EV_END_CAPTURE);
    switch (e->f.s_port) {
    case 82: assert_int_equal(e->state, EV_STATE_NEW); assert_int_equal(e->f.pkts[0], 2); break;
    case 84: assert_int_equal(e->state, EV_STATE_ESTABLISHED); break;
    case 85: assert_int_equal(e->state, EV_STATE_ESTABLISHED); break;
    default: fail_msg("unexpected flow to port %u", e->f.s_port);
    }
  }
  close_table();
}

static void test_client_guessing(void **state) {
  (void)state;
  open_table(small_cfg());
  /* Mid-stream TCP, first packet from the server: the well-known port
   * serves. */
  tcp("10.0.0.80", 443, "10.0.0.5", 51000, ACK, 1400, 1);
  tcp("10.0.0.5", 51000, "10.0.0.80", 443, ACK, 0, 1.1);
  /* Both ports high: the lower one serves. */
  tcp("10.0.0.81", 8080, "10.0.0.6", 40000, ACK, 10, 1);
  tcp("10.0.0.7", 40000, "10.0.0.82", 3306, ACK, 10, 1);
  /* A SYN-ACK seen first: its sender is the server, whatever the ports. */
  tcp("10.0.0.83", 60000, "10.0.0.8", 22, SYN | ACK, 0, 1);
  /* UDP: a DNS response seen first. */
  udp("10.0.0.53", 53, "10.0.0.9", 40000, 120, 1);
  udp("10.0.0.9", 40000, "10.0.0.53", 53, 30, 1.1);
  /* UDP, both ports high: the first sender is the client. */
  udp("10.0.0.10", 50000, "10.0.0.11", 40000, 10, 1);
  flow_table_flush(&table);
  assert_int_equal(n_ended(), 6);
  for (size_t i = 0; i < 6; i++) {
    const struct ended *e = ended_at(i);
    switch (e->f.s_port) {
    case 443:
      assert_addr(&e->f.s, "10.0.0.80");
      assert_int_equal(e->f.c_port, 51000);
      assert_int_equal(e->f.client_guessed, 1);
      assert_int_equal(e->f.pkts[1], 1);
      assert_int_equal(e->f.payload[1], 1400);
      assert_int_equal(e->state, EV_STATE_ESTABLISHED);
      break;
    case 8080:
      assert_addr(&e->f.s, "10.0.0.81");
      assert_int_equal(e->f.c_port, 40000);
      assert_int_equal(e->f.client_guessed, 1);
      assert_int_equal(e->f.pkts[1], 1);
      assert_int_equal(e->state, EV_STATE_NEW);
      break;
    case 3306:
      assert_addr(&e->f.c, "10.0.0.7");
      assert_int_equal(e->f.client_guessed, 1);
      break;
    case 60000:
      assert_addr(&e->f.c, "10.0.0.8");
      assert_addr(&e->f.s, "10.0.0.83");
      assert_int_equal(e->f.c_port, 22);
      assert_int_equal(e->f.client_guessed, 0);
      assert_int_equal(e->state, EV_STATE_ESTABLISHED);
      break;
    case 53:
      assert_addr(&e->f.s, "10.0.0.53");
      assert_addr(&e->f.c, "10.0.0.9");
      assert_int_equal(e->f.c_port, 40000);
      assert_int_equal(e->f.pkts[0], 1);
      assert_int_equal(e->f.pkts[1], 1);
      assert_int_equal(e->f.payload[1], 120);
      assert_int_equal(e->state, EV_STATE_ESTABLISHED);
      assert_int_equal(e->reason, EV_END_CAPTURE);
      break;
    case 40000:
      assert_addr(&e->f.c, "10.0.0.10");
      assert_int_equal(e->f.c_port, 50000);
      assert_int_equal(e->state, EV_STATE_NEW);
      break;
    default:
      fail_msg("unexpected server port %u", e->f.s_port);
    }
  }
  close_table();
}

static void test_icmp_flows(void **state) {
  (void)state;
  open_table(small_cfg());
  /* Echo request and reply: one flow, the requester is the client. */
  struct pkt_info p = pkt("10.0.0.1", 0x1234, "10.0.0.2", 8, 1, 0, 56);
  p.icmp_type = 8;
  p.icmp_id = 0x1234;
  flow_table_packet(&table, &p, 2 * S, &dir_unused);
  p = pkt("10.0.0.2", 8, "10.0.0.1", 0x1234, 1, 0, 56);
  p.icmp_type = 0;
  p.icmp_id = 0x1234;
  flow_table_packet(&table, &p, 2 * S + 1000, &dir_unused);
  /* A reply seen alone still makes the requester the client. */
  p = pkt("10.0.0.4", 8, "10.0.0.3", 77, 1, 0, 56);
  p.icmp_type = 0;
  p.icmp_id = 77;
  flow_table_packet(&table, &p, 2 * S, &dir_unused);
  /* ICMPv6 alike. */
  p = pkt("fd00::2", 128, "fd00::1", 99, 58, 0, 8);
  p.icmp_type = 129;
  p.icmp_id = 99;
  flow_table_packet(&table, &p, 2 * S, &dir_unused);
  assert_int_equal(table.used, 3);
  /* ICMP idles out after icmp_timeout. */
  tick(21.5);
  assert_int_equal(n_ended(), 0);
  tick(22.5);
  assert_int_equal(n_ended(), 3);
  for (size_t i = 0; i < 3; i++) {
    const struct ended *e = ended_at(i);
    assert_int_equal(e->reason, EV_END_TIMEOUT);
    if (e->f.c_port == 0x1234) {
      assert_addr(&e->f.c, "10.0.0.1");
      assert_int_equal(e->f.s_port, 8);
      assert_int_equal(e->f.pkts[0], 1);
      assert_int_equal(e->f.pkts[1], 1);
      assert_int_equal(e->state, EV_STATE_ESTABLISHED);
    } else if (e->f.c_port == 77) {
      assert_addr(&e->f.c, "10.0.0.3");
      assert_int_equal(e->f.pkts[1], 1);
      assert_int_equal(e->f.pkts[0], 0);
    } else {
      assert_int_equal(e->f.c_port, 99);
      assert_addr(&e->f.c, "fd00::1");
      assert_int_equal(e->f.s_port, 128);
    }
  }
  close_table();
}

/* An ICMP port unreachable about a UDP flow: that flow was refused. */
static void icmp_error(const char *from, const char *to, uint8_t type, const char *qsrc,
                       unsigned qsport, const char *qdst, unsigned qdport, double t) {
  struct pkt_info p = pkt(from, 0, to, type, strchr(from, ':') ? 58 : 1, 0, 36);
  p.icmp_type = type;
  p.icmp_code = 3;
  p.has_inner = 1;
  p.inner.src = ip(qsrc);
  p.inner.dst = ip(qdst);
  p.inner.sport = (uint16_t)qsport;
  p.inner.dport = (uint16_t)qdport;
  p.inner.proto = 17;
  flow_table_packet(&table, &p, (uint64_t)(t * S), &dir_unused);
}

static const struct ended *find_port(uint16_t s_port) {
  for (size_t i = 0; i < rec.n; i++)
    if (rec.e[i].f.s_port == s_port && rec.e[i].f.c_port != 9)
      return &rec.e[i];
  fail_msg("no ended flow to port %u", s_port);
  return NULL;
}

static void test_icmp_unreachable(void **state) {
  (void)state;
  open_table(small_cfg());
  udp("10.0.0.1", 40000, "10.0.0.2", 161, 40, 1);
  icmp_error("10.0.0.2", "10.0.0.1", 3, "10.0.0.1", 40000, "10.0.0.2", 161, 1.01);
  /* The error is accounted to the flow, not a flow of its own. */
  assert_int_equal(table.used, 1);
  /* IPv6: destination unreachable is type 1. */
  udp("fd00::1", 40001, "fd00::2", 162, 40, 1);
  icmp_error("fd00::2", "fd00::1", 1, "fd00::1", 40001, "fd00::2", 162, 1.01);
  /* A flow that was answered, then later refused, was established. */
  udp("10.0.0.1", 40002, "10.0.0.2", 163, 40, 1);
  udp("10.0.0.2", 163, "10.0.0.1", 40002, 40, 1.01);
  icmp_error("10.0.0.2", "10.0.0.1", 3, "10.0.0.1", 40002, "10.0.0.2", 163, 1.02);
  /* A time exceeded from a router is no answer from the server. */
  udp("10.0.0.1", 40003, "10.0.0.2", 164, 40, 1);
  icmp_error("10.9.9.9", "10.0.0.1", 11, "10.0.0.1", 40003, "10.0.0.2", 164, 1.01);
  /* An error about a flow we do not know is a flow of its own. */
  icmp_error("10.0.0.2", "10.0.0.1", 3, "10.0.0.1", 1, "10.0.0.2", 2, 1.01);
  assert_int_equal(table.used, 5);
  flow_table_flush(&table);
  const struct ended *e = find_port(161);
  assert_int_equal(e->state, EV_STATE_REJECTED);
  assert_int_equal(e->f.pkts[0], 1);
  assert_int_equal(e->f.pkts[1], 1);
  assert_int_equal(e->f.bytes[1], 20 + 8 + 36);
  e = find_port(162);
  assert_int_equal(e->state, EV_STATE_REJECTED);
  e = find_port(163);
  assert_int_equal(e->state, EV_STATE_ESTABLISHED);
  e = find_port(164);
  assert_int_equal(e->state, EV_STATE_NEW);
  close_table();
}

/* An ICMP error refreshes its flow; the flows idle longer must still time
 * out on time (the timeout lists stay oldest first). */
static void test_icmp_error_refresh(void **state) {
  (void)state;
  open_table(small_cfg());
  udp("10.0.0.1", 41000, "10.0.0.2", 171, 40, 1);
  udp("10.0.0.1", 41001, "10.0.0.2", 172, 40, 2);
  icmp_error("10.0.0.2", "10.0.0.1", 3, "10.0.0.1", 41000, "10.0.0.2", 171, 3);
  tick(61.5);
  assert_int_equal(n_ended(), 0);
  tick(62.5);
  assert_int_equal(n_ended(), 1);
  assert_int_equal(ended_at(0)->f.s_port, 172);
  assert_int_equal(ended_at(0)->reason, EV_END_TIMEOUT);
  tick(63.5);
  assert_int_equal(n_ended(), 2);
  assert_int_equal(ended_at(1)->f.s_port, 171);
  assert_int_equal(ended_at(1)->f.last_ns, 3 * S);
  assert_int_equal(ended_at(1)->state, EV_STATE_REJECTED);
  close_table();
}

static void test_idle_timeouts(void **state) {
  (void)state;
  struct cfg_flow c = small_cfg();
  open_table(c);
  /* One flow of each class, all last seen at t = 1. */
  tcp("10.1.0.1", 1001, "10.1.0.2", 80, SYN, 0, 1); /* tcp new: 30 */
  tcp("10.1.0.1", 1002, "10.1.0.2", 80, SYN, 0, 1); /* tcp est: 100 */
  tcp("10.1.0.2", 80, "10.1.0.1", 1002, SYN | ACK, 0, 1);
  udp("10.1.0.1", 1003, "10.1.0.2", 53, 10, 1); /* udp: 60 */
  struct pkt_info p = pkt("10.1.0.1", 0, "10.1.0.2", 13, 1, 0, 0); /* icmp: 20 */
  p.icmp_type = 13;
  flow_table_packet(&table, &p, 1 * S, &dir_unused);
  p = pkt("10.1.0.1", 0, "10.1.0.2", 0, 47, 0, 100); /* other: 40 */
  flow_table_packet(&table, &p, 1 * S, &dir_unused);
  struct {
    uint8_t proto;
    uint16_t c_port;
    unsigned timeout;
  } want[] = {{6, 1001, 30}, {6, 1002, 100}, {17, 1003, 60}, {1, 0, 20}, {47, 0, 40}};
  for (unsigned t = 2; t <= 102; t++) {
    tick(t);
    for (size_t k = 0; k < 5; k++) {
      bool gone = false;
      for (size_t i = 0; i < rec.n; i++)
        if (rec.e[i].f.proto == want[k].proto && rec.e[i].f.c_port == want[k].c_port &&
            rec.e[i].f.c_port != 9) {
          gone = true;
          if (t == 1 + want[k].timeout) {
            assert_int_equal(rec.e[i].reason, EV_END_TIMEOUT);
            assert_int_equal(rec.e[i].f.last_ns, 1 * S);
          }
        }
      if (gone != (t >= 1 + want[k].timeout))
        fail_msg("flow %u/%u at t=%u: gone=%d, timeout %u", want[k].proto, want[k].c_port, t,
                 gone, want[k].timeout);
    }
  }
  assert_int_equal(n_ended(), 5);
  /* A packet keeps a flow alive: the timeout counts from the last one. */
  udp("10.1.0.1", 2000, "10.1.0.2", 53, 10, 200);
  udp("10.1.0.2", 53, "10.1.0.1", 2000, 10, 250);
  tick(309);
  assert_int_equal(n_ended(), 5);
  tick(310);
  assert_int_equal(n_ended(), 6);
  close_table();
}

static void test_time_backwards(void **state) {
  (void)state;
  open_table(small_cfg());
  udp("10.2.0.1", 1000, "10.2.0.2", 53, 10, 100);
  /* Earlier timestamps count as the latest seen. */
  udp("10.2.0.2", 53, "10.2.0.1", 1000, 10, 50);
  udp("10.2.0.3", 1000, "10.2.0.4", 53, 10, 40); /* a new flow, "before" */
  udp("10.2.0.1", 1000, "10.2.0.2", 53, 10, 0);
  assert_int_equal(n_ended(), 0);
  assert_int_equal(table.now_ns, 100 * S);
  /* Both idle out 60 s after t = 100, not earlier, not later. */
  tick(159);
  assert_int_equal(n_ended(), 0);
  tick(160);
  assert_int_equal(n_ended(), 2);
  for (size_t i = 0; i < 2; i++) {
    const struct ended *e = ended_at(i);
    assert_int_equal(e->f.first_ns, 100 * S);
    assert_int_equal(e->f.last_ns, 100 * S);
    assert_true(e->f.last_ns >= e->f.first_ns);
  }
  assert_int_equal(ended_at(0)->f.pkts[0] + ended_at(0)->f.pkts[1] +
                       ended_at(1)->f.pkts[0] + ended_at(1)->f.pkts[1],
                   4);
  /* A jump far ahead ends everything at once. */
  udp("10.2.0.5", 1000, "10.2.0.6", 53, 10, 161);
  tick(100000);
  assert_int_equal(n_ended(), 3);
  close_table();
}

static void test_eviction(void **state) {
  (void)state;
  struct cfg_flow c = small_cfg();
  c.max_flows = 4;
  open_table(c);
  udp("10.3.0.1", 1001, "10.3.0.9", 53, 1, 1);
  udp("10.3.0.1", 1002, "10.3.0.9", 53, 1, 2);
  tcp("10.3.0.1", 1003, "10.3.0.9", 80, SYN, 0, 3);
  udp("10.3.0.1", 1004, "10.3.0.9", 53, 1, 4);
  udp("10.3.0.1", 1001, "10.3.0.9", 53, 1, 5); /* 1001 is fresh again */
  assert_int_equal(table.used, 4);
  assert_int_equal(rec.n, 0);
  /* Full: the flow idle longest (1002, last seen at 2) goes. */
  udp("10.3.0.1", 1005, "10.3.0.9", 53, 1, 6);
  assert_int_equal(rec.n, 1);
  assert_int_equal(rec.e[0].f.c_port, 1002);
  assert_int_equal(rec.e[0].reason, EV_END_EVICTED);
  assert_int_equal(table.evicted, 1);
  assert_int_equal(table.used, 4);
  /* Across classes: the TCP flow (3) is next. */
  udp("10.3.0.1", 1006, "10.3.0.9", 53, 1, 7);
  assert_int_equal(rec.n, 2);
  assert_int_equal(rec.e[1].f.c_port, 1003);
  assert_int_equal(rec.e[1].reason, EV_END_EVICTED);
  assert_int_equal(table.evicted, 2);
  /* A closed flow that must make room ends as what it was, and is not
   * counted as evicted. */
  tcp("10.3.0.1", 1007, "10.3.0.9", 80, SYN, 0, 8);
  assert_int_equal(rec.n, 3);
  assert_int_equal(rec.e[2].f.c_port, 1004);
  tcp("10.3.0.9", 80, "10.3.0.1", 1007, RST | ACK, 0, 8.1);
  udp("10.3.0.1", 1001, "10.3.0.9", 53, 1, 9);
  udp("10.3.0.1", 1005, "10.3.0.9", 53, 1, 9);
  udp("10.3.0.1", 1006, "10.3.0.9", 53, 1, 9);
  udp("10.3.0.1", 1008, "10.3.0.9", 53, 1, 9.5);
  assert_int_equal(rec.n, 4);
  assert_int_equal(rec.e[3].f.c_port, 1007);
  assert_int_equal(rec.e[3].reason, EV_END_RST);
  assert_int_equal(rec.e[3].state, EV_STATE_REJECTED);
  assert_int_equal(table.evicted, 3);
  /* Many more flows than room: every one ends exactly once. */
  for (unsigned i = 0; i < 1000; i++)
    udp("10.3.1.1", 20000 + i, "10.3.0.9", 53, 1, 10 + i * 0.001);
  flow_table_flush(&table);
  assert_int_equal(table.used, 0);
  assert_int_equal(table.emitted, rec.n);
  /* 8 flows before the loop, 1000 in it. */
  assert_int_equal(rec.n, 1008);
  for (size_t i = 0; i < rec.n; i++)
    for (size_t j = i + 1; j < rec.n; j++)
      assert_false(rec.e[i].f.c_port == rec.e[j].f.c_port &&
                   hb_addr_eq(&rec.e[i].f.c, &rec.e[j].f.c) &&
                   rec.e[i].f.first_ns == rec.e[j].f.first_ns);
  close_table();
}

static void test_port_reuse(void **state) {
  (void)state;
  open_table(small_cfg());
  const char *C = "10.4.0.1", *Sv = "10.4.0.2";
  tcp(C, 5000, Sv, 25, SYN, 0, 1);
  tcp(Sv, 25, C, 5000, SYN | ACK, 0, 1.1);
  tcp(C, 5000, Sv, 25, ACK, 10, 1.2);
  tcp(C, 5000, Sv, 25, FIN | ACK, 0, 2);
  tcp(Sv, 25, C, 5000, FIN | ACK, 0, 2.1);
  /* A late ACK still belongs to the closed flow. */
  tcp(C, 5000, Sv, 25, ACK, 0, 2.2);
  assert_int_equal(rec.n, 0);
  /* A new SYN on the same 5-tuple, within the linger: a new connection. */
  tcp(C, 5000, Sv, 25, SYN, 0, 3);
  assert_int_equal(rec.n, 1);
  assert_int_equal(rec.e[0].reason, EV_END_FIN);
  assert_int_equal(rec.e[0].state, EV_STATE_CLOSED);
  assert_int_equal(rec.e[0].f.pkts[0], 4);
  assert_int_equal(rec.e[0].f.pkts[1], 2);
  tcp(Sv, 25, C, 5000, SYN | ACK, 0, 3.1);
  assert_int_equal(table.used, 1);
  flow_table_flush(&table);
  assert_int_equal(rec.n, 2);
  assert_int_equal(rec.e[1].reason, EV_END_CAPTURE);
  assert_int_equal(rec.e[1].state, EV_STATE_ESTABLISHED);
  assert_int_equal(rec.e[1].f.first_ns, 3 * S);
  assert_int_equal(rec.e[1].f.pkts[0], 1);
  assert_int_equal(rec.e[1].f.pkts[1], 1);
  assert_true(rec.e[0].id != rec.e[1].id);
  /* A SYN on an open (not closed) flow is a retransmission. */
  tcp(C, 6000, Sv, 25, SYN, 0, 10);
  tcp(C, 6000, Sv, 25, SYN, 0, 11);
  assert_int_equal(table.used, 1);
  close_table();
}

static void test_flush(void **state) {
  (void)state;
  open_table(small_cfg());
  /* A mix of every class, v4 and v6, with VLANs keeping flows apart. */
  for (unsigned i = 0; i < 50; i++) {
    char a[64];
    snprintf(a, sizeof a, "fd00::%x", i + 1);
    struct pkt_info p = pkt(a, 30000 + i, "fd00::ffff", 443, 6, SYN, 0);
    flow_table_packet(&table, &p, (uint64_t)i * 1000, &dir_unused);
    p.vlan = 10;
    flow_table_packet(&table, &p, (uint64_t)i * 1000, &dir_unused);
  }
  tcp("10.5.0.1", 1, "10.5.0.2", 2, RST, 0, 0);
  udp("10.5.0.1", 1, "10.5.0.2", 2, 0, 0);
  assert_int_equal(table.used, 64); /* full: 38 of the 102 evicted */
  size_t before = rec.n;
  assert_int_equal(before, 102 - 64);
  flow_table_flush(&table);
  assert_int_equal(rec.n, 102);
  assert_int_equal(table.used, 0);
  for (size_t i = before; i < rec.n; i++) {
    if (rec.e[i].f.proto == 6 && rec.e[i].f.c_port == 1)
      assert_int_equal(rec.e[i].reason, EV_END_RST);
    else
      assert_int_equal(rec.e[i].reason, EV_END_CAPTURE);
    for (size_t j = 0; j < i; j++)
      assert_true(rec.e[i].id != rec.e[j].id);
  }
  /* Nothing left: a second flush emits nothing; the table is reusable. */
  flow_table_flush(&table);
  assert_int_equal(rec.n, 102);
  udp("10.5.0.1", 1, "10.5.0.2", 2, 0, 1);
  flow_table_flush(&table);
  assert_int_equal(rec.n, 103);
  close_table();
}

static void test_l7_facts_freed(void **state) {
  (void)state;
  /* Flows whose application was identified hold facts; ending them in
   * every way frees them (ASan checks). */
  open_table(small_cfg());
  static const char req[] = "GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n";
  for (unsigned i = 0; i < 200; i++) {
    struct pkt_info p = pkt("10.6.0.1", 10000 + i, "10.6.0.2", 80, 6, SYN, 0);
    flow_table_packet(&table, &p, (uint64_t)i * S / 10, &dir_unused);
    p = pkt("10.6.0.2", 80, "10.6.0.1", 10000 + i, 6, SYN | ACK, 0);
    flow_table_packet(&table, &p, (uint64_t)i * S / 10, &dir_unused);
    p = pkt("10.6.0.1", 10000 + i, "10.6.0.2", 80, 6, PSH | ACK, sizeof req - 1);
    p.payload = (const uint8_t *)req;
    p.payload_cap = sizeof req - 1;
    flow_table_packet(&table, &p, (uint64_t)i * S / 10, &dir_unused);
    if (i % 3 == 0) {
      p = pkt("10.6.0.1", 10000 + i, "10.6.0.2", 80, 6, RST, 0);
      flow_table_packet(&table, &p, (uint64_t)i * S / 10, &dir_unused);
    }
  }
  assert_true(rec.n > 0);
  bool any_app = false;
  for (size_t i = 0; i < rec.n; i++)
    any_app |= rec.e[i].f.l7.app != 0;
  assert_true(any_app);
  /* Some open at the end, freed by flow_table_free without a flush. */
  assert_true(table.used > 0);
  close_table();
}

static void test_no_dpi(void **state) {
  (void)state;
  /* dpi off (replay --no-dpi): the same HTTP flow ends with no app. */
  for (int dpi = 1; dpi >= 0; dpi--) {
    struct cfg_flow c = small_cfg();
    c.dpi = dpi;
    open_table(c);
    static const char req[] = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
    struct pkt_info p = pkt("10.6.0.1", 10000, "10.6.0.2", 80, 6, SYN, 0);
    flow_table_packet(&table, &p, 0, &dir_unused);
    p = pkt("10.6.0.2", 80, "10.6.0.1", 10000, 6, SYN | ACK, 0);
    flow_table_packet(&table, &p, 0, &dir_unused);
    p = pkt("10.6.0.1", 10000, "10.6.0.2", 80, 6, PSH | ACK, sizeof req - 1);
    p.payload = (const uint8_t *)req;
    p.payload_cap = sizeof req - 1;
    flow_table_packet(&table, &p, 0, &dir_unused);
    flow_table_flush(&table);
    assert_int_equal(rec.n, 1);
    assert_int_equal(rec.e[0].f.l7.app != 0, dpi);
    close_table();
  }
}

static void test_flow_id(void **state) {
  (void)state;
  uint64_t ids[2][4];
  for (int run = 0; run < 2; run++) {
    open_table(small_cfg());
    tcp("10.7.0.1", 1234, "10.7.0.2", 80, SYN, 0, 5);
    tcp("10.7.0.2", 80, "10.7.0.1", 1234, SYN | ACK, 0, 5.1);
    udp("10.7.0.1", 1234, "10.7.0.2", 80, 0, 5);   /* same ports, UDP */
    udp("10.7.0.2", 80, "10.7.0.1", 1235, 0, 6);   /* reply first */
    tcp("10.7.0.1", 1234, "10.7.0.2", 80, SYN, 0, 5); /* no-op: same flow */
    flow_table_flush(&table);
    assert_int_equal(rec.n, 3);
    for (size_t i = 0; i < 3; i++) {
      ids[run][i] = rec.e[i].id;
      assert_true(rec.e[i].id < (1ull << 51));
      assert_int_equal(rec.e[i].id, flow_id(&rec.e[i].f));
    }
    close_table();
  }
  for (int i = 0; i < 3; i++)
    assert_int_equal(ids[0][i], ids[1][i]);
  assert_true(ids[0][0] != ids[0][1] && ids[0][1] != ids[0][2] && ids[0][0] != ids[0][2]);
  /* The same 5-tuple, started later, another id; seen from the other side
   * first (a reply), the same one. */
  open_table(small_cfg());
  udp("10.7.0.1", 1234, "10.7.0.2", 80, 0, 7);
  flow_table_flush(&table);
  uint64_t later = rec.e[0].id;
  close_table();
  assert_true(later != ids[0][1]);
  open_table(small_cfg());
  udp("10.7.0.2", 80, "10.7.0.1", 1234, 0, 5.1); /* the clock was at 5.1 */
  flow_table_flush(&table);
  assert_int_equal(rec.e[0].id, ids[0][1]);
  close_table();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tcp_handshake_and_fin),
      cmocka_unit_test(test_tcp_rejected_and_reset),
      cmocka_unit_test(test_client_guessing),
      cmocka_unit_test(test_icmp_flows),
      cmocka_unit_test(test_icmp_unreachable),
      cmocka_unit_test(test_icmp_error_refresh),
      cmocka_unit_test(test_idle_timeouts),
      cmocka_unit_test(test_time_backwards),
      cmocka_unit_test(test_eviction),
      cmocka_unit_test(test_port_reuse),
      cmocka_unit_test(test_flush),
      cmocka_unit_test(test_l7_facts_freed),
      cmocka_unit_test(test_no_dpi),
      cmocka_unit_test(test_flow_id),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
