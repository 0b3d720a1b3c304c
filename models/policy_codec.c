#include "models/policy_codec.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing ------------------------------------------------------------ */

struct wbuf {
  uint8_t *b;
  size_t len, cap;
  bool failed;
};

static void put(struct wbuf *w, const void *p, size_t n) {
  if (w->failed)
    return;
  if (w->len + n > w->cap) {
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->len + n)
      cap *= 2;
    uint8_t *b = cap <= POLICY_MAX_BYTES ? realloc(w->b, cap) : NULL;
    if (!b) {
      w->failed = true;
      return;
    }
    w->b = b;
    w->cap = cap;
  }
  memcpy(w->b + w->len, p, n);
  w->len += n;
}

static void put_le(struct wbuf *w, uint64_t v, size_t n) {
  uint8_t b[8];
  for (size_t i = 0; i < n; i++)
    b[i] = (uint8_t)(v >> (8 * i));
  put(w, b, n);
}

/* A string with its length in n bytes (1 or 2). */
static void put_str(struct wbuf *w, const char *s, size_t n) {
  size_t len = strlen(s);
  put_le(w, len, n);
  put(w, s, len);
}

int policy_encode(const struct model *m, const struct svc_mode *modes, size_t n_modes,
                  uint8_t default_mode, uint64_t version, uint8_t **out, size_t *len,
                  struct hb_error *err) {
  struct wbuf w = {0};
  put(&w, POLICY_MAGIC, 4);
  put_le(&w, version, 8);
  put_le(&w, default_mode, 1);
  put_le(&w, n_modes, 4);
  for (size_t i = 0; i < n_modes; i++) {
    put_str(&w, modes[i].service, 1);
    put_le(&w, modes[i].mode, 1);
  }
  put_le(&w, m->n_services, 4);
  for (uint32_t i = 0; i < m->n_services; i++)
    put_str(&w, m->services[i].name, 1);
  put_le(&w, m->n_edges, 4);
  for (uint32_t i = 0; i < m->n_edges; i++) {
    const struct edge_key *k = &m->edges[i].k;
    put_le(&w, k->cli, 4);
    put_le(&w, k->srv, 4);
    put_le(&w, k->proto, 1);
    put_le(&w, k->port, 2);
  }
  put_le(&w, m->n_procs, 4);
  for (uint32_t i = 0; i < m->n_procs; i++) {
    const struct model_proc *p = &m->procs[i];
    put_le(&w, p->service, 4);
    put_le(&w, p->uid, 4);
    put_str(&w, p->exe, 2);
    put_str(&w, p->parent, 2);
  }
  put_le(&w, m->n_files, 4);
  for (uint32_t i = 0; i < m->n_files; i++) {
    const struct model_file *f = &m->files[i];
    put_le(&w, f->service, 4);
    put_le(&w, f->access, 1);
    put_str(&w, f->exe, 2);
    put_str(&w, f->path, 2);
  }
  if (w.failed) {
    free(w.b);
    return hb_fail(err, ENOMEM, "policy: out of memory, or over %u bytes", POLICY_MAX_BYTES);
  }
  *out = w.b;
  *len = w.len;
  return 0;
}

/* ---- reading ------------------------------------------------------------ */

struct rbuf {
  const uint8_t *b;
  size_t len, pos;
  struct hb_error *err;
  int rc;
};

static bool bad(struct rbuf *r, const char *what) {
  if (r->rc == 0)
    r->rc = hb_fail(r->err, EBADMSG, "policy: byte %zu: %s", r->pos, what);
  return false;
}

static bool get_le(struct rbuf *r, size_t n, uint64_t *v, const char *what) {
  if (r->rc || r->len - r->pos < n)
    return r->rc ? false : bad(r, what);
  *v = 0;
  for (size_t i = 0; i < n; i++)
    *v |= (uint64_t)r->b[r->pos + i] << (8 * i);
  r->pos += n;
  return true;
}

/* A string of at most cap - 1 bytes, without NUL, into out. */
static bool get_str(struct rbuf *r, size_t n, char *out, size_t cap, const char *what) {
  uint64_t len;
  if (!get_le(r, n, &len, what))
    return false;
  if (len >= cap)
    return bad(r, "a string longer than its bound");
  if (r->len - r->pos < len)
    return bad(r, "a string past the end");
  if (memchr(r->b + r->pos, '\0', len))
    return bad(r, "a NUL inside a string");
  memcpy(out, r->b + r->pos, len);
  out[len] = '\0';
  r->pos += len;
  return true;
}

/* A count of records each at least min bytes long: never more than the
 * bytes left could hold. */
static bool get_count(struct rbuf *r, size_t min, uint32_t *n, const char *what) {
  uint64_t v;
  if (!get_le(r, 4, &v, what))
    return false;
  if (v > (r->len - r->pos) / min)
    return bad(r, "a count larger than the bytes left can hold");
  *n = (uint32_t)v;
  return true;
}

static bool get_mode(struct rbuf *r, uint8_t *mode, bool zero_ok) {
  uint64_t v;
  if (!get_le(r, 1, &v, "mode"))
    return false;
  if ((v == 0 && !zero_ok) || v > EV_MODE_PROTECT)
    return bad(r, "an unknown mode");
  *mode = (uint8_t)v;
  return true;
}

static bool get_service(struct rbuf *r, const struct model *m, uint32_t *svc) {
  uint64_t v;
  if (!get_le(r, 4, &v, "service index"))
    return false;
  if (v >= m->n_services)
    return bad(r, "a service index out of range");
  *svc = (uint32_t)v;
  return true;
}

static bool oom(struct rbuf *r) {
  if (r->rc == 0)
    r->rc = hb_fail(r->err, ENOMEM, "policy: out of memory");
  return false;
}

static bool read_modes(struct rbuf *r, struct policy *p) {
  uint32_t n;
  if (!get_count(r, 2, &n, "mode count"))
    return false;
  p->modes = n ? calloc(n, sizeof *p->modes) : NULL;
  if (n && !p->modes)
    return oom(r);
  for (uint32_t i = 0; i < n; i++, p->n_modes++)
    if (!get_str(r, 1, p->modes[i].service, EV_NAME_MAX, "service name") ||
        !get_mode(r, &p->modes[i].mode, false))
      return false;
  return true;
}

static bool read_whitelists(struct rbuf *r, struct model *m) {
  uint32_t n;
  char a[EV_TEXT_MAX], b[EV_TEXT_MAX];
  if (!get_count(r, 1, &n, "service count"))
    return false;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t idx;
    if (!get_str(r, 1, a, EV_NAME_MAX, "service name"))
      return false;
    if (a[0] == '\0' || model_find_service(m, a) != IDXMAP_NONE)
      return bad(r, "an empty or repeated service name");
    if (model_get_service(m, a, SVC_CONFIGURED, &idx) < 0)
      return oom(r);
  }
  if (!get_count(r, 11, &n, "edge count"))
    return false;
  for (uint32_t i = 0; i < n; i++) {
    struct edge_key k;
    uint64_t proto, port;
    memset(&k, 0, sizeof k);
    if (!get_service(r, m, &k.cli) || !get_service(r, m, &k.srv) ||
        !get_le(r, 1, &proto, "protocol") || !get_le(r, 2, &port, "port"))
      return false;
    k.proto = (uint8_t)proto;
    k.port = (uint16_t)port;
    uint32_t idx;
    if (model_get_edge(m, &k, &idx) < 0)
      return oom(r);
  }
  if (!get_count(r, 12, &n, "program count"))
    return false;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t svc;
    uint64_t uid;
    if (!get_service(r, m, &svc) || !get_le(r, 4, &uid, "uid") ||
        !get_str(r, 2, a, EV_TEXT_MAX, "exe") || !get_str(r, 2, b, EV_TEXT_MAX, "parent"))
      return false;
    if (model_learn_proc(m, svc, a, b, (uint32_t)uid, 0, NULL) < 0)
      return oom(r);
  }
  if (!get_count(r, 9, &n, "file count"))
    return false;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t svc;
    uint64_t access;
    if (!get_service(r, m, &svc) || !get_le(r, 1, &access, "access") ||
        !get_str(r, 2, a, EV_TEXT_MAX, "exe") || !get_str(r, 2, b, EV_TEXT_MAX, "path"))
      return false;
    if (access == 0 || access > (FA_READ | FA_WRITE | FA_EXEC))
      return bad(r, "an unknown file access");
    if (model_learn_file(m, svc, a, b, (uint8_t)access, 0, NULL) < 0)
      return oom(r);
  }
  return true;
}

int policy_decode(const uint8_t *buf, size_t len, struct policy *p, struct hb_error *err) {
  memset(p, 0, sizeof *p);
  model_init(&p->m);
  struct rbuf r = {.b = buf, .len = len, .err = err};
  uint64_t version = 0;
  if (len > POLICY_MAX_BYTES)
    bad(&r, "larger than a policy can be");
  else if (len < 4 || memcmp(buf, POLICY_MAGIC, 4) != 0)
    bad(&r, "not a habit policy (magic " POLICY_MAGIC ")");
  r.pos = r.rc ? 0 : 4;
  if (get_le(&r, 8, &version, "version") && get_mode(&r, &p->default_mode, false) &&
      read_modes(&r, p) && read_whitelists(&r, &p->m) && r.pos != len)
    bad(&r, "bytes after the policy");
  p->version = version;
  if (r.rc) {
    policy_free(p);
    return r.rc;
  }
  return 0;
}

void policy_free(struct policy *p) {
  free(p->modes);
  p->modes = NULL;
  p->n_modes = 0;
  model_free(&p->m);
}

uint8_t policy_mode(const struct policy *p, const char *service) {
  uint8_t m = svc_mode_find(p->modes, p->n_modes, service);
  return m ? m : p->default_mode;
}
