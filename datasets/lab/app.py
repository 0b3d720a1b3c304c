#!/usr/bin/python3
"""habit lab web app: a small shop API behind nginx, with three holes on purpose.

Contract (datasets/lab/README.md):
  run with Debian's /usr/bin/python3 (python3-redis, python3-psycopg2), inside hl-web:
    /usr/bin/python3 app.py --listen 127.0.0.1:8000 --redis 10.77.0.20:6379 \
        --pg 10.77.0.30:5432 --uploads DIR
  normal endpoints, which never start a process; each request opens its own connections to
  redis and postgres and closes them (whole sessions in every capture):
    GET  /health        200 "ok" when redis answers PING and postgres SELECT 1
    GET  /item?id=N     the item as JSON: redis first, on a miss postgres, then cached
    POST /order         body {"item": N, "qty": M}: inserts a row into orders
  vulnerable endpoints, used by `lab.sh attack`:
    GET  /debug/run?cmd=C   runs C with /bin/sh (remote command execution)
    GET  /fetch?url=U       fetches U and returns its body (SSRF)
    POST /upload?name=P     writes the body to uploads/P, P not sanitised (path traversal)
Each request is logged on stderr, one line.
"""
import argparse
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2
import redis

CACHE_TTL_S = 30
ARGS = None


def host_port(text):
    """Split "host:port" into (host, int port)."""
    host, _, port = text.rpartition(":")
    return host, int(port)


def cache_conn():
    """A new redis connection, closed by `with`: one TCP connection per request."""
    host, port = host_port(ARGS.redis)
    return redis.Redis(host=host, port=port, socket_timeout=3, socket_connect_timeout=3,
                       single_connection_client=True)


def pg_run(sql, params=(), fetch=True):
    """Run one statement on a new connection (one TCP connection per request, so every
    capture holds whole PostgreSQL sessions); returns the first row or None."""
    host, port = host_port(ARGS.pg)
    conn = psycopg2.connect(host=host, port=port, user="postgres", dbname="postgres",
                            connect_timeout=3)
    try:
        with conn:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchone() if fetch else None
    finally:
        conn.close()


def get_item(item_id):
    """Cache-aside read: redis, else postgres then redis. Returns (dict or None, source)."""
    key = "item:%d" % item_id
    with cache_conn() as cache:
        cached = cache.get(key)
        if cached is not None:
            return json.loads(cached), "cache"
        row = pg_run("SELECT id, name, price_cents FROM items WHERE id = %s", (item_id,))
        if row is None:
            return None, "db"
        item = {"id": row[0], "name": row[1], "price_cents": row[2]}
        cache.setex(key, CACHE_TTL_S, json.dumps(item))
        return item, "db"


class Handler(BaseHTTPRequestHandler):
    server_version = "habit-lab-app/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("app: %s %s\n" % (self.client_address[0], fmt % args))

    def reply(self, status, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def reply_json(self, status, obj):
        self.reply(status, json.dumps(obj) + "\n")

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def query(self):
        parsed = urllib.parse.urlsplit(self.path)
        return parsed.path, urllib.parse.parse_qs(parsed.query)

    def do_GET(self):
        path, q = self.query()
        routes = {"/": self.get_index, "/health": self.get_health, "/item": self.get_item,
                  "/debug/run": self.get_debug_run, "/fetch": self.get_fetch}
        self.dispatch(routes.get(path), q)

    def do_POST(self):
        path, q = self.query()
        routes = {"/order": self.post_order, "/upload": self.post_upload}
        self.dispatch(routes.get(path), q)

    def dispatch(self, handler, q):
        if handler is None:
            self.reply_json(404, {"error": "no such endpoint"})
            return
        try:
            handler(q)
        except (redis.RedisError, psycopg2.Error, OSError, ValueError) as e:
            detail = " ".join(str(e).split())
            sys.stderr.write("app: %s failed: %s: %s\n" % (self.path, type(e).__name__, detail))
            self.reply_json(503, {"error": type(e).__name__, "detail": detail})

    # normal endpoints

    def get_index(self, _q):
        self.reply(200, "<html><body>habit lab shop (app)</body></html>\n", "text/html")

    def get_health(self, _q):
        with cache_conn() as cache:
            cache.ping()
        pg_run("SELECT 1")
        self.reply(200, "ok\n", "text/plain")

    def get_item(self, q):
        item, source = get_item(int(q.get("id", ["0"])[0]))
        if item is None:
            self.reply_json(404, {"error": "no such item"})
        else:
            self.reply_json(200, {"item": item, "from": source})

    def post_order(self, _q):
        order = json.loads(self.body() or b"{}")
        item, qty = int(order.get("item", 1)), int(order.get("qty", 1))
        row = pg_run("INSERT INTO orders (item_id, qty) VALUES (%s, %s) RETURNING id",
                     (item, qty))
        self.reply_json(201, {"order": row[0]})

    # vulnerable endpoints (on purpose: the lab's attacks)

    def get_debug_run(self, q):
        cmd = q.get("cmd", ["true"])[0]
        done = subprocess.run(cmd, shell=True, capture_output=True, timeout=10)
        self.reply(200, done.stdout + done.stderr, "text/plain")

    def get_fetch(self, q):
        url = q.get("url", [""])[0]
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=5) as resp:
            self.reply(200, resp.read(65536), "text/plain")

    def post_upload(self, q):
        name = q.get("name", ["upload.bin"])[0]
        path = os.path.join(ARGS.uploads, name)
        with open(path, "wb") as f:
            f.write(self.body())
        self.reply_json(201, {"written": path})


def main():
    global ARGS
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--listen", default="127.0.0.1:8000")
    p.add_argument("--redis", default="10.77.0.20:6379")
    p.add_argument("--pg", default="10.77.0.30:5432")
    p.add_argument("--uploads", required=True)
    ARGS = p.parse_args()
    server = ThreadingHTTPServer(host_port(ARGS.listen), Handler)
    server.daemon_threads = True
    sys.stderr.write("app: listening on %s\n" % ARGS.listen)
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
