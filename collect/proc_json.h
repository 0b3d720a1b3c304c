/* collect/proc_json.h — a process event as one JSON object.
 *
 * Contract: proc_event_json() appends one object (no newline) for an
 * EV_PROC event to j, shaped like habit's EVE lines: "timestamp",
 * "event_type":"proc", "node", then "proc":{op, pid, tgid, ppid, uid, gid,
 * exe, argv, cwd, parent_exe, cgroup, container_id, comm, and exit_code for
 * exits}; unknown ids and empty strings are left out, and what enrichment
 * missed is said by "gone", "argv_cut" and "kthread" set to true.
 */
#ifndef HABIT_COLLECT_PROC_JSON_H
#define HABIT_COLLECT_PROC_JSON_H

#include "core/event.h"
#include "core/json.h"

void proc_event_json(struct json *j, const struct event *ev);

#endif
