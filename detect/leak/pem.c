/* detect/leak/pem.c — confirm a PEM private key header. */
#include "detect/leak/pem.h"

#include <string.h>

#include "detect/leak/redact.h"

#define PEM_BEGIN "-----BEGIN "
#define PEM_END "PRIVATE KEY-----"

/* What may stand between the two, by enum leak_key. */
static const char *const kinds[LEAK_KEY_COUNT] = {
    [LEAK_KEY_PKCS8] = "",       [LEAK_KEY_RSA] = "RSA ",
    [LEAK_KEY_EC] = "EC ",       [LEAK_KEY_DSA] = "DSA ",
    [LEAK_KEY_OPENSSH] = "OPENSSH ", [LEAK_KEY_ENCRYPTED] = "ENCRYPTED ",
};

const char *leak_key_name(enum leak_key k) {
  static const char *const names[LEAK_KEY_COUNT] = {
      [LEAK_KEY_PKCS8] = "pkcs8", [LEAK_KEY_RSA] = "rsa",
      [LEAK_KEY_EC] = "ec",       [LEAK_KEY_DSA] = "dsa",
      [LEAK_KEY_OPENSSH] = "openssh", [LEAK_KEY_ENCRYPTED] = "encrypted",
  };
  return (unsigned)k < LEAK_KEY_COUNT ? names[k] : "key";
}

static bool is_b64(uint8_t c) { return leak_is_alnum(c) || c == '+' || c == '/'; }

static bool starts_with(const uint8_t *p, size_t n, size_t at, const char *lit) {
  size_t len = strlen(lit);
  return at <= n && n - at >= len && memcmp(p + at, lit, len) == 0;
}

/* Key material after the header at p[at..n). */
static bool body_follows(const uint8_t *p, size_t n, size_t at) {
  if (at == n)
    return true;
  if (starts_with(p, n, at, "\r\n"))
    at += 2;
  else if (starts_with(p, n, at, "\n"))
    at += 1;
  else if (starts_with(p, n, at, "\\r\\n"))
    at += 4;
  else if (starts_with(p, n, at, "\\n"))
    at += 2;
  else
    return false;
  if (starts_with(p, n, at, "Proc-Type:"))
    return true;
  size_t run = 0;
  while (at + run < n && run < 16 && is_b64(p[at + run]))
    run++;
  return run == 16 || at + run == n;
}

void leak_pem_check(struct leak_scratch *s, size_t end) {
  const uint8_t *p = s->p;
  size_t tail = strlen(PEM_BEGIN) + strlen(PEM_END);
  for (int k = 0; k < LEAK_KEY_COUNT; k++) {
    size_t len = tail + strlen(kinds[k]);
    if (end < len)
      continue;
    size_t start = end - len;
    if (!starts_with(p, end, start, PEM_BEGIN) ||
        !starts_with(p, end, start + strlen(PEM_BEGIN), kinds[k]))
      continue;
    if (!body_follows(p, s->n, end))
      return;
    struct leak_hit h = {.kind = LEAK_PRIVATE_KEY, .pattern = (uint32_t)k,
                         .offset = start, .length = len};
    leak_redact_text(p + start, len, h.evidence);
    leak_emit(s, &h);
    return;
  }
}
