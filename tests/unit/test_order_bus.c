/* Unit tests of core/order_bus: the engine's orders reach a subscriber
 * whole, gaps in the sequence are counted as missed, junk is rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <zmq.h>

#include "core/order_bus.h"

static void make_alert(struct event *ev, uint32_t sid) {
  memset(ev, 0, sizeof *ev);
  ev->kind = EV_ALERT;
  ev->ts_ns = 1;
  strcpy(ev->node, "n1");
  ev->u.alert.signature_id = sid;
  ev->u.alert.category = EV_CAT_THREAT;
  ev->u.alert.action = EV_ACTION_BLOCKED;
  ev->u.alert.flow.proto = 6;
  ev->u.alert.flow.state = EV_STATE_ESTABLISHED;
  ev->u.alert.severity = 1;
  ev->u.alert.mode = EV_MODE_PROTECT;
  ev->u.alert.flow.cli = (struct hb_addr){4, {10, 0, 0, 1}};
  ev->u.alert.flow.srv = (struct hb_addr){4, {10, 0, 0, 2}};
  ev->u.alert.flow.cli_port = 40000;
  ev->u.alert.flow.srv_port = 8080;
  strcpy(ev->u.alert.signature, "SQL injection");
}

/* Wait up to 2 s for the next message; an order's event in *ev. */
static struct order_msg last;
static int next(struct order_sub *s, struct event *ev) {
  struct hb_error err = {0, ""};
  for (int i = 0; i < 200; i++) {
    int rc = order_sub_next(s, &last, &err);
    if (rc == 1 && last.type == ORDER_EVENT)
      *ev = last.ev;
    if (rc != 0)
      return rc;
    nanosleep(&(struct timespec){0, 10000000}, NULL);
  }
  return 0;
}

static void test_orders_arrive_and_gaps_count(void **state) {
  (void)state;
  void *z = zmq_ctx_new();
  struct order_pub pub;
  struct order_sub sub;
  struct hb_error err = {0, ""};
  assert_int_equal(order_pub_open(&pub, z, "inproc://orders", NULL, &err), 0);
  assert_int_equal(order_sub_open(&sub, z, "inproc://orders", NULL, &err), 0);
  struct event ev, got;
  make_alert(&ev, 3020);
  /* A subscription takes a moment to reach PUB: send until one arrives. */
  int rc = 0;
  for (int i = 0; i < 200 && rc == 0; i++) {
    assert_int_equal(order_pub_send(&pub, &ev), 0);
    rc = next(&sub, &got);
  }
  assert_int_equal(rc, 1);
  while (order_sub_next(&sub, &last, &err) == 1) /* the other probes */
    ;
  uint64_t missed = sub.missed;
  make_alert(&ev, 3042);
  assert_int_equal(order_pub_send(&pub, &ev), 0);
  assert_int_equal(next(&sub, &got), 1);
  assert_int_equal(got.kind, EV_ALERT);
  assert_int_equal(got.u.alert.signature_id, 3042);
  assert_int_equal(got.u.alert.flow.srv_port, 8080);
  assert_string_equal(got.u.alert.signature, "SQL injection");
  assert_int_equal(sub.missed, missed);
  /* Three messages PUB "dropped": the subscriber counts them. */
  pub.seq += 3;
  assert_int_equal(order_pub_send(&pub, &ev), 0);
  assert_int_equal(next(&sub, &got), 1);
  assert_int_equal(sub.missed, missed + 3);
  /* A policy's bytes come whole, typed. */
  static const uint8_t pol[] = "HBP1 policy bytes";
  assert_int_equal(order_pub_send_policy(&pub, pol, sizeof pol), 0);
  assert_int_equal(next(&sub, &got), 1);
  assert_int_equal(last.type, ORDER_POLICY);
  assert_int_equal(last.policy_len, sizeof pol);
  assert_memory_equal(last.policy, pol, sizeof pol);
  order_sub_close(&sub);
  order_pub_close(&pub);
  zmq_ctx_term(z);
}

static void test_junk_is_rejected(void **state) {
  (void)state;
  void *z = zmq_ctx_new();
  void *raw = zmq_socket(z, ZMQ_PUB);
  assert_int_equal(zmq_bind(raw, "inproc://junk"), 0);
  struct order_sub sub;
  struct hb_error err = {0, ""};
  assert_int_equal(order_sub_open(&sub, z, "inproc://junk", NULL, &err), 0);
  struct event got;
  int rc = 0;
  for (int i = 0; i < 200 && rc == 0; i++) {
    zmq_send(raw, "\0\0\0\0\0\0\0\1Egarbage", 16, 0); /* a sequence, not an event */
    rc = next(&sub, &got);
  }
  assert_int_equal(rc, -EBADMSG);
  assert_true(sub.rejected >= 1);
  assert_int_equal(sub.received, 0);
  zmq_send(raw, "\0\0\0\0\0\0\0\2Xabc", 12, 0); /* an unknown type */
  rc = next(&sub, &got);
  assert_int_equal(rc, -EBADMSG);
  assert_int_equal(sub.received, 0);
  order_sub_close(&sub);
  zmq_close(raw);
  zmq_ctx_term(z);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_orders_arrive_and_gaps_count),
      cmocka_unit_test(test_junk_is_rejected),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
