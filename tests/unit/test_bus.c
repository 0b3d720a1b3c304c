/* tests/unit/test_bus.c — core/bus.h over a real ZeroMQ context: events
 * arrive whole and in order over inproc://, ipc:// and tcp://, across
 * batches; a timeout is 0; a malformed frame from a raw socket is counted,
 * reported and skipped; a blocking sender loses nothing to a slow reader
 * and a non-blocking one counts every event it could not queue. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zmq.h>

#include "core/bus.h"

static void make_event(struct event *ev, uint64_t i) {
  memset(ev, 0, sizeof *ev);
  ev->kind = EV_FLOW;
  ev->ts_ns = i;
  snprintf(ev->node, sizeof ev->node, "n%llu", (unsigned long long)i);
  struct ev_flow *f = &ev->u.flow;
  f->flow_id = i * 7919;
  f->first_ns = i;
  f->last_ns = i + 1;
  f->cli.family = f->srv.family = 4;
  f->cli.b[0] = 10;
  f->cli.b[2] = (uint8_t)(i >> 8);
  f->cli.b[3] = (uint8_t)i;
  f->srv.b[0] = 10;
  f->srv.b[3] = 1;
  f->cli_port = (uint16_t)i;
  f->srv_port = 5432;
  f->proto = 6;
  f->state = EV_STATE_CLOSED;
  f->end_reason = EV_END_FIN;
  /* ~300 bytes each: a batch holds a few hundred. */
  memset(f->l7.http_path, 'a' + (int)(i % 26), 200);
}

static void expect_next(struct bus_in *in, uint64_t i) {
  struct event got, want;
  struct hb_error err = {0, ""};
  int rc = bus_in_next(in, &got, 5000, &err);
  if (rc != 1)
    print_error("event %llu: rc %d: %s\n", (unsigned long long)i, rc, err.msg);
  assert_int_equal(rc, 1);
  make_event(&want, i);
  assert_memory_equal(&got, &want, sizeof got);
}

static void expect_timeout(struct bus_in *in) {
  struct event got;
  struct hb_error err = {0, ""};
  assert_int_equal(bus_in_next(in, &got, 50, &err), 0);
}

/* Send n events starting at first, flush, then read them all back. */
static void pass(struct bus_out *o, struct bus_in *in, uint64_t first, uint64_t n) {
  struct event ev;
  struct hb_error err = {0, ""};
  for (uint64_t i = first; i < first + n; i++) {
    make_event(&ev, i);
    assert_int_equal(bus_out_send(o, &ev, &err), 0);
  }
  assert_int_equal(bus_out_flush(o, &err), 0);
  for (uint64_t i = first; i < first + n; i++)
    expect_next(in, i);
}

/* Events over endpoint: in binds, out connects (or the reverse). */
static void roundtrip(void *ctx, const char *bind_ep, bool in_binds,
                      char *resolved, size_t resolved_cap) {
  struct bus_in in;
  struct bus_out o;
  struct hb_error err = {0, ""};
  if (in_binds) {
    assert_int_equal(bus_in_open(&in, ctx, bind_ep, true, &err), 0);
    size_t len = resolved_cap;
    assert_int_equal(zmq_getsockopt(in.sock, ZMQ_LAST_ENDPOINT, resolved, &len), 0);
    int rc = bus_out_open(&o, ctx, resolved, false, true, &err);
    if (rc)
      print_error("%s\n", err.msg);
    assert_int_equal(rc, 0);
  } else {
    assert_int_equal(bus_out_open(&o, ctx, bind_ep, true, true, &err), 0);
    size_t len = resolved_cap;
    assert_int_equal(zmq_getsockopt(o.sock, ZMQ_LAST_ENDPOINT, resolved, &len), 0);
    assert_int_equal(bus_in_open(&in, ctx, resolved, false, &err), 0);
  }
  expect_timeout(&in);
  /* More than one batch's worth, so the sender flushes on its own. */
  uint64_t n = 3 * EV_BATCH_CAP / 250;
  pass(&o, &in, 0, n);
  assert_int_equal(o.sent, n);
  assert_int_equal(o.dropped, 0);
  assert_int_equal(in.received, n);
  expect_timeout(&in);
  /* A single event, then a flush with nothing batched. */
  pass(&o, &in, n, 1);
  assert_int_equal(bus_out_flush(&o, &err), 0);
  expect_timeout(&in);
  assert_int_equal(in.rejected_frames, 0);
  bus_out_close(&o);
  bus_in_close(&in);
}

static void test_inproc(void **state) {
  (void)state;
  void *ctx = zmq_ctx_new();
  char ep[256];
  roundtrip(ctx, "inproc://bus-a", true, ep, sizeof ep);
  assert_string_equal(ep, "inproc://bus-a");
  roundtrip(ctx, "inproc://bus-b", false, ep, sizeof ep);
  zmq_ctx_term(ctx);
}

static void test_ipc(void **state) {
  (void)state;
  char dir[] = "/tmp/habit-bus-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char ep[300], got[300];
  snprintf(ep, sizeof ep, "ipc://%s/events", dir);
  void *ctx = zmq_ctx_new();
  roundtrip(ctx, ep, true, got, sizeof got);
  assert_string_equal(got, ep);
  roundtrip(ctx, ep, false, got, sizeof got);
  zmq_ctx_term(ctx);
  char path[300];
  snprintf(path, sizeof path, "%s/events", dir);
  unlink(path);
  assert_int_equal(rmdir(dir), 0);
}

static void test_tcp(void **state) {
  (void)state;
  void *ctx = zmq_ctx_new();
  char ep[256];
  roundtrip(ctx, "tcp://127.0.0.1:*", true, ep, sizeof ep);
  assert_true(strncmp(ep, "tcp://127.0.0.1:", 16) == 0);
  assert_true(atoi(ep + 16) > 0);
  roundtrip(ctx, "tcp://127.0.0.1:*", false, ep, sizeof ep);
  zmq_ctx_term(ctx);
}

static void test_bad_endpoints(void **state) {
  (void)state;
  void *ctx = zmq_ctx_new();
  struct bus_in in;
  struct bus_out o;
  struct hb_error err = {0, ""};
  assert_true(bus_in_open(&in, ctx, "nonsense://x", true, &err) < 0);
  assert_non_null(strstr(err.msg, "nonsense://x"));
  assert_null(in.sock);
  assert_null(in.msg);
  assert_true(bus_out_open(&o, ctx, "tcp://127.0.0.1:notaport", true, true, &err) < 0);
  assert_non_null(strstr(err.msg, "cannot bind"));
  assert_null(o.sock);
  /* The same endpoint bound twice. */
  assert_int_equal(bus_in_open(&in, ctx, "inproc://twice", true, &err), 0);
  struct bus_in in2;
  assert_true(bus_in_open(&in2, ctx, "inproc://twice", true, &err) < 0);
  assert_non_null(strstr(err.msg, "inproc://twice"));
  bus_in_close(&in);
  bus_in_close(&in); /* closing twice is harmless */
  zmq_ctx_term(ctx);
}

static void raw_send(void *sock, const void *data, size_t len) {
  assert_int_equal(zmq_send(sock, data, len, 0), (int)len);
}

static void expect_rejected(struct bus_in *in, uint64_t count, const char *why) {
  struct event got;
  struct hb_error err = {0, ""};
  int rc = bus_in_next(in, &got, 5000, &err);
  if (rc != -EBADMSG || !strstr(err.msg, why))
    print_error("want '%s', got %d '%s'\n", why, rc, err.msg);
  assert_int_equal(rc, -EBADMSG);
  assert_non_null(strstr(err.msg, why));
  assert_int_equal(in->rejected_frames, count);
}

static void test_malformed_frames(void **state) {
  (void)state;
  void *ctx = zmq_ctx_new();
  struct bus_in in;
  struct bus_out o;
  struct hb_error err = {0, ""};
  assert_int_equal(bus_in_open(&in, ctx, "inproc://mal", true, &err), 0);
  assert_int_equal(bus_out_open(&o, ctx, "inproc://mal", false, true, &err), 0);
  void *raw = zmq_socket(ctx, ZMQ_PUSH);
  assert_int_equal(zmq_connect(raw, "inproc://mal"), 0);

  raw_send(raw, "junk", 4);
  expect_rejected(&in, 1, "shorter than its header");
  pass(&o, &in, 0, 5);

  raw_send(raw, "", 0);
  expect_rejected(&in, 2, "shorter than its header");
  raw_send(raw, "HBX\0\0\0\0\0", 8);
  expect_rejected(&in, 3, "unsupported version");
  pass(&o, &in, 5, 5);

  /* A frame whose first event is good and second broken: the good one
   * arrives, then the refusal, then the next frame. */
  struct ev_batch *b = malloc(sizeof *b);
  assert_non_null(b);
  ev_batch_reset(b);
  struct event ev;
  make_event(&ev, 100);
  assert_int_equal(ev_batch_add(b, &ev), 0);
  size_t first_end = b->len;
  make_event(&ev, 101);
  assert_int_equal(ev_batch_add(b, &ev), 0);
  size_t len = ev_batch_seal(b);
  b->buf[first_end] = 'Z';
  raw_send(raw, b->buf, len);
  expect_next(&in, 100);
  expect_rejected(&in, 4, "bad magic");
  pass(&o, &in, 10, 3);
  /* A frame announcing more events than it has. */
  ev_batch_reset(b);
  make_event(&ev, 200);
  assert_int_equal(ev_batch_add(b, &ev), 0);
  b->count = 2;
  len = ev_batch_seal(b);
  raw_send(raw, b->buf, len);
  expect_next(&in, 200);
  expect_rejected(&in, 5, "header says 2 events, found 1");
  pass(&o, &in, 13, 2);
  expect_timeout(&in);
  assert_int_equal(in.rejected_frames, 5);
  assert_int_equal(in.received, 5 + 5 + 1 + 3 + 1 + 2);
  free(b);
  zmq_close(raw);
  bus_out_close(&o);
  bus_in_close(&in);
  zmq_ctx_term(ctx);
}

/* With no reader, a non-blocking sender never blocks and counts what it
 * could not queue; sent + dropped is what it was given. */
static void test_nonblocking_drops(void **state) {
  (void)state;
  void *ctx = zmq_ctx_new();
  struct bus_out o;
  struct hb_error err = {0, ""};
  struct event ev;
  /* Bound with no peer: nothing can be queued at all. */
  assert_int_equal(bus_out_open(&o, ctx, "inproc://nobody", true, false, &err), 0);
  for (uint64_t i = 0; i < 10; i++) {
    make_event(&ev, i);
    assert_int_equal(bus_out_send(&o, &ev, &err), 0);
  }
  assert_int_equal(bus_out_flush(&o, &err), 0);
  assert_int_equal(o.sent, 0);
  assert_int_equal(o.dropped, 10);
  bus_out_close(&o);

  /* Connected to an endpoint nobody serves: the queue fills up. */
  char dir[] = "/tmp/habit-bus-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char ep[300];
  snprintf(ep, sizeof ep, "ipc://%s/none", dir);
  assert_int_equal(bus_out_open(&o, ctx, ep, false, false, &err), 0);
  uint64_t n = 0;
  for (int batch = 0; batch < 2 * BUS_HWM + 50; batch++) {
    for (int k = 0; k < 3; k++, n++) {
      make_event(&ev, n);
      assert_int_equal(bus_out_send(&o, &ev, &err), 0);
    }
    assert_int_equal(bus_out_flush(&o, &err), 0);
  }
  assert_true(o.dropped > 0);
  assert_true(o.sent > 0);
  assert_int_equal(o.sent + o.dropped, n);
  assert_int_equal(o.dropped % 3, 0); /* whole batches */
  /* A late reader gets exactly what was counted as sent. */
  struct bus_in in;
  int zero = 0;
  zmq_setsockopt(o.sock, ZMQ_LINGER, &zero, sizeof zero);
  assert_int_equal(bus_in_open(&in, ctx, ep, true, &err), 0);
  uint64_t got = 0;
  struct event e;
  while (bus_in_next(&in, &e, got ? 500 : 5000, &err) == 1) {
    assert_int_equal(e.ts_ns, got); /* the first ones were queued */
    got++;
  }
  assert_int_equal(got, o.sent);
  bus_out_close(&o);
  bus_in_close(&in);
  zmq_ctx_term(ctx);
  char path[300];
  snprintf(path, sizeof path, "%s/none", dir);
  unlink(path);
  rmdir(dir);
}

/* A blocking sender in its own thread, far ahead of a slow reader: every
 * event arrives, in order. */
struct writer_arg {
  void *ctx;
  uint64_t n;
  int rc;
};

static void *writer(void *p) {
  struct writer_arg *a = p;
  struct bus_out o;
  struct hb_error err = {0, ""};
  a->rc = bus_out_open(&o, a->ctx, "inproc://slow", false, true, &err);
  if (a->rc)
    return NULL;
  struct event ev;
  for (uint64_t i = 0; i < a->n && a->rc == 0; i++) {
    make_event(&ev, i);
    a->rc = bus_out_send(&o, &ev, &err);
    if (i % 5 == 0 && a->rc == 0)
      a->rc = bus_out_flush(&o, &err); /* many small frames */
  }
  if (a->rc == 0)
    a->rc = bus_out_flush(&o, &err);
  if (a->rc == 0 && (o.sent != a->n || o.dropped != 0))
    a->rc = -1;
  bus_out_close(&o);
  return NULL;
}

static void test_blocking_loses_nothing(void **state) {
  (void)state;
  void *ctx = zmq_ctx_new();
  struct bus_in in;
  struct hb_error err = {0, ""};
  assert_int_equal(bus_in_open(&in, ctx, "inproc://slow", true, &err), 0);
  struct writer_arg a = {ctx, 20000, 0};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, writer, &a), 0);
  usleep(200000); /* let the queues fill */
  for (uint64_t i = 0; i < a.n; i++)
    expect_next(&in, i);
  assert_int_equal(pthread_join(t, NULL), 0);
  assert_int_equal(a.rc, 0);
  expect_timeout(&in);
  assert_int_equal(in.received, a.n);
  bus_in_close(&in);
  zmq_ctx_term(ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_inproc),
      cmocka_unit_test(test_ipc),
      cmocka_unit_test(test_tcp),
      cmocka_unit_test(test_bad_endpoints),
      cmocka_unit_test(test_malformed_frames),
      cmocka_unit_test(test_nonblocking_drops),
      cmocka_unit_test(test_blocking_loses_nothing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
