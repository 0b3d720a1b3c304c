/* tests/unit/test_learner.c — learn/learner.h on an in-memory model (store
 * NULL) and on a real store in a temporary directory: services, members,
 * edges, counts and distributions after N flows; connections per minute
 * counted per (edge, minute) and folded at learner_finish, or by
 * learner_flush only once older than the grace; a write every batch_events
 * flows; and learning the same flows twice doubles every count. */
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
#include "learn/learner.h"
#include "models/model.h"
#include "models/store.h"
#include "services/service_map.h"

#define S 1000000000ull
#define MIN (60 * S)
#define T0 (28333334ull * MIN)   /* minute 28333334 starts here */
#define TCP 6
#define UDP 17

static const char *const yaml =
    "services:\n"
    "  web:\n"
    "    members: [{ip: 10.1.0.10}, {ip: 10.1.0.11}]\n"
    "  db:\n"
    "    members: [{ip: 10.1.0.30, ports: [5432], proto: tcp}]\n";

static char dir[64];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/habit-learner-XXXXXX");
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

/* An established TCP flow with payload, starting at `start`. */
static struct ev_flow flow(const char *cli, const char *srv, uint16_t port, uint8_t proto,
                           const char *app, uint64_t start) {
  struct ev_flow f;
  memset(&f, 0, sizeof f);
  assert_int_equal(hb_addr_parse(cli, &f.cli), 0);
  assert_int_equal(hb_addr_parse(srv, &f.srv), 0);
  f.cli_port = 40000;
  f.srv_port = port;
  f.proto = proto;
  f.state = EV_STATE_CLOSED;
  f.end_reason = EV_END_FIN;
  f.first_ns = start;
  f.last_ns = start + 250000000ull; /* 250 ms */
  f.bytes_c2s = 600;
  f.bytes_s2c = 4000;
  f.payload_c2s = 200;
  f.payload_s2c = 3000;
  f.pkts_c2s = 6;
  f.pkts_s2c = 5;
  snprintf(f.app, sizeof f.app, "%s", app);
  return f;
}

struct rig {
  struct config cfg;
  struct svc_map map;
  struct model model;
  struct learner l;
};

static void rig_open(struct rig *r, const char *text, struct store *st) {
  load_config(text, &r->cfg);
  svc_map_init(&r->map, &r->cfg);
  model_init(&r->model);
  learner_init(&r->l, &r->model, st, &r->cfg);
}

static void rig_close(struct rig *r) {
  learner_free(&r->l);
  model_free(&r->model);
  svc_map_free(&r->map);
  config_free(&r->cfg);
}

static void learn(struct rig *r, struct ev_flow f) {
  struct svc_endpoint cli, srv;
  struct hb_error err = {0, ""};
  svc_map_flow(&r->map, &f, &cli, &srv);
  int rc = learner_flow(&r->l, &f, &cli, &srv, &err);
  if (rc)
    fail_msg("learner_flow: %s", err.msg);
}

static void finish(struct rig *r) {
  struct hb_error err = {0, ""};
  int rc = learner_finish(&r->l, &err);
  if (rc)
    fail_msg("learner_finish: %s", err.msg);
}

static void flush(struct rig *r) {
  struct hb_error err = {0, ""};
  int rc = learner_flush(&r->l, &err);
  if (rc)
    fail_msg("learner_flush: %s", err.msg);
}

static const struct model_service *service(const struct model *m, const char *name) {
  uint32_t i = model_find_service(m, name);
  if (i == IDXMAP_NONE)
    fail_msg("no service %s", name);
  return &m->services[i];
}

static const struct model_member *member(const struct model *m, const char *svc,
                                         const char *text) {
  uint32_t s = model_find_service(m, svc);
  for (uint32_t i = 0; i < m->n_members; i++)
    if (m->members[i].service == s && strcmp(m->members[i].text, text) == 0)
      return &m->members[i];
  fail_msg("no member %s of %s", text, svc);
  return NULL;
}

static const struct model_edge *edge(const struct model *m, const char *cli,
                                     const char *srv, uint8_t proto, uint16_t port,
                                     const char *app) {
  struct edge_key k;
  memset(&k, 0, sizeof k);
  k.cli = model_find_service(m, cli);
  k.srv = model_find_service(m, srv);
  k.proto = proto;
  k.port = port;
  snprintf(k.app, sizeof k.app, "%s", app);
  uint32_t i = model_find_edge(m, &k);
  if (i == IDXMAP_NONE)
    fail_msg("no edge %s -> %s %u/%u (%s)", cli, srv, proto, port, app);
  return &m->edges[i];
}

/* --- services, members, edges -------------------------------------------- */

static void test_flows_into_model(void **state) {
  (void)state;
  struct rig r;
  rig_open(&r, yaml, NULL);
  /* 10 flows web -> db, from two web hosts, with growing sizes. */
  for (int i = 0; i < 10; i++) {
    struct ev_flow f = flow(i % 2 ? "10.1.0.11" : "10.1.0.10", "10.1.0.30", 5432, TCP, "",
                            T0 + (uint64_t)i * S);
    f.bytes_c2s = 100 * (uint64_t)(i + 1);
    f.bytes_s2c = 1000 * (uint64_t)(i + 1);
    f.pkts_c2s = (uint32_t)(i + 1);
    f.pkts_s2c = 2;
    f.last_ns = f.first_ns + (uint64_t)(i + 1) * 1000000ull; /* (i+1) ms */
    learn(&r, f);
  }
  /* 3 flows web -> db on the same port with another app: another edge. */
  for (int i = 0; i < 3; i++)
    learn(&r, flow("10.1.0.10", "10.1.0.30", 5432, TCP, "http", T0 + 20 * S));
  /* 2 flows web -> an inferred server; 1 refused (its own service). */
  learn(&r, flow("10.1.0.10", "10.2.0.7", 8080, TCP, "http", T0 + 30 * S));
  learn(&r, flow("10.1.0.10", "10.2.0.7", 8080, TCP, "http", T0 + 31 * S));
  struct ev_flow refused = flow("10.1.0.11", "10.2.0.7", 8080, TCP, "", T0 + 32 * S);
  refused.state = EV_STATE_REJECTED;
  learn(&r, refused);
  /* A service talking to itself is counted once. */
  learn(&r, flow("10.1.0.10", "10.1.0.11", 9000, UDP, "", T0 + 40 * S));

  const struct model *m = &r.model;
  assert_int_equal(r.l.learned, 17);
  assert_int_equal(m->n_services, 4);
  const struct model_service *web = service(m, "web"), *db = service(m, "db");
  assert_int_equal(web->kind, SVC_CONFIGURED);
  assert_int_equal(db->kind, SVC_CONFIGURED);
  assert_int_equal(service(m, "10.2.0.7:8080")->kind, SVC_INFERRED);
  assert_int_equal(service(m, "10.2.0.7")->kind, SVC_INFERRED);
  assert_int_equal(web->flows, 17);
  assert_int_equal(db->flows, 13);
  assert_int_equal(service(m, "10.2.0.7:8080")->flows, 2);
  assert_int_equal(service(m, "10.2.0.7")->flows, 1);
  assert_int_equal(web->first_ns, T0);
  assert_int_equal(web->last_ns, T0 + 40 * S + 250000000ull);
  assert_int_equal(db->first_ns, T0);
  assert_int_equal(db->last_ns, T0 + 20 * S + 250000000ull);
  assert_true(web->dirty);

  /* Members: clients by address, accepted servers by address:port/proto. */
  assert_int_equal(web->members, 3); /* two clients, and 10.1.0.11 serving udp */
  assert_int_equal(db->members, 1);
  const struct model_member *w10 = member(m, "web", "10.1.0.10");
  const struct model_member *w11 = member(m, "web", "10.1.0.11");
  assert_int_equal(w10->role, ROLE_CLIENT);
  assert_int_equal(w10->count, 5 + 3 + 2 + 1);
  assert_int_equal(w11->count, 5 + 1);
  assert_int_equal(member(m, "web", "10.1.0.11:9000/udp")->role, ROLE_SERVER);
  assert_int_equal(w10->first_ns, T0);
  assert_int_equal(w10->last_ns, T0 + 40 * S);
  const struct model_member *d = member(m, "db", "10.1.0.30:5432/tcp");
  assert_int_equal(d->role, ROLE_SERVER);
  assert_int_equal(d->count, 13);
  assert_int_equal(d->first_ns, T0);
  assert_int_equal(d->last_ns, T0 + 20 * S);
  assert_int_equal(member(m, "10.2.0.7", "10.2.0.7")->count, 1);
  assert_int_equal(member(m, "10.2.0.7:8080", "10.2.0.7:8080/tcp")->count, 2);
  assert_int_equal(m->n_members, 6);

  /* Edges and their distributions. */
  assert_int_equal(m->n_edges, 5);
  const struct model_edge *e = edge(m, "web", "db", TCP, 5432, "");
  assert_int_equal(e->count, 10);
  assert_int_equal(e->first_ns, T0);
  assert_int_equal(e->last_ns, T0 + 9 * S + 10000000ull);
  assert_true(e->dirty);
  assert_int_equal(e->h[EM_BYTES_C2S].n, 10);
  assert_true(e->h[EM_BYTES_C2S].min == 100);
  assert_true(e->h[EM_BYTES_C2S].max == 1000);
  assert_int_equal(e->h[EM_BYTES_S2C].n, 10);
  assert_true(e->h[EM_BYTES_S2C].min == 1000);
  assert_true(e->h[EM_BYTES_S2C].max == 10000);
  assert_int_equal(e->h[EM_PKTS].n, 10);
  assert_true(e->h[EM_PKTS].min == 3);
  assert_true(e->h[EM_PKTS].max == 12);
  assert_int_equal(e->h[EM_DURATION_MS].n, 10);
  assert_true(e->h[EM_DURATION_MS].min == 1);
  assert_true(e->h[EM_DURATION_MS].max == 10);
  double med = loghist_quantile(&e->h[EM_BYTES_C2S], 0.5);
  assert_true(med >= 400 && med <= 700);
  /* Connections per minute wait for the minute to close. */
  assert_int_equal(e->h[EM_CONN_RATE].n, 0);

  const struct model_edge *h = edge(m, "web", "db", TCP, 5432, "http");
  assert_int_equal(h->count, 3);
  assert_int_equal(h->h[EM_BYTES_C2S].n, 3);
  assert_true(h->h[EM_DURATION_MS].max == 250);
  assert_int_equal(edge(m, "web", "10.2.0.7:8080", TCP, 8080, "http")->count, 2);
  assert_int_equal(edge(m, "web", "10.2.0.7", TCP, 8080, "")->count, 1);
  assert_int_equal(edge(m, "web", "web", UDP, 9000, "")->count, 1);
  rig_close(&r);
}

/* --- connections per minute ---------------------------------------------- */

static void test_conn_rate_at_finish(void **state) {
  (void)state;
  struct rig r;
  rig_open(&r, yaml, NULL);
  /* 3 flows in minute 0, 5 in minute 1 on one edge; 4 in minute 1 on
   * another (a separate count). */
  for (int i = 0; i < 3; i++)
    learn(&r, flow("10.1.0.10", "10.1.0.30", 5432, TCP, "", T0 + (uint64_t)(10 + i) * S));
  for (int i = 0; i < 5; i++)
    learn(&r, flow("10.1.0.10", "10.1.0.30", 5432, TCP, "", T0 + MIN + (uint64_t)i * S));
  for (int i = 0; i < 4; i++)
    learn(&r, flow("10.1.0.11", "10.1.0.30", 5432, TCP, "tls", T0 + MIN + 59 * S));
  const struct model_edge *e = edge(&r.model, "web", "db", TCP, 5432, "");
  const struct model_edge *t = edge(&r.model, "web", "db", TCP, 5432, "tls");
  assert_int_equal(e->h[EM_CONN_RATE].n, 0);
  finish(&r);
  e = edge(&r.model, "web", "db", TCP, 5432, "");
  t = edge(&r.model, "web", "db", TCP, 5432, "tls");
  assert_int_equal(e->h[EM_CONN_RATE].n, 2);
  assert_true(e->h[EM_CONN_RATE].min == 3);
  assert_true(e->h[EM_CONN_RATE].max == 5);
  assert_int_equal(t->h[EM_CONN_RATE].n, 1);
  assert_true(t->h[EM_CONN_RATE].max == 4);
  /* Folded minutes are gone: finishing again adds nothing. */
  finish(&r);
  assert_int_equal(edge(&r.model, "web", "db", TCP, 5432, "")->h[EM_CONN_RATE].n, 2);
  rig_close(&r);
}

/* The minute of a flow is the minute of its first packet. */
static void test_conn_rate_minute_of_start(void **state) {
  (void)state;
  struct rig r;
  rig_open(&r, yaml, NULL);
  struct ev_flow a = flow("10.1.0.10", "10.1.0.30", 5432, TCP, "", T0 + 59 * S);
  a.last_ns = T0 + 5 * MIN; /* lasts into later minutes */
  learn(&r, a);
  struct ev_flow b = flow("10.1.0.10", "10.1.0.30", 5432, TCP, "", T0 + 59 * S + 999999999ull);
  b.last_ns = b.first_ns;
  learn(&r, b);
  learn(&r, flow("10.1.0.10", "10.1.0.30", 5432, TCP, "", T0 + MIN));
  finish(&r);
  const struct model_edge *e = edge(&r.model, "web", "db", TCP, 5432, "");
  assert_int_equal(e->h[EM_CONN_RATE].n, 2);
  assert_true(e->h[EM_CONN_RATE].max == 2);
  assert_true(e->h[EM_CONN_RATE].min == 1);
  rig_close(&r);
}

static void test_grace_minutes(void **state) {
  (void)state;
  struct config c;
  load_config("", &c);
  /* Defaults: the longest idle timeout is 3600 s. */
  assert_int_equal(learner_grace_minutes(&c.flow), 3600 / 60 + 2);
  /* Every class of flow can hold a minute open as long as its timeout. */
  uint32_t *timeouts[] = {&c.flow.tcp_new_timeout, &c.flow.tcp_est_timeout,
                          &c.flow.tcp_closed_timeout, &c.flow.udp_timeout,
                          &c.flow.icmp_timeout, &c.flow.other_timeout};
  for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++) {
    struct cfg_flow saved = c.flow;
    *timeouts[i] = 7 * 86400;
    assert_int_equal(learner_grace_minutes(&c.flow), 7 * 1440 + 2);
    c.flow = saved;
  }
  config_free(&c);
}

static void test_flush_folds_closed_minutes_only(void **state) {
  (void)state;
  struct rig r;
  rig_open(&r, yaml, NULL);
  uint64_t g = r.l.grace_minutes;
  assert_int_equal(g, learner_grace_minutes(&r.cfg.flow));
  /* Minute 0: 2 flows; minute g: 3 flows. Minute 0 is exactly g old: open. */
  for (int i = 0; i < 2; i++)
    learn(&r, flow("10.1.0.10", "10.1.0.30", 5432, TCP, "", T0 + (uint64_t)i * S));
  for (int i = 0; i < 3; i++)
    learn(&r, flow("10.1.0.10", "10.1.0.30", 5432, TCP, "", T0 + g * MIN));
  flush(&r);
  const struct model_edge *e = edge(&r.model, "web", "db", TCP, 5432, "");
  assert_int_equal(e->h[EM_CONN_RATE].n, 0);
  assert_int_equal(r.l.pending, 0);
  /* A flow of minute g + 1: minute 0 is older than the grace now. */
  learn(&r, flow("10.1.0.10", "10.1.0.30", 5432, TCP, "", T0 + (g + 1) * MIN));
  flush(&r);
  e = edge(&r.model, "web", "db", TCP, 5432, "");
  assert_int_equal(e->h[EM_CONN_RATE].n, 1);
  assert_true(e->h[EM_CONN_RATE].max == 2);
  /* A late flow of minute g still counts into its open minute. */
  learn(&r, flow("10.1.0.10", "10.1.0.30", 5432, TCP, "", T0 + g * MIN + 30 * S));
  flush(&r);
  e = edge(&r.model, "web", "db", TCP, 5432, "");
  assert_int_equal(e->h[EM_CONN_RATE].n, 1);
  finish(&r);
  e = edge(&r.model, "web", "db", TCP, 5432, "");
  assert_int_equal(e->h[EM_CONN_RATE].n, 3); /* minutes 0, g, g + 1 */
  assert_true(e->h[EM_CONN_RATE].min == 1);
  assert_true(e->h[EM_CONN_RATE].max == 4);
  rig_close(&r);
}

/* --- the store ------------------------------------------------------------ */

static void open_store(struct store *st, const char *name, int flags) {
  char p[256];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  struct hb_error err = {0, ""};
  if (store_open(st, p, flags, &err))
    fail_msg("store_open: %s", err.msg);
}

static void test_batches(void **state) {
  (void)state;
  struct store st;
  open_store(&st, "batches.db", STORE_CREATE);
  struct rig r;
  rig_open(&r, "learn: {batch_events: 3}\n", &st);
  assert_int_equal(r.l.batch_events, 3);
  uint64_t want[] = {0, 0, 1, 1, 1, 2, 2};
  for (int i = 0; i < 7; i++) {
    learn(&r, flow("10.1.0.10", "10.1.0.30", 5432, TCP, "", T0 + (uint64_t)i * S));
    assert_int_equal(st.flushes, want[i]);
    assert_int_equal(r.l.pending, (uint64_t)(i + 1) % 3);
  }
  /* Written: nothing dirty right after a batch. */
  learn(&r, flow("10.1.0.10", "10.1.0.30", 5432, TCP, "", T0 + 8 * S));
  learn(&r, flow("10.1.0.10", "10.1.0.30", 5432, TCP, "", T0 + 9 * S));
  assert_int_equal(st.flushes, 3);
  for (uint32_t i = 0; i < r.model.n_edges; i++)
    assert_false(r.model.edges[i].dirty);
  learn(&r, flow("10.1.0.10", "10.1.0.30", 5432, TCP, "", T0 + 10 * S));
  finish(&r);
  assert_int_equal(st.flushes, 4);
  store_close(&st);

  /* What was written is the model learned. */
  struct store ro;
  struct model back;
  struct hb_error err = {0, ""};
  open_store(&ro, "batches.db", STORE_READONLY);
  model_init(&back);
  assert_int_equal(store_load(&ro, &back, &err), 0);
  store_close(&ro);
  assert_int_equal(back.n_edges, 1);
  assert_int_equal(back.edges[0].count, 10);
  assert_int_equal(back.edges[0].h[EM_BYTES_C2S].n, 10);
  assert_int_equal(back.edges[0].h[EM_CONN_RATE].n, 1);
  assert_true(back.edges[0].h[EM_CONN_RATE].max == 10);
  assert_int_equal(member(&back, "10.1.0.10", "10.1.0.10")->count, 10);
  model_free(&back);
  rig_close(&r);
}

/* Default batch: no write until 10,000 flows or the end. */
static void test_default_batch(void **state) {
  (void)state;
  struct store st;
  open_store(&st, "default.db", STORE_CREATE);
  struct rig r;
  rig_open(&r, "", &st);
  assert_int_equal(r.l.batch_events, 10000);
  for (int i = 0; i < 100; i++)
    learn(&r, flow("10.1.0.10", "10.1.0.30", 5432, TCP, "", T0 + (uint64_t)i * S));
  assert_int_equal(st.flushes, 0);
  flush(&r);
  assert_int_equal(st.flushes, 1);
  finish(&r);
  assert_int_equal(st.flushes, 2);
  store_close(&st);
  rig_close(&r);
}

static void learn_set(struct rig *r) {
  for (int i = 0; i < 40; i++) {
    struct ev_flow f = flow(i % 3 ? "10.1.0.10" : "10.1.0.11", "10.1.0.30", 5432, TCP,
                            i % 4 ? "" : "tls", T0 + (uint64_t)i * 7 * S);
    f.bytes_c2s = 100 + (uint64_t)i * 37;
    f.pkts_c2s = 3 + (uint32_t)i % 5;
    learn(r, f);
  }
  for (int i = 0; i < 5; i++)
    learn(r, flow("10.1.0.10", "8.8.8.8", 53, UDP, "dns", T0 + (uint64_t)i * MIN));
}

static void test_learn_twice_doubles(void **state) {
  (void)state;
  /* Once, in memory. */
  struct rig once;
  rig_open(&once, yaml, NULL);
  learn_set(&once);
  finish(&once);

  /* Twice, through the store: two runs, each loading what the last wrote. */
  for (int run = 0; run < 2; run++) {
    struct store st;
    struct rig r;
    struct hb_error err = {0, ""};
    open_store(&st, "twice.db", STORE_CREATE);
    rig_open(&r, yaml, &st);
    assert_int_equal(store_load(&st, &r.model, &err), 0);
    learn_set(&r);
    finish(&r);
    store_close(&st);
    rig_close(&r);
  }
  struct store ro;
  struct model two;
  struct hb_error err = {0, ""};
  open_store(&ro, "twice.db", STORE_READONLY);
  model_init(&two);
  assert_int_equal(store_load(&ro, &two, &err), 0);
  store_close(&ro);

  const struct model *one = &once.model;
  assert_int_equal(two.n_services, one->n_services);
  assert_int_equal(two.n_members, one->n_members);
  assert_int_equal(two.n_edges, one->n_edges);
  for (uint32_t i = 0; i < one->n_services; i++) {
    const struct model_service *a = &one->services[i], *b = service(&two, a->name);
    assert_int_equal(b->flows, 2 * a->flows);
    assert_int_equal(b->members, a->members);
    assert_int_equal(b->first_ns, a->first_ns);
    assert_int_equal(b->last_ns, a->last_ns);
  }
  for (uint32_t i = 0; i < one->n_members; i++) {
    const struct model_member *a = &one->members[i];
    const struct model_member *b = member(&two, one->services[a->service].name, a->text);
    assert_int_equal(b->count, 2 * a->count);
  }
  for (uint32_t i = 0; i < one->n_edges; i++) {
    const struct model_edge *a = &one->edges[i];
    const struct model_edge *b =
        edge(&two, one->services[a->k.cli].name, one->services[a->k.srv].name, a->k.proto,
             a->k.port, a->k.app);
    assert_int_equal(b->count, 2 * a->count);
    for (int h = 0; h < EM_COUNT; h++) {
      assert_int_equal(b->h[h].n, 2 * a->h[h].n);
      assert_true(b->h[h].min == a->h[h].min);
      assert_true(b->h[h].max == a->h[h].max);
      assert_int_equal(b->h[h].nb, a->h[h].nb);
      for (uint16_t j = 0; j < a->h[h].nb; j++) {
        assert_int_equal(b->h[h].bins[j].bin, a->h[h].bins[j].bin);
        assert_int_equal(b->h[h].bins[j].count, 2 * a->h[h].bins[j].count);
      }
    }
  }
  /* Connection rates were counted too (5 minutes of dns). */
  assert_int_equal(edge(one, "web", "external", UDP, 53, "dns")->h[EM_CONN_RATE].n, 5);
  model_free(&two);
  rig_close(&once);
}

/* Learning the same flows twice in one run: every per-flow count doubles. */
static void test_learn_twice_in_memory(void **state) {
  (void)state;
  struct rig once, twice;
  rig_open(&once, yaml, NULL);
  rig_open(&twice, yaml, NULL);
  learn_set(&once);
  learn_set(&twice);
  learn_set(&twice);
  const struct model *a = &once.model, *b = &twice.model;
  assert_int_equal(b->n_edges, a->n_edges);
  assert_int_equal(b->n_members, a->n_members);
  for (uint32_t i = 0; i < a->n_edges; i++) {
    assert_int_equal(b->edges[i].count, 2 * a->edges[i].count);
    for (int h = 0; h < EM_CONN_RATE; h++)
      assert_int_equal(b->edges[i].h[h].n, 2 * a->edges[i].h[h].n);
  }
  for (uint32_t i = 0; i < a->n_members; i++)
    assert_int_equal(b->members[i].count, 2 * a->members[i].count);
  for (uint32_t i = 0; i < a->n_services; i++)
    assert_int_equal(b->services[i].flows, 2 * a->services[i].flows);
  assert_int_equal(twice.l.learned, 2 * once.l.learned);
  rig_close(&once);
  rig_close(&twice);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_flows_into_model),
      cmocka_unit_test(test_conn_rate_at_finish),
      cmocka_unit_test(test_conn_rate_minute_of_start),
      cmocka_unit_test(test_grace_minutes),
      cmocka_unit_test(test_flush_folds_closed_minutes_only),
      cmocka_unit_test(test_batches),
      cmocka_unit_test(test_default_batch),
      cmocka_unit_test(test_learn_twice_doubles),
      cmocka_unit_test(test_learn_twice_in_memory),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
