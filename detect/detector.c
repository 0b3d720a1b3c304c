#include "detect/detector.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/timefmt.h"
#include "detect/explain.h"
#include "detect/signatures.h"
#include "detect/threat/wrong_port.h"
#include "learn/learner.h"

#define NS_PER_MIN 60000000000ull

struct minute_key {
  uint32_t edge, pad;
  uint64_t minute;
};

int detector_init(struct detector *d, const struct model *m,
                  const struct config *cfg, alert_sink_fn sink, void *ctx) {
  memset(d, 0, sizeof *d);
  d->model = m;
  d->cfg = cfg->detect;
  d->sink = sink;
  d->ctx = ctx;
  d->grace_minutes = learner_grace_minutes(&cfg->flow);
  keytab_init(&d->minutes, sizeof(struct minute_key));
  scan_init(&d->scan, &cfg->detect.scan, sink, ctx);
  return 0;
}

void detector_free(struct detector *d) {
  free(d->th);
  keytab_free(&d->minutes);
  scan_free(&d->scan);
}

void detector_finish(struct detector *d) { scan_finish(&d->scan); }

static void alert_init(struct ev_alert *a, const struct ev_flow *f, uint32_t sig,
                       uint8_t cat, uint8_t sev, uint8_t mode) {
  memset(a, 0, sizeof *a);
  a->flow = *f;
  a->signature_id = sig;
  a->category = cat;
  a->severity = sev;
  a->mode = mode;
  a->action = mode == EV_MODE_PROTECT ? EV_ACTION_BLOCKED : EV_ACTION_ALLOWED;
}

static const struct edge_threshold *thresholds(struct detector *d, uint32_t ei) {
  if (ei >= d->n_th) {
    uint32_t n = d->model->n_edges > ei ? d->model->n_edges : ei + 1;
    struct edge_threshold *nt = realloc(d->th, (size_t)n * sizeof *nt);
    if (!nt)
      return NULL;
    memset(nt + d->n_th, 0, (size_t)(n - d->n_th) * sizeof *nt);
    d->th = nt;
    d->n_th = n;
  }
  struct edge_threshold *t = &d->th[ei];
  const struct model_edge *e = &d->model->edges[ei];
  if (t->count_at == e->count)
    return t;
  t->count_at = e->count;
  for (int m = 0; m < EM_COUNT; m++) {
    const struct loghist *h = &e->h[m];
    t->quantile[m] = loghist_quantile(h, d->cfg.quantile);
    t->limit[m] = 0;
    if (h->n < d->cfg.min_samples)
      continue;
    if (m == EM_CONN_RATE) {
      t->limit[m] = h->max * d->cfg.rate_margin;
    } else {
      double lim = t->quantile[m] * d->cfg.margin;
      t->limit[m] = lim > h->max ? lim : h->max;
    }
  }
  return t;
}

/* 1xxx: is the flow's edge in the whitelist? Returns the exact edge index
 * for statistics, IDXMAP_NONE otherwise; raises or holds a violation. */
static uint32_t check_whitelist(struct detector *d, const struct ev_flow *f,
                                uint8_t mode, enum scan_status st) {
  const struct model *m = d->model;
  struct edge_key k;
  uint32_t ci = model_find_service(m, f->cli_service);
  uint32_t si = model_find_service(m, f->srv_service);
  uint32_t ei = IDXMAP_NONE;
  char learned[160] = "";
  bool port_known = false;
  if (ci != IDXMAP_NONE && si != IDXMAP_NONE) {
    learner_edge_key(m, f, ci, si, &k);
    ei = model_find_edge(m, &k);
    if (ei != IDXMAP_NONE)
      return ei;
    size_t pos = 0, used = 0;
    uint32_t other;
    while ((other = model_next_edge_on_port(m, &k, &pos)) != IDXMAP_NONE) {
      port_known = true;
      const char *app = m->edges[other].k.app[0] ? m->edges[other].k.app : "unidentified";
      if (used < sizeof learned)
        used += (size_t)snprintf(learned + used, sizeof learned - used, "%s%s",
                                 used ? ", " : "", app);
    }
    /* Nothing was said: no application to disagree with. */
    if (port_known && f->payload_c2s == 0 && f->payload_s2c == 0)
      return IDXMAP_NONE;
  }
  if (st == SCAN_SCANNER) {
    d->suppressed++;
    return IDXMAP_NONE;
  }
  struct ev_alert a;
  char edge[200];
  explain_edge(f, edge, sizeof edge);
  if (port_known) {
    alert_init(&a, f, SIG_APP_CHANGED, EV_CAT_VIOLATION, 1, mode);
    hb_fmt(a.signature, sizeof a.signature,
             "%s carried %s; this port was learned only for %s",
             edge, f->app[0] ? f->app : "an unidentified protocol", learned);
  } else {
    alert_init(&a, f, SIG_NEW_EDGE, EV_CAT_VIOLATION, 2, mode);
    const char *why = ci == IDXMAP_NONE   ? "client service never seen"
                      : si == IDXMAP_NONE ? "server service never seen"
                                          : "never learned";
    hb_fmt(a.signature, sizeof a.signature, "unlearned connection %s (%s)", edge, why);
  }
  a.score = 1.0;
  if (st == SCAN_PROBE)
    scan_hold(&d->scan, &a);
  else
    d->sink(d->ctx, &a);
  return IDXMAP_NONE;
}

static const uint32_t metric_sig[EM_CONN_RATE] = {SIG_BYTES_TOSERVER, SIG_BYTES_TOCLIENT,
                                                  SIG_PACKETS, SIG_DURATION};
static void metric_phrase(int m, const char *val, char *out, size_t cap) {
  switch (m) {
  case EM_BYTES_C2S: hb_fmt(out, cap, "sent %s to the server in one connection", val); break;
  case EM_BYTES_S2C: hb_fmt(out, cap, "received %s from the server in one connection", val); break;
  case EM_PKTS: hb_fmt(out, cap, "took %s in one connection", val); break;
  default: hb_fmt(out, cap, "lasted %s", val); break;
  }
}

/* 2001-2004: the flow's values against the edge's distributions. */
static void check_flow_stats(struct detector *d, const struct ev_flow *f, uint32_t ei,
                             const struct edge_threshold *t, uint8_t mode) {
  double v[EM_CONN_RATE] = {(double)f->bytes_c2s, (double)f->bytes_s2c,
                            (double)f->pkts_c2s + (double)f->pkts_s2c,
                            (double)(f->last_ns - f->first_ns) / 1e6};
  int worst = -1;
  double worst_ratio = 1.0;
  for (int m = 0; m < EM_CONN_RATE; m++) {
    if (t->limit[m] <= 0 || v[m] <= t->limit[m])
      continue;
    double r = v[m] / t->limit[m];
    if (worst < 0 || r > worst_ratio) {
      worst = m;
      worst_ratio = r;
    }
  }
  if (worst < 0)
    return;
  const struct model_edge *e = &d->model->edges[ei];
  char edge[200], val[32], q[32], lim[32], what[96];
  explain_edge(f, edge, sizeof edge);
  explain_metric((enum edge_metric)worst, v[worst], val, sizeof val);
  explain_metric((enum edge_metric)worst, t->quantile[worst], q, sizeof q);
  explain_metric((enum edge_metric)worst, t->limit[worst], lim, sizeof lim);
  metric_phrase(worst, val, what, sizeof what);
  struct ev_alert a;
  alert_init(&a, f, metric_sig[worst], EV_CAT_ANOMALY, worst <= EM_BYTES_S2C ? 2 : 3, mode);
  a.score = t->quantile[worst] > 0 ? v[worst] / t->quantile[worst] : v[worst];
  hb_fmt(a.signature, sizeof a.signature,
           "%s %s; learned p%g is %s over %llu connections (alert above %s)", edge, what,
           d->cfg.quantile * 100, q, (unsigned long long)e->h[worst].n, lim);
  d->sink(d->ctx, &a);
}

static bool minute_closed(void *ctx, struct keytab_entry *e) {
  struct minute_key k;
  memcpy(&k, e->key, sizeof k);
  return k.minute < *(const uint64_t *)ctx;
}

/* Minutes no flow can reach any more (its flows have all timed out) are
 * forgotten, so the table holds only the open ones. */
static void prune_minutes(struct detector *d, uint64_t minute) {
  if (minute > d->latest_minute)
    d->latest_minute = minute;
  if (++d->since_prune < 4096)
    return;
  d->since_prune = 0;
  if (d->latest_minute > d->grace_minutes) {
    uint64_t before = d->latest_minute - d->grace_minutes;
    keytab_each(&d->minutes, minute_closed, &before);
  }
}

/* 2005: connections on the edge in the flow's minute. */
static void check_rate(struct detector *d, const struct ev_flow *f, uint32_t ei,
                       const struct edge_threshold *t, uint8_t mode) {
  if (t->limit[EM_CONN_RATE] <= 0)
    return; /* too few minutes learned to judge */
  struct minute_key k = {ei, 0, f->first_ns / NS_PER_MIN};
  prune_minutes(d, k.minute);
  bool created;
  struct keytab_entry *e = keytab_get(&d->minutes, &k, &created);
  if (!e)
    return;
  e->a++;
  if (e->b || (double)e->a <= t->limit[EM_CONN_RATE])
    return;
  e->b = 1;
  const struct loghist *h = &d->model->edges[ei].h[EM_CONN_RATE];
  char edge[200], when[HB_TIME_STRLEN];
  explain_edge(f, edge, sizeof edge);
  hb_time_iso(k.minute * NS_PER_MIN, when);
  when[16] = '\0'; /* YYYY-MM-DDTHH:MM */
  struct ev_alert a;
  alert_init(&a, f, SIG_CONN_RATE, EV_CAT_ANOMALY, 2, mode);
  a.score = h->max > 0 ? (double)e->a / h->max : (double)e->a;
  hb_fmt(a.signature, sizeof a.signature,
           "%s: more than %.0f connections in the minute from %s; learned at most %.0f "
           "a minute over %llu minutes",
           edge, t->limit[EM_CONN_RATE], when, h->max, (unsigned long long)h->n);
  d->sink(d->ctx, &a);
}

#define APP_SURE 80 /* confidence at which an application's name is trusted */

/* The learned edges on this flow's port with an identified application
 * other than the flow's, and enough flows to call it learned: their apps
 * as text ("" when none). */
static void learned_other_apps(const struct detector *d, const struct ev_flow *f,
                               char *out, size_t cap, uint64_t *flows) {
  const struct model *m = d->model;
  out[0] = '\0';
  *flows = 0;
  uint32_t ci = model_find_service(m, f->cli_service);
  uint32_t si = model_find_service(m, f->srv_service);
  if (ci == IDXMAP_NONE || si == IDXMAP_NONE)
    return;
  struct edge_key k;
  learner_edge_key(m, f, ci, si, &k);
  size_t pos = 0, used = 0;
  uint32_t ei;
  while ((ei = model_next_edge_on_port(m, &k, &pos)) != IDXMAP_NONE) {
    const struct model_edge *e = &m->edges[ei];
    if (strcmp(e->k.app, f->app) == 0) {
      out[0] = '\0'; /* this app was learned here too: nothing changed */
      *flows = 0;
      return;
    }
    if (!e->k.app[0] || e->count < d->cfg.min_samples)
      continue;
    *flows += e->count;
    if (used < cap)
      used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? ", " : "", e->k.app);
  }
}

/* 3012/3013, in every mode: an application where another belongs. */
static void check_app_port(struct detector *d, const struct ev_flow *f, uint8_t mode) {
  if (!f->app[0] || f->app_confidence < APP_SURE)
    return;
  char edge[200];
  struct ev_alert a;
  if (wrong_port_check(f->proto, f->srv_port, f->app)) {
    alert_init(&a, f, SIG_WRONG_PORT, EV_CAT_THREAT, 2, mode);
    a.score = 1.0;
    hb_fmt(a.signature, sizeof a.signature,
           "%s on %s/%u, the well-known port of %s (%s -> %s)", f->app,
           explain_proto(f->proto), f->srv_port, wrong_port_expected(f->proto, f->srv_port),
           f->cli_service, f->srv_service);
    d->sink(d->ctx, &a);
    return;
  }
  char apps[160];
  uint64_t flows;
  learned_other_apps(d, f, apps, sizeof apps, &flows);
  if (!apps[0])
    return;
  alert_init(&a, f, SIG_PORT_APP_CHANGED, EV_CAT_THREAT, 2, mode);
  a.score = 1.0;
  explain_edge(f, edge, sizeof edge);
  hb_fmt(a.signature, sizeof a.signature,
         "%s carried %s; this port was learned for %s over %llu connections", edge,
         f->app, apps, (unsigned long long)flows);
  d->sink(d->ctx, &a);
}

void detector_flow(struct detector *d, const struct ev_flow *f, uint8_t mode) {
  enum scan_status st = scan_observe(&d->scan, f, mode);
  check_app_port(d, f, mode);
  if (mode == EV_MODE_DISCOVER)
    return;
  uint32_t ei = check_whitelist(d, f, mode, st);
  if (ei == IDXMAP_NONE)
    return;
  const struct edge_threshold *t = thresholds(d, ei);
  if (!t)
    return;
  if (st == SCAN_NOT_PROBE)
    check_flow_stats(d, f, ei, t, mode);
  check_rate(d, f, ei, t, mode);
}
