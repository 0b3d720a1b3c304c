#include "rng.h"

#include <math.h>

/* splitmix64: spreads any seed (even 0 or 1) over the whole state. */
static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void rng_seed(struct rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

void rng_seed_stream(struct rng *r, uint64_t seed, const char *label) {
  /* FNV-1a over the label, mixed into the seed: one stream per purpose, so
   * adding draws to one scenario does not shift another. */
  uint64_t h = 0xcbf29ce484222325ull;
  for (const char *p = label; *p; p++) {
    h ^= (uint8_t)*p;
    h *= 0x100000001b3ull;
  }
  rng_seed(r, seed ^ h);
}

uint64_t rng_next(struct rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

uint64_t rng_below(struct rng *r, uint64_t n) {
  /* Reject the top partial bucket so every value is equally likely. */
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do {
    x = rng_next(r);
  } while (x >= limit);
  return x % n;
}

int64_t rng_range(struct rng *r, int64_t lo, int64_t hi) {
  return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo) + 1);
}

double rng_unit(struct rng *r) {
  return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

bool rng_chance(struct rng *r, double p) { return rng_unit(r) < p; }

double rng_exp(struct rng *r, double mean) {
  return -mean * log(1.0 - rng_unit(r));
}

double rng_normal(struct rng *r) {
  double u1 = 1.0 - rng_unit(r); /* (0, 1]: log stays finite */
  double u2 = rng_unit(r);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double rng_lognormal(struct rng *r, double median, double sigma, double lo,
                     double hi) {
  for (int i = 0; i < 64; i++) {
    double v = median * exp(sigma * rng_normal(r));
    if (v >= lo && v <= hi) return v;
  }
  return median < lo ? lo : median > hi ? hi : median;
}

size_t rng_size(struct rng *r, double median, double sigma, size_t lo,
                size_t hi) {
  double v = rng_lognormal(r, median, sigma, (double)lo, (double)hi);
  size_t n = (size_t)(v + 0.5);
  return n < lo ? lo : n > hi ? hi : n;
}

void rng_bytes(struct rng *r, uint8_t *p, size_t n) {
  while (n > 0) {
    uint64_t x = rng_next(r);
    for (int i = 0; i < 8 && n > 0; i++, n--) {
      *p++ = (uint8_t)x;
      x >>= 8;
    }
  }
}
