/* engine/engine.h — what consumes the bus: map, learn, detect, write.
 *
 * Contract: engine_event() takes every event a collector sends, in order.
 * A flow is mapped to its services, then, by the mode in force for it
 * (the override if set, else the stricter of its two services' modes in the
 * config — a configured service without a mode of its own has the config's
 * default — else the config's default, else discover): learned (discover) or
 * checked (monitor/protect); threats are checked in every mode. Alerts and
 * (optionally) flows are written as EVE JSON lines. EV_END carries the
 * collector's counters and status; engine_event() returns 1 for it.
 * Process and file events go to engine/engine_host.h. The
 * same engine serves `habit replay` (inproc) and the daemons (ipc/tcp).
 */
#ifndef HABIT_ENGINE_ENGINE_H
#define HABIT_ENGINE_ENGINE_H

#include <stdint.h>
#include <stdio.h>

#include "config/config.h"
#include "core/json.h"
#include "detect/detector.h"
#include "detect/host_alert.h"
#include "engine/engine_host.h"
#include "engine/proc_table.h"
#include "learn/learner.h"
#include "models/model.h"
#include "models/store.h"
#include "models/store_modes.h"
#include "services/service_map.h"

struct engine_counts {
  uint64_t flows;                 /* flow events handled */
  uint64_t learned;               /* of those, learned */
  uint64_t checked;               /* of those, checked against the model */
  uint64_t alerts[EV_CAT_THREAT + 1]; /* by category */
  uint64_t alerts_total;
  uint64_t proc[EV_PROC_EXISTING + 1]; /* process events received, by op */
  uint64_t files;                      /* file events received */
};

/* What became of process and file events (engine/engine_host.c). */
struct engine_host_counts {
  uint64_t procs_learned, procs_checked; /* execs and running processes */
  uint64_t files_learned, files_checked;
  uint64_t suppressed;                   /* repeats of an alert within a minute */
};

struct engine {
  const struct config *cfg;
  struct model *model;
  struct store *store;            /* NULL when the model is read-only */
  struct svc_map map;
  struct learner learner;
  struct detector det;
  uint8_t mode_override;          /* 0 = per service */
  FILE *alerts_out, *flows_out;   /* NULL = not written */
  struct json json;
  struct engine_counts counts;
  struct engine_host_counts host;
  struct proc_table procs;        /* processes per node, from EV_PROC */
  struct keytab host_recent;      /* host alerts raised lately (repeats) */
  struct ev_end end;              /* the collector's last word */
  int write_error;                /* errno of the first failed write */
  /* Called with each alert as one EVE JSON line (with its newline), e.g.
   * to publish it; NULL: none. */
  void (*alert_hook)(void *ctx, const char *json, size_t len);
  void *alert_hook_ctx;
  /* Called with each threat alert that orders its connection reset — a
   * TCP flow of a service in protect mode, a threat of the config's
   * enforce.reset — and the node that saw it; such an alert says
   * "blocked". NULL: no enforcer listens, and nothing is "blocked". */
  void (*order_hook)(void *ctx, const char *node, const struct ev_alert *a);
  void *order_hook_ctx;
  uint64_t orders;   /* resets ordered */
  uint64_t enforced; /* enforcers' decisions received (alerts "blocked") */
  /* Modes set at run time (habit policy mode): they override the config's
   * for their services; the override of --mode overrides them. Owned by
   * the caller (engine_set_modes). */
  const struct svc_mode *modes;
  size_t n_modes;
};

int engine_init(struct engine *e, const struct config *cfg, struct model *m,
                struct store *st, uint8_t mode_override, FILE *alerts_out,
                FILE *flows_out);
/* 0 for an event handled, 1 for EV_END, negative on a failure (err). */
int engine_event(struct engine *e, const struct event *ev, struct hb_error *err);
/* Use these run-time modes from now on (the caller keeps them alive). */
void engine_set_modes(struct engine *e, const struct svc_mode *modes, size_t n);
/* The mode in force for a service (run time, else config, else default). */
uint8_t engine_service_mode(const struct engine *e, const char *service);
/* Count and write (or publish) a process or file alert. */
void engine_host_alert(struct engine *e, const struct host_alert *a);
/* End of input: release held alerts, fold and write what was learned. */
int engine_finish(struct engine *e, struct hb_error *err);
void engine_free(struct engine *e);

#endif
