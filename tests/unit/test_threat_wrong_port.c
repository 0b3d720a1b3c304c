/* tests/unit/test_threat_wrong_port.c — detect/threat/wrong_port.h: the
 * applications a well-known port is for (by L4 protocol), the right and the
 * wrong application on listed ports, ports habit does not list, and the
 * empty application (unidentified: never wrong). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "detect/threat/wrong_port.h"

#define TCP 6
#define UDP 17

static void test_expected(void **state) {
  (void)state;
  assert_string_equal(wrong_port_expected(TCP, 22), "ssh");
  assert_string_equal(wrong_port_expected(TCP, 80), "http, http2, grpc");
  assert_string_equal(wrong_port_expected(TCP, 443), "tls");
  assert_string_equal(wrong_port_expected(UDP, 443), "quic");
  assert_string_equal(wrong_port_expected(TCP, 53), "dns");
  assert_string_equal(wrong_port_expected(UDP, 53), "dns");
  assert_string_equal(wrong_port_expected(TCP, 5432), "postgresql");
  assert_string_equal(wrong_port_expected(TCP, 27017), "mongodb");
  /* Listed for one protocol only. */
  assert_null(wrong_port_expected(UDP, 22));
  assert_null(wrong_port_expected(TCP, 123));
  assert_null(wrong_port_expected(UDP, 80));
  /* Not listed at all, or not a transport with ports. */
  assert_null(wrong_port_expected(TCP, 0));
  assert_null(wrong_port_expected(TCP, 8080));
  assert_null(wrong_port_expected(TCP, 65535));
  assert_null(wrong_port_expected(1, 22));
  assert_null(wrong_port_expected(132, 80));
}

static void test_right_app(void **state) {
  (void)state;
  struct {
    uint8_t proto;
    uint16_t port;
    const char *app;
  } right[] = {
      {TCP, 22, "ssh"},     {TCP, 80, "http"},      {TCP, 80, "http2"},
      {TCP, 80, "grpc"},    {TCP, 443, "tls"},      {UDP, 443, "quic"},
      {UDP, 53, "dns"},     {TCP, 53, "dns"},       {TCP, 25, "smtp"},
      {TCP, 993, "tls"},    {TCP, 3306, "mysql"},   {TCP, 6379, "redis"},
      {UDP, 11211, "memcached"}, {TCP, 9092, "kafka"}, {UDP, 123, "ntp"},
  };
  for (size_t i = 0; i < sizeof right / sizeof right[0]; i++)
    if (wrong_port_check(right[i].proto, right[i].port, right[i].app))
      fail_msg("%s on %u/%u called wrong", right[i].app, right[i].proto, right[i].port);
}

static void test_wrong_app(void **state) {
  (void)state;
  struct {
    uint8_t proto;
    uint16_t port;
    const char *app;
  } wrong[] = {
      {TCP, 443, "ssh"},  {TCP, 80, "ssh"},    {TCP, 53, "http"},  {UDP, 53, "quic"},
      {TCP, 22, "http"},  {TCP, 443, "http"},  {UDP, 443, "dns"},  {TCP, 5432, "mysql"},
      {TCP, 25, "tls"},   {UDP, 123, "dns"},
      /* Names that only share a prefix or a piece of a listed one. */
      {TCP, 80, "htt"},   {TCP, 80, "http3"},  {TCP, 80, "rpc"},   {TCP, 80, "http, http2"},
      {TCP, 80, "HTTP"},  {TCP, 443, "tl"},
  };
  for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++)
    if (!wrong_port_check(wrong[i].proto, wrong[i].port, wrong[i].app))
      fail_msg("%s on %u/%u not called wrong", wrong[i].app, wrong[i].proto, wrong[i].port);
}

static void test_unlisted_and_empty(void **state) {
  (void)state;
  /* A port habit does not list: any application is fine there. */
  assert_false(wrong_port_check(TCP, 8080, "ssh"));
  assert_false(wrong_port_check(TCP, 2222, "ssh"));
  assert_false(wrong_port_check(UDP, 22, "ssh"));
  assert_false(wrong_port_check(TCP, 12345, "tls"));
  /* An unidentified application is never wrong. */
  assert_false(wrong_port_check(TCP, 443, ""));
  assert_false(wrong_port_check(TCP, 22, ""));
  assert_false(wrong_port_check(UDP, 53, ""));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_expected),
      cmocka_unit_test(test_right_app),
      cmocka_unit_test(test_wrong_app),
      cmocka_unit_test(test_unlisted_and_empty),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
