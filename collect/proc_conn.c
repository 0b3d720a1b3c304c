/* The process connector: parsing (pure) and the socket around it.
 *
 * One datagram holds netlink messages back to back, each aligned to 4 bytes:
 *
 *   nlmsghdr  16  u32 len (header included), u16 type (NLMSG_DONE), ...
 *   cn_msg    20  u32 idx, u32 val (CN_IDX_PROC, CN_VAL_PROC), u32 seq,
 *                 u32 ack, u16 len (of the data after it), u16 flags
 *   proc_event    u32 what, u32 cpu, u64 timestamp_ns, then the event's
 *                 own fields (fork 16 bytes, exec 8, exit 16 or 24, ...)
 *
 * Fields are read by offset with memcpy in host byte order (netlink is
 * host-endian), never by casting the buffer, so the parser holds no
 * alignment assumption and the fuzzer can feed it anything.
 */
#include "collect/proc_conn.h"

#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NL_HDR 16
#define CN_HDR 20
#define EV_HDR 16 /* what, cpu, timestamp_ns */

static uint32_t rd32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static uint16_t rd16(const uint8_t *p) {
  uint16_t v;
  memcpy(&v, p, 2);
  return v;
}

static uint64_t rd64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* Bytes of event data a kind needs after the 16-byte proc_event header;
 * what is unknown to this build needs none (it is only counted). */
static size_t data_needed(uint32_t what, uint8_t *type) {
  switch (what) {
  case PROC_EVENT_NONE: *type = PROC_REC_ACK; return 4;
  case PROC_EVENT_FORK: *type = PROC_REC_FORK; return 16;
  case PROC_EVENT_EXEC: *type = PROC_REC_EXEC; return 8;
  case PROC_EVENT_EXIT: *type = PROC_REC_EXIT; return 16;
  default: *type = PROC_REC_OTHER; return 0;
  }
}

/* One proc_event of n bytes (n already checked against its containers). */
static int parse_event(const uint8_t *p, size_t n, size_t at, struct proc_rec *r,
                       struct hb_error *err) {
  if (n < EV_HDR)
    return hb_fail(err, EBADMSG,
                   "proc connector: message at offset %zu carries %zu bytes, less than "
                   "a proc_event header (%d)",
                   at, n, EV_HDR);
  memset(r, 0, sizeof *r);
  r->what = rd32(p);
  r->cpu = rd32(p + 4);
  r->ktime_ns = rd64(p + 8);
  size_t need = data_needed(r->what, &r->type);
  if (n - EV_HDR < need)
    return hb_fail(err, EBADMSG,
                   "proc connector: event 0x%x at offset %zu has %zu bytes of data, "
                   "needs %zu",
                   r->what, at, n - EV_HDR, need);
  const uint8_t *d = p + EV_HDR;
  switch (r->type) {
  case PROC_REC_ACK:
    r->ack_err = (int32_t)rd32(d);
    break;
  case PROC_REC_FORK:
    r->parent_pid = rd32(d);
    r->parent_tgid = rd32(d + 4);
    r->pid = rd32(d + 8);
    r->tgid = rd32(d + 12);
    break;
  case PROC_REC_EXEC:
    r->pid = rd32(d);
    r->tgid = rd32(d + 4);
    break;
  case PROC_REC_EXIT:
    r->pid = rd32(d);
    r->tgid = rd32(d + 4);
    r->exit_code = rd32(d + 8);
    r->exit_signal = rd32(d + 12);
    if (n - EV_HDR >= 24) { /* parent fields, since Linux 4.18 */
      r->parent_pid = rd32(d + 16);
      r->parent_tgid = rd32(d + 20);
    }
    break;
  default:
    if (n - EV_HDR >= 8) { /* every other kind starts with pid, tgid */
      r->pid = rd32(d);
      r->tgid = rd32(d + 4);
    }
    break;
  }
  return 0;
}

int proc_conn_parse(const uint8_t *buf, size_t len, struct proc_batch *out,
                    struct hb_error *err) {
  out->n = 0;
  if (len == 0)
    return hb_fail(err, EBADMSG, "proc connector: empty datagram");
  size_t pos = 0;
  while (pos < len) {
    size_t left = len - pos;
    if (left < NL_HDR)
      return hb_fail(err, EBADMSG,
                     "proc connector: %zu stray bytes at offset %zu, less than a netlink "
                     "header (%d)",
                     left, pos, NL_HDR);
    uint32_t nl_len = rd32(buf + pos);
    uint16_t nl_type = rd16(buf + pos + 4);
    if (nl_len < NL_HDR)
      return hb_fail(err, EBADMSG,
                     "proc connector: netlink message at offset %zu says length %u, less "
                     "than its %d-byte header",
                     pos, nl_len, NL_HDR);
    if (nl_len > left)
      return hb_fail(err, EBADMSG,
                     "proc connector: netlink message at offset %zu says length %u, only "
                     "%zu bytes left",
                     pos, nl_len, left);
    if (nl_type == NLMSG_NOOP) {
      pos += NLMSG_ALIGN(nl_len) < left ? NLMSG_ALIGN(nl_len) : left;
      continue;
    }
    if (nl_type != NLMSG_DONE)
      return hb_fail(err, EBADMSG,
                     "proc connector: netlink message at offset %zu has type %u, expected "
                     "%d (NLMSG_DONE)",
                     pos, nl_type, NLMSG_DONE);
    size_t payload = nl_len - NL_HDR;
    const uint8_t *cn = buf + pos + NL_HDR;
    if (payload < CN_HDR)
      return hb_fail(err, EBADMSG,
                     "proc connector: netlink message at offset %zu holds %zu bytes, less "
                     "than a cn_msg header (%d)",
                     pos, payload, CN_HDR);
    uint32_t idx = rd32(cn), val = rd32(cn + 4);
    uint16_t cn_len = rd16(cn + 16);
    if (idx != CN_IDX_PROC || val != CN_VAL_PROC)
      return hb_fail(err, EBADMSG,
                     "proc connector: message at offset %zu is for connector %u.%u, not "
                     "the process connector (%d.%d)",
                     pos, idx, val, CN_IDX_PROC, CN_VAL_PROC);
    if (cn_len > payload - CN_HDR)
      return hb_fail(err, EBADMSG,
                     "proc connector: cn_msg at offset %zu says %u bytes of data, the "
                     "netlink message holds %zu",
                     pos, cn_len, payload - CN_HDR);
    if (out->n == PROC_BATCH_MAX)
      return hb_fail(err, EBADMSG, "proc connector: more than %d messages in one datagram",
                     PROC_BATCH_MAX);
    struct proc_rec *r = &out->recs[out->n];
    int rc = parse_event(cn + CN_HDR, cn_len, pos, r, err);
    if (rc < 0)
      return rc;
    r->seq = rd32(cn + 8);
    out->n++;
    pos += NLMSG_ALIGN(nl_len) < left ? NLMSG_ALIGN(nl_len) : left;
  }
  return 0;
}

uint64_t proc_seq_note(struct proc_seq *s, uint32_t cpu, uint32_t seq) {
  if (cpu >= PROC_SEQ_CPUS)
    return 0;
  uint64_t missed = 0;
  if (s->seen[cpu]) {
    uint32_t gap = seq - s->last[cpu] - 1; /* modulo 2^32: wraps are fine */
    if (gap < 0x80000000u)
      missed = gap;
    else
      return 0; /* went back (or repeated): keep the highest */
  }
  s->seen[cpu] = 1;
  s->last[cpu] = seq;
  return missed;
}

/* Ask the kernel to start (LISTEN) or stop (IGNORE) sending us events. */
static int send_mcast(int fd, uint32_t op) {
  uint8_t msg[NL_HDR + CN_HDR + 4];
  memset(msg, 0, sizeof msg);
  uint32_t u32;
  u32 = sizeof msg;
  memcpy(msg, &u32, 4);
  uint16_t type = NLMSG_DONE;
  memcpy(msg + 4, &type, 2);
  u32 = CN_IDX_PROC;
  memcpy(msg + NL_HDR, &u32, 4);
  u32 = CN_VAL_PROC;
  memcpy(msg + NL_HDR + 4, &u32, 4);
  uint16_t dlen = 4;
  memcpy(msg + NL_HDR + 16, &dlen, 2);
  memcpy(msg + NL_HDR + CN_HDR, &op, 4);
  struct sockaddr_nl to = {.nl_family = AF_NETLINK};
  if (sendto(fd, msg, sizeof msg, 0, (struct sockaddr *)&to, sizeof to) < 0)
    return -errno;
  return 0;
}

static int64_t clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int proc_conn_open(struct proc_conn *c, int rcvbuf, struct hb_error *err) {
  memset(c, 0, sizeof *c);
  c->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (c->fd < 0)
    return hb_fail(err, errno == EPERM || errno == EACCES ? EPERM : EIO,
                   "proc connector: cannot open a netlink connector socket: %s",
                   strerror(errno));
  /* Forcing past rmem_max needs CAP_NET_ADMIN; without it take what is allowed. */
  if (setsockopt(c->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0 &&
      setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0) {
    int e = errno;
    proc_conn_close(c);
    return hb_fail(err, EIO, "proc connector: cannot size the receive buffer: %s",
                   strerror(e));
  }
  struct sockaddr_nl me = {.nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC};
  if (bind(c->fd, (struct sockaddr *)&me, sizeof me) < 0) {
    int e = errno;
    proc_conn_close(c);
    return hb_fail(err, e == EPERM ? EPERM : EIO,
                   "proc connector: cannot join the process events group: %s%s",
                   strerror(e), e == EPERM ? " (needs root)" : "");
  }
  int rc = send_mcast(c->fd, PROC_CN_MCAST_LISTEN);
  if (rc < 0) {
    proc_conn_close(c);
    return hb_fail(err, -rc == EPERM ? EPERM : EIO,
                   "proc connector: cannot subscribe to process events: %s%s",
                   strerror(-rc), -rc == EPERM ? " (needs root)" : "");
  }
  c->real_minus_mono = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
  return 0;
}

int proc_conn_read(struct proc_conn *c, struct proc_batch *out, int timeout_ms,
                   struct hb_error *err) {
  out->n = 0;
  struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
  int pr = poll(&pfd, 1, timeout_ms);
  if (pr < 0)
    return errno == EINTR ? 0 : hb_fail(err, EIO, "proc connector: poll: %s", strerror(errno));
  if (pr == 0)
    return 0;
  struct sockaddr_nl from;
  socklen_t flen = sizeof from;
  ssize_t n = recvfrom(c->fd, c->buf, sizeof c->buf, MSG_DONTWAIT | MSG_TRUNC,
                       (struct sockaddr *)&from, &flen);
  if (n < 0) {
    if (errno == ENOBUFS) {
      c->overruns++; /* what was lost shows as sequence gaps */
      return 0;
    }
    if (errno == EINTR || errno == EAGAIN)
      return 0;
    return hb_fail(err, EIO, "proc connector: recv: %s", strerror(errno));
  }
  c->datagrams++;
  if (from.nl_pid != 0) {
    c->malformed++;
    hb_fail(err, EBADMSG, "proc connector: datagram from port %u, not the kernel",
            from.nl_pid);
    return 1;
  }
  if ((size_t)n > sizeof c->buf) {
    c->malformed++;
    hb_fail(err, EBADMSG, "proc connector: datagram of %zd bytes cut to %zu", n,
            sizeof c->buf);
    return 1;
  }
  if (proc_conn_parse(c->buf, (size_t)n, out, err) < 0)
    c->malformed++;
  for (size_t i = 0; i < out->n; i++)
    if (out->recs[i].type != PROC_REC_ACK)
      c->lost += proc_seq_note(&c->seq, out->recs[i].cpu, out->recs[i].seq);
  return 1;
}

uint64_t proc_conn_walltime(const struct proc_conn *c, const struct proc_rec *r) {
  int64_t t = (int64_t)r->ktime_ns + c->real_minus_mono;
  return t > 0 ? (uint64_t)t : 0;
}

void proc_conn_close(struct proc_conn *c) {
  if (c->fd >= 0) {
    send_mcast(c->fd, PROC_CN_MCAST_IGNORE); /* best effort: closing stops it too */
    close(c->fd);
  }
  c->fd = -1;
}
