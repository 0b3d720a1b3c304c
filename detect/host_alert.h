/* detect/host_alert.h — alerts about processes and files, and their EVE form.
 *
 * Contract: a host alert names the node, the service, the rule, and the
 * evidence: the process event (exec) or the file event (access), with the
 * process tree the engine knows (nearest ancestor first). eve_host_alert()
 * writes it as one EVE JSON line (event_type "alert", with "process",
 * "file" and "alert" objects; the same "alert" fields as a flow alert), so
 * SIEM pipelines take both alike. host_attack_tool() tells whether an
 * executable is a known attack tool (README § Threats lists them).
 */
#ifndef HABIT_DETECT_HOST_ALERT_H
#define HABIT_DETECT_HOST_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/json.h"

struct host_ancestor {
  uint32_t pid;
  const char *exe; /* "" when unknown */
};

struct host_alert {
  uint64_t ts_ns;
  const char *node, *service;
  uint32_t signature_id;
  uint8_t category, severity, action, mode;
  char signature[EV_REASON_MAX];
  const struct ev_proc *proc;  /* the process (exec) alert's evidence, or NULL */
  const struct ev_file *file;  /* the file alert's evidence, or NULL */
  const char *access;          /* file alerts: "r", "w", "x" */
  const struct host_ancestor *tree;
  size_t n_tree;
};

void eve_host_alert(struct json *j, const struct host_alert *a);
/* The tool's name when exe's file name is a known attack tool, else NULL. */
const char *host_attack_tool(const char *exe);

#endif
