/* config/config.h — habit's YAML configuration.
 *
 * Contract: config_defaults() gives a usable configuration with no services
 * (everything inferred). config_load() reads a YAML file over the defaults;
 * it is strict: a syntax error, an unknown key, a value of the wrong type or
 * out of range fails with a message naming the file, line and column
 * ("app.yaml:12:5: unknown key 'prots' in service 'web' (expected one of:
 * ...)") and leaves *cfg as defaults. config_free() releases what load
 * allocated. The file format is documented in README.md § Configuration.
 */
#ifndef HABIT_CONFIG_CONFIG_H
#define HABIT_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/error.h"
#include "core/event.h"

struct cfg_port_range {
  uint16_t lo, hi; /* inclusive */
};

/* One way to recognise a service: its network endpoints (addresses, and
 * optionally the ports and protocol it serves on), its processes (a cgroup
 * path pattern, a container id, an executable path pattern), or both. A
 * process matches when every process key the selector has matches. */
struct cfg_selector {
  struct hb_cidr *cidrs;
  size_t n_cidrs;
  struct cfg_port_range *ports; /* empty: any port */
  size_t n_ports;
  uint8_t proto;                /* 0 any, 6 tcp, 17 udp */
  char *cgroup;                 /* fnmatch(3) pattern on the cgroup path */
  char *container;              /* container id or a prefix of it (>= 12) */
  char *exe;                    /* fnmatch(3) pattern on the executable */
};

struct cfg_service {
  char name[EV_NAME_MAX];
  uint8_t mode; /* enum ev_mode, 0 = the default mode */
  struct cfg_selector *selectors;
  size_t n_selectors;
  char **protected_files; /* absolute paths (a directory: its entries) only
                             the service's learned programs may open, in
                             protect mode (habit enforce proc) */
  size_t n_protected_files;
};

/* External peers grouped under a name instead of `external`. */
struct cfg_external {
  char name[EV_NAME_MAX];
  struct hb_cidr *cidrs;
  size_t n_cidrs;
};

struct cfg_flow {
  uint32_t max_flows;           /* flow table bound */
  uint32_t tcp_new_timeout;     /* seconds idle: handshake not complete */
  uint32_t tcp_est_timeout;     /* established */
  uint32_t tcp_closed_timeout;  /* after FIN/RST, for late packets */
  uint32_t udp_timeout;
  uint32_t icmp_timeout;
  uint32_t other_timeout;
  bool dpi;                     /* payload work: L7 identification, threat
                                   inspection (off: `replay --no-dpi`) */
};

struct cfg_learn {
  double readiness_bound; /* p(new behavior) under which a service is ready */
  uint32_t batch_events;  /* events per model write transaction */
  uint32_t auto_monitor;  /* seconds a service must stay ready before the
                             engine moves it to monitor; 0: never */
  uint32_t auto_monitor_flows; /* ... and the flows it must have had */
};

struct cfg_scan {
  uint32_t window;       /* seconds */
  uint32_t ports;        /* distinct ports on one host from one source */
  uint32_t hosts;        /* distinct hosts on one port from one source */
};

/* Thresholds of the threats raised from packets (README § Threats). */
struct cfg_threats {
  uint32_t flood_window;     /* seconds per flood counting window */
  uint32_t syn_flood;        /* SYNs to one host per second */
  uint32_t icmp_flood;       /* ICMP echo requests to one host per second */
  uint32_t udp_flood;        /* UDP packets to one host per second */
  uint32_t tiny_mss;         /* a SYN announcing an MSS below this */
  uint32_t dns_label;        /* a label this long is tunnel-like */
  uint32_t dns_name;         /* a name this long is tunnel-like */
  double dns_entropy;        /* bits/char of a subdomain that is tunnel-like */
  uint32_t dns_score;        /* tunnel score of one domain per window (dns_threat.h) */
  uint32_t dns_window;       /* seconds */
  uint32_t leak_bytes;       /* payload bytes scanned for leaks per flow and way */
};

/* A user-defined data-leak pattern (Hyperscan's PCRE subset). */
struct cfg_leak_pattern {
  char name[EV_NAME_MAX];
  char *regex; /* NUL-terminated, allocated */
};

struct cfg_detect {
  uint32_t min_samples;  /* an edge's stats are used once it has this many */
  double quantile;       /* learned quantile the threshold starts from */
  double margin;         /* threshold = max(q, learned max) * margin */
  double rate_margin;    /* connections/minute threshold = max seen * this */
  struct cfg_scan scan;
  struct cfg_threats threats;
  struct cfg_leak_pattern *leaks; /* user patterns, in the config's order */
  size_t n_leaks;
};

/* habit collect file: the paths to watch. */
struct cfg_collect_file {
  char **watch;   /* absolute paths, allocated; NULL: the default list */
  size_t n_watch;
};

struct cfg_collect {
  struct cfg_collect_file file;
};

/* habit engine: where it listens and writes ("" when not set; its
 * command-line options win). */
#define CFG_ENDPOINT_MAX 256
struct cfg_engine {
  char listen[CFG_ENDPOINT_MAX];  /* ipc://PATH or tcp://HOST:PORT */
  char publish[CFG_ENDPOINT_MAX]; /* PUB endpoint for alerts */
  char enforcers[CFG_ENDPOINT_MAX]; /* PUB endpoint for the enforcers' orders */
  char alerts[CFG_ENDPOINT_MAX];  /* EVE JSON lines file */
  uint32_t flush;                 /* seconds; 0: the command's default */
};

/* habit enforce: which threats a protected service's connection is reset
 * for (bit SIG_THREAT_BIT(id) of detect/signatures.h: ids 3000-3063), and
 * what an enforcer does while it has no policy from the engine. */
struct cfg_enforce {
  uint64_t reset_threats;
  bool queue_bypass; /* habit enforce net fail-open: while no enforcer
                       listens, new connections pass, and the rules are
                       removed even when it is killed (--queue-bypass) */
  bool fail_closed; /* no_policy: closed — until an enforcer has the
                       engine's policy, every configured service is
                       protected with nothing allowed (else: nothing is
                       enforced) */
};

struct config {
  char path[256];        /* file it came from, "" for defaults */
  char node[EV_NAME_MAX];
  uint8_t default_mode;  /* enum ev_mode */
  struct cfg_service *services;
  size_t n_services;
  struct hb_cidr *internal; /* empty: private ranges (hb_addr_is_private) */
  size_t n_internal;
  struct cfg_external *externals;
  size_t n_externals;
  struct cfg_flow flow;
  struct cfg_learn learn;
  struct cfg_detect detect;
  struct cfg_collect collect;
  struct cfg_engine engine;
  struct cfg_enforce enforce;
};

void config_defaults(struct config *cfg);
int config_load(const char *path, struct config *cfg, struct hb_error *err);
/* Parse YAML text already in memory; name is used in messages. */
int config_parse(const char *name, const char *text, size_t len,
                 struct config *cfg, struct hb_error *err);
void config_free(struct config *cfg);

#endif
