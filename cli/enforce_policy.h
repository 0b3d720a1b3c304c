/* cli/enforce_policy.h — what an enforcer decides from: the config and the
 * model file, kept fresh.
 *
 * Contract: enforce_policy_open() loads the config (optional) and opens the
 * model read-only with its run-time modes; enforce_policy_refresh() reloads
 * both when another process changed the file (PRAGMA data_version: the
 * engine's writes, `policy mode`), at most as often as it is called.
 * enforce_policy_mode() is a service's mode as the engine sees it: set at
 * run time, else the config's, else the config's default, else discover.
 */
#ifndef HABIT_CLI_ENFORCE_POLICY_H
#define HABIT_CLI_ENFORCE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
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

#endif
