/* tests/tools/injection_eval.c — how well detect/inject does on the public
 * payload corpora in ../shared/datasets/payloads (see its MANIFEST.md).
 *
 *   injection_eval [--payloads DIR] [--show SUBSTRING] [--show-odd]
 *                  [--no-csic] [--bench RUNS]
 *
 * For every file: entries, how many the detector flagged, and the rate, for
 * the even entries (0, 2, 4, ...: the half the rules were tuned on), the
 * odd ones (held out) and all. Attack files count the class's own detector
 * (sqli/ -> sqli_detect, xss/ -> xss_detect); benign inputs count a flag by
 * either. Lines are read as the MANIFEST says: blank lines and lines
 * starting with '#' are skipped, CR before LF is dropped. libinjection's
 * files (and its false_positives.txt) are query-string encoded: URL
 * decoding with '+' as a space; the other lists are URL-decoded without
 * it; the CSV holds decoded parameter values. Each value is decoded the
 * way http_inject decodes a parameter (repeated URL decoding, NUL as space
 * for SQL; HTML entities and JS escapes too for XSS) and cut to
 * HTTP_INJ_MAX_VALUE raw bytes. MarioXSSVectors holds multi-line vectors,
 * each ending in //["'`-->]]>]</div>: those are its entries.
 *
 * Pentest lists (fuzzdb, PayloadsAllTheThings, payloadbox) hold lines that
 * are no attack on their own; they are counted apart as "probes": at most
 * 3 bytes once decoded, a single word of letters and '_', or a placeholder
 * <like this>. libinjection's lists are taken whole.
 *
 * The CSIC 2010 requests are read with `unzip -p ZIP F | zcat`, split at
 * each request line, and run whole through http_inject_request().
 *
 * The last lines are SUMMARY lines the e2e test reads:
 *   SUMMARY <group> even=<rate> odd=<rate> all=<rate> n=<entries>
 * and SPEED lines (ns per byte and per request over the benign requests).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detect/inject/decode.h"
#include "detect/inject/http_inject.h"
#include "detect/inject/sqli.h"
#include "detect/inject/xss.h"

enum cls { C_SQLI, C_XSS, C_BENIGN };

struct tally {
  unsigned n[2], hit[2]; /* [0] even entries, [1] odd */
};

struct group {
  const char *name;
  struct tally t;
};

enum {
  G_SQLI_LIBINJ,
  G_SQLI_PENTEST,
  G_XSS_LIBINJ,
  G_XSS_PENTEST,
  G_PROBES,
  G_CSV_SQLI,
  G_CSV_XSS,
  G_CSV_CMDI,
  G_CSV_PATH,
  G_CSV_NORM,
  G_BENIGN_LIBINJ,
  G_BENIGN_RAFT,
  G_CSIC_NORMAL,
  G_CSIC_ANOM,
  G_COUNT
};

static struct group groups[G_COUNT] = {
    {"sqli-libinjection", {{0}, {0}}}, {"sqli-pentest", {{0}, {0}}},
    {"xss-libinjection", {{0}, {0}}},  {"xss-pentest", {{0}, {0}}},
    {"pentest-probes", {{0}, {0}}},    {"csv-sqli", {{0}, {0}}},
    {"csv-xss", {{0}, {0}}},           {"csv-cmdi", {{0}, {0}}},
    {"csv-path-traversal", {{0}, {0}}}, {"csv-norm", {{0}, {0}}},
    {"benign-libinjection", {{0}, {0}}}, {"benign-raft", {{0}, {0}}},
    {"csic-normal", {{0}, {0}}},       {"csic-anomalous", {{0}, {0}}},
};

static const char *show;   /* print entries of files matching this */
static int show_odd;       /* ... from the held-out half too */

struct opts {
  const char *dir;
  int csic;
  int bench_runs;
};

static double rate(unsigned hit, unsigned n) {
  return n ? 100.0 * hit / n : 0.0;
}

static void add(struct tally *t, unsigned idx, int hit) {
  t->n[idx & 1]++;
  t->hit[idx & 1] += hit != 0;
}

static void merge(struct tally *into, const struct tally *t) {
  for (int h = 0; h < 2; h++) {
    into->n[h] += t->n[h];
    into->hit[h] += t->hit[h];
  }
}

static void print_row(const char *name, const char *what, const struct tally *t,
                      const struct tally *probes) {
  unsigned n = t->n[0] + t->n[1], hit = t->hit[0] + t->hit[1];
  printf("%-58.58s %-6s %6u %6u %6.1f%% | %6.1f%% %6.1f%%", name, what, n, hit,
         rate(hit, n), rate(t->hit[0], t->n[0]), rate(t->hit[1], t->n[1]));
  if (probes && probes->n[0] + probes->n[1])
    printf(" | probes %u, flagged %u", probes->n[0] + probes->n[1],
           probes->hit[0] + probes->hit[1]);
  printf("\n");
}

/* The two views of a value the detectors get, as http_inject makes them. */
struct views {
  uint8_t sql[HTTP_INJ_MAX_VALUE], html[HTTP_INJ_MAX_VALUE];
  size_t sql_n, html_n;
};

static void make_views(const uint8_t *s, size_t n, int plus, struct views *v) {
  if (n > HTTP_INJ_MAX_VALUE)
    n = HTTP_INJ_MAX_VALUE;
  unsigned url = INJ_DEC_URL | (plus ? INJ_DEC_PLUS : 0);
  v->sql_n = inj_decode(s, n, v->sql, sizeof v->sql, url | INJ_DEC_NUL_SPACE);
  v->html_n = inj_decode(s, n, v->html, sizeof v->html,
                         url | INJ_DEC_HTML | INJ_DEC_JS);
}

/* Not an attack on its own: a probe character or two, one word, or a
 * placeholder. */
static int is_probe(const struct views *v) {
  const uint8_t *s = v->sql;
  size_t a = 0, b = v->sql_n;
  while (a < b && (s[a] == ' ' || s[a] == '\t'))
    a++;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
    b--;
  if (b - a <= 3)
    return 1;
  int word = 1, placeholder = s[a] == '<' && s[b - 1] == '>';
  for (size_t i = a; i < b; i++) {
    uint8_t c = s[i];
    int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    word &= letter;
    if (i > a && i + 1 < b)
      placeholder &= letter || c == ' ';
  }
  return word || placeholder;
}

struct file_run {
  const char *name;
  enum cls cls;
  int plus, pentest;
  struct tally t, probes;
  unsigned idx;
};

static void show_entry(const struct file_run *f, int hit, const struct views *v,
                       const struct inj_finding *fd) {
  if (!show || !strstr(f->name, show) || ((f->idx & 1) && !show_odd))
    return;
  int want = f->cls == C_BENIGN ? hit : !hit;
  if (!want)
    return;
  int n = (int)(v->sql_n > 150 ? 150 : v->sql_n);
  printf("  %s %3u %c %-20s %-16s | %.*s\n", hit ? "FLAG" : "MISS", fd->score,
         fd->context ? fd->context : '-', fd->rule, fd->fingerprint, n, v->sql);
}

/* One entry of a list file. */
static void entry(struct file_run *f, const uint8_t *s, size_t n) {
  static struct views v;
  make_views(s, n, f->plus, &v);
  struct sqli_result sq;
  struct xss_result xs;
  int hs = sqli_detect(v.sql, v.sql_n, &sq);
  int hx = xss_detect(v.html, v.html_n, &xs);
  int hit = f->cls == C_SQLI ? hs : f->cls == C_XSS ? hx : (hs || hx);
  const struct inj_finding *fd = f->cls == C_XSS || (f->cls == C_BENIGN && hx)
                                     ? &xs.f
                                     : &sq.f;
  if (f->pentest && is_probe(&v)) {
    add(&f->probes, f->idx, hit);
  } else {
    add(&f->t, f->idx, hit);
    show_entry(f, hit, &v, fd);
  }
  f->idx++;
}

static uint8_t *slurp(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return NULL;
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  size_t r;
  while (buf && (r = fread(buf + n, 1, cap - n, fp)) > 0) {
    n += r;
    if (n == cap)
      buf = realloc(buf, cap *= 2);
  }
  fclose(fp);
  *len = n;
  return buf;
}

static void lines(struct file_run *f, const uint8_t *buf, size_t len) {
  size_t i = 0;
  while (i < len) {
    const uint8_t *nl = memchr(buf + i, '\n', len - i);
    size_t e = nl ? (size_t)(nl - buf) : len, end = e;
    if (end > i && buf[end - 1] == '\r')
      end--;
    if (end > i && buf[i] != '#')
      entry(f, buf + i, end - i);
    i = e + 1;
  }
}

/* MarioXSSVectors: vectors end with this marker, several on a line or one
 * over several lines. */
static void vectors(struct file_run *f, const uint8_t *buf, size_t len) {
  static const char mark[] = "//[\"'`-->]]>]</div>";
  size_t ml = sizeof mark - 1, i = 0;
  while (i < len) {
    const uint8_t *m = memmem(buf + i, len - i, mark, ml);
    size_t e = m ? (size_t)(m - buf) + ml : len;
    size_t a = i;
    while (a < e && (buf[a] == '\n' || buf[a] == '\r' || buf[a] == ' '))
      a++;
    if (e > a)
      entry(f, buf + a, e - a);
    i = e;
  }
}

static int group_of(const struct file_run *f) {
  int lib = strncmp(f->name, "libinjection__", 14) == 0;
  if (f->cls == C_SQLI)
    return lib ? G_SQLI_LIBINJ : G_SQLI_PENTEST;
  if (f->cls == C_XSS)
    return lib ? G_XSS_LIBINJ : G_XSS_PENTEST;
  return lib ? G_BENIGN_LIBINJ : G_BENIGN_RAFT;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *root, const char *sub, enum cls cls) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", root, sub);
  DIR *d = opendir(path);
  if (!d) {
    fprintf(stderr, "injection_eval: cannot open %s\n", path);
    exit(2);
  }
  char *names[256];
  size_t k = 0;
  struct dirent *de;
  while ((de = readdir(d)) && k < 256)
    if (de->d_name[0] != '.')
      names[k++] = strdup(de->d_name);
  closedir(d);
  qsort(names, k, sizeof names[0], by_name);
  printf("\n== %s/ (%s)\n", sub,
         cls == C_BENIGN ? "false positives: flagged by either detector"
                         : "detection by the class's detector");
  for (size_t i = 0; i < k; i++) {
    struct file_run f = {names[i], cls, 0, 0, {{0}, {0}}, {{0}, {0}}, 0};
    int lib = strncmp(f.name, "libinjection__", 14) == 0;
    f.plus = lib;
    f.pentest = !lib && cls != C_BENIGN;
    snprintf(path, sizeof path, "%s/%s/%s", root, sub, names[i]);
    size_t len;
    uint8_t *buf = slurp(path, &len);
    if (!buf) {
      fprintf(stderr, "injection_eval: cannot read %s\n", path);
      exit(2);
    }
    if (strstr(f.name, "MarioXSSVectors"))
      vectors(&f, buf, len);
    else
      lines(&f, buf, len);
    free(buf);
    print_row(f.name, cls == C_SQLI ? "sqli" : cls == C_XSS ? "xss" : "benign",
              &f.t, &f.probes);
    merge(&groups[group_of(&f)].t, &f.t);
    merge(&groups[G_PROBES].t, &f.probes);
    free(names[i]);
  }
}

/* One CSV field at *i (quoted, "" for a quote). Returns its end. */
static size_t csv_field(const uint8_t *b, size_t len, size_t *i, uint8_t *out,
                        size_t cap, size_t *out_n) {
  size_t k = *i, o = 0;
  int q = k < len && b[k] == '"';
  if (q)
    k++;
  while (k < len) {
    uint8_t c = b[k];
    if (q && c == '"') {
      if (k + 1 < len && b[k + 1] == '"') {
        if (o < cap)
          out[o++] = '"';
        k += 2;
        continue;
      }
      k++;
      q = 0;
      continue;
    }
    if (!q && (c == ',' || c == '\n' || c == '\r'))
      break;
    if (o < cap)
      out[o++] = c;
    k++;
  }
  *out_n = o;
  *i = k;
  return k;
}

static void run_csv(const char *root) {
  char path[1024];
  snprintf(path, sizeof path, "%s/mixed/HttpParamsDataset__payload_full.csv",
           root);
  size_t len;
  uint8_t *b = slurp(path, &len);
  if (!b) {
    fprintf(stderr, "injection_eval: cannot read %s\n", path);
    exit(2);
  }
  static const char *const kinds[] = {"sqli", "xss", "cmdi", "path-traversal",
                                      "norm"};
  static const int kind_group[] = {G_CSV_SQLI, G_CSV_XSS, G_CSV_CMDI,
                                   G_CSV_PATH, G_CSV_NORM};
  static const enum cls kind_cls[] = {C_SQLI, C_XSS, C_BENIGN, C_BENIGN,
                                      C_BENIGN};
  struct file_run f[5];
  for (int k = 0; k < 5; k++)
    f[k] = (struct file_run){kinds[k], kind_cls[k], 0, 0, {{0}, {0}},
                             {{0}, {0}}, 0};
  static uint8_t fields[4][8192];
  size_t i = 0, row = 0;
  while (i < len) {
    size_t fn[4] = {0};
    for (int c = 0; c < 4; c++) {
      csv_field(b, len, &i, fields[c], sizeof fields[c], &fn[c]);
      if (i < len && b[i] == ',')
        i++;
    }
    while (i < len && (b[i] == '\r' || b[i] == '\n'))
      i++;
    if (row++ == 0)
      continue; /* header */
    for (int k = 0; k < 5; k++)
      if (fn[2] == strlen(kinds[k]) && !memcmp(fields[2], kinds[k], fn[2])) {
        char name[64];
        snprintf(name, sizeof name, "csv-%s", kinds[k]);
        f[k].name = kinds[k];
        entry(&f[k], fields[0], fn[0]);
      }
  }
  free(b);
  printf("\n== mixed/HttpParamsDataset__payload_full.csv (by attack_type; "
         "norm: false positives by either detector, cmdi and "
         "path-traversal: flagged by either, for information)\n");
  for (int k = 0; k < 5; k++) {
    print_row(kinds[k], k < 2 ? kinds[k] : "benign", &f[k].t, NULL);
    merge(&groups[kind_group[k]].t, &f[k].t);
  }
}

/* All of one CSIC file in memory. */
static uint8_t *csic_read(const char *root, const char *name, size_t *len) {
  char cmd[1200];
  snprintf(cmd, sizeof cmd,
           "unzip -p '%s/mixed/net-traffic-classifier__csic_dataset.zip' "
           "'csic_dataset/%s.txt.gz' | zcat",
           root, name);
  FILE *p = popen(cmd, "r");
  if (!p)
    return NULL;
  size_t cap = 1 << 20, n = 0, r;
  uint8_t *buf = malloc(cap);
  while (buf && (r = fread(buf + n, 1, cap - n, p)) > 0) {
    n += r;
    if (n == cap)
      buf = realloc(buf, cap *= 2);
  }
  if (pclose(p) != 0 || n == 0) {
    free(buf);
    return NULL;
  }
  *len = n;
  return buf;
}

static int is_request_line(const uint8_t *s, size_t n) {
  static const char *const m[] = {"GET ", "POST ", "PUT ", "HEAD ",
                                  "DELETE ", "OPTIONS ", NULL};
  for (const char *const *p = m; *p; p++)
    if (n >= strlen(*p) && !memcmp(s, *p, strlen(*p)))
      return 1;
  return 0;
}

struct reqs {
  size_t *off, *len, n;
};

/* Requests start at a request line; each runs to the next one. */
static void split_requests(const uint8_t *b, size_t len, struct reqs *r) {
  size_t cap = 1024;
  r->off = malloc(cap * sizeof *r->off);
  r->len = malloc(cap * sizeof *r->len);
  r->n = 0;
  for (size_t i = 0; i < len;) {
    const uint8_t *nl = memchr(b + i, '\n', len - i);
    size_t e = nl ? (size_t)(nl - b) + 1 : len;
    if (is_request_line(b + i, e - i)) {
      if (r->n == cap) {
        cap *= 2;
        r->off = realloc(r->off, cap * sizeof *r->off);
        r->len = realloc(r->len, cap * sizeof *r->len);
      }
      if (r->n)
        r->len[r->n - 1] = i - r->off[r->n - 1];
      r->off[r->n++] = i;
    }
    i = e;
  }
  if (r->n)
    r->len[r->n - 1] = len - r->off[r->n - 1];
  for (size_t k = 0; k < r->n; k++) /* trailing blank lines are not body */
    while (r->len[k] && (b[r->off[k] + r->len[k] - 1] == '\n' ||
                         b[r->off[k] + r->len[k] - 1] == '\r'))
      r->len[k]--;
}

static void show_request(const char *name, size_t k, const uint8_t *s,
                         size_t len, const struct http_inject_result *res,
                         int anomalous) {
  if (!show || !strstr(name, show) || ((k & 1) && !show_odd))
    return;
  if (anomalous ? res->detected : !res->detected)
    return;
  const uint8_t *nl = memchr(s, '\n', len);
  int l = nl ? (int)(nl - s) : (int)len;
  /* The request line, and the last line (a POST body) when there is one. */
  const uint8_t *last = s + len;
  while (last > s && last[-1] != '\n')
    last--;
  int bl = s[0] == 'G' ? 0 : (int)(s + len - last);
  printf("  %s %3u %-5s %-20s %-32s | %s | %.*s | %.*s\n",
         res->detected ? "FLAG" : "MISS", res->f.score,
         inj_kind_name(res->kind), res->f.rule, res->where, res->f.evidence, l,
         s, bl, last);
}

struct speed {
  double ns;
  size_t bytes, reqs;
};

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The median of runs passes of http_inject over the requests. */
static void bench(const uint8_t *b, const struct reqs *r, int runs,
                  struct speed *sp) {
  double t[16];
  if (runs > 16)
    runs = 16;
  volatile unsigned sink = 0;
  for (int k = 0; k < runs; k++) {
    double t0 = now_ns();
    for (size_t i = 0; i < r->n; i++) {
      struct http_inject_result res;
      sink += (unsigned)http_inject_request(b + r->off[i], r->len[i], &res);
    }
    t[k] = now_ns() - t0;
  }
  qsort(t, (size_t)runs, sizeof t[0], cmp_double);
  sp->ns += t[runs / 2];
  for (size_t i = 0; i < r->n; i++)
    sp->bytes += r->len[i];
  sp->reqs += r->n;
  (void)sink;
}

static void run_csic(const char *root, int runs) {
  static const char *const files[] = {"normalTrafficTraining",
                                      "normalTrafficTest",
                                      "anomalousTrafficTest"};
  struct speed sp = {0, 0, 0};
  printf("\n== mixed/net-traffic-classifier__csic_dataset.zip (whole requests "
         "through http_inject; normal: false positives, anomalous: flagged, "
         "mixed classes)\n");
  for (int k = 0; k < 3; k++) {
    size_t len;
    uint8_t *b = csic_read(root, files[k], &len);
    if (!b) {
      fprintf(stderr, "injection_eval: cannot unpack %s (unzip, zcat)\n",
              files[k]);
      exit(2);
    }
    struct reqs r;
    split_requests(b, len, &r);
    struct tally t = {{0}, {0}};
    unsigned sq = 0, xs = 0;
    for (size_t i = 0; i < r.n; i++) {
      struct http_inject_result res;
      int hit = http_inject_request(b + r.off[i], r.len[i], &res);
      add(&t, (unsigned)i, hit);
      sq += hit && res.kind == INJ_SQLI;
      xs += hit && res.kind == INJ_XSS;
      show_request(files[k], i, b + r.off[i], r.len[i], &res, k == 2);
    }
    print_row(files[k], k == 2 ? "mixed" : "benign", &t, NULL);
    printf("%58s (as sqli %u, as xss %u)\n", "", sq, xs);
    merge(&groups[k == 2 ? G_CSIC_ANOM : G_CSIC_NORMAL].t, &t);
    if (k < 2 && runs > 0)
      bench(b, &r, runs, &sp);
    free(r.off);
    free(r.len);
    free(b);
  }
  if (sp.bytes)
    printf("SPEED benign-csic requests=%zu bytes=%zu ns_per_byte=%.2f "
           "ns_per_request=%.0f (median of %d runs)\n",
           sp.reqs, sp.bytes, sp.ns / sp.bytes, sp.ns / sp.reqs, runs);
}

static void summary(void) {
  printf("\n== summary (attack groups: detection; benign groups: false "
         "positives; csic-anomalous, csv-cmdi, csv-path-traversal, "
         "pentest-probes: flagged, for information)\n");
  for (int g = 0; g < G_COUNT; g++) {
    const struct tally *t = &groups[g].t;
    unsigned n = t->n[0] + t->n[1];
    if (!n)
      continue;
    printf("SUMMARY %-20s even=%.2f odd=%.2f all=%.2f n=%u flagged=%u\n",
           groups[g].name, rate(t->hit[0], t->n[0]), rate(t->hit[1], t->n[1]),
           rate(t->hit[0] + t->hit[1], n), n, t->hit[0] + t->hit[1]);
  }
}

static void usage(void) {
  fprintf(stderr, "usage: injection_eval [--payloads DIR] [--show SUBSTRING] "
                  "[--show-odd] [--no-csic] [--bench RUNS]\n");
  exit(2);
}

static void parse(int argc, char **argv, struct opts *o) {
  const char *shared = getenv("SHARED");
  static char def[1024];
  snprintf(def, sizeof def, "%s/datasets/payloads", shared ? shared : "../shared");
  o->dir = def;
  o->csic = 1;
  o->bench_runs = 3;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--payloads") && i + 1 < argc)
      o->dir = argv[++i];
    else if (!strcmp(argv[i], "--show") && i + 1 < argc)
      show = argv[++i];
    else if (!strcmp(argv[i], "--show-odd"))
      show_odd = 1;
    else if (!strcmp(argv[i], "--no-csic"))
      o->csic = 0;
    else if (!strcmp(argv[i], "--bench") && i + 1 < argc)
      o->bench_runs = atoi(argv[++i]);
    else
      usage();
  }
}

int main(int argc, char **argv) {
  struct opts o;
  parse(argc, argv, &o);
  printf("%-58s %-6s %6s %6s %7s | %7s %7s\n", "file", "class", "entries",
         "flag", "rate", "even", "odd");
  run_dir(o.dir, "sqli", C_SQLI);
  run_dir(o.dir, "xss", C_XSS);
  run_dir(o.dir, "benign", C_BENIGN);
  run_csv(o.dir);
  if (o.csic)
    run_csic(o.dir, o.bench_runs);
  summary();
  return 0;
}
