/* collect/pkt_source.h — where packets come from.
 *
 * Contract: a packet source yields captured frames one at a time with their
 * capture time in nanoseconds, wire length and link type, behind one
 * interface whatever feeds it (a pcap/pcapng file today; a live interface
 * later), as Suricata's source-pcap-file / source-af-packet do.
 * pkt_source_next() returns 1 with a packet, 0 at the end, or a negative
 * code with a message naming the source and the place (record number and
 * byte offset for files). The frame stays valid until the next call.
 */
#ifndef HABIT_COLLECT_PKT_SOURCE_H
#define HABIT_COLLECT_PKT_SOURCE_H

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
/* Bytes of the file consumed so far (for progress), 0 when unknown. */
uint64_t pkt_source_offset(const struct pkt_source *s);
void pkt_source_close(struct pkt_source *s);

#endif
