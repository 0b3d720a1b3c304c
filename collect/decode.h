/* collect/decode.h — link, network and transport headers of one packet.
 *
 * Contract: decode_packet() reads at most caplen bytes and trusts no length
 * field: every header is checked against what was captured and against the
 * lengths the enclosing header declares. A packet that cannot be used sets
 * one named anomaly counter (as Suricata's decoder events do) and returns a
 * result saying why; nothing is allocated and nothing fails hard. On
 * DEC_OK, `out` describes the IP packet: addresses, ports, flags and where
 * the L4 payload starts (as captured) and how long it claims to be.
 */
#ifndef HABIT_COLLECT_DECODE_H
#define HABIT_COLLECT_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

/* Link types habit reads (values of LINKTYPE_*, as in pcap files). */
enum {
  LINK_NULL = 0,    /* BSD loopback: 4-byte host-order family */
  LINK_ETHERNET = 1,
  LINK_RAW = 101,   /* raw IPv4/IPv6 (DLT_RAW is 12 or 14 on some systems) */
  LINK_LOOP = 108,  /* OpenBSD loopback: 4-byte network-order family */
  LINK_SLL = 113,   /* Linux cooked v1 */
  LINK_IPV4 = 228,
  LINK_IPV6 = 229,
  LINK_SLL2 = 276,  /* Linux cooked v2 */
};

enum decode_result {
  DEC_OK = 0,
  DEC_NON_IP,    /* ARP, LLDP, ...: not for habit */
  DEC_TRUNCATED, /* captured bytes end before the headers habit needs */
  DEC_MALFORMED, /* headers that lie about lengths or are impossible */
  DEC_FRAGMENT,  /* a non-first IP fragment: no transport header */
};

/* Named anomalies; decode_anomaly_name() gives "ipv4.hlen_too_small" etc. */
enum decode_anomaly {
  DA_LINK_TRUNCATED,
  DA_LINK_UNSUPPORTED,
  DA_VLAN_TOO_MANY,
  DA_IPV4_TRUNCATED,
  DA_IPV4_BAD_VERSION,
  DA_IPV4_HLEN_TOO_SMALL,
  DA_IPV4_LEN_TOO_SMALL,
  DA_IPV4_LEN_EXCEEDS_WIRE,
  DA_IPV6_TRUNCATED,
  DA_IPV6_BAD_VERSION,
  DA_IPV6_LEN_EXCEEDS_WIRE,
  DA_IPV6_EXTHDR_TRUNCATED,
  DA_IPV6_EXTHDR_TOO_MANY,
  DA_TCP_TRUNCATED,
  DA_TCP_HLEN_INVALID,
  DA_UDP_TRUNCATED,
  DA_UDP_LEN_INVALID,
  DA_ICMP_TRUNCATED,
  DA_COUNT
};

struct decode_counters {
  uint64_t anomaly[DA_COUNT];
};

/* The transport flow an ICMP error is about (its quoted header). */
struct pkt_inner {
  struct hb_addr src, dst;
  uint16_t sport, dport;
  uint8_t proto;
};

struct pkt_info {
  uint16_t vlan;             /* outermost 802.1Q id, 0 when none */
  struct hb_addr src, dst;
  uint16_t sport, dport;     /* TCP/UDP ports; ICMP: see below */
  uint8_t proto;             /* IP protocol after extension headers */
  uint8_t tcp_flags;
  uint8_t icmp_type, icmp_code;
  uint8_t has_inner;         /* ICMP error quoting a transport header */
  uint8_t fragment;          /* part of a fragmented datagram (any part) */
  uint8_t more_frags;        /* IPv4 MF / IPv6 M flag */
  uint32_t frag_offset;      /* bytes */
  uint32_t frag_len;         /* bytes of the datagram this fragment carries */
  uint32_t ip_id;            /* IPv4 id, IPv6 fragment identification */
  uint16_t tcp_mss;          /* MSS option of a SYN, 0 when absent */
  uint16_t icmp_id;          /* echo identifier */
  uint32_t ip_len;           /* IP header + payload, as declared */
  uint32_t payload_len;      /* L4 payload length, as declared (a first
                                fragment's UDP length covers the datagram) */
  const uint8_t *payload;    /* L4 payload as captured ... */
  uint32_t payload_cap;      /* ... and how many of its bytes were captured */
  struct pkt_inner inner;
};

/* Decode one captured frame. wirelen is the original length on the wire. */
enum decode_result decode_packet(int linktype, const uint8_t *data,
                                 uint32_t caplen, uint32_t wirelen,
                                 struct pkt_info *out,
                                 struct decode_counters *c);

/* Whether habit can decode this link type. */
int decode_linktype_supported(int linktype);
const char *decode_anomaly_name(enum decode_anomaly a);

#endif
