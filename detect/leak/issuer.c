/* detect/leak/issuer.c — card schemes by IIN prefix and length. */
#include "detect/leak/issuer.h"

#include <stdint.h>

#define LEN(n) (1u << (n))
#define LENS(lo, hi) (((1u << ((hi) + 1)) - 1) & ~((1u << (lo)) - 1))

/* A range of prefixes of `digits` digits, and the lengths allowed with it.
 * The first entry whose prefix and length both fit wins, so narrower ranges
 * come before the wider ones they sit in. */
struct iin_range {
  uint32_t lo, hi;
  uint8_t digits;
  uint8_t issuer;
  uint32_t lengths; /* bit n set: n digits allowed */
};

static const struct iin_range ranges[] = {
    {4, 4, 1, LEAK_ISSUER_VISA, LEN(13) | LEN(16) | LEN(19)},
    {2200, 2204, 4, LEAK_ISSUER_MIR, LENS(16, 19)},
    {2221, 2720, 4, LEAK_ISSUER_MASTERCARD, LEN(16)},
    {51, 55, 2, LEAK_ISSUER_MASTERCARD, LEN(16)},
    {34, 34, 2, LEAK_ISSUER_AMEX, LEN(15)},
    {37, 37, 2, LEAK_ISSUER_AMEX, LEN(15)},
    {6011, 6011, 4, LEAK_ISSUER_DISCOVER, LENS(16, 19)},
    {644, 649, 3, LEAK_ISSUER_DISCOVER, LENS(16, 19)},
    {6521, 6522, 4, LEAK_ISSUER_RUPAY, LEN(16)},
    {65, 65, 2, LEAK_ISSUER_DISCOVER, LENS(16, 19)},
    {3528, 3589, 4, LEAK_ISSUER_JCB, LENS(16, 19)},
    {300, 305, 3, LEAK_ISSUER_DINERS, LENS(14, 19)},
    {3095, 3095, 4, LEAK_ISSUER_DINERS, LENS(14, 19)},
    {36, 36, 2, LEAK_ISSUER_DINERS, LENS(14, 19)},
    {38, 39, 2, LEAK_ISSUER_DINERS, LENS(14, 19)},
    {62, 62, 2, LEAK_ISSUER_UNIONPAY, LENS(16, 19)},
    {5019, 5019, 4, LEAK_ISSUER_DANKORT, LEN(16)},
    {5018, 5018, 4, LEAK_ISSUER_MAESTRO, LENS(13, 19)},
    {5020, 5020, 4, LEAK_ISSUER_MAESTRO, LENS(13, 19)},
    {5038, 5038, 4, LEAK_ISSUER_MAESTRO, LENS(13, 19)},
    {5893, 5893, 4, LEAK_ISSUER_MAESTRO, LENS(13, 19)},
    {6304, 6304, 4, LEAK_ISSUER_MAESTRO, LENS(13, 19)},
    {6759, 6759, 4, LEAK_ISSUER_MAESTRO, LENS(13, 19)},
    {6761, 6763, 4, LEAK_ISSUER_MAESTRO, LENS(13, 19)},
    {508, 508, 3, LEAK_ISSUER_RUPAY, LEN(16)},
    {9792, 9792, 4, LEAK_ISSUER_TROY, LEN(16)},
};

int leak_issuer_of(const char *digits, size_t n) {
  if (n < 13 || n > 19)
    return -1;
  uint32_t prefix[7] = {0}; /* prefix[k]: the first k digits as a number */
  for (int k = 1; k <= 6; k++)
    prefix[k] = prefix[k - 1] * 10 + (uint32_t)(digits[k - 1] - '0');
  for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
    const struct iin_range *r = &ranges[i];
    uint32_t v = prefix[r->digits];
    if (v >= r->lo && v <= r->hi && (r->lengths & LEN(n)))
      return r->issuer;
  }
  return -1;
}

const char *leak_issuer_name(enum leak_issuer i) {
  static const char *const names[LEAK_ISSUER_COUNT] = {
      [LEAK_ISSUER_VISA] = "visa",         [LEAK_ISSUER_MASTERCARD] = "mastercard",
      [LEAK_ISSUER_AMEX] = "amex",         [LEAK_ISSUER_DISCOVER] = "discover",
      [LEAK_ISSUER_JCB] = "jcb",           [LEAK_ISSUER_DINERS] = "diners",
      [LEAK_ISSUER_UNIONPAY] = "unionpay", [LEAK_ISSUER_MAESTRO] = "maestro",
      [LEAK_ISSUER_DANKORT] = "dankort",   [LEAK_ISSUER_MIR] = "mir",
      [LEAK_ISSUER_RUPAY] = "rupay",       [LEAK_ISSUER_TROY] = "troy",
  };
  return (unsigned)i < LEAK_ISSUER_COUNT ? names[i] : "card";
}
