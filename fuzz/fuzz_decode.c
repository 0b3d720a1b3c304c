/* fuzz/fuzz_decode.c — decode_packet on arbitrary frames. The first byte
 * picks the link type, the second how much longer the frame was on the
 * wire; the rest is the captured frame. The decoder must stay inside the
 * captured bytes, name exactly one anomaly for every frame it cannot use,
 * and describe what it accepts consistently. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int links[] = {LINK_ETHERNET, LINK_NULL, LINK_LOOP, LINK_RAW, 12, 14,
                            LINK_SLL,      LINK_SLL2, LINK_IPV4, LINK_IPV6, 105};

static uint64_t total(const struct decode_counters *c) {
  uint64_t t = 0;
  for (int i = 0; i < DA_COUNT; i++)
    t += c->anomaly[i];
  return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  int link = links[data[0] % (sizeof links / sizeof links[0])];
  uint32_t caplen = (uint32_t)(size - 2);
  uint32_t wirelen = caplen + data[1];
  uint8_t *frame = malloc(caplen ? caplen : 1);
  if (!frame)
    return 0;
  memcpy(frame, data + 2, caplen);
  struct decode_counters c;
  memset(&c, 0, sizeof c);
  struct pkt_info p;
  memset(&p, 0xa5, sizeof p);
  enum decode_result r = decode_packet(link, frame, caplen, wirelen, &p, &c);
  uint64_t n = total(&c);
  switch (r) {
  case DEC_OK:
    if (n != 0)
      abort();
    if (p.src.family != p.dst.family || (p.src.family != 4 && p.src.family != 6))
      abort();
    if (p.ip_len > wirelen)
      abort();
    if (p.payload) {
      if (p.payload < frame || p.payload + p.payload_cap > frame + caplen)
        abort();
      /* Touch every byte the decoder says is there. */
      volatile uint8_t sum = 0;
      for (uint32_t i = 0; i < p.payload_cap; i++)
        sum ^= p.payload[i];
      (void)sum;
    } else if (p.payload_cap != 0) {
      abort();
    }
    if (p.payload_cap > p.payload_len)
      abort();
    if (p.has_inner && p.inner.src.family != p.inner.dst.family)
      abort();
    break;
  case DEC_FRAGMENT:
    if (n != 0 || (p.src.family != 4 && p.src.family != 6))
      abort();
    break;
  case DEC_NON_IP:
    if (n > 1 || (n == 1 && c.anomaly[DA_LINK_UNSUPPORTED] != 1))
      abort();
    break;
  case DEC_TRUNCATED:
  case DEC_MALFORMED:
    if (n != 1)
      abort();
    break;
  default:
    abort();
  }
  free(frame);
  return 0;
}
