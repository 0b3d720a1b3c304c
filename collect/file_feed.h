/* collect/file_feed.h — the pcap collector: capture files onto the bus.
 *
 * Contract: file_feed_run() reads the given (already opened) sources in
 * order, one after the other, through one collector, and sends every flow
 * event on a bus_out connected to `endpoint`; each file's open flows end
 * with it. It always finishes with one EV_END event carrying the counters
 * and the status: 0, or the first error (a file cut mid-record, a bus
 * failure) with its message. Made to run on its own thread: it touches
 * only what the struct gives it.
 */
#ifndef HABIT_COLLECT_FILE_FEED_H
#define HABIT_COLLECT_FILE_FEED_H

#include <stdint.h>

#include "collect/pkt_source.h"
#include "config/config.h"

/* Called now and then with progress: source index, bytes read of it,
 * packets so far. */
typedef void (*feed_progress_fn)(void *ctx, size_t source, uint64_t offset,
                                 uint64_t packets);

struct leak_matcher;

struct file_feed {
  struct pkt_source *sources;
  size_t n_sources;
  const struct config *cfg;
  void *zctx;
  const char *endpoint;
  const struct leak_matcher *leaks; /* NULL: no leak scanning */
  feed_progress_fn progress; /* may be NULL */
  void *progress_ctx;
  int status;                /* result, also sent in EV_END */
};

int file_feed_run(struct file_feed *ff);

#endif
