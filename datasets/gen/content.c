#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "proto.h"
#include "rng.h"

static const char *const adjectives[] = {
    "Walnut", "Linen",  "Copper", "Ceramic", "Oak",    "Wool",
    "Steel",  "Cotton", "Glass",  "Bamboo",  "Marble", "Leather"};
static const char *const nouns[] = {
    "Desk Lamp", "Throw",  "Mug",          "Side Table", "Backpack",
    "Notebook",  "Kettle", "Plant Pot",    "Headphones", "Chair",
    "Vase",      "Towel",  "Water Bottle", "Clock"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *content_product(struct rng *r) {
  static char name[64];
  /* One draw per statement: argument evaluation order is unspecified, and
   * the output must not depend on the compiler. */
  const char *adj = adjectives[rng_below(r, COUNT(adjectives))];
  const char *noun = nouns[rng_below(r, COUNT(nouns))];
  snprintf(name, sizeof(name), "%s %s", adj, noun);
  return name;
}

/* Append items produced by `item` while they fit, then pad with spaces (legal
 * between JSON tokens and in HTML) and append the fixed tail: exactly n. */
typedef void item_fn(struct buf *tmp, struct rng *r, bool first);

static void fill(struct buf *b, struct rng *r, size_t n, const char *head,
                 const char *tail, item_fn *item) {
  size_t start = b->len, hl = strlen(head), tl = strlen(tail);
  if (n < hl + tl) {
    /* Too small for the frame: spaces (never happens with our size ranges). */
    for (size_t i = 0; i < n; i++) buf_u8(b, ' ');
    return;
  }
  buf_str(b, head);
  struct buf tmp;
  buf_init(&tmp);
  for (bool first = true;; first = false) {
    buf_reset(&tmp);
    item(&tmp, r, first);
    if (b->len - start + tmp.len + tl > n) break;
    buf_put(b, tmp.p, tmp.len);
  }
  buf_free(&tmp);
  while (b->len - start + tl < n) buf_u8(b, ' ');
  buf_str(b, tail);
}

static void html_item(struct buf *t, struct rng *r, bool first) {
  (void)first;
  unsigned id = (unsigned)rng_range(r, 1000, 9999);
  const char *name = content_product(r);
  unsigned dollars = (unsigned)rng_range(r, 4, 480);
  unsigned cents = (unsigned)rng_range(r, 0, 99);
  buf_fmt(t,
          "<li class=\"product\"><a href=\"/products/%u\">%s</a>"
          "<span class=\"price\">$%u.%02u</span></li>\n",
          id, name, dollars, cents);
}

void content_html(struct buf *b, struct rng *r, size_t n) {
  fill(b, r, n,
       "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<title>Shop</title><link rel=\"stylesheet\" href=\"/static/app.css\">"
       "</head>\n<body><main><ul class=\"products\">\n",
       "</ul></main><script src=\"/static/app.js\"></script></body></html>\n",
       html_item);
}

static void json_item(struct buf *t, struct rng *r, bool first) {
  unsigned id = (unsigned)rng_range(r, 1000, 9999);
  const char *name = content_product(r);
  unsigned dollars = (unsigned)rng_range(r, 4, 480);
  unsigned cents = (unsigned)rng_range(r, 0, 99);
  unsigned stock = (unsigned)rng_range(r, 0, 250);
  buf_fmt(t, "%s[%u,\"SKU-%05u\",\"%s\",%u.%02u,%u]", first ? "\n" : ",\n", id,
          id * 7u % 100000u, name, dollars, cents, stock);
}

void content_json(struct buf *b, struct rng *r, size_t n) {
  fill(b, r, n,
       "{\"fields\":[\"id\",\"sku\",\"name\",\"price\",\"stock\"],"
       "\"rows\":[",
       "]}", json_item);
}
