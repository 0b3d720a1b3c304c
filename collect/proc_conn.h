/* collect/proc_conn.h — the kernel's process connector (netlink).
 *
 * Contract: proc_conn_parse() turns the bytes of one netlink datagram into
 * process records (exec, fork, exit, ...) without touching a socket, so it
 * can be tested and fuzzed: every length is checked — the netlink header,
 * the connector message (cn_msg) inside it and the proc_event inside that —
 * and a message that lies about its length, is cut, or comes from another
 * connector is refused with a reason. Records parsed before a refused
 * message are kept (the lengths after a lie cannot be trusted).
 *
 * proc_conn_open() subscribes a NETLINK_CONNECTOR socket to CN_IDX_PROC
 * (root only) with a large receive buffer; proc_conn_read() waits for the
 * next datagram. Losses are never silent: each ENOBUFS (the kernel dropped
 * messages because the buffer was full) is counted in `overruns`, and the
 * events lost — found from gaps in the kernel's per-CPU sequence numbers —
 * in `lost`. Kernel timestamps (monotonic) are turned into wall-clock ns.
 */
#ifndef HABIT_COLLECT_PROC_CONN_H
#define HABIT_COLLECT_PROC_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum proc_rec_type {
  PROC_REC_ACK = 1,   /* the kernel's answer to LISTEN/IGNORE (err in ack_err) */
  PROC_REC_FORK = 2,  /* parent_* forked child (pid, tgid); a thread when pid != tgid */
  PROC_REC_EXEC = 3,  /* pid ran execve */
  PROC_REC_EXIT = 4,  /* pid ended with exit_code (a wait status) */
  PROC_REC_OTHER = 5, /* uid/gid/sid/ptrace/comm/coredump changes: not reported */
};

struct proc_rec {
  uint8_t type;        /* enum proc_rec_type */
  uint32_t what;       /* the kernel's PROC_EVENT_* value */
  uint32_t cpu;        /* CPU that sent it (its sequence counter) */
  uint32_t seq;        /* per-CPU sequence number of the connector */
  uint64_t ktime_ns;   /* kernel monotonic time */
  uint32_t pid, tgid;  /* fork: the child; exec/exit: the process */
  uint32_t parent_pid, parent_tgid; /* fork, and exit when the kernel says */
  uint32_t exit_code;  /* exit: wait(2) status (code << 8 | signal) */
  uint32_t exit_signal;
  int32_t ack_err;     /* ack: 0 or an errno */
};

#define PROC_BATCH_MAX 64 /* records one datagram may hold */

struct proc_batch {
  struct proc_rec recs[PROC_BATCH_MAX];
  size_t n;
};

/* Parse one datagram of len bytes into out (emptied first). 0 when every
 * message was good; -EBADMSG with a reason in err otherwise (out keeps the
 * records before the bad message). */
int proc_conn_parse(const uint8_t *buf, size_t len, struct proc_batch *out,
                    struct hb_error *err);

/* Per-CPU sequence tracking: how many events were skipped before seq. */
#define PROC_SEQ_CPUS 1024
struct proc_seq {
  uint32_t last[PROC_SEQ_CPUS];
  uint8_t seen[PROC_SEQ_CPUS];
};
/* Record (cpu, seq); returns the events missing between the previous seq of
 * that CPU and this one (0 for the first, for CPUs past PROC_SEQ_CPUS, and for
 * a seq that goes back). */
uint64_t proc_seq_note(struct proc_seq *s, uint32_t cpu, uint32_t seq);

struct proc_conn {
  int fd;
  int64_t real_minus_mono; /* wall clock = ktime_ns + this */
  uint64_t datagrams;
  uint64_t overruns;       /* ENOBUFS returned by recv */
  uint64_t lost;           /* events missing from the sequence numbers */
  uint64_t malformed;      /* datagrams refused by the parser */
  struct proc_seq seq;
  uint8_t buf[16384];
};

/* rcvbuf: bytes of socket receive buffer to ask for (forced as root). */
int proc_conn_open(struct proc_conn *c, int rcvbuf, struct hb_error *err);
/* Wait up to timeout_ms (-1: forever) for a datagram and parse it into out.
 * 1 when out holds records (possibly none worth reporting), 0 on timeout,
 * on a signal or after an overrun (counted), negative on a socket error.
 * A malformed datagram is counted in `malformed`, reported through err and
 * returns 1 with the records before the fault. */
int proc_conn_read(struct proc_conn *c, struct proc_batch *out, int timeout_ms,
                   struct hb_error *err);
/* Wall-clock ns of a record's kernel time. */
uint64_t proc_conn_walltime(const struct proc_conn *c, const struct proc_rec *r);
void proc_conn_close(struct proc_conn *c);

#endif
