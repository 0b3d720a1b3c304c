#include <string.h>

#include "buf.h"
#include "proto.h"

/* "api.shop.svc" -> 3 a p i 4 s h o p 3 s v c 0 */
static void put_name(struct buf *b, const char *name) {
  const char *p = name;
  while (*p) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    buf_u8(b, (uint8_t)n);
    buf_put(b, p, n);
    p += n;
    if (*p == '.') p++;
  }
  buf_u8(b, 0);
}

static void header(struct buf *b, uint16_t id, uint16_t flags, uint16_t an) {
  buf_u16(b, id);
  buf_u16(b, flags);
  buf_u16(b, 1); /* QDCOUNT */
  buf_u16(b, an);
  buf_u16(b, 0); /* NSCOUNT */
  buf_u16(b, 0); /* ARCOUNT */
}

static void question(struct buf *b, const char *name) {
  put_name(b, name);
  buf_u16(b, 1); /* A */
  buf_u16(b, 1); /* IN */
}

void dns_query_a(struct buf *b, uint16_t id, const char *name) {
  header(b, id, 0x0100, 0); /* standard query, recursion desired */
  question(b, name);
}

void dns_answer_a(struct buf *b, uint16_t id, const char *name,
                  const uint32_t *ips, size_t n, uint32_t ttl) {
  header(b, id, 0x8180, (uint16_t)n); /* response, RD, RA, NOERROR */
  question(b, name);
  for (size_t i = 0; i < n; i++) {
    buf_u16(b, 0xc00c); /* pointer to the question name at offset 12 */
    buf_u16(b, 1);
    buf_u16(b, 1);
    buf_u32(b, ttl);
    buf_u16(b, 4);
    buf_u32(b, ips[i]);
  }
}
