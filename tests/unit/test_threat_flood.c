/* tests/unit/test_threat_flood.c — detect/threat/flood.h: packets per
 * destination and window against the kind's limit. Exactly one alert at
 * limit + 1 (returning the window's count), none below or at the limit, a
 * new window restarts the count, FLOOD_QUIET windows between two alerts of
 * one destination and kind, kinds and destinations counted apart, windows
 * of several seconds, and the table clearing past FLOOD_MAX_DESTS: no
 * crash, no alert from the restarted counts, and no second alert inside the
 * quiet period of a destination that was flooded before the clearing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/threat/flood.h"

#define S 1000000000ull
#define T0 (1700000000ull * S) /* a capture of 2023 */

static struct hb_addr ip(const char *s) {
  struct hb_addr a;
  assert_int_equal(hb_addr_parse(s, &a), 0);
  return a;
}

/* n packets of kind to dst at time t; how many of them returned non-zero,
 * and the last non-zero value in *fired. */
static unsigned burst(struct flood_tracker *t, enum flood_kind kind, const char *dst,
                      unsigned n, uint64_t ts, uint64_t *fired) {
  struct hb_addr a = ip(dst);
  unsigned alerts = 0;
  for (unsigned i = 0; i < n; i++) {
    uint64_t r = flood_count(t, kind, &a, ts + i); /* same window */
    if (r) {
      alerts++;
      if (fired)
        *fired = r;
    }
  }
  return alerts;
}

static void test_limit_per_window(void **state) {
  (void)state;
  struct flood_tracker t;
  flood_init(&t, 1, 10, 5, 100);
  assert_int_equal(t.limit[FLOOD_SYN], 10);
  assert_int_equal(t.limit[FLOOD_ICMP], 5);
  assert_int_equal(t.limit[FLOOD_UDP], 100);
  struct hb_addr d = ip("10.0.0.1");
  /* Below and at the limit: nothing. */
  for (unsigned i = 0; i < 10; i++)
    assert_int_equal(flood_count(&t, FLOOD_SYN, &d, T0 + i * 1000), 0);
  /* limit + 1: the alert, with the window's count. */
  assert_int_equal(flood_count(&t, FLOOD_SYN, &d, T0 + 10000), 11);
  /* Above: no more in this window. */
  for (unsigned i = 0; i < 100; i++)
    assert_int_equal(flood_count(&t, FLOOD_SYN, &d, T0 + 20000 + i), 0);
  flood_free(&t);
}

static void test_new_window_restarts(void **state) {
  (void)state;
  struct flood_tracker t;
  flood_init(&t, 1, 10, 5, 100);
  /* 8 in one window and 8 in the next: 16 in two seconds, never 11 in one. */
  assert_int_equal(burst(&t, FLOOD_SYN, "10.0.0.1", 8, T0 + S / 2, NULL), 0);
  assert_int_equal(burst(&t, FLOOD_SYN, "10.0.0.1", 8, T0 + S + S / 10, NULL), 0);
  /* The count is per window: 3 more in that window make 11. */
  uint64_t fired = 0;
  assert_int_equal(burst(&t, FLOOD_SYN, "10.0.0.1", 3, T0 + S + S / 2, &fired), 1);
  assert_int_equal(fired, 11);
  flood_free(&t);
}

static void test_quiet_period(void **state) {
  (void)state;
  struct flood_tracker t;
  flood_init(&t, 1, 10, 5, 100);
  uint64_t fired = 0;
  assert_int_equal(burst(&t, FLOOD_ICMP, "10.0.0.2", 50, T0, &fired), 1);
  assert_int_equal(fired, 6);
  /* A flood in each of the next FLOOD_QUIET - 1 windows: quiet. */
  for (unsigned w = 1; w < FLOOD_QUIET; w++)
    assert_int_equal(burst(&t, FLOOD_ICMP, "10.0.0.2", 50, T0 + w * S, NULL), 0);
  /* FLOOD_QUIET windows after the first alert: the next one. */
  assert_int_equal(burst(&t, FLOOD_ICMP, "10.0.0.2", 50, T0 + FLOOD_QUIET * S, &fired), 1);
  assert_int_equal(fired, 6);
  /* And quiet again after it. */
  assert_int_equal(burst(&t, FLOOD_ICMP, "10.0.0.2", 50, T0 + (FLOOD_QUIET + 1) * S, NULL),
                   0);
  flood_free(&t);
}

static void test_kinds_and_destinations_apart(void **state) {
  (void)state;
  struct flood_tracker t;
  flood_init(&t, 1, 10, 10, 10);
  /* 10 of each kind to one host, and 10 SYNs to each of three hosts (v4
   * and v6): 40 packets to one address, 30 SYNs in all, no alert. */
  const char *hosts[] = {"10.0.0.1", "10.0.0.2", "fd00::1"};
  for (int k = 0; k < FLOOD_KINDS; k++)
    assert_int_equal(burst(&t, (enum flood_kind)k, "10.0.0.1", 10, T0, NULL), 0);
  for (size_t h = 1; h < 3; h++)
    assert_int_equal(burst(&t, FLOOD_SYN, hosts[h], 10, T0, NULL), 0);
  /* The IPv6 address whose bytes start like 10.0.0.1 is another host. */
  struct hb_addr v6 = ip("10.0.0.1");
  v6.family = 6;
  for (unsigned i = 0; i < 10; i++)
    assert_int_equal(flood_count(&t, FLOOD_SYN, &v6, T0 + i), 0);
  /* One more of each kind to 10.0.0.1: each kind alerts on its own. */
  uint64_t fired = 0;
  for (int k = 0; k < FLOOD_KINDS; k++) {
    assert_int_equal(burst(&t, (enum flood_kind)k, "10.0.0.1", 1, T0 + 100, &fired), 1);
    assert_int_equal(fired, 11);
  }
  /* The other hosts are still at 10. */
  for (size_t h = 1; h < 3; h++) {
    assert_int_equal(burst(&t, FLOOD_SYN, hosts[h], 1, T0 + 200, &fired), 1);
    assert_int_equal(fired, 11);
  }
  /* An alert for a kind says nothing about the quiet of another. */
  assert_int_equal(burst(&t, FLOOD_UDP, "10.0.0.2", 11, T0 + 300, NULL), 1);
  flood_free(&t);
}

static void test_longer_window(void **state) {
  (void)state;
  struct flood_tracker t;
  flood_init(&t, 5, 10, 10, 10); /* 50 per 5-second window */
  assert_int_equal(t.limit[FLOOD_SYN], 50);
  struct hb_addr d = ip("10.0.0.9");
  /* 50 packets spread over one window (T0 is a multiple of 5 s). */
  for (unsigned i = 0; i < 50; i++)
    assert_int_equal(flood_count(&t, FLOOD_SYN, &d, T0 + i * (S / 10)), 0);
  assert_int_equal(flood_count(&t, FLOOD_SYN, &d, T0 + 5 * S - 1), 51);
  flood_free(&t);
}

static void test_zero_window_is_one_second(void **state) {
  (void)state;
  struct flood_tracker t;
  flood_init(&t, 0, 3, 3, 3);
  assert_int_equal(t.window_ns, S);
  assert_int_equal(burst(&t, FLOOD_UDP, "10.0.0.3", 4, T0, NULL), 1);
  flood_free(&t);
}

/* Fill the table to FLOOD_MAX_DESTS with destinations seen once each. */
static void fill(struct flood_tracker *t, uint64_t ts) {
  struct hb_addr a = ip("fd00::");
  uint32_t i = 0;
  while (t->dests.n < FLOOD_MAX_DESTS) {
    i++;
    memcpy(a.b + 12, &i, 4);
    assert_int_equal(flood_count(t, FLOOD_UDP, &a, ts), 0);
  }
}

static void test_table_clearing(void **state) {
  (void)state;
  struct flood_tracker t;
  flood_init(&t, 1, 10, 10, 10);
  uint64_t fired = 0;
  /* A flood alerted at T0; another host at its limit. */
  assert_int_equal(burst(&t, FLOOD_SYN, "10.1.0.1", 11, T0, &fired), 1);
  assert_int_equal(burst(&t, FLOOD_SYN, "10.1.0.2", 10, T0, NULL), 0);
  fill(&t, T0);
  assert_int_equal(t.dests.n, FLOOD_MAX_DESTS);
  /* The next packet clears the table: the counts restart. The host at its
   * limit does not alert at its 11th packet of the window. */
  assert_int_equal(burst(&t, FLOOD_SYN, "10.1.0.2", 1, T0 + 10, NULL), 0);
  assert_true(t.dests.n < FLOOD_MAX_DESTS / 2);
  assert_int_equal(burst(&t, FLOOD_SYN, "10.1.0.2", 9, T0 + 20, NULL), 0);
  assert_int_equal(burst(&t, FLOOD_SYN, "10.1.0.2", 1, T0 + 30, &fired), 1);
  assert_int_equal(fired, 11);
  /* The flood alerted before the clearing stays quiet for its period. */
  assert_int_equal(burst(&t, FLOOD_SYN, "10.1.0.1", 100, T0 + 40, NULL), 0);
  assert_int_equal(burst(&t, FLOOD_SYN, "10.1.0.1", 100, T0 + S, NULL), 0);
  assert_int_equal(burst(&t, FLOOD_SYN, "10.1.0.1", 100, T0 + FLOOD_QUIET * S, NULL), 1);
  /* Filling it again, much later, with every old alert past its quiet
   * period: cleared again, and still counting. */
  fill(&t, T0 + 1000 * S);
  assert_int_equal(burst(&t, FLOOD_ICMP, "10.1.0.3", 11, T0 + 1001 * S, &fired), 1);
  assert_true(t.dests.n < 16);
  flood_free(&t);
}

/* Every destination flooded at once (a limit of 0: each first packet
 * alerts): keeping the recent alerts would keep the table full, so it is
 * cleared whole and memory stays bounded. */
static void test_table_clearing_all_alerted(void **state) {
  (void)state;
  struct flood_tracker t;
  flood_init(&t, 1, 0, 0, 0);
  struct hb_addr a = ip("fd00::");
  uint32_t i = 0;
  while (t.dests.n < FLOOD_MAX_DESTS) {
    i++;
    memcpy(a.b + 12, &i, 4);
    assert_int_equal(flood_count(&t, FLOOD_UDP, &a, T0), 1);
  }
  assert_int_equal(burst(&t, FLOOD_UDP, "10.2.0.1", 1, T0, NULL), 1);
  assert_int_equal(t.dests.n, 1);
  flood_free(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_limit_per_window),
      cmocka_unit_test(test_new_window_restarts),
      cmocka_unit_test(test_quiet_period),
      cmocka_unit_test(test_kinds_and_destinations_apart),
      cmocka_unit_test(test_longer_window),
      cmocka_unit_test(test_zero_window_is_one_second),
      cmocka_unit_test(test_table_clearing),
      cmocka_unit_test(test_table_clearing_all_alerted),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
