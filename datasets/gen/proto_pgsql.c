#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "proto.h"
#include "rng.h"

/* Backend and frontend messages: type byte, int32 length that counts itself
 * but not the type byte, body. */
static size_t msg_begin(struct buf *b, char type) {
  buf_u8(b, (uint8_t)type);
  size_t at = b->len;
  buf_u32(b, 0);
  return at;
}

static void msg_end(struct buf *b, size_t at) {
  buf_set_u32(b, at, (uint32_t)(b->len - at));
}

void pg_startup(struct buf *b, const char *user, const char *database,
                const char *application) {
  size_t at = b->len;
  buf_u32(b, 0);
  buf_u32(b, 196608); /* protocol 3.0 */
  buf_cstr(b, "user");
  buf_cstr(b, user);
  buf_cstr(b, "database");
  buf_cstr(b, database);
  buf_cstr(b, "application_name");
  buf_cstr(b, application);
  buf_cstr(b, "client_encoding");
  buf_cstr(b, "UTF8");
  buf_u8(b, 0);
  buf_set_u32(b, at, (uint32_t)(b->len - at));
}

static void param(struct buf *b, const char *k, const char *v) {
  size_t at = msg_begin(b, 'S');
  buf_cstr(b, k);
  buf_cstr(b, v);
  msg_end(b, at);
}

static void ready(struct buf *b) {
  size_t at = msg_begin(b, 'Z');
  buf_u8(b, 'I');
  msg_end(b, at);
}

void pg_auth_ok(struct buf *b, struct rng *r) {
  size_t at = msg_begin(b, 'R');
  buf_u32(b, 0); /* AuthenticationOk (trust inside the cluster) */
  msg_end(b, at);
  param(b, "application_name", "shop-api");
  param(b, "client_encoding", "UTF8");
  param(b, "DateStyle", "ISO, MDY");
  param(b, "integer_datetimes", "on");
  param(b, "IntervalStyle", "postgres");
  param(b, "is_superuser", "off");
  param(b, "server_encoding", "UTF8");
  param(b, "server_version", "15.5 (Debian 15.5-0+deb12u1)");
  param(b, "session_authorization", "shop");
  param(b, "standard_conforming_strings", "on");
  param(b, "TimeZone", "Etc/UTC");
  at = msg_begin(b, 'K');
  buf_u32(b, (uint32_t)rng_range(r, 100, 32767)); /* backend pid */
  buf_u32(b, (uint32_t)rng_next(r));              /* cancel key */
  msg_end(b, at);
  ready(b);
}

void pg_query(struct buf *b, const char *sql) {
  size_t at = msg_begin(b, 'Q');
  buf_cstr(b, sql);
  msg_end(b, at);
}

struct column {
  const char *name;
  uint32_t type_oid;
  int16_t typlen;
  int32_t typmod;
};

static const struct column columns[] = {
    {"id", 23, 4, -1},    {"sku", 1043, -1, 36},
    {"name", 25, -1, -1}, {"price", 1700, -1, 655366},
    {"stock", 23, 4, -1}, {"updated_at", 1184, 8, -1},
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

static void text_col(struct buf *b, const char *v) {
  buf_u32(b, (uint32_t)strlen(v));
  buf_str(b, v);
}

static void data_row(struct buf *b, struct rng *r) {
  char v[64];
  size_t at = msg_begin(b, 'D');
  buf_u16(b, NCOLS);
  unsigned id = (unsigned)rng_range(r, 1000, 9999);
  snprintf(v, sizeof(v), "%u", id);
  text_col(b, v);
  snprintf(v, sizeof(v), "SKU-%05u", id * 7u % 100000u);
  text_col(b, v);
  text_col(b, content_product(r));
  unsigned dollars = (unsigned)rng_range(r, 4, 480);
  unsigned cents = (unsigned)rng_range(r, 0, 99);
  snprintf(v, sizeof(v), "%u.%02u", dollars, cents);
  text_col(b, v);
  snprintf(v, sizeof(v), "%u", (unsigned)rng_range(r, 0, 250));
  text_col(b, v);
  unsigned day = (unsigned)rng_range(r, 1, 31);
  unsigned secs = (unsigned)rng_range(r, 0, 86399);
  unsigned usec = (unsigned)rng_range(r, 0, 999999);
  snprintf(v, sizeof(v), "2025-12-%02u %02u:%02u:%02u.%06u+00", day,
           secs / 3600, secs / 60 % 60, secs % 60, usec);
  text_col(b, v);
  msg_end(b, at);
}

void pg_result(struct buf *b, struct rng *r, size_t bytes) {
  size_t start = b->len;
  size_t at = msg_begin(b, 'T');
  buf_u16(b, NCOLS);
  for (size_t i = 0; i < NCOLS; i++) {
    buf_cstr(b, columns[i].name);
    buf_u32(b, 16402);             /* table oid of "products" */
    buf_u16(b, (uint16_t)(i + 1)); /* attribute number */
    buf_u32(b, columns[i].type_oid);
    buf_u16(b, (uint16_t)columns[i].typlen);
    buf_u32(b, (uint32_t)columns[i].typmod);
    buf_u16(b, 0); /* text format */
  }
  msg_end(b, at);
  /* Rows are about 100 bytes; the tail (CommandComplete + ReadyForQuery)
   * about 20, so stop when the next row would overshoot. */
  unsigned rows = 0;
  while (b->len - start + 120 <= bytes || rows == 0) {
    data_row(b, r);
    rows++;
  }
  char tag[32];
  snprintf(tag, sizeof(tag), "SELECT %u", rows);
  at = msg_begin(b, 'C');
  buf_cstr(b, tag);
  msg_end(b, at);
  ready(b);
}

void pg_terminate(struct buf *b) {
  size_t at = msg_begin(b, 'X');
  msg_end(b, at);
}

size_t pg_frame(const uint8_t *p, size_t avail) {
  if (avail < 5) return avail;
  return 1 +
         ((size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 | p[4]);
}

void pg_result_text(struct buf *b, const char *const *names, size_t ncols,
                    const char *const *cells, size_t nrows) {
  size_t at = msg_begin(b, 'T');
  buf_u16(b, (uint16_t)ncols);
  for (size_t i = 0; i < ncols; i++) {
    buf_cstr(b, names[i]);
    buf_u32(b, 16390);             /* table oid */
    buf_u16(b, (uint16_t)(i + 1)); /* attribute number */
    buf_u32(b, 25);                /* text */
    buf_u16(b, 0xffff);            /* typlen -1: variable */
    buf_u32(b, 0xffffffffu);       /* typmod -1 */
    buf_u16(b, 0);                 /* text format */
  }
  msg_end(b, at);
  for (size_t r = 0; r < nrows; r++) {
    at = msg_begin(b, 'D');
    buf_u16(b, (uint16_t)ncols);
    for (size_t i = 0; i < ncols; i++) text_col(b, cells[r * ncols + i]);
    msg_end(b, at);
  }
  char tag[32];
  snprintf(tag, sizeof(tag), "SELECT %zu", nrows);
  at = msg_begin(b, 'C');
  buf_cstr(b, tag);
  msg_end(b, at);
  ready(b);
}
