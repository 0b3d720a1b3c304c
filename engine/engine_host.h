/* engine/engine_host.h — process and file events in the engine.
 *
 * Contract: engine_proc_event() keeps the engine's process table
 * (engine/proc_table.h) and, for an exec or a process found running,
 * names its service — a configured selector that matches its own cgroup,
 * container or executable; else the configured service of its parent (a
 * shell a service started belongs to that service); else one inferred
 * (services/service_proc.h) — and then, in the service's mode, learns
 * (exe, parent exe, uid) into the process whitelist (discover) or raises
 * violation 1101 for one never learned (monitor/protect). A known attack
 * tool raises threat 3050 in every mode. engine_file_event() does the same
 * for file accesses: the process's service (from the table, else mapped
 * like a process), the access (read, write, exec) and the path — a
 * directory prefix for entries created, deleted or moved, the path itself
 * otherwise — learned into the file whitelist, or violation 1201. Alerts
 * carry the process tree. The same alert is raised at most once a minute
 * (per service, program and parent or path; up to HOST_RECENT_MAX keys,
 * then the memory starts over); the rest are counted as suppressed. Both return 0, or negative with err set when the model
 * cannot be written.
 */
#ifndef HABIT_ENGINE_ENGINE_HOST_H
#define HABIT_ENGINE_ENGINE_HOST_H

#include "core/error.h"
#include "core/event.h"

struct engine;

#define HOST_ALERT_REPEAT_NS 60000000000ull
#define HOST_RECENT_MAX 65536 /* alert keys remembered for repeats */

int engine_proc_event(struct engine *e, const struct event *ev, struct hb_error *err);
int engine_file_event(struct engine *e, const struct event *ev, struct hb_error *err);

#endif
