/* detect/eve.h — alerts and flows as JSON lines, close to Suricata EVE.
 *
 * Contract: eve_alert()/eve_flow() append one JSON object and a newline to
 * j (the caller writes j's buffer out). Fields: timestamp, flow_id,
 * event_type ("alert" | "flow"), src_ip/src_port (the client), dest_ip/
 * dest_port (the server), proto, app_proto, src_service, dest_service, and
 * for alerts alert{action, gid, signature_id, rev, signature, category,
 * severity, mode, score}; a flow{} object with counters and times; and the
 * application facts (http{}, dns{}, tls{}, ssh{}) when known.
 */
#ifndef HABIT_DETECT_EVE_H
#define HABIT_DETECT_EVE_H

#include "core/event.h"
#include "core/json.h"

void eve_alert(struct json *j, const struct ev_alert *a);
/* The "alert" object alone (shared with detect/host_alert.c). */
void eve_alert_obj(struct json *j, uint8_t action, uint32_t signature_id, const char *signature,
                   uint8_t category, uint8_t severity, uint8_t mode, double score);
void eve_flow(struct json *j, const struct ev_flow *f);

#endif
