/* datasets/gen/shop.h — the scenarios: the shop's benign traffic and the
 * planted attacks.
 *
 * Contract: shop_benign writes dur_us of the shop's normal traffic starting
 * at t0 into w; everything it draws comes from w->rng, so a seed fixes the
 * result. Sizes come from bounded distributions whose bounds do not depend on
 * the seed. attack_plant adds the four planted attacks of the attack capture
 * at fixed offsets from t0 and describes them in truth[ATTACK_COUNT].
 */
#ifndef HABIT_GEN_SHOP_H
#define HABIT_GEN_SHOP_H

#include <stdint.h>

#include "world.h"

void shop_benign(struct world *w, int64_t t0, int64_t dur_us);

#define ATTACK_COUNT 4

/* One line of a ground-truth file. */
struct truth {
  const char *id;
  int64_t start_us;
  uint32_t cli_ip, srv_ip;
  int cli_port; /* -1: many or none (written as "*") */
  int srv_port; /* -1: many or none (written as "*") */
  const char *proto;
  const char *category; /* expected_category, or expected_sids ("3040,3041") */
  const char *description;
};

void attack_plant(struct world *w, int64_t t0,
                  struct truth truth[ATTACK_COUNT]);

#endif
