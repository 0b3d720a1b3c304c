/* core/bus.h — events over ZeroMQ.
 *
 * Contract: a producer (collector) owns a bus_out, a PUSH socket that sends
 * event batches; a consumer (engine) owns a bus_in, a PULL socket that yields
 * decoded events one at a time. The endpoint decides the transport:
 * inproc:// inside `habit replay`, ipc:// or tcp:// between daemons — the
 * code is the same. A blocking bus_out never loses an event (replay); a
 * non-blocking one counts what found the queue full in `dropped` (live), so
 * nothing is lost silently. Sockets are not thread-safe: one thread each.
 */
#ifndef HABIT_CORE_BUS_H
#define HABIT_CORE_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/curve.h"
#include "core/error.h"
#include "core/event.h"
#include "core/event_batch.h"

#define BUS_HWM 256 /* batches queued per socket before senders wait or drop */

struct bus_out {
  void *sock;
  bool blocking;
  struct ev_batch batch;
  uint64_t sent;    /* events handed to ZeroMQ */
  uint64_t dropped; /* events lost to a full queue (non-blocking only) */
};

struct bus_in {
  void *sock;
  void *msg;        /* zmq_msg_t holding the current frame */
  bool have_frame;
  struct ev_batch_reader reader;
  uint64_t received;
  uint64_t rejected_frames; /* malformed frames skipped */
};

/* bind: true to bind the endpoint, false to connect. zctx: a ZeroMQ
 * context shared by the process (inproc needs both ends in one context). */
int bus_out_open(struct bus_out *o, void *zctx, const char *endpoint, bool bind,
                 bool blocking, struct hb_error *err);
/* The same over CURVE (core/curve.h): curve NULL is plain bus_out_open. */
int bus_out_open_secure(struct bus_out *o, void *zctx, const char *endpoint, bool bind,
                        bool blocking, const struct bus_curve *curve, struct hb_error *err);
/* Queue ev in the current batch; sends the batch when full. */
int bus_out_send(struct bus_out *o, const struct event *ev, struct hb_error *err);
/* Send what is batched now (call before waiting, and at the end). */
int bus_out_flush(struct bus_out *o, struct hb_error *err);
void bus_out_close(struct bus_out *o);

int bus_in_open(struct bus_in *in, void *zctx, const char *endpoint, bool bind,
                struct hb_error *err);
int bus_in_open_secure(struct bus_in *in, void *zctx, const char *endpoint, bool bind,
                       const struct bus_curve *curve, struct hb_error *err);
/* Next event: 1 when *ev holds one, 0 on timeout (timeout_ms < 0 waits
 * forever), negative on a socket error. A malformed frame is counted in
 * rejected_frames, reported through err, and returns -EBADMSG; the caller
 * may go on reading. */
int bus_in_next(struct bus_in *in, struct event *ev, int timeout_ms,
                struct hb_error *err);
void bus_in_close(struct bus_in *in);

#endif
