#include "core/zap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_PARTS 7 /* version, id, domain, address, identity, mechanism, key */
#define PART_MAX 256

struct request {
  char part[ZAP_PARTS][PART_MAX];
  size_t len[ZAP_PARTS];
  int n; /* parts received (more are read and dropped) */
};

static int receive(void *sock, struct request *r) {
  r->n = 0;
  int more = 1;
  while (more) {
    char buf[PART_MAX];
    int n = zmq_recv(sock, buf, sizeof buf, 0);
    if (n < 0)
      return -1;
    if (r->n < ZAP_PARTS) {
      size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf;
      memcpy(r->part[r->n], buf, len);
      r->len[r->n] = len;
      r->n++;
    }
    size_t sz = sizeof more;
    if (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz) != 0)
      return -1;
  }
  return 0;
}

static bool allowed(const struct zap *z, const char *key) {
  for (size_t i = 0; i < z->n_keys; i++)
    if (memcmp(z->keys[i], key, CURVE_KEY_LEN) == 0)
      return true;
  return false;
}

static void answer(struct zap *z, const struct request *r) {
  char key[CURVE_KEY_LEN + 1] = "";
  bool curve = r->n >= ZAP_PARTS && r->len[5] == 5 && memcmp(r->part[5], "CURVE", 5) == 0 &&
               r->len[6] == 32;
  if (curve)
    zmq_z85_encode(key, (const uint8_t *)r->part[6], 32);
  bool ok = curve && allowed(z, key);
  char addr[PART_MAX + 1];
  size_t alen = r->n > 3 ? r->len[3] : 0;
  memcpy(addr, r->n > 3 ? r->part[3] : "", alen);
  addr[alen] = '\0';
  if (ok) {
    atomic_fetch_add(&z->accepted, 1);
  } else {
    atomic_fetch_add(&z->refused, 1);
    fprintf(stderr, "habit: %s: refused a connection from %s: %s\n", z->who,
            addr[0] ? addr : "?", curve ? "its CURVE key is not an allowed client" : "not CURVE");
    if (curve)
      fprintf(stderr, "habit: %s: refused key %s\n", z->who, key);
  }
  const char *code = ok ? "200" : "400", *text = ok ? "OK" : "unknown client key";
  zmq_send(z->sock, "1.0", 3, ZMQ_SNDMORE);
  zmq_send(z->sock, r->n > 1 ? r->part[1] : "", r->n > 1 ? r->len[1] : 0, ZMQ_SNDMORE);
  zmq_send(z->sock, code, 3, ZMQ_SNDMORE);
  zmq_send(z->sock, text, strlen(text), ZMQ_SNDMORE);
  zmq_send(z->sock, ok ? key : "", ok ? CURVE_KEY_LEN : 0, ZMQ_SNDMORE);
  zmq_send(z->sock, "", 0, 0);
}

static void *serve(void *arg) {
  struct zap *z = arg;
  struct request r;
  while (!atomic_load(&z->stop)) {
    zmq_pollitem_t item = {.socket = z->sock, .events = ZMQ_POLLIN};
    int n = zmq_poll(&item, 1, 200);
    if (n <= 0)
      continue;
    if (receive(z->sock, &r) == 0)
      answer(z, &r);
  }
  return NULL;
}

int zap_start(struct zap *z, void *zctx, const char (*keys)[CURVE_KEY_LEN + 1], size_t n,
              const char *who, struct hb_error *err) {
  memset(z, 0, sizeof *z);
  z->keys = keys;
  z->n_keys = n;
  z->who = who;
  atomic_init(&z->stop, 0);
  atomic_init(&z->accepted, 0);
  atomic_init(&z->refused, 0);
  z->sock = zmq_socket(zctx, ZMQ_REP);
  int linger = 0;
  if (!z->sock || zmq_setsockopt(z->sock, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
      zmq_bind(z->sock, ZAP_ENDPOINT) != 0) {
    int e = zmq_errno();
    if (z->sock)
      zmq_close(z->sock);
    z->sock = NULL;
    return hb_fail(err, e ? e : EIO, "cannot start the ZAP handler: %s", zmq_strerror(e));
  }
  if (pthread_create(&z->thread, NULL, serve, z) != 0) {
    zmq_close(z->sock);
    z->sock = NULL;
    return hb_fail(err, EAGAIN, "cannot start the ZAP thread");
  }
  z->running = 1;
  return 0;
}

void zap_stop(struct zap *z) {
  if (z->running) {
    atomic_store(&z->stop, 1);
    pthread_join(z->thread, NULL);
    z->running = 0;
  }
  if (z->sock)
    zmq_close(z->sock);
  z->sock = NULL;
}
