/* config/config.c — habit's configuration: defaults, and the walk of one
 * YAML document against the schema in FORMAT.md.
 *
 * Each section has one function that loops over its mapping in file order,
 * so the first error reported is the first one in the file within a
 * section. Lists are counted before they are allocated (libyaml knows their
 * length) and the arrays hang off *cfg with their counts set at once, so
 * config_free() can release a half-built configuration after any failure.
 */
#include "config/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config_value.h"
#include "config/yaml_walk.h"
#include "detect/signatures.h"

/* Largest file config_load reads: a configuration, not a data set. */
#define CONFIG_MAX_BYTES (16u << 20)

/* Sensible bounds (FORMAT.md lists them). */
#define MAX_FLOWS_LO 1024u
#define MAX_FLOWS_HI (1u << 27)
#define TIMEOUT_HI (7u * 86400u)
#define COUNT_HI 100000000u

static void copy_cut(char *dst, size_t cap, const char *src) {
  size_t n = strnlen(src, cap - 1);
  memcpy(dst, src, n);
  dst[n] = '\0';
}

void config_defaults(struct config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  char host[256];
  if (gethostname(host, sizeof host) == 0 && host[0] != '\0') {
    host[sizeof host - 1] = '\0';
    copy_cut(cfg->node, sizeof cfg->node, host);
  } else {
    copy_cut(cfg->node, sizeof cfg->node, "localhost");
  }
  cfg->default_mode = EV_MODE_DISCOVER;
  cfg->flow = (struct cfg_flow){
      .max_flows = 262144,
      .tcp_new_timeout = 30,
      .tcp_est_timeout = 3600,
      .tcp_closed_timeout = 10,
      .udp_timeout = 60,
      .icmp_timeout = 30,
      .other_timeout = 60,
      .dpi = true,
  };
  cfg->learn = (struct cfg_learn){.readiness_bound = 0.01,
                                  .batch_events = 10000,
                                  .auto_monitor = 0,
                                  .auto_monitor_flows = 100};
  cfg->detect = (struct cfg_detect){
      .min_samples = 20,
      .quantile = 0.999,
      .margin = 4.0,
      .rate_margin = 2.0,
      .scan = {.window = 60, .ports = 20, .hosts = 20},
      .threats = {.flood_window = 1, .syn_flood = 1000, .icmp_flood = 500,
                  .udp_flood = 20000, .tiny_mss = 200, .dns_label = 40,
                  .dns_name = 100, .dns_entropy = 3.5, .dns_score = 20,
                  .dns_window = 60, .leak_bytes = 65536},
  };
  /* Threats found inside one connection's own bytes: resetting it ends
   * the attack. Scans, floods, tunnels and fragments span many packets or
   * flows, and a reset of one flow does not stop them. */
  cfg->enforce.reset_threats =
      SIG_THREAT_BIT(SIG_HTTP_SQLI) | SIG_THREAT_BIT(SIG_HTTP_XSS) |
      SIG_THREAT_BIT(SIG_SQL_INJECTION) | SIG_THREAT_BIT(SIG_LEAK_CARD) |
      SIG_THREAT_BIT(SIG_LEAK_PRIVATE_KEY) | SIG_THREAT_BIT(SIG_LEAK_AWS_KEY) |
      SIG_THREAT_BIT(SIG_LEAK_PATTERN) | SIG_THREAT_BIT(SIG_LEAK_AWS_SECRET) |
      SIG_THREAT_BIT(SIG_HEARTBLEED) | SIG_THREAT_BIT(SIG_HEARTBLEED_LEAK) |
      SIG_THREAT_BIT(SIG_HTTP_SMUGGLING);
}

static void free_selector(struct cfg_selector *s) {
  free(s->cidrs);
  free(s->ports);
  free(s->cgroup);
  free(s->container);
  free(s->exe);
}

void config_free(struct config *cfg) {
  for (size_t i = 0; i < cfg->n_services; i++) {
    struct cfg_service *svc = &cfg->services[i];
    for (size_t j = 0; j < svc->n_selectors; j++)
      free_selector(&svc->selectors[j]);
    free(svc->selectors);
    for (size_t j = 0; j < svc->n_protected_files; j++)
      free(svc->protected_files[j]);
    free(svc->protected_files);
  }
  free(cfg->services);
  for (size_t i = 0; i < cfg->n_externals; i++)
    free(cfg->externals[i].cidrs);
  free(cfg->externals);
  free(cfg->internal);
  for (size_t i = 0; i < cfg->detect.n_leaks; i++)
    free(cfg->detect.leaks[i].regex);
  free(cfg->detect.leaks);
  for (size_t i = 0; i < cfg->collect.file.n_watch; i++)
    free(cfg->collect.file.watch[i]);
  free(cfg->collect.file.watch);
  cfg->collect.file.watch = NULL;
  cfg->collect.file.n_watch = 0;
  cfg->detect.leaks = NULL;
  cfg->detect.n_leaks = 0;
  cfg->services = NULL;
  cfg->n_services = 0;
  cfg->externals = NULL;
  cfg->n_externals = 0;
  cfg->internal = NULL;
  cfg->n_internal = 0;
}

/* ---- the walk ---------------------------------------------------------- */

static const char *key_text(struct yw *w, const yaml_node_pair_t *pr,
                            size_t *len) {
  const char *s = "";
  *len = 0;
  yw_scalar(yw_node(w, pr->key), &s, len);
  return s;
}

static bool key_is(const char *k, size_t len, const char *word) {
  return len == strlen(word) && memcmp(k, word, len) == 0;
}

/* The path of a value under key k of the mapping at p. */
static struct yw_path under(const struct yw_path *p, const char *k,
                            size_t len) {
  return (struct yw_path){.up = p, .key = k, .key_len = len};
}

static struct yw_path item(const struct yw_path *p, size_t i) {
  return (struct yw_path){.up = p, .key = NULL, .index = i};
}

static int oom(struct yw *w) {
  return hb_fail(w->err, ENOMEM, "%s: out of memory", w->name);
}

/* Zeroed room for n things; n == 0 gives NULL, which is not a failure. */
static void *zalloc(size_t n, size_t size) {
  return n ? calloc(n, size) : NULL;
}

/* A non-empty list of CIDRs (or of bare addresses) into a new array. */
static int cidr_list(struct yw *w, yaml_node_t *n, const struct yw_path *p,
                     bool bare_only, struct hb_cidr **out, size_t *n_out) {
  yaml_node_item_t *items;
  size_t count;
  int rc = yw_sequence(w, n, p, &items, &count);
  if (rc)
    return rc;
  if (count == 0)
    return yw_fail_at(w, n, p, "empty list (leave the key out instead)");
  if (!(*out = zalloc(count, sizeof **out)))
    return oom(w);
  *n_out = count;
  for (size_t i = 0; i < count; i++) {
    struct yw_path ip = item(p, i);
    if ((rc = cv_cidr(w, yw_node(w, items[i]), &ip, bare_only, &(*out)[i])))
      return rc;
  }
  return 0;
}

static int port_list(struct yw *w, yaml_node_t *n, const struct yw_path *p,
                     struct cfg_selector *sel) {
  yaml_node_item_t *items;
  size_t count;
  int rc = yw_sequence(w, n, p, &items, &count);
  if (rc)
    return rc;
  if (count == 0)
    return yw_fail_at(w, n, p,
                      "empty list (leave the key out for any port)");
  if (!(sel->ports = zalloc(count, sizeof *sel->ports)))
    return oom(w);
  sel->n_ports = count;
  for (size_t i = 0; i < count; i++) {
    struct yw_path ip = item(p, i);
    if ((rc = cv_port_range(w, yw_node(w, items[i]), &ip, &sel->ports[i])))
      return rc;
  }
  return 0;
}

/* How many addresses a selector's mapping names, to size one array. A value
 * of the wrong type counts 0 here and fails in the walk. */
static size_t count_addresses(struct yw *w, yaml_node_pair_t *pairs,
                              size_t n) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    size_t len;
    const char *k = key_text(w, &pairs[i], &len);
    const yaml_node_t *v = yw_node(w, pairs[i].value);
    if (key_is(k, len, "cidr") || key_is(k, len, "ip"))
      total++;
    else if ((key_is(k, len, "cidrs") || key_is(k, len, "ips")) &&
             v->type == YAML_SEQUENCE_NODE)
      total += (size_t)(v->data.sequence.items.top -
                        v->data.sequence.items.start);
  }
  return total;
}

/* The items of the list under an address key, appended to sel->cidrs. */
static int address_items(struct yw *w, yaml_node_t *v,
                         const struct yw_path *p, bool bare_only,
                         struct cfg_selector *sel) {
  yaml_node_item_t *items;
  size_t count;
  int rc = yw_sequence(w, v, p, &items, &count);
  if (rc)
    return rc;
  if (count == 0)
    return yw_fail_at(w, v, p, "empty list (leave the key out instead)");
  for (size_t i = 0; i < count; i++) {
    struct yw_path ip = item(p, i);
    if ((rc = cv_cidr(w, yw_node(w, items[i]), &ip, bare_only,
                      &sel->cidrs[sel->n_cidrs])))
      return rc;
    sel->n_cidrs++;
  }
  return 0;
}

/* A process key's text: a non-empty string without NUL, at most max - 1
 * bytes; a container id is 12 to 64 hex digits. */
static int process_key(struct yw *w, yaml_node_t *v, const struct yw_path *p,
                       bool hex_id, size_t max, char **out) {
  const char *text;
  size_t len;
  char got[YW_QUOTE_MAX];
  if (!yw_scalar(v, &text, &len) || yw_is_null(v) || len == 0)
    return yw_fail_at(w, v, p, "expected a non-empty string, got %s", yw_describe(v, got));
  if (len >= max || memchr(text, '\0', len))
    return yw_fail_at(w, v, p, "at most %zu bytes, without NUL", max - 1);
  if (hex_id) {
    if (len < 12)
      return yw_fail_at(w, v, p, "a container id of at least 12 hex digits, got %s",
                        yw_quote(text, len, got));
    for (size_t i = 0; i < len; i++)
      if (!strchr("0123456789abcdef", text[i]))
        return yw_fail_at(w, v, p, "a container id is lowercase hex digits, got %s",
                          yw_quote(text, len, got));
  }
  free(*out);
  if (!(*out = strndup(text, len)))
    return oom(w);
  return 0;
}

static int parse_selector(struct yw *w, yaml_node_t *n,
                          const struct yw_path *p, struct cfg_selector *sel) {
  yaml_node_pair_t *pairs;
  size_t count;
  int rc = yw_mapping(w, n, p, &pairs, &count);
  if (rc)
    return rc;
  size_t n_addr = count_addresses(w, pairs, count);
  sel->cidrs = zalloc(n_addr, sizeof *sel->cidrs);
  if (n_addr && !sel->cidrs)
    return oom(w);
  for (size_t i = 0; i < count && rc == 0; i++) {
    size_t len;
    const char *k = key_text(w, &pairs[i], &len);
    yaml_node_t *v = yw_node(w, pairs[i].value);
    struct yw_path kp = under(p, k, len);
    if (key_is(k, len, "cidr") || key_is(k, len, "ip")) {
      rc = cv_cidr(w, v, &kp, key_is(k, len, "ip"),
                   &sel->cidrs[sel->n_cidrs]);
      sel->n_cidrs += rc == 0;
    } else if (key_is(k, len, "cidrs") || key_is(k, len, "ips")) {
      rc = address_items(w, v, &kp, key_is(k, len, "ips"), sel);
    } else if (key_is(k, len, "ports")) {
      rc = port_list(w, v, &kp, sel);
    } else if (key_is(k, len, "proto")) {
      rc = cv_proto(w, v, &kp, &sel->proto);
    } else if (key_is(k, len, "cgroup")) {
      rc = process_key(w, v, &kp, false, EV_TEXT_MAX, &sel->cgroup);
    } else if (key_is(k, len, "container")) {
      rc = process_key(w, v, &kp, true, EV_CONTAINER_MAX, &sel->container);
    } else if (key_is(k, len, "exe")) {
      rc = process_key(w, v, &kp, false, EV_TEXT_MAX, &sel->exe);
    } else {
      rc = yw_unknown_key(w, yw_node(w, pairs[i].key), p,
                          "cgroup, cidr, cidrs, container, exe, ip, ips, ports, proto");
    }
  }
  if (rc == 0 && sel->n_cidrs == 0 && !sel->cgroup && !sel->container && !sel->exe)
    return yw_fail_at(w, n, p,
                      "a member needs an address (cidr, cidrs, ip or ips) or a process "
                      "key (cgroup, container or exe)");
  if (rc == 0 && sel->n_cidrs == 0 && (sel->n_ports || sel->proto))
    return yw_fail_at(w, n, p, "ports and proto need an address in the same member");
  return rc;
}

static int parse_members(struct yw *w, yaml_node_t *n, const struct yw_path *p,
                         struct cfg_service *svc) {
  yaml_node_item_t *items;
  size_t count;
  int rc = yw_sequence(w, n, p, &items, &count);
  if (rc)
    return rc;
  svc->selectors = zalloc(count, sizeof *svc->selectors);
  if (count && !svc->selectors)
    return oom(w);
  svc->n_selectors = count;
  for (size_t i = 0; i < count && rc == 0; i++) {
    struct yw_path ip = item(p, i);
    rc = parse_selector(w, yw_node(w, items[i]), &ip, &svc->selectors[i]);
  }
  return rc;
}

/* A non-empty list of absolute paths (collect.file.watch,
 * services.N.protected_files). */
static int path_list(struct yw *w, yaml_node_t *n, const struct yw_path *p, const char *hint,
                     char ***out, size_t *n_out) {
  yaml_node_item_t *items;
  size_t count;
  int rc = yw_sequence(w, n, p, &items, &count);
  if (rc)
    return rc;
  if (count == 0)
    return yw_fail_at(w, n, p, "empty list (leave the key out %s)", hint);
  if (!(*out = zalloc(count, sizeof **out)))
    return oom(w);
  for (size_t i = 0; i < count; i++) {
    struct yw_path ip = item(p, i);
    yaml_node_t *v = yw_node(w, items[i]);
    const char *text;
    size_t len;
    char got[YW_QUOTE_MAX];
    if (!yw_scalar(v, &text, &len) || yw_is_null(v))
      return yw_fail_at(w, v, &ip, "expected an absolute path, got %s", yw_describe(v, got));
    if (len == 0 || text[0] != '/')
      return yw_fail_at(w, v, &ip, "path %s is not absolute", yw_quote(text, len, got));
    if (len >= EV_PATH_MAX || memchr(text, '\0', len))
      return yw_fail_at(w, v, &ip, "a path of at most %d bytes, without NUL", EV_PATH_MAX - 1);
    if (!((*out)[i] = strndup(text, len)))
      return oom(w);
    *n_out = i + 1;
  }
  return 0;
}

static int parse_service(struct yw *w, yaml_node_t *n, const struct yw_path *p,
                         struct cfg_service *svc) {
  yaml_node_pair_t *pairs;
  size_t count;
  int rc = yw_mapping(w, n, p, &pairs, &count);
  for (size_t i = 0; i < count && rc == 0; i++) {
    size_t len;
    const char *k = key_text(w, &pairs[i], &len);
    yaml_node_t *v = yw_node(w, pairs[i].value);
    struct yw_path kp = under(p, k, len);
    if (key_is(k, len, "mode"))
      rc = cv_mode(w, v, &kp, &svc->mode);
    else if (key_is(k, len, "members"))
      rc = parse_members(w, v, &kp, svc);
    else if (key_is(k, len, "protected_files"))
      rc = path_list(w, v, &kp, "instead", &svc->protected_files,
                     &svc->n_protected_files);
    else
      rc = yw_unknown_key(w, yw_node(w, pairs[i].key), p, "members, mode, protected_files");
  }
  return rc;
}

static int parse_services(struct yw *w, yaml_node_t *n,
                          const struct yw_path *p, struct config *cfg) {
  yaml_node_pair_t *pairs;
  size_t count;
  int rc = yw_mapping(w, n, p, &pairs, &count);
  if (rc)
    return rc;
  cfg->services = zalloc(count, sizeof *cfg->services);
  if (count && !cfg->services)
    return oom(w);
  cfg->n_services = count;
  for (size_t i = 0; i < count && rc == 0; i++) {
    struct cfg_service *svc = &cfg->services[i];
    rc = cv_name(w, yw_node(w, pairs[i].key), p, svc->name);
    if (rc == 0) {
      struct yw_path sp = under(p, svc->name, strlen(svc->name));
      rc = parse_service(w, yw_node(w, pairs[i].value), &sp, svc);
    }
  }
  return rc;
}

static const struct cfg_service *find_service(const struct config *cfg,
                                              const char *name) {
  for (size_t i = 0; i < cfg->n_services; i++)
    if (strcmp(cfg->services[i].name, name) == 0)
      return &cfg->services[i];
  return NULL;
}

/* External groups name peers in events as services do, so a group may not
 * take a service's name. Services are parsed first (see parse_top). */
static int parse_externals(struct yw *w, yaml_node_t *n,
                           const struct yw_path *p, struct config *cfg) {
  yaml_node_pair_t *pairs;
  size_t count;
  int rc = yw_mapping(w, n, p, &pairs, &count);
  if (rc)
    return rc;
  cfg->externals = zalloc(count, sizeof *cfg->externals);
  if (count && !cfg->externals)
    return oom(w);
  cfg->n_externals = count;
  for (size_t i = 0; i < count && rc == 0; i++) {
    struct cfg_external *ext = &cfg->externals[i];
    const yaml_node_t *key = yw_node(w, pairs[i].key);
    rc = cv_name(w, key, p, ext->name);
    if (rc == 0 && find_service(cfg, ext->name))
      rc = yw_fail_at(w, key, p,
                      "group '%s' has the name of a service; pick another",
                      ext->name);
    if (rc == 0) {
      struct yw_path gp = under(p, ext->name, strlen(ext->name));
      rc = cidr_list(w, yw_node(w, pairs[i].value), &gp, false, &ext->cidrs,
                     &ext->n_cidrs);
    }
  }
  return rc;
}

static int parse_networks(struct yw *w, yaml_node_t *n,
                          const struct yw_path *p, struct config *cfg) {
  yaml_node_pair_t *pairs;
  size_t count;
  int rc = yw_mapping(w, n, p, &pairs, &count);
  for (size_t i = 0; i < count && rc == 0; i++) {
    size_t len;
    const char *k = key_text(w, &pairs[i], &len);
    yaml_node_t *v = yw_node(w, pairs[i].value);
    struct yw_path kp = under(p, k, len);
    if (key_is(k, len, "internal"))
      rc = cidr_list(w, v, &kp, false, &cfg->internal, &cfg->n_internal);
    else if (key_is(k, len, "external"))
      rc = parse_externals(w, v, &kp, cfg);
    else
      rc = yw_unknown_key(w, yw_node(w, pairs[i].key), p, "external, internal");
  }
  return rc;
}

/* One numeric key of a fixed section: where it goes and what it may be. */
struct num_field {
  const char *key;
  uint32_t *u;       /* a whole number in [lo, hi], or */
  double *d;         /* a real number in range */
  uint32_t lo, hi;
  struct cv_range range;
};

/* A section of numbers, maybe with nested sections of numbers (named by
 * `key`); expected lists all its keys for the unknown-key error. */
struct section {
  const char *key; /* as a nested section */
  const struct num_field *fields;
  size_t n_fields;
  const char *expected;
  const struct section *subs;
  size_t n_subs;
  /* One key whose value is not numbers, parsed by list_fn. */
  const char *list_key;
  int (*list_fn)(struct yw *w, yaml_node_t *n, const struct yw_path *p, void *ctx);
  void *list_ctx;
};

static int parse_numbers(struct yw *w, yaml_node_t *n, const struct yw_path *p,
                         const struct section *sec) {
  const struct num_field *f = sec->fields;
  size_t nf = sec->n_fields;
  yaml_node_pair_t *pairs;
  size_t count;
  int rc = yw_mapping(w, n, p, &pairs, &count);
  for (size_t i = 0; i < count && rc == 0; i++) {
    size_t len;
    const char *k = key_text(w, &pairs[i], &len);
    yaml_node_t *v = yw_node(w, pairs[i].value);
    struct yw_path kp = under(p, k, len);
    const struct num_field *hit = NULL;
    const struct section *sub = NULL;
    for (size_t j = 0; j < nf && !hit; j++)
      if (key_is(k, len, f[j].key))
        hit = &f[j];
    for (size_t j = 0; j < sec->n_subs && !hit && !sub; j++)
      if (key_is(k, len, sec->subs[j].key))
        sub = &sec->subs[j];
    if (hit && hit->u)
      rc = cv_u32(w, v, &kp, hit->lo, hit->hi, hit->u);
    else if (hit)
      rc = cv_double(w, v, &kp, &hit->range, hit->d);
    else if (sub)
      rc = parse_numbers(w, v, &kp, sub);
    else if (sec->list_key && key_is(k, len, sec->list_key))
      rc = sec->list_fn(w, v, &kp, sec->list_ctx);
    else
      rc = yw_unknown_key(w, yw_node(w, pairs[i].key), p, sec->expected);
  }
  return rc;
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define U32_FIELD(k, ptr, min, max) {.key = k, .u = ptr, .lo = min, .hi = max}
#define REAL_FIELD(k, ptr, min, max, min_open, max_open)                       \
  {.key = k, .d = ptr, .range = {min, max, min_open, max_open}}

static int parse_flows(struct yw *w, yaml_node_t *n, const struct yw_path *p,
                       struct cfg_flow *f) {
  const struct num_field timeouts[] = {
      U32_FIELD("tcp_new", &f->tcp_new_timeout, 1, TIMEOUT_HI),
      U32_FIELD("tcp_established", &f->tcp_est_timeout, 1, TIMEOUT_HI),
      U32_FIELD("tcp_closed", &f->tcp_closed_timeout, 1, TIMEOUT_HI),
      U32_FIELD("udp", &f->udp_timeout, 1, TIMEOUT_HI),
      U32_FIELD("icmp", &f->icmp_timeout, 1, TIMEOUT_HI),
      U32_FIELD("other", &f->other_timeout, 1, TIMEOUT_HI),
  };
  const struct num_field top[] = {
      U32_FIELD("max_flows", &f->max_flows, MAX_FLOWS_LO, MAX_FLOWS_HI),
  };
  const struct section sub = {
      .key = "timeouts",
      .fields = timeouts,
      .n_fields = N_OF(timeouts),
      .expected = "icmp, other, tcp_closed, tcp_established, tcp_new, udp",
  };
  const struct section sec = {.fields = top, .n_fields = N_OF(top),
                              .expected = "max_flows, timeouts", .subs = &sub, .n_subs = 1};
  return parse_numbers(w, n, p, &sec);
}

static int parse_learn(struct yw *w, yaml_node_t *n, const struct yw_path *p,
                       struct cfg_learn *l) {
  const struct num_field fields[] = {
      U32_FIELD("batch_events", &l->batch_events, 1, COUNT_HI),
      REAL_FIELD("readiness_bound", &l->readiness_bound, 0, 1, true, true),
      U32_FIELD("auto_monitor", &l->auto_monitor, 0, 31536000),
      U32_FIELD("auto_monitor_flows", &l->auto_monitor_flows, 1, COUNT_HI),
  };
  const struct section sec = {.fields = fields, .n_fields = N_OF(fields),
                              .expected = "auto_monitor, auto_monitor_flows, batch_events, "
                                          "readiness_bound"};
  return parse_numbers(w, n, p, &sec);
}

#define LEAK_REGEX_MAX 4095

/* One leak pattern: {name: NAME, regex: TEXT}. */
static int parse_leak(struct yw *w, yaml_node_t *n, const struct yw_path *p,
                      struct cfg_leak_pattern *lp) {
  yaml_node_pair_t *pairs;
  size_t count;
  int rc = yw_mapping(w, n, p, &pairs, &count);
  for (size_t i = 0; i < count && rc == 0; i++) {
    size_t len;
    const char *k = key_text(w, &pairs[i], &len);
    yaml_node_t *v = yw_node(w, pairs[i].value);
    struct yw_path kp = under(p, k, len);
    const char *text;
    size_t tlen;
    if (key_is(k, len, "name")) {
      rc = cv_name(w, v, &kp, lp->name);
    } else if (key_is(k, len, "regex")) {
      if (!yw_scalar(v, &text, &tlen) || yw_is_null(v) || tlen == 0)
        rc = yw_fail_at(w, v, &kp, "expected a regular expression");
      else if (tlen > LEAK_REGEX_MAX || memchr(text, '\0', tlen))
        rc = yw_fail_at(w, v, &kp, "a regular expression of at most %d bytes, without NUL",
                        LEAK_REGEX_MAX);
      else if (!(lp->regex = strndup(text, tlen)))
        rc = oom(w);
    } else {
      rc = yw_unknown_key(w, yw_node(w, pairs[i].key), p, "name, regex");
    }
  }
  if (rc == 0 && (!lp->name[0] || !lp->regex))
    rc = yw_fail_at(w, n, p, "a leak pattern needs a name and a regex");
  return rc;
}

/* detect.leaks: a list of user patterns. */
static int parse_leaks(struct yw *w, yaml_node_t *n, const struct yw_path *p, void *ctx) {
  struct cfg_detect *d = ctx;
  yaml_node_item_t *items;
  size_t count;
  int rc = yw_sequence(w, n, p, &items, &count);
  if (rc)
    return rc;
  d->leaks = zalloc(count, sizeof *d->leaks);
  if (count && !d->leaks)
    return oom(w);
  for (size_t i = 0; i < count && rc == 0; i++) {
    struct yw_path ip = item(p, i);
    rc = parse_leak(w, yw_node(w, items[i]), &ip, &d->leaks[i]);
    d->n_leaks = i + 1;
  }
  return rc;
}

static int parse_detect(struct yw *w, yaml_node_t *n, const struct yw_path *p,
                        struct cfg_detect *d) {
  const struct num_field scan[] = {
      U32_FIELD("hosts", &d->scan.hosts, 1, COUNT_HI),
      U32_FIELD("ports", &d->scan.ports, 1, 65535),
      U32_FIELD("window", &d->scan.window, 1, 86400),
  };
  const struct num_field fields[] = {
      REAL_FIELD("margin", &d->margin, 1, 1000, false, false),
      U32_FIELD("min_samples", &d->min_samples, 1, COUNT_HI),
      REAL_FIELD("quantile", &d->quantile, 0, 1, true, true),
      REAL_FIELD("rate_margin", &d->rate_margin, 1, 1000, false, false),
  };
  struct cfg_threats *t = &d->threats;
  const struct num_field threats[] = {
      U32_FIELD("dns_label", &t->dns_label, 1, 63),
      U32_FIELD("dns_name", &t->dns_name, 1, 255),
      REAL_FIELD("dns_entropy", &t->dns_entropy, 0, 8, false, false),
      U32_FIELD("dns_score", &t->dns_score, 1, COUNT_HI),
      U32_FIELD("dns_window", &t->dns_window, 1, 86400),
      U32_FIELD("flood_window", &t->flood_window, 1, 3600),
      U32_FIELD("icmp_flood", &t->icmp_flood, 1, COUNT_HI),
      U32_FIELD("leak_bytes", &t->leak_bytes, 0, COUNT_HI),
      U32_FIELD("syn_flood", &t->syn_flood, 1, COUNT_HI),
      U32_FIELD("tiny_mss", &t->tiny_mss, 0, 65535),
      U32_FIELD("udp_flood", &t->udp_flood, 1, COUNT_HI),
  };
  const struct section subs[] = {
      {.key = "scan", .fields = scan, .n_fields = N_OF(scan),
       .expected = "hosts, ports, window"},
      {.key = "threats", .fields = threats, .n_fields = N_OF(threats),
       .expected = "dns_entropy, dns_label, dns_name, dns_score, dns_window, "
                   "flood_window, icmp_flood, leak_bytes, syn_flood, "
                   "tiny_mss, udp_flood"},
  };
  const struct section sec = {
      .fields = fields, .n_fields = N_OF(fields),
      .expected = "leaks, margin, min_samples, quantile, rate_margin, scan, threats",
      .subs = subs, .n_subs = N_OF(subs),
      .list_key = "leaks", .list_fn = parse_leaks, .list_ctx = d};
  return parse_numbers(w, n, p, &sec);
}

static int parse_collect_file(struct yw *w, yaml_node_t *n, const struct yw_path *p,
                              struct cfg_collect_file *f) {
  yaml_node_pair_t *pairs;
  size_t count;
  int rc = yw_mapping(w, n, p, &pairs, &count);
  for (size_t i = 0; i < count && rc == 0; i++) {
    size_t len;
    const char *k = key_text(w, &pairs[i], &len);
    struct yw_path kp = under(p, k, len);
    if (key_is(k, len, "watch"))
      rc = path_list(w, yw_node(w, pairs[i].value), &kp, "for the default paths", &f->watch,
                     &f->n_watch);
    else
      rc = yw_unknown_key(w, yw_node(w, pairs[i].key), p, "watch");
  }
  return rc;
}

static int parse_collect(struct yw *w, yaml_node_t *n, const struct yw_path *p,
                         struct cfg_collect *c) {
  yaml_node_pair_t *pairs;
  size_t count;
  int rc = yw_mapping(w, n, p, &pairs, &count);
  for (size_t i = 0; i < count && rc == 0; i++) {
    size_t len;
    const char *k = key_text(w, &pairs[i], &len);
    struct yw_path kp = under(p, k, len);
    if (key_is(k, len, "file"))
      rc = parse_collect_file(w, yw_node(w, pairs[i].value), &kp, &c->file);
    else
      rc = yw_unknown_key(w, yw_node(w, pairs[i].key), p, "file");
  }
  return rc;
}

/* An endpoint ZeroMQ can bind or connect: ipc://, tcp:// or inproc://
 * with something after it. */
static int cv_endpoint(struct yw *w, yaml_node_t *v, const struct yw_path *p, char *out) {
  const char *text;
  size_t len;
  if (!yw_scalar(v, &text, &len) || yw_is_null(v) || len >= CFG_ENDPOINT_MAX ||
      memchr(text, '\0', len) ||
      !((len > 6 && (strncmp(text, "ipc://", 6) == 0 || strncmp(text, "tcp://", 6) == 0)) ||
        (len > 9 && strncmp(text, "inproc://", 9) == 0)))
    return yw_fail_at(w, v, p, "expected an endpoint: ipc://PATH or tcp://HOST:PORT (at most %d bytes)",
                      CFG_ENDPOINT_MAX - 1);
  memcpy(out, text, len);
  out[len] = '\0';
  return 0;
}

/* enforce.reset: the threat ids (3000-3063) that reset a connection of a
 * protected service, [] for none; enforce.no_policy: open | closed. */
static int parse_enforce(struct yw *w, yaml_node_t *n, const struct yw_path *p,
                         struct cfg_enforce *e) {
  yaml_node_pair_t *pairs;
  size_t count;
  int rc = yw_mapping(w, n, p, &pairs, &count);
  for (size_t i = 0; i < count && rc == 0; i++) {
    size_t len;
    const char *k = key_text(w, &pairs[i], &len);
    struct yw_path kp = under(p, k, len);
    yaml_node_t *v = yw_node(w, pairs[i].value);
    if (key_is(k, len, "no_policy")) {
      rc = cv_choice(w, v, &kp, "open", "closed", &e->fail_closed);
      continue;
    }
    if (key_is(k, len, "queue_bypass")) {
      rc = cv_choice(w, v, &kp, "false", "true", &e->queue_bypass);
      continue;
    }
    if (!key_is(k, len, "reset")) {
      rc = yw_unknown_key(w, yw_node(w, pairs[i].key), p, "no_policy, queue_bypass, reset");
      continue;
    }
    yaml_node_item_t *items;
    size_t n_items;
    rc = yw_sequence(w, v, &kp, &items, &n_items);
    uint64_t mask = 0;
    for (size_t j = 0; j < n_items && rc == 0; j++) {
      struct yw_path ip = item(&kp, j);
      uint32_t id;
      rc = cv_u32(w, yw_node(w, items[j]), &ip, 3000, 3063, &id);
      mask |= rc == 0 ? SIG_THREAT_BIT(id) : 0;
    }
    if (rc == 0)
      e->reset_threats = mask;
  }
  return rc;
}

static int parse_engine(struct yw *w, yaml_node_t *n, const struct yw_path *p,
                        struct cfg_engine *e) {
  yaml_node_pair_t *pairs;
  size_t count;
  int rc = yw_mapping(w, n, p, &pairs, &count);
  for (size_t i = 0; i < count && rc == 0; i++) {
    size_t len;
    const char *k = key_text(w, &pairs[i], &len);
    yaml_node_t *v = yw_node(w, pairs[i].value);
    struct yw_path kp = under(p, k, len);
    const char *text;
    size_t tlen;
    if (key_is(k, len, "listen")) {
      rc = cv_endpoint(w, v, &kp, e->listen);
    } else if (key_is(k, len, "publish")) {
      rc = cv_endpoint(w, v, &kp, e->publish);
    } else if (key_is(k, len, "enforcers")) {
      rc = cv_endpoint(w, v, &kp, e->enforcers);
    } else if (key_is(k, len, "alerts")) {
      if (!yw_scalar(v, &text, &tlen) || yw_is_null(v) || tlen == 0 ||
          tlen >= CFG_ENDPOINT_MAX || memchr(text, '\0', tlen))
        rc = yw_fail_at(w, v, &kp, "expected a file path (at most %d bytes)",
                        CFG_ENDPOINT_MAX - 1);
      else {
        memcpy(e->alerts, text, tlen);
        e->alerts[tlen] = '\0';
      }
    } else if (key_is(k, len, "flush")) {
      rc = cv_u32(w, v, &kp, 1, 3600, &e->flush);
    } else {
      rc = yw_unknown_key(w, yw_node(w, pairs[i].key), p, "alerts, enforcers, flush, listen, publish");
    }
  }
  return rc;
}

/* services before networks, whatever the file order: an external group's
 * name is checked against the services'. */
static int parse_top(struct yw *w, yaml_node_t *root, struct config *cfg) {
  if (root->type != YAML_MAPPING_NODE && !yw_is_null(root)) {
    char got[YW_QUOTE_MAX];
    return yw_fail(w, root, "expected a mapping at top level, got %s",
                   yw_describe(root, got));
  }
  yaml_node_pair_t *pairs;
  size_t count;
  int rc = yw_mapping(w, root, NULL, &pairs, &count);
  if (rc)
    return rc;
  for (size_t i = 0; i < count && rc == 0; i++) {
    size_t len;
    const char *k = key_text(w, &pairs[i], &len);
    struct yw_path kp = under(NULL, k, len);
    if (key_is(k, len, "services"))
      rc = parse_services(w, yw_node(w, pairs[i].value), &kp, cfg);
  }
  for (size_t i = 0; i < count && rc == 0; i++) {
    size_t len;
    const char *k = key_text(w, &pairs[i], &len);
    yaml_node_t *v = yw_node(w, pairs[i].value);
    struct yw_path kp = under(NULL, k, len);
    if (key_is(k, len, "services"))
      continue;
    if (key_is(k, len, "node"))
      rc = cv_name(w, v, &kp, cfg->node);
    else if (key_is(k, len, "mode"))
      rc = cv_mode(w, v, &kp, &cfg->default_mode);
    else if (key_is(k, len, "networks"))
      rc = parse_networks(w, v, &kp, cfg);
    else if (key_is(k, len, "flows"))
      rc = parse_flows(w, v, &kp, &cfg->flow);
    else if (key_is(k, len, "learn"))
      rc = parse_learn(w, v, &kp, &cfg->learn);
    else if (key_is(k, len, "detect"))
      rc = parse_detect(w, v, &kp, &cfg->detect);
    else if (key_is(k, len, "collect"))
      rc = parse_collect(w, v, &kp, &cfg->collect);
    else if (key_is(k, len, "engine"))
      rc = parse_engine(w, v, &kp, &cfg->engine);
    else if (key_is(k, len, "enforce"))
      rc = parse_enforce(w, v, &kp, &cfg->enforce);
    else
      rc = yw_unknown_key(w, yw_node(w, pairs[i].key), NULL,
                          "collect, detect, enforce, engine, flows, learn, mode, networks, "
                          "node, services");
  }
  return rc;
}

int config_parse(const char *name, const char *text, size_t len,
                 struct config *cfg, struct hb_error *err) {
  config_defaults(cfg);
  if (!name)
    name = "<config>";
  if (!text && len > 0)
    return hb_fail(err, EINVAL, "%s: no text", name);
  struct yw w;
  int rc = yw_load(&w, name, text ? text : "", len, err);
  if (rc)
    return rc;
  yaml_node_t *root = yw_root(&w);
  if (root)
    rc = parse_top(&w, root, cfg);
  yw_close(&w);
  if (rc) {
    config_free(cfg);
    config_defaults(cfg);
    return rc;
  }
  copy_cut(cfg->path, sizeof cfg->path, name);
  return 0;
}

static int cannot_read(const char *path, int code, struct hb_error *err) {
  return hb_fail(err, code, "%s: cannot read: %s", path, strerror(code));
}

/* The whole file, NUL-terminated, at most CONFIG_MAX_BYTES. */
static int read_file(const char *path, char **out, size_t *len,
                     struct hb_error *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return cannot_read(path, errno, err);
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  int rc = buf ? 0 : hb_fail(err, ENOMEM, "%s: out of memory", path);
  while (rc == 0) {
    if (n > CONFIG_MAX_BYTES) {
      rc = hb_fail(err, EFBIG, "%s: cannot read: larger than %u MiB", path,
                   CONFIG_MAX_BYTES >> 20);
      break;
    }
    if (n + 1 >= cap) {
      char *bigger = realloc(buf, cap * 2);
      if (!bigger) {
        rc = hb_fail(err, ENOMEM, "%s: out of memory", path);
        break;
      }
      buf = bigger;
      cap *= 2;
    }
    ssize_t got = read(fd, buf + n, cap - 1 - n);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0)
      rc = cannot_read(path, errno, err);
    else if (got == 0)
      break;
    else
      n += (size_t)got;
  }
  close(fd);
  if (rc) {
    free(buf);
    return rc;
  }
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return 0;
}

int config_load(const char *path, struct config *cfg, struct hb_error *err) {
  config_defaults(cfg);
  char *text = NULL;
  size_t len = 0;
  int rc = read_file(path, &text, &len, err);
  if (rc)
    return rc;
  rc = config_parse(path, text, len, cfg, err);
  free(text);
  return rc;
}
