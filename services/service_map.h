/* services/service_map.h — which service an endpoint belongs to.
 *
 * Contract: svc_map_flow() names the client and server services of a flow
 * and describes each endpoint as a member. The rules, in order (README §
 * Services):
 *  1. a configured selector whose addresses contain the endpoint and, when
 *     it lists ports, whose ports (and protocol) contain the server port —
 *     first match in the config's order; failing that, the first selector
 *     whose addresses contain it whatever its ports (the host is known, the
 *     port is not: the edge will say which);
 *  2. an inside address (config `networks.internal`, else private ranges):
 *     a TCP/UDP server that accepted the flow is the service "IP:PORT"; any
 *     other inside endpoint is the workload "IP";
 *  3. an outside address: its named external group, else "external".
 * The result depends only on the flow and the config, never on what was
 * seen before, so a replay and a live run name things alike. Answers are
 * cached per endpoint (address, and for servers port, protocol and whether
 * the flow was accepted); the cache is bounded and starts over when full.
 */
#ifndef HABIT_SERVICES_SERVICE_MAP_H
#define HABIT_SERVICES_SERVICE_MAP_H

#include <stdint.h>

#include "config/config.h"
#include "core/keytab.h"
#include "core/event.h"
#include "models/model.h"

struct svc_endpoint {
  char name[EV_NAME_MAX];
  uint8_t kind;                     /* enum svc_kind */
  uint8_t role;                     /* enum member_role */
  char member[MEMBER_TEXT_MAX];     /* "10.1.0.20" or "10.1.0.30:5432/tcp" */
};

#define SVC_CACHE_MAX 65536

struct svc_map {
  const struct config *cfg;
  struct keytab cache;          /* endpoint key -> a: index in answers */
  struct svc_endpoint *answers;
  uint32_t n_answers, cap_answers;
  uint64_t hits, misses;
};

void svc_map_init(struct svc_map *m, const struct config *cfg);
void svc_map_free(struct svc_map *m);
/* Fill f->cli_service and f->srv_service, and the endpoints' descriptions. */
void svc_map_flow(struct svc_map *m, struct ev_flow *f, struct svc_endpoint *cli,
                  struct svc_endpoint *srv);

#endif
