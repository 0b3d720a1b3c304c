/* Injection from outside and inside: HTTP request smuggling, SQL injection
 * and cross-site scripting against web, SQL injection on the database
 * protocol. Every request starts a segment, and whatever a detector needs
 * lies within the captured part of it. */
#include <string.h>

#include "buf.h"
#include "proto.h"
#include "rng.h"
#include "tcp.h"
#include "threats.h"

#define MS 1000ll

static const char NGINX[] = "nginx/1.24.0";
static const char HTML[] = "text/html; charset=utf-8";

/* The client sends what b holds (checking `marker` is captured), web
 * answers with a generated page of `page` bytes after a little work. */
static void ask(struct tcp_conn *c, struct rng *r, struct buf *b,
                const char *marker, size_t page) {
  threat_captured(b, 0, marker);
  tcp_send(c, TCP_CLI, b->p, b->len, TCP_REPLY_FOLLOWS);
  buf_reset(b);
  tcp_idle(c, rng_range(r, 3 * MS, 40 * MS));
  http_response(b, r, c->now, NGINX, HTML, page);
  tcp_send(c, TCP_SRV, b->p, b->len, TCP_ACK_NOW);
  buf_reset(b);
  tcp_idle(c, rng_range(r, 300 * MS, 1500 * MS));
}

/* CL.TE: a POST with both Content-Length (covering a smuggled GET /admin)
 * and Transfer-Encoding: chunked (ending before it); then, on the same
 * connection, a POST whose Transfer-Encoding is "xchunked", which web
 * refuses with 501 and closes. */
void threat_http_smuggling(struct world *w, int64_t t,
                           struct threat_truth *tr) {
  struct rng *r = w->rng;
  const struct host cli =
      threat_outside("attacker", IPV4(203, 0, 113, 204), 50);
  struct tcp_conn c;
  struct session_out out;
  threat_connect(w, &c, &cli, &host_web, 80, rng_range(r, 20 * MS, 30 * MS), t,
                 &out);
  static const char smuggled[] =
      "0\r\n\r\nGET /admin HTTP/1.1\r\nHost: localhost\r\n\r\n";
  struct buf b;
  buf_init(&b);
  buf_fmt(&b,
          "POST / HTTP/1.1\r\nHost: shop.example\r\n"
          "Content-Type: application/x-www-form-urlencoded\r\n"
          "Content-Length: %zu\r\nTransfer-Encoding: chunked\r\n\r\n%s",
          strlen(smuggled), smuggled);
  ask(&c, r, &b, "GET /admin", (size_t)rng_range(r, 1500, 3000));
  static const char body[] = "3\r\nq=1\r\n0\r\n\r\n";
  buf_fmt(&b,
          "POST /cart HTTP/1.1\r\nHost: shop.example\r\n"
          "Content-Type: application/x-www-form-urlencoded\r\n"
          "Content-Length: %zu\r\nTransfer-Encoding: xchunked\r\n\r\n%s",
          strlen(body), body);
  threat_captured(&b, 0, body);
  tcp_send(&c, TCP_CLI, b.p, b.len, TCP_REPLY_FOLLOWS);
  buf_reset(&b);
  tcp_idle(&c, rng_range(r, 1 * MS, 3 * MS));
  static const char page[] =
      "<html>\r\n<head><title>501 Not Implemented</title></head>\r\n<body>\r\n"
      "<center><h1>501 Not Implemented</h1></center>\r\n"
      "<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n";
  http_response_head(&b, c.now, NGINX, "501 Not Implemented", "text/html",
                     strlen(page), "close");
  buf_str(&b, page);
  tcp_send(&c, TCP_SRV, b.p, b.len, TCP_REPLY_FOLLOWS);
  tcp_close(&c, TCP_SRV);
  buf_free(&b);
  threat_truth(tr, "http-smuggling", out.start, cli.ip, out.cport, host_web.ip,
               80, "tcp", "3042",
               "HTTP request smuggling: 203.0.113.204 POSTs to web:80 with "
               "Content-Length and Transfer-Encoding: chunked (CL.TE, a GET "
               "/admin smuggled behind the last chunk), then a request with "
               "Transfer-Encoding: xchunked");
}

/* sqlmap against web: a tautology in a query parameter, then (by hand,
 * with curl) a UNION in a search form. */
void threat_http_sqli(struct world *w, int64_t t, struct threat_truth *tr) {
  struct rng *r = w->rng;
  const struct host cli =
      threat_outside("attacker", IPV4(203, 0, 113, 205), 113);
  struct tcp_conn c;
  struct session_out out;
  threat_connect(w, &c, &cli, &host_web, 80, rng_range(r, 30 * MS, 40 * MS), t,
                 &out);
  struct buf b;
  buf_init(&b);
  buf_str(&b,
          "GET /products?id=1%27%20OR%20%271%27%3D%271%27--%20 HTTP/1.1\r\n"
          "Host: shop.example\r\n"
          "User-Agent: sqlmap/1.7.12#stable (https://sqlmap.org)\r\n"
          "Accept: */*\r\nConnection: keep-alive\r\n\r\n");
  ask(&c, r, &b, "--%20 HTTP/1.1", (size_t)rng_range(r, 3000, 6000));
  static const char form[] =
      "q=x%27+UNION+SELECT+username%2Cpassword+FROM+users--";
  buf_fmt(&b,
          "POST /search HTTP/1.1\r\nHost: shop.example\r\n"
          "User-Agent: curl/8.5.0\r\n"
          "Content-Type: application/x-www-form-urlencoded\r\n"
          "Content-Length: %zu\r\n\r\n%s",
          strlen(form), form);
  ask(&c, r, &b, form, (size_t)rng_range(r, 2000, 4000));
  tcp_close(&c, TCP_CLI);
  buf_free(&b);
  threat_truth(tr, "http-sqli", out.start, cli.ip, out.cport, host_web.ip, 80,
               "tcp", "3020",
               "SQL injection in HTTP: 203.0.113.205 (sqlmap) GETs "
               "/products?id=1' OR '1'='1'-- (URL-encoded), then POSTs "
               "q=x' UNION SELECT username,password FROM users-- to /search");
}

/* A reflected XSS probe in the search box. */
void threat_http_xss(struct world *w, int64_t t, struct threat_truth *tr) {
  struct rng *r = w->rng;
  const struct host cli =
      threat_outside("attacker", IPV4(203, 0, 113, 206), 51);
  struct tcp_conn c;
  struct session_out out;
  threat_connect(w, &c, &cli, &host_web, 80, rng_range(r, 15 * MS, 25 * MS), t,
                 &out);
  struct buf b;
  buf_init(&b);
  buf_str(&b,
          "GET /search?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E "
          "HTTP/1.1\r\nHost: shop.example\r\n"
          "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) "
          "Gecko/20100101 Firefox/121.0\r\n"
          "Accept: text/html\r\nConnection: keep-alive\r\n\r\n");
  ask(&c, r, &b, "%3C%2Fscript%3E", (size_t)rng_range(r, 2000, 4000));
  tcp_close(&c, TCP_CLI);
  buf_free(&b);
  threat_truth(tr, "http-xss", out.start, cli.ip, out.cport, host_web.ip, 80,
               "tcp", "3021",
               "XSS in HTTP: 203.0.113.206 GETs "
               "/search?q=<script>alert(document.cookie)</script> "
               "(URL-encoded) from web:80");
}

/* The api, compromised or fed a crafted parameter, sends a tautology to
 * the database, which returns every user. */
void threat_pg_sqli(struct world *w, int64_t t, struct threat_truth *tr) {
  struct rng *r = w->rng;
  struct tcp_conn c;
  struct session_out out;
  threat_connect(w, &c, &host_api, &host_db, 5432, 0, t, &out);
  struct buf b;
  buf_init(&b);
  pg_startup(&b, "shop", "shop", "shop-api");
  tcp_send(&c, TCP_CLI, b.p, b.len, TCP_REPLY_FOLLOWS);
  buf_reset(&b);
  tcp_idle(&c, rng_range(r, 200, 900));
  pg_auth_ok(&b, r);
  tcp_send(&c, TCP_SRV, b.p, b.len, TCP_REPLY_FOLLOWS);
  buf_reset(&b);
  static const char sql[] =
      "SELECT * FROM users WHERE name = '' OR '1'='1' --'";
  pg_query(&b, sql);
  threat_captured(&b, 0, sql);
  tcp_send(&c, TCP_CLI, b.p, b.len, TCP_REPLY_FOLLOWS);
  buf_reset(&b);
  tcp_idle(&c, rng_range(r, 300, 2000));
  static const char *const cols[] = {"id", "name", "email", "password_hash"};
  static const char *const rows[] = {
      "1",
      "admin",
      "admin@shop.example",
      "$2b$12$Q9rWb3kLx8mVn2pZt7yHeO1aF4cD6gJ0sU5iK3lM8nB2vX7wE9qRy",
      "2",
      "alice",
      "alice@example.org",
      "$2b$12$Z1xC3vB5nM7aS9dF2gH4jOkL6pQ8wE0rT2yU4iO6pA8sD0fG2hJ4k",
      "3",
      "bob",
      "bob@example.net",
      "$2b$12$H7jK9lZ1xC3vB5nM7aS9dOfG2hJ4kL6pQ8wE0rT2yU4iO6pA8sD0e",
      "4",
      "carol",
      "carol@example.com",
      "$2b$12$pA8sD0fG2hJ4kL6zX8cV0bN2mQ4wE6rT8yU0iO2pA4sD6fG8hJ0k"};
  pg_result_text(&b, cols, 4, rows, 4);
  tcp_send_framed(&c, TCP_SRV, b.p, b.len, pg_frame, TCP_REPLY_FOLLOWS);
  buf_reset(&b);
  pg_terminate(&b);
  tcp_send(&c, TCP_CLI, b.p, b.len, TCP_REPLY_FOLLOWS);
  tcp_close(&c, TCP_CLI);
  buf_free(&b);
  threat_truth(tr, "pg-sqli", out.start, host_api.ip, out.cport, host_db.ip,
               5432, "tcp", "3022",
               "SQL injection in PostgreSQL: api sends db the simple query "
               "SELECT * FROM users WHERE name = '' OR '1'='1' --' and gets "
               "every user back");
}
