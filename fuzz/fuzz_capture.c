/* fuzz/fuzz_capture.c — arbitrary bytes as a capture file (pcap or
 * pcapng), every record through a collector whose sink encodes and decodes
 * each flow event: the collector must count every record, emit only events
 * that pass the decoder's checks, and end every flow at the end. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "collect/collector.h"
#include "config/config.h"
#include "core/event.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct config cfg;
static uint64_t events;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  gsl_set_error_handler_off();
  config_defaults(&cfg);
  cfg.flow.max_flows = 1024;
  return 0;
}

/* Every event (flows, and alerts of packet threats) must encode and
 * decode back to itself. */
static int sink(void *ctx, const struct event *ev) {
  (void)ctx;
  static uint8_t buf[EV_MAX_WIRE];
  int n = ev_encode(ev, buf, sizeof buf);
  if (n <= 0)
    abort();
  struct event back;
  struct hb_error err = {0, ""};
  if (ev_decode(buf, (size_t)n, &back, &err) != 0) {
    fprintf(stderr, "collector event refused: %s\n", err.msg);
    abort();
  }
  if (memcmp(&back, ev, sizeof back) != 0)
    abort();
  if (ev->kind == EV_FLOW) /* threats the inspector saw come as EV_ALERT */
    events++;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  /* fmemopen needs a writable buffer of the exact size. */
  uint8_t *copy = malloc(size);
  if (!copy)
    return 0;
  memcpy(copy, data, size);
  FILE *f = fmemopen(copy, size, "rb");
  if (!f) {
    free(copy);
    return 0;
  }
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (!pc) {
    fclose(f);
    free(copy);
    return 0;
  }
  struct collector *c = malloc(sizeof *c);
  if (!c || collector_init(c, &cfg, sink, NULL) != 0)
    abort();
  int link = pcap_datalink(pc);
  struct pcap_pkthdr *h;
  const u_char *bytes;
  uint64_t records = 0;
  events = 0;
  while (records < 100000 && pcap_next_ex(pc, &h, &bytes) == 1) {
    struct raw_pkt p = {(uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec,
                        bytes, h->caplen, h->len};
    collector_packet(c, link, &p);
    records++;
  }
  collector_end_source(c);
  if (c->stats.packets != records || c->stats.flows != events || c->flows.used != 0 ||
      c->sink_status != 0)
    abort();
  if (c->stats.ip_packets + c->stats.non_ip + c->stats.truncated + c->stats.malformed !=
      records)
    abort();
  collector_free(c);
  free(c);
  pcap_close(pc); /* closes f */
  free(copy);
  return 0;
}
