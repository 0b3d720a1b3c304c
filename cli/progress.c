#include "cli/progress.h"

#include <stdio.h>

#include "core/timefmt.h"

void progress_init(struct progress *p, bool enabled, const uint64_t *sizes, size_t n) {
  p->enabled = enabled;
  p->sizes = sizes;
  p->n = n;
  p->total = 0;
  for (size_t i = 0; i < n; i++)
    p->total += sizes[i];
  p->last_ns = 0;
  p->drawn = false;
}

void progress_update(void *ctx, size_t source, uint64_t offset, uint64_t packets) {
  struct progress *p = ctx;
  if (!p->enabled || p->total == 0)
    return;
  uint64_t now = hb_mono_ns();
  if (p->drawn && now - p->last_ns < 100000000ull)
    return;
  p->last_ns = now;
  uint64_t done = offset;
  for (size_t i = 0; i < source && i < p->n; i++)
    done += p->sizes[i];
  double pct = 100.0 * (double)done / (double)p->total;
  if (pct > 100)
    pct = 100;
  int bar = (int)(pct / 5);
  fprintf(stderr, "\rhabit: [%.*s%*s] %3.0f%%  file %zu/%zu  %.2f M packets", bar,
          "====================", 20 - bar, "", pct, source + 1, p->n, (double)packets / 1e6);
  fflush(stderr);
  p->drawn = true;
}

void progress_done(struct progress *p) {
  if (p->drawn)
    fprintf(stderr, "\r%80s\r", "");
  p->drawn = false;
}
