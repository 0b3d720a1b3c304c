/* detect/inject/xss.c — markup and script in a value (see xss.h).
 *
 * Two passes over the bytes: scan_markup() walks tags and attributes,
 * scan_script() looks for script URLs, CSS expressions and JS sinks. Both
 * only ever move forward; every inner loop is bounded by n.
 */
#include "detect/inject/xss.h"

#include <string.h>

struct xhit {
  int score;
  const char *rule;
  size_t a, b; /* byte span */
  char ctx;
};

enum xweak {
  XW_TAG,
  XW_BREAK,
  XW_CLOSE,
  XW_MARKUP,
  XW_JSBREAK,
  XW_XLINK,
  XW_COUNT
};

struct xscan {
  const uint8_t *s;
  size_t n;
  struct xhit best, weak_best;
  int sum;
  unsigned weak_seen;
};

static void strong(struct xscan *x, int pts, const char *rule, size_t a,
                   size_t b, char ctx) {
  if (pts > x->best.score)
    x->best = (struct xhit){pts, rule, a, b, ctx};
}

static void weak(struct xscan *x, enum xweak id, int pts, const char *rule,
                 size_t a, size_t b) {
  if (pts >= INJ_DETECT) {
    strong(x, pts, rule, a, b, 'h');
    return;
  }
  if (x->weak_seen & (1u << id))
    return;
  x->weak_seen |= 1u << id;
  x->sum += pts;
  if (pts > x->weak_best.score)
    x->weak_best = (struct xhit){pts, rule, a, b, 'h'};
}

static uint8_t lower(uint8_t c) {
  return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}
static int is_alpha(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int is_ident(uint8_t c) {
  return is_alpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '$';
}
/* White space as the HTML tokenizer sees it. */
static int is_html_space(uint8_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* Does s[i..) start with lit (lower case, l bytes), without case? */
static int ci_at_n(const struct xscan *x, size_t i, const char *lit, size_t l) {
  if (i > x->n || x->n - i < l)
    return 0;
  for (size_t k = 0; k < l; k++)
    if (lower(x->s[i + k]) != (uint8_t)lit[k])
      return 0;
  return 1;
}

/* ci_at_n for string literals: the length is known at compile time. */
#define ci_at(x, i, lit) ci_at_n((x), (i), (lit), sizeof(lit) - 1)

/* A word list entry with its length. */
struct lit {
  const char *s;
  uint8_t n;
};
#define L(s) {s, sizeof(s) - 1}

static int lit_at(const struct xscan *x, size_t i, const struct lit *l) {
  return ci_at_n(x, i, l->s, l->n);
}

/* A URL scheme at s[i..e): the letters of `scheme` with tabs, newlines and
 * other controls between them (browsers strip them), then ':'. Returns the
 * index after the ':' or 0. */
static size_t scheme_at(const struct xscan *x, size_t i, size_t e,
                        const char *scheme) {
  size_t k = 0, l = strlen(scheme);
  while (i < e && k < l) {
    uint8_t c = x->s[i];
    if (c < 0x20) {
      i++;
      continue;
    }
    if (lower(c) != (uint8_t)scheme[k])
      return 0;
    i++;
    k++;
  }
  while (i < e && x->s[i] < 0x20)
    i++;
  return (k == l && i < e && x->s[i] == ':') ? i + 1 : 0;
}

/* data: types that run script when loaded as a document or image. */
static int scriptable_data(const struct xscan *x, size_t i, size_t e) {
  static const struct lit types[] = {
      L("text/html"), L("image/svg"), L("application/xhtml"), L("text/xml"),
      L("text/javascript"), L("application/javascript"),
      L("application/x-shockwave")};
  while (i < e && x->s[i] <= ' ')
    i++;
  for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
    if (lit_at(x, i, &types[t]))
      return 1;
  return 0;
}

/* A script URL starting at i (after any leading controls and spaces, as
 * in an attribute value). Returns the index after the scheme or 0. */
static size_t script_url(const struct xscan *x, size_t i, size_t e) {
  /* mhtml: makes old IE load any origin's content into this one. */
  static const char *const schemes[] = {"javascript", "vbscript", "livescript",
                                        "mocha", "mhtml", NULL};
  uint8_t c = i < e ? lower(x->s[i]) : 0;
  if (c != 'j' && c != 'v' && c != 'l' && c != 'm' && c != 'd' && c >= 0x20)
    return 0; /* the common case: no scheme starts here */
  for (const char *const *sc = schemes; *sc; sc++) {
    size_t k = scheme_at(x, i, e, *sc);
    if (k)
      return k;
  }
  size_t k = scheme_at(x, i, e, "data");
  return k && scriptable_data(x, k, e) ? k : 0;
}

struct tagdef {
  const char *name;
  uint8_t score;
};

/* Tags by what they can do alone. 100: run or load code. Less: useful to
 * an attack (a context to put handlers in, a base URL, CSS), weak alone. */
static const struct tagdef tags[] = {
    {"applet", 100}, {"embed", 100},  {"frame", 100},   {"iframe", 100},
    {"import", 100}, {"object", 100}, {"script", 100},  {"base", 60},
    {"bgsound", 60}, {"frameset", 60}, {"handler", 60}, {"ilayer", 60},
    {"isindex", 60}, {"layer", 60},   {"link", 60},     {"math", 60},
    {"meta", 60},    {"portal", 60},  {"style", 60},    {"svg", 60},
    {"xml", 60},     {"animate", 40}, {"form", 40},     {"set", 40},
    {"template", 40}, {"marquee", 30}, {"title", 20},   {"textarea", 20},
};

static int tag_score(const struct xscan *x, size_t a, size_t b) {
  /* "html:script": the local name decides. */
  for (size_t k = a; k < b; k++)
    if (x->s[k] == ':')
      a = k + 1;
  for (size_t t = 0; t < sizeof tags / sizeof tags[0]; t++) {
    size_t l = strlen(tags[t].name);
    if (b - a == l && ci_at_n(x, a, tags[t].name, l))
      return tags[t].score;
  }
  return 0;
}

/* One attribute: name at [na, nb), value at [va, vb) (empty when none). */
struct attr {
  size_t na, nb, va, vb;
  int has_value;
};

static int name_is_n(const struct xscan *x, const struct attr *at,
                     const char *lit, size_t l) {
  return at->nb - at->na == l && ci_at_n(x, at->na, lit, l);
}
#define name_is(x, at, lit) name_is_n((x), (at), (lit), sizeof(lit) - 1)

/* on + three letters or more: every event handler, known or not. */
static int is_handler(const struct xscan *x, const struct attr *at) {
  if (at->nb - at->na < 5 || !ci_at(x, at->na, "on"))
    return 0;
  for (size_t k = at->na + 2; k < at->nb; k++)
    if (!is_alpha(x->s[k]))
      return 0;
  return 1;
}

/* CSS that runs code, in s[a, b). */
static size_t css_danger(const struct xscan *x, size_t a, size_t b) {
  static const struct lit bad[] = {L("expression("), L("behavior:"),
                                   L("behaviour:"), L("-moz-binding"),
                                   L("@import")};
  for (size_t k = a; k < b; k++) {
    uint8_t c = lower(x->s[k]);
    if (c != 'e' && c != 'b' && c != '-' && c != '@')
      continue;
    for (size_t p = 0; p < sizeof bad / sizeof bad[0]; p++)
      if ((uint8_t)bad[p].s[0] == c && k + bad[p].n <= b &&
          lit_at(x, k, &bad[p]))
        return k + 1;
  }
  return 0;
}

/* Attributes that bind data or grant script access whatever their value:
 * IE's data binding renders a source as HTML; Flash's
 * allowScriptAccess lets a movie script the page. */
static int binds_code(const struct xscan *x, const struct attr *at) {
  return name_is(x, at, "dataformatas") || name_is(x, at, "datasrc") ||
         name_is(x, at, "datafld") || name_is(x, at, "allowscriptaccess");
}

/* Attributes that load a resource. */
static int loads(const struct xscan *x, const struct attr *at) {
  return name_is(x, at, "src") || name_is(x, at, "href") ||
         name_is(x, at, "data") || name_is(x, at, "code");
}

static void judge_attr(struct xscan *x, const struct attr *at, size_t tag,
                       int tag_pts, int meta) {
  if (is_handler(x, at) && at->has_value) {
    strong(x, 100, "event-handler", tag, at->vb, 'h');
    return;
  }
  if (binds_code(x, at)) {
    strong(x, 100, "script-attribute", tag, at->nb, 'h');
    return;
  }
  /* <meta http-equiv=refresh|Link|Content-Type> and <meta charset=UTF-7>
   * redirect the page, load CSS or change how it is decoded. */
  if (meta && (name_is(x, at, "http-equiv") || name_is(x, at, "charset"))) {
    strong(x, 100, "meta-directive", tag, at->vb, 'h');
    return;
  }
  if (!at->has_value || at->vb == at->va)
    return;
  /* A tag that can carry script or style (link, layer, xml, base, ...)
   * pointed at a resource: external code or CSS. */
  if (tag_pts >= 60 && loads(x, at)) {
    strong(x, 100, "external-resource", tag, at->vb, 'h');
    return;
  }
  if (name_is(x, at, "xlink:href"))
    weak(x, XW_XLINK, 50, "xlink-href", tag, at->vb);
  size_t v = at->va;
  while (v < at->vb && x->s[v] <= ' ')
    v++;
  if (script_url(x, v, at->vb) ||
      (name_is(x, at, "content") && css_danger(x, at->va, at->vb))) {
    strong(x, 100, "script-url", tag, at->vb, 'h');
  } else if (name_is(x, at, "style") && css_danger(x, at->va, at->vb)) {
    strong(x, 100, "css-expression", tag, at->vb, 'h');
  } else if (name_is(x, at, "srcdoc") &&
             memchr(x->s + at->va, '<', at->vb - at->va)) {
    strong(x, 100, "srcdoc", tag, at->vb, 'h');
  }
}

/* An attribute value at i (after '='): quoted with ", ' or ` (old IE), or
 * up to white space or '>'. Sets [va, vb) and returns the index after. */
static size_t attr_value(const struct xscan *x, size_t i, struct attr *at) {
  uint8_t q = i < x->n ? x->s[i] : 0;
  if (q == '"' || q == '\'' || q == '`') {
    const uint8_t *e = memchr(x->s + i + 1, q, x->n - i - 1);
    at->va = i + 1;
    at->vb = e ? (size_t)(e - x->s) : x->n;
    return e ? at->vb + 1 : x->n;
  }
  at->va = i;
  while (i < x->n && !is_html_space(x->s[i]) && x->s[i] != '>')
    i++;
  at->vb = i;
  return i;
}

/* Attributes from i to the tag's '>' (or the end). Returns the index
 * after the tag. */
static size_t scan_attrs(struct xscan *x, size_t i, size_t tag, int tag_pts,
                         int meta) {
  for (int k = 0; k < XSS_MAX_ATTRS && i < x->n; k++) {
    while (i < x->n && (is_html_space(x->s[i]) || x->s[i] == '/'))
      i++;
    if (i >= x->n || x->s[i] == '>')
      return i < x->n ? i + 1 : i;
    struct attr at = {i, i, 0, 0, 0};
    while (i < x->n && !is_html_space(x->s[i]) && x->s[i] != '/' &&
           x->s[i] != '>' && (x->s[i] != '=' || i == at.na))
      i++;
    at.nb = i;
    while (i < x->n && is_html_space(x->s[i]))
      i++;
    if (i < x->n && x->s[i] == '=') {
      i++;
      while (i < x->n && is_html_space(x->s[i]))
        i++;
      at.has_value = 1;
      i = attr_value(x, i, &at);
    }
    judge_attr(x, &at, tag, tag_pts, meta);
  }
  return i;
}

/* Raw-text elements: closing one escapes the context it held. */
static void closing_tag(struct xscan *x, size_t i, size_t a, size_t b) {
  static const struct lit raw[] = {L("script"), L("style"),    L("title"),
                                   L("textarea"), L("xmp"),    L("noscript"),
                                   L("iframe"),  L("noembed")};
  for (size_t r = 0; r < sizeof raw / sizeof raw[0]; r++)
    if (b - a == raw[r].n && lit_at(x, a, &raw[r])) {
      weak(x, XW_CLOSE, 40, "context-close", i, b);
      return;
    }
}

/* "<!--", "<![CDATA[", "<!ENTITY", "<?": markup that changes how what
 * follows is read. */
static void special_markup(struct xscan *x, size_t i) {
  if (ci_at(x, i, "<?import"))
    strong(x, 100, "markup-import", i, i + 8, 'h'); /* IE behaviours */
  else if (ci_at(x, i, "<?xml-stylesheet"))
    strong(x, 100, "markup-stylesheet", i, i + 16, 'h'); /* XSLT runs */
  else if (ci_at(x, i, "<!entity") ||
           ci_at(x, i, "<?xml:namespace") || ci_at(x, i, "<!--[if"))
    weak(x, XW_MARKUP, 60, "markup-entity", i, i + 8);
  else if (ci_at(x, i, "<!--") || ci_at(x, i, "<![cdata[") || ci_at(x, i, "<?"))
    weak(x, XW_MARKUP, 40, "markup-comment", i, i + 4);
}

/* A quote that closes an attribute right before this tag: "><tag. */
static int after_break(const struct xscan *x, size_t i) {
  size_t k = i;
  while (k > 0 && i - k < 16 &&
         (x->s[k - 1] == '>' || is_html_space(x->s[k - 1]) ||
          x->s[k - 1] == '/'))
    k--;
  return k < i && k > 0 && (x->s[k - 1] == '"' || x->s[k - 1] == '\'');
}

/* One '<' at i. Returns where to go on. */
static size_t scan_tag(struct xscan *x, size_t i) {
  size_t j = i + 1;
  if (j >= x->n)
    return j;
  if (x->s[j] == '!' || x->s[j] == '?') {
    special_markup(x, i);
    return j;
  }
  int closing = x->s[j] == '/';
  if (closing)
    j++;
  if (j >= x->n || !is_alpha(x->s[j]))
    return i + 1;
  size_t a = j, inner = 0;
  while (j < x->n && !is_html_space(x->s[j]) && x->s[j] != '/' &&
         x->s[j] != '>') {
    if (x->s[j] == '<' && !inner)
      inner = j;
    j++;
  }
  /* "<scr<script>ipt>": a filter that deletes "<script>" leaves one; so
   * a '<' inside a tag name ends it here and starts a tag of its own. */
  if (inner)
    j = inner;
  if (closing) {
    closing_tag(x, i, a, j);
    return j;
  }
  int t = tag_score(x, a, j);
  if (t >= INJ_DETECT)
    strong(x, t, "script-tag", i, j, 'h');
  else if (t > 0)
    weak(x, XW_TAG, t, "markup-tag", i, j);
  if (after_break(x, i))
    weak(x, XW_BREAK, 40, "attribute-break", i, j);
  if (inner)
    return inner;
  int meta = j - a == 4 && ci_at(x, a, "meta");
  size_t end = scan_attrs(x, j, i, t, meta);
  /* <style> content: CSS until </style>. */
  if (t > 0 && j - a == 5 && ci_at(x, a, "style")) {
    size_t c = css_danger(x, end, x->n - end > 1024 ? end + 1024 : x->n);
    if (c)
      strong(x, 100, "css-expression", i, c + 10, 'h');
  }
  return end > i + 1 ? end : i + 1;
}

static void scan_markup(struct xscan *x) {
  size_t i = 0;
  while (i < x->n) {
    const uint8_t *lt = memchr(x->s + i, '<', x->n - i);
    if (!lt)
      return;
    i = scan_tag(x, (size_t)(lt - x->s));
  }
}

/* Functions that run a string as code or show a proof (alert(1) is what
 * every probe calls). */
static const struct lit sinks[] = {
    L("alert"),      L("prompt"),      L("confirm"),      L("eval"),
    L("execscript"), L("msgbox"),      L("settimeout"),   L("setinterval"),
    L("fromcharcode"), L("importscripts")};

/* Property paths that only script touches. */
static const struct lit dom[] = {
    L("document.cookie"),   L("document.domain"), L("document.write"),
    L("document.location"), L("window.location"), L("location.hash"),
    L("location.href"),     L("location.search"), L(".innerhtml"),
    L(".outerhtml"),        L("xmlhttprequest"),  L("document.createelement"),
    L(".constructor(")};

/* Objects whose properties attackers call by computed name: top['al'+'ert']. */
static const struct lit roots[] = {L("top"),    L("self"),   L("window"),
                                   L("parent"), L("frames"), L("this"),
                                   L("globalthis")};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int word_in(const struct xscan *x, size_t a, size_t b,
                   const struct lit *list, size_t count) {
  uint8_t c = lower(x->s[a]);
  for (size_t k = 0; k < count; k++)
    if (b - a == list[k].n && (uint8_t)list[k].s[0] == c &&
        lit_at(x, a, &list[k]))
      return 1;
  return 0;
}

static size_t skip_space(const struct xscan *x, size_t i) {
  while (i < x->n && (is_html_space(x->s[i]) || x->s[i] == '\v'))
    i++;
  return i;
}

/* The word at [a, b): a sink called, or passed as a value. Only words
 * followed by ( ` [ ) , ; or < can be either: the rest cost one look. */
static void judge_word(struct xscan *x, size_t a, size_t b) {
  size_t k = skip_space(x, b);
  uint8_t next = k < x->n ? x->s[k] : 0;
  if (next != '(' && next != '`' && next != '[' && next != ')' &&
      next != ',' && next != ';' && next != '<')
    return;
  if (word_in(x, a, b, sinks, NELEM(sinks))) {
    uint8_t prev = a > 0 ? x->s[a - 1] : 0;
    if (next == '(' || next == '`')
      strong(x, 100, "js-sink", a, k + 1, 'j');
    else if ((prev == '(' || prev == '=' || prev == ',') &&
             (next == ')' || next == ',' || next == ';' || next == '<'))
      strong(x, 100, "js-sink", a, b, 'j'); /* [1].find(alert), x=alert; */
    return;
  }
  if (next == '[' && word_in(x, a, b, roots, NELEM(roots))) {
    const uint8_t *close = memchr(x->s + k, ']', x->n - k);
    size_t c = close ? (size_t)(close - x->s) + 1 : x->n;
    if (c < x->n && (x->s[c] == '(' || x->s[c] == '`'))
      strong(x, 100, "js-computed-call", a, c + 1, 'j');
  }
}

/* ' or " then ) ] } and an operator, then a call: code leaving a string. */
static void js_break(struct xscan *x, size_t i) {
  size_t k = i + 1;
  while (k < x->n && strchr(")]}", x->s[k]) && x->s[k])
    k++;
  size_t ops = k;
  while (k < x->n && x->s[k] && strchr(";+-*/|&,^%", x->s[k]))
    k++;
  if (k == ops)
    return;
  k = skip_space(x, k);
  size_t a = k;
  while (k < x->n && (is_ident(x->s[k]) || x->s[k] == '.'))
    k++;
  if (k > a && is_alpha(x->s[a]) && k < x->n &&
      (x->s[k] == '(' || x->s[k] == '`'))
    weak(x, XW_JSBREAK, 60, "js-break", i, k + 1);
}

/* A handler written into an attribute the value lands in, without a tag:
 * '" onmouseover="alert(1)'. After a quote (or a '/', which separates
 * attributes too) any on* name counts; after plain white space only when
 * its value calls something, since "on" words do occur in text. */
static void attr_injection(struct xscan *x, size_t i, int quote) {
  size_t k = i + 1;
  if (quote) {
    size_t sp = k;
    while (k < x->n && (is_html_space(x->s[k]) || x->s[k] == '/'))
      k++;
    if (k == sp)
      return;
  }
  if (!ci_at(x, k, "on"))
    return;
  struct attr at = {k, k, 0, 0, 0};
  while (at.nb < x->n && is_alpha(x->s[at.nb]))
    at.nb++;
  size_t e = skip_space(x, at.nb);
  if (!is_handler(x, &at) || e >= x->n || x->s[e] != '=')
    return;
  e = attr_value(x, skip_space(x, e + 1), &at);
  int calls = memchr(x->s + at.va, '(', at.vb - at.va) != NULL ||
              memchr(x->s + at.va, '`', at.vb - at.va) != NULL;
  if (quote || calls)
    strong(x, 100, "attribute-injection", i, e, 'h');
}

/* Where ":" precedes "expression(" CSS runs code: width:expression(...). */
static void css_outside(struct xscan *x, size_t i) {
  size_t k = skip_space(x, i + 1);
  if (ci_at(x, k, "expression(") || ci_at(x, k, "-moz-binding") ||
      ci_at(x, k, "url(javascript"))
    strong(x, 100, "css-expression", i, k + 11, 'h');
}

/* What a value holds, from one pass over it: which scans can find
 * anything at all. Most values hold none of these bytes. */
#define XF_LT 0x01u    /* '<': markup */
#define XF_CALL 0x02u  /* '(' or '`': a call */
#define XF_COLON 0x04u /* ':': a URL scheme, CSS */
#define XF_EQ 0x08u    /* '=': an attribute, a value sink */
#define XF_QUOTE 0x10u /* a quote: a string left */
#define XF_BRACK 0x20u /* '[' or ']': computed calls, "]]>" */
#define XF_DOT 0x40u   /* '.' or 'x': DOM paths */
#define XF_SPACE 0x80u /* white space or '/': attribute separators */

static unsigned triggers(const uint8_t *s, size_t n) {
  static const uint8_t cls[256] = {
      ['<'] = XF_LT,    ['('] = XF_CALL,  ['`'] = XF_CALL | XF_QUOTE,
      [':'] = XF_COLON, ['='] = XF_EQ,    ['"'] = XF_QUOTE,
      ['\''] = XF_QUOTE, ['['] = XF_BRACK, [']'] = XF_BRACK,
      ['.'] = XF_DOT,   ['x'] = XF_DOT,   ['X'] = XF_DOT,
      [' '] = XF_SPACE, ['\t'] = XF_SPACE, ['\n'] = XF_SPACE,
      ['\r'] = XF_SPACE, ['\f'] = XF_SPACE, ['/'] = XF_SPACE};
  unsigned f = 0;
  for (size_t i = 0; i < n; i++)
    f |= cls[s[i]];
  return f;
}

static void script_word(struct xscan *x, size_t a, size_t b, unsigned f) {
  int boundary = a == 0 || !is_ident(x->s[a - 1]);
  size_t u = boundary && (f & XF_COLON) ? script_url(x, a, x->n) : 0;
  if (u && u < x->n && x->s[u] > ' ')
    strong(x, 100, "script-url", a, u + 16, 'j');
  if (f & (XF_CALL | XF_EQ | XF_BRACK))
    judge_word(x, a, b);
}

static void scan_script(struct xscan *x, unsigned f) {
  size_t i = 0;
  while (i < x->n) {
    uint8_t c = x->s[i];
    if (is_ident(c)) {
      size_t a = i;
      while (i < x->n && is_ident(x->s[i]))
        i++;
      script_word(x, a, i, f);
      continue;
    }
    if (c == '"' || c == '\'' || c == '`') {
      if (f & XF_CALL)
        js_break(x, i);
      if (f & XF_EQ)
        attr_injection(x, i, 1);
    } else if ((is_html_space(c) || c == '/') && (f & XF_EQ)) {
      attr_injection(x, i, 0);
    } else if (c == ':') {
      css_outside(x, i);
    } else if (c == ']' && i + 2 < x->n && x->s[i + 1] == ']' &&
               x->s[i + 2] == '>') {
      weak(x, XW_MARKUP, 40, "markup-comment", i, i + 3);
    }
    i++;
  }
}

/* DOM property paths, searched as substrings at their first letter. All
 * but one hold a '.', so values without one are done at once. */
static void scan_dom(struct xscan *x) {
  for (size_t i = 0; i < x->n; i++) {
    uint8_t c = lower(x->s[i]);
    if (c != 'd' && c != 'w' && c != 'l' && c != '.' && c != 'x')
      continue;
    for (size_t p = 0; p < NELEM(dom); p++)
      if ((uint8_t)dom[p].s[0] == c && lit_at(x, i, &dom[p])) {
        strong(x, 100, "js-dom", i, i + dom[p].n, 'j');
        return;
      }
  }
}

int xss_detect(const uint8_t *s, size_t n, struct xss_result *out) {
  memset(out, 0, sizeof *out);
  if (n > XSS_MAX_INPUT)
    n = XSS_MAX_INPUT;
  unsigned f = triggers(s, n);
  if (!(f & (XF_LT | XF_CALL | XF_COLON | XF_EQ | XF_BRACK | XF_DOT)))
    return 0; /* letters, digits, spaces: nothing to find */
  struct xscan x;
  memset(&x, 0, sizeof x);
  x.s = s;
  x.n = n;
  if (f & XF_LT)
    scan_markup(&x);
  if (x.best.score < INJ_DETECT &&
      (f & (XF_CALL | XF_COLON | XF_EQ | XF_BRACK)))
    scan_script(&x, f);
  if (x.best.score < INJ_DETECT && (f & XF_DOT))
    scan_dom(&x);
  const struct xhit *h = &x.best;
  int score = x.best.score;
  if (x.sum > score) {
    score = x.sum;
    h = &x.weak_best;
  }
  if (score == 0)
    return 0;
  out->f.score = (uint8_t)(score > 255 ? 255 : score);
  out->f.context = h->ctx ? h->ctx : 'h';
  inj_finding_rule(&out->f, h->rule);
  size_t b = h->b > n ? n : h->b;
  inj_finding_evidence(&out->f, s, n, h->a, b > h->a ? b - h->a : 0);
  out->detected = score >= INJ_DETECT;
  return out->detected;
}
