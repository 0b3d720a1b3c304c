/* tests/unit/test_addr.c — core/addr.h: parsing and formatting both
 * families, CIDR parsing with its refusals, host bits cleared, containment
 * at every prefix length, and the edges of every private range. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/addr.h"

static struct hb_addr A(const char *s) {
  struct hb_addr a;
  if (hb_addr_parse(s, &a) != 0)
    fail_msg("cannot parse %s", s);
  return a;
}

static void expect_fmt(const char *in, const char *want) {
  struct hb_addr a = A(in);
  char out[HB_ADDR_STRLEN];
  assert_string_equal(hb_addr_str(&a, out), want);
  /* And back. */
  struct hb_addr b = A(out);
  assert_true(hb_addr_eq(&a, &b));
  assert_memory_equal(&a, &b, sizeof a);
}

static void test_parse_format(void **state) {
  (void)state;
  struct hb_addr a = A("10.1.2.3");
  assert_int_equal(a.family, 4);
  assert_int_equal(a.b[0], 10);
  assert_int_equal(a.b[3], 3);
  for (int i = 4; i < 16; i++)
    assert_int_equal(a.b[i], 0); /* unused bytes are zero */
  a = A("2001:db8::1");
  assert_int_equal(a.family, 6);
  assert_int_equal(a.b[0], 0x20);
  assert_int_equal(a.b[15], 1);
  expect_fmt("0.0.0.0", "0.0.0.0");
  expect_fmt("255.255.255.255", "255.255.255.255");
  expect_fmt("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
  expect_fmt("::", "::");
  expect_fmt("::1", "::1");
  expect_fmt("FE80::A", "fe80::a");
  expect_fmt("::ffff:10.0.0.1", "::ffff:10.0.0.1");
  expect_fmt("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
             "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  char out[HB_ADDR_STRLEN];
  struct hb_addr unset;
  memset(&unset, 0, sizeof unset);
  assert_string_equal(hb_addr_str(&unset, out), "-");
  /* Refusals leave the address unset. */
  const char *bad[] = {"",          "1.2.3",     "1.2.3.4.5",    "256.1.1.1", "1.2.3.4 ",
                       " 1.2.3.4",  "01.2.3.4x", "1.2.3.4/8",    "::g",       "1:2:3:4:5:6:7:8:9",
                       "1::2::3",   "example",   "fe80::1%eth0", "[::1]",     "-1.2.3.4"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    memset(&a, 0x55, sizeof a);
    if (hb_addr_parse(bad[i], &a) != -EINVAL)
      fail_msg("accepted '%s'", bad[i]);
    assert_int_equal(a.family, 0);
  }
  /* Equality needs the same family. */
  struct hb_addr v4 = A("0.0.0.0"), v6 = A("::");
  assert_false(hb_addr_eq(&v4, &v6));
  assert_true(hb_addr_eq(&v4, &v4));
}

static struct hb_cidr C(const char *s) {
  struct hb_cidr c;
  if (hb_cidr_parse(s, &c) != 0)
    fail_msg("cannot parse %s", s);
  return c;
}

static void expect_cidr(const char *in, const char *net, unsigned len) {
  struct hb_cidr c = C(in);
  char out[HB_ADDR_STRLEN];
  if (strcmp(hb_addr_str(&c.net, out), net) != 0 || c.len != len)
    fail_msg("%s: got %s/%u, want %s/%u", in, out, c.len, net, len);
  struct hb_addr want = A(net);
  assert_memory_equal(&c.net, &want, sizeof want);
}

static void test_cidr_parse(void **state) {
  (void)state;
  expect_cidr("10.0.0.0/8", "10.0.0.0", 8);
  expect_cidr("10.1.2.3/8", "10.0.0.0", 8); /* host bits cleared */
  expect_cidr("10.1.2.3", "10.1.2.3", 32);
  expect_cidr("10.1.2.3/32", "10.1.2.3", 32);
  expect_cidr("10.1.2.3/0", "0.0.0.0", 0);
  expect_cidr("172.31.255.255/12", "172.16.0.0", 12);
  expect_cidr("192.168.1.255/25", "192.168.1.128", 25);
  expect_cidr("192.168.1.255/31", "192.168.1.254", 31);
  expect_cidr("255.255.255.255/1", "128.0.0.0", 1);
  expect_cidr("fd12:3456::1/8", "fd00::", 8);
  expect_cidr("fe80::1:2:3:4/64", "fe80::", 64);
  expect_cidr("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/33", "2001:db8:8000::", 33);
  expect_cidr("::1", "::1", 128);
  expect_cidr("::1/128", "::1", 128);
  expect_cidr("ffff::ffff/127", "ffff::fffe", 127);
  expect_cidr("ffff::ffff/0", "::", 0);
  expect_cidr("10.0.0.0/08", "10.0.0.0", 8);
  const char *bad[] = {"",
                       "/",
                       "/8",
                       "10.0.0.0/",
                       "10.0.0.0/33",
                       "10.0.0.0/-1",
                       "10.0.0.0/8x",
                       "10.0.0.0/x",
                       "10.0.0.0/8/8",
                       "10.0.0.0//8",
                       "10.0.0.0/ 8",
                       "10.0.0.0/+8",
                       "10.0.0.0/99999999999999999999",
                       "::/129",
                       "::/1000",
                       "junk",
                       "junk/8",
                       "10.0.0/8",
                       "10.0.0.0 /8",
                       "fd00::/8 ",
                       "0123456789012345678901234567890123456789012345678901234567890123456789"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct hb_cidr c;
    if (hb_cidr_parse(bad[i], &c) != -EINVAL)
      fail_msg("accepted '%s'", bad[i]);
  }
}

static void test_contains(void **state) {
  (void)state;
  /* Every prefix length of both families against addresses just inside
   * and just outside: flip the bit at position len (outside) or the last
   * bit (inside unless len is full). */
  const char *bases[] = {"203.0.113.77", "2001:db8:abcd:12::ff:7"};
  for (int f = 0; f < 2; f++) {
    struct hb_addr base = A(bases[f]);
    unsigned width = base.family == 4 ? 32 : 128;
    for (unsigned len = 0; len <= width; len++) {
      char text[80], out[HB_ADDR_STRLEN];
      snprintf(text, sizeof text, "%s/%u", hb_addr_str(&base, out), len);
      struct hb_cidr c = C(text);
      assert_int_equal(c.len, len);
      assert_true(hb_cidr_contains(&c, &base));
      /* The network address itself. */
      assert_true(hb_cidr_contains(&c, &c.net));
      for (unsigned bit = 0; bit < width; bit++) {
        struct hb_addr x = base;
        x.b[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
        bool want = bit >= len;
        if (hb_cidr_contains(&c, &x) != want)
          fail_msg("%s contains %s flipped at bit %u: want %d", text, bases[f], bit, want);
      }
      /* Host bits of the stored net are zero. */
      for (unsigned bit = len; bit < width; bit++)
        assert_int_equal(c.net.b[bit / 8] & (0x80u >> (bit % 8)), 0);
    }
  }
  /* Families never mix, not even ::/0 and 0.0.0.0/0. */
  struct hb_cidr all4 = C("0.0.0.0/0"), all6 = C("::/0");
  struct hb_addr v4 = A("1.2.3.4"), v6 = A("::1.2.3.4");
  assert_true(hb_cidr_contains(&all4, &v4));
  assert_false(hb_cidr_contains(&all4, &v6));
  assert_true(hb_cidr_contains(&all6, &v6));
  assert_false(hb_cidr_contains(&all6, &v4));
  struct hb_addr unset;
  memset(&unset, 0, sizeof unset);
  assert_false(hb_cidr_contains(&all4, &unset));
  /* Odd lengths by hand. */
  struct hb_cidr c = C("100.64.0.0/10");
  assert_true(hb_cidr_contains(&c, &(struct hb_addr){4, {100, 127, 255, 255}}));
  assert_false(hb_cidr_contains(&c, &(struct hb_addr){4, {100, 128, 0, 0}}));
  assert_false(hb_cidr_contains(&c, &(struct hb_addr){4, {100, 63, 255, 255}}));
  c = C("fe80::/10");
  assert_true(hb_cidr_contains(&c, &(struct hb_addr){6, {0xfe, 0xbf, 0xff}}));
  assert_false(hb_cidr_contains(&c, &(struct hb_addr){6, {0xfe, 0xc0}}));
}

static void expect_private(const char *s, bool want) {
  struct hb_addr a = A(s);
  if (hb_addr_is_private(&a) != want)
    fail_msg("%s: private should be %d", s, want);
}

static void test_private(void **state) {
  (void)state;
  expect_private("9.255.255.255", false);
  expect_private("10.0.0.0", true);
  expect_private("10.255.255.255", true);
  expect_private("11.0.0.0", false);
  expect_private("126.255.255.255", false);
  expect_private("127.0.0.1", true);
  expect_private("127.255.255.255", true);
  expect_private("128.0.0.0", false);
  expect_private("172.15.255.255", false);
  expect_private("172.16.0.0", true);
  expect_private("172.20.1.1", true);
  expect_private("172.31.255.255", true);
  expect_private("172.32.0.0", false);
  expect_private("192.167.255.255", false);
  expect_private("192.168.0.0", true);
  expect_private("192.168.255.255", true);
  expect_private("192.169.0.0", false);
  expect_private("169.253.255.255", false);
  expect_private("169.254.0.0", true);
  expect_private("169.254.255.255", true);
  expect_private("169.255.0.0", false);
  expect_private("100.63.255.255", false);
  expect_private("100.64.0.0", true);
  expect_private("100.127.255.255", true);
  expect_private("100.128.0.0", false);
  expect_private("8.8.8.8", false);
  expect_private("0.0.0.0", false);
  expect_private("255.255.255.255", false);
  expect_private("::1", true);
  expect_private("::", false);
  expect_private("::2", false);
  expect_private("0:0:0:0:0:0:0:1", true);
  expect_private("1::1", false);
  expect_private("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false);
  expect_private("fc00::", true);
  expect_private("fd12:3456::1", true);
  expect_private("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true);
  expect_private("fe00::", false);
  expect_private("fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false);
  expect_private("fe80::", true);
  expect_private("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true);
  expect_private("fec0::", false);
  expect_private("2001:db8::1", false);
  expect_private("ff02::1", false);
  struct hb_addr unset;
  memset(&unset, 0, sizeof unset);
  assert_false(hb_addr_is_private(&unset));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_format),
      cmocka_unit_test(test_cidr_parse),
      cmocka_unit_test(test_contains),
      cmocka_unit_test(test_private),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
