/* core/event.h — habit's one event type and its wire encoding.
 *
 * Contract: an event is a kind tag plus fixed fields; strings are bounded and
 * NUL-terminated in memory. ev_encode() writes the versioned, length-checked
 * binary form (layout in core/event_codec.c); ev_decode() accepts only
 * well-formed input and fills err with the reason for the rest. Neither
 * allocates. Events travel on the bus in batches (core/event_batch.h).
 */
#ifndef HABIT_CORE_EVENT_H
#define HABIT_CORE_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/error.h"

#define EV_WIRE_VERSION 1
#define EV_NAME_MAX 64     /* node and service names, bytes incl. NUL */
#define EV_APP_MAX 16      /* L7 app name */
#define EV_TEXT_MAX 256    /* hostnames, paths, SNI, DNS names */
#define EV_SHORT_MAX 64    /* user agents, banners, ALPN, methods */
#define EV_REASON_MAX 320  /* alert sentences */
#define EV_PATH_MAX 1024   /* file paths and executables of file events */
#define EV_ARGV_MAX 512    /* a process's arguments, joined by spaces */
#define EV_CONTAINER_MAX 65 /* a container id: 64 hex digits, or empty */
#define EV_COMM_MAX 16     /* the kernel's task name (TASK_COMM_LEN) */
#define EV_MAX_WIRE 4096   /* no encoded event is larger */

enum ev_kind {
  EV_FLOW = 1,  /* a finished (or evicted) bidirectional flow */
  EV_ALERT = 2, /* a detector's decision about a flow */
  EV_STATS = 3, /* a collector's counters */
  EV_END = 4,   /* end of a stream: final counters and status */
  EV_PROC = 5,  /* a process started, forked or exited (collect/proc_*) */
  EV_FILE = 6,  /* an access to a watched file (habit collect file) */
};

enum ev_end_reason {
  EV_END_OPEN = 0,    /* not ended: an alert raised while the flow went on */
  EV_END_FIN = 1,     /* both sides closed */
  EV_END_RST = 2,     /* reset */
  EV_END_TIMEOUT = 3, /* idle timeout by capture time */
  EV_END_CAPTURE = 4, /* the capture ended with the flow open */
  EV_END_EVICTED = 5, /* the flow table was full */
};

/* Connection state at the end, from the TCP flags seen (or packet direction
 * for other protocols). */
enum ev_flow_state {
  EV_STATE_NEW = 1,         /* only the initiator spoke (unanswered) */
  EV_STATE_REJECTED = 2,    /* TCP: initiator's SYN answered by RST */
  EV_STATE_ESTABLISHED = 3, /* both sides spoke (TCP: handshake completed) */
  EV_STATE_CLOSED = 4,      /* established, then closed by FIN or RST */
};

/* Application facts the L7 identifiers extract; empty strings when unseen. */
struct ev_l7 {
  char http_method[16];
  char http_host[EV_TEXT_MAX];
  char http_path[EV_TEXT_MAX];
  char http_user_agent[EV_SHORT_MAX];
  uint16_t http_status;
  char dns_qname[EV_TEXT_MAX];
  uint16_t dns_qtype;
  uint8_t dns_rcode;    /* valid when dns_answered */
  uint8_t dns_answered; /* a response was seen */
  char tls_sni[EV_TEXT_MAX];
  uint16_t tls_version; /* negotiated if seen, else offered */
  char tls_alpn[EV_SHORT_MAX];
  char ssh_client[EV_SHORT_MAX];
  char ssh_server[EV_SHORT_MAX];
  /* Every other application: verb (SQL verb, command, message type),
   * object (table, key, topic, mailbox, path), user, software. */
  char app_verb[32];
  char app_object[128];
  char app_user[EV_SHORT_MAX];
  char app_software[EV_SHORT_MAX];
};

struct ev_flow {
  uint64_t flow_id;                 /* stable hash of 5-tuple and start */
  uint64_t first_ns, last_ns;       /* capture time of first/last packet */
  struct hb_addr cli, srv;          /* client = initiator */
  uint16_t cli_port, srv_port;      /* ICMP: srv_port = type, cli_port = id */
  uint8_t proto;                    /* IP protocol number */
  uint8_t client_guessed;           /* 1 when no SYN told who initiated */
  uint16_t vlan;                    /* outermost VLAN id, 0 when none */
  uint64_t bytes_c2s, bytes_s2c;    /* IP bytes (header + payload) */
  uint64_t payload_c2s, payload_s2c; /* L4 payload bytes */
  uint32_t pkts_c2s, pkts_s2c;
  uint8_t tcp_flags_c2s, tcp_flags_s2c; /* OR of flags seen each way */
  uint8_t state;                    /* enum ev_flow_state */
  uint8_t end_reason;               /* enum ev_end_reason */
  char app[EV_APP_MAX];             /* "http", "tls", ... or "" */
  uint8_t app_confidence;           /* 0..100 */
  char cli_service[EV_NAME_MAX];    /* filled by the engine's service map */
  char srv_service[EV_NAME_MAX];
  struct ev_l7 l7;
};

enum ev_category { EV_CAT_VIOLATION = 1, EV_CAT_ANOMALY = 2, EV_CAT_THREAT = 3 };
enum ev_action { EV_ACTION_ALLOWED = 1, EV_ACTION_BLOCKED = 2 };
enum ev_mode { EV_MODE_DISCOVER = 1, EV_MODE_MONITOR = 2, EV_MODE_PROTECT = 3 };

struct ev_alert {
  struct ev_flow flow;  /* the flow the alert is about (copy) */
  uint32_t signature_id;
  uint8_t category;     /* enum ev_category */
  uint8_t severity;     /* 1 high .. 3 low, as Suricata */
  uint8_t action;       /* enum ev_action */
  uint8_t mode;         /* enum ev_mode in force */
  double score;         /* how far outside the habit; 0 when not scored */
  uint64_t at_ns;       /* when (a packet's time); 0: the flow's start */
  char signature[EV_REASON_MAX]; /* one sentence: why */
};

/* Collector counters. Monotonic within a stream. */
struct ev_stats {
  char source[EV_TEXT_MAX];  /* file name or interface */
  uint64_t packets;          /* records read (equals capinfos -c) */
  uint64_t bytes;            /* original wire bytes */
  uint64_t ip_packets;       /* decoded to IPv4/IPv6 */
  uint64_t non_ip;           /* ARP, LLDP, ... skipped */
  uint64_t truncated;        /* caplen < needed headers */
  uint64_t malformed;        /* headers that lie about lengths etc. */
  uint64_t fragments;        /* non-first IP fragments (not attributed) */
  uint64_t flows;            /* flow events emitted */
  uint64_t flows_evicted;    /* of those, evicted because the table was full */
  uint64_t dropped_kernel;   /* live capture: kernel drops */
  uint64_t dropped_bus;      /* events that found the bus full */
};

struct ev_end {
  struct ev_stats stats;
  int32_t status;            /* 0 ok, negative errno-style on failure */
  char message[EV_REASON_MAX];
};

enum ev_proc_op {
  EV_PROC_EXEC = 1,     /* a process ran a new program (execve) */
  EV_PROC_FORK = 2,     /* a new process (not a thread) was forked */
  EV_PROC_EXIT = 3,     /* a process (its thread group) ended */
  EV_PROC_EXISTING = 4, /* found running by the collector's start-up scan */
  EV_PROC_DENIED = 5,   /* an exec an enforcer refused: exe is the program
                           refused, the other fields the process that asked */
};

/* ev_proc.flags: what enrichment from /proc could not tell. */
#define EV_PROC_F_GONE 0x01     /* the process ended before it was read: the
                                   /proc fields are empty or partial */
#define EV_PROC_F_ARGV_CUT 0x02 /* argv was longer than EV_ARGV_MAX - 1 and
                                   ends with "..." */
#define EV_PROC_F_KTHREAD 0x04  /* a kernel thread: no exe, no argv */
#define EV_PROC_F_ALL 0x07

#define EV_PROC_ID_UNKNOWN UINT32_MAX /* uid/gid not read */

struct ev_proc {
  uint8_t op;                 /* enum ev_proc_op */
  uint8_t flags;              /* EV_PROC_F_* */
  uint32_t pid, tgid;         /* thread id and process id, as the kernel says */
  uint32_t ppid;              /* parent's process id; 0 when unknown */
  uint32_t uid, gid;          /* real ids; EV_PROC_ID_UNKNOWN when not read */
  int32_t exit_code;          /* exit: the status 0..255, or -signal when
                                 killed by a signal; 0 for other ops */
  char exe[EV_TEXT_MAX];      /* program path (readlink /proc/PID/exe) */
  char argv[EV_ARGV_MAX];     /* arguments joined by single spaces */
  char cwd[EV_TEXT_MAX];
  char parent_exe[EV_TEXT_MAX];
  char cgroup[EV_TEXT_MAX];   /* v2 path, else the v1 path that names it */
  char container_id[EV_CONTAINER_MAX]; /* 64 hex digits or "" */
  char comm[EV_COMM_MAX];
};

/* What was done to a watched file. */
enum ev_file_op {
  EV_FILE_OPEN = 1,   /* opened (to read or write) */
  EV_FILE_MODIFY = 2, /* written to */
  EV_FILE_CREATE = 3, /* a new entry in a watched directory */
  EV_FILE_DELETE = 4, /* an entry removed */
  EV_FILE_EXEC = 5,   /* opened to be executed */
  EV_FILE_MOVE = 6,   /* renamed: one event for the old name, one for the new */
  EV_FILE_DENIED = 7, /* an open an enforcer refused (a protected file) */
};

#define EV_UID_UNKNOWN UINT32_MAX

/* One access to a watched path, as fanotify (or inotify) reported it. The
 * process fields are read from /proc when the event is read: empty when the
 * process had already exited, and pid 0 / uid EV_UID_UNKNOWN when the
 * backend does not tell (inotify). */
struct ev_file {
  uint8_t op;                /* enum ev_file_op */
  uint8_t is_dir;            /* the entry is a directory */
  uint32_t pid;              /* 0: unknown */
  uint32_t uid;              /* effective uid; EV_UID_UNKNOWN when unknown */
  char path[EV_PATH_MAX];    /* absolute */
  char exe[EV_PATH_MAX];     /* /proc/pid/exe at event time, "" if gone */
  char comm[EV_COMM_MAX];
  char rule[EV_PATH_MAX];    /* the watched path that matched */
  uint32_t ppid;             /* the process's parent; 0 when unknown */
  char cgroup[EV_TEXT_MAX];  /* as ev_proc.cgroup; "" when unknown */
  char container_id[EV_CONTAINER_MAX];
};

struct event {
  uint8_t kind;              /* enum ev_kind */
  uint64_t ts_ns;            /* when it happened (capture time for flows) */
  char node[EV_NAME_MAX];    /* node that observed it */
  union {
    struct ev_flow flow;
    struct ev_alert alert;
    struct ev_stats stats;
    struct ev_end end;
    struct ev_file file;
    struct ev_proc proc;
  } u;
};

/* Encode ev into buf (cap bytes). Returns the encoded length (> 0) or a
 * negative errno-style code: -ENOSPC when buf is too small, -EINVAL for an
 * event whose strings are not NUL-terminated within their bounds. */
int ev_encode(const struct event *ev, uint8_t *buf, size_t cap);

/* Decode one event from exactly len bytes. 0 on success; -EBADMSG with a
 * reason in err ("field 7 (srv_port) has length 3, expected 2") otherwise.
 * On failure *ev is left zeroed. */
int ev_decode(const uint8_t *buf, size_t len, struct event *ev,
              struct hb_error *err);

const char *ev_kind_name(uint8_t kind);
const char *ev_end_reason_name(uint8_t reason);
const char *ev_state_name(uint8_t state);
const char *ev_category_name(uint8_t cat);
const char *ev_action_name(uint8_t action);
const char *ev_mode_name(uint8_t mode);
const char *ev_file_op_name(uint8_t op);
const char *ev_proc_op_name(uint8_t op);
/* "discover" -> EV_MODE_DISCOVER; 0 when unknown. */
uint8_t ev_mode_parse(const char *s);

#endif
