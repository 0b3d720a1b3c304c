#include "learn/learner.h"

#include <errno.h>
#include <string.h>

#define NS_PER_MIN 60000000000ull

struct minute_key {
  uint32_t edge;
  uint32_t pad;
  uint64_t minute;
};

void learner_init(struct learner *l, struct model *m, struct store *st,
                  const struct config *cfg) {
  memset(l, 0, sizeof *l);
  l->model = m;
  l->store = st;
  l->batch_events = cfg->learn.batch_events ? cfg->learn.batch_events : 10000;
  l->grace_minutes = learner_grace_minutes(&cfg->flow);
  keytab_init(&l->minutes, sizeof(struct minute_key));
}

/* A flow can end (and reach us) up to the longest idle timeout after its
 * last packet; its minute must stay open that long. */
uint64_t learner_grace_minutes(const struct cfg_flow *fl) {
  const uint32_t t[] = {fl->tcp_new_timeout, fl->tcp_est_timeout, fl->tcp_closed_timeout,
                        fl->udp_timeout,     fl->icmp_timeout,    fl->other_timeout};
  uint32_t longest = 0;
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (t[i] > longest)
      longest = t[i];
  return longest / 60 + 2;
}

void learner_free(struct learner *l) { keytab_free(&l->minutes); }

void learner_edge_key(const struct model *m, const struct ev_flow *f, uint32_t cli,
                      uint32_t srv, struct edge_key *k) {
  (void)m;
  memset(k, 0, sizeof *k);
  k->cli = cli;
  k->srv = srv;
  k->proto = f->proto;
  k->port = f->srv_port;
  memcpy(k->app, f->app, sizeof k->app);
}

static void touch_service(struct model *m, uint32_t i, uint64_t first, uint64_t last) {
  struct model_service *s = &m->services[i];
  if (s->flows == 0 || first < s->first_ns)
    s->first_ns = first;
  if (last > s->last_ns)
    s->last_ns = last;
  s->flows++;
  s->dirty = true;
}

static int add_stats(struct model_edge *e, const struct ev_flow *f) {
  double v[EM_CONN_RATE] = {
      [EM_BYTES_C2S] = (double)f->bytes_c2s,
      [EM_BYTES_S2C] = (double)f->bytes_s2c,
      [EM_PKTS] = (double)f->pkts_c2s + (double)f->pkts_s2c,
      [EM_DURATION_MS] = (double)(f->last_ns - f->first_ns) / 1e6,
  };
  for (int i = 0; i < EM_CONN_RATE; i++)
    if (loghist_add(&e->h[i], v[i]) < 0)
      return -ENOMEM;
  return 0;
}

int learner_flow(struct learner *l, const struct ev_flow *f,
                 const struct svc_endpoint *cli, const struct svc_endpoint *srv,
                 struct hb_error *err) {
  struct model *m = l->model;
  uint32_t ci, si, ei;
  if (model_get_service(m, cli->name, cli->kind, &ci) < 0 ||
      model_get_service(m, srv->name, srv->kind, &si) < 0 ||
      model_note_member(m, ci, cli->member, cli->role, f->first_ns) < 0 ||
      model_note_member(m, si, srv->member, srv->role, f->first_ns) < 0)
    return hb_fail(err, ENOMEM, "out of memory learning services");
  touch_service(m, ci, f->first_ns, f->last_ns);
  if (si != ci)
    touch_service(m, si, f->first_ns, f->last_ns);

  struct edge_key k;
  learner_edge_key(m, f, ci, si, &k);
  if (model_get_edge(m, &k, &ei) < 0)
    return hb_fail(err, ENOMEM, "out of memory learning edges");
  struct model_edge *e = &m->edges[ei];
  if (e->count == 0 || f->first_ns < e->first_ns)
    e->first_ns = f->first_ns;
  if (f->last_ns > e->last_ns)
    e->last_ns = f->last_ns;
  e->count++;
  e->dirty = true;
  if (add_stats(e, f) < 0)
    return hb_fail(err, ENOMEM, "out of memory learning distributions");

  struct minute_key mk = {ei, 0, f->first_ns / NS_PER_MIN};
  bool created;
  struct keytab_entry *me = keytab_get(&l->minutes, &mk, &created);
  if (!me)
    return hb_fail(err, ENOMEM, "out of memory counting connections per minute");
  me->a++;
  if (mk.minute > l->latest_minute)
    l->latest_minute = mk.minute;

  l->learned++;
  if (++l->pending >= l->batch_events)
    return learner_flush(l, err);
  return 0;
}

int learner_host_event(struct learner *l, struct hb_error *err) {
  l->host_learned++;
  if (++l->pending >= l->batch_events)
    return learner_flush(l, err);
  return 0;
}

struct fold_ctx {
  struct model *model;
  uint64_t before; /* fold minutes earlier than this */
  int rc;
};

static bool fold_minute(void *ctx, struct keytab_entry *e) {
  struct fold_ctx *c = ctx;
  struct minute_key k;
  memcpy(&k, e->key, sizeof k);
  if (k.minute >= c->before)
    return false;
  struct model_edge *edge = &c->model->edges[k.edge];
  if (loghist_add(&edge->h[EM_CONN_RATE], (double)e->a) < 0)
    c->rc = -ENOMEM;
  edge->dirty = true;
  return true;
}

static int fold_and_write(struct learner *l, uint64_t before, struct hb_error *err) {
  struct fold_ctx c = {l->model, before, 0};
  keytab_each(&l->minutes, fold_minute, &c);
  if (c.rc < 0)
    return hb_fail(err, ENOMEM, "out of memory folding connection rates");
  l->pending = 0;
  return l->store ? store_flush(l->store, l->model, err) : 0;
}

int learner_flush(struct learner *l, struct hb_error *err) {
  uint64_t before = l->latest_minute > l->grace_minutes ? l->latest_minute - l->grace_minutes : 0;
  return fold_and_write(l, before, err);
}

int learner_finish(struct learner *l, struct hb_error *err) {
  return fold_and_write(l, UINT64_MAX, err);
}
