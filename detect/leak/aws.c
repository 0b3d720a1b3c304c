/* detect/leak/aws.c — confirm AWS access key ids; find their secrets. */
#include "detect/leak/aws.h"

#include <string.h>

#include "detect/leak/redact.h"

#define KEY_ID_LEN 20
#define SECRET_LEN 40

static bool is_b64(uint8_t c) { return leak_is_alnum(c) || c == '+' || c == '/'; }

static bool is_placeholder(const uint8_t *body) {
  bool seen[256] = {false};
  unsigned distinct = 0;
  for (int i = 0; i < 16; i++)
    if (!seen[body[i]]) {
      seen[body[i]] = true;
      distinct++;
    }
  return distinct < 6 || memcmp(body + 9, "EXAMPLE", 7) == 0;
}

static bool secret_ok(const uint8_t *w) {
  bool up = false, low = false, dig = false;
  for (int i = 0; i < SECRET_LEN; i++) {
    up = up || leak_is_upper(w[i]);
    low = low || leak_is_lower(w[i]);
    dig = dig || leak_is_digit(w[i]);
  }
  return up && low && dig;
}

/* Words of the base64 alphabet that start in [from, to). */
static void find_secret(struct leak_scratch *s, size_t from, size_t to) {
  const uint8_t *p = s->p;
  size_t n = s->n, i = from;
  while (i > 0 && i < n && is_b64(p[i - 1]))
    i++; /* from is inside a word that started before: skip it */
  while (i < to && !s->stopped) {
    if (!is_b64(p[i])) {
      i++;
      continue;
    }
    size_t w = i;
    while (i < n && is_b64(p[i]) && i - w <= SECRET_LEN)
      i++;
    /* '=' after the word: the padded end of a longer base64 blob */
    if (i - w == SECRET_LEN && (i == n || p[i] != '=') && w >= s->secret_seen &&
        secret_ok(p + w)) {
      struct leak_hit h = {.kind = LEAK_AWS_SECRET_KEY, .offset = w,
                           .length = SECRET_LEN};
      leak_redact_token(p + w, SECRET_LEN, h.evidence);
      s->secret_seen = i;
      leak_emit(s, &h);
    }
    while (i < n && is_b64(p[i]))
      i++; /* the rest of a longer word */
  }
}

void leak_aws_check(struct leak_scratch *s, size_t end) {
  const uint8_t *p = s->p;
  size_t n = s->n, start = end - KEY_ID_LEN;
  if ((start > 0 && leak_is_alnum(p[start - 1])) || (end < n && leak_is_alnum(p[end])))
    return;
  if (is_placeholder(p + start + 4))
    return;
  struct leak_hit h = {.kind = LEAK_AWS_ACCESS_KEY, .offset = start,
                       .length = KEY_ID_LEN};
  leak_redact_token(p + start, KEY_ID_LEN, h.evidence);
  if (leak_emit(s, &h))
    return;
  size_t from = start > LEAK_AWS_NEAR ? start - LEAK_AWS_NEAR : 0;
  size_t to = end + LEAK_AWS_NEAR < n ? end + LEAK_AWS_NEAR : n;
  find_secret(s, from, to);
}
