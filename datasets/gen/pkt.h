/* datasets/gen/pkt.h — Ethernet/IPv4/TCP/UDP frames with correct checksums.
 *
 * Contract: a host is what the capture sees of a machine: its IPv4 address,
 * the MAC its frames carry on this segment (the gateway's MAC for hosts
 * outside the subnet) and the TTL its packets arrive with. pkt_tcp and
 * pkt_udp build the whole frame (IPv4 header checksum, TCP/UDP checksum over
 * the pseudo-header and the full payload), then hand it to the trace, which
 * keeps only the first PCAP_SNAPLEN bytes. Payloads are at most
 * PKT_MAX_PAYLOAD.
 */
#ifndef HABIT_GEN_PKT_H
#define HABIT_GEN_PKT_H

#include <stddef.h>
#include <stdint.h>

struct pcap_trace;

#define PKT_MAX_PAYLOAD 1460u

enum {
  TCP_FIN = 0x01,
  TCP_SYN = 0x02,
  TCP_RST = 0x04,
  TCP_PSH = 0x08,
  TCP_ACK = 0x10,
};

struct host {
  const char *name;
  uint32_t ip;    /* host byte order */
  uint8_t mac[6]; /* as seen on the wire */
  uint8_t ttl;
};

struct tcp_hdr {
  uint16_t sport, dport;
  uint32_t seq, ack;
  uint8_t flags;
  uint16_t win;
  const uint8_t *opt; /* options, a multiple of 4 bytes */
  size_t optlen;
};

void pkt_tcp(struct pcap_trace *t, int64_t ts_us, const struct host *src,
             const struct host *dst, uint16_t ip_id, const struct tcp_hdr *th,
             const uint8_t *payload, size_t len);
void pkt_udp(struct pcap_trace *t, int64_t ts_us, const struct host *src,
             const struct host *dst, uint16_t ip_id, uint16_t sport,
             uint16_t dport, const uint8_t *payload, size_t len);

/* Raw IPv4, for the planted threats. frag is the header's flags and
 * fragment offset field as on the wire: PKT_IP_MF | offset / 8, or
 * PKT_IP_DF for a whole packet. pkt_ipv4 copies an already built payload
 * (a whole L4 message or a fragment of one) behind the headers and
 * computes only the IPv4 header checksum; pkt_l4_checksum gives the
 * checksum a TCP/UDP (pseudo-header included) or ICMP message of len
 * bytes must carry, computed with its own checksum field zeroed. */
#define PKT_IP_DF 0x4000u
#define PKT_IP_MF 0x2000u
#define PKT_MAX_IP_PAYLOAD 1480u /* a 1500-byte MTU */
struct buf;
void pkt_ipv4(struct pcap_trace *t, int64_t ts_us, const struct host *src,
              const struct host *dst, uint16_t ip_id, uint16_t frag,
              uint8_t proto, const uint8_t *payload, size_t len);
uint16_t pkt_l4_checksum(uint32_t src, uint32_t dst, uint8_t proto,
                         const uint8_t *l4, size_t len);
/* An ICMP echo request (type 8) or reply (type 0), DF set. */
void pkt_icmp_echo(struct pcap_trace *t, int64_t ts_us, const struct host *src,
                   const struct host *dst, uint16_t ip_id, uint8_t type,
                   uint16_t id, uint16_t seq, const uint8_t *data, size_t len);
/* Append to b an IPv4 packet without a link header carrying a TCP segment,
 * both checksums correct: what a tunnel carries inside its payloads. */
void pkt_ipv4_tcp_bytes(struct buf *b, uint32_t src, uint32_t dst, uint8_t ttl,
                        uint16_t ip_id, const struct tcp_hdr *th,
                        const uint8_t *payload, size_t len);
/* "10.1.0.20" into out (at least 16 bytes); returns out. */
const char *pkt_ip_str(uint32_t ip, char *out);

#endif
