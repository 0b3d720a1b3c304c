/* fuzz/fuzz_loghist.c — loghist_deserialize on arbitrary blobs. What it
 * accepts must answer quantiles inside [min, max] that never decrease with
 * q, serialize back to the same bytes, and merge with itself into twice the
 * counts; what it refuses must hold nothing. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "models/loghist.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  gsl_set_error_handler_off();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *blob = malloc(size ? size : 1);
  if (!blob)
    return 0;
  memcpy(blob, data, size);
  struct loghist h;
  struct hb_error err = {0, ""};
  if (loghist_deserialize(&h, blob, size, &err) != 0) {
    if (h.bins || h.n || err.msg[0] == '\0')
      abort();
    free(blob);
    return 0;
  }
  double prev = h.min;
  for (int i = 0; i <= 64; i++) {
    double q = i / 64.0;
    double v = loghist_quantile(&h, q);
    if (!(v >= h.min && v <= h.max) && h.n)
      abort();
    if (v < prev && h.n)
      abort();
    prev = v;
  }
  const double edges[] = {1e-300, 1e-9, 0.5, 1 - 1e-9, 0.99999999999999989};
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
    double v = loghist_quantile(&h, edges[i]);
    if (h.n && !(v >= h.min && v <= h.max))
      abort();
  }
  double med, mad;
  loghist_median_mad(&h, &med, &mad);
  if (!isfinite(med) || !isfinite(mad) || mad < 0)
    abort();
  /* Canonical: the same bytes again (min/max of an empty one are 0). */
  size_t sz = loghist_serialized_size(&h);
  uint8_t *again = malloc(sz);
  if (!again)
    abort();
  loghist_serialize(&h, again);
  if (sz != size || (h.nb && memcmp(again, blob, sz) != 0))
    abort();
  free(again);
  /* Merging a copy of itself doubles every count. */
  struct loghist copy;
  loghist_init(&copy);
  if (loghist_merge(&copy, &h) != 0 || loghist_merge(&copy, &h) != 0)
    abort();
  if (copy.n != 2 * h.n || copy.nb != h.nb || copy.min != h.min || copy.max != h.max)
    abort();
  for (uint16_t i = 0; i < h.nb; i++)
    if (copy.bins[i].bin != h.bins[i].bin)
      abort();
  loghist_free(&copy);
  loghist_free(&h);
  free(blob);
  return 0;
}
