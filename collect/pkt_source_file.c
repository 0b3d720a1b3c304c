/* Capture files through libpcap, which reads pcap and pcapng alike. Errors
 * are restated in habit's words, with libpcap's own in parentheses. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "collect/decode.h"
#include "collect/pkt_source.h"

int pkt_source_open_file(struct pkt_source *s, const char *path,
                         struct hb_error *err) {
  memset(s, 0, sizeof *s);
  snprintf(s->name, sizeof s->name, "%s", path);
  struct stat st;
  if (stat(path, &st) != 0)
    return hb_fail(err, errno, "%s: cannot open: %s", path, strerror(errno));
  if (S_ISDIR(st.st_mode))
    return hb_fail(err, EISDIR, "%s: is a directory, not a capture file", path);
  if (st.st_size == 0)
    return hb_fail(err, EINVAL, "%s: empty file, not a pcap or pcapng capture", path);
  s->size = (uint64_t)st.st_size;

  FILE *f = fopen(path, "rb");
  if (!f)
    return hb_fail(err, errno, "%s: cannot open: %s", path, strerror(errno));
  s->iobuf = malloc(PKT_SOURCE_IOBUF);
  if (!s->iobuf) {
    fclose(f);
    return hb_fail(err, ENOMEM, "%s: out of memory", path);
  }
  setvbuf(f, s->iobuf, _IOFBF, PKT_SOURCE_IOBUF);
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (!p) {
    fclose(f); /* pcap_fopen_offline leaves it open when it fails */
    free(s->iobuf);
    s->iobuf = NULL;
    if (strstr(errbuf, "unknown file format"))
      return hb_fail(err, EINVAL, "%s: not a pcap or pcapng capture (libpcap: %s)",
                     path, errbuf);
    if (strstr(errbuf, "truncated"))
      return hb_fail(err, EINVAL, "%s: capture header cut short (libpcap: %s)", path,
                     errbuf);
    return hb_fail(err, EINVAL, "%s: cannot read capture (libpcap: %s)", path, errbuf);
  }
  int dlt = pcap_datalink(p);
  if (!decode_linktype_supported(dlt)) {
    const char *dname = pcap_datalink_val_to_name(dlt);
    pcap_close(p);
    free(s->iobuf);
    s->iobuf = NULL;
    return hb_fail(err, EPROTONOSUPPORT,
                   "%s: unsupported link type %d (%s); habit reads Ethernet, Linux "
                   "cooked (SLL/SLL2), raw IP and BSD loopback",
                   path, dlt, dname ? dname : "unknown");
  }
  s->linktype = dlt;
  s->pcap = p;
  return 0;
}

uint64_t pkt_source_offset(const struct pkt_source *s) {
  FILE *f = s->pcap ? pcap_file(s->pcap) : NULL;
  long off = f ? ftell(f) : -1;
  return off > 0 ? (uint64_t)off : 0;
}

int pkt_source_next(struct pkt_source *s, struct raw_pkt *out,
                    struct hb_error *err) {
  struct pcap_pkthdr *h;
  const u_char *data;
  int rc = pcap_next_ex(s->pcap, &h, &data);
  if (rc == 0 && s->live && pkt_source_live_wait(s))
    rc = pcap_next_ex(s->pcap, &h, &data);
  if (rc == 1) {
    s->records++;
    out->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
    out->data = data;
    out->caplen = h->caplen;
    out->wirelen = h->len;
    return 1;
  }
  if (rc == PCAP_ERROR_BREAK)
    return 0;
  if (rc == 0)
    return 2; /* live: the read timeout passed */
  const char *why = pcap_geterr(s->pcap);
  if (strstr(why, "truncated"))
    return hb_fail(err, EBADMSG,
                   "%s: record %llu: the file ends mid-record at byte %llu of %llu "
                   "(libpcap: %s)",
                   s->name, (unsigned long long)s->records + 1,
                   (unsigned long long)pkt_source_offset(s),
                   (unsigned long long)s->size, why);
  return hb_fail(err, EBADMSG, "%s: record %llu near byte %llu: %s", s->name,
                 (unsigned long long)s->records + 1,
                 (unsigned long long)pkt_source_offset(s), why);
}

void pkt_source_close(struct pkt_source *s) {
  if (s->pcap)
    pcap_close(s->pcap); /* closes the FILE, which used iobuf */
  s->pcap = NULL;
  free(s->iobuf);
  s->iobuf = NULL;
}
