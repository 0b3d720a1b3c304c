/* tests/unit/test_loghist.c — models/loghist.h: quantiles of known
 * distributions within one bin of the exact sample quantiles, exact ends
 * (q=0 min, q=1 max) and every answer inside [min, max]; merge equals
 * learning the union; serialization round-trips and every malformed blob
 * is refused without leaking. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "models/loghist.h"

static uint64_t rng_state;
static double uniform01(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (double)((rng_state * 0x2545f4914f6cdd1dull) >> 11) / 9007199254740992.0;
}

static double normal01(void) {
  double u1 = uniform01(), u2 = uniform01();
  if (u1 < 1e-300)
    u1 = 1e-300;
  return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Exact sample quantile: the value at rank ceil(q n) (1-based). */
static double exact_quantile(const double *sorted, size_t n, double q) {
  size_t r = (size_t)ceil(q * (double)n);
  if (r < 1)
    r = 1;
  if (r > n)
    r = n;
  return sorted[r - 1];
}

/* One bin is a quarter octave on log2(1 + v): (1 + v) within 2^(1/4). */
static void expect_close(double got, double want, double q) {
  double ratio = (1.0 + got) / (1.0 + want);
  double bin = exp2(1.0 / 4);
  if (ratio > bin * 1.0001 || ratio < 1.0 / bin / 1.0001)
    fail_msg("q=%g: got %g, exact %g (ratio %g)", q, got, want, ratio);
}

static void check_quantiles(const double *values, size_t n) {
  double *s = malloc(n * sizeof *s);
  assert_non_null(s);
  memcpy(s, values, n * sizeof *s);
  qsort(s, n, sizeof *s, cmp_double);
  struct loghist h;
  loghist_init(&h);
  for (size_t i = 0; i < n; i++)
    assert_int_equal(loghist_add(&h, values[i]), 0);
  assert_int_equal(h.n, n);
  assert_true(h.min == s[0]);
  assert_true(h.max == s[n - 1]);
  assert_true(loghist_quantile(&h, 0) == s[0]);
  assert_true(loghist_quantile(&h, -1) == s[0]);
  assert_true(loghist_quantile(&h, 1) == s[n - 1]);
  assert_true(loghist_quantile(&h, 2) == s[n - 1]);
  const double qs[] = {0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999};
  double prev = s[0];
  for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
    double v = loghist_quantile(&h, qs[i]);
    assert_true(v >= h.min && v <= h.max);
    assert_true(v >= prev); /* monotonic */
    prev = v;
    expect_close(v, exact_quantile(s, n, qs[i]), qs[i]);
  }
  /* Dense sweep: always inside [min, max], never decreasing, even right
   * next to 0 and 1. */
  prev = s[0];
  for (int i = 0; i <= 1000; i++) {
    double q = i / 1000.0;
    double v = loghist_quantile(&h, q);
    assert_true(v >= h.min && v <= h.max);
    assert_true(v >= prev);
    prev = v;
  }
  const double edges[] = {DBL_MIN, 1e-12, 0.9999999, 1 - 1e-12, nextafter(1.0, 0.0)};
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
    double v = loghist_quantile(&h, edges[i]);
    assert_true(v >= h.min && v <= h.max);
    expect_close(v, exact_quantile(s, n, edges[i]), edges[i]);
  }
  loghist_free(&h);
  free(s);
}

static void test_uniform(void **state) {
  (void)state;
  enum { N = 200000 };
  double *v = malloc(N * sizeof *v);
  assert_non_null(v);
  rng_state = 12345;
  for (size_t i = 0; i < N; i++)
    v[i] = 1000 + 99000 * uniform01();
  check_quantiles(v, N);
  for (size_t i = 0; i < N; i++)
    v[i] = floor(100 * uniform01()); /* small integers, zero included */
  check_quantiles(v, N);
  free(v);
}

static void test_lognormal(void **state) {
  (void)state;
  enum { N = 200000 };
  double *v = malloc(N * sizeof *v);
  assert_non_null(v);
  rng_state = 777;
  for (size_t i = 0; i < N; i++)
    v[i] = exp(8 + 2.5 * normal01()); /* bytes per flow: heavy tailed */
  check_quantiles(v, N);
  for (size_t i = 0; i < N; i++)
    v[i] = round(exp(3 + 1 * normal01()));
  check_quantiles(v, N);
  free(v);
}

static void test_small_and_odd(void **state) {
  (void)state;
  struct loghist h;
  loghist_init(&h);
  assert_true(loghist_quantile(&h, 0.5) == 0);
  double med, mad;
  loghist_median_mad(&h, &med, &mad);
  assert_true(med == 0 && mad == 0);
  /* One value: every quantile is that value. */
  assert_int_equal(loghist_add(&h, 1234.5), 0);
  for (int i = 0; i <= 10; i++)
    assert_true(loghist_quantile(&h, i / 10.0) == 1234.5);
  loghist_free(&h);
  /* Negative and NaN count as 0; huge values land in the last bin. */
  loghist_init(&h);
  assert_int_equal(loghist_add(&h, -5), 0);
  assert_int_equal(loghist_add(&h, NAN), 0);
  assert_int_equal(loghist_add(&h, 0), 0);
  assert_true(h.min == 0 && h.max == 0);
  assert_int_equal(h.nb, 1);
  assert_int_equal(h.bins[0].count, 3);
  assert_int_equal(loghist_add(&h, 1.8e19), 0);
  assert_int_equal(loghist_add(&h, 1e300), 0);
  assert_int_equal(h.nb, 2);
  assert_int_equal(h.bins[1].bin, LH_MAX_BIN - 1);
  assert_true(h.max == 1e300);
  for (int i = 0; i <= 10; i++) {
    double v = loghist_quantile(&h, i / 10.0);
    assert_true(v >= 0 && v <= 1e300);
  }
  /* Infinity is a value beyond every bin, not a broken histogram: what was
   * learned must still serialize into something that loads. */
  assert_int_equal(loghist_add(&h, INFINITY), 0);
  assert_int_equal(h.n, 6);
  assert_true(isfinite(h.max));
  size_t sz = loghist_serialized_size(&h);
  uint8_t *blob = malloc(sz);
  assert_non_null(blob);
  loghist_serialize(&h, blob);
  struct loghist back;
  struct hb_error err = {0, ""};
  int rc = loghist_deserialize(&back, blob, sz, &err);
  if (rc)
    print_error("%s\n", err.msg);
  assert_int_equal(rc, 0);
  loghist_free(&back);
  free(blob);
  loghist_free(&h);
  /* Two far-apart clusters: the median is in one of them, not between. */
  loghist_init(&h);
  for (int i = 0; i < 1000; i++)
    assert_int_equal(loghist_add(&h, 100 + i % 10), 0);
  for (int i = 0; i < 999; i++)
    assert_int_equal(loghist_add(&h, 1e9 + i), 0);
  double m = loghist_quantile(&h, 0.5);
  assert_true(m >= 100 * 0.8 && m <= 110 * 1.2);
  loghist_median_mad(&h, &med, &mad);
  assert_true(fabs(med - log2(1 + 105.0)) < 0.5);
  loghist_free(&h);
  /* Median and MAD in log2 units of a spread-out sample. */
  loghist_init(&h);
  rng_state = 3;
  for (int i = 0; i < 100000; i++)
    assert_int_equal(loghist_add(&h, exp2(10 + 2 * normal01()) - 1), 0);
  loghist_median_mad(&h, &med, &mad);
  assert_true(fabs(med - 10) < 0.25);
  assert_true(fabs(mad - 2 * 0.6745) < 0.3); /* MAD of N(0, 2) */
  loghist_free(&h);
}

static void expect_same(const struct loghist *a, const struct loghist *b) {
  assert_int_equal(a->n, b->n);
  assert_true(a->min == b->min);
  assert_true(a->max == b->max);
  assert_int_equal(a->nb, b->nb);
  for (uint16_t i = 0; i < a->nb; i++) {
    assert_int_equal(a->bins[i].bin, b->bins[i].bin);
    assert_int_equal(a->bins[i].count, b->bins[i].count);
  }
  for (int i = 0; i <= 100; i++)
    assert_true(loghist_quantile(a, i / 100.0) == loghist_quantile(b, i / 100.0));
  double m1, d1, m2, d2;
  loghist_median_mad(a, &m1, &d1);
  loghist_median_mad(b, &m2, &d2);
  assert_true(m1 == m2 && d1 == d2);
}

static void test_merge(void **state) {
  (void)state;
  rng_state = 2024;
  for (int round = 0; round < 50; round++) {
    struct loghist a, b, u, empty;
    loghist_init(&a);
    loghist_init(&b);
    loghist_init(&u);
    loghist_init(&empty);
    int na = (int)(uniform01() * 3000), nb = (int)(uniform01() * 3000);
    double scale_a = exp2(uniform01() * 40), scale_b = exp2(uniform01() * 40);
    for (int i = 0; i < na; i++) {
      double v = floor(scale_a * uniform01());
      assert_int_equal(loghist_add(&a, v), 0);
      assert_int_equal(loghist_add(&u, v), 0);
    }
    for (int i = 0; i < nb; i++) {
      double v = floor(scale_b * uniform01());
      assert_int_equal(loghist_add(&b, v), 0);
      assert_int_equal(loghist_add(&u, v), 0);
    }
    /* A ∪ B = A + B, in either order, and merging nothing changes nothing. */
    struct loghist ab, ba;
    loghist_init(&ab);
    loghist_init(&ba);
    assert_int_equal(loghist_merge(&ab, &a), 0);
    assert_int_equal(loghist_merge(&ab, &b), 0);
    assert_int_equal(loghist_merge(&ba, &b), 0);
    assert_int_equal(loghist_merge(&ba, &a), 0);
    assert_int_equal(loghist_merge(&ba, &empty), 0);
    expect_same(&ab, &u);
    expect_same(&ba, &u);
    assert_int_equal(loghist_merge(&a, &b), 0);
    expect_same(&a, &u);
    loghist_free(&a);
    loghist_free(&b);
    loghist_free(&u);
    loghist_free(&ab);
    loghist_free(&ba);
  }
}

static void test_serialize_roundtrip(void **state) {
  (void)state;
  rng_state = 11;
  for (int round = 0; round < 30; round++) {
    struct loghist h, back;
    loghist_init(&h);
    int n = round == 0 ? 0 : (int)(uniform01() * 5000);
    for (int i = 0; i < n; i++)
      assert_int_equal(loghist_add(&h, exp(uniform01() * 44) - 1), 0);
    size_t sz = loghist_serialized_size(&h);
    assert_int_equal(sz, 28 + 6 * (size_t)h.nb);
    uint8_t *blob = malloc(sz);
    assert_non_null(blob);
    loghist_serialize(&h, blob);
    struct hb_error err = {0, ""};
    assert_int_equal(loghist_deserialize(&back, blob, sz, &err), 0);
    expect_same(&h, &back);
    /* And again: the bytes are stable. */
    uint8_t *again = malloc(sz);
    assert_non_null(again);
    loghist_serialize(&back, again);
    assert_memory_equal(blob, again, sz);
    free(again);
    free(blob);
    loghist_free(&h);
    loghist_free(&back);
  }
}

/* A valid blob with 3 bins, for corrupting. */
static size_t sample_blob(uint8_t *out) {
  struct loghist h;
  loghist_init(&h);
  loghist_add(&h, 0);
  loghist_add(&h, 10);
  loghist_add(&h, 10);
  loghist_add(&h, 1000);
  size_t sz = loghist_serialized_size(&h);
  loghist_serialize(&h, out);
  loghist_free(&h);
  return sz;
}

static void put_le(uint8_t *p, uint64_t v, int n) {
  for (int i = 0; i < n; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static void put_double(uint8_t *p, double d) {
  uint64_t bits;
  memcpy(&bits, &d, 8);
  put_le(p, bits, 8);
}

static void expect_refused(const uint8_t *blob, size_t len, const char *why) {
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, blob, len);
  struct loghist h;
  memset(&h, 0x77, sizeof h);
  struct hb_error err = {0, ""};
  int rc = loghist_deserialize(&h, copy, len, &err);
  if (rc != -EBADMSG || !strstr(err.msg, why))
    print_error("want '%s', got %d '%s'\n", why, rc, err.msg);
  assert_int_equal(rc, -EBADMSG);
  assert_non_null(strstr(err.msg, why));
  /* Nothing held (ASan would see a leak), and usable as empty. */
  assert_null(h.bins);
  assert_int_equal(h.n, 0);
  assert_int_equal(loghist_add(&h, 1), 0);
  loghist_free(&h);
  free(copy);
}

static void test_deserialize_refusals(void **state) {
  (void)state;
  uint8_t good[64], b[80];
  size_t len = sample_blob(good);
  assert_int_equal(len, 28 + 3 * 6);
  /* Offsets: 0 version, 1 bpo, 2 nb, 4 n, 12 min, 20 max, 28 bins. */
  for (size_t n = 0; n < 28; n++)
    expect_refused(good, n, "shorter than its header");

  memcpy(b, good, len);
  b[0] = 2;
  expect_refused(b, len, "version 2/4 not understood");
  memcpy(b, good, len);
  b[0] = 0;
  expect_refused(b, len, "not understood");
  memcpy(b, good, len);
  b[1] = 8;
  expect_refused(b, len, "version 1/8 not understood");

  expect_refused(good, len - 1, "bytes for 3 bins");
  memcpy(b, good, len);
  b[len] = 0;
  expect_refused(b, len + 1, "bytes for 3 bins");
  expect_refused(good, 28, "28 bytes for 3 bins");
  memcpy(b, good, len);
  put_le(b + 2, 2, 2);
  expect_refused(b, len, "for 2 bins");
  memcpy(b, good, len);
  put_le(b + 2, 0xffff, 2);
  expect_refused(b, len, "for 65535 bins");

  /* Bins out of order, repeated, beyond the last, or empty. */
  memcpy(b, good, len);
  memcpy(b + 28 + 6, good + 28, 6); /* second = first */
  expect_refused(b, len, "out of order or empty");
  memcpy(b, good, len);
  memcpy(b + 28, good + 28 + 12, 6); /* first = third */
  expect_refused(b, len, "out of order or empty");
  memcpy(b, good, len);
  put_le(b + 28 + 12, LH_MAX_BIN, 2);
  expect_refused(b, len, "bin 256");
  memcpy(b, good, len);
  put_le(b + 28 + 12, 0xffff, 2);
  expect_refused(b, len, "out of order");
  memcpy(b, good, len);
  put_le(b + 28 + 6 + 2, 0, 4);
  put_le(b + 4, 2, 8); /* n adjusted: only the zero count is wrong */
  expect_refused(b, len, "out of order or empty");

  /* Counts that do not add up to n. */
  memcpy(b, good, len);
  put_le(b + 4, 5, 8);
  expect_refused(b, len, "sum to 4, header says 5");
  memcpy(b, good, len);
  put_le(b + 4, 0, 8);
  expect_refused(b, len, "header says 0");
  memcpy(b, good, len);
  put_le(b + 28 + 2, 0xffffffffu, 4);
  expect_refused(b, len, "sum to");
  /* No bins but n > 0. */
  memcpy(b, good, 28);
  put_le(b + 2, 0, 2);
  expect_refused(b, 28, "sum to 0, header says 4");

  /* min/max: reversed, negative, NaN, infinite. */
  const struct {
    double min, max;
  } mm[] = {{1000, 0}, {-1, 1000}, {NAN, 1000}, {0, NAN}, {0, INFINITY},
            {-INFINITY, 10}, {INFINITY, INFINITY}, {NAN, NAN}};
  for (size_t i = 0; i < sizeof mm / sizeof mm[0]; i++) {
    memcpy(b, good, len);
    put_double(b + 12, mm[i].min);
    put_double(b + 20, mm[i].max);
    expect_refused(b, len, "min/max");
  }
  /* The untouched blob still loads. */
  struct loghist h;
  struct hb_error err = {0, ""};
  assert_int_equal(loghist_deserialize(&h, good, len, &err), 0);
  assert_int_equal(h.n, 4);
  assert_true(h.min == 0 && h.max == 1000);
  loghist_free(&h);
  /* The empty histogram's blob. */
  struct loghist e;
  loghist_init(&e);
  uint8_t eb[28];
  loghist_serialize(&e, eb);
  assert_int_equal(loghist_deserialize(&h, eb, sizeof eb, &err), 0);
  assert_int_equal(h.n, 0);
  assert_null(h.bins);
  assert_true(loghist_quantile(&h, 0.5) == 0);
  loghist_free(&h);
}

int main(void) {
  gsl_set_error_handler_off();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_uniform),
      cmocka_unit_test(test_lognormal),
      cmocka_unit_test(test_small_and_odd),
      cmocka_unit_test(test_merge),
      cmocka_unit_test(test_serialize_roundtrip),
      cmocka_unit_test(test_deserialize_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
