#include "config/config_value.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Digits only, no sign, no leading zero (YAML 1.1 reads 010 as octal);
 * values above max are reported as above max, whatever their length. */
static bool parse_decimal(const char *s, size_t len, uint64_t max,
                          uint64_t *out) {
  if (len == 0 || (len > 1 && s[0] == '0'))
    return false;
  uint64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    if (!is_digit(s[i]))
      return false;
    if (v <= max)
      v = v * 10 + (uint64_t)(s[i] - '0');
  }
  *out = v;
  return true;
}

static bool plain(const yaml_node_t *n) {
  return n->type == YAML_SCALAR_NODE && !yw_is_null(n) &&
         n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* "'x'", "a quoted string 'x'", "a list"...: the "got" of a message. */
static const char *got(const yaml_node_t *n, char *out) {
  if (n->type == YAML_SCALAR_NODE && !plain(n) && !yw_is_null(n)) {
    char q[YW_QUOTE_MAX];
    yw_describe(n, q);
    snprintf(out, 2 * YW_QUOTE_MAX, "a quoted string %s", q);
    return out;
  }
  return yw_describe(n, out);
}

int cv_u32(struct yw *w, const yaml_node_t *n, const struct yw_path *p,
           uint32_t lo, uint32_t hi, uint32_t *out) {
  const char *s;
  size_t len;
  uint64_t v = 0;
  if (!plain(n) || !yw_scalar(n, &s, &len) ||
      !parse_decimal(s, len, hi, &v) || v < lo || v > hi) {
    char g[2 * YW_QUOTE_MAX];
    return yw_fail_at(w, n, p, "expected a whole number from %u to %u, got %s",
                      lo, hi, got(n, g));
  }
  *out = (uint32_t)v;
  return 0;
}

/* [+-] digits [. digits] [e [+-] digits], or with the digits after the
 * point only (".5"): decimal, nothing strtod would add (hex, inf, nan). */
static bool decimal_syntax(const char *s, size_t len) {
  size_t i = 0, int_digits = 0, frac_digits = 0;
  if (i < len && (s[i] == '+' || s[i] == '-'))
    i++;
  for (; i < len && is_digit(s[i]); i++)
    int_digits++;
  if (i < len && s[i] == '.')
    for (i++; i < len && is_digit(s[i]); i++)
      frac_digits++;
  if (int_digits + frac_digits == 0)
    return false;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    size_t exp_digits = 0;
    i++;
    if (i < len && (s[i] == '+' || s[i] == '-'))
      i++;
    for (; i < len && is_digit(s[i]); i++)
      exp_digits++;
    if (exp_digits == 0)
      return false;
  }
  return i == len;
}

/* strtod in the C locale, whatever the program's LC_NUMERIC. s is
 * NUL-terminated at a length decimal_syntax accepted. */
static bool to_double(const char *s, double *out) {
  locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
  if (c == (locale_t)0)
    return false;
  char *end = NULL;
  *out = strtod_l(s, &end, c);
  freelocale(c);
  return end && *end == '\0' && isfinite(*out);
}

static bool in_range(double v, const struct cv_range *r) {
  bool above = r->lo_open ? v > r->lo : v >= r->lo;
  bool below = r->hi_open ? v < r->hi : v <= r->hi;
  return above && below;
}

int cv_double(struct yw *w, const yaml_node_t *n, const struct yw_path *p,
              const struct cv_range *r, double *out) {
  const char *s;
  size_t len;
  double v = 0;
  if (!plain(n) || !yw_scalar(n, &s, &len) || !decimal_syntax(s, len) ||
      strlen(s) != len || !to_double(s, &v) || !in_range(v, r)) {
    char g[2 * YW_QUOTE_MAX];
    return yw_fail_at(w, n, p, "expected a number in %c%g, %g%c, got %s",
                      r->lo_open ? '(' : '[', r->lo, r->hi,
                      r->hi_open ? ')' : ']', got(n, g));
  }
  *out = v;
  return 0;
}

static bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
         c == '.' || c == '_' || c == '-';
}

int cv_name(struct yw *w, const yaml_node_t *n, const struct yw_path *p,
            char out[EV_NAME_MAX]) {
  const char *s;
  size_t len;
  char q[2 * YW_QUOTE_MAX];
  if (yw_is_null(n) || !yw_scalar(n, &s, &len))
    return yw_fail_at(w, n, p, "expected a name, got %s", yw_describe(n, q));
  if (len == 0)
    return yw_fail_at(w, n, p, "a name cannot be empty");
  if (len > EV_NAME_MAX - 1)
    return yw_fail_at(w, n, p, "name %s is longer than %d bytes",
                      yw_quote(s, len, q), EV_NAME_MAX - 1);
  for (size_t i = 0; i < len; i++)
    if (!name_char(s[i]))
      return yw_fail_at(w, n, p,
                        "name %s has a character outside [A-Za-z0-9._-]",
                        yw_quote(s, len, q));
  memcpy(out, s, len);
  out[len] = '\0';
  return 0;
}

int cv_mode(struct yw *w, const yaml_node_t *n, const struct yw_path *p,
            uint8_t *out) {
  static const struct {
    const char *word;
    uint8_t mode;
  } modes[] = {{"discover", EV_MODE_DISCOVER},
               {"monitor", EV_MODE_MONITOR},
               {"protect", EV_MODE_PROTECT}};
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
    if (!yw_is_null(n) && yw_scalar_is(n, modes[i].word)) {
      *out = modes[i].mode;
      return 0;
    }
  char q[YW_QUOTE_MAX];
  return yw_fail_at(w, n, p, "expected discover, monitor or protect, got %s",
                    yw_describe(n, q));
}

int cv_proto(struct yw *w, const yaml_node_t *n, const struct yw_path *p,
             uint8_t *out) {
  static const struct {
    const char *word;
    uint8_t proto;
  } protos[] = {{"tcp", 6}, {"udp", 17}, {"any", 0}};
  for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
    if (!yw_is_null(n) && yw_scalar_is(n, protos[i].word)) {
      *out = protos[i].proto;
      return 0;
    }
  char q[YW_QUOTE_MAX];
  return yw_fail_at(w, n, p, "expected tcp, udp or any, got %s",
                    yw_describe(n, q));
}

int cv_port_range(struct yw *w, const yaml_node_t *n,
                  const struct yw_path *p, struct cfg_port_range *out) {
  const char *s;
  size_t len;
  char q[2 * YW_QUOTE_MAX];
  if (yw_is_null(n) || !yw_scalar(n, &s, &len))
    return yw_fail_at(w, n, p,
                      "expected a port (1-65535) or a range 'lo-hi', got %s",
                      yw_describe(n, q));
  const char *dash = memchr(s, '-', len);
  size_t lo_len = dash ? (size_t)(dash - s) : len;
  uint64_t lo = 0, hi = 0;
  bool ok = parse_decimal(s, lo_len, 65535, &lo);
  if (ok && dash)
    ok = parse_decimal(dash + 1, len - lo_len - 1, 65535, &hi);
  else
    hi = lo;
  if (!ok)
    return yw_fail_at(w, n, p,
                      "expected a port (1-65535) or a range 'lo-hi', got %s",
                      yw_quote(s, len, q));
  if (lo < 1 || lo > 65535 || hi < 1 || hi > 65535)
    return yw_fail_at(w, n, p, "port %s is outside 1-65535",
                      yw_quote(s, len, q));
  if (lo > hi)
    return yw_fail_at(w, n, p, "port range %s has lo > hi",
                      yw_quote(s, len, q));
  out->lo = (uint16_t)lo;
  out->hi = (uint16_t)hi;
  return 0;
}

/* Prefix length after the '/': 1 to 3 digits, no leading zero. */
static bool parse_prefix(const char *s, long *len) {
  size_t n = strlen(s);
  uint64_t v = 0;
  if (n == 0 || n > 3 || !parse_decimal(s, n, 999, &v))
    return false;
  *len = (long)v;
  return true;
}

int cv_cidr(struct yw *w, const yaml_node_t *n, const struct yw_path *p,
            bool bare_only, struct hb_cidr *out) {
  const char *what = bare_only ? "an IP address" : "an IP address or CIDR";
  const char *s;
  size_t len;
  char q[2 * YW_QUOTE_MAX], buf[64];
  if (yw_is_null(n) || !yw_scalar(n, &s, &len))
    return yw_fail_at(w, n, p, "expected %s, got %s", what, yw_describe(n, q));
  yw_quote(s, len, q);
  if (len >= sizeof buf || strlen(s) != len)
    return yw_fail_at(w, n, p, "expected %s, got %s", what, q);
  memcpy(buf, s, len + 1);
  char *slash = strchr(buf, '/');
  if (slash && bare_only)
    return yw_fail_at(w, n, p,
                      "expected an IP address, got %s (a prefix belongs "
                      "under cidr or cidrs)",
                      q);
  if (slash)
    *slash = '\0';
  struct hb_addr addr;
  if (hb_addr_parse(buf, &addr) < 0)
    return yw_fail_at(w, n, p, "expected %s, got %s", what, q);
  long width = addr.family == 4 ? 32 : 128, plen = width;
  if (slash && !parse_prefix(slash + 1, &plen))
    return yw_fail_at(w, n, p, "bad prefix length in %s", q);
  if (plen > width)
    return yw_fail_at(w, n, p, "prefix length in %s is longer than %ld", q,
                      width);
  struct hb_cidr c;
  memcpy(buf, s, len + 1);
  if (hb_cidr_parse(buf, &c) < 0) /* cannot happen after the checks above */
    return yw_fail_at(w, n, p, "expected %s, got %s", what, q);
  if (!hb_addr_eq(&c.net, &addr)) {
    char net[HB_ADDR_STRLEN];
    return yw_fail_at(w, n, p, "%s has host bits set (the network is %s/%u)",
                      q, hb_addr_str(&c.net, net), (unsigned)c.len);
  }
  *out = c;
  return 0;
}

int cv_choice(struct yw *w, const yaml_node_t *n, const struct yw_path *p, const char *no,
              const char *yes, bool *out) {
  if (!yw_is_null(n) && (yw_scalar_is(n, no) || yw_scalar_is(n, yes))) {
    *out = yw_scalar_is(n, yes);
    return 0;
  }
  char q[YW_QUOTE_MAX];
  return yw_fail_at(w, n, p, "expected %s or %s, got %s", no, yes, yw_describe(n, q));
}
