#include "core/order_bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define SEQ_LEN 8
#define HDR_LEN (SEQ_LEN + 1) /* sequence, type */

static int zfail(struct hb_error *err, const char *what, const char *endpoint) {
  int e = zmq_errno();
  return hb_fail(err, e ? e : EIO, "%s %s: %s", what, endpoint, zmq_strerror(e));
}

/* A socket of type `type` bound (PUB) or connected (SUB) to endpoint. */
static void *open_sock(void *zctx, int type, const char *endpoint,
                       const struct bus_curve *curve, struct hb_error *err) {
  void *sock = zmq_socket(zctx, type);
  if (!sock) {
    zfail(err, "cannot create a socket for", endpoint);
    return NULL;
  }
  if (curve && curve_apply(sock, curve, err) < 0) {
    zmq_close(sock);
    return NULL;
  }
  int hwm = ORDER_HWM, linger = 0, verbose = 1;
  zmq_setsockopt(sock, type == ZMQ_XPUB ? ZMQ_SNDHWM : ZMQ_RCVHWM, &hwm, sizeof hwm);
  zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
  /* Every subscription, not only a topic's first: each enforcer counts. */
  int rc = type == ZMQ_SUB ? zmq_setsockopt(sock, ZMQ_SUBSCRIBE, "", 0)
                           : zmq_setsockopt(sock, ZMQ_XPUB_VERBOSE, &verbose, sizeof verbose);
  if (rc == 0)
    rc = type == ZMQ_XPUB ? zmq_bind(sock, endpoint) : zmq_connect(sock, endpoint);
  if (rc != 0) {
    zfail(err, type == ZMQ_XPUB ? "cannot bind" : "cannot connect", endpoint);
    zmq_close(sock);
    return NULL;
  }
  return sock;
}

int order_pub_open(struct order_pub *p, void *zctx, const char *endpoint,
                   const struct bus_curve *curve, struct hb_error *err) {
  memset(p, 0, sizeof *p);
  p->sock = open_sock(zctx, ZMQ_XPUB, endpoint, curve, err);
  return p->sock ? 0 : -(err && err->code ? err->code : EIO);
}

/* Send seq, type and payload as one frame, never waiting. */
static int send_frame(struct order_pub *p, uint8_t type, const uint8_t *payload, size_t len) {
  zmq_msg_t msg;
  if (zmq_msg_init_size(&msg, HDR_LEN + len) != 0) {
    p->failed++;
    return -ENOMEM;
  }
  uint8_t *b = zmq_msg_data(&msg);
  uint64_t seq = p->seq + 1;
  for (int i = 0; i < SEQ_LEN; i++)
    b[i] = (uint8_t)(seq >> (8 * (SEQ_LEN - 1 - i)));
  b[SEQ_LEN] = type;
  memcpy(b + HDR_LEN, payload, len);
  int rc;
  do {
    rc = zmq_msg_send(&msg, p->sock, ZMQ_DONTWAIT);
  } while (rc < 0 && zmq_errno() == EINTR);
  if (rc < 0) {
    int e = zmq_errno();
    zmq_msg_close(&msg);
    p->failed++;
    return -e;
  }
  /* PUB never refuses for a slow subscriber: it drops, and the gap in
   * the sequence tells the subscriber. */
  p->seq = seq;
  p->sent++;
  return 0;
}

int order_pub_send(struct order_pub *p, const struct event *ev) {
  uint8_t buf[EV_MAX_WIRE];
  int len = ev_encode(ev, buf, sizeof buf);
  if (len < 0) {
    p->failed++;
    return len;
  }
  return send_frame(p, ORDER_EVENT, buf, (size_t)len);
}

int order_pub_send_policy(struct order_pub *p, const uint8_t *policy, size_t len) {
  return send_frame(p, ORDER_POLICY, policy, len);
}

unsigned order_pub_joins(struct order_pub *p) {
  unsigned joins = 0;
  uint8_t b[256];
  int n;
  /* XPUB hands up one message per (un)subscription: 1 or 0, then the topic. */
  while ((n = zmq_recv(p->sock, b, sizeof b, ZMQ_DONTWAIT)) > 0)
    joins += b[0] == 1;
  return joins;
}

void order_pub_close(struct order_pub *p) {
  if (p->sock)
    zmq_close(p->sock);
  p->sock = NULL;
}

int order_sub_open(struct order_sub *s, void *zctx, const char *endpoint,
                   const struct bus_curve *curve, struct hb_error *err) {
  memset(s, 0, sizeof *s);
  s->msg = malloc(sizeof(zmq_msg_t));
  if (!s->msg)
    return hb_fail(err, ENOMEM, "out of memory");
  zmq_msg_init(s->msg);
  s->sock = open_sock(zctx, ZMQ_SUB, endpoint, curve, err);
  if (!s->sock) {
    order_sub_close(s);
    return -(err && err->code ? err->code : EIO);
  }
  return 0;
}

int order_sub_next(struct order_sub *s, struct order_msg *m, struct hb_error *err) {
  int n;
  do {
    n = zmq_msg_recv(s->msg, s->sock, ZMQ_DONTWAIT);
  } while (n < 0 && zmq_errno() == EINTR);
  if (n < 0)
    return zmq_errno() == EAGAIN ? 0 : -zmq_errno();
  const uint8_t *b = zmq_msg_data(s->msg);
  size_t len = zmq_msg_size(s->msg);
  if (len <= HDR_LEN || (b[SEQ_LEN] != ORDER_EVENT && b[SEQ_LEN] != ORDER_POLICY)) {
    s->rejected++;
    return hb_fail(err, EBADMSG, "message of %zu bytes: expected a sequence number, a type "
                   "('E' or 'P') and a body", len);
  }
  uint64_t seq = 0;
  for (int i = 0; i < SEQ_LEN; i++)
    seq = seq << 8 | b[i];
  m->type = b[SEQ_LEN];
  m->policy = NULL;
  m->policy_len = 0;
  if (m->type == ORDER_EVENT) {
    int rc = len - HDR_LEN > EV_MAX_WIRE
                 ? hb_fail(err, EBADMSG, "an order of %zu bytes: at most %d", len - HDR_LEN,
                           EV_MAX_WIRE)
                 : ev_decode(b + HDR_LEN, len - HDR_LEN, &m->ev, err);
    if (rc < 0) {
      s->rejected++;
      return rc;
    }
  } else {
    m->policy = b + HDR_LEN;
    m->policy_len = len - HDR_LEN;
  }
  /* A gap after the first message is what PUB dropped; a sequence that
   * goes back is a restarted engine, which starts counting anew. */
  if (s->last_seq && seq > s->last_seq + 1)
    s->missed += seq - s->last_seq - 1;
  s->last_seq = seq;
  s->received++;
  return 1;
}

void order_sub_close(struct order_sub *s) {
  if (s->sock)
    zmq_close(s->sock);
  s->sock = NULL;
  if (s->msg) {
    zmq_msg_close(s->msg);
    free(s->msg);
  }
  s->msg = NULL;
}
