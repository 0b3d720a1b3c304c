#include "collect/live_feed.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collect/collector.h"
#include "core/bus.h"
#include "core/timefmt.h"

static int send_to_bus(void *ctx, const struct event *ev) {
  int rc = bus_out_send(ctx, ev, NULL);
  /* A threat may order its connection reset: it does not wait for the
   * next tick's flush. */
  if (rc == 0 && ev->kind == EV_ALERT)
    rc = bus_out_flush(ctx, NULL);
  return rc;
}

static uint64_t wall_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The collector's counters plus the drops only this loop knows. */
static void fill_stats(struct live_feed *lf, const struct collector *c,
                       const struct bus_out *out) {
  lf->stats = c->stats;
  snprintf(lf->stats.source, sizeof lf->stats.source, "%s", lf->src->name);
  lf->stats.dropped_kernel = pkt_source_dropped(lf->src);
  lf->stats.dropped_bus = out->dropped;
}

static void send_counters(struct live_feed *lf, struct collector *c, struct bus_out *out,
                          struct event *ev, uint8_t kind) {
  fill_stats(lf, c, out);
  memset(ev, 0, sizeof *ev);
  ev->kind = kind;
  ev->ts_ns = wall_ns();
  snprintf(ev->node, sizeof ev->node, "%s", c->node);
  if (kind == EV_STATS) {
    ev->u.stats = lf->stats;
  } else {
    ev->u.end.stats = lf->stats;
    ev->u.end.status = lf->status;
    snprintf(ev->u.end.message, sizeof ev->u.end.message, "%s", lf->message);
  }
  bus_out_send(out, ev, NULL); /* non-blocking: a full queue counts it */
  bus_out_flush(out, NULL);
}

static int capture(struct live_feed *lf, struct collector *c, struct bus_out *out,
                   struct event *ev, struct hb_error *err) {
  uint64_t start = hb_mono_ns(), next_tick = start + LIVE_TICK_MS * 1000000ull;
  uint64_t end = lf->duration_s ? start + lf->duration_s * 1000000000ull : 0;
  uint64_t draining = 0; /* packets read since the stop request */
  for (;;) {
    struct raw_pkt p;
    int rc = pkt_source_next(lf->src, &p, err);
    if (rc < 0)
      return rc;
    if (rc == 0)
      return 0;
    if (rc == 1)
      collector_packet(c, lf->src->linktype, &p);
    /* Stopped: read what the kernel already holds (a bounded amount, so a
     * flood cannot keep the collector alive), then end. */
    if (*lf->stop && (rc == 2 || ++draining >= LIVE_DRAIN_MAX))
      return 0;
    uint64_t now = hb_mono_ns();
    if (now >= next_tick) {
      collector_tick(c, wall_ns());
      send_counters(lf, c, out, ev, EV_STATS);
      next_tick = now + LIVE_TICK_MS * 1000000ull;
    }
    if (end && now >= end)
      return 0;
  }
  return 0;
}

int live_feed_run(struct live_feed *lf) {
  struct hb_error err = {0, ""};
  struct bus_out out;
  struct collector *c = calloc(1, sizeof *c);
  struct event *ev = calloc(1, sizeof *ev);
  int rc = !c || !ev ? hb_fail(&err, ENOMEM, "out of memory") : 0;
  bool bus_open = false, coll = false;
  if (rc == 0) {
    rc = bus_out_open_secure(&out, lf->zctx, lf->endpoint, false, false, lf->curve, &err);
    bus_open = rc == 0;
  }
  if (rc == 0) {
    rc = collector_init(c, lf->cfg, send_to_bus, &out) < 0
             ? hb_fail(&err, ENOMEM, "cannot allocate the flow table (%u flows)",
                       lf->cfg->flow.max_flows)
             : 0;
    coll = rc == 0;
  }
  if (rc == 0 && lf->leaks)
    rc = collector_set_leaks(c, lf->leaks, &err);
  if (rc == 0)
    rc = capture(lf, c, &out, ev, &err);
  if (coll)
    collector_end_source(c);
  lf->status = rc;
  snprintf(lf->message, sizeof lf->message, "%s", rc ? err.msg : "");
  if (bus_open) {
    if (coll)
      send_counters(lf, c, &out, ev, EV_END);
    bus_out_close(&out);
  }
  if (coll)
    collector_free(c);
  free(c);
  free(ev);
  return lf->status;
}
