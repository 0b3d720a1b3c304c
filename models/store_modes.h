/* models/store_modes.h — service modes set at run time, kept in the model.
 *
 * Contract: `habit policy mode` writes a service's mode into the model's
 * `modes` table (created on the first write; a model without it has no
 * run-time modes); a running engine notices (store_modes_changed(), a
 * cheap PRAGMA data_version check) and reloads them. A run-time mode
 * overrides the config's mode for that service; setting mode 0 removes
 * the row (the config decides again). Every change is recorded with its
 * time and reason.
 */
#ifndef HABIT_MODELS_STORE_MODES_H
#define HABIT_MODELS_STORE_MODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/event.h"
#include "models/store.h"

struct svc_mode {
  char service[EV_NAME_MAX];
  uint8_t mode; /* enum ev_mode */
  uint64_t changed_ns;
  char why[128];
};

/* The mode modes[] gives a service; 0 when it names none. */
uint8_t svc_mode_find(const struct svc_mode *modes, size_t n, const char *service);
/* Set (mode != 0) or clear (mode 0) a service's run-time mode. */
int store_set_mode(struct store *st, const char *service, uint8_t mode, const char *why,
                   struct hb_error *err);
/* All run-time modes: *out malloc'd (NULL when none), *n entries. */
int store_load_modes(struct store *st, struct svc_mode **out, size_t *n,
                     struct hb_error *err);
/* Did another connection change the database since the last call? The
 * first call answers true. */
bool store_modes_changed(struct store *st);

#endif
