/* tests/unit/test_l7_ssh.c — the SSH probe: banners either way round, the
 * protocol versions, text a server sends before its banner, cut banners,
 * and what is not SSH. Payloads are copied into exact-size buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect/l7/l7.h"

#define TCP 6
#define UDP 17

struct run {
  union l7_scratch s;
  struct l7_facts f;
  uint8_t conf;
};

static int feed_raw(struct run *r, const void *data, size_t len, uint8_t dir,
                    uint8_t proto, uint16_t port) {
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, data, len);
  struct l7_pkt p = {copy, len, proto, dir, 50022, port};
  int v = l7_probe_ssh(&p, &r->s, &r->f, &r->conf);
  free(copy);
  return v;
}

static int feed(struct run *r, const char *s, uint8_t dir, uint16_t port) {
  return feed_raw(r, s, strlen(s), dir, TCP, port);
}

static const char SERVER[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u5\r\n";
static const char CLIENT[] = "SSH-2.0-OpenSSH_9.7\r\n";

static void test_server_first(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, SERVER, 1, 22), L7_MATCH);
  assert_int_equal(r.conf, 95);
  assert_string_equal(r.f.u.ssh.server, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u5");
  assert_string_equal(r.f.u.ssh.client, "");
  assert_int_equal(feed(&r, CLIENT, 0, 22), L7_DONE);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.ssh.client, "SSH-2.0-OpenSSH_9.7");
}

static void test_client_first(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, CLIENT, 0, 2222), L7_MATCH);
  assert_int_equal(r.conf, 90);
  assert_string_equal(r.f.u.ssh.client, "SSH-2.0-OpenSSH_9.7");
  /* Its key exchange follows in the same direction: nothing new. */
  static const uint8_t kex[] = {0x00, 0x00, 0x05, 0xdc, 0x08, 0x14, 0xad, 0x6f};
  assert_int_equal(feed_raw(&r, kex, sizeof kex, 0, TCP, 2222), L7_MATCH);
  assert_int_equal(feed(&r, SERVER, 1, 2222), L7_DONE);
  assert_string_equal(r.f.u.ssh.server, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u5");
}

static void test_versions(void **state) {
  (void)state;
  static const char *const ok[] = {"SSH-1.99-OpenSSH_3.9p1\r\n", "SSH-1.5-Cisco-1.25\r\n",
                                   "SSH-2.0-dropbear_2018.76\n", "SSH-2.0-Go\r\n"};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    struct run r = {0};
    assert_int_equal(feed(&r, ok[i], 1, 22), L7_MATCH);
    assert_true(strncmp(r.f.u.ssh.server, ok[i], strlen(r.f.u.ssh.server)) == 0);
    assert_int_equal(strcspn(r.f.u.ssh.server, "\r\n"), strlen(r.f.u.ssh.server));
  }
  static const char *const bad[] = {"SSH-3.0-x\r\n", "SSH-2-x\r\n", "SSH-2.0 x\r\n",
                                    "SSH-2.0- x\r\n", "ssh-2.0-x\r\n", "SSH-2.0-a\x01z\r\n",
                                    "SSH-2.1234-x\r\n"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct run r = {0};
    int v = feed(&r, bad[i], 1, 22);
    if (v == L7_MATCH || v == L7_DONE)
      fail_msg("claimed %s", bad[i]);
  }
}

static void test_pre_banner_lines(void **state) {
  (void)state;
  /* RFC 4253 §4.2: the server may send lines before its version. */
  struct run r = {0};
  assert_int_equal(feed(&r, " ____\n< Hi stranger >\n ----\n", 1, 22), L7_MORE);
  assert_int_equal(feed(&r, "   \\  more art\r\nSSH-2.0-OpenSSH_9.2p1\r\n", 1, 22), L7_MATCH);
  assert_string_equal(r.f.u.ssh.server, "SSH-2.0-OpenSSH_9.2p1");

  /* Lines and banner in one packet, the banner's key exchange after it. */
  static const char one[] = "Welcome\r\nAuthorized use only\r\nSSH-2.0-srv\r\n\x00\x00\x01\x0c";
  struct run r2 = {0};
  assert_int_equal(feed_raw(&r2, one, sizeof one - 1, 1, TCP, 22), L7_MATCH);
  assert_string_equal(r2.f.u.ssh.server, "SSH-2.0-srv");

  /* After the client's banner, server text before its own is fine too. */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, CLIENT, 0, 22), L7_MATCH);
  assert_int_equal(feed(&r3, "please wait\r\n", 1, 22), L7_MATCH);
  assert_int_equal(feed(&r3, SERVER, 1, 22), L7_DONE);
}

static void test_cut_and_long_banners(void **state) {
  (void)state;
  /* Every prefix: undecided until "SSH-2.0-" and one character. */
  for (size_t n = 1; n <= strlen(CLIENT); n++) {
    struct run r = {0};
    int v = feed_raw(&r, CLIENT, n, 0, TCP, 22);
    assert_int_equal(v, n < 9 ? L7_MORE : L7_MATCH);
    if (n >= 9)
      assert_true(strncmp(r.f.u.ssh.client, CLIENT, n < 19 ? n : 19) == 0);
  }
  /* A banner longer than the field: cut, terminated. */
  char longb[300] = "SSH-2.0-";
  for (int i = 0; i < 200; i++)
    strcat(longb, "v");
  strcat(longb, "\r\n");
  struct run r = {0};
  assert_int_equal(feed(&r, longb, 1, 22), L7_MATCH);
  assert_int_equal(strlen(r.f.u.ssh.server), sizeof r.f.u.ssh.server - 1);
  /* A line past 255 bytes is no banner (RFC 4253 limit). */
  char huge[400] = "SSH-2.0-";
  for (int i = 0; i < 300; i++)
    strcat(huge, "w");
  strcat(huge, "\r\n");
  struct run r2 = {0};
  assert_int_equal(feed(&r2, huge, 1, 22), L7_NO);
}

static void test_peer_not_ssh(void **state) {
  (void)state;
  struct run r = {0};
  assert_int_equal(feed(&r, SERVER, 1, 22), L7_MATCH);
  static const uint8_t bin[] = {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00};
  assert_int_equal(feed_raw(&r, bin, sizeof bin, 0, TCP, 22), L7_DONE);
  assert_int_equal(r.conf, 70);
  assert_string_equal(r.f.u.ssh.client, "");
}

static void test_not_ssh(void **state) {
  (void)state;
  static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x00, 0x30, 0x01, 0x00, 0x00};
  struct run r = {0};
  assert_int_equal(feed_raw(&r, tls, sizeof tls, 0, TCP, 22), L7_NO);
  static const uint8_t dns[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00,
                                0x00, 0x00, 0x00, 0x00, 0x01, 'a', 0x00, 0x00,
                                0x01, 0x00, 0x01};
  struct run r2 = {0};
  assert_int_equal(feed_raw(&r2, dns, sizeof dns, 0, UDP, 53), L7_NO);
  /* Text from the client side without a banner: not SSH (only a server
   * may send lines before its banner). */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0, 80), L7_NO);
  struct run r5 = {0};
  assert_int_equal(feed(&r5, "EHLO client.example\r\n", 0, 25), L7_NO);
  /* The same from the server side may precede a banner. */
  struct run r6 = {0};
  assert_int_equal(feed(&r6, "220 mail.example ESMTP\r\n", 1, 25), L7_MORE);
  /* A client banner cut short is still waited for. */
  struct run r7 = {0};
  assert_int_equal(feed(&r7, "SSH-2.", 0, 22), L7_MORE);
  /* The banner over UDP is not SSH (RFC 4253 runs over TCP). */
  struct run r4 = {0};
  assert_int_equal(feed_raw(&r4, CLIENT, strlen(CLIENT), 0, UDP, 5353), L7_NO);
}

static void test_random_junk(void **state) {
  (void)state;
  uint32_t x = 99;
  int claimed = 0;
  for (int i = 0; i < 20000; i++) {
    uint8_t b[64];
    size_t n = 1 + (size_t)(i % 64);
    for (size_t k = 0; k < n; k++) {
      x = x * 1103515245u + 12345u;
      b[k] = (uint8_t)(x >> 16);
    }
    struct run r = {0};
    int v = feed_raw(&r, b, n, (uint8_t)(i & 1), TCP, 22);
    claimed += v == L7_MATCH || v == L7_DONE;
  }
  assert_int_equal(claimed, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_server_first),
      cmocka_unit_test(test_client_first),
      cmocka_unit_test(test_versions),
      cmocka_unit_test(test_pre_banner_lines),
      cmocka_unit_test(test_cut_and_long_banners),
      cmocka_unit_test(test_peer_not_ssh),
      cmocka_unit_test(test_not_ssh),
      cmocka_unit_test(test_random_junk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
