#include "core/order_bus.h"

#include <errno.h>
#include <string.h>
#include <zmq.h>

#define SEQ_LEN 8

static int zfail(struct hb_error *err, const char *what, const char *endpoint) {
  int e = zmq_errno();
  return hb_fail(err, e ? e : EIO, "%s %s: %s", what, endpoint, zmq_strerror(e));
}

/* A socket of type `type` bound (PUB) or connected (SUB) to endpoint. */
static void *open_sock(void *zctx, int type, const char *endpoint, struct hb_error *err) {
  void *sock = zmq_socket(zctx, type);
  if (!sock) {
    zfail(err, "cannot create a socket for", endpoint);
    return NULL;
  }
  int hwm = ORDER_HWM, linger = 0;
  zmq_setsockopt(sock, type == ZMQ_PUB ? ZMQ_SNDHWM : ZMQ_RCVHWM, &hwm, sizeof hwm);
  zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
  int rc = type == ZMQ_SUB ? zmq_setsockopt(sock, ZMQ_SUBSCRIBE, "", 0) : 0;
  if (rc == 0)
    rc = type == ZMQ_PUB ? zmq_bind(sock, endpoint) : zmq_connect(sock, endpoint);
  if (rc != 0) {
    zfail(err, type == ZMQ_PUB ? "cannot bind" : "cannot connect", endpoint);
    zmq_close(sock);
    return NULL;
  }
  return sock;
}

int order_pub_open(struct order_pub *p, void *zctx, const char *endpoint,
                   struct hb_error *err) {
  memset(p, 0, sizeof *p);
  p->sock = open_sock(zctx, ZMQ_PUB, endpoint, err);
  return p->sock ? 0 : -(err && err->code ? err->code : EIO);
}

int order_pub_send(struct order_pub *p, const struct event *ev) {
  uint8_t buf[SEQ_LEN + EV_MAX_WIRE];
  int len = ev_encode(ev, buf + SEQ_LEN, sizeof buf - SEQ_LEN);
  if (len < 0) {
    p->failed++;
    return len;
  }
  uint64_t seq = p->seq + 1;
  for (int i = 0; i < SEQ_LEN; i++)
    buf[i] = (uint8_t)(seq >> (8 * (SEQ_LEN - 1 - i)));
  int rc;
  do {
    rc = zmq_send(p->sock, buf, (size_t)len + SEQ_LEN, ZMQ_DONTWAIT);
  } while (rc < 0 && zmq_errno() == EINTR);
  if (rc < 0) {
    p->failed++;
    return -zmq_errno();
  }
  /* PUB never refuses for a slow subscriber: it drops, and the gap in
   * the sequence tells the subscriber. */
  p->seq = seq;
  p->sent++;
  return 0;
}

void order_pub_close(struct order_pub *p) {
  if (p->sock)
    zmq_close(p->sock);
  p->sock = NULL;
}

int order_sub_open(struct order_sub *s, void *zctx, const char *endpoint,
                   struct hb_error *err) {
  memset(s, 0, sizeof *s);
  s->sock = open_sock(zctx, ZMQ_SUB, endpoint, err);
  return s->sock ? 0 : -(err && err->code ? err->code : EIO);
}

int order_sub_fd(const struct order_sub *s) {
  int fd = -1;
  size_t len = sizeof fd;
  if (!s->sock || zmq_getsockopt(s->sock, ZMQ_FD, &fd, &len) != 0)
    return -1;
  return fd;
}

int order_sub_next(struct order_sub *s, struct event *ev, struct hb_error *err) {
  uint8_t buf[SEQ_LEN + EV_MAX_WIRE + 1];
  int n;
  do {
    n = zmq_recv(s->sock, buf, sizeof buf, ZMQ_DONTWAIT);
  } while (n < 0 && zmq_errno() == EINTR);
  if (n < 0)
    return zmq_errno() == EAGAIN ? 0 : -zmq_errno();
  if ((size_t)n >= sizeof buf || n <= SEQ_LEN) {
    s->rejected++;
    return hb_fail(err, EBADMSG, "order of %d bytes: expected %d to %d", n, SEQ_LEN + 1,
                   SEQ_LEN + EV_MAX_WIRE);
  }
  uint64_t seq = 0;
  for (int i = 0; i < SEQ_LEN; i++)
    seq = seq << 8 | buf[i];
  int rc = ev_decode(buf + SEQ_LEN, (size_t)n - SEQ_LEN, ev, err);
  if (rc < 0) {
    s->rejected++;
    return rc;
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
}
