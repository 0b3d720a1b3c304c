#include "services/service_proc.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

static bool selector_matches(const struct cfg_selector *s, const struct proc_facts *p) {
  if (!s->cgroup && !s->container && !s->exe)
    return false;
  if (s->cgroup && (!p->cgroup[0] || fnmatch(s->cgroup, p->cgroup, 0) != 0))
    return false;
  if (s->exe && (!p->exe[0] || fnmatch(s->exe, p->exe, 0) != 0))
    return false;
  if (s->container &&
      (!p->container_id[0] || strncmp(p->container_id, s->container, strlen(s->container)) != 0))
    return false;
  return true;
}

bool svc_proc_configured(const struct config *cfg, const struct proc_facts *p,
                         char name[EV_NAME_MAX]) {
  for (size_t i = 0; i < cfg->n_services; i++) {
    const struct cfg_service *svc = &cfg->services[i];
    for (size_t j = 0; j < svc->n_selectors; j++)
      if (selector_matches(&svc->selectors[j], p)) {
        snprintf(name, EV_NAME_MAX, "%s", svc->name);
        return true;
      }
  }
  return false;
}

/* The last component of a cgroup path when it is a systemd service unit. */
static bool unit_of(const char *cgroup, char name[EV_NAME_MAX]) {
  const char *last = strrchr(cgroup, '/');
  last = last ? last + 1 : cgroup;
  size_t n = strlen(last);
  static const char suffix[] = ".service";
  if (n <= sizeof suffix - 1 || n >= EV_NAME_MAX ||
      strcmp(last + n - (sizeof suffix - 1), suffix) != 0)
    return false;
  snprintf(name, EV_NAME_MAX, "%s", last);
  return true;
}

void svc_proc_inferred(const struct proc_facts *p, char name[EV_NAME_MAX]) {
  if (p->container_id[0])
    snprintf(name, EV_NAME_MAX, "container:%.12s", p->container_id);
  else if (!unit_of(p->cgroup, name))
    snprintf(name, EV_NAME_MAX, "host");
}
