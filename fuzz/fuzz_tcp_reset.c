/* fuzz/fuzz_tcp_reset.c — the parser of queued packets that enforce net
 * answers with resets, on arbitrary bytes. It never reads past the input;
 * what it accepts is IPv4 TCP whose stated lengths fit the bytes; the
 * resets built from it always carry correct IP and TCP checksums and the
 * segment's ports, swapped for the one back. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enforce/tcp_reset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t pseudo_sum(const uint8_t *ip) {
  uint32_t sum = 6 + 20;
  for (int i = 12; i < 20; i += 2)
    sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
  return sum;
}

static void check(const uint8_t *r) {
  /* A correct checksum sums, with itself, to 0 (RFC 1071). */
  if (inet_checksum(r, 20, 0) != 0 || inet_checksum(r + 20, 20, pseudo_sum(r)) != 0)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *buf = malloc(size ? size : 1); /* exact size: ASan sees overreads */
  if (!buf)
    return 0;
  memcpy(buf, data, size);
  struct tcp_segment s;
  if (tcp_segment_parse(buf, size, &s) == 0) {
    size_t ihl = (size_t)(buf[0] & 15) * 4, total = (size_t)(buf[2] << 8 | buf[3]);
    if (size < 40 || buf[9] != 6 || total > size || s.payload_len > total - ihl - 20)
      abort();
    uint8_t a[TCP_RESET_LEN], b[TCP_RESET_LEN];
    tcp_reset_build(&s, a, b);
    check(a);
    check(b);
    if (memcmp(a + 20, buf + ihl, 4) != 0 || memcmp(b + 20, buf + ihl + 2, 2) != 0 ||
        memcmp(b + 22, buf + ihl, 2) != 0)
      abort();
  }
  free(buf);
  return 0;
}
