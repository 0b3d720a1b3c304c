/* collect/live_feed.h — the live network collector: an interface onto the bus.
 *
 * Contract: live_feed_run() reads one live source (already opened) through
 * one collector and sends its events on a non-blocking bus_out connected
 * to `endpoint` — a full queue drops and counts, never blocks the capture.
 * Every LIVE_TICK_MS of wall time it ends flows idle past their timeouts,
 * flushes the batch on the bus, and sends an EV_STATS event with the
 * counters so far (kernel drops from libpcap, bus drops). It returns when
 * *stop becomes non-zero (a signal handler sets it; what the kernel holds
 * is read first, up to LIVE_DRAIN_MAX packets), when `duration_s` (0: none)
 * has passed, or on a capture error; then every open flow ends
 * (reason "capture") and one EV_END carries the final counters and the
 * status. Made to run in its own process or thread; touches only what the
 * struct gives it.
 */
#ifndef HABIT_COLLECT_LIVE_FEED_H
#define HABIT_COLLECT_LIVE_FEED_H

#include <signal.h>
#include <stdint.h>

#include "collect/pkt_source.h"
#include "config/config.h"
#include "core/curve.h"
#include "core/event.h"

#define LIVE_TICK_MS 1000
#define LIVE_DRAIN_MAX 65536 /* packets read after a stop request, at most */

struct leak_matcher;

struct live_feed {
  struct pkt_source *src;
  const struct config *cfg;
  void *zctx;
  const char *endpoint;
  const struct leak_matcher *leaks; /* NULL: no leak scanning */
  const struct bus_curve *curve;    /* NULL: a plain connection */
  const volatile sig_atomic_t *stop;
  uint32_t duration_s;
  /* Set on return: the last counters sent, and the result (also in EV_END). */
  struct ev_stats stats;
  int status;
  char message[EV_TEXT_MAX];
};

int live_feed_run(struct live_feed *lf);

#endif
