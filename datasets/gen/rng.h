/* datasets/gen/rng.h — the generator's own seeded PRNG.
 *
 * Contract: xoshiro256** seeded through splitmix64. The same seed gives the
 * same sequence on every platform for the integer functions; the real-valued
 * ones go through libm (log, sqrt, cos) and are only used where a last-bit
 * difference cannot change an integer outcome in practice. Nothing here reads
 * the clock or the environment.
 */
#ifndef HABIT_GEN_RNG_H
#define HABIT_GEN_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rng {
  uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
/* Seed a second, independent stream from a seed and a stream label. */
void rng_seed_stream(struct rng *r, uint64_t seed, const char *label);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); n > 0. Unbiased (rejection). */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform in [lo, hi], inclusive; lo <= hi. */
int64_t rng_range(struct rng *r, int64_t lo, int64_t hi);
/* Uniform in [0, 1) with 53 random bits. */
double rng_unit(struct rng *r);
bool rng_chance(struct rng *r, double p);
/* Exponential with the given mean (inter-arrival times of a Poisson process).
 */
double rng_exp(struct rng *r, double mean);
/* Standard normal (Box-Muller, one value per call). */
double rng_normal(struct rng *r);
/* Log-normal with the given median and log-scale sigma, truncated to
 * [lo, hi] by redrawing: sizes stay inside the same range for every seed. */
double rng_lognormal(struct rng *r, double median, double sigma, double lo,
                     double hi);
/* Same, rounded to an integer byte count. */
size_t rng_size(struct rng *r, double median, double sigma, size_t lo,
                size_t hi);
void rng_bytes(struct rng *r, uint8_t *p, size_t n);

#endif
