/* detect/inject/http_values.c — walking one HTTP request (see
 * http_values.h). Parsing is lenient on purpose: what a server accepts is
 * what an attacker sends, and a capture may stop in the middle of it. */
#include "detect/inject/http_values.h"

#include <string.h>
#include <strings.h>

struct slice {
  const uint8_t *p;
  size_t n;
};

struct walker {
  hv_fn fn;
  void *ctx;
  struct hv_stats *st;
  int stop;
};

/* The headers this walker reads (first occurrence of each). */
struct headers {
  struct slice cookie, referer, user_agent, xff, content_type;
  long content_length; /* -1 when absent or not a number */
};

static int emit(struct walker *w, enum hv_source src, struct slice name,
                struct slice val, int json) {
  if (w->stop)
    return 1;
  if (w->st->values >= HV_MAX_VALUES) {
    w->st->truncated = 1;
    return w->stop = 1;
  }
  w->st->values++;
  struct hv_value v = {src, name.p, name.n, val.p, val.n, json};
  if (w->fn(&v, w->ctx))
    w->stop = 1;
  return w->stop;
}

static struct slice cut(struct slice s, size_t a, size_t b) {
  if (b > s.n)
    b = s.n;
  if (a > b)
    a = b;
  return (struct slice){s.p + a, b - a};
}

static size_t find(struct slice s, size_t from, uint8_t c) {
  if (from >= s.n)
    return s.n;
  const uint8_t *p = memchr(s.p + from, c, s.n - from);
  return p ? (size_t)(p - s.p) : s.n;
}

static struct slice trim(struct slice s) {
  while (s.n && (s.p[0] == ' ' || s.p[0] == '\t'))
    s.p++, s.n--;
  while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' ||
                 s.p[s.n - 1] == '\r'))
    s.n--;
  return s;
}

/* name=value pairs separated by sep (query strings, form bodies, cookies). */
static void pairs(struct walker *w, enum hv_source src, struct slice s,
                  uint8_t sep) {
  size_t i = 0;
  while (i < s.n && !w->stop) {
    size_t e = find(s, i, sep);
    struct slice seg = cut(s, i, e);
    if (src == HV_COOKIE)
      seg = trim(seg);
    size_t eq = find(seg, 0, '=');
    struct slice name = cut(seg, 0, eq);
    struct slice val = eq < seg.n ? cut(seg, eq + 1, seg.n) : seg;
    if (eq >= seg.n)
      name.n = 0; /* "?1'or'1'='1": no name, all value */
    if (val.n || name.n)
      emit(w, src, name, val, 0);
    i = e + 1;
  }
}

static int is_upper(uint8_t c) { return c >= 'A' && c <= 'Z'; }

/* Could a value have been cut by the '&' split? Then a segment has no
 * name=value shape: "id=1' && '1'='1" leaves " '1'='1"; a name holds
 * something names do not ("1 or 1", "%27"). Only then is the whole query
 * looked at too. */
static int odd_segments(struct slice q) {
  size_t i = 0;
  while (i < q.n) {
    size_t e = find(q, i, '&'), eq = find(q, i, '=');
    if (eq >= e)
      return 1; /* no '=' in this segment */
    for (size_t k = i; k < eq; k++) {
      uint8_t c = q.p[k];
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
            c == '[' || c == ']'))
        return 1;
    }
    i = e + 1;
  }
  return 0;
}

/* "METHOD SP target SP HTTP/x": sets the target; 0 when it is not one. */
static int request_line(struct slice line, struct slice *target) {
  size_t i = 0;
  while (i < line.n && i < 17 && (is_upper(line.p[i]) || line.p[i] == '-'))
    i++;
  if (i == 0 || i >= line.n || line.p[i] != ' ')
    return 0;
  size_t a = i + 1, b = find(line, a, ' ');
  if (b < line.n) {
    /* The version is after the last space: attack tools send spaces in
     * targets unencoded ("/?id=1' && '1'='1 HTTP/1.1"), servers cope. */
    size_t last = line.n;
    while (last > b && line.p[last - 1] != ' ')
      last--;
    struct slice v = trim(cut(line, last, line.n));
    if (v.n < 5 || strncasecmp((const char *)v.p, "HTTP/", 5) != 0)
      return 0;
    b = last - 1;
  }
  *target = cut(line, a, b);
  return target->n > 0;
}

/* Path and query of a target, in origin form or absolute form. */
static void split_target(struct slice t, struct slice *path,
                         struct slice *query) {
  size_t start = 0;
  if ((t.n > 7 && strncasecmp((const char *)t.p, "http://", 7) == 0) ||
      (t.n > 8 && strncasecmp((const char *)t.p, "https://", 8) == 0)) {
    size_t auth = find(t, 0, ':') + 3;
    size_t slash = find(t, auth, '/'), q = find(t, auth, '?');
    start = slash < q ? slash : q;
  }
  size_t frag = find(t, start, '#');
  t = cut(t, 0, frag);
  size_t q = find(t, start, '?');
  *path = cut(t, start, q);
  *query = q < t.n ? cut(t, q + 1, t.n) : cut(t, t.n, t.n);
}

static int header_is(struct slice name, const char *lit) {
  size_t l = strlen(lit);
  return name.n == l && strncasecmp((const char *)name.p, lit, l) == 0;
}

static long parse_length(struct slice v) {
  long x = 0;
  if (v.n == 0 || v.n > 9)
    return -1;
  for (size_t i = 0; i < v.n; i++) {
    if (v.p[i] < '0' || v.p[i] > '9')
      return -1;
    x = x * 10 + (v.p[i] - '0');
  }
  return x;
}

static void keep_header(struct headers *h, struct slice name,
                        struct slice val) {
  struct slice *slot = header_is(name, "cookie")            ? &h->cookie
                       : header_is(name, "referer")         ? &h->referer
                       : header_is(name, "user-agent")      ? &h->user_agent
                       : header_is(name, "x-forwarded-for") ? &h->xff
                       : header_is(name, "content-type")    ? &h->content_type
                                                            : NULL;
  if (slot && !slot->p)
    *slot = val;
  if (header_is(name, "content-length") && h->content_length < 0)
    h->content_length = parse_length(val);
}

/* Header lines from i up to the blank line. Returns where the body starts
 * (s.n when the headers are cut). */
static size_t read_headers(struct slice s, size_t i, struct headers *h) {
  while (i < s.n) {
    size_t e = find(s, i, '\n');
    struct slice line = cut(s, i, e);
    if (line.n && line.p[line.n - 1] == '\r')
      line.n--;
    if (line.n == 0)
      return e < s.n ? e + 1 : s.n;
    size_t colon = find(line, 0, ':');
    if (colon < line.n && line.p[0] != ' ' && line.p[0] != '\t')
      keep_header(h, trim(cut(line, 0, colon)),
                  trim(cut(line, colon + 1, line.n)));
    i = e + 1;
  }
  return s.n;
}

static int contains_ci(struct slice s, const char *lit) {
  size_t l = strlen(lit);
  for (size_t i = 0; i + l <= s.n; i++)
    if (strncasecmp((const char *)s.p + i, lit, l) == 0)
      return 1;
  return 0;
}

/* The end of a JSON string whose content starts at i; s.n when cut. */
static size_t json_string_end(struct slice s, size_t i) {
  while (i < s.n) {
    if (s.p[i] == '\\')
      i += 2;
    else if (s.p[i] == '"')
      return i;
    else
      i++;
  }
  return s.n;
}

/* Every string value in a JSON text, with the last key seen. */
static void json_values(struct walker *w, struct slice s) {
  struct slice key = {s.p, 0};
  size_t i = 0;
  while (i < s.n && !w->stop) {
    if (s.p[i] != '"') {
      i++;
      continue;
    }
    size_t e = json_string_end(s, i + 1);
    struct slice str = cut(s, i + 1, e);
    size_t k = e + 1;
    while (k < s.n && (s.p[k] == ' ' || s.p[k] == '\t' || s.p[k] == '\r' ||
                       s.p[k] == '\n'))
      k++;
    if (k < s.n && s.p[k] == ':')
      key = str;
    else if (str.n)
      emit(w, HV_BODY_JSON, key, str, 1);
    i = k;
  }
}

static int looks_like_form(struct slice b) {
  if (b.n == 0 || b.p[0] == '{' || b.p[0] == '[' || b.p[0] == '<')
    return 0;
  size_t eq = find(b, 0, '=');
  if (eq == 0 || eq >= b.n)
    return 0;
  for (size_t i = 0; i < eq; i++)
    if (b.p[i] < 0x21 || b.p[i] > 0x7e)
      return 0;
  return 1;
}

static void body_values(struct walker *w, struct slice body,
                        const struct headers *h) {
  if (h->content_length >= 0 && (size_t)h->content_length < body.n)
    body.n = (size_t)h->content_length;
  struct slice b = trim(body);
  while (b.n && (b.p[b.n - 1] == '\n' || b.p[b.n - 1] == '\r'))
    b.n--;
  if (b.n == 0)
    return;
  struct slice ct = h->content_type;
  if (contains_ci(ct, "json") ||
      (!ct.p && (b.p[0] == '{' || b.p[0] == '[')))
    json_values(w, b);
  else if (contains_ci(ct, "x-www-form-urlencoded") ||
           (!ct.p && looks_like_form(b)))
    pairs(w, HV_BODY_FORM, b, '&');
}

static void header_values(struct walker *w, const struct headers *h) {
  struct slice none = {NULL, 0};
  if (h->cookie.n)
    pairs(w, HV_COOKIE, h->cookie, ';');
  if (h->referer.n) {
    size_t q = find(h->referer, 0, '?');
    if (q < h->referer.n) {
      struct slice rq = cut(h->referer, q + 1, find(h->referer, q, '#'));
      pairs(w, HV_REFERER, rq, '&');
    }
  }
  if (h->user_agent.n)
    emit(w, HV_USER_AGENT, none, h->user_agent, 0);
  if (h->xff.n)
    emit(w, HV_XFF, none, h->xff, 0);
}

int http_values(const uint8_t *req, size_t n, hv_fn fn, void *ctx,
                struct hv_stats *st) {
  memset(st, 0, sizeof *st);
  if (n > HV_MAX_BYTES) {
    n = HV_MAX_BYTES;
    st->truncated = 1;
  }
  struct slice s = {req, n}, target, path, query, none = {NULL, 0};
  size_t le = find(s, 0, '\n');
  struct slice line = cut(s, 0, le);
  if (line.n && line.p[line.n - 1] == '\r')
    line.n--;
  if (!request_line(line, &target))
    return 0;
  struct walker w = {fn, ctx, st, 0};
  struct headers h;
  memset(&h, 0, sizeof h);
  h.content_length = -1;
  size_t body = le < n ? read_headers(s, le + 1, &h) : n;
  split_target(target, &path, &query);
  if (path.n > 1)
    emit(&w, HV_PATH, none, path, 0);
  pairs(&w, HV_QUERY, query, '&');
  if (odd_segments(query))
    emit(&w, HV_QUERY_WHOLE, none, query, 0);
  header_values(&w, &h);
  body_values(&w, cut(s, body, n), &h);
  return 1;
}

static int hex4(const uint8_t *s, size_t n, size_t i, uint32_t *v) {
  if (n - i < 4)
    return 0;
  *v = 0;
  for (size_t k = i; k < i + 4; k++) {
    uint8_t c = s[k];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0)
      return 0;
    *v = *v * 16 + (uint32_t)d;
  }
  return 1;
}

/* Writes cp as UTF-8 at out[*j] when it fits; a \uXXXX escape is 6 bytes
 * (12 for a surrogate pair), more than any UTF-8 form of what it holds. */
static void put_utf8(uint8_t *out, size_t cap, size_t *j, uint32_t cp) {
  uint8_t b[4];
  size_t k;
  if (cp < 0x80) {
    b[0] = (uint8_t)cp, k = 1;
  } else if (cp < 0x800) {
    b[0] = (uint8_t)(0xC0 | cp >> 6), b[1] = (uint8_t)(0x80 | (cp & 0x3F)), k = 2;
  } else if (cp < 0x10000) {
    b[0] = (uint8_t)(0xE0 | cp >> 12);
    b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    b[2] = (uint8_t)(0x80 | (cp & 0x3F)), k = 3;
  } else {
    b[0] = (uint8_t)(0xF0 | cp >> 18);
    b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (uint8_t)(0x80 | (cp & 0x3F)), k = 4;
  }
  if (*j + k > cap)
    return;
  memcpy(out + *j, b, k);
  *j += k;
}

size_t hv_json_unescape(const uint8_t *s, size_t n, uint8_t *out, size_t cap) {
  size_t i = 0, j = 0;
  while (i < n && j < cap) {
    if (s[i] != '\\' || i + 1 >= n) {
      out[j++] = s[i++];
      continue;
    }
    uint8_t c = s[i + 1];
    const char *simple = strchr("\"\\/bfnrt", c);
    if (simple && c) {
      static const uint8_t to[] = {'"', '\\', '/', '\b', '\f', '\n', '\r', '\t'};
      out[j++] = to[simple - "\"\\/bfnrt"];
      i += 2;
      continue;
    }
    uint32_t cp;
    if (c == 'u' && hex4(s, n, i + 2, &cp)) {
      i += 6;
      uint32_t lo;
      if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < n && s[i] == '\\' &&
          s[i + 1] == 'u' && hex4(s, n, i + 2, &lo) && lo >= 0xDC00 &&
          lo < 0xE000) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        i += 6;
      }
      put_utf8(out, cap, &j, cp);
      continue;
    }
    out[j++] = s[i++];
  }
  return j;
}
