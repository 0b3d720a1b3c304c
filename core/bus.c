#include "core/bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static int zfail(struct hb_error *err, const char *what, const char *endpoint) {
  int e = zmq_errno();
  return hb_fail(err, e ? e : EIO, "%s %s: %s", what, endpoint, zmq_strerror(e));
}

static int attach(void *sock, const char *endpoint, bool bind, const struct bus_curve *curve,
                  struct hb_error *err) {
  if (curve) {
    int rc = curve_apply(sock, curve, err);
    if (rc < 0)
      return rc;
  }
  int hwm = BUS_HWM, linger = 2000;
  zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
  zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
  zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
  int rc = bind ? zmq_bind(sock, endpoint) : zmq_connect(sock, endpoint);
  if (rc != 0)
    return zfail(err, bind ? "cannot bind" : "cannot connect", endpoint);
  return 0;
}

int bus_out_open(struct bus_out *o, void *zctx, const char *endpoint, bool bind,
                 bool blocking, struct hb_error *err) {
  return bus_out_open_secure(o, zctx, endpoint, bind, blocking, NULL, err);
}

int bus_out_open_secure(struct bus_out *o, void *zctx, const char *endpoint, bool bind,
                        bool blocking, const struct bus_curve *curve, struct hb_error *err) {
  memset(o, 0, sizeof *o);
  o->sock = zmq_socket(zctx, ZMQ_PUSH);
  if (!o->sock)
    return zfail(err, "cannot create PUSH socket for", endpoint);
  int rc = attach(o->sock, endpoint, bind, curve, err);
  if (rc < 0) {
    zmq_close(o->sock);
    o->sock = NULL;
    return rc;
  }
  o->blocking = blocking;
  ev_batch_reset(&o->batch);
  return 0;
}

int bus_out_flush(struct bus_out *o, struct hb_error *err) {
  if (o->batch.count == 0)
    return 0;
  size_t len = ev_batch_seal(&o->batch);
  int rc;
  do {
    rc = zmq_send(o->sock, o->batch.buf, len, o->blocking ? 0 : ZMQ_DONTWAIT);
  } while (rc < 0 && zmq_errno() == EINTR);
  if (rc < 0) {
    if (!o->blocking && zmq_errno() == EAGAIN) {
      o->dropped += o->batch.count;
      ev_batch_reset(&o->batch);
      return 0;
    }
    return zfail(err, "cannot send events to", "the bus");
  }
  o->sent += o->batch.count;
  ev_batch_reset(&o->batch);
  return 0;
}

int bus_out_send(struct bus_out *o, const struct event *ev, struct hb_error *err) {
  int rc = ev_batch_add(&o->batch, ev);
  if (rc == -ENOSPC) {
    rc = bus_out_flush(o, err);
    if (rc < 0)
      return rc;
    rc = ev_batch_add(&o->batch, ev);
  }
  if (rc < 0)
    return hb_fail(err, -rc, "cannot encode %s event", ev_kind_name(ev->kind));
  return 0;
}

void bus_out_close(struct bus_out *o) {
  if (o->sock)
    zmq_close(o->sock);
  o->sock = NULL;
}

int bus_in_open(struct bus_in *in, void *zctx, const char *endpoint, bool bind,
                struct hb_error *err) {
  return bus_in_open_secure(in, zctx, endpoint, bind, NULL, err);
}

int bus_in_open_secure(struct bus_in *in, void *zctx, const char *endpoint, bool bind,
                       const struct bus_curve *curve, struct hb_error *err) {
  memset(in, 0, sizeof *in);
  in->msg = malloc(sizeof(zmq_msg_t));
  if (!in->msg)
    return hb_fail(err, ENOMEM, "out of memory");
  zmq_msg_init(in->msg);
  in->sock = zmq_socket(zctx, ZMQ_PULL);
  if (!in->sock) {
    int rc = zfail(err, "cannot create PULL socket for", endpoint);
    bus_in_close(in);
    return rc;
  }
  int rc = attach(in->sock, endpoint, bind, curve, err);
  if (rc < 0)
    bus_in_close(in);
  return rc;
}

static int receive_frame(struct bus_in *in, int timeout_ms, struct hb_error *err) {
  if (timeout_ms >= 0) {
    zmq_pollitem_t item = {.socket = in->sock, .events = ZMQ_POLLIN};
    int n;
    do {
      n = zmq_poll(&item, 1, timeout_ms);
    } while (n < 0 && zmq_errno() == EINTR);
    if (n < 0)
      return zfail(err, "cannot poll", "the bus");
    if (n == 0)
      return 0;
  }
  int rc;
  do {
    rc = zmq_msg_recv(in->msg, in->sock, 0);
  } while (rc < 0 && zmq_errno() == EINTR);
  if (rc < 0)
    return zfail(err, "cannot receive from", "the bus");
  return 1;
}

int bus_in_next(struct bus_in *in, struct event *ev, int timeout_ms,
                struct hb_error *err) {
  for (;;) {
    if (in->have_frame) {
      int rc = ev_batch_next(&in->reader, ev, err);
      if (rc == 1) {
        in->received++;
        return 1;
      }
      in->have_frame = false;
      if (rc < 0) {
        in->rejected_frames++;
        return rc;
      }
    }
    int rc = receive_frame(in, timeout_ms, err);
    if (rc <= 0)
      return rc;
    rc = ev_batch_open(&in->reader, zmq_msg_data(in->msg), zmq_msg_size(in->msg), err);
    if (rc < 0) {
      in->rejected_frames++;
      return rc;
    }
    in->have_frame = true;
  }
}

void bus_in_close(struct bus_in *in) {
  if (in->sock)
    zmq_close(in->sock);
  if (in->msg) {
    zmq_msg_close(in->msg);
    free(in->msg);
  }
  in->sock = NULL;
  in->msg = NULL;
}
