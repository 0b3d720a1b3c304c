/* tests/unit/test_detector.c — detect/detector.h against a model learned
 * through learner_flow, with a sink that records every alert: learned flows
 * raise nothing; new edges (1001) and other applications on a learned port
 * (1002, naming the learned ones); payload-less flows match any application;
 * the worst value above max(margin x quantile, max) raises one anomaly
 * (2001-2004) naming the learned figure, the learned maximum never does, nor
 * edges under min_samples; connections per minute above rate_margin x the
 * learned most raise one 2005 per edge and minute; discover mode raises only
 * threats, and a scanner's violations are folded into its scan alert. */
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
#include "core/timefmt.h"
#include "detect/detector.h"
#include "detect/signatures.h"
#include "learn/learner.h"
#include "models/model.h"
#include "services/service_map.h"

#define S 1000000000ull
#define MIN (60 * S)
#define T0 (28333334ull * MIN) /* learning starts at a minute boundary */
#define T1 (T0 + 1000 * MIN)   /* checking starts later */
#define TCP 6
#define UDP 17

static const char *const services_yaml =
    "services:\n"
    "  web:\n"
    "    members: [{ip: 10.1.0.10}, {ip: 10.1.0.11}]\n"
    "  api:\n"
    "    members: [{ip: 10.1.0.20}]\n"
    "  db:\n"
    "    members: [{ip: 10.1.0.30, ports: [5432], proto: tcp}]\n"
    "  cache:\n"
    "    members: [{ip: 10.1.0.40}]\n";

/* --- alerts recorded ------------------------------------------------------ */

struct rec {
  struct ev_alert *a;
  size_t n, cap;
};

static void sink(void *ctx, const struct ev_alert *a) {
  struct rec *r = ctx;
  if (r->n == r->cap) {
    r->cap = r->cap ? 2 * r->cap : 16;
    r->a = realloc(r->a, r->cap * sizeof *r->a);
    assert_non_null(r->a);
  }
  r->a[r->n++] = *a;
}

static size_t count_sig(const struct rec *r, uint32_t sig) {
  size_t n = 0;
  for (size_t i = 0; i < r->n; i++)
    n += r->a[i].signature_id == sig;
  return n;
}

static void print_alerts(const struct rec *r) {
  for (size_t i = 0; i < r->n; i++)
    print_error("  alert %u: %s\n", r->a[i].signature_id, r->a[i].signature);
}

static void expect_alerts(const struct rec *r, size_t n) {
  if (r->n != n) {
    print_error("want %zu alerts, got %zu:\n", n, r->n);
    print_alerts(r);
  }
  assert_int_equal(r->n, n);
}

/* --- flows ---------------------------------------------------------------- */

/* An established TCP flow with payload and the values every learned flow
 * of the constant edges has: 1000 B up, 5000 B down, 10 packets, 2 s. */
static struct ev_flow flow(const char *cli, const char *srv, uint16_t port, const char *app,
                           uint64_t start) {
  struct ev_flow f;
  memset(&f, 0, sizeof f);
  assert_int_equal(hb_addr_parse(cli, &f.cli), 0);
  assert_int_equal(hb_addr_parse(srv, &f.srv), 0);
  f.flow_id = start ^ port;
  f.cli_port = 40000;
  f.srv_port = port;
  f.proto = TCP;
  f.state = EV_STATE_CLOSED;
  f.end_reason = EV_END_FIN;
  f.first_ns = start;
  f.last_ns = start + 2 * S;
  f.bytes_c2s = 1000;
  f.bytes_s2c = 5000;
  f.payload_c2s = 600;
  f.payload_s2c = 4600;
  f.pkts_c2s = 5;
  f.pkts_s2c = 5;
  snprintf(f.app, sizeof f.app, "%s", app);
  return f;
}

/* A SYN nobody answered. */
static struct ev_flow probe(const char *cli, const char *srv, uint16_t port, uint64_t start) {
  struct ev_flow f = flow(cli, srv, port, "", start);
  f.state = EV_STATE_NEW;
  f.end_reason = EV_END_TIMEOUT;
  f.last_ns = start;
  f.bytes_c2s = 60;
  f.bytes_s2c = 0;
  f.payload_c2s = f.payload_s2c = 0;
  f.pkts_c2s = 1;
  f.pkts_s2c = 0;
  return f;
}

/* The varied edge web -> cache tcp/7000: 30 flows of different sizes. */
static struct ev_flow varied(int i) {
  struct ev_flow f = flow("10.1.0.10", "10.1.0.40", 7000, "", T0 + (uint64_t)i * S);
  f.bytes_c2s = 100 + 97 * (uint64_t)i;
  f.bytes_s2c = 20000 - 300 * (uint64_t)i;
  f.pkts_c2s = 3 + (uint32_t)(i % 7);
  f.last_ns = f.first_ns + 1000000ull * (uint64_t)(50 + 13 * i);
  return f;
}

/* Every flow learned, in order; `each` is called with each of them. */
static void learned_flows(void (*each)(void *ctx, struct ev_flow f), void *ctx) {
  /* web -> api tcp/443 tls: 30 alike flows, all in one minute. */
  for (int i = 0; i < 30; i++)
    each(ctx, flow(i % 2 ? "10.1.0.11" : "10.1.0.10", "10.1.0.20", 443, "tls",
                   T0 + (uint64_t)i * S));
  /* web -> api tcp/443 http: 5 flows. */
  for (int i = 0; i < 5; i++)
    each(ctx, flow("10.1.0.10", "10.1.0.20", 443, "http", T0 + (uint64_t)(40 + i) * S));
  /* web -> db tcp/5432: 25 minutes of 1, 2 or 3 connections (most: 3). */
  for (int m = 0; m < 25; m++)
    for (int k = 0; k <= m % 3; k++)
      each(ctx, flow("10.1.0.10", "10.1.0.30", 5432, "", T0 + (uint64_t)m * MIN +
                                                             (uint64_t)k * S));
  /* web -> cache tcp/6379: 19 flows in 19 minutes (too few to judge). */
  for (int m = 0; m < 19; m++)
    each(ctx, flow("10.1.0.10", "10.1.0.40", 6379, "", T0 + (uint64_t)m * MIN));
  /* web -> cache tcp/6380: exactly 20 flows. */
  for (int i = 0; i < 20; i++)
    each(ctx, flow("10.1.0.10", "10.1.0.40", 6380, "", T0 + (uint64_t)i * S));
  /* web -> cache tcp/6390: 25 minutes of one connection. */
  for (int m = 0; m < 25; m++)
    each(ctx, flow("10.1.0.10", "10.1.0.40", 6390, "", T0 + (uint64_t)m * MIN + 30 * S));
  for (int i = 0; i < 30; i++)
    each(ctx, varied(i));
}

/* --- the rig -------------------------------------------------------------- */

struct rig {
  struct config cfg;
  struct svc_map map;
  struct model model;
  struct learner l;
  struct detector d;
  struct rec rec;
};

static struct rig rig;

static void learn_one(void *ctx, struct ev_flow f) {
  struct rig *r = ctx;
  struct svc_endpoint cli, srv;
  struct hb_error err = {0, ""};
  svc_map_flow(&r->map, &f, &cli, &srv);
  if (learner_flow(&r->l, &f, &cli, &srv, &err))
    fail_msg("learner_flow: %s", err.msg);
}

/* Learn the flows above, then a detector with `extra` YAML in its config. */
static void rig_open(const char *extra) {
  struct rig *r = &rig;
  memset(r, 0, sizeof *r);
  char text[2048];
  snprintf(text, sizeof text, "%s%s", services_yaml, extra);
  struct hb_error err = {0, ""};
  if (config_parse("test.yaml", text, strlen(text), &r->cfg, &err))
    fail_msg("config: %s", err.msg);
  svc_map_init(&r->map, &r->cfg);
  model_init(&r->model);
  learner_init(&r->l, &r->model, NULL, &r->cfg);
  learned_flows(learn_one, r);
  assert_int_equal(learner_finish(&r->l, &err), 0);
  assert_int_equal(detector_init(&r->d, &r->model, &r->cfg, sink, &r->rec), 0);
}

static void rig_close(void) {
  struct rig *r = &rig;
  detector_free(&r->d);
  learner_free(&r->l);
  model_free(&r->model);
  svc_map_free(&r->map);
  config_free(&r->cfg);
  free(r->rec.a);
}

static void check_mode(struct ev_flow f, uint8_t mode) {
  struct svc_endpoint cli, srv;
  svc_map_flow(&rig.map, &f, &cli, &srv);
  detector_flow(&rig.d, &f, mode);
}

static void check(struct ev_flow f) { check_mode(f, EV_MODE_MONITOR); }

static void check_one(void *ctx, struct ev_flow f) {
  (void)ctx;
  check(f);
}

static const struct model_edge *edge_of(const char *cli, const char *srv, uint16_t port,
                                        const char *app) {
  struct edge_key k;
  memset(&k, 0, sizeof k);
  k.cli = model_find_service(&rig.model, cli);
  k.srv = model_find_service(&rig.model, srv);
  k.proto = TCP;
  k.port = port;
  snprintf(k.app, sizeof k.app, "%s", app);
  uint32_t i = model_find_edge(&rig.model, &k);
  assert_int_not_equal(i, IDXMAP_NONE);
  return &rig.model.edges[i];
}

/* --- whitelist ------------------------------------------------------------ */

static void test_learned_flows_raise_nothing(void **state) {
  (void)state;
  rig_open("");
  /* The model is what we think it is. */
  assert_int_equal(rig.model.n_edges, 7);
  assert_int_equal(edge_of("web", "db", 5432, "")->h[EM_CONN_RATE].n, 25);
  assert_true(edge_of("web", "db", 5432, "")->h[EM_CONN_RATE].max == 3);
  uint64_t counts[16], n[16][EM_COUNT];
  for (uint32_t i = 0; i < rig.model.n_edges; i++) {
    counts[i] = rig.model.edges[i].count;
    for (int h = 0; h < EM_COUNT; h++)
      n[i][h] = rig.model.edges[i].h[h].n;
  }
  learned_flows(check_one, NULL);
  detector_finish(&rig.d);
  expect_alerts(&rig.rec, 0);
  /* The model is only read. */
  check(flow("10.1.0.10", "10.1.0.20", 8443, "tls", T1));
  expect_alerts(&rig.rec, 1);
  assert_int_equal(rig.model.n_edges, 7);
  assert_int_equal(rig.model.n_services, 4);
  for (uint32_t i = 0; i < rig.model.n_edges; i++) {
    assert_int_equal(rig.model.edges[i].count, counts[i]);
    for (int h = 0; h < EM_COUNT; h++)
      assert_int_equal(rig.model.edges[i].h[h].n, n[i][h]);
  }
  rig_close();
}

/* Whatever the quantile and margins, the data learned raises nothing: the
 * threshold is never under the learned maximum. */
static void test_learned_flows_any_margin(void **state) {
  (void)state;
  static const char *const configs[] = {
      "detect: {margin: 1.0, rate_margin: 1.0}\n",
      "detect: {quantile: 0.5, margin: 1.0}\n",
      "detect: {quantile: 0.01, margin: 1.5, rate_margin: 1.0}\n",
  };
  for (size_t i = 0; i < sizeof configs / sizeof configs[0]; i++) {
    rig_open(configs[i]);
    learned_flows(check_one, NULL);
    detector_finish(&rig.d);
    expect_alerts(&rig.rec, 0);
    rig_close();
  }
}

static void test_new_edge(void **state) {
  (void)state;
  rig_open("");
  struct {
    const char *cli, *srv;
    uint16_t port;
    const char *app, *want;
  } cases[] = {
      {"10.1.0.10", "10.1.0.20", 8443, "tls",
       "unlearned connection web -> api tcp/8443 (tls) (never learned)"},
      {"10.1.0.20", "10.1.0.10", 443, "tls",
       "unlearned connection api -> web tcp/443 (tls) (never learned)"},
      {"10.1.0.10", "10.1.0.99", 443, "tls",
       "unlearned connection web -> 10.1.0.99:443 tcp/443 (tls) (server service never "
       "seen)"},
      {"10.1.0.77", "10.1.0.20", 443, "tls",
       "unlearned connection 10.1.0.77 -> api tcp/443 (tls) (client service never seen)"},
      {"10.1.0.10", "10.1.0.30", 5433, "",
       "unlearned connection web -> db tcp/5433 (never learned)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    rig.rec.n = 0;
    struct ev_flow f = flow(cases[i].cli, cases[i].srv, cases[i].port, cases[i].app,
                            T1 + i * MIN);
    check(f);
    expect_alerts(&rig.rec, 1);
    const struct ev_alert *a = &rig.rec.a[0];
    assert_int_equal(a->signature_id, SIG_NEW_EDGE);
    assert_int_equal(a->category, EV_CAT_VIOLATION);
    assert_int_equal(a->severity, 2);
    assert_int_equal(a->mode, EV_MODE_MONITOR);
    assert_int_equal(a->action, EV_ACTION_ALLOWED);
    assert_int_equal(a->flow.flow_id, f.flow_id);
    assert_string_equal(a->signature, cases[i].want);
  }
  /* Protect mode: the same alert, blocked. */
  rig.rec.n = 0;
  check_mode(flow("10.1.0.10", "10.1.0.20", 8443, "tls", T1 + 10 * MIN), EV_MODE_PROTECT);
  expect_alerts(&rig.rec, 1);
  assert_int_equal(rig.rec.a[0].mode, EV_MODE_PROTECT);
  assert_int_equal(rig.rec.a[0].action, EV_ACTION_BLOCKED);
  rig_close();
}

static void test_app_changed(void **state) {
  (void)state;
  rig_open("");
  check(flow("10.1.0.10", "10.1.0.20", 443, "ssh", T1));
  expect_alerts(&rig.rec, 1);
  const struct ev_alert *a = &rig.rec.a[0];
  assert_int_equal(a->signature_id, SIG_APP_CHANGED);
  assert_int_equal(a->category, EV_CAT_VIOLATION);
  assert_int_equal(a->severity, 1);
  const char *p = strstr(a->signature, "web -> api tcp/443 (ssh) carried ssh; this port "
                                       "was learned only for ");
  assert_non_null(p);
  /* Both learned applications, and nothing else. */
  const char *learned = strstr(a->signature, "only for ") + strlen("only for ");
  assert_true(strcmp(learned, "tls, http") == 0 || strcmp(learned, "http, tls") == 0);

  /* An unidentified payload on a port learned with applications. */
  rig.rec.n = 0;
  check(flow("10.1.0.10", "10.1.0.20", 443, "", T1 + MIN));
  expect_alerts(&rig.rec, 1);
  assert_int_equal(rig.rec.a[0].signature_id, SIG_APP_CHANGED);
  assert_non_null(strstr(rig.rec.a[0].signature, "carried an unidentified protocol"));

  /* An application on a port learned unidentified. */
  rig.rec.n = 0;
  check(flow("10.1.0.10", "10.1.0.30", 5432, "http", T1 + 2 * MIN));
  expect_alerts(&rig.rec, 1);
  assert_int_equal(rig.rec.a[0].signature_id, SIG_APP_CHANGED);
  assert_string_equal(rig.rec.a[0].signature,
                      "web -> db tcp/5432 (http) carried http; this port was learned only "
                      "for unidentified");
  rig_close();
}

static void test_payloadless_matches_any_app(void **state) {
  (void)state;
  rig_open("");
  /* Established, no payload, many packets (not a probe). */
  struct ev_flow f = flow("10.1.0.10", "10.1.0.20", 443, "", T1);
  f.payload_c2s = f.payload_s2c = 0;
  f.pkts_c2s = 8;
  check(f);
  /* A probe on the learned port. */
  check(probe("10.1.0.11", "10.1.0.20", 443, T1 + MIN));
  detector_finish(&rig.d);
  expect_alerts(&rig.rec, 0);
  /* On a port never learned, saying nothing is still new. */
  f.srv_port = 444;
  check(f);
  expect_alerts(&rig.rec, 1);
  assert_int_equal(rig.rec.a[0].signature_id, SIG_NEW_EDGE);
  rig_close();
}

/* --- anomalies ------------------------------------------------------------ */

static void test_anomaly_each_metric(void **state) {
  (void)state;
  rig_open("");
  struct {
    uint64_t c2s, s2c;
    uint32_t pkts_each;
    uint64_t dur_ms;
    uint32_t sig;
    uint8_t sev;
    const char *want;
  } cases[] = {
      {10000, 5000, 5, 2000, SIG_BYTES_TOSERVER, 2,
       "web -> api tcp/443 (tls) sent 10.0 kB to the server in one connection; learned "
       "p99.9 is 1.0 kB over 30 connections (alert above 4.0 kB)"},
      {1000, 100000, 5, 2000, SIG_BYTES_TOCLIENT, 2,
       "web -> api tcp/443 (tls) received 100.0 kB from the server in one connection; "
       "learned p99.9 is 5.0 kB over 30 connections (alert above 20.0 kB)"},
      {1000, 5000, 50, 2000, SIG_PACKETS, 3,
       "web -> api tcp/443 (tls) took 100 packets in one connection; learned p99.9 is 10 "
       "packets over 30 connections (alert above 40 packets)"},
      {1000, 5000, 5, 60000, SIG_DURATION, 3,
       "web -> api tcp/443 (tls) lasted 60.0 s; learned p99.9 is 2.0 s over 30 "
       "connections (alert above 8.0 s)"},
      /* Several values outside: the worst (relative to its limit) is named. */
      {10000, 100000, 30, 2000, SIG_BYTES_TOCLIENT, 2, NULL},
      {10000, 30000, 5, 40000, SIG_DURATION, 3, NULL},
      {20000, 30000, 5, 12000, SIG_BYTES_TOSERVER, 2, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    rig.rec.n = 0;
    struct ev_flow f = flow("10.1.0.10", "10.1.0.20", 443, "tls", T1 + i * MIN);
    f.bytes_c2s = cases[i].c2s;
    f.bytes_s2c = cases[i].s2c;
    f.pkts_c2s = f.pkts_s2c = cases[i].pkts_each;
    f.last_ns = f.first_ns + cases[i].dur_ms * 1000000ull;
    check(f);
    expect_alerts(&rig.rec, 1);
    const struct ev_alert *a = &rig.rec.a[0];
    assert_int_equal(a->signature_id, cases[i].sig);
    assert_int_equal(a->category, EV_CAT_ANOMALY);
    assert_int_equal(a->severity, cases[i].sev);
    assert_int_equal(a->mode, EV_MODE_MONITOR);
    assert_true(a->score > 1.0);
    if (cases[i].want)
      assert_string_equal(a->signature, cases[i].want);
  }
  rig_close();
}

/* The threshold is max(margin x quantile, max): on it nothing, above it one
 * anomaly, whichever of the two is larger. */
static void test_anomaly_threshold(void **state) {
  (void)state;
  for (int margin_one = 0; margin_one < 2; margin_one++) {
    rig_open(margin_one ? "detect: {margin: 1.0}\n" : "");
    const struct model_edge *e = edge_of("web", "cache", 7000, "");
    const struct loghist *h = &e->h[EM_BYTES_C2S];
    double lim = loghist_quantile(h, 0.999) * (margin_one ? 1.0 : 4.0);
    if (lim < h->max)
      lim = h->max;
    if (margin_one)
      assert_true(lim == h->max && h->max == 100 + 97 * 29);
    else
      assert_true(lim > h->max);
    struct ev_flow f = varied(29);
    f.first_ns = T1;
    f.last_ns = T1 + 50000000ull; /* short: only the bytes can be outside */
    f.bytes_c2s = (uint64_t)lim;
    check(f);
    expect_alerts(&rig.rec, 0);
    f.bytes_c2s = (uint64_t)lim + 1;
    check(f);
    expect_alerts(&rig.rec, 1);
    assert_int_equal(rig.rec.a[0].signature_id, SIG_BYTES_TOSERVER);
    /* The learned figure: the quantile, in the metric's unit. */
    char q[64];
    snprintf(q, sizeof q, "learned p99.9 is %.1f kB over 30 connections",
             loghist_quantile(h, 0.999) / 1000);
    if (!strstr(rig.rec.a[0].signature, q))
      fail_msg("'%s' not in '%s'", q, rig.rec.a[0].signature);
    rig_close();
  }
}

/* Every learned maximum is on the threshold when margin is 1. */
static void test_learned_max_never_alerts(void **state) {
  (void)state;
  rig_open("detect: {margin: 1.0}\n");
  const struct model_edge *e = edge_of("web", "cache", 7000, "");
  struct ev_flow f = varied(0);
  f.first_ns = T1;
  f.bytes_c2s = (uint64_t)e->h[EM_BYTES_C2S].max;
  f.bytes_s2c = (uint64_t)e->h[EM_BYTES_S2C].max;
  f.pkts_c2s = (uint32_t)e->h[EM_PKTS].max - f.pkts_s2c;
  f.last_ns = f.first_ns + (uint64_t)(e->h[EM_DURATION_MS].max * 1e6);
  assert_true((double)(f.last_ns - f.first_ns) / 1e6 == e->h[EM_DURATION_MS].max);
  check(f);
  expect_alerts(&rig.rec, 0);
  /* One more of any of them is outside. */
  struct ev_flow g = f;
  g.pkts_c2s++;
  check(g);
  expect_alerts(&rig.rec, 1);
  assert_int_equal(rig.rec.a[0].signature_id, SIG_PACKETS);
  g = f;
  g.last_ns += 1000000ull;
  check(g);
  expect_alerts(&rig.rec, 2);
  assert_int_equal(rig.rec.a[1].signature_id, SIG_DURATION);
  g = f;
  g.bytes_s2c++;
  check(g);
  expect_alerts(&rig.rec, 3);
  assert_int_equal(rig.rec.a[2].signature_id, SIG_BYTES_TOCLIENT);
  rig_close();
}

static void test_min_samples(void **state) {
  (void)state;
  rig_open("");
  /* 19 flows learned: nothing is too big. */
  struct ev_flow f = flow("10.1.0.10", "10.1.0.40", 6379, "", T1);
  f.bytes_c2s = f.bytes_s2c = 1000000000;
  f.pkts_c2s = 1000000;
  f.last_ns = f.first_ns + 3600 * S;
  check(f);
  expect_alerts(&rig.rec, 0);
  /* 20 flows learned: judged. */
  f.srv_port = 6380;
  check(f);
  expect_alerts(&rig.rec, 1);
  assert_int_equal(rig.rec.a[0].category, EV_CAT_ANOMALY);
  rig_close();

  /* min_samples from the config. */
  rig_open("detect: {min_samples: 19}\n");
  f.srv_port = 6379;
  check(f);
  expect_alerts(&rig.rec, 1);
  rig_close();
  rig_open("detect: {min_samples: 21}\n");
  f.srv_port = 6380;
  check(f);
  expect_alerts(&rig.rec, 0);
  rig_close();
}

/* --- connections per minute ---------------------------------------------- */

static void test_conn_rate(void **state) {
  (void)state;
  rig_open("");
  /* db learned at most 3 a minute over 25 minutes: more than 6 alerts.
   * cache:6390 (at most 1, so more than 2 alerts) is counted apart. */
  uint64_t m0 = T1 + 7 * MIN;
  for (int i = 0; i < 2; i++)
    check(flow("10.1.0.10", "10.1.0.40", 6390, "", m0 + (uint64_t)i * S));
  for (int i = 0; i < 6; i++)
    check(flow("10.1.0.10", "10.1.0.30", 5432, "", m0 + (uint64_t)i * S));
  expect_alerts(&rig.rec, 0);
  check(flow("10.1.0.11", "10.1.0.30", 5432, "", m0 + 30 * S));
  expect_alerts(&rig.rec, 1);
  const struct ev_alert *a = &rig.rec.a[0];
  assert_int_equal(a->signature_id, SIG_CONN_RATE);
  assert_int_equal(a->category, EV_CAT_ANOMALY);
  assert_int_equal(a->flow.first_ns, m0 + 30 * S);
  char when[HB_TIME_STRLEN];
  hb_time_iso(m0, when);
  when[16] = '\0';
  char want[320];
  snprintf(want, sizeof want,
           "web -> db tcp/5432: more than 6 connections in the minute from %s; learned at "
           "most 3 a minute over 25 minutes",
           when);
  assert_string_equal(a->signature, want);
  /* More in the same minute: no second alert. */
  for (int i = 0; i < 20; i++)
    check(flow("10.1.0.10", "10.1.0.30", 5432, "", m0 + 40 * S));
  /* Other edges in that minute are counted apart: api's tls has one
   * learned minute, too few to judge. */
  for (int i = 0; i < 20; i++)
    check(flow("10.1.0.10", "10.1.0.20", 443, "tls", m0 + 41 * S));
  expect_alerts(&rig.rec, 1);
  /* The next minute: 6 are fine, the 7th alerts again. */
  for (int i = 0; i < 6; i++)
    check(flow("10.1.0.10", "10.1.0.30", 5432, "", m0 + MIN + (uint64_t)i * S));
  expect_alerts(&rig.rec, 1);
  check(flow("10.1.0.10", "10.1.0.30", 5432, "", m0 + MIN + 59 * S));
  expect_alerts(&rig.rec, 2);
  assert_int_equal(count_sig(&rig.rec, SIG_CONN_RATE), 2);
  /* A late flow of the first minute does not raise it again. */
  check(flow("10.1.0.10", "10.1.0.30", 5432, "", m0 + 59 * S));
  expect_alerts(&rig.rec, 2);
  rig_close();
}

static void test_conn_rate_margin_and_min_samples(void **state) {
  (void)state;
  rig_open("detect: {rate_margin: 1.5}\n");
  uint64_t m0 = T1;
  for (int i = 0; i < 4; i++) /* 4 <= 1.5 x 3 */
    check(flow("10.1.0.10", "10.1.0.30", 5432, "", m0 + (uint64_t)i * S));
  expect_alerts(&rig.rec, 0);
  check(flow("10.1.0.10", "10.1.0.30", 5432, "", m0 + 10 * S));
  expect_alerts(&rig.rec, 1);
  assert_int_equal(rig.rec.a[0].signature_id, SIG_CONN_RATE);
  /* 19 learned minutes: too few, whatever the count. */
  for (int i = 0; i < 100; i++)
    check(flow("10.1.0.10", "10.1.0.40", 6379, "", m0 + 2 * MIN));
  expect_alerts(&rig.rec, 1);
  rig_close();
}

/* --- modes and threats ---------------------------------------------------- */

static void test_discover_only_threats(void **state) {
  (void)state;
  rig_open("");
  uint8_t mode = EV_MODE_DISCOVER;
  check_mode(flow("10.1.0.10", "10.1.0.20", 8443, "tls", T1), mode);   /* new edge */
  check_mode(flow("10.1.0.10", "10.1.0.20", 443, "ssh", T1), mode);    /* other app */
  struct ev_flow big = flow("10.1.0.10", "10.1.0.20", 443, "tls", T1); /* anomaly */
  big.bytes_c2s = 1000000000;
  check_mode(big, mode);
  for (int i = 0; i < 50; i++) /* rate */
    check_mode(flow("10.1.0.10", "10.1.0.30", 5432, "", T1 + 5 * S), mode);
  detector_finish(&rig.d);
  expect_alerts(&rig.rec, 0);
  /* A port scan is a threat: raised in discover mode too. */
  for (uint16_t p = 1; p <= 20; p++)
    check_mode(probe("10.1.0.66", "10.1.0.20", p, T1 + p * S), mode);
  detector_finish(&rig.d);
  expect_alerts(&rig.rec, 1);
  assert_int_equal(rig.rec.a[0].signature_id, SIG_PORT_SCAN);
  assert_int_equal(rig.rec.a[0].category, EV_CAT_THREAT);
  assert_int_equal(rig.rec.a[0].mode, EV_MODE_DISCOVER);
  rig_close();
}

/* In monitor mode a scanner's probes raise the scan alert, not one
 * violation each; another source's probe violation is held, then raised. */
static void test_scanner_violations_folded(void **state) {
  (void)state;
  rig_open("");
  check(probe("10.1.0.11", "10.1.0.20", 9999, T1));
  for (uint16_t p = 1; p <= 25; p++)
    check(probe("10.1.0.66", "10.1.0.20", p, T1 + p * S));
  expect_alerts(&rig.rec, 1);
  assert_int_equal(rig.rec.a[0].signature_id, SIG_PORT_SCAN);
  assert_int_equal(rig.rec.a[0].mode, EV_MODE_MONITOR);
  /* 19 held and dropped, 6 never raised. */
  assert_int_equal(rig.d.scan.suppressed + rig.d.suppressed, 25);
  detector_finish(&rig.d);
  expect_alerts(&rig.rec, 2);
  assert_int_equal(rig.rec.a[1].signature_id, SIG_NEW_EDGE);
  assert_non_null(strstr(rig.rec.a[1].signature, "web -> api tcp/9999"));
  rig_close();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_learned_flows_raise_nothing),
      cmocka_unit_test(test_learned_flows_any_margin),
      cmocka_unit_test(test_new_edge),
      cmocka_unit_test(test_app_changed),
      cmocka_unit_test(test_payloadless_matches_any_app),
      cmocka_unit_test(test_anomaly_each_metric),
      cmocka_unit_test(test_anomaly_threshold),
      cmocka_unit_test(test_learned_max_never_alerts),
      cmocka_unit_test(test_min_samples),
      cmocka_unit_test(test_conn_rate),
      cmocka_unit_test(test_conn_rate_margin_and_min_samples),
      cmocka_unit_test(test_discover_only_threats),
      cmocka_unit_test(test_scanner_violations_folded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
