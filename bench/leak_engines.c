/* bench/leak_engines.c — the measurement behind detect/leak's engine, and
 * the tool that counts its hits on captures.
 *
 *   leak_engines bench [--runs N] [--user N] [--text-mib N (32)] CAPTURE
 *     Compiles one pattern set — the leak module's three built-in patterns
 *     and N (50) user patterns of the kind a DLP config holds — with
 *     Hyperscan (as the module does: one database, start of match for the
 *     user patterns) and with PCRE2 JIT in two ways (one regex per pattern,
 *     each scanned for all its matches; one alternation of all of them,
 *     told apart by (*MARK)). Then scans (a) the L4 payloads of CAPTURE
 *     (headers stripped by habit's decoder; every payload is one scan, as
 *     the module sees packets) and (b) a synthetic text corpus of HTTP,
 *     JSON and log lines with planted leaks, cut in 64 KiB blocks (the
 *     per-flow cap) and in 1460-byte blocks (a full segment). Prints MB/s
 *     (10^6 bytes), ns per scan, memory (database + scratch, or code + JIT
 *     code + match data) and compile time, each the median of N (5) runs,
 *     and checks that both engines find the same patterns in the same scans.
 *     Last, the module itself (Hyperscan plus the C checks) on the same
 *     input.
 *   leak_engines hits [--context] CAPTURE...
 *     Runs the module over every payload of every capture and prints each
 *     hit (file, packet number, kind, label, redacted evidence; with
 *     --context, 24 bytes either side, unredacted, for a person to judge),
 *     then the number of hits per file and in all.
 *
 * Built only when both libraries are found (bench/CMakeLists.txt).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs/hs.h>
#include <pcre2.h>

#include "collect/decode.h"
#include "collect/pkt_source.h"
#include "detect/leak/leak.h"

/* ---- the pattern set -------------------------------------------------- */

/* The module's built-in candidates (detect/leak/leak_matcher.c). The card
 * trigger comes in two forms, and each engine is measured with both: on
 * every window of 13 digits (what a regex writer would write first), or
 * once per run of digits, at its start (what the module uses). */
static const char *const card_trigger[2] = {
    "[0-9](?:[ \\-]?[0-9]){12}",
    "(?:^[ \\-]?|[^0-9 \\-]|[^0-9][ \\-])[0-9](?:[ \\-]?[0-9]){12}",
};
static const char *const trigger_name[2] = {"window", "run start"};
static int card_variant = 1;

static const char *const builtin[] = {
    NULL, /* card_trigger[card_variant] */
    "-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----",
    "(?:AKIA|ASIA)[A-Z2-7]{16}",
};
#define N_BUILTIN 3

/* User patterns a DLP configuration might hold: vendor tokens, personal
 * data, internal names. Written for this benchmark. */
static const struct leak_pattern user_set[] = {
    {"github_pat", "ghp_[A-Za-z0-9]{36}"},
    {"github_oauth", "gho_[A-Za-z0-9]{36}"},
    {"github_app", "(?:ghu|ghs)_[A-Za-z0-9]{36}"},
    {"github_fine", "github_pat_[A-Za-z0-9_]{82}"},
    {"gitlab_pat", "glpat-[A-Za-z0-9_\\-]{20}"},
    {"slack_token", "xox[baprs]-[A-Za-z0-9\\-]{10,48}"},
    {"slack_webhook",
     "https://hooks\\.slack\\.com/services/T[A-Z0-9]{8,10}/B[A-Z0-9]{8,10}/[A-Za-z0-9]{24}"},
    {"stripe_live", "sk_live_[A-Za-z0-9]{24,99}"},
    {"stripe_restricted", "rk_live_[A-Za-z0-9]{24,99}"},
    {"google_api", "AIza[A-Za-z0-9_\\-]{35}"},
    {"google_client", "[0-9]{12}-[a-z0-9]{32}\\.apps\\.googleusercontent\\.com"},
    {"twilio_sid", "\\bAC[a-f0-9]{32}\\b"},
    {"twilio_key", "\\bSK[a-f0-9]{32}\\b"},
    {"sendgrid", "SG\\.[A-Za-z0-9_\\-]{22}\\.[A-Za-z0-9_\\-]{43}"},
    {"mailgun", "key-[a-f0-9]{32}"},
    {"npm_token", "npm_[A-Za-z0-9]{36}"},
    {"pypi_token", "pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\\-]{50,}"},
    {"jwt", "eyJ[A-Za-z0-9_\\-]{10,}\\.eyJ[A-Za-z0-9_\\-]{10,}\\.[A-Za-z0-9_\\-]{10,}"},
    {"bearer", "(?i)authorization:[ \\t]*bearer[ \\t]+[A-Za-z0-9\\-._~+/]{20,}"},
    {"url_credentials", "[a-z][a-z0-9+.\\-]{1,15}://[^/\\s:@]{1,64}:[^/\\s:@]{1,64}@"},
    {"password_field", "(?i)(?:password|passwd|pwd)[ \\t]*[=:][ \\t]*[^\\s&\"']{6,}"},
    {"us_ssn", "\\b[0-8][0-9]{2}-[0-9]{2}-[0-9]{4}\\b"},
    {"iban_de", "\\bDE[0-9]{2} ?(?:[0-9]{4} ?){4}[0-9]{2}\\b"},
    {"iban_fr", "\\bFR[0-9]{2} ?(?:[0-9]{4} ?){5}[0-9A-Z]{3}\\b"},
    {"iban_gb", "\\bGB[0-9]{2} ?[A-Z]{4} ?(?:[0-9]{4} ?){3}[0-9]{2}\\b"},
    {"uk_nino", "\\b[A-CEGHJ-PR-TW-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]\\b"},
    {"corp_email", "[A-Za-z0-9._%+\\-]{1,64}@corp\\.example\\.com"},
    {"admin_endpoint", "\\b10\\.13\\.[0-9]{1,3}\\.[0-9]{1,3}:(?:8443|9090)\\b"},
    {"codename_nightingale", "(?i)project[ _\\-]?nightingale"},
    {"codename_bluefin", "(?i)operation[ _\\-]?bluefin"},
    {"confidential", "(?i)confidential[^\\n]{0,40}do not distribute"},
    {"azure_storage", "AccountKey=[A-Za-z0-9+/]{86}=="},
    {"azure_sas", "[?&]sig=[A-Za-z0-9%]{40,}"},
    {"gcp_service_account", "\"type\":[ \\t]*\"service_account\""},
    {"heroku_key",
     "(?i)heroku[^\\n]{0,20}[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"},
    {"datadog_key", "(?i)dd[_\\-]?api[_\\-]?key[ \\t\"':=]{1,4}[a-f0-9]{32}"},
    {"shopify_token", "shpat_[a-fA-F0-9]{32}"},
    {"square_token", "sq0atp-[A-Za-z0-9_\\-]{22}"},
    {"telegram_bot", "\\b[0-9]{8,10}:AA[A-Za-z0-9_\\-]{33}"},
    {"discord_webhook", "https://discord(?:app)?\\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_\\-]{60,68}"},
    {"openai_key", "sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}"},
    {"vendor_key", "sk-ant-[a-z0-9]{2,8}-[A-Za-z0-9_\\-]{80,}"},
    {"db_url", "(?i)(?:postgres|postgresql|mysql|mongodb(?:\\+srv)?)://[^\\s:@/]{1,64}:[^\\s@/]{1,64}@"},
    {"internal_token", "(?i)x-internal-token:[ \\t]*[A-Za-z0-9]{16,}"},
    {"passport", "(?i)passport[ \\t]*(?:no|number|#)?[ \\t]*[:=]?[ \\t]*[0-9]{9}\\b"},
    {"date_of_birth", "(?i)(?:dob|date of birth)[ \\t]*[:=][ \\t]*[0-9]{4}-[0-9]{2}-[0-9]{2}"},
    {"ssh_host_key", "ssh-(?:rsa|ed25519) AAAA[A-Za-z0-9+/]{60,}"},
    {"docker_auth", "\"auth\":[ \\t]*\"[A-Za-z0-9+/=]{16,}\""},
    {"kube_client_key", "client-key-data:[ \\t]*[A-Za-z0-9+/=]{40,}"},
    {"generic_api_key",
     "(?i)(?:api[_\\-]?key|apikey|secret[_\\-]?key)[ \\t]*[=:][ \\t]*[\"']?[A-Za-z0-9_\\-]{16,64}"},
};
#define N_USER_SET (sizeof user_set / sizeof user_set[0])

static const char *pattern_name(size_t i) {
  static const char *const names[] = {"card", "private_key", "aws_access_key"};
  return i < N_BUILTIN ? names[i] : user_set[i - N_BUILTIN].name;
}

static const char *pattern_regex(size_t i) {
  if (i == 0)
    return card_trigger[card_variant];
  return i < N_BUILTIN ? builtin[i] : user_set[i - N_BUILTIN].regex;
}

/* ---- inputs ----------------------------------------------------------- */

struct blocks {
  uint8_t *data;
  size_t *off; /* n + 1 offsets */
  size_t n, bytes;
  size_t packets; /* frames read, payload or not */
};

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n);
  if (!q) {
    fprintf(stderr, "leak_engines: out of memory\n");
    exit(3);
  }
  return q;
}

static void blocks_add(struct blocks *b, const uint8_t *p, size_t n, size_t *cap,
                       size_t *cap_off) {
  if (b->bytes + n > *cap) {
    while (b->bytes + n > *cap)
      *cap = *cap ? *cap * 2 : 1 << 20;
    b->data = xrealloc(b->data, *cap);
  }
  if (b->n + 2 > *cap_off) {
    *cap_off = *cap_off ? *cap_off * 2 : 4096;
    b->off = xrealloc(b->off, *cap_off * sizeof *b->off);
  }
  if (b->n == 0)
    b->off[0] = 0;
  memcpy(b->data + b->bytes, p, n);
  b->bytes += n;
  b->off[++b->n] = b->bytes;
}

/* Every non-empty L4 payload of a capture, as captured. */
static int load_capture(const char *path, struct blocks *b) {
  struct pkt_source src;
  struct hb_error err = {0};
  if (pkt_source_open_file(&src, path, &err) != 0) {
    fprintf(stderr, "leak_engines: %s\n", err.msg);
    return -1;
  }
  size_t cap = 0, cap_off = 0;
  struct raw_pkt raw;
  int rc;
  while ((rc = pkt_source_next(&src, &raw, &err)) == 1) {
    b->packets++;
    struct pkt_info pi;
    struct decode_counters dc = {0};
    if (decode_packet(src.linktype, raw.data, raw.caplen, raw.wirelen, &pi, &dc) == DEC_OK &&
        pi.payload_cap > 0)
      blocks_add(b, pi.payload, pi.payload_cap, &cap, &cap_off);
  }
  pkt_source_close(&src);
  if (rc < 0)
    fprintf(stderr, "leak_engines: %s (kept what came before)\n", err.msg);
  return 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}
static unsigned pick(unsigned n) { return (unsigned)(next_rand() % n); }

static void rand_chars(char *out, size_t n, const char *alphabet) {
  size_t k = strlen(alphabet);
  for (size_t i = 0; i < n; i++)
    out[i] = alphabet[pick((unsigned)k)];
  out[n] = '\0';
}

/* A Luhn-valid number of `len` digits after `prefix`. */
static void make_card(char *out, const char *prefix, size_t len) {
  size_t pl = strlen(prefix);
  memcpy(out, prefix, pl);
  for (size_t i = pl; i + 1 < len; i++)
    out[i] = (char)('0' + pick(10));
  for (int c = 0; c < 10; c++) {
    out[len - 1] = (char)('0' + c);
    unsigned sum = 0;
    for (size_t i = 0; i < len; i++) {
      unsigned v = (unsigned)(out[len - 1 - i] - '0');
      if (i & 1)
        v = v * 2 > 9 ? v * 2 - 9 : v * 2;
      sum += v;
    }
    if (sum % 10 == 0)
      break;
  }
  out[len] = '\0';
}

static const char *const words[] = {
    "the", "order", "shipped", "customer", "account", "service", "request", "latency",
    "cache", "upstream", "payment", "token", "session", "retry", "warehouse", "invoice",
    "report", "quarterly", "deploy", "cluster", "replica", "backup", "policy", "network"};

/* One line of the synthetic corpus; about 1 in 40 carries a leak. */
static int text_line(char *out, size_t cap) {
  char a[128], b[128], c[64];
  unsigned k = pick(40);
  if (k == 0) {
    static const char *const prefixes[] = {"4", "51", "55", "2221", "37", "6011", "3530", "62"};
    static const size_t lens[] = {16, 16, 16, 16, 15, 16, 16, 16};
    unsigned i = pick(8);
    make_card(a, prefixes[i], lens[i]);
    return snprintf(out, cap, "{\"payment\":{\"pan\":\"%s\",\"exp\":\"%02u/%02u\"}}\n", a,
                    1 + pick(12), 25 + pick(5));
  }
  if (k == 1) {
    rand_chars(a, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    rand_chars(b, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+");
    return snprintf(out, cap, "aws_access_key_id=AKIA%s\naws_secret_access_key=%s\n", a, b);
  }
  if (k == 2) {
    rand_chars(a, 64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+");
    return snprintf(out, cap, "-----BEGIN RSA PRIVATE KEY-----\n%s\n", a);
  }
  if (k == 3) {
    rand_chars(a, 36, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
    return snprintf(out, cap, "Authorization: token ghp_%s\r\n", a);
  }
  if (k == 4)
    return snprintf(out, cap, "password=%s%u&user=%s\n", words[pick(24)], pick(100000),
                    words[pick(24)]);
  switch (pick(6)) {
  case 0:
    rand_chars(a, 32, "0123456789abcdef");
    return snprintf(out, cap,
                    "GET /api/v1/orders/%u?page=%u HTTP/1.1\r\nHost: shop.example.com\r\n"
                    "User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nCookie: session=%s\r\n\r\n",
                    pick(1000000), pick(50), a);
  case 1:
    return snprintf(out, cap,
                    "{\"id\":%llu,\"ts\":%llu,\"user\":\"%s\",\"amount\":%u.%02u,"
                    "\"phone\":\"+1%010llu\",\"ip\":\"10.%u.%u.%u\"}\n",
                    (unsigned long long)(next_rand() % 10000000000000000ull),
                    1700000000000ull + next_rand() % 100000000000ull, words[pick(24)],
                    pick(10000), pick(100), (unsigned long long)(next_rand() % 10000000000ull),
                    pick(256), pick(256), pick(256));
  case 2:
    rand_chars(a, 16, "0123456789abcdef");
    return snprintf(out, cap,
                    "2024-05-%02uT%02u:%02u:%02u.%03uZ INFO request_id=%s latency_ms=%u "
                    "status=%u bytes=%u\n",
                    1 + pick(28), pick(24), pick(60), pick(60), pick(1000), a, pick(5000),
                    200 + pick(4) * 100, pick(1000000));
  case 3:
    rand_chars(a, 76, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+");
    return snprintf(out, cap, "%s\n", a);
  case 4:
    rand_chars(c, 40, "0123456789abcdef");
    return snprintf(out, cap, "commit %s\nAuthor: %s <%s@example.org>\n", c, words[pick(24)],
                    words[pick(24)]);
  default: {
    int o = 0;
    for (int w = 0; w < 12 && (size_t)o < cap; w++)
      o += snprintf(out + o, cap - (size_t)o, "%s ", words[pick(24)]);
    if ((size_t)o < cap)
      o += snprintf(out + o, cap - (size_t)o, "%u.\n", pick(100000));
    return o;
  }
  }
}

static void make_text(struct blocks *b, size_t bytes, size_t block) {
  char *buf = malloc(bytes + 1024);
  size_t n = 0;
  rng = 0x9e3779b97f4a7c15ull;
  while (n < bytes)
    n += (size_t)text_line(buf + n, 1024);
  size_t cap = 0, cap_off = 0;
  for (size_t at = 0; at < bytes; at += block)
    blocks_add(b, (const uint8_t *)buf + at, at + block <= bytes ? block : bytes - at, &cap,
               &cap_off);
  free(buf);
}

/* ---- timing ----------------------------------------------------------- */

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- the engines ------------------------------------------------------ */

/* What a scan found: per pattern, in how many blocks it matched, and the
 * matches reported. */
struct tally {
  size_t np;
  uint64_t *blocks_with; /* np */
  uint64_t *matches;     /* np */
  uint8_t *seen;         /* np, for the block being scanned */
};

static void tally_init(struct tally *t, size_t np) {
  t->np = np;
  t->blocks_with = calloc(np, sizeof *t->blocks_with);
  t->matches = calloc(np, sizeof *t->matches);
  t->seen = calloc(np, 1);
}

static void tally_reset(struct tally *t) {
  memset(t->blocks_with, 0, t->np * sizeof *t->blocks_with);
  memset(t->matches, 0, t->np * sizeof *t->matches);
}

static void tally_hit(struct tally *t, size_t id) {
  t->matches[id]++;
  if (!t->seen[id]) {
    t->seen[id] = 1;
    t->blocks_with[id]++;
  }
}

static void tally_end_block(struct tally *t) { memset(t->seen, 0, t->np); }

static void tally_free(struct tally *t) {
  free(t->blocks_with);
  free(t->matches);
  free(t->seen);
}

struct engine {
  const char *name;
  size_t np;
  /* Hyperscan */
  hs_database_t *db;
  hs_scratch_t *scratch;
  /* PCRE2: one code per pattern, or one alternation */
  pcre2_code **codes;
  size_t ncodes;
  pcre2_match_data *md;
  int alternation;
  size_t memory;
  int quiet; /* report fallbacks once */
};

static int hs_build(struct engine *e, size_t np) {
  const char **ex = calloc(np, sizeof *ex);
  unsigned *fl = calloc(np, sizeof *fl), *ids = calloc(np, sizeof *ids);
  /* As the module does: no start of match for the built-in patterns and
   * fixed-width user patterns, the leftmost start for the others. */
  for (size_t i = 0; i < np; i++) {
    ex[i] = pattern_regex(i);
    ids[i] = (unsigned)i;
    fl[i] = 0;
    hs_expr_info_t *info = NULL;
    hs_compile_error_t *ie = NULL;
    if (i >= N_BUILTIN && hs_expression_info(ex[i], 0, &info, &ie) == HS_SUCCESS) {
      if (info->min_width != info->max_width)
        fl[i] = HS_FLAG_SOM_LEFTMOST;
      free(info);
    }
    hs_free_compile_error(ie);
  }
  /* As the module does: a user pattern whose start Hyperscan cannot track
   * is kept without it, reporting its first match only. */
  int rc;
  for (;;) {
    hs_compile_error_t *ce = NULL;
    rc = hs_compile_multi(ex, fl, ids, (unsigned)np, HS_MODE_BLOCK, NULL, &e->db, &ce);
    if (rc == HS_SUCCESS)
      break;
    int x = ce->expression;
    if (x >= N_BUILTIN && (fl[x] & HS_FLAG_SOM_LEFTMOST)) {
      if (!e->quiet)
        fprintf(stderr, "hyperscan: %s: %s; kept without start of match\n",
                pattern_name((size_t)x), ce->message);
      fl[x] = HS_FLAG_SINGLEMATCH;
      hs_free_compile_error(ce);
      continue;
    }
    fprintf(stderr, "hyperscan: pattern %d (%s): %s\n", x,
            x >= 0 ? pattern_name((size_t)x) : "-", ce->message);
    hs_free_compile_error(ce);
    break;
  }
  free(ex);
  free(fl);
  free(ids);
  if (rc != HS_SUCCESS)
    return -1;
  hs_alloc_scratch(e->db, &e->scratch);
  size_t dbs = 0, ss = 0;
  hs_database_size(e->db, &dbs);
  hs_scratch_size(e->scratch, &ss);
  e->memory = dbs + ss;
  e->quiet = 1;
  return 0;
}

static pcre2_code *pcre_compile_one(const char *re, size_t i) {
  int ec;
  PCRE2_SIZE eo;
  pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
  if (!c) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(ec, msg, sizeof msg);
    fprintf(stderr, "pcre2: pattern %zu: %s at %zu\n", i, (char *)msg, (size_t)eo);
    return NULL;
  }
  if (pcre2_jit_compile(c, PCRE2_JIT_COMPLETE) != 0)
    fprintf(stderr, "pcre2: pattern %zu: no JIT\n", i);
  return c;
}

static size_t pcre_code_memory(const pcre2_code *c) {
  size_t size = 0, jit = 0;
  pcre2_pattern_info(c, PCRE2_INFO_SIZE, &size);
  pcre2_pattern_info(c, PCRE2_INFO_JITSIZE, &jit);
  return size + jit;
}

static int pcre_build(struct engine *e, size_t np, int alternation) {
  e->alternation = alternation;
  if (!alternation) {
    e->ncodes = np;
    e->codes = calloc(np, sizeof *e->codes);
    for (size_t i = 0; i < np; i++)
      if (!(e->codes[i] = pcre_compile_one(pattern_regex(i), i)))
        return -1;
  } else {
    size_t len = 1;
    for (size_t i = 0; i < np; i++)
      len += strlen(pattern_regex(i)) + 32;
    char *re = malloc(len);
    size_t o = 0;
    for (size_t i = 0; i < np; i++)
      o += (size_t)snprintf(re + o, len - o, "%s(*MARK:%zu)(?:%s)", i ? "|" : "", i,
                            pattern_regex(i));
    e->ncodes = 1;
    e->codes = calloc(1, sizeof *e->codes);
    e->codes[0] = pcre_compile_one(re, 0);
    free(re);
    if (!e->codes[0])
      return -1;
  }
  e->md = pcre2_match_data_create(1, NULL);
  e->memory = pcre2_get_match_data_size(e->md);
  for (size_t i = 0; i < e->ncodes; i++)
    e->memory += pcre_code_memory(e->codes[i]);
  return 0;
}

static int build(struct engine *e, size_t np) {
  e->np = np;
  if (strcmp(e->name, "hyperscan") == 0)
    return hs_build(e, np);
  return pcre_build(e, np, strcmp(e->name, "pcre2-alternation") == 0);
}

static void engine_free(struct engine *e) {
  hs_free_scratch(e->scratch);
  hs_free_database(e->db);
  for (size_t i = 0; i < e->ncodes; i++)
    pcre2_code_free(e->codes[i]);
  free(e->codes);
  pcre2_match_data_free(e->md);
  e->scratch = NULL;
  e->db = NULL;
  e->codes = NULL;
  e->ncodes = 0;
  e->md = NULL;
}

static int on_hs(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                 void *ctx) {
  (void)from;
  (void)to;
  (void)flags;
  tally_hit(ctx, id);
  return 0;
}

static void pcre_scan_code(struct engine *e, pcre2_code *c, size_t id, const uint8_t *p,
                           size_t n, struct tally *t) {
  PCRE2_SIZE at = 0;
  while (at <= n) {
    int rc = pcre2_jit_match(c, p, n, at, 0, e->md, NULL);
    if (rc < 0)
      break;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(e->md);
    size_t which = id;
    if (e->alternation) {
      PCRE2_SPTR mark = pcre2_get_mark(e->md);
      which = mark ? strtoul((const char *)mark, NULL, 10) : 0;
    }
    tally_hit(t, which);
    at = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
  }
}

static void scan_block(struct engine *e, const uint8_t *p, size_t n, struct tally *t) {
  if (e->db) {
    hs_scan(e->db, (const char *)p, (unsigned)n, 0, e->scratch, on_hs, t);
  } else if (e->alternation) {
    pcre_scan_code(e, e->codes[0], 0, p, n, t);
  } else {
    for (size_t i = 0; i < e->ncodes; i++)
      pcre_scan_code(e, e->codes[i], i, p, n, t);
  }
  tally_end_block(t);
}

static double scan_all(struct engine *e, const struct blocks *b, struct tally *t) {
  tally_reset(t);
  double t0 = now();
  for (size_t i = 0; i < b->n; i++)
    scan_block(e, b->data + b->off[i], b->off[i + 1] - b->off[i], t);
  return now() - t0;
}

/* The module: Hyperscan plus the C checks, hits to a counter. */
static int count_hit(void *ctx, const struct leak_hit *h) {
  (void)h;
  ++*(uint64_t *)ctx;
  return 0;
}

static double module_scan(const struct blocks *b, struct leak_matcher *m,
                          struct leak_scratch *s, uint64_t *hits) {
  *hits = 0;
  double t0 = now();
  for (size_t i = 0; i < b->n; i++)
    leak_scan(m, s, b->data + b->off[i], b->off[i + 1] - b->off[i], count_hit, hits);
  return now() - t0;
}

/* ---- bench ------------------------------------------------------------ */

struct corpus {
  const char *name;
  struct blocks b;
};

static void print_row(const char *engine, const char *trigger, const char *corpus,
                      const struct blocks *b, double secs) {
  printf("| %-22s | %-9s | %-20s | %8.1f | %9.0f |\n", engine, trigger, corpus,
         (double)b->bytes / secs / 1e6, secs / (double)b->n * 1e9);
}

/* Both engines must find the same patterns in the same scans; the
 * alternation hides patterns behind earlier ones (shown, not compared). */
static size_t cross_check(struct tally t[3][3], size_t np) {
  printf("\ncard trigger \"%s\": scans with a candidate, by pattern (hyperscan / pcre2 per "
         "pattern / alternation), before the C checks:\n",
         trigger_name[card_variant]);
  size_t mismatches = 0;
  for (size_t i = 0; i < np; i++) {
    uint64_t sum[3] = {0};
    bool same = true;
    for (int c = 0; c < 3; c++) {
      for (int e = 0; e < 3; e++)
        sum[e] += t[e][c].blocks_with[i];
      same = same && t[0][c].blocks_with[i] == t[1][c].blocks_with[i];
    }
    mismatches += !same;
    if (sum[0] || sum[1] || !same)
      printf("  %-22s %8llu / %8llu / %8llu%s\n", pattern_name(i), (unsigned long long)sum[0],
             (unsigned long long)sum[1], (unsigned long long)sum[2], same ? "" : "  MISMATCH");
  }
  printf("patterns whose scans differ between hyperscan and pcre2: %zu\n", mismatches);
  return mismatches;
}

static int bench(const char *capture, int runs, size_t n_user, size_t text_mib) {
  if (n_user > N_USER_SET)
    n_user = N_USER_SET;
  size_t np = N_BUILTIN + n_user;
  struct corpus corp[3] = {{"capture payloads", {0}},
                           {"text, 64 KiB blocks", {0}},
                           {"text, 1460 B blocks", {0}}};
  if (load_capture(capture, &corp[0].b) != 0)
    return 2;
  make_text(&corp[1].b, text_mib << 20, 65536);
  make_text(&corp[2].b, text_mib << 20, 1460);
  printf("patterns: %d built-in + %zu user\n", N_BUILTIN, n_user);
  printf("capture: %s: %zu frames, %zu payloads, %.1f MB of payload (mean %.0f B)\n", capture,
         corp[0].b.packets, corp[0].b.n, (double)corp[0].b.bytes / 1e6,
         (double)corp[0].b.bytes / (double)corp[0].b.n);
  printf("text: %zu MiB synthetic (HTTP, JSON, logs, base64; ~1 line in 40 a leak)\n", text_mib);
  printf("median of %d runs; MB = 10^6 bytes; ns/scan = per payload or block\n\n", runs);

  double *v = calloc((size_t)runs, sizeof *v);
  struct engine engines[2][3];
  struct tally tallies[2][3][3];
  size_t mismatches = 0;
  printf("| %-22s | %-9s | %10s | %10s |\n|---|---|---:|---:|\n", "engine", "trigger",
         "compile ms", "memory KiB");
  for (card_variant = 0; card_variant < 2; card_variant++)
    for (int e = 0; e < 3; e++) {
      struct engine *en = &engines[card_variant][e];
      *en = (struct engine){.name = (const char *[]){"hyperscan", "pcre2-jit per pattern",
                                                     "pcre2-alternation"}[e]};
      for (int r = 0; r < runs; r++) {
        engine_free(en);
        double t0 = now();
        if (build(en, np) != 0)
          return 2;
        v[r] = now() - t0;
      }
      printf("| %-22s | %-9s | %10.1f | %10.1f |\n", en->name, trigger_name[card_variant],
             median(v, runs) * 1e3, (double)en->memory / 1024);
    }
  printf("\n| %-22s | %-9s | %-20s | %8s | %9s |\n|---|---|---|---:|---:|\n", "engine",
         "trigger", "input", "MB/s", "ns/scan");
  for (int c = 0; c < 3; c++)
    for (card_variant = 0; card_variant < 2; card_variant++)
      for (int e = 0; e < 3; e++) {
        struct tally *t = &tallies[card_variant][e][c];
        tally_init(t, np);
        for (int r = 0; r < runs; r++)
          v[r] = scan_all(&engines[card_variant][e], &corp[c].b, t);
        print_row(engines[card_variant][e].name, trigger_name[card_variant], corp[c].name,
                  &corp[c].b, median(v, runs));
      }

  /* The module itself, with the same user patterns. */
  struct leak_matcher *m;
  struct leak_scratch *s;
  struct hb_error err = {0};
  for (int r = 0; r < runs; r++) {
    double t0 = now();
    if (leak_matcher_build(user_set, n_user, &m, &err) != 0) {
      fprintf(stderr, "leak_engines: %s\n", err.msg);
      return 2;
    }
    v[r] = now() - t0;
    if (r + 1 < runs)
      leak_matcher_free(m);
  }
  double build_ms = median(v, runs) * 1e3;
  if (leak_scratch_alloc(m, &s, &err) != 0) {
    fprintf(stderr, "leak_engines: %s\n", err.msg);
    return 2;
  }
  uint64_t hits[3] = {0};
  for (int c = 0; c < 3; c++) {
    for (int r = 0; r < runs; r++)
      v[r] = module_scan(&corp[c].b, m, s, &hits[c]);
    print_row("module: hs + C checks", "run start", corp[c].name, &corp[c].b,
              median(v, runs));
  }
  printf("\nmodule: built in %.1f ms; confirmed hits: capture %llu, text/64K %llu, "
         "text/1460 %llu\n",
         build_ms, (unsigned long long)hits[0], (unsigned long long)hits[1],
         (unsigned long long)hits[2]);
  leak_scratch_free(s);
  leak_matcher_free(m);

  for (card_variant = 0; card_variant < 2; card_variant++) {
    struct tally(*t)[3] = tallies[card_variant];
    mismatches += cross_check(t, np);
    for (int e = 0; e < 3; e++) {
      for (int c = 0; c < 3; c++)
        tally_free(&t[e][c]);
      engine_free(&engines[card_variant][e]);
    }
  }
  for (int c = 0; c < 3; c++) {
    free(corp[c].b.data);
    free(corp[c].b.off);
  }
  free(v);
  return mismatches ? 1 : 0;
}

/* ---- hits ------------------------------------------------------------- */

struct hits_ctx {
  const char *path;
  size_t packet;
  const uint8_t *p;
  size_t n;
  const struct leak_matcher *m;
  bool context;
  uint64_t count;
};

static void print_escaped(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
      putchar(p[i]);
    else
      printf("\\x%02x", p[i]);
}

static int print_hit(void *vctx, const struct leak_hit *h) {
  struct hits_ctx *c = vctx;
  c->count++;
  printf("%s\t%zu\t%s\t%s\t%s", c->path, c->packet, leak_kind_name(h->kind),
         leak_hit_label(c->m, h), h->evidence);
  if (c->context) {
    size_t from = h->offset > 24 ? h->offset - 24 : 0;
    size_t to = h->offset + h->length + 24 < c->n ? h->offset + h->length + 24 : c->n;
    printf("\t");
    print_escaped(c->p + from, to - from);
  }
  printf("\n");
  return 0;
}

static int hits(int argc, char **argv) {
  bool context = false;
  int i = 0;
  if (i < argc && strcmp(argv[i], "--context") == 0) {
    context = true;
    i++;
  }
  struct leak_matcher *m;
  struct leak_scratch *s;
  struct hb_error err = {0};
  if (leak_matcher_build(NULL, 0, &m, &err) != 0 || leak_scratch_alloc(m, &s, &err) != 0) {
    fprintf(stderr, "leak_engines: %s\n", err.msg);
    return 2;
  }
  uint64_t total = 0, payloads = 0, bytes = 0;
  for (; i < argc; i++) {
    struct pkt_source src;
    if (pkt_source_open_file(&src, argv[i], &err) != 0) {
      fprintf(stderr, "leak_engines: skipped: %s\n", err.msg);
      continue;
    }
    struct hits_ctx c = {.path = argv[i], .m = m, .context = context};
    struct raw_pkt raw;
    while (pkt_source_next(&src, &raw, &err) == 1) {
      c.packet++;
      struct pkt_info pi;
      struct decode_counters dc = {0};
      if (decode_packet(src.linktype, raw.data, raw.caplen, raw.wirelen, &pi, &dc) != DEC_OK ||
          pi.payload_cap == 0)
        continue;
      c.p = pi.payload;
      c.n = pi.payload_cap;
      payloads++;
      bytes += pi.payload_cap;
      leak_scan(m, s, pi.payload, pi.payload_cap, print_hit, &c);
    }
    pkt_source_close(&src);
    if (c.count)
      fprintf(stderr, "%s: %llu hits\n", argv[i], (unsigned long long)c.count);
    total += c.count;
  }
  fprintf(stderr, "total: %llu hits in %llu payloads (%.1f MB)\n", (unsigned long long)total,
          (unsigned long long)payloads, (double)bytes / 1e6);
  leak_scratch_free(s);
  leak_matcher_free(m);
  return 0;
}

static int usage(void) {
  fprintf(stderr, "usage: leak_engines bench [--runs N] [--user N] [--text-mib N] CAPTURE\n"
                  "       leak_engines hits [--context] CAPTURE...\n");
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 3)
    return usage();
  if (strcmp(argv[1], "hits") == 0)
    return hits(argc - 2, argv + 2);
  if (strcmp(argv[1], "bench") != 0)
    return usage();
  int runs = 5;
  size_t n_user = 50, text_mib = 32;
  int i = 2;
  for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
    if (strcmp(argv[i], "--runs") == 0)
      runs = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--user") == 0)
      n_user = strtoul(argv[i + 1], NULL, 10);
    else if (strcmp(argv[i], "--text-mib") == 0)
      text_mib = strtoul(argv[i + 1], NULL, 10);
    else
      return usage();
  }
  if (i != argc - 1 || runs < 1)
    return usage();
  return bench(argv[i], runs, n_user, text_mib);
}
