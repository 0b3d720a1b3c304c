/* Live capture through libpcap: pcap_create/activate on an interface, a
 * read timeout so the caller can keep time when nothing arrives. */
#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "collect/decode.h"
#include "collect/pkt_source.h"

#define LIVE_SNAPLEN 65535
#define LIVE_BUFFER (16 << 20)

static int activate_error(pcap_t *p, int rc, const char *iface, struct hb_error *err) {
  const char *why = rc == PCAP_ERROR_NO_SUCH_DEVICE ? "no such interface"
                    : rc == PCAP_ERROR_PERM_DENIED  ? "permission denied (run as root or "
                                                      "with CAP_NET_RAW)"
                    : rc == PCAP_ERROR_IFACE_NOT_UP ? "the interface is down"
                                                    : pcap_geterr(p);
  int code = rc == PCAP_ERROR_NO_SUCH_DEVICE ? ENODEV
             : rc == PCAP_ERROR_PERM_DENIED  ? EPERM
                                             : EINVAL;
  hb_fail(err, code, "%s: cannot capture: %s", iface, why);
  pcap_close(p);
  return -code;
}

int pkt_source_open_live(struct pkt_source *s, const char *iface, const char *filter,
                         struct hb_error *err) {
  memset(s, 0, sizeof *s);
  snprintf(s->name, sizeof s->name, "%s", iface);
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_t *p = pcap_create(iface, errbuf);
  if (!p)
    return hb_fail(err, EINVAL, "%s: cannot capture: %s", iface, errbuf);
  if (pcap_set_snaplen(p, LIVE_SNAPLEN) != 0 || pcap_set_promisc(p, 1) != 0 ||
      pcap_set_timeout(p, PKT_SOURCE_LIVE_WAIT_MS) != 0 ||
      pcap_set_immediate_mode(p, 1) != 0 || /* each frame as it comes: no block
                                               left unread when the collector stops */
      pcap_set_buffer_size(p, LIVE_BUFFER) != 0 ||
      pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) != 0) {
    pcap_close(p);
    return hb_fail(err, EINVAL, "%s: cannot set up the capture", iface);
  }
  int rc = pcap_activate(p);
  if (rc < 0)
    return activate_error(p, rc, iface, err);
  int dlt = pcap_datalink(p);
  if (!decode_linktype_supported(dlt)) {
    const char *dname = pcap_datalink_val_to_name(dlt);
    pcap_close(p);
    return hb_fail(err, EPROTONOSUPPORT, "%s: unsupported link type %d (%s)", iface, dlt,
                   dname ? dname : "unknown");
  }
  if (filter && filter[0]) {
    struct bpf_program prog;
    if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
      hb_fail(err, EINVAL, "%s: bad filter '%s': %s", iface, filter, pcap_geterr(p));
      pcap_close(p);
      return -EINVAL;
    }
    rc = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
      hb_fail(err, EINVAL, "%s: cannot install filter '%s': %s", iface, filter,
              pcap_geterr(p));
      pcap_close(p);
      return -EINVAL;
    }
  }
  /* Non-blocking, waited on with poll(2) here: a signal or a quiet link
   * never keeps pkt_source_next() past PKT_SOURCE_LIVE_WAIT_MS (libpcap's
   * own timeout only runs once a frame is in the buffer). */
  if (pcap_setnonblock(p, 1, errbuf) != 0 || pcap_get_selectable_fd(p) < 0) {
    pcap_close(p);
    return hb_fail(err, EINVAL, "%s: cannot capture without blocking: %s", iface, errbuf);
  }
  s->linktype = dlt;
  s->pcap = p;
  s->live = true;
  return 0;
}

bool pkt_source_live_wait(struct pkt_source *s) {
  struct pollfd pfd = {.fd = pcap_get_selectable_fd(s->pcap), .events = POLLIN};
  return poll(&pfd, 1, PKT_SOURCE_LIVE_WAIT_MS) > 0;
}

uint64_t pkt_source_dropped(const struct pkt_source *s) {
  struct pcap_stat st;
  if (!s->live || !s->pcap || pcap_stats(s->pcap, &st) != 0)
    return 0;
  return (uint64_t)st.ps_drop + st.ps_ifdrop;
}
