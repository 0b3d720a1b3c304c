/* engine/policy_publish.h — the engine's compiled policy, kept current on
 * the enforcers' socket.
 *
 * Contract: policy_publish_tick() compiles the engine's model and the mode
 * in force for every service it knows (the model's and the config's; the
 * config's default for the rest) with models/policy_codec.h. When the
 * compiled bytes differ from the last ones, it is a new version (a number
 * that only grows: the wall clock in ns, or the last + 1) published at
 * once; otherwise the last version is published again every
 * POLICY_REPEAT_S seconds, for enforcers that joined since (PUB keeps
 * nothing for late subscribers), or at the next tick after
 * policy_publish_again() (an enforcer just subscribed). Call it as often as
 * the policy may have changed (after flushes and mode changes; once a
 * second is enough).
 */
#ifndef HABIT_ENGINE_POLICY_PUBLISH_H
#define HABIT_ENGINE_POLICY_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/order_bus.h"
#include "engine/engine.h"

#define POLICY_REPEAT_S 5

struct policy_publish {
  uint8_t *last;        /* the last version's bytes */
  size_t last_len;
  uint64_t version;     /* 0: none yet */
  uint64_t next_repeat; /* monotonic ns */
  uint64_t versions, sends;
};

int policy_publish_tick(struct policy_publish *pp, const struct engine *e,
                        struct order_pub *pub, struct hb_error *err);
/* Send the current version again at the next tick. */
void policy_publish_again(struct policy_publish *pp);
void policy_publish_free(struct policy_publish *pp);

#endif
