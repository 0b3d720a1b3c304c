/* collect/collector.h — the network collector: frames in, flow events out.
 *
 * Contract: collector_packet() decodes one frame, accounts it in the flow
 * table and its counters, and has collect/inspect.c look for threats in it;
 * every flow that ends becomes one EV_FLOW event, every threat one EV_ALERT,
 * handed to the sink (in replay and live alike the sink is a bus_out). A
 * sink that fails stops nothing here: the error is kept in sink_status and
 * the owner decides. Counters (struct ev_stats) cover every frame: the
 * packet count equals the number of records read.
 */
#ifndef HABIT_COLLECT_COLLECTOR_H
#define HABIT_COLLECT_COLLECTOR_H

#include "collect/decode.h"
#include "collect/flow_table.h"
#include "collect/inspect.h"
#include "collect/pkt_source.h"
#include "config/config.h"
#include "core/event.h"

typedef int (*collector_sink_fn)(void *ctx, const struct event *ev);

struct collector {
  struct flow_table flows;
  struct inspector inspect;
  struct decode_counters anomalies;
  struct ev_stats stats;
  char node[EV_NAME_MAX];
  collector_sink_fn sink;
  void *sink_ctx;
  int sink_status;     /* first error the sink returned, 0 if none */
  struct event scratch; /* reused for every flow event */
};

int collector_init(struct collector *c, const struct config *cfg,
                   collector_sink_fn sink, void *ctx);
/* Scan payloads for data leaks with m (see collect/inspect.h). */
int collector_set_leaks(struct collector *c, const struct leak_matcher *m,
                        struct hb_error *err);
void collector_packet(struct collector *c, int linktype, const struct raw_pkt *p);
/* The current source ended: every open flow ends with it. */
void collector_end_source(struct collector *c);
/* A live source's clock without packets: end flows idle past their
 * timeout at now_ns (wall clock, the time base of live packets). */
void collector_tick(struct collector *c, uint64_t now_ns);
void collector_free(struct collector *c);

/* Fill an event from a flow (used by the collector; exposed for tests).
 * node must be a full EV_NAME_MAX buffer, NUL-padded. */
void collector_flow_event(const struct flow *f, uint8_t end_reason,
                          const char *node, struct event *ev);

#endif
