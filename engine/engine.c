#include "engine/engine.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "detect/eve.h"
#include "detect/signatures.h"

static void write_json(struct engine *e, FILE *out) {
  if (json_failed(&e->json)) {
    if (!e->write_error)
      e->write_error = ENOMEM;
  } else if (fwrite(e->json.buf, 1, e->json.len, out) != e->json.len && !e->write_error) {
    e->write_error = errno ? errno : EIO;
  }
  json_reset(&e->json);
}

/* Count an alert of this category; true when it is to be written. */
static bool count_alert(struct engine *e, uint8_t category) {
  e->counts.alerts_total++;
  if (category <= EV_CAT_THREAT)
    e->counts.alerts[category]++;
  return e->alerts_out || e->alert_hook;
}

/* Publish and write the alert line in e->json. */
static void emit_alert(struct engine *e) {
  if (e->alert_hook && !json_failed(&e->json))
    e->alert_hook(e->alert_hook_ctx, e->json.buf, e->json.len);
  if (e->alerts_out)
    write_json(e, e->alerts_out);
  else
    json_reset(&e->json);
}

static void on_alert(void *ctx, const struct ev_alert *a) {
  struct engine *e = ctx;
  if (!count_alert(e, a->category))
    return;
  eve_alert(&e->json, a);
  emit_alert(e);
}

void engine_host_alert(struct engine *e, const struct host_alert *a) {
  if (!count_alert(e, a->category))
    return;
  eve_host_alert(&e->json, a);
  emit_alert(e);
}

int engine_init(struct engine *e, const struct config *cfg, struct model *m,
                struct store *st, uint8_t mode_override, FILE *alerts_out,
                FILE *flows_out) {
  memset(e, 0, sizeof *e);
  e->cfg = cfg;
  e->model = m;
  e->store = st;
  e->mode_override = mode_override;
  e->alerts_out = alerts_out;
  e->flows_out = flows_out;
  json_init(&e->json);
  svc_map_init(&e->map, cfg);
  proc_table_init(&e->procs);
  keytab_init(&e->host_recent, 2 * sizeof(uint64_t));
  learner_init(&e->learner, m, st, cfg);
  return detector_init(&e->det, m, cfg, on_alert, e);
}

void engine_free(struct engine *e) {
  svc_map_free(&e->map);
  proc_table_free(&e->procs);
  keytab_free(&e->host_recent);
  detector_free(&e->det);
  learner_free(&e->learner);
  json_free(&e->json);
}

/* A configured service's mode: its own, else the top-level one (FORMAT.md);
 * 0 for a service the config does not name. */
static uint8_t config_mode(const struct config *cfg, const char *service) {
  for (size_t i = 0; i < cfg->n_services; i++)
    if (strcmp(cfg->services[i].name, service) == 0)
      return cfg->services[i].mode ? cfg->services[i].mode : cfg->default_mode;
  return 0;
}

void engine_set_modes(struct engine *e, const struct svc_mode *modes, size_t n) {
  e->modes = modes;
  e->n_modes = n;
}

/* A service's mode: set at run time, else the config's; 0 when neither
 * names it. */
static uint8_t service_mode(const struct engine *e, const char *service) {
  uint8_t m = svc_mode_find(e->modes, e->n_modes, service);
  return m ? m : config_mode(e->cfg, service);
}

uint8_t engine_service_mode(const struct engine *e, const char *service) {
  if (e->mode_override)
    return e->mode_override;
  uint8_t m = service_mode(e, service);
  if (!m)
    m = e->cfg->default_mode;
  return m ? m : EV_MODE_DISCOVER;
}

static uint8_t mode_for(const struct engine *e, const struct ev_flow *f) {
  if (e->mode_override)
    return e->mode_override;
  uint8_t a = service_mode(e, f->cli_service), b = service_mode(e, f->srv_service);
  uint8_t m = a > b ? a : b;
  if (!m)
    m = e->cfg->default_mode;
  return m ? m : EV_MODE_DISCOVER;
}

/* Does this threat order its connection reset? Only with an enforcer to
 * do it, in protect mode, for TCP, and for the threats the config says. */
static bool orders_reset(const struct engine *e, const struct ev_alert *a) {
  return e->order_hook && a->mode == EV_MODE_PROTECT && a->category == EV_CAT_THREAT &&
         a->flow.proto == 6 && a->signature_id >= 3000 && a->signature_id < 3064 &&
         (e->cfg->enforce.reset_threats & SIG_THREAT_BIT(a->signature_id));
}

static int handle_flow(struct engine *e, struct ev_flow *f, struct hb_error *err) {
  struct svc_endpoint cli, srv;
  svc_map_flow(&e->map, f, &cli, &srv);
  e->counts.flows++;
  uint8_t mode = mode_for(e, f);
  if (mode == EV_MODE_DISCOVER && !e->store)
    return hb_fail(err, EROFS, "flow %s -> %s is in discover mode but the model is read-only",
                   f->cli_service, f->srv_service);
  detector_flow(&e->det, f, mode);
  if (mode == EV_MODE_DISCOVER) {
    int rc = learner_flow(&e->learner, f, &cli, &srv, err);
    if (rc < 0)
      return rc;
    e->counts.learned++;
  } else {
    e->counts.checked++;
  }
  if (e->flows_out) {
    eve_flow(&e->json, f);
    write_json(e, e->flows_out);
  }
  return 0;
}

int engine_event(struct engine *e, const struct event *ev, struct hb_error *err) {
  switch (ev->kind) {
  case EV_FLOW: {
    struct ev_flow f = ev->u.flow;
    return handle_flow(e, &f, err);
  }
  case EV_ALERT: {
    /* A threat the collector saw in packets: name its services and the
     * mode in force, then report it like any other. */
    struct ev_alert a = ev->u.alert;
    struct svc_endpoint cli, srv;
    svc_map_flow(&e->map, &a.flow, &cli, &srv);
    if (a.action == EV_ACTION_BLOCKED) {
      /* An enforcer's decision (collectors never block): reported as it
       * was taken, in the mode it was taken in, and never ordered again. */
      e->enforced++;
      on_alert(e, &a);
      return 0;
    }
    a.mode = mode_for(e, &a.flow);
    a.action = EV_ACTION_ALLOWED;
    if (orders_reset(e, &a)) {
      a.action = EV_ACTION_BLOCKED; /* the enforcers reset it (enforce net) */
      e->order_hook(e->order_hook_ctx, ev->node, &a);
      e->orders++;
    }
    on_alert(e, &a);
    return 0;
  }
  case EV_END:
    e->end = ev->u.end;
    return 1;
  case EV_STATS:
    e->end.stats = ev->u.stats;
    return 0;
  case EV_PROC:
    return engine_proc_event(e, ev, err);
  case EV_FILE:
    return engine_file_event(e, ev, err);
  default:
    return 0;
  }
}

int engine_finish(struct engine *e, struct hb_error *err) {
  detector_finish(&e->det);
  if (e->store && (e->learner.learned || e->learner.host_learned))
    return learner_finish(&e->learner, err);
  return 0;
}
