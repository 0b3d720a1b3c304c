#include "core/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_init(struct json *j) { memset(j, 0, sizeof *j); }

void json_free(struct json *j) {
  free(j->buf);
  memset(j, 0, sizeof *j);
}

void json_reset(struct json *j) {
  j->len = 0;
  j->depth = 0;
  j->failed = false;
  j->need_comma[0] = false;
}

bool json_failed(const struct json *j) { return j->failed; }

static bool reserve(struct json *j, size_t more) {
  if (j->failed)
    return false;
  if (j->len + more <= j->cap)
    return true;
  size_t cap = j->cap ? j->cap : 1024;
  while (cap < j->len + more)
    cap *= 2;
  char *nb = realloc(j->buf, cap);
  if (!nb) {
    j->failed = true;
    return false;
  }
  j->buf = nb;
  j->cap = cap;
  return true;
}

void json_raw(struct json *j, const char *s, size_t n) {
  if (!reserve(j, n))
    return;
  memcpy(j->buf + j->len, s, n);
  j->len += n;
}

static void put(struct json *j, char c) {
  if (reserve(j, 1))
    j->buf[j->len++] = c;
}

static void write_string(struct json *j, const char *s, size_t n);

/* Before a value: a comma unless it is the first in its container, or it
 * follows a key. Top-level values take none: one value a line, with the
 * newline between them appended raw. */
static void value_prefix(struct json *j) {
  if (j->depth > 0 && j->need_comma[j->depth])
    put(j, ',');
  j->need_comma[j->depth] = true;
}

void json_key(struct json *j, const char *key) {
  value_prefix(j);
  write_string(j, key, strlen(key));
  put(j, ':');
  j->need_comma[j->depth] = false; /* the value after the key takes none */
}

static void open_container(struct json *j, char c) {
  value_prefix(j);
  put(j, c);
  if (j->depth < JSON_MAX_DEPTH)
    j->depth++;
  else
    j->failed = true;
  j->need_comma[j->depth] = false;
}

static void close_container(struct json *j, char c) {
  put(j, c);
  if (j->depth > 0)
    j->depth--;
  j->need_comma[j->depth] = true;
}

void json_obj_begin(struct json *j) { open_container(j, '{'); }
void json_obj_end(struct json *j) { close_container(j, '}'); }
void json_arr_begin(struct json *j) { open_container(j, '['); }
void json_arr_end(struct json *j) { close_container(j, ']'); }

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t len;
  unsigned min;
  if (c < 0x80)
    return 1;
  if ((c & 0xe0) == 0xc0) { len = 2; min = 0x80; c &= 0x1f; }
  else if ((c & 0xf0) == 0xe0) { len = 3; min = 0x800; c &= 0x0f; }
  else if ((c & 0xf8) == 0xf0) { len = 4; min = 0x10000; c &= 0x07; }
  else return 0;
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    c = (c << 6) | (s[i] & 0x3f);
  }
  if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
    return 0;
  return len;
}

static void write_string(struct json *j, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *p = (const unsigned char *)s;
  if (!reserve(j, n + 2))
    return;
  j->buf[j->len++] = '"';
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    const char *esc = NULL;
    switch (c) {
    case '"': esc = "\\\""; break;
    case '\\': esc = "\\\\"; break;
    case '\n': esc = "\\n"; break;
    case '\r': esc = "\\r"; break;
    case '\t': esc = "\\t"; break;
    default: break;
    }
    if (esc) {
      json_raw(j, esc, 2);
      i++;
      continue;
    }
    size_t ul = c < 0x20 || c == 0x7f ? 0 : utf8_len(p + i, n - i);
    if (ul == 0) {
      char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      json_raw(j, u, 6);
      i++;
      continue;
    }
    json_raw(j, s + i, ul);
    i += ul;
  }
  put(j, '"');
}

void json_strn(struct json *j, const char *s, size_t n) {
  value_prefix(j);
  write_string(j, s, n);
}

void json_str(struct json *j, const char *s) { json_strn(j, s, strlen(s)); }

void json_u64(struct json *j, uint64_t v) {
  char b[24];
  value_prefix(j);
  int n = snprintf(b, sizeof b, "%llu", (unsigned long long)v);
  json_raw(j, b, (size_t)n);
}

void json_i64(struct json *j, int64_t v) {
  char b[24];
  value_prefix(j);
  int n = snprintf(b, sizeof b, "%lld", (long long)v);
  json_raw(j, b, (size_t)n);
}

void json_double(struct json *j, double v) {
  if (!isfinite(v)) {
    json_null(j);
    return;
  }
  char b[32];
  value_prefix(j);
  int n = snprintf(b, sizeof b, "%.6g", v);
  json_raw(j, b, (size_t)n);
}

void json_bool(struct json *j, bool v) {
  value_prefix(j);
  json_raw(j, v ? "true" : "false", v ? 4 : 5);
}

void json_null(struct json *j) {
  value_prefix(j);
  json_raw(j, "null", 4);
}

void json_kstr(struct json *j, const char *key, const char *s) {
  json_key(j, key);
  json_str(j, s);
}

void json_ku64(struct json *j, const char *key, uint64_t v) {
  json_key(j, key);
  json_u64(j, v);
}

void json_kdouble(struct json *j, const char *key, double v) {
  json_key(j, key);
  json_double(j, v);
}
