/* models/model.h — what habit has learned, in memory.
 *
 * Contract: a model holds services (with their members) and edges (client
 * service -> server service, L4 protocol, server port, L7 app), each edge
 * with its count and its distributions (struct loghist per metric), and
 * each service's process and file whitelists (models/model_host.c). It only
 * grows: learning adds, never removes. Lookups are by hash index; the
 * `dirty` flags tell the store what to write at the next flush. A model is
 * loaded from and saved to SQLite by models/store.h; learning and detection
 * use it through learn/ and detect/.
 */
#ifndef HABIT_MODELS_MODEL_H
#define HABIT_MODELS_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/event.h"
#include "core/idxmap.h"
#include "models/loghist.h"

enum svc_kind { SVC_CONFIGURED = 1, SVC_INFERRED = 2, SVC_EXTERNAL = 3 };
enum member_role { ROLE_CLIENT = 1, ROLE_SERVER = 2 };

/* Members kept per service; beyond this only a count grows. */
#define MODEL_MAX_MEMBERS 256
#define MEMBER_TEXT_MAX 72

enum edge_metric {
  EM_BYTES_C2S,   /* bytes client -> server per flow */
  EM_BYTES_S2C,   /* bytes server -> client per flow */
  EM_PKTS,        /* packets per flow, both ways */
  EM_DURATION_MS, /* flow duration */
  EM_CONN_RATE,   /* connections per minute, in minutes with any */
  EM_COUNT
};

struct model_service {
  char name[EV_NAME_MAX];
  uint8_t kind;            /* enum svc_kind */
  uint64_t first_ns, last_ns;
  uint64_t flows;          /* flows this service took part in */
  uint32_t members;        /* members stored */
  uint64_t members_over;   /* members seen beyond MODEL_MAX_MEMBERS */
  bool dirty;
};

struct model_member {
  uint32_t service;        /* index into services */
  char text[MEMBER_TEXT_MAX]; /* "10.1.0.20" or "10.1.0.30:5432/tcp" */
  uint8_t role;            /* enum member_role */
  uint64_t first_ns, last_ns, count;
  bool dirty;
};

struct edge_key {
  uint32_t cli, srv;       /* service indexes */
  uint16_t port;           /* server port (ICMP: type) */
  uint8_t proto;
  char app[EV_APP_MAX];    /* "" when unidentified */
};

struct model_edge {
  struct edge_key k;
  uint64_t count, first_ns, last_ns;
  struct loghist h[EM_COUNT];
  bool dirty;
};

/* Process whitelist (DESIGN §4): a program a service ran, with the program
 * that started it and the user it ran as. */
struct model_proc {
  uint32_t service;
  char exe[EV_TEXT_MAX];
  char parent[EV_TEXT_MAX];   /* the parent's exe, "" when unknown */
  uint32_t uid;               /* EV_PROC_ID_UNKNOWN when unknown */
  uint64_t count, first_ns, last_ns;
  bool dirty;
};

/* File whitelist: which program of a service touched which watched path,
 * and how. A path ending in '/' is a prefix (a directory's entries). */
enum file_access { FA_READ = 1, FA_WRITE = 2, FA_EXEC = 4 };
struct model_file {
  uint32_t service;
  char exe[EV_TEXT_MAX];
  char path[EV_TEXT_MAX];
  uint8_t access;             /* FA_* seen */
  uint64_t count, first_ns, last_ns;
  bool dirty;
};

/* Syscall set (DESIGN §4, for seccomp): a system call a service's program
 * made under `habit run` in discover, by name (names are the same on every
 * architecture libseccomp knows; numbers are not). */
#define SYSCALL_NAME_MAX 32
struct model_syscall {
  uint32_t service;
  char name[SYSCALL_NAME_MAX];
  uint64_t count, first_ns, last_ns;
  bool dirty;
};

struct model {
  struct model_syscall *syscalls;
  uint32_t n_syscalls, cap_syscalls;
  struct idxmap by_syscall; /* (service, name) -> syscalls[] */
  struct model_proc *procs;
  uint32_t n_procs, cap_procs;
  struct model_file *files;
  uint32_t n_files, cap_files;
  struct idxmap by_proc;   /* (service, exe, parent, uid) -> procs[] */
  struct idxmap by_file;   /* (service, exe) -> files[], any path */
  struct model_service *services;
  uint32_t n_services, cap_services;
  struct model_member *members;
  uint32_t n_members, cap_members;
  struct model_edge *edges;
  uint32_t n_edges, cap_edges;
  struct idxmap by_name;   /* service name -> services[] */
  struct idxmap by_member; /* (service, text) -> members[] */
  struct idxmap by_edge;   /* edge_key -> edges[] */
  struct idxmap by_port;   /* (cli, srv, proto, port) -> edges[], any app */
};

void model_init(struct model *m);
void model_free(struct model *m);

/* Find a service by name; IDXMAP_NONE when unknown. */
uint32_t model_find_service(const struct model *m, const char *name);
/* Find or add; *index set. New services start dirty. */
int model_get_service(struct model *m, const char *name, uint8_t kind,
                      uint32_t *index);
/* Note a member of a service (bounded per service; the text is cut to
 * MEMBER_TEXT_MAX - 1 bytes, and the cut text is the member). */
int model_note_member(struct model *m, uint32_t svc, const char *text,
                      uint8_t role, uint64_t ts_ns);

uint32_t model_find_edge(const struct model *m, const struct edge_key *k);
int model_get_edge(struct model *m, const struct edge_key *k, uint32_t *index);
/* Walk the edges sharing k's (cli, srv, proto, port), whatever their app:
 * start with *pos = 0; IDXMAP_NONE at the end. */
uint32_t model_next_edge_on_port(const struct model *m, const struct edge_key *k,
                                 size_t *pos);

/* Note a program run / a file access (models/model_host.c); texts are cut
 * to EV_TEXT_MAX - 1 bytes. *index is set when not NULL. */
int model_learn_proc(struct model *m, uint32_t svc, const char *exe, const char *parent,
                     uint32_t uid, uint64_t ts_ns, uint32_t *index);
uint32_t model_find_proc(const struct model *m, uint32_t svc, const char *exe,
                         const char *parent, uint32_t uid);
int model_learn_file(struct model *m, uint32_t svc, const char *exe, const char *path,
                     uint8_t access, uint64_t ts_ns, uint32_t *index);
/* Does a learned entry of (svc, exe) cover path (equal, or a prefix entry
 * it starts with) with every access bit asked? */
bool model_file_allowed(const struct model *m, uint32_t svc, const char *exe,
                        const char *path, uint8_t access);
/* Note count calls of a syscall (name cut to SYSCALL_NAME_MAX - 1). */
int model_learn_syscall(struct model *m, uint32_t svc, const char *name, uint64_t count,
                        uint64_t ts_ns, uint32_t *index);
uint32_t model_find_syscall(const struct model *m, uint32_t svc, const char *name);
/* "r", "rw", "rwx"... and back (0 for an unknown letter or none). */
const char *file_access_text(uint8_t access, char out[4]);
uint8_t file_access_parse(const char *s);

/* For models/ files: grow an array of size-byte elements to hold n + 1. */
int model_reserve(void **arr, uint32_t *cap, uint32_t n, size_t size);

const char *edge_metric_name(enum edge_metric em);
const char *svc_kind_name(uint8_t kind);
uint8_t svc_kind_parse(const char *s);
const char *member_role_name(uint8_t role);

/* Readiness (DESIGN §4): Good–Turing estimate of the chance that the next
 * event of a service shows a behavior never seen, from its behaviors —
 * the edges it is part of, the programs it ran, the file accesses it made:
 * singletons (behaviors seen once) / observations (events over them). */
struct readiness {
  uint64_t observations, behaviors, singletons;
  double p_new;            /* 1.0 when nothing observed */
};
void model_readiness(const struct model *m, uint32_t svc, struct readiness *out);
/* The same over its edges only (what a capture can show). */
void model_readiness_network(const struct model *m, uint32_t svc, struct readiness *out);

#endif
