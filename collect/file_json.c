/* collect/file_json.c — see file_json.h. */
#include "collect/file_json.h"

#include "core/timefmt.h"

void file_event_json(struct json *j, const struct event *ev) {
  const struct ev_file *f = &ev->u.file;
  char ts[HB_TIME_STRLEN];
  json_obj_begin(j);
  json_kstr(j, "timestamp", hb_time_iso(ev->ts_ns, ts));
  json_kstr(j, "event_type", "file");
  json_kstr(j, "node", ev->node);
  json_key(j, "file");
  json_obj_begin(j);
  json_kstr(j, "op", ev_file_op_name(f->op));
  json_kstr(j, "path", f->path);
  json_key(j, "is_dir");
  json_bool(j, f->is_dir != 0);
  if (f->rule[0])
    json_kstr(j, "rule", f->rule);
  json_obj_end(j);
  json_key(j, "process");
  json_obj_begin(j);
  if (f->pid)
    json_ku64(j, "pid", f->pid);
  if (f->uid != EV_UID_UNKNOWN)
    json_ku64(j, "uid", f->uid);
  if (f->exe[0])
    json_kstr(j, "exe", f->exe);
  if (f->comm[0])
    json_kstr(j, "comm", f->comm);
  if (f->ppid)
    json_ku64(j, "ppid", f->ppid);
  if (f->cgroup[0])
    json_kstr(j, "cgroup", f->cgroup);
  if (f->container_id[0])
    json_kstr(j, "container_id", f->container_id);
  json_obj_end(j);
  json_obj_end(j);
}
