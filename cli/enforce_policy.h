/* cli/enforce_policy.h — what an enforcer decides from: the config, and the
 * model file or the engine's compiled policy, kept fresh.
 *
 * Contract: enforce_policy_open() loads the config (optional) and either
 * opens the model read-only with its run-time modes (model != NULL) or
 * subscribes to the engine's enforcers endpoint (engine != NULL; with a
 * model too, only for orders). enforce_policy_refresh() reloads the file
 * when another process changed it (PRAGMA data_version: the engine's
 * writes, `policy mode`), or takes what the engine sent: a policy of a new
 * version replaces the old at once, whole (decoded aside, then swapped;
 * a malformed one is refused and the old one kept), and each order is
 * handed to on_order. enforce_policy_mode() is a service's mode as the
 * engine sees it: set at run time, else the config's, else the config's
 * default, else discover; from the engine, its policy's — and before the
 * first policy, protect for every service when the config says
 * enforce.no_policy: closed (nothing allowed), else none enforced.
 * enforce_policy_loop() is every enforcer's main loop: until *stop (or
 * duration s, when > 0), refresh (a file at most twice a second, the
 * engine's messages at every step) and call step, which waits for its
 * own events (up to ~200 ms; ~20 ms when following an engine).
 * enforce_policy_report() sends a decision to the engine as an event. verdict_begin()/
 * verdict_end() frame the JSON verdict line an enforcer writes for each
 * decision it takes against a program or a connection.
 */
#ifndef HABIT_CLI_ENFORCE_POLICY_H
#define HABIT_CLI_ENFORCE_POLICY_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/bus.h"
#include "core/json.h"
#include "core/order_bus.h"
#include "models/model.h"
#include "models/store.h"
#include "models/store_modes.h"

struct enforce_policy {
  struct config cfg;
  struct store st;
  bool opened;
  struct model m;
  struct svc_mode *modes;
  size_t n_modes;
  uint64_t reloads;
  /* Following an engine (--engine). */
  const char *engine;
  void *zctx;
  struct order_sub sub;
  struct order_msg *msg;                 /* the message being read */
  bool subscribed, from_engine, have_policy;
  const struct bus_curve *curve;         /* NULL: plain */
  uint64_t version;                      /* of the policy in force */
  uint8_t default_mode;                  /* the policy's */
  uint64_t policies_refused;
  void (*on_order)(void *ctx, const struct event *ev);
  void *order_ctx;
  /* Decisions reported to the engine (--report). */
  struct bus_out report;
  bool reporting;
  uint64_t reported;
};

/* curve: NULL, or the CURVE client keys for the engine's sockets (the
 * enforcers endpoint and, with enforce_policy_report_to(), its --listen). */
int enforce_policy_open(struct enforce_policy *p, const char *cfg_path, const char *model,
                        const char *engine, const struct bus_curve *curve,
                        struct hb_error *err);
int enforce_policy_refresh(struct enforce_policy *p, struct hb_error *err);
/* Report decisions to the engine at endpoint (its --listen), as a
 * collector does: a PUSH socket that never waits — what finds it full,
 * or no engine yet, is counted in report.dropped. */
int enforce_policy_report_to(struct enforce_policy *p, const char *endpoint,
                             struct hb_error *err);
/* One decision, as an alert whose action is "blocked" (the engine keeps
 * it as it is); nothing when not reporting. */
void enforce_policy_report(struct enforce_policy *p, const struct ev_alert *a);
/* One decision as any event (a refused exec: EV_PROC_DENIED, a refused
 * open: EV_FILE_DENIED); its node and time are set here. */
void enforce_policy_report_event(struct enforce_policy *p, struct event *ev);
uint8_t enforce_policy_mode(const struct enforce_policy *p, const char *service);
void enforce_policy_close(struct enforce_policy *p);
int enforce_policy_loop(struct enforce_policy *p, double duration,
                        const volatile sig_atomic_t *stop,
                        int (*step)(void *ctx, struct hb_error *err), void *ctx,
                        struct hb_error *err);
/* {"timestamp":..., "event_type":"verdict", "action":"blocked", "what":what, */
void verdict_begin(struct json *j, const char *what);
/* ..., "reason":reason}\n written to out and flushed. */
void verdict_end(struct json *j, const char *reason, FILE *out);

#endif
