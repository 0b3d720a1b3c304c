/* enforce/tcp_reset.h — the two TCP resets that end a connection, from one
 * of its packets.
 *
 * Contract: tcp_segment_parse() reads an IPv4 TCP segment as NFQUEUE gives
 * it (raw IP, no link header) and refuses, without reading past len, what
 * is not one or lies about its lengths (header lengths past the packet,
 * total length past what was captured, a non-first fragment).
 * tcp_reset_build() makes, for a segment s from A to B that is dropped,
 * the reset B would have got instead (A -> B, seq = s.seq) and the one A
 * gets as if from B (B -> A, seq = s.ack, acknowledging s), each a whole
 * IPv4 packet of TCP_RESET_LEN bytes with correct IP and TCP checksums:
 * the sequence numbers each end expects next, so neither answers with a
 * challenge ACK. tcp_probe_build() makes a bare ACK from src to dst that
 * no connection can accept, so the receiver answers it with an ACK
 * carrying its current sequence numbers (what a reset needs). No global
 * state; nothing allocated.
 */
#ifndef HABIT_ENFORCE_TCP_RESET_H
#define HABIT_ENFORCE_TCP_RESET_H

#include <stddef.h>
#include <stdint.h>

#define TCP_RESET_LEN 40 /* IPv4 header + TCP header, no options */

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_ACK 0x10

struct tcp_segment {
  uint8_t src[4], dst[4]; /* network order */
  uint16_t sport, dport;  /* host order */
  uint32_t seq, ack;
  uint8_t flags;
  uint32_t payload_len;
};

/* 0, or -EINVAL (not IPv4 TCP, or lengths that lie). */
int tcp_segment_parse(const uint8_t *pkt, size_t len, struct tcp_segment *s);
void tcp_reset_build(const struct tcp_segment *s, uint8_t to_dst[TCP_RESET_LEN],
                     uint8_t to_src[TCP_RESET_LEN]);
void tcp_probe_build(const uint8_t src[4], const uint8_t dst[4], uint16_t sport,
                     uint16_t dport, uint8_t out[TCP_RESET_LEN]);
/* The Internet checksum (RFC 1071) of len bytes, starting from sum. */
uint16_t inet_checksum(const uint8_t *p, size_t len, uint32_t sum);

#endif
