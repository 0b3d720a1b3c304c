/* The shop's benign traffic: users browse the web front end, which calls the
 * API, which reads the cache and the database and, on checkout, calls the
 * payment provider; an operator logs in over SSH now and then. */
#include "shop.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "proto.h"
#include "rng.h"
#include "sessions.h"
#include "tcp.h"

#define SEC 1000000ll
#define MS 1000ll

/* ~10 user requests a minute. */
#define MEAN_ARRIVAL_US (6 * SEC)

static const char API_HOST[] = "api.shop.svc.cluster.local";
static const char DB_HOST[] = "db.shop.svc.cluster.local";
static const char CACHE_HOST[] = "cache.shop.svc.cluster.local";
static const char PAY_HOST[] = "api.payments.example";

enum page {
  PAGE_HOME,
  PAGE_LIST,
  PAGE_PRODUCT,
  PAGE_CART,
  PAGE_ADD,
  PAGE_CHECKOUT
};

/* One call from web to api and what the api does for it. */
struct api_call {
  const char *method;
  char path[128];
  size_t body;  /* JSON request body, 0 for GET */
  char key[64]; /* cache key */
  bool write;   /* SET before GET */
  char sql[320];
  bool payment;
};

static const char COLS[] = "SELECT id, sku, name, price, stock, updated_at";

static void session_id(unsigned user, char out[17]) {
  uint64_t x = (user + 1) * 0x9e3779b97f4a7c15ull;
  x ^= x >> 29;
  snprintf(out, 17, "%016llx", (unsigned long long)x);
}

static void request_id(struct rng *r, char out[37]) {
  uint64_t a = rng_next(r), b = rng_next(r);
  snprintf(out, 37, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
           (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
           (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
           (unsigned long long)(b & 0xffffffffffffull));
}

static void call_products(struct api_call *c, struct rng *r, bool featured) {
  unsigned cat = (unsigned)rng_range(r, 1, 12);
  unsigned page = (unsigned)rng_range(r, 1, 6);
  c->method = "GET";
  if (featured) {
    snprintf(c->path, sizeof(c->path),
             "/api/v1/products?featured=true&limit=12");
    snprintf(c->key, sizeof(c->key), "products:featured");
    snprintf(c->sql, sizeof(c->sql),
             "%s FROM products WHERE featured ORDER BY rank LIMIT 12", COLS);
    return;
  }
  snprintf(c->path, sizeof(c->path),
           "/api/v1/products?category=%u&page=%u&limit=24", cat, page);
  snprintf(c->key, sizeof(c->key), "products:cat:%u:page:%u", cat, page);
  snprintf(c->sql, sizeof(c->sql),
           "%s FROM products WHERE category_id = %u ORDER BY popularity DESC "
           "LIMIT 24 OFFSET %u",
           COLS, cat, (page - 1) * 24);
}

static void call_product(struct api_call *c, unsigned id, bool reviews) {
  c->method = "GET";
  snprintf(c->path, sizeof(c->path), "/api/v1/products/%u%s", id,
           reviews ? "/reviews?limit=10" : "");
  snprintf(c->key, sizeof(c->key), "%s:%u", reviews ? "reviews" : "product",
           id);
  if (reviews)
    snprintf(c->sql, sizeof(c->sql),
             "%s FROM products WHERE id IN (SELECT related_id FROM "
             "product_reviews WHERE product_id = %u) LIMIT 10",
             COLS, id);
  else
    snprintf(c->sql, sizeof(c->sql), "%s FROM products WHERE id = %u", COLS,
             id);
}

static void call_cart(struct api_call *c, const char *sid, const char *method,
                      const char *what) {
  c->method = method;
  snprintf(c->path, sizeof(c->path), "/api/v1/%s%s%s", what,
           strcmp(method, "GET") ? "" : "?session=",
           strcmp(method, "GET") ? "" : sid);
  snprintf(c->key, sizeof(c->key), "cart:%s", sid);
  snprintf(c->sql, sizeof(c->sql),
           "SELECT p.id, p.sku, p.name, p.price, c.qty AS stock, c.updated_at "
           "FROM cart_items c JOIN products p ON p.id = c.product_id "
           "WHERE c.session_id = '%s'",
           sid);
}

/* The api's work for one call: cache, database, maybe the payment provider.
 * Returns when the api has its answer. */
static int64_t api_backends(struct world *w, int64_t t,
                            const struct api_call *call) {
  struct rng *r = w->rng;
  if (rng_chance(r, 0.1)) {
    bool db = rng_chance(r, 0.5);
    t = world_dns(w, &host_api, db ? DB_HOST : CACHE_HOST,
                  db ? host_db.ip : host_cache.ip, 30, t);
  }
  t = session_redis(w, t, call->key, call->write,
                    rng_size(r, 450, 0.8, 100, 1990));
  t += rng_range(r, 30, 200);
  t = session_pgsql(w, t, call->sql, rng_size(r, 3000, 0.8, 1000, 16000));
  if (call->payment) {
    t = world_dns(w, &host_api, PAY_HOST, host_payments.ip, 300,
                  t + rng_range(r, 30, 200));
    struct tcp_path path;
    tcp_path_remote_server(&path, r, rng_range(r, 18 * MS, 32 * MS));
    /* One draw per statement (initializer order is unspecified in C). */
    struct tls_plan plan = {.sni = PAY_HOST};
    plan.server_handshake = rng_size(r, 1800, 0.25, 1200, 2600);
    plan.request = rng_size(r, 1800, 0.4, 1000, 3800);
    plan.response = rng_size(r, 1200, 0.4, 600, 2400);
    plan.server_think_us = rng_range(r, 20 * MS, 120 * MS);
    t = session_tls(w, t + rng_range(r, 30, 200), &host_api, &host_payments,
                    443, &path, &plan, EDGE_PAYMENTS, NULL);
  }
  return t;
}

/* web -> api over HTTP; returns when web has the response. */
static int64_t api_call(struct world *w, int64_t t,
                        const struct api_call *call) {
  struct rng *r = w->rng;
  struct tcp_path path;
  struct tcp_conn c;
  struct buf b;
  char rid[37];
  buf_init(&b);
  tcp_path_lan(&path, r);
  session_open(w, &c, &host_web, &host_api, 8080, &path, t, EDGE_API, NULL);
  request_id(r, rid);
  struct http_req rq = {
      .method = call->method,
      .path = call->path,
      .host = "api.shop.svc.cluster.local:8080",
      .user_agent = "shop-web/2.3.1 node-fetch/3.3.2",
      .accept = "application/json",
      .request_id = rid,
      .content_type = "application/json",
      .body_len = call->body,
  };
  http_request(&b, r, &rq);
  tcp_send(&c, TCP_CLI, b.p, b.len, TCP_REPLY_FOLLOWS);
  buf_reset(&b);
  int64_t ta = api_backends(w, c.now + rng_range(r, 80, 400), call);
  tcp_sync(&c, ta + rng_range(r, 100, 800));
  http_response(&b, r, c.now, "shop-api", "application/json",
                rng_size(r, 1500, 0.7, 300, 7800));
  tcp_send(&c, TCP_SRV, b.p, b.len, TCP_REPLY_FOLLOWS);
  int64_t done = c.now;
  tcp_close(&c, TCP_CLI);
  buf_free(&b);
  return done;
}

static enum page pick_page(struct rng *r) {
  double x = rng_unit(r);
  if (x < 0.18) return PAGE_HOME;
  if (x < 0.43) return PAGE_LIST;
  if (x < 0.70) return PAGE_PRODUCT;
  if (x < 0.80) return PAGE_CART;
  if (x < 0.90) return PAGE_ADD;
  return PAGE_CHECKOUT;
}

/* The user's page and the one or two api calls it needs. */
static size_t plan_page(struct rng *r, enum page page, const char *sid,
                        char *path, size_t path_len, const char **method,
                        struct api_call calls[2]) {
  memset(calls, 0, 2 * sizeof(*calls));
  bool second = rng_chance(r, 0.5);
  unsigned id = (unsigned)rng_range(r, 1000, 9999);
  *method = "GET";
  switch (page) {
    case PAGE_HOME:
      snprintf(path, path_len, "/");
      call_products(&calls[0], r, true);
      call_cart(&calls[1], sid, "GET", "cart");
      break;
    case PAGE_LIST:
      snprintf(path, path_len, "/products?page=%u",
               (unsigned)rng_range(r, 1, 6));
      call_products(&calls[0], r, false);
      call_products(&calls[1], r, true);
      break;
    case PAGE_PRODUCT:
      snprintf(path, path_len, "/products/%u", id);
      call_product(&calls[0], id, false);
      call_product(&calls[1], id, true);
      break;
    case PAGE_CART:
      snprintf(path, path_len, "/cart");
      call_cart(&calls[0], sid, "GET", "cart");
      call_product(&calls[1], id, true);
      break;
    case PAGE_ADD:
      *method = "POST";
      snprintf(path, path_len, "/cart");
      call_cart(&calls[0], sid, "POST", "cart");
      calls[0].body = (size_t)rng_range(r, 80, 300);
      calls[0].write = true;
      call_cart(&calls[1], sid, "GET", "cart");
      break;
    case PAGE_CHECKOUT:
      *method = "POST";
      snprintf(path, path_len, "/checkout");
      call_cart(&calls[0], sid, "POST", "checkout");
      calls[0].body = (size_t)rng_range(r, 150, 400);
      calls[0].payment = true;
      call_cart(&calls[1], sid, "GET", "cart");
      break;
  }
  return second ? 2 : 1;
}

static void user_request(struct world *w, int64_t t) {
  struct rng *r = w->rng;
  unsigned ui = (unsigned)rng_below(r, SHOP_USERS);
  const struct user *u = &shop_users[ui];
  char sid[17], path[64];
  const char *method;
  struct api_call calls[2];
  session_id(ui, sid);
  enum page page = pick_page(r);
  size_t ncalls = plan_page(r, page, sid, path, sizeof(path), &method, calls);

  struct tcp_path tp;
  tcp_path_remote_client(&tp, r,
                         rng_range(r, u->rtt_us * 9 / 10, u->rtt_us * 11 / 10));
  struct tcp_conn c;
  session_open(w, &c, &u->host, &host_web, 80, &tp, t, EDGE_WEB, NULL);
  struct buf b;
  buf_init(&b);
  struct http_req rq = {
      .method = method,
      .path = path,
      .host = "shop.example",
      .user_agent = u->user_agent,
      .accept =
          "text/html,application/xhtml+xml,application/xml;q=0.9,"
          "*/*;q=0.8",
      .cookie = sid,
      .content_type = "application/x-www-form-urlencoded",
  };
  if (!strcmp(method, "POST")) rq.body_len = (size_t)rng_range(r, 60, 200);
  http_request(&b, r, &rq);
  tcp_send(&c, TCP_CLI, b.p, b.len, TCP_REPLY_FOLLOWS);
  buf_reset(&b);

  int64_t tw = c.now + rng_range(r, 100, 500);
  if (rng_chance(r, 0.1))
    tw = world_dns(w, &host_web, API_HOST, host_api.ip, 30, tw);
  for (size_t i = 0; i < ncalls; i++) {
    tw = api_call(w, tw, &calls[i]);
    tw += rng_range(r, 50, 300);
  }
  tcp_sync(&c, tw + rng_range(r, 500, 3000)); /* rendering */
  http_response(&b, r, c.now, "nginx/1.24.0", "text/html; charset=utf-8",
                rng_size(r, 4500, 0.6, 1000, 20000));
  tcp_send(&c, TCP_SRV, b.p, b.len, TCP_ACK_NOW);
  tcp_idle(&c, rng_range(r, 200 * MS, 3 * SEC)); /* keep-alive, then gone */
  tcp_close(&c, TCP_CLI);
  buf_free(&b);
}

void shop_benign(struct world *w, int64_t t0, int64_t dur_us) {
  struct rng *r = w->rng;
  /* Users: a Poisson process; stop early enough for the last to finish. */
  int64_t end = t0 + dur_us - 10 * SEC;
  for (int64_t t = t0 + (int64_t)rng_exp(r, MEAN_ARRIVAL_US); t < end;
       t += (int64_t)rng_exp(r, MEAN_ARRIVAL_US) + 1)
    user_request(w, t);
  /* The operator: an SSH session every 5-15 minutes. */
  for (int64_t t = t0 + rng_range(r, 60 * SEC, 240 * SEC);
       t < t0 + dur_us - 150 * SEC; t += rng_range(r, 300 * SEC, 900 * SEC)) {
    struct tcp_path path;
    tcp_path_lan(&path, r);
    session_ssh(w, t, &host_operator, &host_web, 22, &path, SSH_INTERACTIVE,
                EDGE_SSH, NULL);
  }
}
