#include "engine/policy_publish.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "models/policy_codec.h"

/* Every service the engine can name a mode for: the model's, then the
 * config's that the model does not have yet. */
static int modes_in_force(const struct engine *e, struct svc_mode **out, size_t *n,
                          struct hb_error *err) {
  const struct model *m = e->model;
  size_t cap = (size_t)m->n_services + e->cfg->n_services;
  struct svc_mode *modes = cap ? calloc(cap, sizeof *modes) : NULL;
  if (cap && !modes)
    return hb_fail(err, ENOMEM, "out of memory");
  size_t k = 0;
  for (uint32_t i = 0; i < m->n_services; i++) {
    snprintf(modes[k].service, sizeof modes[k].service, "%s", m->services[i].name);
    modes[k++].mode = engine_service_mode(e, m->services[i].name);
  }
  for (size_t i = 0; i < e->cfg->n_services; i++) {
    const char *name = e->cfg->services[i].name;
    if (model_find_service(m, name) != IDXMAP_NONE)
      continue;
    snprintf(modes[k].service, sizeof modes[k].service, "%s", name);
    modes[k++].mode = engine_service_mode(e, name);
  }
  *out = modes;
  *n = k;
  return 0;
}

static void set_version(uint8_t *buf, uint64_t v) {
  for (int i = 0; i < 8; i++)
    buf[4 + i] = (uint8_t)(v >> (8 * i));
}

int policy_publish_tick(struct policy_publish *pp, const struct engine *e,
                        struct order_pub *pub, struct hb_error *err) {
  struct svc_mode *modes = NULL;
  size_t n_modes = 0;
  int rc = modes_in_force(e, &modes, &n_modes, err);
  if (rc < 0)
    return rc;
  uint8_t def = e->mode_override ? e->mode_override
                : e->cfg->default_mode ? e->cfg->default_mode : EV_MODE_DISCOVER;
  uint8_t *buf;
  size_t len;
  rc = policy_encode(e->model, modes, n_modes, def, 0, &buf, &len, err);
  free(modes);
  if (rc < 0)
    return rc;
  uint64_t now = hb_mono_ns();
  /* Compared with version 0 in both: only the content tells a change. */
  if (pp->last) {
    set_version(pp->last, 0);
    bool same = pp->last_len == len && memcmp(pp->last, buf, len) == 0;
    set_version(pp->last, pp->version);
    if (same) {
      free(buf);
      if (now < pp->next_repeat)
        return 0;
      pp->next_repeat = now + POLICY_REPEAT_S * 1000000000ull;
      pp->sends++;
      order_pub_send_policy(pub, pp->last, pp->last_len);
      return 0;
    }
  }
  uint64_t v = hb_now_ns();
  pp->version = v > pp->version ? v : pp->version + 1;
  set_version(buf, pp->version);
  free(pp->last);
  pp->last = buf;
  pp->last_len = len;
  pp->versions++;
  pp->sends++;
  pp->next_repeat = now + POLICY_REPEAT_S * 1000000000ull;
  order_pub_send_policy(pub, buf, len); /* failures: counted by the socket */
  return 0;
}

void policy_publish_again(struct policy_publish *pp) { pp->next_repeat = 0; }

void policy_publish_free(struct policy_publish *pp) {
  free(pp->last);
  pp->last = NULL;
}
