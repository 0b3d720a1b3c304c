/* tests/unit/test_l7_mqtt.c — the MQTT probe on control packets built byte
 * by byte (3.1, 3.1.1, 5.0): CONNECT and CONNACK, PUBLISH and SUBSCRIBE,
 * flows seen mid-way, malformed packets, every cut, and what is not MQTT.
 * Payloads are copied into exact-size buffers. */
#include "l7_data_samples.h"

static int feed(struct run *r, const struct buf *b, uint8_t dir, uint16_t port) {
  return feed_fn(l7_probe_mqtt, r, b->b, b->n, dir, TCP, port);
}

static void connack(struct buf *b, int v5) {
  u8(b, 0x20);
  if (v5) {
    u8(b, 3);
    u8(b, 0);
    u8(b, 0);
    u8(b, 0); /* no properties */
  } else {
    u8(b, 2);
    u8(b, 0);
    u8(b, 0);
  }
}

static void subscribe(struct buf *b, const char *filter, int v5) {
  size_t at = mqtt_begin(b, 0x82);
  be16(b, 1);
  if (v5)
    u8(b, 0);
  mqtt_str(b, filter);
  u8(b, 1);
  mqtt_end(b, at);
}

static void publish(struct buf *b, unsigned first, const char *topic, const char *msg) {
  size_t at = mqtt_begin(b, first);
  mqtt_str(b, topic);
  if ((first >> 1) & 3)
    be16(b, 9);
  text(b, msg);
  mqtt_end(b, at);
}

static void test_session(void **state) {
  (void)state;
  struct buf c = {.n = 0}, a = {.n = 0}, s = {.n = 0};
  mqtt_connect(&c, "02D5050223D3", "02D5050223D3");
  connack(&a, 0);
  subscribe(&s, "astr/s720/02D5050223D3/99", 0);
  struct run r = {0};
  assert_int_equal(feed(&r, &c, 0, 1883), L7_MATCH);
  assert_int_equal(r.conf, 95);
  assert_string_equal(r.f.u.gen.verb, "CONNECT");
  assert_string_equal(r.f.u.gen.user, "02D5050223D3");
  assert_int_equal(feed(&r, &a, 1, 1883), L7_MATCH);
  assert_int_equal(r.conf, 100);
  assert_int_equal(feed(&r, &s, 0, 1883), L7_DONE);
  assert_string_equal(r.f.u.gen.verb, "SUBSCRIBE");
  assert_string_equal(r.f.u.gen.object, "astr/s720/02D5050223D3/99");

  struct run r2 = {0};
  assert_int_equal(feed(&r2, &c, 0, 8883), L7_MATCH);
  assert_int_equal(r2.conf, 90);
}

static void test_connect_then_publish_in_one_segment(void **state) {
  (void)state;
  struct buf c = {.n = 0}, a = {.n = 0};
  mqtt_connect(&c, "sensor-1", "dev");
  publish(&c, 0x30, "sensors/kitchen/temp", "21.5");
  connack(&a, 0);
  struct run r = {0};
  assert_int_equal(feed(&r, &c, 0, 1883), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "PUBLISH");
  assert_string_equal(r.f.u.gen.object, "sensors/kitchen/temp");
  assert_string_equal(r.f.u.gen.user, "dev");
  assert_int_equal(feed(&r, &a, 1, 1883), L7_DONE);
}

static void test_versions(void **state) {
  (void)state;
  /* 5.0: properties after the keep-alive, a reason code in CONNACK. */
  struct buf c = {.n = 0}, a = {.n = 0}, s = {.n = 0};
  size_t at = mqtt_begin(&c, 0x10);
  mqtt_str(&c, "MQTT");
  u8(&c, 5);
  u8(&c, 0x02);
  be16(&c, 30);
  u8(&c, 5);         /* properties: session expiry interval */
  u8(&c, 0x11);
  be32(&c, 3600);
  mqtt_str(&c, "v5-client");
  mqtt_end(&c, at);
  connack(&a, 1);
  subscribe(&s, "alerts/#", 1);
  struct run r = {0};
  assert_int_equal(feed(&r, &c, 0, 1883), L7_MATCH);
  assert_string_equal(r.f.u.gen.user, "");
  assert_int_equal(feed(&r, &a, 1, 1883), L7_MATCH);
  assert_int_equal(r.conf, 100);
  assert_int_equal(feed(&r, &s, 0, 1883), L7_DONE);
  assert_string_equal(r.f.u.gen.object, "alerts/#");
  /* 3.1: "MQIsdp", level 3. */
  struct buf o = {.n = 0};
  at = mqtt_begin(&o, 0x10);
  mqtt_str(&o, "MQIsdp");
  u8(&o, 3);
  u8(&o, 0x02);
  be16(&o, 60);
  mqtt_str(&o, "old-client");
  mqtt_end(&o, at);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &o, 0, 1883), L7_MATCH);
  o.b[10] = 4; /* MQIsdp is level 3 only */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &o, 0, 1883), L7_NO);
}

static void test_mid_flow(void **state) {
  (void)state;
  struct buf p = {.n = 0}, ack = {.n = 0};
  publish(&p, 0x32, "Bus17Info", "Update triggered");
  u8(&ack, 0x40);
  u8(&ack, 2);
  be16(&ack, 9);
  struct run r = {0};
  assert_int_equal(feed(&r, &p, 0, 17501), L7_MATCH);
  assert_int_equal(r.conf, 75);
  assert_string_equal(r.f.u.gen.verb, "PUBLISH");
  assert_string_equal(r.f.u.gen.object, "Bus17Info");
  assert_int_equal(feed(&r, &ack, 1, 17501), L7_DONE);
  assert_int_equal(r.conf, 90);
  /* nDPI's coap_mqtt: a ping pair, then the server publishes. */
  static const uint8_t ping[] = {0xc0, 0x00}, pong[] = {0xd0, 0x00};
  struct buf sp = {.n = 0};
  publish(&sp, 0x32, "Bus17Cmd", "{\"messageType\":\"UPDATE\"}");
  struct run r2 = {0};
  assert_int_equal(feed_fn(l7_probe_mqtt, &r2, ping, 2, 0, TCP, 17501), L7_MORE);
  assert_int_equal(feed_fn(l7_probe_mqtt, &r2, pong, 2, 1, TCP, 17501), L7_MORE);
  assert_int_equal(feed(&r2, &sp, 1, 17501), L7_MATCH);
  assert_int_equal(r2.conf, 90);
  assert_string_equal(r2.f.u.gen.object, "Bus17Cmd");
  /* Short packets alone are waited through three times, no more. */
  struct run r3 = {0};
  for (int i = 0; i < 3; i++)
    assert_int_equal(feed_fn(l7_probe_mqtt, &r3, ping, 2, 0, TCP, 1883), L7_MORE);
  assert_int_equal(feed_fn(l7_probe_mqtt, &r3, ping, 2, 0, TCP, 1883), L7_NO);
}

static void test_malformed(void **state) {
  (void)state;
  struct buf c = {.n = 0};
  mqtt_connect(&c, "sensor-1", "dev");
  struct buf bad = c;
  bad.b[4] = 'X'; /* "MXTT" */
  struct run r = {0};
  assert_int_equal(feed(&r, &bad, 0, 1883), L7_NO);
  bad = c;
  bad.b[8] = 6; /* level */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &bad, 0, 1883), L7_NO);
  bad = c;
  bad.b[9] |= 0x01; /* reserved flag */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &bad, 0, 1883), L7_NO);
  bad = c;
  bad.b[9] = 0x0a; /* will QoS without will... */
  bad.b[9] = 0x08;
  struct run r4 = {0};
  assert_int_equal(feed(&r4, &bad, 0, 1883), L7_NO);
  bad = c;
  bad.b[9] = 0x42; /* password without user name (3.1.1) */
  struct run r5 = {0};
  assert_int_equal(feed(&r5, &bad, 0, 1883), L7_NO);
  bad = c;
  bad.b[0] = 0x11; /* flags on CONNECT */
  struct run r6 = {0};
  assert_int_equal(feed(&r6, &bad, 0, 1883), L7_NO);
  bad = c;
  bad.b[1] = (uint8_t)(bad.b[1] + 3); /* remaining length past the fields */
  u8(&bad, 1);
  u8(&bad, 2);
  u8(&bad, 3);
  struct run r7 = {0};
  assert_int_equal(feed(&r7, &bad, 0, 1883), L7_NO);
  struct buf p = {.n = 0};
  publish(&p, 0x30, "a/+/b", "x");
  struct run r8 = {0};
  assert_int_equal(feed(&r8, &p, 0, 1883), L7_NO);
  p.n = 0;
  publish(&p, 0x36, "a/b", "x"); /* QoS 3 */
  struct run r9 = {0};
  assert_int_equal(feed(&r9, &p, 0, 1883), L7_NO);
  static const uint8_t sub0[] = {0x80, 0x08, 0x00, 0x01, 0x00, 0x03, 'a', '/', 'b', 0x01};
  struct run r10 = {0};
  assert_int_equal(feed_fn(l7_probe_mqtt, &r10, sub0, sizeof sub0, 0, TCP, 1883), L7_NO);
  static const uint8_t ping1[] = {0xc0, 0x01, 0x00};
  struct run r11 = {0};
  assert_int_equal(feed_fn(l7_probe_mqtt, &r11, ping1, sizeof ping1, 0, TCP, 1883), L7_NO);
  static const uint8_t varint[] = {0x30, 0xff, 0xff, 0xff, 0xff, 0x01};
  struct run r12 = {0};
  assert_int_equal(feed_fn(l7_probe_mqtt, &r12, varint, sizeof varint, 0, TCP, 1883), L7_NO);
  /* A CONNACK in the client's direction, a SUBSCRIBE in the server's. */
  struct buf a = {.n = 0}, s = {.n = 0};
  connack(&a, 0);
  subscribe(&s, "x", 0);
  struct run r13 = {0};
  assert_int_equal(feed(&r13, &a, 0, 1883), L7_NO);
  struct run r14 = {0};
  assert_int_equal(feed(&r14, &s, 1, 1883), L7_NO);
}

static void test_every_prefix(void **state) {
  (void)state;
  struct buf c = {.n = 0}, p = {.n = 0};
  mqtt_connect(&c, "sensor-1", "dev");
  sample(S_MQTT_PUBLISH, &p);
  every_prefix(l7_probe_mqtt, &c, 0, TCP, 1883, 2 + 6 + 4);
  every_prefix(l7_probe_mqtt, &p, 0, TCP, 1883, 2 + 2 + strlen("sensors/kitchen/temp"));
}

static void test_not_mqtt(void **state) {
  (void)state;
  static const enum sample maybe[] = {S_COUNT};
  refuses_others(l7_probe_mqtt, "mqtt", maybe);
}

static void test_random_junk(void **state) {
  (void)state;
  random_junk(l7_probe_mqtt, TCP, 1883, 41);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_session),
      cmocka_unit_test(test_connect_then_publish_in_one_segment),
      cmocka_unit_test(test_versions),
      cmocka_unit_test(test_mid_flow),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_every_prefix),
      cmocka_unit_test(test_not_mqtt),
      cmocka_unit_test(test_random_junk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
