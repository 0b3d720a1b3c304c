/* datasets/gen/world.h — the shop's hosts and what a scenario shares.
 *
 * Contract: the topology is fixed and the same for every seed (addresses,
 * MACs, TTLs, user RTTs), so two captures made with different seeds contain
 * the same hosts. A struct world carries the trace being written, the PRNG,
 * the 4-tuples already used (a client port is never reused toward the same
 * server within one capture) and the flow counts printed in the summary.
 */
#ifndef HABIT_GEN_WORLD_H
#define HABIT_GEN_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

struct pcap_trace;
struct rng;

#define SHOP_USERS 31 /* 203.0.113.10 .. 203.0.113.40 */

enum edge {
  EDGE_WEB,      /* users -> web:80 */
  EDGE_API,      /* web -> api:8080 */
  EDGE_DB,       /* api -> db:5432 */
  EDGE_CACHE,    /* api -> cache:6379 */
  EDGE_PAYMENTS, /* api -> payments:443 */
  EDGE_DNS,      /* web, api -> resolver:53 */
  EDGE_SSH,      /* operator -> web:22 */
  EDGE_ATTACK,   /* planted attack connections */
  EDGE_COUNT
};

struct user {
  struct host host;
  int64_t rtt_us;
  const char *user_agent;
};

extern const struct host host_resolver, host_operator, host_web, host_api,
    host_db, host_cache, host_payments, host_c2;
extern const struct user shop_users[SHOP_USERS];
const char *edge_name(enum edge e);

struct world {
  struct pcap_trace *tr;
  struct rng *rng;
  uint64_t *used; /* open-addressing set of 4-tuple keys, 0 = empty */
  size_t used_cap, used_n;
  unsigned flows[EDGE_COUNT];
  unsigned scan_probes;
};

void world_init(struct world *w, struct pcap_trace *tr, struct rng *rng);
void world_free(struct world *w);
/* A fresh ephemeral port (32768-60999, Linux's default range) for a
 * connection from cli to srv:sport. */
uint16_t world_port(struct world *w, const struct host *cli,
                    const struct host *srv, uint16_t sport);
/* cli asks the resolver for name's A record at t; returns when the answer
 * passed the tap. Counts a DNS flow. */
int64_t world_dns(struct world *w, const struct host *cli, const char *name,
                  uint32_t addr, uint32_t ttl, int64_t t);

#endif
