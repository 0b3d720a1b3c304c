#include "collect/file_feed.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/collector.h"
#include "core/bus.h"

#define PROGRESS_EVERY 65536

static int send_to_bus(void *ctx, const struct event *ev) {
  return bus_out_send(ctx, ev, NULL);
}

static int read_source(struct file_feed *ff, size_t i, struct collector *c,
                       struct hb_error *err) {
  struct pkt_source *src = &ff->sources[i];
  struct raw_pkt p;
  int rc;
  while ((rc = pkt_source_next(src, &p, err)) == 1) {
    collector_packet(c, src->linktype, &p);
    if (c->sink_status < 0)
      return hb_fail(err, -c->sink_status, "%s: cannot send events to the engine", src->name);
    if (ff->progress && (c->stats.packets % PROGRESS_EVERY) == 0)
      ff->progress(ff->progress_ctx, i, pkt_source_offset(src), c->stats.packets);
  }
  collector_end_source(c);
  if (rc == 0 && c->sink_status < 0)
    return hb_fail(err, -c->sink_status, "%s: cannot send events to the engine", src->name);
  if (ff->progress)
    ff->progress(ff->progress_ctx, i, src->size, c->stats.packets);
  return rc;
}

int file_feed_run(struct file_feed *ff) {
  struct hb_error err = {0, ""};
  struct bus_out out;
  struct collector *c = calloc(1, sizeof *c);
  struct event *end = calloc(1, sizeof *end);
  int rc = !c || !end ? hb_fail(&err, ENOMEM, "out of memory") : 0;
  bool bus_open = false;
  if (rc == 0) {
    rc = bus_out_open(&out, ff->zctx, ff->endpoint, false, true, &err);
    bus_open = rc == 0;
  }
  if (rc == 0)
    rc = collector_init(c, ff->cfg, send_to_bus, &out) < 0
             ? hb_fail(&err, ENOMEM, "cannot allocate the flow table (%u flows)",
                       ff->cfg->flow.max_flows)
             : 0;
  if (rc == 0 && ff->leaks)
    rc = collector_set_leaks(c, ff->leaks, &err);
  for (size_t i = 0; rc == 0 && i < ff->n_sources; i++)
    rc = read_source(ff, i, c, &err);
  ff->status = rc;
  if (bus_open) {
    end->kind = EV_END;
    if (c) {
      end->ts_ns = c->flows.now_ns;
      end->u.end.stats = c->stats;
      snprintf(end->node, sizeof end->node, "%s", c->node);
    }
    end->u.end.status = rc;
    snprintf(end->u.end.message, sizeof end->u.end.message, "%s", rc ? err.msg : "");
    if (bus_out_send(&out, end, NULL) < 0 || bus_out_flush(&out, NULL) < 0)
      ff->status = rc ? rc : -EIO;
    bus_out_close(&out);
  }
  if (c)
    collector_free(c);
  free(c);
  free(end);
  return ff->status;
}
