/* collect/pkt_source.h — where packets come from.
 *
 * Contract: a packet source yields captured frames one at a time with their
 * capture time in nanoseconds, wire length and link type, behind one
 * interface whatever feeds it (a pcap/pcapng file or a live interface,
 * both through libpcap), as Suricata's source-pcap-file / source-af-packet
 * do. pkt_source_next() returns 1 with a packet, 0 at the end of a file, 2
 * when a live source's read timeout (PKT_SOURCE_LIVE_WAIT_MS) passed with
 * no packet, or a negative code with a message naming the source and the
 * place (record number and byte offset for files). The frame stays valid
 * until the next call.
 */
#ifndef HABIT_COLLECT_PKT_SOURCE_H
#define HABIT_COLLECT_PKT_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

struct raw_pkt {
  uint64_t ts_ns;
  const uint8_t *data;
  uint32_t caplen;
  uint32_t wirelen;
};

struct pkt_source {
  char name[256];   /* file path or interface */
  int linktype;     /* DLT of every frame from this source */
  void *pcap;       /* pcap_t */
  uint64_t records; /* frames returned so far */
  uint64_t size;    /* file size in bytes, 0 when unknown */
  char *iobuf;      /* the file's stdio buffer (PKT_SOURCE_IOBUF bytes) */
  bool live;        /* an interface, not a file */
};

/* A capture file is read through a stdio buffer this large: with the
 * default (the block size, 4 KiB) a replay spends more time in read(2)
 * calls than in decoding. */
#define PKT_SOURCE_IOBUF (128u * 1024u)

/* Open a capture file (pcap or pcapng, micro- or nanosecond). Fails with a
 * clear message on a missing, empty or unreadable file, a file that is not a
 * capture, and a link type habit cannot decode. */
int pkt_source_open_file(struct pkt_source *s, const char *path,
                         struct hb_error *err);
int pkt_source_next(struct pkt_source *s, struct raw_pkt *out,
                    struct hb_error *err);
/* Capture on a live interface (promiscuous, whole frames, a 16 MiB kernel
 * buffer, immediate delivery) with an optional BPF filter. Fails with a clear message on an
 * unknown interface, missing permissions, a filter that does not compile,
 * or a link type habit cannot decode. */
#define PKT_SOURCE_LIVE_WAIT_MS 200
int pkt_source_open_live(struct pkt_source *s, const char *iface, const char *filter,
                         struct hb_error *err);
/* A live source (non-blocking) waits for frames: true when some may be
 * ready, false after PKT_SOURCE_LIVE_WAIT_MS or a signal. Used by
 * pkt_source_next(), which thus never blocks longer than that. */
bool pkt_source_live_wait(struct pkt_source *s);
/* A live source's kernel counters since it opened: frames the kernel
 * dropped (buffer full, or at the interface). 0 on a file. */
uint64_t pkt_source_dropped(const struct pkt_source *s);
/* Bytes of the file consumed so far (for progress), 0 when unknown. */
uint64_t pkt_source_offset(const struct pkt_source *s);
void pkt_source_close(struct pkt_source *s);

#endif
