/* collect/file_json.h — an EV_FILE event as one JSON object (EVE-like).
 *
 * Contract: file_event_json() appends one object, without the newline:
 *   {"timestamp":"...","event_type":"file","node":"n",
 *    "file":{"op":"create","path":"/etc/x","is_dir":false,"rule":"/etc"},
 *    "process":{"pid":12,"uid":0,"exe":"/usr/bin/cp","comm":"cp"}}
 * "process" holds only what is known: no pid with inotify, no exe or comm
 * when the process had exited, no uid when unknown.
 */
#ifndef HABIT_COLLECT_FILE_JSON_H
#define HABIT_COLLECT_FILE_JSON_H

#include "core/event.h"
#include "core/json.h"

void file_event_json(struct json *j, const struct event *ev);

#endif
