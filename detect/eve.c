#include "detect/eve.h"

#include <stdio.h>

#include "core/timefmt.h"

static const char *proto_name(uint8_t p) {
  switch (p) {
  case 6: return "TCP";
  case 17: return "UDP";
  case 1: return "ICMP";
  case 58: return "IPv6-ICMP";
  case 47: return "GRE";
  case 50: return "ESP";
  case 132: return "SCTP";
  default: return "IP";
  }
}

static void head(struct json *j, uint64_t ts, const struct ev_flow *f, const char *type) {
  char t[HB_TIME_STRLEN], ip[HB_ADDR_STRLEN];
  json_obj_begin(j);
  json_kstr(j, "timestamp", hb_time_iso(ts, t));
  json_ku64(j, "flow_id", f->flow_id);
  json_kstr(j, "event_type", type);
  if (f->vlan) {
    json_key(j, "vlan");
    json_arr_begin(j);
    json_u64(j, f->vlan);
    json_arr_end(j);
  }
  json_kstr(j, "src_ip", hb_addr_str(&f->cli, ip));
  json_ku64(j, "src_port", f->cli_port);
  json_kstr(j, "dest_ip", hb_addr_str(&f->srv, ip));
  json_ku64(j, "dest_port", f->srv_port);
  json_kstr(j, "proto", proto_name(f->proto));
  json_kstr(j, "app_proto", f->app[0] ? f->app : "failed");
  json_kstr(j, "src_service", f->cli_service);
  json_kstr(j, "dest_service", f->srv_service);
}

static void flow_obj(struct json *j, const struct ev_flow *f) {
  char t[HB_TIME_STRLEN];
  json_key(j, "flow");
  json_obj_begin(j);
  json_ku64(j, "pkts_toserver", f->pkts_c2s);
  json_ku64(j, "pkts_toclient", f->pkts_s2c);
  json_ku64(j, "bytes_toserver", f->bytes_c2s);
  json_ku64(j, "bytes_toclient", f->bytes_s2c);
  json_kstr(j, "start", hb_time_iso(f->first_ns, t));
  json_kstr(j, "end", hb_time_iso(f->last_ns, t));
  json_ku64(j, "age", (f->last_ns - f->first_ns) / 1000000000ull);
  json_kstr(j, "state", ev_state_name(f->state));
  json_kstr(j, "reason", ev_end_reason_name(f->end_reason));
  json_ku64(j, "app_confidence", f->app_confidence);
  if (f->client_guessed) {
    json_key(j, "client_guessed");
    json_bool(j, true);
  }
  json_obj_end(j);
}

static void l7_objs(struct json *j, const struct ev_flow *f) {
  const struct ev_l7 *l = &f->l7;
  if (l->http_method[0] || l->http_host[0] || l->http_status) {
    json_key(j, "http");
    json_obj_begin(j);
    if (l->http_host[0]) json_kstr(j, "hostname", l->http_host);
    if (l->http_path[0]) json_kstr(j, "url", l->http_path);
    if (l->http_method[0]) json_kstr(j, "http_method", l->http_method);
    if (l->http_user_agent[0]) json_kstr(j, "http_user_agent", l->http_user_agent);
    if (l->http_status) json_ku64(j, "status", l->http_status);
    json_obj_end(j);
  }
  if (l->dns_qname[0]) {
    json_key(j, "dns");
    json_obj_begin(j);
    json_kstr(j, "rrname", l->dns_qname);
    json_ku64(j, "rrtype", l->dns_qtype);
    if (l->dns_answered) json_ku64(j, "rcode", l->dns_rcode);
    json_obj_end(j);
  }
  if (l->tls_sni[0] || l->tls_version) {
    json_key(j, "tls");
    json_obj_begin(j);
    if (l->tls_sni[0]) json_kstr(j, "sni", l->tls_sni);
    if (l->tls_version) {
      char v[16];
      snprintf(v, sizeof v, "0x%04x", l->tls_version);
      json_kstr(j, "version", v);
    }
    if (l->tls_alpn[0]) json_kstr(j, "alpn", l->tls_alpn);
    json_obj_end(j);
  }
  if (l->app_verb[0] || l->app_object[0] || l->app_user[0] || l->app_software[0]) {
    json_key(j, f->app[0] ? f->app : "app");
    json_obj_begin(j);
    if (l->app_verb[0]) json_kstr(j, "verb", l->app_verb);
    if (l->app_object[0]) json_kstr(j, "object", l->app_object);
    if (l->app_user[0]) json_kstr(j, "user", l->app_user);
    if (l->app_software[0]) json_kstr(j, "software", l->app_software);
    json_obj_end(j);
  }
  if (l->ssh_client[0] || l->ssh_server[0]) {
    json_key(j, "ssh");
    json_obj_begin(j);
    if (l->ssh_client[0]) json_kstr(j, "client", l->ssh_client);
    if (l->ssh_server[0]) json_kstr(j, "server", l->ssh_server);
    json_obj_end(j);
  }
}

void eve_alert_obj(struct json *j, uint8_t action, uint32_t signature_id, const char *signature,
                   uint8_t category, uint8_t severity, uint8_t mode, double score) {
  json_key(j, "alert");
  json_obj_begin(j);
  json_kstr(j, "action", ev_action_name(action));
  json_ku64(j, "gid", 1);
  json_ku64(j, "signature_id", signature_id);
  json_ku64(j, "rev", 1);
  json_kstr(j, "signature", signature);
  json_kstr(j, "category", ev_category_name(category));
  json_ku64(j, "severity", severity);
  json_kstr(j, "mode", ev_mode_name(mode));
  json_kdouble(j, "score", score);
  json_obj_end(j);
}

void eve_alert(struct json *j, const struct ev_alert *a) {
  head(j, a->at_ns ? a->at_ns : a->flow.first_ns, &a->flow, "alert");
  eve_alert_obj(j, a->action, a->signature_id, a->signature, a->category, a->severity, a->mode,
                a->score);
  flow_obj(j, &a->flow);
  l7_objs(j, &a->flow);
  json_obj_end(j);
  json_raw(j, "\n", 1);
}

void eve_flow(struct json *j, const struct ev_flow *f) {
  head(j, f->last_ns, f, "flow");
  flow_obj(j, f);
  l7_objs(j, f);
  json_obj_end(j);
  json_raw(j, "\n", 1);
}
