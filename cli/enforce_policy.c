#include "cli/enforce_policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"

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
                        struct hb_error *err) {
  memset(p, 0, sizeof *p);
  config_defaults(&p->cfg);
  model_init(&p->m);
  int rc = cfg_path ? config_load(cfg_path, &p->cfg, err) : 0;
  if (rc == 0 && (rc = store_open(&p->st, model, STORE_READONLY, err)) == 0)
    p->opened = true;
  if (rc == 0)
    rc = enforce_policy_refresh(p, err);
  return rc;
}

int enforce_policy_refresh(struct enforce_policy *p, struct hb_error *err) {
  return store_modes_changed(&p->st) ? reload(p, err) : 0;
}

uint8_t enforce_policy_mode(const struct enforce_policy *p, const char *service) {
  for (size_t i = 0; i < p->n_modes; i++)
    if (strcmp(p->modes[i].service, service) == 0)
      return p->modes[i].mode;
  for (size_t i = 0; i < p->cfg.n_services; i++)
    if (strcmp(p->cfg.services[i].name, service) == 0 && p->cfg.services[i].mode)
      return p->cfg.services[i].mode;
  return p->cfg.default_mode ? p->cfg.default_mode : EV_MODE_DISCOVER;
}

void enforce_policy_close(struct enforce_policy *p) {
  if (p->opened)
    store_close(&p->st);
  p->opened = false;
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
    if (now >= next_check) {
      if (enforce_policy_refresh(p, err) < 0)
        return -EIO;
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
