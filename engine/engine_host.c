#include "engine/engine_host.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/hash.h"
#include "core/text.h"
#include "detect/host_alert.h"
#include "detect/signatures.h"
#include "engine/engine.h"
#include "services/service_proc.h"

/* What names a program: its path, else "[comm]" for one that exited before
 * it could be read, else "[unknown]". */
static void program_name(const char *exe, const char *comm, char out[EV_TEXT_MAX]) {
  if (exe[0])
    snprintf(out, EV_TEXT_MAX, "%s", exe);
  else if (comm[0])
    snprintf(out, EV_TEXT_MAX, "[%s]", comm);
  else
    snprintf(out, EV_TEXT_MAX, "[unknown]");
}

static void map_process(struct engine *e, uint64_t node, uint32_t ppid,
                        const struct proc_facts *pf, char name[EV_NAME_MAX], uint8_t *kind) {
  if (svc_proc_configured(e->cfg, pf, name)) {
    *kind = SVC_CONFIGURED;
    return;
  }
  const struct proc_entry *parent = ppid ? proc_table_get(&e->procs, node, ppid) : NULL;
  if (parent && parent->svc_kind == SVC_CONFIGURED) {
    snprintf(name, EV_NAME_MAX, "%s", parent->service);
    *kind = SVC_CONFIGURED;
    return;
  }
  svc_proc_inferred(pf, name);
  *kind = SVC_INFERRED;
}

/* Raise this alert unless the same one was raised within the last minute
 * (by the event's time); true when raised. */
static bool fresh(struct engine *e, uint64_t ts_ns, const char *service, const char *a,
                  const char *b, uint32_t sig) {
  uint64_t key[2] = {hb_hash_str(a, hb_hash_str(service, sig)), hb_hash_str(b, sig)};
  /* Bounded: many distinct alerts start the memory of repeats over (a
   * repeat may then be raised again; nothing is lost). */
  if (e->host_recent.n >= HOST_RECENT_MAX)
    keytab_clear(&e->host_recent);
  bool created;
  struct keytab_entry *k = keytab_get(&e->host_recent, key, &created);
  if (!k)
    return true; /* out of memory: better twice than never */
  if (!created && ts_ns >= k->b && ts_ns - k->b < HOST_ALERT_REPEAT_NS) {
    e->host.suppressed++;
    return false;
  }
  k->b = ts_ns;
  return true;
}

static void raise(struct engine *e, struct host_alert *a, uint64_t node, uint32_t pid) {
  const struct proc_entry *anc[PROC_TREE_MAX];
  struct host_ancestor tree[PROC_TREE_MAX];
  size_t n = proc_table_tree(&e->procs, node, pid, anc);
  for (size_t i = 0; i < n; i++)
    tree[i] = (struct host_ancestor){anc[i]->pid, anc[i]->exe};
  a->tree = tree;
  a->n_tree = n;
  if (!a->action) /* blocking is the enforcers'; they say so themselves */
    a->action = EV_ACTION_ALLOWED;
  engine_host_alert(e, a);
}

static int learn_target(struct engine *e, const char *service, uint8_t kind, uint32_t *svc,
                        struct hb_error *err) {
  if (!e->store)
    return hb_fail(err, EROFS, "service %s is in discover mode but the model is read-only",
                   service);
  if (model_get_service(e->model, service, kind, svc) < 0)
    return hb_fail(err, ENOMEM, "out of memory learning service %s", service);
  return 0;
}

static void check_tool(struct engine *e, const struct event *ev, const char *service,
                       const char *exe, uint8_t mode, uint64_t node) {
  const struct ev_proc *p = &ev->u.proc;
  const char *tool = host_attack_tool(exe);
  if (!tool || !fresh(e, ev->ts_ns, service, exe, "", SIG_ATTACK_TOOL))
    return;
  struct host_alert a = {.ts_ns = ev->ts_ns, .node = ev->node, .service = service,
                         .signature_id = SIG_ATTACK_TOOL, .category = EV_CAT_THREAT,
                         .severity = 1, .mode = mode, .proc = p};
  hb_fmt(a.signature, sizeof a.signature,
           "attack tool executed: %s (%.120s) in %s, pid %u, started by %.100s", tool, exe,
           service, p->tgid, p->parent_exe[0] ? p->parent_exe : "an unknown parent");
  raise(e, &a, node, p->tgid);
}

static void check_process(struct engine *e, const struct event *ev, const char *service,
                          const char *exe, const char *parent, uint8_t mode, uint64_t node) {
  const struct ev_proc *p = &ev->u.proc;
  uint32_t svc = model_find_service(e->model, service);
  if (svc != IDXMAP_NONE && model_find_proc(e->model, svc, exe, parent, p->uid) != IDXMAP_NONE)
    return;
  if (!fresh(e, ev->ts_ns, service, exe, parent, SIG_PROC_NEW))
    return;
  struct host_alert a = {.ts_ns = ev->ts_ns, .node = ev->node, .service = service,
                         .signature_id = SIG_PROC_NEW, .category = EV_CAT_VIOLATION,
                         .severity = 2, .mode = mode, .proc = p};
  char uid[16] = "?";
  if (p->uid != EV_PROC_ID_UNKNOWN)
    snprintf(uid, sizeof uid, "%u", p->uid);
  hb_fmt(a.signature, sizeof a.signature,
           "process violation: %s ran %.100s (parent %.100s, uid %s), which it never ran "
           "while learning",
           service, exe, parent[0] ? parent : "unknown", uid);
  raise(e, &a, node, p->tgid);
}

/* An exec an enforcer refused: reported as it was decided (blocked, in
 * protect mode), with the tree of the process that asked; the process
 * table and the model stay as they are. */
static int denied_exec(struct engine *e, const struct event *ev) {
  const struct ev_proc *p = &ev->u.proc;
  uint64_t node = proc_table_node(ev->node);
  char service[EV_NAME_MAX];
  uint8_t kind;
  struct proc_facts pf = {p->exe, p->cgroup, p->container_id};
  map_process(e, node, p->ppid, &pf, service, &kind);
  e->enforced++;
  if (!fresh(e, ev->ts_ns, service, p->exe, "denied", SIG_PROC_NEW))
    return 0;
  struct host_alert a = {.ts_ns = ev->ts_ns, .node = ev->node, .service = service,
                         .signature_id = SIG_PROC_NEW, .category = EV_CAT_VIOLATION,
                         .severity = 2, .mode = EV_MODE_PROTECT,
                         .action = EV_ACTION_BLOCKED, .proc = p};
  hb_fmt(a.signature, sizeof a.signature,
         "exec refused by habit enforce proc: %s never ran %.100s (parent %.100s) while "
         "learning", service, p->exe, p->parent_exe[0] ? p->parent_exe : "unknown");
  raise(e, &a, node, p->tgid);
  return 0;
}

int engine_proc_event(struct engine *e, const struct event *ev, struct hb_error *err) {
  const struct ev_proc *p = &ev->u.proc;
  if (p->op == EV_PROC_DENIED)
    return denied_exec(e, ev);
  if (p->op <= EV_PROC_EXISTING)
    e->counts.proc[p->op]++;
  uint64_t node = proc_table_node(ev->node);
  if (p->op == EV_PROC_EXIT) {
    proc_table_exit(&e->procs, node, p->tgid);
    return 0;
  }
  if (p->flags & EV_PROC_F_KTHREAD)
    return 0;
  char exe[EV_TEXT_MAX], parent[EV_TEXT_MAX], service[EV_NAME_MAX];
  uint8_t kind;
  const struct proc_entry *pe = p->ppid ? proc_table_get(&e->procs, node, p->ppid) : NULL;
  program_name(p->exe, p->comm, exe);
  snprintf(parent, sizeof parent, "%s", p->parent_exe[0] ? p->parent_exe : pe ? pe->exe : "");
  if (p->op == EV_PROC_FORK && pe && pe->service[0]) {
    /* A fork runs its parent's program in its parent's service. */
    snprintf(service, sizeof service, "%s", pe->service);
    kind = pe->svc_kind;
    snprintf(exe, sizeof exe, "%s", pe->exe);
  } else {
    struct proc_facts pf = {p->exe, p->cgroup, p->container_id};
    map_process(e, node, p->ppid, &pf, service, &kind);
  }
  if (!pe && p->ppid && p->parent_exe[0] && p->ppid != p->tgid) {
    /* A parent the table never heard of (it started before the engine or
     * the collector): what the event says of it is still its tree. */
    struct proc_entry *pp = proc_table_put(&e->procs, node, p->ppid);
    if (!pp)
      return hb_fail(err, ENOMEM, "out of memory in the process table");
    hb_fmt(pp->exe, sizeof pp->exe, "%s", p->parent_exe);
    pp->uid = EV_PROC_ID_UNKNOWN;
  }
  struct proc_entry *me = proc_table_put(&e->procs, node, p->tgid);
  if (!me)
    return hb_fail(err, ENOMEM, "out of memory in the process table");
  me->ppid = p->ppid;
  me->uid = p->uid;
  me->svc_kind = kind;
  memcpy(me->exe, exe, sizeof me->exe);
  memcpy(me->service, service, sizeof me->service);
  if (p->op == EV_PROC_FORK)
    return 0;

  uint8_t mode = engine_service_mode(e, service);
  check_tool(e, ev, service, exe, mode, node);
  if (mode != EV_MODE_DISCOVER) {
    e->host.procs_checked++;
    check_process(e, ev, service, exe, parent, mode, node);
    return 0;
  }
  uint32_t svc;
  int rc = learn_target(e, service, kind, &svc, err);
  if (rc < 0)
    return rc;
  if (model_learn_proc(e->model, svc, exe, parent, p->uid, ev->ts_ns, NULL) < 0)
    return hb_fail(err, ENOMEM, "out of memory learning processes");
  e->host.procs_learned++;
  return learner_host_event(&e->learner, err);
}

static uint8_t access_of(uint8_t op) {
  switch (op) {
  case EV_FILE_OPEN: return FA_READ;
  case EV_FILE_EXEC: return FA_EXEC;
  default: return FA_WRITE; /* modify, create, delete, move */
  }
}

/* Entries created, deleted or renamed have names that come and go: learn
 * their directory ("/var/log/app/"); anything else by its own path. */
static void learned_path(const struct ev_file *f, char out[EV_TEXT_MAX]) {
  hb_fmt(out, EV_TEXT_MAX, "%s", f->path);
  if (f->op != EV_FILE_CREATE && f->op != EV_FILE_DELETE && f->op != EV_FILE_MOVE)
    return;
  char *slash = strrchr(out, '/');
  if (slash)
    slash[1] = '\0';
}

int engine_file_event(struct engine *e, const struct event *ev, struct hb_error *err) {
  const struct ev_file *f = &ev->u.file;
  e->counts.files++;
  uint64_t node = proc_table_node(ev->node);
  const struct proc_entry *pe = f->pid ? proc_table_get(&e->procs, node, f->pid) : NULL;
  char exe[EV_TEXT_MAX], service[EV_NAME_MAX], path[EV_TEXT_MAX], acc[4];
  uint8_t kind;
  program_name(f->exe[0] ? f->exe : pe ? pe->exe : "", f->comm, exe);
  if (pe && pe->alive && pe->service[0]) {
    snprintf(service, sizeof service, "%s", pe->service);
    kind = pe->svc_kind;
  } else {
    struct proc_facts pf = {f->exe, f->cgroup, f->container_id};
    map_process(e, node, f->ppid, &pf, service, &kind);
  }
  if (f->op == EV_FILE_DENIED) {
    /* An open an enforcer refused: as it was decided, never learned. */
    e->enforced++;
    if (!fresh(e, ev->ts_ns, service, exe, f->path, SIG_FILE_NEW + 8))
      return 0;
    struct host_alert a = {.ts_ns = ev->ts_ns, .node = ev->node, .service = service,
                           .signature_id = SIG_FILE_NEW, .category = EV_CAT_VIOLATION,
                           .severity = 2, .mode = EV_MODE_PROTECT,
                           .action = EV_ACTION_BLOCKED, .file = f, .access = "r"};
    hb_fmt(a.signature, sizeof a.signature,
           "open refused by habit enforce proc: %.100s (%s) may not open the protected "
           "file %.120s", exe, service, f->path);
    raise(e, &a, node, f->pid);
    return 0;
  }
  uint8_t access = access_of(f->op);
  uint8_t mode = engine_service_mode(e, service);
  if (mode != EV_MODE_DISCOVER) {
    e->host.files_checked++;
    uint32_t svc = model_find_service(e->model, service);
    if (svc != IDXMAP_NONE && model_file_allowed(e->model, svc, exe, f->path, access))
      return 0;
    if (!fresh(e, ev->ts_ns, service, exe, f->path, SIG_FILE_NEW + access))
      return 0;
    struct host_alert a = {.ts_ns = ev->ts_ns, .node = ev->node, .service = service,
                           .signature_id = SIG_FILE_NEW, .category = EV_CAT_VIOLATION,
                           .severity = 2, .mode = mode, .file = f,
                           .access = file_access_text(access, acc)};
    hb_fmt(a.signature, sizeof a.signature,
             "file violation: %s: %.100s %s %.120s (%s), which it never did while learning",
             service, exe,
             access == FA_READ ? "read" : access == FA_EXEC ? "executed" : "wrote", f->path,
             ev_file_op_name(f->op));
    raise(e, &a, node, f->pid);
    return 0;
  }
  uint32_t svc;
  int rc = learn_target(e, service, kind, &svc, err);
  if (rc < 0)
    return rc;
  learned_path(f, path);
  if (model_learn_file(e->model, svc, exe, path, access, ev->ts_ns, NULL) < 0)
    return hb_fail(err, ENOMEM, "out of memory learning files");
  e->host.files_learned++;
  return learner_host_event(&e->learner, err);
}
