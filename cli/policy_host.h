/* cli/policy_host.h — the process and file whitelists in `habit policy show`.
 *
 * Contract: policy_show_host() prints, after the edges, a `processes:`
 * list (service, exe, parent, uid, count) and a `files:` list (service,
 * exe, path, access, count) and `syscalls:` (per service, the names), each
 * sorted, limited to service `want`
 * unless it is IDXMAP_NONE; a model without them prints nothing, so
 * network-only models read as before. -ENOMEM when it cannot sort.
 */
#ifndef HABIT_CLI_POLICY_HOST_H
#define HABIT_CLI_POLICY_HOST_H

#include <stdint.h>

#include "models/model.h"

int policy_show_host(const struct model *m, uint32_t want);
/* A YAML double-quoted scalar of s on stdout (JSON escaping). */
void policy_yq(const char *s);

#endif
