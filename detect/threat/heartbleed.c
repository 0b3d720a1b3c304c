#include "detect/threat/heartbleed.h"

#define REC_HANDSHAKE_MIN 5
#define TYPE_APPDATA 23
#define TYPE_HEARTBEAT 24
#define HB_REQUEST 1
#define HB_PADDING 16 /* RFC 6520: at least 16 bytes of padding */
#define LEAK_SLACK 64 /* cipher overhead a response may add to the request */

static int tls_record(const uint8_t *p, uint32_t cap, uint8_t type) {
  return cap >= REC_HANDSHAKE_MIN && p[0] == type && p[1] == 3 && p[2] <= 4;
}

enum hb_verdict tls_heartbeat_check(struct hb_state *st, int dir, const uint8_t *p,
                                    uint32_t cap, uint32_t *rec_len, uint32_t *detail) {
  if (tls_record(p, cap, TYPE_APPDATA)) {
    st->app_data = 1;
    return HB_NONE;
  }
  if (!tls_record(p, cap, TYPE_HEARTBEAT))
    return HB_NONE;
  uint32_t len = (uint32_t)p[3] << 8 | p[4];
  *rec_len = len;
  if (dir == 0) {
    st->request_len = (uint16_t)len;
    /* A plaintext request: type 1, then the length it claims to carry. */
    if (cap >= 8 && p[5] == HB_REQUEST) {
      uint32_t claimed = (uint32_t)p[6] << 8 | p[7];
      if (claimed + 3 + HB_PADDING > len) {
        *detail = claimed;
        return HB_ATTEMPT;
      }
    }
    if (!st->app_data) {
      *detail = 0;
      return HB_ATTEMPT;
    }
    return HB_NONE;
  }
  uint32_t req = st->request_len;
  /* A plaintext response that echoes more than the request carried. */
  if (req && cap >= 8 && p[5] == 2) {
    uint32_t echoed = (uint32_t)p[6] << 8 | p[7];
    if (echoed + 3 + HB_PADDING > req) {
      *detail = req;
      return HB_LEAK;
    }
  }
  if (req && len > 2u * req && len > req + LEAK_SLACK) {
    *detail = st->request_len;
    return HB_LEAK;
  }
  return HB_NONE;
}
