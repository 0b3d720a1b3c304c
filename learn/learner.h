/* learn/learner.h — discover mode: flows in, whitelist and distributions out.
 *
 * Contract: learner_flow() adds one mapped flow to the model: both services
 * and their members, the edge (client service -> server service, proto,
 * server port, app) with its count, and the edge's distributions (bytes each
 * way, packets, duration). Connections per minute are counted per edge and
 * minute of the flow's start, and folded into the edge's distribution once
 * the minute can take no more flows (its flows have all timed out) or at
 * learner_finish(). Every cfg->learn.batch_events flows the dirty part of
 * the model is written in one transaction (store_flush); never per flow.
 */
#ifndef HABIT_LEARN_LEARNER_H
#define HABIT_LEARN_LEARNER_H

#include <stdint.h>

#include "config/config.h"
#include "core/error.h"
#include "core/keytab.h"
#include "models/model.h"
#include "models/store.h"
#include "services/service_map.h"

struct learner {
  struct model *model;
  struct store *store;        /* NULL: learn in memory only */
  uint32_t batch_events;
  uint64_t grace_minutes;     /* how long a minute stays open */
  struct keytab minutes;      /* (edge, minute) -> a: count */
  uint64_t latest_minute;
  uint64_t pending;           /* flows since the last flush */
  uint64_t learned;           /* flows learned in all */
  uint64_t host_learned;      /* process and file events learned */
};

void learner_init(struct learner *l, struct model *m, struct store *st,
                  const struct config *cfg);
int learner_flow(struct learner *l, const struct ev_flow *f,
                 const struct svc_endpoint *cli, const struct svc_endpoint *srv,
                 struct hb_error *err);
/* A process or file event was learned into the model (engine/engine_host.c):
 * it counts toward the batch like a flow. */
int learner_host_event(struct learner *l, struct hb_error *err);
/* Fold closed minutes and write the dirty model (one transaction). */
int learner_flush(struct learner *l, struct hb_error *err);
/* Fold every minute and write: the end of a run. */
int learner_finish(struct learner *l, struct hb_error *err);
void learner_free(struct learner *l);

/* Minutes a connections-per-minute count stays open (shared with detection). */
uint64_t learner_grace_minutes(const struct cfg_flow *fl);

/* The edge key of a mapped flow (shared with detection). */
void learner_edge_key(const struct model *m, const struct ev_flow *f, uint32_t cli,
                      uint32_t srv, struct edge_key *k);

#endif
