/* tests/unit/test_scan.c — detect/scan.h: what a probe is; a port scan
 * (3001) at the threshold's distinct port on one host and a host sweep
 * (3002) at its distinct host on one port, once per kind, source and window,
 * and again in a new window; counting per source; and held violations:
 * dropped (and counted) when their source turns out to scan, released
 * unchanged when its window passes without one or at scan_finish. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "core/event.h"
#include "detect/scan.h"
#include "detect/signatures.h"

#define S 1000000000ull
#define T0 (1700000000ull * S)
#define TCP 6
#define UDP 17
#define ICMP 1
#define ICMP6 58

struct rec {
  struct ev_alert *a;
  size_t n, cap;
};

static void emit(void *ctx, const struct ev_alert *a) {
  struct rec *r = ctx;
  if (r->n == r->cap) {
    r->cap = r->cap ? 2 * r->cap : 16;
    r->a = realloc(r->a, r->cap * sizeof *r->a);
    assert_non_null(r->a);
  }
  r->a[r->n++] = *a;
}

static struct scan_tracker tracker;
static struct rec rec;

static void open_tracker(uint32_t window, uint32_t ports, uint32_t hosts) {
  struct cfg_scan c = {.window = window, .ports = ports, .hosts = hosts};
  memset(&rec, 0, sizeof rec);
  scan_init(&tracker, &c, emit, &rec);
}

static void close_tracker(void) {
  scan_free(&tracker);
  free(rec.a);
  memset(&rec, 0, sizeof rec);
}

static void expect_alerts(size_t n) {
  if (rec.n != n)
    for (size_t i = 0; i < rec.n; i++)
      print_error("  alert %u: %s\n", rec.a[i].signature_id, rec.a[i].signature);
  assert_int_equal(rec.n, n);
}

/* A TCP SYN nobody answered, from cli to srv:port at t. */
static struct ev_flow syn(const char *cli, const char *srv, uint16_t port, uint64_t t) {
  struct ev_flow f;
  memset(&f, 0, sizeof f);
  assert_int_equal(hb_addr_parse(cli, &f.cli), 0);
  assert_int_equal(hb_addr_parse(srv, &f.srv), 0);
  f.cli_port = 50000;
  f.srv_port = port;
  f.proto = TCP;
  f.state = EV_STATE_NEW;
  f.end_reason = EV_END_TIMEOUT;
  f.first_ns = f.last_ns = t;
  f.pkts_c2s = 1;
  f.bytes_c2s = 60;
  f.tcp_flags_c2s = 0x02;
  snprintf(f.cli_service, sizeof f.cli_service, "%s", cli);
  snprintf(f.srv_service, sizeof f.srv_service, "%s", srv);
  return f;
}

/* "10.9.0.N" */
static const char *host(int n) {
  static char b[8][32];
  static int k;
  k = (k + 1) % 8;
  snprintf(b[k], sizeof b[k], "10.9.%d.%d", n / 250, 1 + n % 250);
  return b[k];
}

static enum scan_status observe(struct ev_flow f) {
  return scan_observe(&tracker, &f, EV_MODE_MONITOR);
}

/* --- what a probe is ------------------------------------------------------ */

static void test_is_probe(void **state) {
  (void)state;
  struct ev_flow f = syn("10.0.0.1", "10.0.0.2", 80, T0);
  assert_true(scan_is_probe(&f)); /* TCP unanswered */
  f.state = EV_STATE_REJECTED;
  assert_true(scan_is_probe(&f)); /* TCP reset */
  /* Established (or closed) with no payload and up to 3 packets from the
   * initiator: a connect() scan. */
  f.state = EV_STATE_ESTABLISHED;
  f.pkts_c2s = 3;
  f.pkts_s2c = 2;
  assert_true(scan_is_probe(&f));
  f.state = EV_STATE_CLOSED;
  assert_true(scan_is_probe(&f));
  f.pkts_c2s = 4;
  assert_false(scan_is_probe(&f));
  f.pkts_c2s = 2;
  f.payload_c2s = 10;
  assert_false(scan_is_probe(&f)); /* the client said something */
  f.payload_c2s = 0;
  f.payload_s2c = 40;
  assert_false(scan_is_probe(&f)); /* a banner */
  f.state = EV_STATE_ESTABLISHED;
  f.payload_s2c = 0;
  f.payload_c2s = 1;
  assert_false(scan_is_probe(&f));

  /* UDP: unanswered (or refused) only. */
  struct ev_flow u = syn("10.0.0.1", "10.0.0.2", 53, T0);
  u.proto = UDP;
  u.payload_c2s = 30;
  assert_true(scan_is_probe(&u));
  u.state = EV_STATE_REJECTED;
  assert_true(scan_is_probe(&u));
  u.state = EV_STATE_ESTABLISHED;
  assert_false(scan_is_probe(&u));
  u.payload_c2s = 0;
  assert_false(scan_is_probe(&u));

  /* ICMP: echo requests, v4 and v6; nothing else. */
  struct ev_flow i = syn("10.0.0.1", "10.0.0.2", 8, T0);
  i.proto = ICMP;
  i.state = EV_STATE_ESTABLISHED;
  i.payload_c2s = i.payload_s2c = 56;
  assert_true(scan_is_probe(&i));
  i.state = EV_STATE_NEW;
  assert_true(scan_is_probe(&i));
  i.srv_port = 13; /* timestamp */
  assert_false(scan_is_probe(&i));
  i.srv_port = 3;
  assert_false(scan_is_probe(&i));
  struct ev_flow i6 = syn("fd00::1", "fd00::2", 128, T0);
  i6.proto = ICMP6;
  assert_true(scan_is_probe(&i6));
  i6.srv_port = 135; /* neighbour solicitation */
  assert_false(scan_is_probe(&i6));
  i6.srv_port = 8;
  assert_false(scan_is_probe(&i6));

  /* Other protocols are never probes. */
  struct ev_flow g = syn("10.0.0.1", "10.0.0.2", 0, T0);
  g.proto = 47;
  assert_false(scan_is_probe(&g));
}

/* Flows that are not probes count for nothing. */
static void test_non_probes_not_counted(void **state) {
  (void)state;
  open_tracker(60, 20, 20);
  for (uint16_t p = 1; p <= 100; p++) {
    struct ev_flow f = syn("10.0.0.1", "10.0.0.2", p, T0 + p);
    f.state = EV_STATE_ESTABLISHED;
    f.payload_c2s = 100;
    f.pkts_c2s = 2;
    assert_int_equal(observe(f), SCAN_NOT_PROBE);
    f = syn("10.0.0.1", host(p), 80, T0 + p);
    f.state = EV_STATE_CLOSED;
    f.payload_s2c = 100;
    assert_int_equal(observe(f), SCAN_NOT_PROBE);
  }
  expect_alerts(0);
  close_tracker();
}

/* --- port scans and host sweeps ------------------------------------------- */

static void test_port_scan(void **state) {
  (void)state;
  open_tracker(60, 20, 20);
  for (uint16_t p = 1; p <= 19; p++)
    assert_int_equal(observe(syn("10.0.0.1", "10.0.0.2", p, T0 + p * S)), SCAN_PROBE);
  /* Probing the same ports again, and other ports of other hosts, adds
   * nothing to 10.0.0.2's count. */
  for (uint16_t p = 1; p <= 19; p++)
    assert_int_equal(observe(syn("10.0.0.1", "10.0.0.2", p, T0 + 20 * S)), SCAN_PROBE);
  for (uint16_t p = 100; p <= 118; p++)
    assert_int_equal(observe(syn("10.0.0.1", "10.0.0.3", p, T0 + 21 * S)), SCAN_PROBE);
  expect_alerts(0);
  /* The 20th distinct port. */
  struct ev_flow f = syn("10.0.0.1", "10.0.0.2", 20, T0 + 22 * S);
  f.flow_id = 4242;
  assert_int_equal(observe(f), SCAN_SCANNER);
  expect_alerts(1);
  const struct ev_alert *a = &rec.a[0];
  assert_int_equal(a->signature_id, SIG_PORT_SCAN);
  assert_int_equal(a->category, EV_CAT_THREAT);
  assert_int_equal(a->mode, EV_MODE_MONITOR);
  assert_int_equal(a->action, EV_ACTION_ALLOWED);
  assert_int_equal(a->flow.flow_id, 4242);
  assert_true(a->score >= 1.0);
  assert_string_equal(a->signature, "port scan: 10.0.0.1 (10.0.0.1) probed 20 ports of "
                                    "10.0.0.2 (10.0.0.2) within 60 s; threshold 20");
  /* More ports in the same window: a scanner, but no second alert. */
  for (uint16_t p = 21; p <= 200; p++)
    assert_int_equal(observe(syn("10.0.0.1", "10.0.0.2", p, T0 + 30 * S)), SCAN_SCANNER);
  /* Even the third host reaching 20 ports in that window. */
  for (uint16_t p = 119; p <= 130; p++)
    observe(syn("10.0.0.1", "10.0.0.3", p, T0 + 40 * S));
  expect_alerts(1);
  /* A new window starts with the first probe 60 s after the last one
   * began: it can alert again, counting from zero. */
  for (uint16_t p = 1; p <= 19; p++)
    assert_int_equal(observe(syn("10.0.0.1", "10.0.0.2", p, T0 + 61 * S + p)), SCAN_PROBE);
  expect_alerts(1);
  assert_int_equal(observe(syn("10.0.0.1", "10.0.0.2", 20, T0 + 62 * S)), SCAN_SCANNER);
  expect_alerts(2);
  assert_int_equal(rec.a[1].signature_id, SIG_PORT_SCAN);
  assert_int_equal(rec.a[1].flow.first_ns, T0 + 62 * S);
  close_tracker();
}

/* Windows are per source, and counts too. */
static void test_per_source(void **state) {
  (void)state;
  open_tracker(60, 20, 20);
  /* 10 sources, each probing 10 ports of one host and 10 hosts on a port. */
  for (int s = 0; s < 10; s++)
    for (int i = 0; i < 10; i++) {
      char src[32];
      snprintf(src, sizeof src, "10.0.1.%d", s + 1);
      observe(syn(src, "10.0.0.2", (uint16_t)(1000 + i), T0 + (uint64_t)i * S));
      observe(syn(src, host(i), 22, T0 + (uint64_t)i * S));
    }
  expect_alerts(0);
  /* Source B starts its window late: A's window passing does not touch it. */
  for (uint16_t p = 1; p <= 10; p++)
    observe(syn("10.0.2.1", "10.0.0.2", p, T0 + 50 * S));
  for (uint16_t p = 11; p <= 20; p++)
    observe(syn("10.0.2.1", "10.0.0.2", p, T0 + 100 * S));
  expect_alerts(1);
  assert_int_equal(rec.a[0].signature_id, SIG_PORT_SCAN);
  /* Probes spread over two windows never add up. */
  for (uint16_t p = 1; p <= 15; p++)
    observe(syn("10.0.3.1", "10.0.0.2", p, T0 + 200 * S));
  for (uint16_t p = 16; p <= 30; p++)
    observe(syn("10.0.3.1", "10.0.0.2", p, T0 + 260 * S));
  expect_alerts(1);
  close_tracker();
}

static void test_host_sweep(void **state) {
  (void)state;
  open_tracker(60, 20, 20);
  for (int h = 0; h < 19; h++)
    assert_int_equal(observe(syn("10.0.0.1", host(h), 22, T0 + (uint64_t)h * S)),
                     SCAN_PROBE);
  /* Same hosts again; the same hosts on other ports (port 23 gets 19). */
  for (int h = 0; h < 19; h++) {
    observe(syn("10.0.0.1", host(h), 22, T0 + 20 * S));
    observe(syn("10.0.0.1", host(h), 23, T0 + 20 * S));
  }
  /* UDP 22 is another port. */
  for (int h = 19; h < 40; h++) {
    struct ev_flow u = syn("10.0.0.1", host(h), 22, T0 + 21 * S);
    u.proto = UDP;
    observe(u);
  }
  expect_alerts(1); /* the UDP one: 21 hosts on udp/22 */
  assert_int_equal(rec.a[0].signature_id, SIG_HOST_SWEEP);
  assert_string_equal(rec.a[0].signature, "host sweep: 10.0.0.1 (10.0.0.1) probed 20 hosts "
                                          "on udp/22 within 60 s; threshold 20");
  rec.n = 0;
  /* That source is known scanning this window: tcp/22 reaching 20 is the
   * same kind, no second alert. */
  assert_int_equal(observe(syn("10.0.0.1", host(19), 22, T0 + 22 * S)), SCAN_SCANNER);
  expect_alerts(0);
  close_tracker();

  /* A ping sweep, on its own. */
  open_tracker(60, 20, 20);
  for (int h = 0; h < 25; h++) {
    struct ev_flow f = syn("10.0.0.7", host(h), 8, T0 + (uint64_t)h * S);
    f.proto = ICMP;
    f.state = EV_STATE_ESTABLISHED;
    f.payload_c2s = f.payload_s2c = 56;
    assert_int_equal(observe(f), h < 19 ? SCAN_PROBE : SCAN_SCANNER);
  }
  expect_alerts(1);
  assert_int_equal(rec.a[0].signature_id, SIG_HOST_SWEEP);
  assert_non_null(strstr(rec.a[0].signature, "probed 20 hosts on icmp/8"));
  /* And again in a new window. */
  for (int h = 0; h < 20; h++) {
    struct ev_flow f = syn("10.0.0.7", host(h), 8, T0 + 100 * S);
    f.proto = ICMP;
    observe(f);
  }
  expect_alerts(2);
  assert_int_equal(rec.a[1].signature_id, SIG_HOST_SWEEP);
  close_tracker();
}

/* Both kinds in one window: one alert each. */
static void test_both_kinds(void **state) {
  (void)state;
  open_tracker(60, 5, 5);
  for (uint16_t p = 1; p <= 10; p++)
    observe(syn("10.0.0.1", "10.0.0.2", p, T0 + p));
  for (int h = 0; h < 10; h++)
    observe(syn("10.0.0.1", host(h), 80, T0 + 100));
  expect_alerts(2);
  assert_int_equal(rec.a[0].signature_id, SIG_PORT_SCAN);
  assert_int_equal(rec.a[1].signature_id, SIG_HOST_SWEEP);
  assert_non_null(strstr(rec.a[0].signature, "threshold 5"));
  /* The mode of the flow that raised it. */
  close_tracker();
  open_tracker(60, 5, 5);
  for (uint16_t p = 1; p <= 5; p++) {
    struct ev_flow f = syn("10.0.0.1", "10.0.0.2", p, T0 + p);
    scan_observe(&tracker, &f, EV_MODE_DISCOVER);
  }
  expect_alerts(1);
  assert_int_equal(rec.a[0].mode, EV_MODE_DISCOVER);
  close_tracker();
}

/* --- held violations ------------------------------------------------------ */

static struct ev_alert violation(const struct ev_flow *f, int n) {
  struct ev_alert a;
  memset(&a, 0, sizeof a);
  a.flow = *f;
  a.signature_id = SIG_NEW_EDGE;
  a.category = EV_CAT_VIOLATION;
  a.severity = 2;
  a.action = EV_ACTION_ALLOWED;
  a.mode = EV_MODE_MONITOR;
  a.score = 1.0;
  snprintf(a.signature, sizeof a.signature, "violation %d", n);
  return a;
}

/* Probe, and hold its violation as the detector does. */
static struct ev_alert probe_and_hold(struct ev_flow f, int n) {
  struct ev_alert a = violation(&f, n);
  enum scan_status st = observe(f);
  assert_int_equal(st, SCAN_PROBE);
  scan_hold(&tracker, &a);
  return a;
}

static void test_held_dropped_for_scanner(void **state) {
  (void)state;
  open_tracker(60, 20, 20);
  /* B's violation is held too, and must survive A's scan. */
  struct ev_alert b = probe_and_hold(syn("10.0.0.9", "10.0.0.2", 7, T0), 100);
  for (uint16_t p = 1; p <= 19; p++)
    probe_and_hold(syn("10.0.0.1", "10.0.0.2", p, T0 + p * S), p);
  assert_int_equal(tracker.n_held, 20);
  expect_alerts(0);
  assert_int_equal(observe(syn("10.0.0.1", "10.0.0.2", 20, T0 + 25 * S)), SCAN_SCANNER);
  expect_alerts(1);
  assert_int_equal(rec.a[0].signature_id, SIG_PORT_SCAN);
  assert_int_equal(tracker.suppressed, 19);
  assert_int_equal(tracker.n_held, 1);
  scan_finish(&tracker);
  expect_alerts(2);
  assert_memory_equal(&rec.a[1], &b, sizeof b);
  assert_int_equal(tracker.n_held, 0);
  close_tracker();
}

static void test_held_released_after_window(void **state) {
  (void)state;
  open_tracker(60, 20, 20);
  struct ev_alert held[3];
  for (int i = 0; i < 3; i++)
    held[i] = probe_and_hold(syn("10.0.0.1", "10.0.0.2", (uint16_t)(80 + i),
                                 T0 + (uint64_t)i * 10 * S),
                             i);
  /* Another source's flows move time on; not yet past 10.0.0.1's window
   * (it started at T0). */
  struct ev_flow other = syn("10.0.0.5", "10.0.0.6", 443, T0);
  other.state = EV_STATE_ESTABLISHED;
  other.payload_c2s = 10;
  other.last_ns = T0 + 60 * S - 1;
  assert_int_equal(observe(other), SCAN_NOT_PROBE);
  expect_alerts(0);
  /* Now it is: all three come out as they went in, in order. */
  other.last_ns = T0 + 60 * S;
  observe(other);
  expect_alerts(3);
  for (int i = 0; i < 3; i++)
    assert_memory_equal(&rec.a[i], &held[i], sizeof held[i]);
  assert_int_equal(tracker.n_held, 0);
  assert_int_equal(tracker.suppressed, 0);
  /* A scan by that source in a later window does not reach back. */
  for (uint16_t p = 1; p <= 20; p++)
    observe(syn("10.0.0.1", "10.0.0.2", p, T0 + 100 * S));
  expect_alerts(4);
  assert_int_equal(rec.a[3].signature_id, SIG_PORT_SCAN);
  assert_int_equal(tracker.suppressed, 0);
  close_tracker();
}

static void test_finish_releases_all(void **state) {
  (void)state;
  open_tracker(60, 20, 20);
  struct ev_alert a = probe_and_hold(syn("10.0.0.1", "10.0.0.2", 80, T0), 1);
  struct ev_alert b = probe_and_hold(syn("10.0.0.3", "10.0.0.2", 81, T0 + S), 2);
  struct ev_alert c = probe_and_hold(syn("fd00::1", "fd00::2", 81, T0 + 2 * S), 3);
  expect_alerts(0);
  scan_finish(&tracker);
  expect_alerts(3);
  assert_memory_equal(&rec.a[0], &a, sizeof a);
  assert_memory_equal(&rec.a[1], &b, sizeof b);
  assert_memory_equal(&rec.a[2], &c, sizeof c);
  scan_finish(&tracker);
  expect_alerts(3);
  close_tracker();
}

/* Far more held than the tracker keeps: none is lost. */
static void test_hold_bound(void **state) {
  (void)state;
  open_tracker(60, 65535, 100000000);
  for (int i = 0; i < 5000; i++) {
    struct ev_flow f = syn("10.0.0.1", host(i), (uint16_t)(1 + i % 1000), T0 + (uint64_t)i);
    probe_and_hold(f, i);
  }
  size_t now = rec.n;
  assert_true(now > 0); /* what did not fit was raised at once */
  scan_finish(&tracker);
  expect_alerts(5000);
  close_tracker();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_is_probe),
      cmocka_unit_test(test_non_probes_not_counted),
      cmocka_unit_test(test_port_scan),
      cmocka_unit_test(test_per_source),
      cmocka_unit_test(test_host_sweep),
      cmocka_unit_test(test_both_kinds),
      cmocka_unit_test(test_held_dropped_for_scanner),
      cmocka_unit_test(test_held_released_after_window),
      cmocka_unit_test(test_finish_releases_all),
      cmocka_unit_test(test_hold_bound),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
