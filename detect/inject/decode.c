/* detect/inject/decode.c — URL, HTML, JS/CSS decoding and normalising
 * (see decode.h). Every decoder reads an escape completely before writing
 * what it stands for, and what it writes is never longer than the escape,
 * which is what makes decoding in place safe. */
#include "detect/inject/decode.h"

#include <string.h>
#include <strings.h>

static int hexval(uint8_t c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Fullwidth ASCII (U+FF01..FF5E) is folded to ASCII: some back ends
 * normalise it, and "＜script＞" must look like what it becomes. */
static uint32_t fold_fullwidth(uint32_t cp) {
  return (cp >= 0xFF01 && cp <= 0xFF5E) ? cp - 0xFEE0 : cp;
}

/* Length of cp in UTF-8; 0 for what must not be written. */
static size_t utf8_len(uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* Write cp at out[*j] if it fits in cap; returns 0 when it did not fit. */
static int put_cp(uint8_t *out, size_t cap, size_t *j, uint32_t cp) {
  cp = fold_fullwidth(cp);
  size_t k = utf8_len(cp);
  if (k == 0)
    return 1; /* dropped on purpose */
  if (*j + k > cap)
    return 0;
  uint8_t *o = out + *j;
  if (k == 1) {
    o[0] = (uint8_t)cp;
  } else if (k == 2) {
    o[0] = (uint8_t)(0xC0 | (cp >> 6));
    o[1] = (uint8_t)(0x80 | (cp & 0x3F));
  } else if (k == 3) {
    o[0] = (uint8_t)(0xE0 | (cp >> 12));
    o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (uint8_t)(0x80 | (cp & 0x3F));
  } else {
    o[0] = (uint8_t)(0xF0 | (cp >> 18));
    o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (uint8_t)(0x80 | (cp & 0x3F));
  }
  *j += k;
  return 1;
}

/* Parse exactly k hex digits at s[i]; -1 if any is not one. */
static long hex_run(const uint8_t *s, size_t n, size_t i, size_t k) {
  if (n - i < k)
    return -1;
  long v = 0;
  for (size_t m = 0; m < k; m++) {
    int h = hexval(s[i + m]);
    if (h < 0)
      return -1;
    v = v * 16 + h;
  }
  return v;
}

size_t inj_url_decode(const uint8_t *s, size_t n, uint8_t *out, size_t cap,
                      int plus_is_space) {
  size_t i = 0, j = 0;
  while (i < n && j < cap) {
    uint8_t c = s[i];
    if (c == '%' && i + 1 < n) {
      long v;
      if ((s[i + 1] == 'u' || s[i + 1] == 'U') &&
          (v = hex_run(s, n, i + 2, 4)) >= 0) {
        i += 6;
        if (!put_cp(out, cap, &j, (uint32_t)v))
          break;
        continue;
      }
      if ((v = hex_run(s, n, i + 1, 2)) >= 0) {
        out[j++] = (uint8_t)v;
        i += 3;
        continue;
      }
    }
    out[j++] = (c == '+' && plus_is_space) ? ' ' : c;
    i++;
  }
  return j;
}

struct entity {
  const char *name;
  uint16_t cp;
  uint8_t bare_ok; /* browsers accept it without ';' */
};

/* The references attackers use to hide markup and JS, plus the common
 * legacy ones. Matched without case. */
static const struct entity entities[] = {
    {"amp", '&', 1},    {"apos", '\'', 0},  {"ast", '*', 0},
    {"bsol", '\\', 0},  {"colon", ':', 0},  {"comma", ',', 0},
    {"commat", '@', 0}, {"copy", 0xA9, 1},  {"dollar", '$', 0},
    {"equals", '=', 0}, {"excl", '!', 0},   {"grave", '`', 0},
    {"gt", '>', 1},     {"hat", '^', 0},    {"lbrace", '{', 0},
    {"lbrack", '[', 0}, {"lcub", '{', 0},   {"lowbar", '_', 0},
    {"lpar", '(', 0},   {"lsqb", '[', 0},   {"lt", '<', 1},
    {"midast", '*', 0}, {"nbsp", 0xA0, 1},  {"newline", '\n', 0},
    {"num", '#', 0},    {"percnt", '%', 0}, {"period", '.', 0},
    {"plus", '+', 0},   {"quest", '?', 0},  {"quot", '"', 1},
    {"rbrace", '}', 0}, {"rbrack", ']', 0}, {"rcub", '}', 0},
    {"reg", 0xAE, 1},   {"rpar", ')', 0},   {"rsqb", ']', 0},
    {"semi", ';', 0},   {"sol", '/', 0},    {"tab", '\t', 0},
    {"verbar", '|', 0}, {"vert", '|', 0},
};

static int is_alnum(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

/* A named reference at s[i] ('&' there). Sets *cp and returns the bytes it
 * spans, or 0 when there is none. */
static size_t named_ref(const uint8_t *s, size_t n, size_t i, uint32_t *cp) {
  size_t k = i + 1;
  while (k < n && k - i <= 8 && is_alnum(s[k]))
    k++;
  size_t len = k - i - 1;
  if (len < 2 || len > 7)
    return 0;
  int semi = k < n && s[k] == ';';
  for (size_t e = 0; e < sizeof entities / sizeof entities[0]; e++) {
    const char *nm = entities[e].name;
    if (strlen(nm) != len || strncasecmp(nm, (const char *)s + i + 1, len))
      continue;
    if (!semi && !entities[e].bare_ok)
      return 0;
    *cp = entities[e].cp;
    return len + 1 + (size_t)semi;
  }
  return 0;
}

/* &#NNN or &#xHHH at s[i], ';' optional. Values past U+10FFFF clamp so that
 * put_cp drops them. */
static size_t numeric_ref(const uint8_t *s, size_t n, size_t i, uint32_t *cp) {
  size_t k = i + 2;
  int hex = k < n && (s[k] == 'x' || s[k] == 'X');
  if (hex)
    k++;
  size_t start = k;
  uint32_t v = 0;
  while (k < n) {
    int d = hex ? hexval(s[k]) : (s[k] >= '0' && s[k] <= '9' ? s[k] - '0' : -1);
    if (d < 0)
      break;
    v = v * (hex ? 16u : 10u) + (uint32_t)d;
    if (v > 0x110000)
      v = 0x110000;
    k++;
  }
  if (k == start)
    return 0;
  if (k < n && s[k] == ';')
    k++;
  *cp = v;
  return k - i;
}

size_t inj_html_decode(const uint8_t *s, size_t n, uint8_t *out, size_t cap) {
  size_t i = 0, j = 0;
  while (i < n && j < cap) {
    if (s[i] == '&' && i + 2 < n) {
      uint32_t cp = 0;
      size_t used = s[i + 1] == '#' ? numeric_ref(s, n, i, &cp)
                                    : named_ref(s, n, i, &cp);
      if (used) {
        i += used;
        if (!put_cp(out, cap, &j, cp))
          break;
        continue;
      }
    }
    out[j++] = s[i++];
  }
  return j;
}

/* One JS or CSS escape at s[i] ('\\' there): returns the bytes it spans and
 * sets *cp, or 0. */
static size_t js_escape(const uint8_t *s, size_t n, size_t i, uint32_t *cp) {
  if (i + 1 >= n)
    return 0;
  uint8_t c = s[i + 1];
  long v;
  if (c == 'x' && (v = hex_run(s, n, i + 2, 2)) >= 0) {
    *cp = (uint32_t)v;
    return 4;
  }
  if (c == 'u' && i + 2 < n && s[i + 2] == '{') {
    size_t k = i + 3;
    uint32_t w = 0;
    while (k < n && k - i < 12 && hexval(s[k]) >= 0)
      w = w * 16 + (uint32_t)hexval(s[k++]);
    if (k == i + 3 || k >= n || s[k] != '}')
      return 0;
    *cp = w > 0x110000 ? 0x110000 : w;
    return k + 1 - i;
  }
  if (c == 'u' && (v = hex_run(s, n, i + 2, 4)) >= 0) {
    *cp = (uint32_t)v;
    return 6;
  }
  if (hexval(c) < 0)
    return 0;
  /* CSS: 1 to 6 hex digits, then one optional white space. */
  size_t k = i + 1;
  uint32_t w = 0;
  while (k < n && k - i <= 6 && hexval(s[k]) >= 0)
    w = w * 16 + (uint32_t)hexval(s[k++]);
  if (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n'))
    k++;
  *cp = w;
  return k - i;
}

size_t inj_js_decode(const uint8_t *s, size_t n, uint8_t *out, size_t cap) {
  size_t i = 0, j = 0;
  while (i < n && j < cap) {
    uint32_t cp = 0;
    size_t used = s[i] == '\\' ? js_escape(s, n, i, &cp) : 0;
    if (used) {
      i += used;
      if (!put_cp(out, cap, &j, cp))
        break;
      continue;
    }
    out[j++] = s[i++];
  }
  return j;
}

/* An overlong or fullwidth form of an ASCII byte at s[i]: returns its
 * length and sets *c, or 0. */
static size_t ascii_alias(const uint8_t *s, size_t n, size_t i, uint8_t *c) {
  uint8_t b = s[i];
  if ((b == 0xC0 || b == 0xC1) && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
    *c = (uint8_t)(((b & 0x1F) << 6) | (s[i + 1] & 0x3F));
    return 2;
  }
  if (i + 2 >= n || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80)
    return 0;
  uint32_t cp = ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) |
                (s[i + 2] & 0x3F);
  if (b == 0xE0 && cp < 0x80) {
    *c = (uint8_t)cp;
    return 3;
  }
  if (b == 0xEF && cp >= 0xFF01 && cp <= 0xFF5E) {
    *c = (uint8_t)(cp - 0xFEE0);
    return 3;
  }
  return 0;
}

size_t inj_normalize(const uint8_t *s, size_t n, uint8_t *out, size_t cap,
                     int nul_is_space) {
  size_t i = 0, j = 0;
  while (i < n && j < cap) {
    uint8_t b = s[i];
    if (b == 0) {
      i++;
      if (nul_is_space)
        out[j++] = ' ';
      continue;
    }
    uint8_t c;
    size_t used = b >= 0xC0 ? ascii_alias(s, n, i, &c) : 0;
    if (used) {
      i += used;
      if (c)
        out[j++] = c;
      else if (nul_is_space)
        out[j++] = ' ';
      continue;
    }
    out[j++] = s[i++];
  }
  return j;
}

static int has_byte(const uint8_t *s, size_t n, uint8_t c) {
  return n && memchr(s, c, n) != NULL;
}

/* Anything inj_normalize would change: NUL, C0/C1, E0, EF lead bytes. */
static int needs_normalize(const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] == 0 || s[i] == 0xC0 || s[i] == 0xC1 || s[i] == 0xE0 ||
        s[i] == 0xEF)
      return 1;
  return 0;
}

size_t inj_decode(const uint8_t *s, size_t n, uint8_t *out, size_t cap,
                  unsigned flags) {
  size_t len = n < cap ? n : cap;
  if (out != s)
    memmove(out, s, len);
  if (flags & INJ_DEC_URL) {
    int plus = (flags & INJ_DEC_PLUS) != 0;
    for (int r = 0; r < INJ_DEC_ROUNDS; r++) {
      if (!has_byte(out, len, '%') && !(plus && has_byte(out, len, '+')))
        break;
      size_t k = inj_url_decode(out, len, out, len, plus);
      if (k == len && !plus)
        break; /* nothing decoded: stable */
      len = k;
      plus = 0;
    }
  }
  if (flags & INJ_DEC_HTML)
    for (int r = 0; r < 2 && has_byte(out, len, '&'); r++) {
      size_t k = inj_html_decode(out, len, out, len);
      if (k == len)
        break;
      len = k;
    }
  if ((flags & INJ_DEC_JS) && has_byte(out, len, '\\'))
    len = inj_js_decode(out, len, out, len);
  if (needs_normalize(out, len))
    len = inj_normalize(out, len, out, len, (flags & INJ_DEC_NUL_SPACE) != 0);
  return len;
}
