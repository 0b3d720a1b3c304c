/* core/order_bus.h — the engine's orders to its enforcers, over ZeroMQ.
 *
 * Contract: the engine binds an order_pub (XPUB: a PUB that also tells of
 * each new subscription, order_pub_joins(), so the engine can send its
 * current policy at once to an enforcer that just came); each enforcer
 * connects an order_sub (SUB, every message). A message is one frame: an 8-byte
 * big-endian sequence number, a type byte, then either one event in the
 * core/event.h codec ('E': an order, e.g. a reset) or a compiled policy
 * ('P': models/policy_codec.h, decoded by the caller).
 * order_pub_send() never waits: a subscriber too slow to keep up loses
 * messages at PUB's high-water mark, and order_sub_next() counts the gap
 * in the sequence as `missed` (nothing is lost silently; a subscriber that
 * joins late misses what came before, and counts nothing for it). A frame
 * that is not a sequence number and a valid event is counted in `rejected`
 * and skipped. Sockets are not thread-safe: one thread each.
 */
#ifndef HABIT_CORE_ORDER_BUS_H
#define HABIT_CORE_ORDER_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/curve.h"
#include "core/error.h"
#include "core/event.h"

#define ORDER_HWM 1024 /* messages queued per subscriber before PUB drops */

enum order_type { ORDER_EVENT = 'E', ORDER_POLICY = 'P' };

struct order_msg {
  uint8_t type;           /* enum order_type */
  struct event ev;        /* ORDER_EVENT */
  const uint8_t *policy;  /* ORDER_POLICY: valid until the next call */
  size_t policy_len;
};

struct order_pub {
  void *sock;
  uint64_t seq;            /* of the last message sent */
  uint64_t sent, failed;   /* failed: encode or send errors */
};

struct order_sub {
  void *sock;
  void *msg;               /* zmq_msg_t of the last message */
  uint64_t last_seq;       /* 0: nothing received yet */
  uint64_t received, missed, rejected;
};

/* curve: NULL, or CURVE for both (core/curve.h: the engine a server
 * whose ZAP handler decides which enforcers may subscribe, an enforcer a
 * client that knows the engine's public key). */
int order_pub_open(struct order_pub *p, void *zctx, const char *endpoint,
                   const struct bus_curve *curve, struct hb_error *err);
/* Publish ev; 0, or a negative errno (counted in failed). */
int order_pub_send(struct order_pub *p, const struct event *ev);
/* Publish a compiled policy's bytes; the same. */
int order_pub_send_policy(struct order_pub *p, const uint8_t *policy, size_t len);
/* How many subscriptions arrived since the last call (never waits). */
unsigned order_pub_joins(struct order_pub *p);
void order_pub_close(struct order_pub *p);

int order_sub_open(struct order_sub *s, void *zctx, const char *endpoint,
                   const struct bus_curve *curve, struct hb_error *err);
/* Next message without waiting: 1 when *m holds one, 0 when none is
 * queued, -EBADMSG for a rejected frame (err says why; read on), another
 * negative errno on a socket failure. */
int order_sub_next(struct order_sub *s, struct order_msg *m, struct hb_error *err);
void order_sub_close(struct order_sub *s);

#endif
