#include "detect/host_alert.h"

#include <string.h>

#include "core/timefmt.h"
#include "detect/eve.h"

static void tree(struct json *j, const struct host_alert *a) {
  json_key(j, "tree");
  json_arr_begin(j);
  for (size_t i = 0; i < a->n_tree; i++) {
    json_obj_begin(j);
    json_ku64(j, "pid", a->tree[i].pid);
    json_kstr(j, "exe", a->tree[i].exe);
    json_obj_end(j);
  }
  json_arr_end(j);
}

static void process_obj(struct json *j, const struct host_alert *a) {
  json_key(j, "process");
  json_obj_begin(j);
  if (a->proc) {
    const struct ev_proc *p = a->proc;
    json_ku64(j, "pid", p->tgid);
    json_ku64(j, "ppid", p->ppid);
    if (p->uid != EV_PROC_ID_UNKNOWN)
      json_ku64(j, "uid", p->uid);
    json_kstr(j, "exe", p->exe);
    json_kstr(j, "argv", p->argv);
    json_kstr(j, "cwd", p->cwd);
    json_kstr(j, "parent_exe", p->parent_exe);
    json_kstr(j, "cgroup", p->cgroup);
    if (p->container_id[0])
      json_kstr(j, "container_id", p->container_id);
    json_kstr(j, "comm", p->comm);
  } else if (a->file) {
    const struct ev_file *f = a->file;
    json_ku64(j, "pid", f->pid);
    json_ku64(j, "ppid", f->ppid);
    if (f->uid != EV_UID_UNKNOWN)
      json_ku64(j, "uid", f->uid);
    json_kstr(j, "exe", f->exe);
    json_kstr(j, "cgroup", f->cgroup);
    if (f->container_id[0])
      json_kstr(j, "container_id", f->container_id);
    json_kstr(j, "comm", f->comm);
  }
  tree(j, a);
  json_obj_end(j);
}

void eve_host_alert(struct json *j, const struct host_alert *a) {
  char t[HB_TIME_STRLEN];
  json_obj_begin(j);
  json_kstr(j, "timestamp", hb_time_iso(a->ts_ns, t));
  json_kstr(j, "event_type", "alert");
  json_kstr(j, "host", a->node);
  json_kstr(j, "service", a->service);
  process_obj(j, a);
  if (a->file) {
    json_key(j, "file");
    json_obj_begin(j);
    json_kstr(j, "path", a->file->path);
    json_kstr(j, "op", ev_file_op_name(a->file->op));
    json_kstr(j, "access", a->access ? a->access : "");
    if (a->file->rule[0])
      json_kstr(j, "rule", a->file->rule);
    json_obj_end(j);
  }
  eve_alert_obj(j, a->action, a->signature_id, a->signature, a->category, a->severity, a->mode,
                0);
  json_obj_end(j);
  json_raw(j, "\n", 1);
}

/* Scanners, password crackers, exploitation and tunnelling tools: programs
 * a service has no business running (NeuVector's "process profile" threats
 * list the same kind). Matched on the executable's file name. */
static const char *const tools[] = {
    "nmap",    "masscan", "zmap",    "nc",      "ncat",     "netcat",  "nc.traditional",
    "nc.openbsd", "socat", "hydra",  "medusa",  "john",     "hashcat", "sqlmap",
    "nikto",   "msfconsole", "msfvenom", "mimikatz", "chisel", "iodine", "dnscat",
    "hping3",  "arpspoof", "ettercap", "responder",
};

const char *host_attack_tool(const char *exe) {
  const char *base = strrchr(exe, '/');
  base = base ? base + 1 : exe;
  for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
    if (strcmp(base, tools[i]) == 0)
      return tools[i];
  return NULL;
}
