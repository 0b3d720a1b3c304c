#include "cli/cli_counters.h"

#include <stdio.h>
#include <string.h>

#include "core/timefmt.h"

static int send(struct cli_counters *c, struct bus_out *bus, uint8_t kind,
                struct hb_error *err) {
  struct event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = kind;
  ev.ts_ns = hb_now_ns();
  snprintf(ev.node, sizeof ev.node, "%s", c->node);
  struct ev_stats *s = kind == EV_END ? &ev.u.end.stats : &ev.u.stats;
  snprintf(s->source, sizeof s->source, "%s", c->source);
  s->packets = c->events;
  s->malformed = c->malformed;
  s->dropped_kernel = c->lost;
  s->dropped_bus = bus->dropped;
  int rc = bus_out_send(bus, &ev, err);
  c->sent += rc == 0;
  return rc;
}

int cli_counters_tick(struct cli_counters *c, struct bus_out *bus, struct hb_error *err) {
  uint64_t now = hb_mono_ns();
  if (now - c->last_ns < 1000000000ull)
    return 0;
  c->last_ns = now;
  return send(c, bus, EV_STATS, err);
}

int cli_counters_end(struct cli_counters *c, struct bus_out *bus, struct hb_error *err) {
  int rc = send(c, bus, EV_END, err);
  if (rc == 0)
    rc = bus_out_flush(bus, err);
  return rc;
}
