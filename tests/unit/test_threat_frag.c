/* tests/unit/test_threat_frag.c — detect/threat/frag.h: fragments that
 * overlap (partly, contained, containing) against ones that only touch or
 * repeat exactly; one report per datagram; datagrams told apart by id,
 * addresses and protocol; FRAG_TIMEOUT expiry by capture time; the ping of
 * death for IPv4 (past 65,515 bytes of payload) and IPv6 (past 65,535); and
 * a new datagram taking the slot of an old one (found by its behaviour, not
 * by copying the hash). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/threat/frag.h"

#define S 1000000000ull
#define T0 (1700000000ull * S)

static struct hb_addr ip(const char *s) {
  struct hb_addr a;
  assert_int_equal(hb_addr_parse(s, &a), 0);
  return a;
}

static struct pkt_info frag(const char *src, const char *dst, uint32_t id, uint32_t off,
                            uint32_t len, uint8_t proto) {
  struct pkt_info p;
  memset(&p, 0, sizeof p);
  p.src = ip(src);
  p.dst = ip(dst);
  p.proto = proto;
  p.fragment = 1;
  p.more_frags = 1;
  p.frag_offset = off;
  p.frag_len = len;
  p.ip_id = id;
  return p;
}

static struct frag_tracker tr;

/* Observe a UDP fragment of 10.0.0.1 -> 10.0.0.2 with id at time t. */
static enum frag_verdict see(uint32_t id, uint32_t off, uint32_t len, uint64_t t,
                             uint32_t *with) {
  struct pkt_info p = frag("10.0.0.1", "10.0.0.2", id, off, len, 17);
  uint32_t w = 0xdeadbeef;
  enum frag_verdict v = frag_observe(&tr, &p, t, &w);
  if (with)
    *with = w;
  return v;
}

static int setup(void **state) {
  (void)state;
  frag_init(&tr);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  frag_free(&tr);
  return 0;
}

static void test_in_order_and_touching(void **state) {
  (void)state;
  /* A datagram in three fragments, in order and out of order: touching
   * ends are no overlap. */
  assert_int_equal(see(1, 0, 1480, T0, NULL), FRAG_FINE);
  assert_int_equal(see(1, 1480, 1480, T0, NULL), FRAG_FINE);
  assert_int_equal(see(1, 2960, 100, T0, NULL), FRAG_FINE);
  assert_int_equal(see(2, 2960, 100, T0, NULL), FRAG_FINE);
  assert_int_equal(see(2, 0, 1480, T0, NULL), FRAG_FINE);
  assert_int_equal(see(2, 1480, 1480, T0, NULL), FRAG_FINE);
}

static void test_exact_repeats(void **state) {
  (void)state;
  /* Retransmitted fragments are not overlaps, however often. */
  for (int i = 0; i < 5; i++) {
    assert_int_equal(see(3, 0, 8, T0 + (uint64_t)i * S, NULL), FRAG_FINE);
    assert_int_equal(see(3, 8, 8, T0 + (uint64_t)i * S, NULL), FRAG_FINE);
  }
  /* ... but the same offset with another length is one. */
  uint32_t with;
  assert_int_equal(see(3, 8, 16, T0 + 6 * S, &with), FRAG_OVERLAP);
  assert_int_equal(with, 8);
}

static void test_partial_overlap(void **state) {
  (void)state;
  uint32_t with;
  assert_int_equal(see(4, 0, 16, T0, NULL), FRAG_FINE);
  assert_int_equal(see(4, 8, 16, T0, &with), FRAG_OVERLAP);
  assert_int_equal(with, 0);
  /* From the front: a later fragment whose start an earlier one covers. */
  assert_int_equal(see(5, 100, 50, T0, NULL), FRAG_FINE);
  assert_int_equal(see(5, 60, 41, T0, &with), FRAG_OVERLAP);
  assert_int_equal(with, 100);
  /* One byte short of it: touching. */
  assert_int_equal(see(6, 100, 50, T0, NULL), FRAG_FINE);
  assert_int_equal(see(6, 60, 40, T0, NULL), FRAG_FINE);
  assert_int_equal(see(6, 150, 8, T0, NULL), FRAG_FINE);
}

static void test_contained(void **state) {
  (void)state;
  uint32_t with;
  /* Inside an earlier fragment (teardrop-style). */
  assert_int_equal(see(7, 0, 24, T0, NULL), FRAG_FINE);
  assert_int_equal(see(7, 8, 8, T0, &with), FRAG_OVERLAP);
  assert_int_equal(with, 0);
  /* Covering an earlier one, among others that it does not touch. */
  assert_int_equal(see(8, 0, 8, T0, NULL), FRAG_FINE);
  assert_int_equal(see(8, 64, 8, T0, NULL), FRAG_FINE);
  assert_int_equal(see(8, 32, 8, T0, NULL), FRAG_FINE);
  assert_int_equal(see(8, 24, 24, T0, &with), FRAG_OVERLAP);
  assert_int_equal(with, 32);
}

static void test_reported_once(void **state) {
  (void)state;
  uint32_t with;
  assert_int_equal(see(9, 0, 16, T0, NULL), FRAG_FINE);
  assert_int_equal(see(9, 8, 16, T0, &with), FRAG_OVERLAP);
  assert_int_equal(see(9, 4, 4, T0, NULL), FRAG_FINE);
  assert_int_equal(see(9, 0, 100, T0, NULL), FRAG_FINE);
  /* Another datagram is reported on its own. */
  assert_int_equal(see(10, 0, 16, T0, NULL), FRAG_FINE);
  assert_int_equal(see(10, 8, 16, T0, &with), FRAG_OVERLAP);
}

static void test_datagrams_apart(void **state) {
  (void)state;
  /* The same ranges in datagrams that differ in one field each. */
  struct pkt_info a = frag("10.0.0.1", "10.0.0.2", 11, 0, 16, 17);
  uint32_t w;
  assert_int_equal(frag_observe(&tr, &a, T0, &w), FRAG_FINE);
  struct pkt_info other[] = {
      frag("10.0.0.1", "10.0.0.2", 12, 8, 16, 17), /* id */
      frag("10.0.0.3", "10.0.0.2", 11, 8, 16, 17), /* source */
      frag("10.0.0.1", "10.0.0.4", 11, 8, 16, 17), /* destination */
      frag("10.0.0.1", "10.0.0.2", 11, 8, 16, 6),  /* protocol */
      frag("fd00::1", "fd00::2", 11, 8, 16, 17),   /* IPv6 */
  };
  for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
    assert_int_equal(frag_observe(&tr, &other[i], T0, &w), FRAG_FINE);
  /* The first datagram still remembers its fragment. */
  struct pkt_info again = frag("10.0.0.1", "10.0.0.2", 11, 8, 16, 17);
  assert_int_equal(frag_observe(&tr, &again, T0, &w), FRAG_OVERLAP);
  assert_int_equal(w, 0);
  /* IPv6 fragments overlap as IPv4 ones do. */
  struct pkt_info v6 = frag("fd00::1", "fd00::2", 11, 0, 16, 17);
  assert_int_equal(frag_observe(&tr, &v6, T0, &w), FRAG_OVERLAP);
  assert_int_equal(w, 8);
}

static void test_timeout(void **state) {
  (void)state;
  uint64_t to = FRAG_TIMEOUT * S;
  /* Within FRAG_TIMEOUT of the datagram's last fragment: remembered. */
  assert_int_equal(see(13, 0, 16, T0, NULL), FRAG_FINE);
  assert_int_equal(see(13, 8, 16, T0 + to, NULL), FRAG_OVERLAP);
  /* Past it: a new datagram with a reused id. */
  assert_int_equal(see(14, 0, 16, T0, NULL), FRAG_FINE);
  assert_int_equal(see(14, 8, 16, T0 + to + 1, NULL), FRAG_FINE);
  /* ... which is tracked afresh from there. */
  assert_int_equal(see(14, 20, 8, T0 + to + 2, NULL), FRAG_OVERLAP);
  /* A datagram reported once, expired, and reused: reported again. */
  assert_int_equal(see(15, 0, 16, T0, NULL), FRAG_FINE);
  assert_int_equal(see(15, 8, 16, T0, NULL), FRAG_OVERLAP);
  assert_int_equal(see(15, 0, 16, T0 + 2 * to, NULL), FRAG_FINE);
  assert_int_equal(see(15, 8, 16, T0 + 2 * to, NULL), FRAG_OVERLAP);
}

static void test_ping_of_death_v4(void **state) {
  (void)state;
  /* 20 bytes of header + 65,515 of payload = 65,535. */
  assert_int_equal(see(16, 65512, 3, T0, NULL), FRAG_FINE);    /* ends at 65515 */
  assert_int_equal(see(17, 65512, 4, T0, NULL), FRAG_TOO_BIG); /* 65516 */
  assert_int_equal(see(18, 65528, 1480, T0, NULL), FRAG_TOO_BIG);
  assert_int_equal(see(19, 0, 65515, T0, NULL), FRAG_FINE);
  /* The classic: 1480-byte fragments, the last one at 65,520. */
  for (uint32_t off = 0; off < 65520; off += 1480)
    assert_int_equal(see(20, off, 1480, T0, NULL), off + 1480 > 65515 ? FRAG_TOO_BIG
                                                                       : FRAG_FINE);
}

static void test_ping_of_death_v6(void **state) {
  (void)state;
  uint32_t w;
  struct pkt_info p = frag("fd00::1", "fd00::2", 21, 65528, 7, 58); /* ends at 65535 */
  assert_int_equal(frag_observe(&tr, &p, T0, &w), FRAG_FINE);
  p = frag("fd00::1", "fd00::2", 22, 65528, 8, 58);
  assert_int_equal(frag_observe(&tr, &p, T0, &w), FRAG_TOO_BIG);
  /* What is too big for IPv4 is fine for IPv6. */
  p = frag("fd00::1", "fd00::2", 23, 65512, 8, 58);
  assert_int_equal(frag_observe(&tr, &p, T0, &w), FRAG_FINE);
}

/* Whether datagram id b takes datagram a's slot: a fresh tracker sees a's
 * fragment, then b's, then an overlapping fragment of a — which is only
 * missed if b replaced a. */
/* Each probe of a slot collision runs FRAG_TIMEOUT + 1 s after the last
 * one, so what earlier probes left in the table has timed out (a fresh
 * table per probe would cost a 0.8 MB allocation each, thousands of times). */
static uint64_t probe_clock = T0;

static uint64_t next_probe_time(void) {
  probe_clock += (FRAG_TIMEOUT + 1) * 1000000000ull;
  return probe_clock;
}

static int replaces(uint32_t a, uint32_t b) {
  uint64_t t = next_probe_time();
  see(a, 0, 16, t, NULL);
  see(b, 0, 16, t, NULL);
  return see(a, 8, 16, t, NULL) == FRAG_FINE;
}

static void test_slot_replacement(void **state) {
  (void)state;
  /* Among a few times FRAG_SLOTS ids, one shares the slot of id 1. */
  uint32_t b = 0;
  for (uint32_t id = 2; id < 8 * FRAG_SLOTS && !b; id++)
    if (replaces(1, id))
      b = id;
  assert_true(b != 0);
  /* It is the same slot: the newcomer is tracked there, and on its own. */
  frag_free(&tr);
  frag_init(&tr);
  assert_int_equal(see(1, 0, 16, T0, NULL), FRAG_FINE);
  assert_int_equal(see(1, 8, 16, T0, NULL), FRAG_OVERLAP); /* 1 alerted */
  assert_int_equal(see(b, 0, 16, T0, NULL), FRAG_FINE);
  assert_int_equal(see(b, 8, 16, T0, NULL), FRAG_OVERLAP); /* not 1's flag */
  /* And the old datagram, coming back, starts over. */
  assert_int_equal(see(1, 0, 16, T0, NULL), FRAG_FINE);
  assert_int_equal(see(1, 4, 4, T0, NULL), FRAG_OVERLAP);
  /* Most ids do not collide with 1: their fragments leave 1 alone. */
  assert_false(replaces(1, b + 1) && replaces(1, b + 2));
}

/* The same with datagrams differing in one field: the tracker must tell
 * them apart by that field even when they share a slot. */
static int replaces_pkt(struct pkt_info a, struct pkt_info b) {
  uint64_t t = next_probe_time();
  uint32_t w;
  a.frag_offset = b.frag_offset = 0;
  a.frag_len = b.frag_len = 16;
  frag_observe(&tr, &a, t, &w);
  frag_observe(&tr, &b, t, &w);
  a.frag_offset = 8;
  return frag_observe(&tr, &a, t, &w) == FRAG_FINE;
}

static void test_slot_shared_by_field(void **state) {
  (void)state;
  int found_src = 0, found_dst = 0, found_proto = 0;
  char addr[32];
  for (uint32_t i = 1; i < 8 * FRAG_SLOTS && !found_src; i++) {
    snprintf(addr, sizeof addr, "10.9.%u.%u", i >> 8, i & 255);
    found_src = replaces_pkt(frag("10.0.0.1", "10.0.0.2", 1, 0, 16, 17),
                             frag(addr, "10.0.0.2", 1, 0, 16, 17));
  }
  for (uint32_t i = 1; i < 8 * FRAG_SLOTS && !found_dst; i++) {
    snprintf(addr, sizeof addr, "10.9.%u.%u", i >> 8, i & 255);
    found_dst = replaces_pkt(frag("10.0.0.1", "10.0.0.2", 1, 0, 16, 17),
                             frag("10.0.0.1", addr, 1, 0, 16, 17));
  }
  for (uint32_t id = 1; id < 8 * FRAG_SLOTS && !found_proto; id++)
    found_proto = replaces_pkt(frag("10.0.0.1", "10.0.0.2", id, 0, 16, 17),
                               frag("10.0.0.1", "10.0.0.2", id, 0, 16, 6));
  assert_true(found_src);
  assert_true(found_dst);
  assert_true(found_proto);
}

static void test_ping_of_death_once(void **state) {
  (void)state;
  /* Several fragments past the limit in one datagram: one report. */
  assert_int_equal(see(30, 0, 1480, T0, NULL), FRAG_FINE);
  assert_int_equal(see(30, 65512, 1480, T0, NULL), FRAG_TOO_BIG);
  assert_int_equal(see(30, 65512, 1480, T0, NULL), FRAG_FINE);
  assert_int_equal(see(30, 64000, 8000, T0, NULL), FRAG_FINE);
  /* ... nor an overlap after it: whichever comes first. */
  assert_int_equal(see(30, 8, 8, T0, NULL), FRAG_FINE);
  assert_int_equal(see(31, 0, 16, T0, NULL), FRAG_FINE);
  assert_int_equal(see(31, 8, 16, T0, NULL), FRAG_OVERLAP);
  assert_int_equal(see(31, 65512, 1480, T0, NULL), FRAG_FINE);
  /* Another datagram still gets its own. */
  assert_int_equal(see(32, 65512, 1480, T0, NULL), FRAG_TOO_BIG);
}

static void test_ports_from_first_fragment(void **state) {
  (void)state;
  uint16_t sp = 0, dp = 0;
  uint32_t w;
  /* A non-first fragment before the first: no ports yet. */
  struct pkt_info later = frag("10.0.0.1", "10.0.0.2", 40, 1480, 100, 17);
  assert_int_equal(frag_observe(&tr, &later, T0, &w), FRAG_FINE);
  assert_int_equal(frag_ports(&tr, &later, &sp, &dp), 0);
  struct pkt_info first = frag("10.0.0.1", "10.0.0.2", 40, 0, 1480, 17);
  first.sport = 5353;
  first.dport = 53;
  assert_int_equal(frag_observe(&tr, &first, T0, &w), FRAG_FINE);
  assert_int_equal(frag_ports(&tr, &later, &sp, &dp), 1);
  assert_int_equal(sp, 5353);
  assert_int_equal(dp, 53);
  /* Not another datagram's, nor of a protocol without ports. */
  struct pkt_info other = frag("10.0.0.1", "10.0.0.2", 41, 1480, 100, 17);
  assert_int_equal(frag_ports(&tr, &other, &sp, &dp), 0);
  struct pkt_info icmp = frag("10.0.0.1", "10.0.0.2", 42, 0, 1480, 1);
  icmp.sport = 8;
  assert_int_equal(frag_observe(&tr, &icmp, T0, &w), FRAG_FINE);
  assert_int_equal(frag_ports(&tr, &icmp, &sp, &dp), 0);
  /* Nor of a datagram that shares the slot without having been seen. */
  uint32_t b = 0;
  for (uint32_t id = 41; id < 8 * FRAG_SLOTS && !b; id++)
    if (replaces(40, id))
      b = id;
  assert_true(b != 0);
  frag_free(&tr);
  frag_init(&tr);
  assert_int_equal(frag_observe(&tr, &first, T0, &w), FRAG_FINE);
  other.ip_id = b;
  assert_int_equal(frag_ports(&tr, &other, &sp, &dp), 0);
  /* An empty tracker knows nothing. */
  struct frag_tracker empty;
  frag_init(&empty);
  assert_int_equal(frag_ports(&empty, &later, &sp, &dp), 0);
  frag_free(&empty);
}

static void test_many_ranges(void **state) {
  (void)state;
  /* FRAG_RANGES fragments remembered; more do not break anything. */
  for (uint32_t i = 0; i < FRAG_RANGES + 8; i++)
    assert_int_equal(see(24, i * 8, 8, T0, NULL), FRAG_FINE);
  uint32_t with;
  assert_int_equal(see(24, 4, 8, T0, &with), FRAG_OVERLAP);
  assert_int_equal(with, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_in_order_and_touching, setup, teardown),
      cmocka_unit_test_setup_teardown(test_exact_repeats, setup, teardown),
      cmocka_unit_test_setup_teardown(test_partial_overlap, setup, teardown),
      cmocka_unit_test_setup_teardown(test_contained, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reported_once, setup, teardown),
      cmocka_unit_test_setup_teardown(test_datagrams_apart, setup, teardown),
      cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ping_of_death_v4, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ping_of_death_v6, setup, teardown),
      cmocka_unit_test_setup_teardown(test_slot_replacement, setup, teardown),
      cmocka_unit_test_setup_teardown(test_slot_shared_by_field, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ping_of_death_once, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ports_from_first_fragment, setup, teardown),
      cmocka_unit_test_setup_teardown(test_many_ranges, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
