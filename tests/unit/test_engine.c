/* tests/unit/test_engine.c — engine/engine.h fed EV_FLOW events by hand: one
 * engine learns (mode override discover, a real store), a second checks
 * the same model (override monitor, read-only), alerts and flows written as
 * EVE JSON lines to tmpfile()s; EV_STATS and EV_END keep the collector's
 * counters and EV_END returns 1; discover mode on a read-only model fails
 * with a message; and without an override each flow takes the stricter of
 * its two services' configured modes, else the default. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "core/event.h"
#include "detect/signatures.h"
#include "engine/engine.h"
#include "models/model.h"
#include "models/store.h"

#define S 1000000000ull
#define MIN (60 * S)
#define T0 (28333334ull * MIN)
#define T1 (T0 + 1000 * MIN)
#define TCP 6

static char dir[64];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/habit-engine-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static void load_config(const char *text, struct config *c) {
  struct hb_error err = {0, ""};
  if (config_parse("test.yaml", text, strlen(text), c, &err))
    fail_msg("config: %s", err.msg);
}

static void open_store(struct store *st, const char *name, int flags) {
  char p[256];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  struct hb_error err = {0, ""};
  if (store_open(st, p, flags, &err))
    fail_msg("store_open: %s", err.msg);
}

/* An EV_FLOW event: an established TCP flow with payload. */
static struct event *flow_event(const char *cli, const char *srv, uint16_t port,
                                const char *app, uint64_t start) {
  static struct event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = EV_FLOW;
  ev.ts_ns = start + 2 * S;
  snprintf(ev.node, sizeof ev.node, "lab1");
  struct ev_flow *f = &ev.u.flow;
  assert_int_equal(hb_addr_parse(cli, &f->cli), 0);
  assert_int_equal(hb_addr_parse(srv, &f->srv), 0);
  f->flow_id = 1000 + start / S;
  f->cli_port = 40000;
  f->srv_port = port;
  f->proto = TCP;
  f->state = EV_STATE_CLOSED;
  f->end_reason = EV_END_FIN;
  f->first_ns = start;
  f->last_ns = start + 2 * S;
  f->bytes_c2s = 1000;
  f->bytes_s2c = 5000;
  f->payload_c2s = 600;
  f->payload_s2c = 4600;
  f->pkts_c2s = 5;
  f->pkts_s2c = 5;
  snprintf(f->app, sizeof f->app, "%s", app);
  return &ev;
}

static struct event *probe_event(const char *cli, const char *srv, uint16_t port,
                                 uint64_t start) {
  struct event *ev = flow_event(cli, srv, port, "", start);
  struct ev_flow *f = &ev->u.flow;
  f->state = EV_STATE_NEW;
  f->end_reason = EV_END_TIMEOUT;
  f->last_ns = start;
  f->bytes_s2c = f->payload_c2s = f->payload_s2c = 0;
  f->pkts_c2s = 1;
  f->pkts_s2c = 0;
  return ev;
}

static void feed(struct engine *e, const struct event *ev) {
  struct hb_error err = {0, ""};
  int rc = engine_event(e, ev, &err);
  if (rc != 0)
    fail_msg("engine_event: %d %s", rc, err.msg);
}

/* The lines written to f since it was opened. */
struct lines {
  char *buf;
  char *line[256];
  size_t n;
};

static void read_lines(FILE *f, struct lines *l) {
  fflush(f);
  long len = ftell(f);
  assert_true(len >= 0);
  rewind(f);
  l->buf = malloc((size_t)len + 1);
  assert_non_null(l->buf);
  assert_int_equal(fread(l->buf, 1, (size_t)len, f), (size_t)len);
  l->buf[len] = '\0';
  fseek(f, 0, SEEK_END);
  l->n = 0;
  for (char *p = l->buf; *p;) {
    char *nl = strchr(p, '\n');
    assert_non_null(nl); /* every line ends */
    *nl = '\0';
    assert_true(l->n < 256);
    l->line[l->n++] = p;
    p = nl + 1;
  }
}

static void expect_in(const char *line, const char *what) {
  if (!strstr(line, what))
    fail_msg("'%s' not in %s", what, line);
}

static const char *const services_yaml =
    "services:\n"
    "  web:\n"
    "    members: [{ip: 10.1.0.10}]\n"
    "  api:\n"
    "    members: [{ip: 10.1.0.20}]\n";

/* --- discover, then monitor ----------------------------------------------- */

static void test_discover_then_monitor(void **state) {
  (void)state;
  struct config cfg;
  load_config(services_yaml, &cfg);
  struct model model;
  model_init(&model);
  struct store st;
  open_store(&st, "pipeline.db", STORE_CREATE);
  struct hb_error err = {0, ""};

  /* Learn. */
  FILE *alerts = tmpfile(), *flows = tmpfile();
  assert_non_null(alerts);
  assert_non_null(flows);
  struct engine e;
  assert_int_equal(engine_init(&e, &cfg, &model, &st, EV_MODE_DISCOVER, alerts, flows), 0);
  for (int i = 0; i < 30; i++)
    feed(&e, flow_event("10.1.0.10", "10.1.0.20", 443, "tls", T0 + (uint64_t)i * S));
  /* A port scan is a threat even while learning. */
  for (uint16_t p = 1; p <= 20; p++)
    feed(&e, probe_event("10.1.0.66", "10.1.0.20", p, T0 + 40 * S + p));
  assert_int_equal(e.counts.flows, 50);
  assert_int_equal(e.counts.learned, 50);
  assert_int_equal(e.counts.checked, 0);
  assert_int_equal(e.counts.alerts_total, 1);
  assert_int_equal(e.counts.alerts[EV_CAT_THREAT], 1);
  assert_int_equal(engine_finish(&e, &err), 0);
  assert_true(st.flushes >= 1);
  assert_int_equal(e.write_error, 0);
  engine_free(&e);

  struct lines l;
  read_lines(alerts, &l);
  assert_int_equal(l.n, 1);
  expect_in(l.line[0], "\"event_type\":\"alert\"");
  expect_in(l.line[0], "\"signature_id\":3001");
  expect_in(l.line[0], "\"category\":\"threat\"");
  expect_in(l.line[0], "\"mode\":\"discover\"");
  expect_in(l.line[0], "\"src_ip\":\"10.1.0.66\"");
  expect_in(l.line[0], "\"src_service\":\"10.1.0.66\"");
  expect_in(l.line[0], "\"dest_service\":\"api\"");
  free(l.buf);
  read_lines(flows, &l);
  assert_int_equal(l.n, 50);
  for (size_t i = 0; i < l.n; i++)
    expect_in(l.line[i], "\"event_type\":\"flow\"");
  expect_in(l.line[0], "\"src_service\":\"web\"");
  expect_in(l.line[0], "\"app_proto\":\"tls\"");
  free(l.buf);
  fclose(alerts);
  fclose(flows);
  store_close(&st);

  uint32_t web = model_find_service(&model, "web");
  assert_int_not_equal(web, IDXMAP_NONE);
  uint64_t edges = model.n_edges, web_flows = model.services[web].flows;

  /* Check, over the same model, read-only. */
  alerts = tmpfile();
  assert_non_null(alerts);
  assert_int_equal(engine_init(&e, &cfg, &model, NULL, EV_MODE_MONITOR, alerts, NULL), 0);
  for (int i = 0; i < 30; i++) /* learned: nothing */
    feed(&e, flow_event("10.1.0.10", "10.1.0.20", 443, "tls", T1 + (uint64_t)i * S));
  assert_int_equal(e.counts.alerts_total, 0);
  feed(&e, flow_event("10.1.0.10", "10.1.0.20", 8443, "tls", T1 + MIN));
  struct event *big = flow_event("10.1.0.10", "10.1.0.20", 443, "tls", T1 + 2 * MIN);
  big->u.flow.bytes_c2s = 10000000;
  feed(&e, big);
  assert_int_equal(e.counts.flows, 32);
  assert_int_equal(e.counts.learned, 0);
  assert_int_equal(e.counts.checked, 32);
  assert_int_equal(e.counts.alerts_total, 2);
  assert_int_equal(e.counts.alerts[EV_CAT_VIOLATION], 1);
  assert_int_equal(e.counts.alerts[EV_CAT_ANOMALY], 1);

  /* The collector's last words. */
  struct event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = EV_STATS;
  snprintf(ev.u.stats.source, sizeof ev.u.stats.source, "a.pcap");
  ev.u.stats.packets = 100;
  assert_int_equal(engine_event(&e, &ev, &err), 0);
  assert_int_equal(e.end.stats.packets, 100);
  memset(&ev, 0, sizeof ev);
  ev.kind = EV_END;
  snprintf(ev.u.end.stats.source, sizeof ev.u.end.stats.source, "a.pcap");
  ev.u.end.stats.packets = 1234;
  ev.u.end.stats.flows = 32;
  ev.u.end.stats.malformed = 3;
  ev.u.end.status = 0;
  snprintf(ev.u.end.message, sizeof ev.u.end.message, "done");
  assert_int_equal(engine_event(&e, &ev, &err), 1);
  assert_memory_equal(&e.end, &ev.u.end, sizeof ev.u.end);
  assert_int_equal(e.counts.flows, 32);
  assert_int_equal(e.counts.alerts_total, 2);
  assert_int_equal(engine_finish(&e, &err), 0);
  assert_int_equal(e.counts.alerts_total, 2);
  engine_free(&e);

  read_lines(alerts, &l);
  assert_int_equal(l.n, 2);
  const char *v = l.line[0], *a = l.line[1];
  expect_in(v, "\"event_type\":\"alert\"");
  expect_in(v, "\"src_ip\":\"10.1.0.10\"");
  expect_in(v, "\"src_port\":40000");
  expect_in(v, "\"dest_ip\":\"10.1.0.20\"");
  expect_in(v, "\"dest_port\":8443");
  expect_in(v, "\"proto\":\"TCP\"");
  expect_in(v, "\"app_proto\":\"tls\"");
  expect_in(v, "\"src_service\":\"web\"");
  expect_in(v, "\"dest_service\":\"api\"");
  expect_in(v, "\"signature_id\":1001");
  expect_in(v, "\"category\":\"violation\"");
  expect_in(v, "\"action\":\"allowed\"");
  expect_in(v, "\"mode\":\"monitor\"");
  expect_in(v, "\"signature\":\"unlearned connection web -> api tcp/8443 (tls)");
  expect_in(a, "\"signature_id\":2001");
  expect_in(a, "\"category\":\"anomaly\"");
  expect_in(a, "learned p99.9 is 1.0 kB over 30 connections");
  expect_in(a, "\"bytes_toserver\":10000000");
  free(l.buf);
  fclose(alerts);

  /* Monitor changed nothing. */
  assert_int_equal(model.n_edges, edges);
  assert_int_equal(model.services[web].flows, web_flows);
  model_free(&model);
  config_free(&cfg);
}

/* --- a read-only model ---------------------------------------------------- */

static void test_discover_needs_store(void **state) {
  (void)state;
  struct config cfg;
  load_config(services_yaml, &cfg);
  struct model model;
  model_init(&model);
  struct engine e;
  struct hb_error err = {0, ""};
  assert_int_equal(engine_init(&e, &cfg, &model, NULL, EV_MODE_DISCOVER, NULL, NULL), 0);
  int rc = engine_event(&e, flow_event("10.1.0.10", "10.1.0.20", 443, "tls", T0), &err);
  assert_int_equal(rc, -EROFS);
  assert_true(rc < 0);
  assert_non_null(strstr(err.msg, "read-only"));
  assert_non_null(strstr(err.msg, "web -> api"));
  assert_int_equal(e.counts.learned, 0);
  assert_int_equal(model.n_edges, 0);
  assert_int_equal(model.n_services, 0);
  engine_free(&e);

  /* By the config: only the flows in discover mode fail. */
  struct config per;
  load_config("mode: monitor\n"
              "services:\n"
              "  web: {mode: discover, members: [{ip: 10.1.0.10}]}\n"
              "  api: {members: [{ip: 10.1.0.20}]}\n",
              &per);
  assert_int_equal(engine_init(&e, &per, &model, NULL, 0, NULL, NULL), 0);
  hb_error_clear(&err);
  rc = engine_event(&e, flow_event("10.1.0.20", "10.1.0.30", 80, "", T0), &err);
  assert_int_equal(rc, 0);
  rc = engine_event(&e, flow_event("10.1.0.10", "10.1.0.99", 80, "", T0), &err);
  assert_int_equal(rc, -EROFS);
  assert_non_null(strstr(err.msg, "web -> 10.1.0.99:80"));
  engine_free(&e);
  model_free(&model);
  config_free(&per);
  config_free(&cfg);
}

/* --- modes from the config ------------------------------------------------ */

struct mode_case {
  const char *cli, *srv;
  uint8_t want; /* EV_MODE_* the flow must be handled in */
};

static void expect_modes(const char *yaml, const struct mode_case *cases, size_t n) {
  struct config cfg;
  load_config(yaml, &cfg);
  struct model model;
  model_init(&model);
  struct store st;
  open_store(&st, "modes.db", STORE_CREATE);
  FILE *alerts = tmpfile();
  assert_non_null(alerts);
  struct engine e;
  assert_int_equal(engine_init(&e, &cfg, &model, &st, 0, alerts, NULL), 0);
  for (size_t i = 0; i < n; i++) {
    struct engine_counts before = e.counts;
    /* A port never learned: monitor and protect alert on it. */
    feed(&e, flow_event(cases[i].cli, cases[i].srv, (uint16_t)(2000 + i), "",
                        T0 + (uint64_t)i * MIN));
    struct engine_counts *c = &e.counts;
    uint8_t got = c->learned > before.learned ? EV_MODE_DISCOVER : 0;
    if (c->checked > before.checked) {
      assert_int_equal(got, 0);
      assert_int_equal(c->alerts_total, before.alerts_total + 1);
      struct lines l;
      read_lines(alerts, &l);
      const char *last = l.line[l.n - 1];
      got = strstr(last, "\"mode\":\"protect\"")   ? EV_MODE_PROTECT
            : strstr(last, "\"mode\":\"monitor\"") ? EV_MODE_MONITOR
                                                   : 0;
      if (got == EV_MODE_PROTECT)
        expect_in(last, "\"action\":\"blocked\"");
      free(l.buf);
    } else {
      assert_int_equal(c->alerts_total, before.alerts_total);
    }
    if (got != cases[i].want)
      fail_msg("%s -> %s: mode %s, want %s", cases[i].cli, cases[i].srv, ev_mode_name(got),
               ev_mode_name(cases[i].want));
  }
  engine_free(&e);
  fclose(alerts);
  store_close(&st);
  char p[256];
  snprintf(p, sizeof p, "%s/modes.db", dir);
  unlink(p);
  model_free(&model);
  config_free(&cfg);
}

static void test_modes_from_config(void **state) {
  (void)state;
  /* Top-level monitor; db has no mode of its own (the top-level one). */
  static const char yaml[] = "mode: monitor\n"
                             "services:\n"
                             "  web: {mode: discover, members: [{ip: 10.1.0.10}]}\n"
                             "  batch: {mode: discover, members: [{ip: 10.1.0.40}]}\n"
                             "  api: {mode: monitor, members: [{ip: 10.1.0.20}]}\n"
                             "  db: {members: [{ip: 10.1.0.30}]}\n"
                             "  vault: {mode: protect, members: [{ip: 10.1.0.50}]}\n";
  static const struct mode_case cases[] = {
      {"10.1.0.10", "10.1.0.40", EV_MODE_DISCOVER}, /* discover + discover */
      {"10.1.0.10", "10.1.0.20", EV_MODE_MONITOR},  /* discover + monitor */
      {"10.1.0.20", "10.1.0.10", EV_MODE_MONITOR},  /* either way round */
      {"10.1.0.10", "10.1.0.50", EV_MODE_PROTECT},  /* discover + protect */
      {"10.1.0.50", "10.1.0.20", EV_MODE_PROTECT},  /* protect + monitor */
      {"10.1.0.10", "10.1.0.30", EV_MODE_MONITOR},  /* discover + the top-level */
      {"10.1.0.30", "10.1.0.40", EV_MODE_MONITOR},
      {"10.1.0.40", "10.1.0.99", EV_MODE_DISCOVER}, /* discover + not configured */
      {"10.1.0.98", "10.1.0.20", EV_MODE_MONITOR},
      {"10.1.0.98", "10.1.0.99", EV_MODE_MONITOR},  /* neither: the default */
      {"8.8.8.8", "10.1.0.99", EV_MODE_MONITOR},
  };
  expect_modes(yaml, cases, sizeof cases / sizeof cases[0]);

  /* Default discover (no top-level mode). */
  static const char yaml2[] = "services:\n"
                              "  api: {mode: monitor, members: [{ip: 10.1.0.20}]}\n"
                              "  db: {members: [{ip: 10.1.0.30}]}\n";
  static const struct mode_case cases2[] = {
      {"10.1.0.98", "10.1.0.99", EV_MODE_DISCOVER},
      {"10.1.0.30", "10.1.0.99", EV_MODE_DISCOVER},
      {"10.1.0.30", "10.1.0.20", EV_MODE_MONITOR},
      {"10.1.0.98", "10.1.0.20", EV_MODE_MONITOR},
  };
  expect_modes(yaml2, cases2, sizeof cases2 / sizeof cases2[0]);
}

/* The override wins over every service's mode. */
static void test_override_wins(void **state) {
  (void)state;
  struct config cfg;
  load_config("mode: protect\n"
              "services:\n"
              "  web: {mode: protect, members: [{ip: 10.1.0.10}]}\n",
              &cfg);
  struct model model;
  model_init(&model);
  struct store st;
  open_store(&st, "override.db", STORE_CREATE);
  struct engine e;
  assert_int_equal(engine_init(&e, &cfg, &model, &st, EV_MODE_DISCOVER, NULL, NULL), 0);
  feed(&e, flow_event("10.1.0.10", "10.1.0.20", 443, "tls", T0));
  assert_int_equal(e.counts.learned, 1);
  assert_int_equal(e.counts.alerts_total, 0);
  struct hb_error err = {0, ""};
  assert_int_equal(engine_finish(&e, &err), 0);
  engine_free(&e);
  assert_int_equal(model.n_edges, 1);
  assert_int_equal(engine_init(&e, &cfg, &model, &st, EV_MODE_MONITOR, NULL, NULL), 0);
  feed(&e, flow_event("10.1.0.10", "10.1.0.20", 444, "tls", T1));
  assert_int_equal(e.counts.checked, 1);
  assert_int_equal(e.counts.alerts[EV_CAT_VIOLATION], 1);
  engine_free(&e);
  store_close(&st);
  model_free(&model);
  config_free(&cfg);
}

/* --- resets ordered for threats ------------------------------------------ */

struct orders {
  size_t n;
  uint32_t sid;
  char node[EV_NAME_MAX];
};

static void record_order(void *ctx, const char *node, const struct ev_alert *a) {
  struct orders *o = ctx;
  o->n++;
  o->sid = a->signature_id;
  snprintf(o->node, sizeof o->node, "%s", node);
}

static struct event *threat_event(const char *cli, const char *srv, uint32_t sid,
                                  uint8_t proto) {
  struct event *ev = flow_event(cli, srv, 8080, "http", T0);
  struct ev_flow f = ev->u.flow;
  f.proto = proto;
  f.state = EV_STATE_ESTABLISHED;
  f.end_reason = EV_END_OPEN;
  memset(&ev->u.alert, 0, sizeof ev->u.alert);
  ev->kind = EV_ALERT;
  ev->u.alert.flow = f;
  ev->u.alert.signature_id = sid;
  ev->u.alert.category = EV_CAT_THREAT;
  ev->u.alert.severity = 1;
  snprintf(ev->u.alert.signature, sizeof ev->u.alert.signature, "threat %u", sid);
  return ev;
}

/* A threat of enforce.reset on a TCP flow of a protected service orders a
 * reset and says "blocked"; other threats, modes and protocols do not,
 * and nothing is ordered without an enforcer to do it. */
static void test_threat_orders_reset(void **state) {
  (void)state;
  struct config cfg;
  load_config("services:\n"
              "  web: {mode: protect, members: [{ip: 10.1.0.10}]}\n"
              "  api: {mode: monitor, members: [{ip: 10.1.0.20}]}\n"
              "  db: {mode: monitor, members: [{ip: 10.1.0.30}]}\n",
              &cfg);
  struct model model;
  model_init(&model);
  FILE *alerts = tmpfile();
  assert_non_null(alerts);
  struct engine e;
  assert_int_equal(engine_init(&e, &cfg, &model, NULL, 0, alerts, NULL), 0);
  feed(&e, threat_event("10.1.0.99", "10.1.0.10", SIG_HTTP_SQLI, TCP));
  assert_int_equal(e.orders, 0); /* no enforcer: nothing ordered */
  struct orders o = {0};
  e.order_hook = record_order;
  e.order_hook_ctx = &o;
  feed(&e, threat_event("10.1.0.99", "10.1.0.10", SIG_HTTP_SQLI, TCP));
  assert_int_equal(o.n, 1);
  assert_int_equal(o.sid, SIG_HTTP_SQLI);
  assert_string_equal(o.node, "lab1");
  feed(&e, threat_event("10.1.0.20", "10.1.0.30", SIG_HTTP_SQLI, TCP)); /* monitor */
  feed(&e, threat_event("10.1.0.99", "10.1.0.10", SIG_PORT_SCAN, TCP)); /* not a reset */
  feed(&e, threat_event("10.1.0.99", "10.1.0.10", SIG_HTTP_SQLI, 17));  /* not TCP */
  assert_int_equal(o.n, 1);
  feed(&e, threat_event("10.1.0.10", "10.1.0.20", SIG_LEAK_CARD, TCP)); /* web as client */
  assert_int_equal(o.n, 2);
  assert_int_equal(e.orders, 2);
  /* An enforcer's report of its reset: kept as it is, never ordered again. */
  struct event *done = threat_event("10.1.0.99", "10.1.0.10", SIG_HTTP_SQLI, TCP);
  done->u.alert.action = EV_ACTION_BLOCKED;
  done->u.alert.mode = EV_MODE_PROTECT;
  feed(&e, done);
  assert_int_equal(o.n, 2);
  assert_int_equal(e.enforced, 1);
  struct lines l;
  read_lines(alerts, &l);
  assert_int_equal(l.n, 7);
  expect_in(l.line[6], "\"action\":\"blocked\"");
  expect_in(l.line[6], "\"mode\":\"protect\"");
  expect_in(l.line[0], "\"action\":\"allowed\"");
  expect_in(l.line[1], "\"action\":\"blocked\"");
  for (size_t i = 2; i < 5; i++)
    expect_in(l.line[i], "\"action\":\"allowed\"");
  expect_in(l.line[5], "\"action\":\"blocked\"");
  free(l.buf);
  engine_free(&e);
  fclose(alerts);
  model_free(&model);
  config_free(&cfg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_discover_then_monitor),
      cmocka_unit_test(test_discover_needs_store),
      cmocka_unit_test(test_modes_from_config),
      cmocka_unit_test(test_override_wins),
      cmocka_unit_test(test_threat_orders_reset),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
