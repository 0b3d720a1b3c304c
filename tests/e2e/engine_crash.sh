#!/usr/bin/env bash
# The engine daemon killed with SIGKILL while learning loses nothing it
# had flushed, and a restarted engine goes on from the database:
#  - a collector on the loopback of a private network namespace sends the
#    flows of 20 HTTP requests to an engine learning with --flush 1;
#  - `habit policy show` reads the model while the engine runs, until the
#    20 flows are in it; then the engine is killed (kill -9);
#  - a new engine on the same model and endpoint takes the same collector's
#    next 10 flows (ZeroMQ reconnects it) to another port;
#  - at the end the model holds exactly 20 + 10 flows on two edges.
# Traffic stays on the namespace's loopback.
source "$(dirname "$0")/_lib.sh"
PY=$(command -v python3) || fail "needs python3"
NS="hbC$$"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
mkdir -p "$TMP/www" && echo ok >"$TMP/www/index.html"
for port in 8080 8081; do
  ip netns exec "$NS" "$PY" -m http.server "$port" --bind 127.0.0.1 --directory "$TMP/www" \
    >/dev/null 2>&1 &
  PIDS+=($!)
done
cat >"$TMP/get.py" <<'PY'
import socket, sys, time, urllib.request
port, n = int(sys.argv[1]), int(sys.argv[2])
if n == 0:  # wait for the server (before anything captures: probes are flows)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close(); break
        except OSError:
            time.sleep(0.1)
    sys.exit(0)
for _ in range(n):
    assert urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read() == b"ok\n"
PY
# Servers up before anything captures (the probes are flows too).
ip netns exec "$NS" "$PY" "$TMP/get.py" 8080 0
ip netns exec "$NS" "$PY" "$TMP/get.py" 8081 0
cat >"$TMP/c.yaml" <<'YAML'
services:
  web:
    members:
      - {ip: 127.0.0.1, ports: [8080, 8081], proto: tcp}
flows:
  timeouts: {tcp_closed: 1}
YAML
wait_for() { # wait_for FILE PATTERN
  for _ in $(seq 150); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "no '$2' in $1: $(tail -3 "$1" 2>/dev/null)"
}
# flows_on PORT: the flows of the edges to that port in policy show.
flows_on() {
  "$HABIT" policy show --model "$TMP/m.db" 2>/dev/null |
    awk -v p="$1" '/^  - from:/{e=0} $1=="port:" && $2==p {e=1} e && $1=="flows:" {n+=$2; e=0}
                   END {print n+0}'
}
SOCK="ipc://$TMP/engine.sock"
start_engine() {
  "$HABIT" engine --model "$TMP/m.db" --listen "$SOCK" --config "$TMP/c.yaml" \
    --mode discover --flush 1 2>>"$TMP/engine.log" &
  ENG=$!; PIDS+=($ENG)
}
start_engine
wait_for "$TMP/engine.log" "listening on"
ip netns exec "$NS" "$HABIT" collect net --iface lo --connect "$SOCK" --config "$TMP/c.yaml" \
  2>"$TMP/collect.log" &
COL=$!; PIDS+=($COL)
wait_for "$TMP/collect.log" "capturing on"
sleep 0.3
ip netns exec "$NS" "$PY" "$TMP/get.py" 8080 20
n=0
for _ in $(seq 100); do
  n=$(flows_on 8080)
  [ "$n" = 20 ] && break
  sleep 0.1
done
[ "$n" = 20 ] || fail "policy show during learning: $n flows on 8080, want 20"
pass "policy show read 20 flows from the model while the engine ran"

kill -9 "$ENG"
wait "$ENG" 2>/dev/null || true
[ "$(flows_on 8080)" = 20 ] || fail "after kill -9: $(flows_on 8080) flows on 8080"
start_engine
sleep 0.5
ip netns exec "$NS" "$PY" "$TMP/get.py" 8081 10
sleep 0.5
kill -TERM "$COL"
wait "$COL" || fail "collector exited $?"
wait_for "$TMP/engine.log" "ended"
kill -TERM "$ENG"
wait "$ENG" || fail "engine exited $?"
a=$(flows_on 8080) b=$(flows_on 8081)
[ "$a" = 20 ] && [ "$b" = 10 ] || fail "after restart: 8080 $a flows (want 20), 8081 $b (want 10)"
pass "kill -9 lost nothing flushed; the restarted engine went on: 20 + 10 flows"
