/* Serialized form (little-endian): u8 version (1), u8 bins_per_octave (4),
 * u16 nb, u64 n, f64 min, f64 max, then nb x (u16 bin, u32 count), bins
 * strictly increasing, counts summing to n. */
#include "models/loghist.h"

#include <errno.h>
#include <float.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_histogram.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LH_VERSION 1
#define LH_HDR 28
#define LH_PAIR 6

void loghist_init(struct loghist *h) { memset(h, 0, sizeof *h); }

void loghist_free(struct loghist *h) {
  free(h->bins);
  loghist_init(h);
}

static uint16_t bin_of(double v) {
  double b = floor(log2(1.0 + v) * LH_BINS_PER_OCTAVE);
  if (b < 0)
    b = 0;
  if (b >= LH_MAX_BIN)
    b = LH_MAX_BIN - 1;
  return (uint16_t)b;
}

/* Position of bin in h->bins, or where it would go. */
static uint16_t find(const struct loghist *h, uint16_t bin) {
  uint16_t lo = 0, hi = h->nb;
  while (lo < hi) {
    uint16_t mid = (uint16_t)((lo + hi) / 2);
    if (h->bins[mid].bin < bin)
      lo = (uint16_t)(mid + 1);
    else
      hi = mid;
  }
  return lo;
}

static int add_count(struct loghist *h, uint16_t bin, uint32_t count) {
  uint16_t i = find(h, bin);
  if (i < h->nb && h->bins[i].bin == bin) {
    h->bins[i].count += count;
    return 0;
  }
  if (h->nb == h->cap) {
    uint16_t cap = h->cap ? (uint16_t)(h->cap * 2) : 8;
    if (cap > LH_MAX_BIN)
      cap = LH_MAX_BIN;
    struct lh_bin *nb = realloc(h->bins, cap * sizeof *nb);
    if (!nb)
      return -ENOMEM;
    h->bins = nb;
    h->cap = cap;
  }
  memmove(h->bins + i + 1, h->bins + i, (size_t)(h->nb - i) * sizeof *h->bins);
  h->bins[i].bin = bin;
  h->bins[i].count = count;
  h->nb++;
  return 0;
}

int loghist_add(struct loghist *h, double v) {
  if (!(v > 0))
    v = 0;
  else if (v > DBL_MAX)
    v = DBL_MAX; /* an infinite max would not load again */
  int rc = add_count(h, bin_of(v), 1);
  if (rc < 0)
    return rc;
  if (h->n == 0 || v < h->min)
    h->min = v;
  if (h->n == 0 || v > h->max)
    h->max = v;
  h->n++;
  return 0;
}

int loghist_merge(struct loghist *dst, const struct loghist *src) {
  for (uint16_t i = 0; i < src->nb; i++) {
    int rc = add_count(dst, src->bins[i].bin, src->bins[i].count);
    if (rc < 0)
      return rc;
  }
  if (src->n) {
    if (dst->n == 0 || src->min < dst->min)
      dst->min = src->min;
    if (dst->n == 0 || src->max > dst->max)
      dst->max = src->max;
  }
  dst->n += src->n;
  return 0;
}

/* Quantile in log2(1 + v) units, through a GSL histogram spanning the used
 * bins. */
static double log_quantile(const struct loghist *h, double q) {
  uint16_t first = h->bins[0].bin, last = h->bins[h->nb - 1].bin;
  size_t n = (size_t)(last - first) + 1;
  gsl_histogram *g = gsl_histogram_alloc(n);
  gsl_histogram_pdf *pdf = gsl_histogram_pdf_alloc(n);
  double r = (double)first / LH_BINS_PER_OCTAVE;
  if (g && pdf) {
    gsl_histogram_set_ranges_uniform(g, (double)first / LH_BINS_PER_OCTAVE,
                                     (double)(last + 1) / LH_BINS_PER_OCTAVE);
    for (uint16_t i = 0; i < h->nb; i++)
      gsl_histogram_accumulate(g, ((double)h->bins[i].bin + 0.5) / LH_BINS_PER_OCTAVE,
                               h->bins[i].count);
    if (gsl_histogram_pdf_init(pdf, g) == GSL_SUCCESS) {
      /* The cumulative sum can end a hair under 1; a q above it would make
       * the sampler fail (and answer 0). */
      double top = pdf->sum[n];
      r = gsl_histogram_pdf_sample(pdf, q >= top ? nextafter(top, 0.0) : q);
    }
  }
  gsl_histogram_pdf_free(pdf);
  gsl_histogram_free(g);
  return r;
}

double loghist_quantile(const struct loghist *h, double q) {
  if (h->n == 0)
    return 0;
  if (q <= 0)
    return h->min;
  if (q >= 1)
    return h->max;
  double v = exp2(log_quantile(h, q)) - 1.0;
  if (v < h->min)
    v = h->min;
  if (v > h->max)
    v = h->max;
  return v;
}

void loghist_median_mad(const struct loghist *h, double *median, double *mad) {
  *median = *mad = 0;
  if (h->n == 0)
    return;
  double med = log_quantile(h, 0.5);
  /* Deviations of bin centres from the median, weighted by counts. */
  struct loghist dev;
  loghist_init(&dev);
  for (uint16_t i = 0; i < h->nb; i++) {
    double c = ((double)h->bins[i].bin + 0.5) / LH_BINS_PER_OCTAVE;
    double d = fabs(c - med);
    if (add_count(&dev, (uint16_t)floor(d * LH_BINS_PER_OCTAVE), h->bins[i].count) < 0)
      break;
  }
  dev.n = h->n;
  *median = med;
  *mad = dev.nb ? log_quantile(&dev, 0.5) : 0;
  loghist_free(&dev);
}

static void put(uint8_t **p, uint64_t v, int n) {
  for (int i = 0; i < n; i++)
    *(*p)++ = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const uint8_t **p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++)
    v |= (uint64_t)*(*p)++ << (8 * i);
  return v;
}

size_t loghist_serialized_size(const struct loghist *h) {
  return LH_HDR + (size_t)h->nb * LH_PAIR;
}

void loghist_serialize(const struct loghist *h, uint8_t *out) {
  uint8_t *p = out;
  uint64_t bits;
  put(&p, LH_VERSION, 1);
  put(&p, LH_BINS_PER_OCTAVE, 1);
  put(&p, h->nb, 2);
  put(&p, h->n, 8);
  memcpy(&bits, &h->min, 8);
  put(&p, bits, 8);
  memcpy(&bits, &h->max, 8);
  put(&p, bits, 8);
  for (uint16_t i = 0; i < h->nb; i++) {
    put(&p, h->bins[i].bin, 2);
    put(&p, h->bins[i].count, 4);
  }
}

int loghist_deserialize(struct loghist *h, const uint8_t *buf, size_t len,
                        struct hb_error *err) {
  loghist_init(h);
  if (len < LH_HDR)
    return hb_fail(err, EBADMSG, "histogram blob of %zu bytes is shorter than its header", len);
  const uint8_t *p = buf;
  unsigned version = (unsigned)get(&p, 1), bpo = (unsigned)get(&p, 1);
  uint16_t nb = (uint16_t)get(&p, 2);
  uint64_t n = get(&p, 8), bits;
  double min, max;
  bits = get(&p, 8);
  memcpy(&min, &bits, 8);
  bits = get(&p, 8);
  memcpy(&max, &bits, 8);
  if (version != LH_VERSION || bpo != LH_BINS_PER_OCTAVE)
    return hb_fail(err, EBADMSG, "histogram version %u/%u not understood", version, bpo);
  if (len != LH_HDR + (size_t)nb * LH_PAIR || nb > LH_MAX_BIN)
    return hb_fail(err, EBADMSG, "histogram blob has %zu bytes for %u bins", len, nb);
  if (!(min >= 0) || !(max >= min) || !isfinite(max))
    return hb_fail(err, EBADMSG, "histogram min/max out of order");
  uint64_t total = 0;
  int prev = -1;
  for (uint16_t i = 0; i < nb; i++) {
    uint16_t bin = (uint16_t)get(&p, 2);
    uint32_t count = (uint32_t)get(&p, 4);
    if ((int)bin <= prev || bin >= LH_MAX_BIN || count == 0) {
      loghist_free(h);
      return hb_fail(err, EBADMSG, "histogram bin %u out of order or empty", bin);
    }
    prev = bin;
    total += count;
    if (add_count(h, bin, count) < 0) {
      loghist_free(h);
      return hb_fail(err, ENOMEM, "out of memory");
    }
  }
  if (total != n) {
    loghist_free(h);
    return hb_fail(err, EBADMSG, "histogram counts sum to %llu, header says %llu",
                   (unsigned long long)total, (unsigned long long)n);
  }
  h->n = n;
  h->min = nb ? min : 0;
  h->max = nb ? max : 0;
  return 0;
}
