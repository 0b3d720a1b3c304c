/* services/service_proc.h — which service a process belongs to.
 *
 * Contract: svc_proc_configured() names the first configured service (in
 * the config's order) with a selector whose process keys all match the
 * process: `cgroup` and `exe` are fnmatch(3) patterns on the cgroup path and
 * the executable, `container` a prefix of the container id; a selector with
 * no process key never matches a process. svc_proc_inferred() names an
 * unmatched process from what it runs in: "container:<first 12 hex>" for a
 * container, the unit for a systemd unit's cgroup ("nginx.service",
 * "cron.scope" is not one: scopes are sessions), else "host". Both depend
 * only on the process's facts and the config. Taking a parent's service
 * (a shell a service started is that service's) is the engine's job: it
 * knows the process tree (engine/proc_table.h).
 */
#ifndef HABIT_SERVICES_SERVICE_PROC_H
#define HABIT_SERVICES_SERVICE_PROC_H

#include <stdbool.h>

#include "config/config.h"
#include "core/event.h"

struct proc_facts {
  const char *exe;          /* "" when unknown */
  const char *cgroup;       /* "" when unknown */
  const char *container_id; /* "" when none */
};

bool svc_proc_configured(const struct config *cfg, const struct proc_facts *p,
                         char name[EV_NAME_MAX]);
void svc_proc_inferred(const struct proc_facts *p, char name[EV_NAME_MAX]);

#endif
