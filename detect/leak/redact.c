/* detect/leak/redact.c — redacted evidence for leak hits. */
#include "detect/leak/redact.h"

#include <string.h>

static char printable(uint8_t c) { return (c >= 0x20 && c < 0x7f) ? (char)c : '.'; }

void leak_redact_card(const char *digits, size_t n, char out[64]) {
  /* Group sizes: 4-6-rest (Amex, Diners 14) or fours. */
  size_t groups[8], ng = 0;
  if (n == 14 || n == 15) {
    groups[ng++] = 4;
    groups[ng++] = 6;
    groups[ng++] = n - 10;
  } else {
    for (size_t left = n; left > 0 && ng < 8; left -= groups[ng - 1])
      groups[ng++] = left < 4 ? left : 4;
  }
  size_t o = 0, i = 0;
  for (size_t g = 0; g < ng; g++) {
    if (g > 0)
      out[o++] = ' ';
    for (size_t k = 0; k < groups[g] && i < n && o < 62; k++, i++)
      out[o++] = (i < 6 || i + 4 >= n) ? digits[i] : '*';
  }
  out[o] = '\0';
}

void leak_redact_token(const uint8_t *s, size_t n, char out[64]) {
  size_t keep = n > 12 ? 4 : n / 6; /* at most a third of a short token */
  size_t o = 0;
  for (size_t i = 0; i < keep; i++)
    out[o++] = printable(s[i]);
  memcpy(out + o, "\xe2\x80\xa6", 3); /* U+2026 HORIZONTAL ELLIPSIS */
  o += 3;
  for (size_t i = n - keep; i < n; i++)
    out[o++] = printable(s[i]);
  out[o] = '\0';
}

void leak_redact_text(const uint8_t *s, size_t n, char out[64]) {
  size_t o = 0;
  for (size_t i = 0; i < n && o < 63; i++)
    out[o++] = printable(s[i]);
  out[o] = '\0';
}
