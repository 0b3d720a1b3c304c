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
/* "10.1.0.20" into out (at least 16 bytes); returns out. */
const char *pkt_ip_str(uint32_t ip, char *out);

#endif
