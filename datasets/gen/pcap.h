/* datasets/gen/pcap.h — collect frames, then write them as a classic pcap.
 *
 * Contract: frames may be added in any time order (concurrent connections are
 * simulated one after the other); pcap_trace_write sorts them by timestamp,
 * ties broken by the order they were added, so a conversation whose packets
 * were added in causal order stays in that order. The file is the classic
 * format (magic a1b2c3d4 little-endian, microsecond timestamps, version 2.4,
 * linktype Ethernet) with snaplen PCAP_SNAPLEN: each record keeps at most
 * that many bytes and the frame's real length as orig_len. Output depends
 * only on the frames added.
 */
#ifndef HABIT_GEN_PCAP_H
#define HABIT_GEN_PCAP_H

#include <stddef.h>
#include <stdint.h>

#define PCAP_SNAPLEN 256u

struct pcap_trace;

struct pcap_trace *pcap_trace_new(void);
void pcap_trace_free(struct pcap_trace *t);
/* ts_us: microseconds since the Unix epoch. Copies min(len, snaplen) bytes. */
void pcap_trace_add(struct pcap_trace *t, int64_t ts_us, const uint8_t *frame,
                    size_t len);
size_t pcap_trace_count(const struct pcap_trace *t);
/* Sum of the frames' real lengths. */
uint64_t pcap_trace_bytes(const struct pcap_trace *t);
/* Write the file; 0 on success, -1 with errno set on failure. */
int pcap_trace_write(struct pcap_trace *t, const char *path);

#endif
