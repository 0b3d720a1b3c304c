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

static void question_type(struct buf *b, const char *name, uint16_t qtype) {
  put_name(b, name);
  buf_u16(b, qtype);
  buf_u16(b, 1); /* IN */
}

void dns_query(struct buf *b, uint16_t id, const char *name, uint16_t qtype) {
  header(b, id, 0x0100, 0);
  question_type(b, name, qtype);
}

void dns_answer_txt(struct buf *b, uint16_t id, const char *name,
                    const char *const *txt, size_t n, uint32_t ttl) {
  header(b, id, 0x8180, (uint16_t)n);
  question_type(b, name, DNS_TXT);
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(txt[i]);
    if (len > 255) len = 255; /* one character-string per record */
    buf_u16(b, 0xc00c);
    buf_u16(b, DNS_TXT);
    buf_u16(b, 1);
    buf_u32(b, ttl);
    buf_u16(b, (uint16_t)(len + 1));
    buf_u8(b, (uint8_t)len);
    buf_put(b, txt[i], len);
  }
}

void dns_answer_loop(struct buf *b, uint16_t id, const char *name, uint32_t ip,
                     uint32_t ttl) {
  size_t start = b->len;
  header(b, id, 0x8180, 1);
  question(b, name);
  uint16_t self = (uint16_t)(b->len - start);
  buf_u16(b, (uint16_t)(0xc000 | self)); /* points at these two bytes */
  buf_u16(b, 1);
  buf_u16(b, 1);
  buf_u32(b, ttl);
  buf_u16(b, 4);
  buf_u32(b, ip);
}
