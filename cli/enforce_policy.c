#include "cli/enforce_policy.h"

#include <stdlib.h>
#include <string.h>

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
