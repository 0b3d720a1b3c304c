/* detect/leak/card.c — confirm card numbers in a run of digits. */
#include "detect/leak/card.h"

#include "detect/leak/issuer.h"
#include "detect/leak/redact.h"

static bool is_sep(uint8_t c) { return c == ' ' || c == '-'; }

static bool is_hex(uint8_t c) {
  return leak_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool leak_luhn_ok(const char *digits, size_t n) {
  unsigned sum = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned v = (unsigned)(digits[n - 1 - i] - '0');
    if (i & 1) { /* every second digit from the right, doubled */
      v *= 2;
      if (v > 9)
        v -= 9;
    }
    sum += v;
  }
  return n > 0 && sum % 10 == 0;
}

bool leak_card_is_toy(const char *digits, size_t n) {
  bool same = true, up = true, down = true;
  for (size_t i = 1; i < n; i++) {
    int a = digits[i - 1] - '0', b = digits[i] - '0';
    same = same && a == b;
    up = up && b == (a + 1) % 10;
    down = down && a == (b + 1) % 10;
  }
  return same || up || down;
}

/* Whether the byte before a run lets it be a number of its own. May move
 * *a past the two hex digits of a %-escape ("%204111…" is " 4111…"). */
static bool left_ok(const uint8_t *p, size_t n, size_t *a) {
  size_t i = *a;
  if (i == 0)
    return true;
  uint8_t c = p[i - 1];
  if (c == '%') {
    /* "%204111…": the escape's two digits are glued to the number */
    if (i + 2 < n && leak_is_digit(p[i + 1]) && leak_is_digit(p[i + 2]))
      *a = i + 2;
    return true;
  }
  if (i >= 3 && p[i - 3] == '%' && is_hex(p[i - 2]) && is_hex(c))
    return true; /* "%3D4111…": the escape ends in a hex letter */
  if (leak_is_alnum(c) || c == '_' || c == '+')
    return false;
  if (c == '.' && i >= 2 && leak_is_digit(p[i - 2]))
    return false; /* the fraction of a decimal number */
  return true;
}

static bool right_ok(const uint8_t *p, size_t n, size_t e) {
  if (e >= n)
    return true;
  uint8_t c = p[e];
  if (leak_is_alnum(c) || c == '_')
    return false;
  if (c == '.' && e + 1 < n && leak_is_digit(p[e + 1]))
    return false; /* a decimal number */
  return true;
}

/* Groups joined by one separator. */
struct chain {
  size_t start;
  uint8_t sep;
  unsigned n;
  unsigned lens[5];
};

static void chain_add(struct chain *c, size_t len) {
  if (c->n < 5)
    c->lens[c->n] = (unsigned)(len > 99 ? 99 : len);
  c->n++;
}

/* 4-4-4-4, 4-4-4-4-3, 4-4-4-1..4 (the digit count is checked later) and
 * 4-6-5 or 4-6-4 as Amex and Diners print them. */
static bool chain_is_card(const struct chain *c) {
  if (c->n == 3)
    return c->lens[0] == 4 && c->lens[1] == 6 && (c->lens[2] == 4 || c->lens[2] == 5);
  if (c->n != 4 && c->n != 5)
    return false;
  for (unsigned i = 0; i + 1 < c->n; i++)
    if (c->lens[i] != 4)
      return false;
  return c->lens[c->n - 1] >= 1 && c->lens[c->n - 1] <= 4;
}

static void candidate(struct leak_scratch *s, size_t from, size_t to) {
  char d[19];
  size_t nd = 0;
  for (size_t i = from; i < to; i++) {
    if (!leak_is_digit(s->p[i]))
      continue;
    if (nd == sizeof d)
      return;
    d[nd++] = (char)s->p[i];
  }
  int issuer = leak_issuer_of(d, nd);
  if (issuer < 0 || !leak_luhn_ok(d, nd) || leak_card_is_toy(d, nd))
    return;
  struct leak_hit h = {.kind = LEAK_CARD, .pattern = (uint32_t)issuer,
                       .offset = from, .length = to - from};
  leak_redact_card(d, nd, h.evidence);
  leak_emit(s, &h);
}

size_t leak_card_run(struct leak_scratch *s, size_t last_digit) {
  const uint8_t *p = s->p;
  size_t n = s->n, a = last_digit;
  /* Back to the start of the run: a few bytes, as the regex fires on its
   * 13th digit and every run is examined once. */
  for (;;) {
    if (a >= 1 && leak_is_digit(p[a - 1]))
      a--;
    else if (a >= 2 && is_sep(p[a - 1]) && leak_is_digit(p[a - 2]))
      a -= 2;
    else
      break;
  }
  bool left = left_ok(p, n, &a);
  struct chain c = {0};
  uint8_t prev_sep = 0;
  size_t i = a;
  while (i < n && leak_is_digit(p[i])) {
    size_t gs = i;
    while (i < n && leak_is_digit(p[i]))
      i++;
    size_t glen = i - gs;
    uint8_t sep = (i + 1 < n && is_sep(p[i]) && leak_is_digit(p[i + 1])) ? p[i] : 0;
    bool edge_ok = (gs != a || left) && (sep != 0 || right_ok(p, n, i));
    /* One group: not glued by dashes to more digits (an id like
     * 12-4111111111111111 is one token). */
    if (glen >= 13 && glen <= 19 && prev_sep != '-' && sep != '-' && edge_ok)
      candidate(s, gs, i);
    if (c.n > 0)
      chain_add(&c, glen); /* joined to the chain by c.sep */
    if (c.n > 0 && sep != c.sep) { /* the chain ends with this group */
      if (c.n >= 2 && chain_is_card(&c) && (c.start != a || left) &&
          (sep != 0 || right_ok(p, n, i)))
        candidate(s, c.start, i);
      c.n = 0;
    }
    if (c.n == 0 && sep) {
      c.start = gs;
      c.sep = sep;
      c.n = 0;
      chain_add(&c, glen);
    }
    if (!sep || s->stopped)
      break;
    prev_sep = sep;
    i++; /* over the separator */
  }
  return i;
}
