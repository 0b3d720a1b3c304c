#include "models/model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

void model_init(struct model *m) {
  memset(m, 0, sizeof *m);
  idxmap_init(&m->by_name);
  idxmap_init(&m->by_member);
  idxmap_init(&m->by_edge);
  idxmap_init(&m->by_port);
  idxmap_init(&m->by_proc);
  idxmap_init(&m->by_file);
  idxmap_init(&m->by_syscall);
}

void model_free(struct model *m) {
  for (uint32_t i = 0; i < m->n_edges; i++)
    for (int k = 0; k < EM_COUNT; k++)
      loghist_free(&m->edges[i].h[k]);
  free(m->services);
  free(m->members);
  free(m->edges);
  idxmap_free(&m->by_name);
  idxmap_free(&m->by_member);
  idxmap_free(&m->by_edge);
  idxmap_free(&m->by_port);
  free(m->procs);
  free(m->files);
  idxmap_free(&m->by_proc);
  idxmap_free(&m->by_file);
  free(m->syscalls);
  idxmap_free(&m->by_syscall);
  model_init(m);
}

/* Grow an array of `size`-byte elements to hold one more. */
int model_reserve(void **arr, uint32_t *cap, uint32_t n, size_t size) {
  if (n < *cap)
    return 0;
  uint32_t nc = *cap ? *cap * 2 : 16;
  void *na = realloc(*arr, (size_t)nc * size);
  if (!na)
    return -ENOMEM;
  *arr = na;
  *cap = nc;
  return 0;
}

static bool name_eq(const void *ctx, uint32_t i, const void *key) {
  const struct model *m = ctx;
  return strcmp(m->services[i].name, key) == 0;
}

uint32_t model_find_service(const struct model *m, const char *name) {
  return idxmap_find(&m->by_name, hb_hash_str(name, 1), name_eq, m, name);
}

int model_get_service(struct model *m, const char *name, uint8_t kind,
                      uint32_t *index) {
  uint64_t h = hb_hash_str(name, 1);
  uint32_t i = idxmap_find(&m->by_name, h, name_eq, m, name);
  if (i != IDXMAP_NONE) {
    *index = i;
    return 0;
  }
  if (strlen(name) >= EV_NAME_MAX)
    return -ENAMETOOLONG;
  if (model_reserve((void **)&m->services, &m->cap_services, m->n_services,
              sizeof *m->services) < 0)
    return -ENOMEM;
  i = m->n_services;
  struct model_service *s = &m->services[i];
  memset(s, 0, sizeof *s);
  snprintf(s->name, sizeof s->name, "%s", name);
  s->kind = kind;
  s->dirty = true;
  if (idxmap_put(&m->by_name, h, i) < 0)
    return -ENOMEM;
  m->n_services++;
  *index = i;
  return 0;
}

struct member_key {
  uint32_t svc;
  const char *text;
};

static bool member_eq(const void *ctx, uint32_t i, const void *key) {
  const struct model *m = ctx;
  const struct member_key *k = key;
  return m->members[i].service == k->svc && strcmp(m->members[i].text, k->text) == 0;
}

int model_note_member(struct model *m, uint32_t svc, const char *text,
                      uint8_t role, uint64_t ts_ns) {
  /* Look up the text as it will be stored, cut to fit, or a long one would
   * never be found again and be added anew each time. */
  char cut[MEMBER_TEXT_MAX];
  snprintf(cut, sizeof cut, "%s", text);
  text = cut;
  struct member_key k = {svc, text};
  uint64_t h = hb_hash_str(text, svc);
  uint32_t i = idxmap_find(&m->by_member, h, member_eq, m, &k);
  struct model_service *s = &m->services[svc];
  if (i == IDXMAP_NONE) {
    if (s->members >= MODEL_MAX_MEMBERS) {
      s->members_over++;
      s->dirty = true;
      return 0;
    }
    if (model_reserve((void **)&m->members, &m->cap_members, m->n_members,
                sizeof *m->members) < 0)
      return -ENOMEM;
    i = m->n_members;
    struct model_member *mm = &m->members[i];
    memset(mm, 0, sizeof *mm);
    mm->service = svc;
    snprintf(mm->text, sizeof mm->text, "%s", text);
    mm->role = role;
    mm->first_ns = ts_ns;
    if (idxmap_put(&m->by_member, h, i) < 0)
      return -ENOMEM;
    m->n_members++;
    s->members++;
    s->dirty = true;
  }
  struct model_member *mm = &m->members[i];
  mm->count++;
  if (ts_ns > mm->last_ns)
    mm->last_ns = ts_ns;
  if (ts_ns < mm->first_ns)
    mm->first_ns = ts_ns;
  mm->dirty = true;
  return 0;
}

static uint64_t port_hash(const struct edge_key *k) {
  uint64_t v[2] = {(uint64_t)k->cli << 32 | k->srv, (uint64_t)k->proto << 16 | k->port};
  return hb_hash_bytes(v, sizeof v, 2);
}

static uint64_t edge_hash(const struct edge_key *k) {
  return hb_hash_str(k->app, port_hash(k));
}

static bool port_eq(const void *ctx, uint32_t i, const void *key) {
  const struct model *m = ctx;
  const struct edge_key *a = &m->edges[i].k, *b = key;
  return a->cli == b->cli && a->srv == b->srv && a->proto == b->proto &&
         a->port == b->port;
}

static bool edge_eq(const void *ctx, uint32_t i, const void *key) {
  const struct model *m = ctx;
  const struct edge_key *b = key;
  return port_eq(ctx, i, key) && strcmp(m->edges[i].k.app, b->app) == 0;
}

uint32_t model_find_edge(const struct model *m, const struct edge_key *k) {
  return idxmap_find(&m->by_edge, edge_hash(k), edge_eq, m, k);
}

uint32_t model_next_edge_on_port(const struct model *m, const struct edge_key *k,
                                 size_t *pos) {
  return idxmap_next(&m->by_port, port_hash(k), port_eq, m, k, pos);
}

int model_get_edge(struct model *m, const struct edge_key *k, uint32_t *index) {
  uint64_t h = edge_hash(k);
  uint32_t i = idxmap_find(&m->by_edge, h, edge_eq, m, k);
  if (i != IDXMAP_NONE) {
    *index = i;
    return 0;
  }
  if (model_reserve((void **)&m->edges, &m->cap_edges, m->n_edges, sizeof *m->edges) < 0)
    return -ENOMEM;
  i = m->n_edges;
  struct model_edge *e = &m->edges[i];
  memset(e, 0, sizeof *e);
  e->k = *k;
  for (int j = 0; j < EM_COUNT; j++)
    loghist_init(&e->h[j]);
  e->dirty = true;
  if (idxmap_put(&m->by_edge, h, i) < 0 || idxmap_put(&m->by_port, port_hash(k), i) < 0)
    return -ENOMEM;
  m->n_edges++;
  *index = i;
  return 0;
}

static void readiness_edges(const struct model *m, uint32_t svc, struct readiness *out) {
  for (uint32_t i = 0; i < m->n_edges; i++) {
    const struct model_edge *e = &m->edges[i];
    if (e->k.cli != svc && e->k.srv != svc)
      continue;
    out->behaviors++;
    out->observations += e->count;
    if (e->count == 1)
      out->singletons++;
  }
}

static void readiness_host(const struct model *m, uint32_t svc, struct readiness *out) {
  for (uint32_t i = 0; i < m->n_procs; i++) {
    if (m->procs[i].service != svc)
      continue;
    out->behaviors++;
    out->observations += m->procs[i].count;
    out->singletons += m->procs[i].count == 1;
  }
  for (uint32_t i = 0; i < m->n_files; i++) {
    if (m->files[i].service != svc)
      continue;
    out->behaviors++;
    out->observations += m->files[i].count;
    out->singletons += m->files[i].count == 1;
  }
}

static void readiness_p(struct readiness *out) {
  out->p_new = out->observations ? (double)out->singletons / (double)out->observations : 1.0;
}

void model_readiness(const struct model *m, uint32_t svc, struct readiness *out) {
  memset(out, 0, sizeof *out);
  readiness_edges(m, svc, out);
  readiness_host(m, svc, out);
  readiness_p(out);
}

void model_readiness_network(const struct model *m, uint32_t svc, struct readiness *out) {
  memset(out, 0, sizeof *out);
  readiness_edges(m, svc, out);
  readiness_p(out);
}

const char *edge_metric_name(enum edge_metric em) {
  static const char *const n[EM_COUNT] = {"bytes_toserver", "bytes_toclient", "packets",
                                          "duration_ms", "connections_per_minute"};
  return (unsigned)em < EM_COUNT ? n[em] : "unknown";
}

const char *svc_kind_name(uint8_t kind) {
  switch (kind) {
  case SVC_CONFIGURED: return "configured";
  case SVC_INFERRED: return "inferred";
  case SVC_EXTERNAL: return "external";
  default: return "unknown";
  }
}

uint8_t svc_kind_parse(const char *s) {
  for (uint8_t k = SVC_CONFIGURED; k <= SVC_EXTERNAL; k++)
    if (strcmp(s, svc_kind_name(k)) == 0)
      return k;
  return 0;
}

const char *member_role_name(uint8_t role) {
  return role == ROLE_SERVER ? "server" : role == ROLE_CLIENT ? "client" : "unknown";
}
