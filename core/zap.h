/* core/zap.h — who may connect to a CURVE server socket (ZeroMQ's ZAP).
 *
 * Contract: zap_start() binds the ZAP handler (inproc://zeromq.zap.01) in
 * a ZeroMQ context — before any CURVE server socket of that context binds
 * — and answers on its own thread: a CURVE client whose public key is in
 * `keys` is accepted; any other connection is refused (logged on stderr
 * with its address and key, counted in `refused`). zap_stop() ends the
 * thread and closes its socket; call it before zmq_ctx_term(). The key list
 * belongs to the caller and must outlive the handler.
 */
#ifndef HABIT_CORE_ZAP_H
#define HABIT_CORE_ZAP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/curve.h"
#include "core/error.h"

struct zap {
  void *sock;
  pthread_t thread;
  int running;
  atomic_int stop;
  const char (*keys)[CURVE_KEY_LEN + 1];
  size_t n_keys;
  const char *who; /* prefix of log lines, e.g. "engine" */
  atomic_ullong accepted, refused;
};

int zap_start(struct zap *z, void *zctx, const char (*keys)[CURVE_KEY_LEN + 1], size_t n,
              const char *who, struct hb_error *err);
void zap_stop(struct zap *z);

#endif
