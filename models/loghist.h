/* models/loghist.h — a distribution learned on a log scale.
 *
 * Contract: a loghist counts non-negative values in bins a quarter of an
 * octave wide on log2(1 + v) (each bin spans ~19% of its value), keeping only
 * the bins it has seen, sorted; plus exact n, min and max. It merges by
 * adding counts, so learning twice or from two replicas gives the same
 * result as learning once from both. Quantiles interpolate inside a bin
 * (GSL's histogram pdf), then clamp to [min, max]. Heavy tails cost nothing:
 * 64 octaves cover every uint64. Serialized form: see loghist.c.
 */
#ifndef HABIT_MODELS_LOGHIST_H
#define HABIT_MODELS_LOGHIST_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define LH_BINS_PER_OCTAVE 4
#define LH_MAX_BIN (64 * LH_BINS_PER_OCTAVE)

struct lh_bin {
  uint16_t bin;
  uint32_t count;
};

struct loghist {
  uint64_t n;
  double min, max;
  uint16_t nb, cap;    /* bins used / allocated */
  struct lh_bin *bins; /* sorted by bin */
};

void loghist_init(struct loghist *h);
void loghist_free(struct loghist *h);
/* Count one value (negative values and NaN count as 0, +infinity as
 * DBL_MAX). -ENOMEM on failure. */
int loghist_add(struct loghist *h, double v);
int loghist_merge(struct loghist *dst, const struct loghist *src);
/* Value at quantile q in [0, 1]; 0 for an empty histogram. */
double loghist_quantile(const struct loghist *h, double q);
/* Median and median absolute deviation, in log2(1 + v) units. */
void loghist_median_mad(const struct loghist *h, double *median, double *mad);

/* Bytes needed by loghist_serialize. */
size_t loghist_serialized_size(const struct loghist *h);
void loghist_serialize(const struct loghist *h, uint8_t *out);
/* Parse a serialized histogram; -EBADMSG with a reason on bad input. */
int loghist_deserialize(struct loghist *h, const uint8_t *buf, size_t len,
                        struct hb_error *err);

#endif
