/* cli/enforce_policy.h — what an enforcer decides from: the config and the
 * model file, kept fresh.
 *
 * Contract: enforce_policy_open() loads the config (optional) and opens the
 * model read-only with its run-time modes; enforce_policy_refresh() reloads
 * both when another process changed the file (PRAGMA data_version: the
 * engine's writes, `policy mode`), at most as often as it is called.
 * enforce_policy_mode() is a service's mode as the engine sees it: set at
 * run time, else the config's, else the config's default, else discover.
 * enforce_policy_loop() is every enforcer's main loop: until *stop (or
 * duration s, when > 0), refresh at most twice a second and call step,
 * which waits for its own events (up to ~200 ms). verdict_begin()/
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
#include "core/json.h"
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
};

int enforce_policy_open(struct enforce_policy *p, const char *cfg_path, const char *model,
                        struct hb_error *err);
int enforce_policy_refresh(struct enforce_policy *p, struct hb_error *err);
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
