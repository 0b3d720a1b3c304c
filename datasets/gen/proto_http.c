#include <string.h>
#include <time.h>

#include "buf.h"
#include "proto.h"
#include "rng.h"

static void form_body(struct buf *b, struct rng *r, size_t n) {
  size_t start = b->len;
  unsigned id = (unsigned)rng_range(r, 1000, 9999);
  unsigned qty = (unsigned)rng_range(r, 1, 3);
  buf_fmt(b, "product_id=%u&qty=%u&csrf=", id, qty);
  static const char hex[] = "0123456789abcdef";
  while (b->len - start < n) buf_u8(b, (uint8_t)hex[rng_below(r, 16)]);
  b->len = start + n; /* cut or padded to exactly n */
}

void http_request(struct buf *b, struct rng *r, const struct http_req *rq) {
  buf_fmt(b, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: %s\r\n",
          rq->method, rq->path, rq->host, rq->user_agent, rq->accept);
  if (rq->cookie) buf_fmt(b, "Cookie: session=%s\r\n", rq->cookie);
  if (rq->request_id) buf_fmt(b, "X-Request-Id: %s\r\n", rq->request_id);
  if (rq->body_len) {
    buf_fmt(b, "Content-Type: %s\r\nContent-Length: %zu\r\n", rq->content_type,
            rq->body_len);
  }
  buf_str(b, "Connection: keep-alive\r\n\r\n");
  if (!rq->body_len) return;
  if (strstr(rq->content_type, "json"))
    content_json(b, r, rq->body_len);
  else
    form_body(b, r, rq->body_len);
}

void http_response_head(struct buf *b, int64_t now_us, const char *server,
                        const char *status, const char *ctype, size_t body_len,
                        const char *connection) {
  static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
                                     "Thu", "Fri", "Sat"};
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
                                       "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"};
  time_t secs = (time_t)(now_us / 1000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  buf_fmt(b,
          "HTTP/1.1 %s\r\nServer: %s\r\n"
          "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n"
          "Content-Type: %s\r\nContent-Length: %zu\r\n"
          "Cache-Control: no-store\r\nConnection: %s\r\n\r\n",
          status, server, days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
          tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, ctype, body_len,
          connection);
}

void http_response(struct buf *b, struct rng *r, int64_t now_us,
                   const char *server, const char *ctype, size_t body_len) {
  http_response_head(b, now_us, server, "200 OK", ctype, body_len,
                     "keep-alive");
  if (strstr(ctype, "json"))
    content_json(b, r, body_len);
  else
    content_html(b, r, body_len);
}
