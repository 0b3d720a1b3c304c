/* fuzz/fuzz_tcp_reset.c — the parser of queued packets that enforce net
 * answers with resets, on arbitrary bytes. It never reads past the input;
 * what it accepts is TCP over IPv4 or IPv6 whose stated lengths fit; the
 * resets built from it always carry correct IP and TCP checksums and the
 * segment's ports, swapped for the one back. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enforce/tcp_reset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A correct checksum sums, with itself, to 0 (RFC 1071). */
static void check(const uint8_t *r, size_t len) {
  if (len == TCP_RESET_V4_LEN) {
    uint32_t sum = 6 + 20;
    for (int i = 12; i < 20; i += 2)
      sum += (uint32_t)(r[i] << 8 | r[i + 1]);
    if (inet_checksum(r, 20, 0) != 0 || inet_checksum(r + 20, 20, sum) != 0)
      abort();
  } else if (len == TCP_RESET_V6_LEN) {
    uint32_t sum = 6 + 20;
    for (int i = 8; i < 40; i += 2)
      sum += (uint32_t)(r[i] << 8 | r[i + 1]);
    if (inet_checksum(r + 40, 20, sum) != 0)
      abort();
  } else {
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *buf = malloc(size ? size : 1); /* exact size: ASan sees overreads */
  if (!buf)
    return 0;
  memcpy(buf, data, size);
  struct tcp_segment s;
  if (tcp_segment_parse(buf, size, &s) == 0) {
    size_t ip = s.family == 6 ? 40 : (size_t)(buf[0] & 15) * 4;
    if ((s.family != 4 && s.family != 6) || size < ip + 20 || s.payload_len > size - ip - 20)
      abort();
    uint8_t a[TCP_RESET_MAX], b[TCP_RESET_MAX];
    size_t n = tcp_reset_build(&s, a, b);
    check(a, n);
    check(b, n);
    /* The ports, as they were and swapped for the one back. */
    if (memcmp(a + n - 20, buf + ip, 4) != 0 || memcmp(b + n - 20, buf + ip + 2, 2) != 0 ||
        memcmp(b + n - 18, buf + ip, 2) != 0)
      abort();
  }
  free(buf);
  return 0;
}
