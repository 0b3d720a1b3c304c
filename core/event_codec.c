/* Wire layout of one event (all integers little-endian):
 *
 *   0  'H' 'E'           magic
 *   2  u8  version       EV_WIRE_VERSION
 *   3  u8  kind          enum ev_kind
 *   4  u32 length        of the whole event, header included
 *   8  u64 ts_ns
 *  16  fields: u8 tag, u16 len, len bytes of value ...
 *
 * Each kind has a table of fields (tag, type, place in struct event). Numbers
 * have a fixed width; strings carry no NUL and must fit their buffer; an
 * address is a family byte (4|6) and 4 or 16 bytes. Tags below 200 must be
 * known to this version and appear at most once; tags 200..255 are
 * extensions a newer writer may add and are skipped. Required fields must be
 * present, and the decoded event must make sense (enums in range, times in
 * order) before it is accepted.
 */
#include "core/event.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

#define HDR_LEN 16
#define TAG_EXTENSION_MIN 200

enum ftype { F_U8, F_U16, F_U32, F_U64, F_I32, F_F64, F_ADDR, F_STR };

struct field {
  uint8_t tag;
  uint8_t type;
  bool required;
  size_t off;  /* offset in struct event */
  size_t size; /* buffer size for F_STR */
  const char *name;
};

#define EVF(tag, type, req, member, name)                                     \
  { tag, type, req, offsetof(struct event, member),                          \
    sizeof(((struct event *)0)->member), name }

/* Flow fields; an alert embeds the same struct at the same offset. */
#define FLOW_FIELDS(P)                                                        \
  EVF(10, F_U64, true, P.flow_id, "flow_id"),                                \
  EVF(11, F_U64, true, P.first_ns, "first_ns"),                              \
  EVF(12, F_U64, true, P.last_ns, "last_ns"),                                \
  EVF(13, F_ADDR, true, P.cli, "cli"),                                       \
  EVF(14, F_ADDR, true, P.srv, "srv"),                                       \
  EVF(15, F_U16, true, P.cli_port, "cli_port"),                              \
  EVF(16, F_U16, true, P.srv_port, "srv_port"),                              \
  EVF(17, F_U8, true, P.proto, "proto"),                                     \
  EVF(18, F_U8, false, P.client_guessed, "client_guessed"),                  \
  EVF(19, F_U16, false, P.vlan, "vlan"),                                     \
  EVF(20, F_U64, false, P.bytes_c2s, "bytes_c2s"),                           \
  EVF(21, F_U64, false, P.bytes_s2c, "bytes_s2c"),                           \
  EVF(22, F_U64, false, P.payload_c2s, "payload_c2s"),                       \
  EVF(23, F_U64, false, P.payload_s2c, "payload_s2c"),                       \
  EVF(24, F_U32, false, P.pkts_c2s, "pkts_c2s"),                             \
  EVF(25, F_U32, false, P.pkts_s2c, "pkts_s2c"),                             \
  EVF(26, F_U8, false, P.tcp_flags_c2s, "tcp_flags_c2s"),                    \
  EVF(27, F_U8, false, P.tcp_flags_s2c, "tcp_flags_s2c"),                    \
  EVF(28, F_U8, true, P.state, "state"),                                     \
  EVF(29, F_U8, true, P.end_reason, "end_reason"),                           \
  EVF(30, F_STR, false, P.app, "app"),                                       \
  EVF(31, F_U8, false, P.app_confidence, "app_confidence"),                  \
  EVF(32, F_STR, false, P.cli_service, "cli_service"),                       \
  EVF(33, F_STR, false, P.srv_service, "srv_service"),                       \
  EVF(60, F_STR, false, P.l7.http_method, "http_method"),                    \
  EVF(61, F_STR, false, P.l7.http_host, "http_host"),                        \
  EVF(62, F_STR, false, P.l7.http_path, "http_path"),                        \
  EVF(63, F_STR, false, P.l7.http_user_agent, "http_user_agent"),            \
  EVF(64, F_U16, false, P.l7.http_status, "http_status"),                    \
  EVF(65, F_STR, false, P.l7.dns_qname, "dns_qname"),                        \
  EVF(66, F_U16, false, P.l7.dns_qtype, "dns_qtype"),                        \
  EVF(67, F_U8, false, P.l7.dns_rcode, "dns_rcode"),                         \
  EVF(68, F_U8, false, P.l7.dns_answered, "dns_answered"),                   \
  EVF(69, F_STR, false, P.l7.tls_sni, "tls_sni"),                            \
  EVF(70, F_U16, false, P.l7.tls_version, "tls_version"),                    \
  EVF(71, F_STR, false, P.l7.tls_alpn, "tls_alpn"),                          \
  EVF(72, F_STR, false, P.l7.ssh_client, "ssh_client"),                      \
  EVF(73, F_STR, false, P.l7.ssh_server, "ssh_server"),                      \
  EVF(74, F_STR, false, P.l7.app_verb, "app_verb"),                          \
  EVF(75, F_STR, false, P.l7.app_object, "app_object"),                      \
  EVF(76, F_STR, false, P.l7.app_user, "app_user"),                          \
  EVF(77, F_STR, false, P.l7.app_software, "app_software")

#define STATS_FIELDS(P)                                                       \
  EVF(120, F_STR, false, P.source, "source"),                                \
  EVF(121, F_U64, true, P.packets, "packets"),                               \
  EVF(122, F_U64, false, P.bytes, "bytes"),                                  \
  EVF(123, F_U64, false, P.ip_packets, "ip_packets"),                        \
  EVF(124, F_U64, false, P.non_ip, "non_ip"),                                \
  EVF(125, F_U64, false, P.truncated, "truncated"),                          \
  EVF(126, F_U64, false, P.malformed, "malformed"),                          \
  EVF(127, F_U64, false, P.fragments, "fragments"),                          \
  EVF(128, F_U64, false, P.flows, "flows"),                                  \
  EVF(129, F_U64, false, P.flows_evicted, "flows_evicted"),                  \
  EVF(130, F_U64, false, P.dropped_kernel, "dropped_kernel"),                \
  EVF(131, F_U64, false, P.dropped_bus, "dropped_bus")

#define COMMON_FIELDS EVF(1, F_STR, false, node, "node")

static const struct field flow_fields[] = {COMMON_FIELDS, FLOW_FIELDS(u.flow)};
static const struct field alert_fields[] = {
    COMMON_FIELDS,
    FLOW_FIELDS(u.alert.flow),
    EVF(100, F_U32, true, u.alert.signature_id, "signature_id"),
    EVF(101, F_U8, true, u.alert.category, "category"),
    EVF(102, F_U8, true, u.alert.severity, "severity"),
    EVF(103, F_U8, true, u.alert.action, "action"),
    EVF(104, F_U8, true, u.alert.mode, "mode"),
    EVF(105, F_F64, false, u.alert.score, "score"),
    EVF(106, F_STR, true, u.alert.signature, "signature"),
    EVF(107, F_U64, false, u.alert.at_ns, "at_ns"),
};
static const struct field stats_fields[] = {COMMON_FIELDS, STATS_FIELDS(u.stats)};
static const struct field end_fields[] = {
    COMMON_FIELDS,
    STATS_FIELDS(u.end.stats),
    EVF(140, F_I32, true, u.end.status, "status"),
    EVF(141, F_STR, false, u.end.message, "message"),
};

static const struct field file_fields[] = {
    COMMON_FIELDS,
    EVF(170, F_U8, true, u.file.op, "op"),
    EVF(171, F_STR, true, u.file.path, "path"),
    EVF(172, F_U32, true, u.file.pid, "pid"),
    EVF(173, F_U32, true, u.file.uid, "uid"),
    EVF(174, F_STR, false, u.file.exe, "exe"),
    EVF(175, F_STR, false, u.file.comm, "comm"),
    EVF(176, F_STR, false, u.file.rule, "rule"),
    EVF(177, F_U8, false, u.file.is_dir, "is_dir"),
    EVF(178, F_U32, false, u.file.ppid, "ppid"),
    EVF(179, F_STR, false, u.file.cgroup, "cgroup"),
    EVF(180, F_STR, false, u.file.container_id, "container_id"),
};

static const struct field proc_fields[] = {
    COMMON_FIELDS,
    EVF(150, F_U8, true, u.proc.op, "op"),
    EVF(151, F_U8, false, u.proc.flags, "flags"),
    EVF(152, F_U32, true, u.proc.pid, "pid"),
    EVF(153, F_U32, true, u.proc.tgid, "tgid"),
    EVF(154, F_U32, false, u.proc.ppid, "ppid"),
    EVF(155, F_U32, false, u.proc.uid, "uid"),
    EVF(156, F_U32, false, u.proc.gid, "gid"),
    EVF(157, F_I32, false, u.proc.exit_code, "exit_code"),
    EVF(158, F_STR, false, u.proc.exe, "exe"),
    EVF(159, F_STR, false, u.proc.argv, "argv"),
    EVF(160, F_STR, false, u.proc.cwd, "cwd"),
    EVF(161, F_STR, false, u.proc.parent_exe, "parent_exe"),
    EVF(162, F_STR, false, u.proc.cgroup, "cgroup"),
    EVF(163, F_STR, false, u.proc.container_id, "container_id"),
    EVF(164, F_STR, false, u.proc.comm, "comm"),
};

struct kind_desc {
  const struct field *fields;
  size_t n;
};

static const struct kind_desc kinds[] = {
    [EV_FLOW] = {flow_fields, sizeof flow_fields / sizeof flow_fields[0]},
    [EV_ALERT] = {alert_fields, sizeof alert_fields / sizeof alert_fields[0]},
    [EV_STATS] = {stats_fields, sizeof stats_fields / sizeof stats_fields[0]},
    [EV_END] = {end_fields, sizeof end_fields / sizeof end_fields[0]},
    [EV_PROC] = {proc_fields, sizeof proc_fields / sizeof proc_fields[0]},
    [EV_FILE] = {file_fields, sizeof file_fields / sizeof file_fields[0]},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])
/* ev_decode tracks fields seen in a 64-bit mask. */
_Static_assert(sizeof alert_fields / sizeof alert_fields[0] <= 64, "too many fields");
_Static_assert(sizeof end_fields / sizeof end_fields[0] <= 64, "too many fields");

static const struct kind_desc *kind_of(uint8_t kind) {
  if (kind == 0 || kind >= N_KINDS || !kinds[kind].fields)
    return NULL;
  return &kinds[kind];
}

static void put_le(uint8_t *p, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++)
    v |= (uint64_t)p[i] << (8 * i);
  return v;
}

static size_t int_width(uint8_t type) {
  switch (type) {
  case F_U8: return 1;
  case F_U16: return 2;
  case F_U32: case F_I32: return 4;
  case F_U64: case F_F64: return 8;
  default: return 0;
  }
}

static uint64_t load_int(const void *p, uint8_t type) {
  switch (type) {
  case F_U8: return *(const uint8_t *)p;
  case F_U16: { uint16_t v; memcpy(&v, p, 2); return v; }
  case F_U32: { uint32_t v; memcpy(&v, p, 4); return v; }
  case F_I32: { int32_t v; memcpy(&v, p, 4); return (uint32_t)v; }
  case F_F64: { uint64_t v; memcpy(&v, p, 8); return v; }
  default: { uint64_t v; memcpy(&v, p, 8); return v; }
  }
}

static void store_int(void *p, uint8_t type, uint64_t v) {
  switch (type) {
  case F_U8: *(uint8_t *)p = (uint8_t)v; break;
  case F_U16: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
  case F_U32: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
  case F_I32: { int32_t x = (int32_t)(uint32_t)v; memcpy(p, &x, 4); break; }
  default: memcpy(p, &v, 8); break;
  }
}

int ev_encode(const struct event *ev, uint8_t *buf, size_t cap) {
  const struct kind_desc *k = kind_of(ev->kind);
  if (!k)
    return -EINVAL;
  if (cap < HDR_LEN)
    return -ENOSPC;
  const uint8_t *base = (const uint8_t *)ev;
  size_t pos = HDR_LEN;
  for (size_t i = 0; i < k->n; i++) {
    const struct field *f = &k->fields[i];
    const uint8_t *src = base + f->off;
    uint8_t tmp[17];
    const uint8_t *val = tmp;
    size_t len;
    if (f->type == F_STR) {
      len = strnlen((const char *)src, f->size);
      if (len == f->size)
        return -EINVAL; /* not terminated within its buffer */
      if (len == 0 && !f->required)
        continue;
      val = src;
    } else if (f->type == F_ADDR) {
      const struct hb_addr *a = (const struct hb_addr *)(const void *)src;
      if (a->family != 4 && a->family != 6)
        return -EINVAL;
      len = a->family == 4 ? 5 : 17;
      tmp[0] = a->family;
      memcpy(tmp + 1, a->b, len - 1);
    } else {
      len = int_width(f->type);
      put_le(tmp, load_int(src, f->type), len);
    }
    if (pos + 3 + len > cap)
      return -ENOSPC;
    buf[pos] = f->tag;
    put_le(buf + pos + 1, len, 2);
    memcpy(buf + pos + 3, val, len);
    pos += 3 + len;
  }
  buf[0] = 'H';
  buf[1] = 'E';
  buf[2] = EV_WIRE_VERSION;
  buf[3] = ev->kind;
  put_le(buf + 4, pos, 4);
  put_le(buf + 8, ev->ts_ns, 8);
  return (int)pos;
}

/* Writers emit fields in table order, so the field after the previous one
 * is tried first; any order is still accepted. */
static const struct field *find_field(const struct kind_desc *k, uint8_t tag,
                                      size_t hint, size_t *index) {
  if (hint < k->n && k->fields[hint].tag == tag) {
    *index = hint;
    return &k->fields[hint];
  }
  for (size_t i = 0; i < k->n; i++)
    if (k->fields[i].tag == tag) {
      *index = i;
      return &k->fields[i];
    }
  return NULL;
}

static int reject(struct event *ev, struct hb_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int reject(struct event *ev, struct hb_error *err, const char *fmt, ...) {
  memset(ev, 0, sizeof *ev);
  char why[HB_ERROR_MAX - 32];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  return hb_fail(err, EBADMSG, "malformed event: %s", why);
}

static int check_flow(const struct ev_flow *f, struct event *ev,
                      struct hb_error *err) {
  if (f->cli.family != f->srv.family)
    return reject(ev, err, "client and server address families differ (%u, %u)",
                  f->cli.family, f->srv.family);
  if (f->last_ns < f->first_ns)
    return reject(ev, err, "last_ns before first_ns");
  if (f->state < EV_STATE_NEW || f->state > EV_STATE_CLOSED)
    return reject(ev, err, "state %u out of range", f->state);
  if (f->end_reason > EV_END_EVICTED)
    return reject(ev, err, "end_reason %u out of range", f->end_reason);
  if (f->app_confidence > 100)
    return reject(ev, err, "app_confidence %u above 100", f->app_confidence);
  return 0;
}

static int check_proc(const struct ev_proc *p, struct event *ev, struct hb_error *err) {
  if (p->op < EV_PROC_EXEC || p->op > EV_PROC_DENIED)
    return reject(ev, err, "proc op %u out of range", p->op);
  if (p->flags & ~EV_PROC_F_ALL)
    return reject(ev, err, "proc flags 0x%02x has unknown bits", p->flags);
  if (p->pid == 0 || p->tgid == 0)
    return reject(ev, err, "proc pid %u / tgid %u is zero", p->pid, p->tgid);
  if (p->op != EV_PROC_EXIT && p->exit_code != 0)
    return reject(ev, err, "exit_code %d on a proc %s event", p->exit_code,
                  ev_proc_op_name(p->op));
  size_t n = strlen(p->container_id);
  if (n != 0 && (n != 64 || strspn(p->container_id, "0123456789abcdef") != 64))
    return reject(ev, err, "container_id is not 64 lowercase hex digits");
  return 0;
}

static int check_semantics(struct event *ev, struct hb_error *err) {
  switch (ev->kind) {
  case EV_FLOW:
    return check_flow(&ev->u.flow, ev, err);
  case EV_ALERT: {
    const struct ev_alert *a = &ev->u.alert;
    if (a->category < EV_CAT_VIOLATION || a->category > EV_CAT_THREAT)
      return reject(ev, err, "alert category %u out of range", a->category);
    if (a->severity < 1 || a->severity > 3)
      return reject(ev, err, "alert severity %u out of range", a->severity);
    if (a->action < EV_ACTION_ALLOWED || a->action > EV_ACTION_BLOCKED)
      return reject(ev, err, "alert action %u out of range", a->action);
    if (a->mode < EV_MODE_DISCOVER || a->mode > EV_MODE_PROTECT)
      return reject(ev, err, "alert mode %u out of range", a->mode);
    if (a->score != a->score)
      return reject(ev, err, "alert score is NaN");
    return check_flow(&a->flow, ev, err);
  }
  case EV_FILE: {
    const struct ev_file *f = &ev->u.file;
    if (f->op < EV_FILE_OPEN || f->op > EV_FILE_DENIED)
      return reject(ev, err, "file op %u out of range", f->op);
    if (f->path[0] != '/')
      return reject(ev, err, "file path is not absolute");
    if (f->is_dir > 1)
      return reject(ev, err, "is_dir %u is not 0 or 1", f->is_dir);
    return 0;
  }
  case EV_PROC:
    return check_proc(&ev->u.proc, ev, err);
  default:
    return 0;
  }
}

int ev_decode(const uint8_t *buf, size_t len, struct event *ev,
              struct hb_error *err) {
  memset(ev, 0, sizeof *ev);
  if (len < HDR_LEN)
    return reject(ev, err, "%zu bytes, shorter than the %d-byte header", len, HDR_LEN);
  if (buf[0] != 'H' || buf[1] != 'E')
    return reject(ev, err, "bad magic 0x%02x%02x", buf[0], buf[1]);
  if (buf[2] != EV_WIRE_VERSION)
    return reject(ev, err, "unsupported version %u (this build reads %d)", buf[2],
                  EV_WIRE_VERSION);
  const struct kind_desc *k = kind_of(buf[3]);
  if (!k)
    return reject(ev, err, "unknown kind %u", buf[3]);
  uint64_t total = get_le(buf + 4, 4);
  if (total != len)
    return reject(ev, err, "length field says %llu bytes, have %zu",
                  (unsigned long long)total, len);
  ev->kind = buf[3];
  ev->ts_ns = get_le(buf + 8, 8);

  uint64_t seen = 0; /* bit per field index; tables have < 64 fields */
  uint8_t *base = (uint8_t *)ev;
  size_t pos = HDR_LEN, next = 0;
  while (pos < len) {
    if (len - pos < 3)
      return reject(ev, err, "truncated field header at offset %zu", pos);
    uint8_t tag = buf[pos];
    size_t flen = (size_t)get_le(buf + pos + 1, 2);
    const uint8_t *val = buf + pos + 3;
    if (flen > len - pos - 3)
      return reject(ev, err, "field %u runs past the end (length %zu)", tag, flen);
    pos += 3 + flen;
    size_t idx;
    const struct field *f = find_field(k, tag, next, &idx);
    if (!f) {
      if (tag >= TAG_EXTENSION_MIN)
        continue;
      return reject(ev, err, "unknown field tag %u for kind %u", tag, ev->kind);
    }
    if (seen & (1ull << idx))
      return reject(ev, err, "field %s repeated", f->name);
    seen |= 1ull << idx;
    next = idx + 1;
    uint8_t *dst = base + f->off;
    if (f->type == F_STR) {
      if (flen >= f->size)
        return reject(ev, err, "field %s: %zu bytes, at most %zu allowed", f->name,
                      flen, f->size - 1);
      if (memchr(val, '\0', flen))
        return reject(ev, err, "field %s contains a NUL byte", f->name);
      memcpy(dst, val, flen);
      dst[flen] = '\0';
    } else if (f->type == F_ADDR) {
      if (flen < 1 || !((val[0] == 4 && flen == 5) || (val[0] == 6 && flen == 17)))
        return reject(ev, err, "field %s: bad address (length %zu, family %u)",
                      f->name, flen, flen ? val[0] : 0u);
      struct hb_addr *a = (struct hb_addr *)(void *)dst;
      a->family = val[0];
      memcpy(a->b, val + 1, flen - 1);
    } else {
      size_t w = int_width(f->type);
      if (flen != w)
        return reject(ev, err, "field %s has length %zu, expected %zu", f->name, flen, w);
      store_int(dst, f->type, get_le(val, w));
    }
  }
  for (size_t i = 0; i < k->n; i++)
    if (k->fields[i].required && !(seen & (1ull << i)))
      return reject(ev, err, "required field %s missing", k->fields[i].name);
  return check_semantics(ev, err);
}

static const char *name_in(const char *const *names, size_t n, unsigned v) {
  return v < n && names[v] ? names[v] : "unknown";
}
#define NAME_IN(arr, v) name_in(arr, sizeof arr / sizeof arr[0], v)

const char *ev_kind_name(uint8_t kind) {
  static const char *const n[] = {NULL, "flow", "alert", "stats", "end", "proc", "file"};
  return NAME_IN(n, kind);
}

const char *ev_end_reason_name(uint8_t reason) {
  static const char *const n[] = {"open", "fin", "rst", "timeout", "capture_end", "evicted"};
  return NAME_IN(n, reason);
}

const char *ev_state_name(uint8_t state) {
  static const char *const n[] = {NULL, "new", "rejected", "established", "closed"};
  return NAME_IN(n, state);
}

const char *ev_category_name(uint8_t cat) {
  static const char *const n[] = {NULL, "violation", "anomaly", "threat"};
  return NAME_IN(n, cat);
}

const char *ev_action_name(uint8_t action) {
  static const char *const n[] = {NULL, "allowed", "blocked"};
  return NAME_IN(n, action);
}

const char *ev_mode_name(uint8_t mode) {
  static const char *const n[] = {NULL, "discover", "monitor", "protect"};
  return NAME_IN(n, mode);
}

const char *ev_file_op_name(uint8_t op) {
  static const char *const n[] = {NULL,   "open", "modify", "create",
                                  "delete", "exec", "move",   "denied"};
  return NAME_IN(n, op);
}

const char *ev_proc_op_name(uint8_t op) {
  static const char *const n[] = {NULL, "exec", "fork", "exit", "existing", "denied"};
  return NAME_IN(n, op);
}

uint8_t ev_mode_parse(const char *s) {
  for (uint8_t m = EV_MODE_DISCOVER; m <= EV_MODE_PROTECT; m++)
    if (strcmp(s, ev_mode_name(m)) == 0)
      return m;
  return 0;
}
