/* enforce/tcp_reset.h — the two TCP resets that end a connection, from one
 * of its packets; IPv4 and IPv6.
 *
 * Contract: tcp_segment_parse() reads a TCP segment as NFQUEUE gives it
 * (raw IPv4 or IPv6, no link header) and refuses, without reading past
 * len, what is not one or lies about its lengths (header lengths past the
 * packet, a total or payload length past what was captured, a non-first
 * IPv4 fragment, an IPv6 extension header before TCP). tcp_reset_build()
 * makes, for a segment s from A to B that is dropped, the reset B would
 * have got instead (A -> B, seq = s.seq) and the one A gets as if from B
 * (B -> A, seq = s.ack, acknowledging s), each a whole IP packet (its
 * length returned: TCP_RESET_V4_LEN or TCP_RESET_V6_LEN) with correct IP
 * and TCP checksums: the sequence numbers each end expects next, so
 * neither answers with a challenge ACK. tcp_probe_build() makes a bare ACK
 * from src to dst that no connection can accept, so the receiver answers
 * it with an ACK carrying its current sequence numbers (what a reset
 * needs). No global state; nothing allocated.
 */
#ifndef HABIT_ENFORCE_TCP_RESET_H
#define HABIT_ENFORCE_TCP_RESET_H

#include <stddef.h>
#include <stdint.h>

#define TCP_RESET_V4_LEN 40 /* IPv4 header + TCP header, no options */
#define TCP_RESET_V6_LEN 60 /* IPv6 header + TCP header */
#define TCP_RESET_MAX TCP_RESET_V6_LEN

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_ACK 0x10

struct tcp_segment {
  uint8_t family;           /* 4 or 6 */
  uint8_t src[16], dst[16]; /* network order; IPv4 in the first 4 bytes */
  uint16_t sport, dport;    /* host order */
  uint32_t seq, ack;
  uint8_t flags;
  uint32_t payload_len;
};

/* 0, or -EINVAL (not TCP over IPv4/IPv6, or lengths that lie). */
int tcp_segment_parse(const uint8_t *pkt, size_t len, struct tcp_segment *s);
size_t tcp_reset_build(const struct tcp_segment *s, uint8_t to_dst[TCP_RESET_MAX],
                       uint8_t to_src[TCP_RESET_MAX]);
size_t tcp_probe_build(uint8_t family, const uint8_t *src, const uint8_t *dst, uint16_t sport,
                       uint16_t dport, uint8_t out[TCP_RESET_MAX]);
/* The Internet checksum (RFC 1071) of len bytes, starting from sum. */
uint16_t inet_checksum(const uint8_t *p, size_t len, uint32_t sum);

#endif
