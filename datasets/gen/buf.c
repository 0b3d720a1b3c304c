#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

void gen_die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("habit-gen: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

void buf_init(struct buf *b) {
  b->p = NULL;
  b->len = b->cap = 0;
}

void buf_free(struct buf *b) {
  free(b->p);
  buf_init(b);
}

void buf_reset(struct buf *b) { b->len = 0; }

void buf_reserve(struct buf *b, size_t extra) {
  if (b->len + extra <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra) cap *= 2;
  uint8_t *p = realloc(b->p, cap);
  if (!p) gen_die("out of memory (%zu bytes)", cap);
  b->p = p;
  b->cap = cap;
}

void buf_put(struct buf *b, const void *data, size_t n) {
  if (n == 0) return;
  buf_reserve(b, n);
  memcpy(b->p + b->len, data, n);
  b->len += n;
}

void buf_u8(struct buf *b, uint8_t v) { buf_put(b, &v, 1); }

void buf_u16(struct buf *b, uint16_t v) {
  uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
  buf_put(b, x, 2);
}

void buf_u32(struct buf *b, uint32_t v) {
  uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
                  (uint8_t)v};
  buf_put(b, x, 4);
}

void buf_str(struct buf *b, const char *s) { buf_put(b, s, strlen(s)); }

void buf_cstr(struct buf *b, const char *s) { buf_put(b, s, strlen(s) + 1); }

void buf_fmt(struct buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) gen_die("bad format");
  buf_reserve(b, (size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void buf_random(struct buf *b, struct rng *r, size_t n) {
  buf_reserve(b, n);
  rng_bytes(r, b->p + b->len, n);
  b->len += n;
}

void buf_set_u16(struct buf *b, size_t off, uint16_t v) {
  b->p[off] = (uint8_t)(v >> 8);
  b->p[off + 1] = (uint8_t)v;
}

void buf_set_u24(struct buf *b, size_t off, uint32_t v) {
  b->p[off] = (uint8_t)(v >> 16);
  b->p[off + 1] = (uint8_t)(v >> 8);
  b->p[off + 2] = (uint8_t)v;
}

void buf_set_u32(struct buf *b, size_t off, uint32_t v) {
  b->p[off] = (uint8_t)(v >> 24);
  b->p[off + 1] = (uint8_t)(v >> 16);
  b->p[off + 2] = (uint8_t)(v >> 8);
  b->p[off + 3] = (uint8_t)v;
}
