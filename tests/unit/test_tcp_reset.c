/* Unit tests of enforce/tcp_reset: the two resets of a dropped segment
 * carry the sequence numbers each end expects and correct checksums;
 * packets that lie about their lengths are refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "enforce/tcp_reset.h"

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* 10.0.0.1:40000 -> 10.0.0.2:8080, seq 1000, ack 5000, these flags,
 * `payload` bytes of data (checksums left 0: the parser does not check
 * them, the kernel did). */
static size_t segment(uint8_t *p, uint8_t flags, size_t payload) {
  memset(p, 0, 80);
  size_t total = 20 + 20 + payload;
  p[0] = 0x45;
  p[2] = (uint8_t)(total >> 8);
  p[3] = (uint8_t)total;
  p[8] = 64;
  p[9] = 6;
  memcpy(p + 12, (uint8_t[]){10, 0, 0, 1, 10, 0, 0, 2}, 8);
  uint8_t *t = p + 20;
  t[0] = 40000 >> 8;
  t[1] = 40000 & 255;
  t[2] = 8080 >> 8;
  t[3] = 8080 & 255;
  memcpy(t + 4, (uint8_t[]){0, 0, 0x03, 0xe8, 0, 0, 0x13, 0x88}, 8); /* 1000, 5000 */
  t[12] = 5 << 4;
  t[13] = flags;
  memset(t + 20, 'x', payload);
  return total;
}

/* The checksum of an IPv4 header and of a 20-byte TCP header, computed
 * the long way (one's complement sum over 16-bit words). */
static int sums_ok(const uint8_t *r) {
  uint32_t sum = 0;
  for (int i = 0; i < 20; i += 2)
    sum += get16(r + i);
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  if (sum != 0xffff)
    return 0;
  sum = 6 + 20;
  for (int i = 12; i < 20; i += 2)
    sum += get16(r + i);
  for (int i = 20; i < 40; i += 2)
    sum += get16(r + i);
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

static void test_resets_of_a_data_segment(void **state) {
  (void)state;
  uint8_t p[80], a[TCP_RESET_MAX], b[TCP_RESET_MAX];
  struct tcp_segment s;
  assert_int_equal(tcp_segment_parse(p, segment(p, 0x18, 12), &s), 0);
  assert_int_equal(s.sport, 40000);
  assert_int_equal(s.dport, 8080);
  assert_int_equal(s.payload_len, 12);
  assert_int_equal(tcp_reset_build(&s, a, b), TCP_RESET_V4_LEN);
  /* To the server, as from the client: the client's next byte. */
  static const uint8_t cli_srv[8] = {10, 0, 0, 1, 10, 0, 0, 2};
  static const uint8_t srv_cli[8] = {10, 0, 0, 2, 10, 0, 0, 1};
  assert_memory_equal(a + 12, cli_srv, 8);
  assert_int_equal(get16(a + 20), 40000);
  assert_int_equal(get16(a + 22), 8080);
  assert_int_equal(get32(a + 24), 1000);
  assert_int_equal(a[33], TCPF_RST | TCPF_ACK);
  /* To the client, as from the server: what the client acknowledged, and
   * the segment acknowledged. */
  assert_memory_equal(b + 12, srv_cli, 8);
  assert_int_equal(get16(b + 20), 8080);
  assert_int_equal(get16(b + 22), 40000);
  assert_int_equal(get32(b + 24), 5000);
  assert_int_equal(get32(b + 28), 1012);
  assert_int_equal(b[33], TCPF_RST | TCPF_ACK);
  assert_int_equal(get16(a + 2), TCP_RESET_V4_LEN);
  assert_true(sums_ok(a));
  assert_true(sums_ok(b));
}

static void test_reset_of_a_syn(void **state) {
  (void)state;
  uint8_t p[80], a[TCP_RESET_MAX], b[TCP_RESET_MAX];
  struct tcp_segment s;
  assert_int_equal(tcp_segment_parse(p, segment(p, TCPF_SYN, 0), &s), 0);
  tcp_reset_build(&s, a, b);
  assert_int_equal(a[33], TCPF_RST);
  assert_int_equal(get32(b + 24), 0);    /* RFC 793: no ACK to answer */
  assert_int_equal(get32(b + 28), 1001); /* the SYN takes one */
  assert_true(sums_ok(a) && sums_ok(b));
}

static void test_probe(void **state) {
  (void)state;
  uint8_t p[TCP_RESET_MAX];
  static const uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
  assert_int_equal(tcp_probe_build(4, a, b, 40000, 8080, p), TCP_RESET_V4_LEN);
  assert_memory_equal(p + 12, a, 4);
  assert_memory_equal(p + 16, b, 4);
  assert_int_equal(get16(p + 20), 40000);
  assert_int_equal(get16(p + 22), 8080);
  assert_int_equal(get32(p + 24), 0);
  assert_int_equal(p[33], TCPF_ACK);
  assert_true(sums_ok(p));
}

/* The same segment over IPv6: fd00::1 -> fd00::2. */
static size_t segment6(uint8_t *p, uint8_t flags, size_t payload) {
  memset(p, 0, 100);
  p[0] = 0x60;
  p[4] = 0;
  p[5] = (uint8_t)(20 + payload);
  p[6] = 6;
  p[7] = 64;
  p[8] = 0xfd;
  p[23] = 1;
  p[24] = 0xfd;
  p[39] = 2;
  uint8_t *t = p + 40;
  t[0] = 40000 >> 8;
  t[1] = 40000 & 255;
  t[2] = 8080 >> 8;
  t[3] = 8080 & 255;
  t[6] = 0x03;
  t[7] = 0xe8; /* 1000 */
  t[10] = 0x13;
  t[11] = 0x88; /* 5000 */
  t[12] = 5 << 4;
  t[13] = flags;
  memset(t + 20, 'x', payload);
  return 40 + 20 + payload;
}

/* The TCP checksum over the IPv6 pseudo-header, the long way. */
static int sums6_ok(const uint8_t *r) {
  uint32_t sum = 6 + 20;
  for (int i = 8; i < 40; i += 2)
    sum += get16(r + i);
  for (int i = 40; i < 60; i += 2)
    sum += get16(r + i);
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

static void test_resets_over_ipv6(void **state) {
  (void)state;
  uint8_t p[100], a[TCP_RESET_MAX], b[TCP_RESET_MAX];
  struct tcp_segment s;
  size_t n = segment6(p, 0x18, 12);
  assert_int_equal(tcp_segment_parse(p, n, &s), 0);
  assert_int_equal(s.family, 6);
  assert_int_equal(s.payload_len, 12);
  assert_int_equal(tcp_reset_build(&s, a, b), TCP_RESET_V6_LEN);
  assert_memory_equal(a + 8, p + 8, 32);       /* client -> server */
  assert_memory_equal(b + 8, p + 24, 16);      /* server -> client */
  assert_memory_equal(b + 24, p + 8, 16);
  assert_int_equal(get16(a + 4), 20);
  assert_int_equal(get32(a + 44), 1000);
  assert_int_equal(get32(b + 44), 5000);
  assert_int_equal(get32(b + 48), 1012);
  assert_int_equal(b[53], TCPF_RST | TCPF_ACK);
  assert_true(sums6_ok(a) && sums6_ok(b));
  assert_int_equal(tcp_probe_build(6, p + 8, p + 24, 40000, 8080, a), TCP_RESET_V6_LEN);
  assert_true(sums6_ok(a));
  /* Lies: a payload length past the bytes, an extension header first. */
  assert_int_equal(tcp_segment_parse(p, n - 1, &s), -EINVAL);
  p[6] = 0; /* hop-by-hop options */
  assert_int_equal(tcp_segment_parse(p, n, &s), -EINVAL);
  segment6(p, 0x18, 12);
  p[52] = 15 << 4; /* data offset 60 in a 32-byte segment */
  assert_int_equal(tcp_segment_parse(p, n, &s), -EINVAL);
}

static void test_lies_are_refused(void **state) {
  (void)state;
  uint8_t p[80];
  struct tcp_segment s;
  size_t n = segment(p, 0x18, 12);
  assert_int_equal(tcp_segment_parse(p, n - 1, &s), -EINVAL); /* total > captured */
  p[32] = 15 << 4;                                              /* data offset 60 */
  assert_int_equal(tcp_segment_parse(p, n, &s), -EINVAL);
  segment(p, 0x18, 12);
  p[0] = 0x4f; /* IP header of 60 bytes in a 52-byte packet */
  assert_int_equal(tcp_segment_parse(p, n, &s), -EINVAL);
  segment(p, 0x18, 12);
  p[9] = 17;
  assert_int_equal(tcp_segment_parse(p, n, &s), -EINVAL);
  segment(p, 0x18, 12);
  p[7] = 1; /* a later fragment */
  assert_int_equal(tcp_segment_parse(p, n, &s), -EINVAL);
  segment(p, 0x18, 12);
  p[0] = 0x65;
  assert_int_equal(tcp_segment_parse(p, n, &s), -EINVAL);
  assert_int_equal(tcp_segment_parse(p, 19, &s), -EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_resets_of_a_data_segment),
      cmocka_unit_test(test_reset_of_a_syn),
      cmocka_unit_test(test_probe),
      cmocka_unit_test(test_resets_over_ipv6),
      cmocka_unit_test(test_lies_are_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
