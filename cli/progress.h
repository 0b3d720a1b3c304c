/* cli/progress.h — a progress line on a terminal for long replays.
 *
 * Contract: progress_update() redraws one stderr line at most 10 times a
 * second ("habit: 45% of 3 files, 1.2 M packets"); progress_done() clears
 * it. Does nothing when disabled (stderr is not a terminal, or -q).
 */
#ifndef HABIT_CLI_PROGRESS_H
#define HABIT_CLI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct progress {
  bool enabled;
  const uint64_t *sizes; /* per source */
  size_t n;
  uint64_t total;
  uint64_t last_ns;
  bool drawn;
};

void progress_init(struct progress *p, bool enabled, const uint64_t *sizes, size_t n);
/* A feed_progress_fn. */
void progress_update(void *ctx, size_t source, uint64_t offset, uint64_t packets);
void progress_done(struct progress *p);

#endif
