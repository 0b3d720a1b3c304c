#include "enforce/nfq_guard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
                     void *data) {
  (void)msg;
  struct nfq_guard *g = data;
  struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
  if (!ph)
    return 0;
  uint32_t id = ntohl(ph->packet_id);
  unsigned char *pkt = NULL;
  int len = nfq_get_payload(nfa, &pkt);
  /* What cannot be read is let through: the guard decides on connections
   * it can name, never on guesses. */
  enum nfq_choice c = len > 0 ? g->decide(g->ctx, pkt, (size_t)len) : NFQ_ACCEPT;
  int rc = c == NFQ_REJECT ? nfq_set_verdict2(qh, id, NF_REPEAT, NFQ_REJECT_MARK, 0, NULL)
           : c == NFQ_DROP ? nfq_set_verdict(qh, id, NF_DROP, 0, NULL)
                           : nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
  if (rc < 0)
    g->failed_verdicts++;
  else if (c == NFQ_REJECT)
    g->rejected++;
  else if (c == NFQ_DROP)
    g->dropped++;
  else
    g->accepted++;
  return 0;
}

int nfq_guard_open(struct nfq_guard *g, uint16_t num, nfq_decide_fn decide, void *ctx,
                   struct hb_error *err) {
  memset(g, 0, sizeof *g);
  g->fd = -1;
  g->decide = decide;
  g->ctx = ctx;
  struct nfq_handle *h = nfq_open();
  if (!h)
    return hb_fail(err, errno ? errno : EPERM, "nfq_open: %s (needs CAP_NET_ADMIN)",
                   strerror(errno ? errno : EPERM));
  g->h = h;
  struct nfq_q_handle *qh = nfq_create_queue(h, num, on_packet, g);
  if (!qh) {
    nfq_guard_close(g);
    return hb_fail(err, EBUSY, "NFQUEUE %u: cannot bind (another program holds it?)", num);
  }
  g->qh = qh;
  if (nfq_set_mode(qh, NFQNL_COPY_PACKET, 0xffff) < 0) {
    nfq_guard_close(g);
    return hb_fail(err, EIO, "NFQUEUE %u: cannot ask for packets", num);
  }
  g->fd = nfq_fd(h);
  return 0;
}

int nfq_guard_serve(struct nfq_guard *g, int timeout_ms, struct hb_error *err) {
  struct pollfd p = {.fd = g->fd, .events = POLLIN};
  int r = poll(&p, 1, timeout_ms);
  if (r < 0)
    return errno == EINTR ? 0 : hb_fail(err, errno, "poll: %s", strerror(errno));
  char buf[65536 + 4096] __attribute__((aligned(8)));
  while (r > 0) {
    ssize_t n = recv(g->fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR)
        return 0;
      if (errno == ENOBUFS) /* the kernel dropped queued packets: go on */
        continue;
      return hb_fail(err, errno, "NFQUEUE recv: %s", strerror(errno));
    }
    nfq_handle_packet(g->h, buf, (int)n);
  }
  return 0;
}

void nfq_guard_close(struct nfq_guard *g) {
  if (g->qh)
    nfq_destroy_queue(g->qh);
  if (g->h)
    nfq_close(g->h);
  g->qh = g->h = NULL;
  g->fd = -1;
}
