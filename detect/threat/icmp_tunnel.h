/* detect/threat/icmp_tunnel.h — echo payloads that are not pings.
 *
 * Contract: icmp_tunnel_check() looks at one ICMP echo payload (as captured,
 * cap bytes of len) and returns NULL when it looks like what ping programs
 * send — a timestamp in the first 16 bytes, then a counting pattern
 * (0x08 0x09 ..., "abcdefghijklmnopqrstuvw", repeated bytes) — or a reason
 * when it carries something else: an IP packet, or more than 16 bytes of
 * content that follow no such pattern. Pure function.
 */
#ifndef HABIT_DETECT_THREAT_ICMP_TUNNEL_H
#define HABIT_DETECT_THREAT_ICMP_TUNNEL_H

#include <stdint.h>

const char *icmp_tunnel_check(const uint8_t *p, uint32_t cap, uint32_t len);

#endif
