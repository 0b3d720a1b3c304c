/* Process events as JSON lines (see proc_json.h for the shape). */
#include "collect/proc_json.h"

#include "core/timefmt.h"

static void kstr_opt(struct json *j, const char *key, const char *s) {
  if (s[0])
    json_kstr(j, key, s);
}

void proc_event_json(struct json *j, const struct event *ev) {
  const struct ev_proc *p = &ev->u.proc;
  char t[HB_TIME_STRLEN];
  json_obj_begin(j);
  json_kstr(j, "timestamp", hb_time_iso(ev->ts_ns, t));
  json_kstr(j, "event_type", "proc");
  kstr_opt(j, "node", ev->node);
  json_key(j, "proc");
  json_obj_begin(j);
  json_kstr(j, "op", ev_proc_op_name(p->op));
  json_ku64(j, "pid", p->pid);
  json_ku64(j, "tgid", p->tgid);
  if (p->ppid)
    json_ku64(j, "ppid", p->ppid);
  if (p->uid != EV_PROC_ID_UNKNOWN)
    json_ku64(j, "uid", p->uid);
  if (p->gid != EV_PROC_ID_UNKNOWN)
    json_ku64(j, "gid", p->gid);
  if (p->op == EV_PROC_EXIT) {
    json_key(j, "exit_code");
    json_i64(j, p->exit_code);
  }
  kstr_opt(j, "exe", p->exe);
  kstr_opt(j, "argv", p->argv);
  kstr_opt(j, "cwd", p->cwd);
  kstr_opt(j, "parent_exe", p->parent_exe);
  kstr_opt(j, "cgroup", p->cgroup);
  kstr_opt(j, "container_id", p->container_id);
  kstr_opt(j, "comm", p->comm);
  if (p->flags & EV_PROC_F_GONE) {
    json_key(j, "gone");
    json_bool(j, true);
  }
  if (p->flags & EV_PROC_F_ARGV_CUT) {
    json_key(j, "argv_cut");
    json_bool(j, true);
  }
  if (p->flags & EV_PROC_F_KTHREAD) {
    json_key(j, "kthread");
    json_bool(j, true);
  }
  json_obj_end(j);
  json_obj_end(j);
}
