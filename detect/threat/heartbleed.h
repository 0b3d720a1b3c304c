/* detect/threat/heartbleed.h — CVE-2014-0160 in TLS heartbeats.
 *
 * Contract: tls_heartbeat_check() looks at one TCP payload of a TLS flow
 * (records are assumed to start at the payload's start, as heartbeats,
 * sent alone, do) with the flow's small state, and says:
 *  - HB_ATTEMPT: a plaintext heartbeat request whose payload_length claims
 *    more than its record holds, or a client heartbeat before any
 *    application data (no real client needs one that early; scanners and
 *    exploits send it right after the handshake);
 *  - HB_LEAK: a server heartbeat that echoes more than the request carried
 *    (plaintext: its payload_length against the request record), or a
 *    server heartbeat record far larger than the request's (encrypted: more
 *    than twice and 64 bytes more), i.e. memory came back;
 *  - HB_NONE otherwise. Pure, reads at most cap bytes.
 */
#ifndef HABIT_DETECT_THREAT_HEARTBLEED_H
#define HABIT_DETECT_THREAT_HEARTBLEED_H

#include <stdint.h>

enum hb_verdict { HB_NONE = 0, HB_ATTEMPT = 1, HB_LEAK = 2 };

struct hb_state {
  uint16_t request_len; /* record length of the client's last heartbeat */
  uint8_t app_data;     /* an application-data record went by */
};

/* dir: 0 client->server, 1 back. *detail gets the lengths it judged:
 * request record, claimed payload or response record. */
enum hb_verdict tls_heartbeat_check(struct hb_state *st, int dir, const uint8_t *p,
                                    uint32_t cap, uint32_t *rec_len, uint32_t *detail);

#endif
