#include "cli/enforce_policy.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "core/timefmt.h"
#include "models/policy_codec.h"

static int reload(struct enforce_policy *p, struct hb_error *err) {
  model_free(&p->m);
  model_init(&p->m);
  free(p->modes);
  p->modes = NULL;
  p->n_modes = 0;
  int rc = store_load(&p->st, &p->m, err);
  if (rc == 0)
    rc = store_load_modes(&p->st, &p->modes, &p->n_modes, err);
  p->reloads++;
  return rc;
}

int enforce_policy_open(struct enforce_policy *p, const char *cfg_path, const char *model,
                        const char *engine, const struct bus_curve *curve,
                        struct hb_error *err) {
  memset(p, 0, sizeof *p);
  p->curve = curve;
  config_defaults(&p->cfg);
  model_init(&p->m);
  int rc = cfg_path ? config_load(cfg_path, &p->cfg, err) : 0;
  if (rc == 0 && engine) {
    p->engine = engine;
    if (!(p->msg = malloc(sizeof *p->msg)))
      return hb_fail(err, ENOMEM, "out of memory");
    if (!(p->zctx = zmq_ctx_new()))
      return hb_fail(err, ENOMEM, "cannot create a ZeroMQ context");
    if ((rc = order_sub_open(&p->sub, p->zctx, engine, curve, err)) < 0)
      return rc;
    p->subscribed = true;
    p->from_engine = !model;
  }
  if (rc == 0 && model && (rc = store_open(&p->st, model, STORE_READONLY, err)) == 0)
    p->opened = true;
  if (rc == 0)
    rc = enforce_policy_refresh(p, err);
  return rc;
}

/* A policy's bytes from the engine: a new version replaces the one in
 * force, whole; a malformed one is refused (the old one stays). */
static void take_policy(struct enforce_policy *p, const uint8_t *buf, size_t len) {
  struct policy np;
  struct hb_error err = {0, ""};
  if (policy_decode(buf, len, &np, &err) < 0) {
    p->policies_refused++;
    fprintf(stderr, "habit: enforce: a policy from %s refused: %s\n", p->engine, err.msg);
    return;
  }
  if (p->have_policy && np.version == p->version) {
    policy_free(&np); /* the engine's repeat of the one in force */
    return;
  }
  model_free(&p->m);
  free(p->modes);
  p->m = np.m; /* the decoded policy, moved in between two decisions */
  p->modes = np.modes;
  p->n_modes = np.n_modes;
  p->default_mode = np.default_mode;
  p->version = np.version;
  p->have_policy = true;
  p->reloads++;
  fprintf(stderr, "habit: enforce: policy version %llu from %s: %u services, %u edges, %u "
                  "programs, %u file accesses (%zu bytes)\n", (unsigned long long)np.version,
          p->engine, p->m.n_services, p->m.n_edges, p->m.n_procs, p->m.n_files, len);
}

/* What the engine sent since the last call: policies and orders. */
static int take_messages(struct enforce_policy *p, struct hb_error *err) {
  struct order_msg *msg = p->msg;
  int rc;
  struct hb_error e = {0, ""};
  while ((rc = order_sub_next(&p->sub, msg, &e)) != 0) {
    if (rc == -EBADMSG) {
      fprintf(stderr, "habit: enforce: a message from %s refused: %s\n", p->engine, e.msg);
      continue;
    }
    if (rc < 0)
      break;
    if (msg->type == ORDER_POLICY && p->from_engine)
      take_policy(p, msg->policy, msg->policy_len);
    else if (msg->type == ORDER_EVENT && p->on_order)
      p->on_order(p->order_ctx, &msg->ev);
  }
  return rc < 0 ? hb_fail(err, -rc, "%s: %s", p->engine, zmq_strerror(-rc)) : 0;
}

int enforce_policy_refresh(struct enforce_policy *p, struct hb_error *err) {
  int rc = p->subscribed ? take_messages(p, err) : 0;
  if (rc == 0 && p->opened && store_modes_changed(&p->st))
    rc = reload(p, err);
  return rc;
}

int enforce_policy_report_to(struct enforce_policy *p, const char *endpoint,
                             struct hb_error *err) {
  if (!p->zctx && !(p->zctx = zmq_ctx_new()))
    return hb_fail(err, ENOMEM, "cannot create a ZeroMQ context");
  int rc = bus_out_open_secure(&p->report, p->zctx, endpoint, false, false, p->curve, err);
  if (rc == 0)
    p->reporting = true;
  return rc;
}

void enforce_policy_report_event(struct enforce_policy *p, struct event *ev) {
  if (!p->reporting)
    return;
  ev->ts_ns = hb_now_ns();
  snprintf(ev->node, sizeof ev->node, "%s", p->cfg.node);
  /* Sent at once: a decision is rare and worth its own message. What a
   * full queue refused is counted in report.dropped, not here. */
  uint64_t dropped = p->report.dropped;
  if (bus_out_send(&p->report, ev, NULL) == 0 && bus_out_flush(&p->report, NULL) == 0 &&
      p->report.dropped == dropped)
    p->reported++;
}

void enforce_policy_report(struct enforce_policy *p, const struct ev_alert *a) {
  if (!p->reporting)
    return;
  struct event *ev = calloc(1, sizeof *ev);
  if (!ev) {
    p->report.dropped++;
    return;
  }
  ev->kind = EV_ALERT;
  ev->u.alert = *a;
  ev->u.alert.action = EV_ACTION_BLOCKED;
  enforce_policy_report_event(p, ev);
  free(ev);
}

uint8_t enforce_policy_mode(const struct enforce_policy *p, const char *service) {
  if (p->from_engine) {
    if (!p->have_policy)
      return p->cfg.enforce.fail_closed ? EV_MODE_PROTECT : EV_MODE_MONITOR;
    uint8_t m = svc_mode_find(p->modes, p->n_modes, service);
    return m ? m : p->default_mode;
  }
  uint8_t m = svc_mode_find(p->modes, p->n_modes, service);
  if (m)
    return m;
  for (size_t i = 0; i < p->cfg.n_services; i++)
    if (strcmp(p->cfg.services[i].name, service) == 0 && p->cfg.services[i].mode)
      return p->cfg.services[i].mode;
  return p->cfg.default_mode ? p->cfg.default_mode : EV_MODE_DISCOVER;
}

void enforce_policy_close(struct enforce_policy *p) {
  if (p->opened)
    store_close(&p->st);
  p->opened = false;
  if (p->subscribed)
    order_sub_close(&p->sub);
  p->subscribed = false;
  free(p->msg);
  p->msg = NULL;
  if (p->reporting)
    bus_out_close(&p->report);
  p->reporting = false;
  if (p->zctx)
    zmq_ctx_term(p->zctx);
  p->zctx = NULL;
  free(p->modes);
  p->modes = NULL;
  model_free(&p->m);
  config_free(&p->cfg);
}

int enforce_policy_loop(struct enforce_policy *p, double duration,
                        const volatile sig_atomic_t *stop,
                        int (*step)(void *ctx, struct hb_error *err), void *ctx,
                        struct hb_error *err) {
  uint64_t end = duration > 0 ? hb_mono_ns() + (uint64_t)(duration * 1e9) : 0;
  uint64_t next_check = 0;
  while (!*stop) {
    uint64_t now = hb_mono_ns();
    if (end && now >= end)
      break;
    if (now >= next_check || p->subscribed) {
      if (enforce_policy_refresh(p, err) < 0)
        return -EIO;
      if (now >= next_check)
        next_check = now + 500000000ull;
    }
    int rc = step(ctx, err);
    if (rc < 0)
      return rc;
  }
  return 0;
}

void verdict_begin(struct json *j, const char *what) {
  char t[HB_TIME_STRLEN];
  json_reset(j);
  json_obj_begin(j);
  json_kstr(j, "timestamp", hb_time_iso(hb_now_ns(), t));
  json_kstr(j, "event_type", "verdict");
  json_kstr(j, "action", "blocked");
  json_kstr(j, "what", what);
}

void verdict_end(struct json *j, const char *reason, FILE *out) {
  json_kstr(j, "reason", reason);
  json_obj_end(j);
  json_raw(j, "\n", 1);
  if (!json_failed(j))
    fwrite(j->buf, 1, j->len, out);
  fflush(out);
}
