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
NS="hbC$$"
source "$(dirname "$0")/_live.sh"
live_setup 8080 8081
cat >"$TMP/c.yaml" <<'YAML'
services:
  web:
    members:
      - {ip: 127.0.0.1, ports: [8080, 8081], proto: tcp}
flows:
  timeouts: {tcp_closed: 1}
YAML
SOCK="ipc://$TMP/engine.sock"
start_engine() {
  "$HABIT" engine --model "$TMP/m.db" --listen "$SOCK" --config "$TMP/c.yaml" \
    --mode discover --flush 1 2>>"$TMP/engine.log" &
  ENG=$!; PIDS+=($ENG)
}
start_engine
wait_for "$TMP/engine.log" "listening on"
collector "$TMP/collect.log"
get 8080 20
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
get 8081 10
sleep 0.5
kill -TERM "$COL"
wait "$COL" || fail "collector exited $?"
wait_for "$TMP/engine.log" "ended"
kill -TERM "$ENG"
wait "$ENG" || fail "engine exited $?"
a=$(flows_on 8080) b=$(flows_on 8081)
[ "$a" = 20 ] && [ "$b" = 10 ] || fail "after restart: 8080 $a flows (want 20), 8081 $b (want 10)"
pass "kill -9 lost nothing flushed; the restarted engine went on: 20 + 10 flows"
