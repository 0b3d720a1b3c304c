/* datasets/gen/buf.h — a growable byte buffer for building payloads.
 *
 * Contract: integers are appended in network byte order. Allocation failure
 * ends the program (a generator has nothing better to do); every function
 * leaves b->p valid and b->len exact.
 */
#ifndef HABIT_GEN_BUF_H
#define HABIT_GEN_BUF_H

#include <stddef.h>
#include <stdint.h>

struct rng;

struct buf {
  uint8_t *p;
  size_t len, cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_put(struct buf *b, const void *data, size_t n);
void buf_u8(struct buf *b, uint8_t v);
void buf_u16(struct buf *b, uint16_t v);
void buf_u32(struct buf *b, uint32_t v);
void buf_str(struct buf *b, const char *s);
/* The string and its terminating NUL (PostgreSQL, DNS-free C strings). */
void buf_cstr(struct buf *b, const char *s);
void buf_fmt(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_random(struct buf *b, struct rng *r, size_t n);
/* Overwrite an already appended field: append a zero length, remember its
 * offset, append the body, then patch the length in. */
void buf_set_u16(struct buf *b, size_t off, uint16_t v);
void buf_set_u24(struct buf *b, size_t off, uint32_t v);
void buf_set_u32(struct buf *b, size_t off, uint32_t v);

/* Die with a message (used for impossible states and allocation failure). */
void gen_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
