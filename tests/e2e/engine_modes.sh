#!/usr/bin/env bash
# Modes change while the engine runs (habit policy mode), no restart:
#  - web learns in discover (its config mode);
#  - `policy mode web monitor`: the engine logs the change within a second,
#    `policy show` lists it, and connections to a port web never used are
#    violations, learned nothing;
#  - `policy mode web config`: back to discover, the same port is learned
#    and raises nothing more;
#  - an unknown service or mode word: exit 2, nothing changed.
# Traffic stays on the loopback of a private network namespace.
source "$(dirname "$0")/_lib.sh"
PY=$(command -v python3) || fail "needs python3"
NS="hbM$$"
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
if n == 0:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close(); sys.exit(0)
        except OSError:
            time.sleep(0.1)
    sys.exit(f"no server on {port}")
for _ in range(n):
    assert urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read() == b"ok\n"
PY
for port in 8080 8081; do ip netns exec "$NS" "$PY" "$TMP/get.py" "$port" 0; done
cat >"$TMP/c.yaml" <<'YAML'
mode: discover
services:
  web:
    members:
      - {ip: 127.0.0.1, ports: [8080, 8081], proto: tcp}
flows:
  timeouts: {tcp_closed: 1}
YAML
wait_for() {
  for _ in $(seq 150); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "no '$2' in $1: $(tail -3 "$1" 2>/dev/null)"
}
flows_on() {
  "$HABIT" policy show --model "$TMP/m.db" 2>/dev/null |
    awk -v p="$1" '/^  - from:/{e=0} $1=="port:" && $2==p {e=1} e && $1=="flows:" {n+=$2; e=0}
                   END {print n+0}'
}
until_flows() { # until_flows PORT N
  for _ in $(seq 100); do [ "$(flows_on "$1")" = "$2" ] && return 0; sleep 0.1; done
  fail "port $1: $(flows_on "$1") flows, want $2"
}
alerts() { grep -c '"event_type":"alert"' "$TMP/alerts.json" 2>/dev/null || true; }
SOCK="ipc://$TMP/engine.sock"
"$HABIT" engine --model "$TMP/m.db" --listen "$SOCK" --config "$TMP/c.yaml" --flush 1 \
  --alerts "$TMP/alerts.json" 2>"$TMP/engine.log" &
ENG=$!; PIDS+=($ENG)
wait_for "$TMP/engine.log" "listening on"
ip netns exec "$NS" "$HABIT" collect net --iface lo --connect "$SOCK" --config "$TMP/c.yaml" \
  2>"$TMP/collect.log" &
COL=$!; PIDS+=($COL)
wait_for "$TMP/collect.log" "capturing on"
sleep 0.3
ip netns exec "$NS" "$PY" "$TMP/get.py" 8080 5
until_flows 8080 5
pass "discover (config): 5 flows learned"

"$HABIT" policy mode --model "$TMP/m.db" web monitor --why "test: enough learning" >/dev/null
wait_for "$TMP/engine.log" "service web: discover -> monitor (test: enough learning)"
"$HABIT" policy show --model "$TMP/m.db" | grep -q '"web": {mode: monitor, since: ".*", why: "test: enough learning"}' ||
  fail "policy show does not list the run-time mode"
ip netns exec "$NS" "$PY" "$TMP/get.py" 8081 3
for _ in $(seq 100); do [ "$(alerts)" = 3 ] && break; sleep 0.1; done
[ "$(alerts)" = 3 ] || fail "monitor: $(alerts) alerts, want 3 (one per new connection)"
[ "$(grep -c '"signature_id":1001' "$TMP/alerts.json")" = 3 ] || fail "not 1001 violations"
grep -q '"mode":"monitor"' "$TMP/alerts.json" || fail "alerts do not say monitor"
[ "$(flows_on 8081)" = 0 ] || fail "monitor learned port 8081"
pass "monitor (run time): 3 violations on port 8081, nothing learned"

"$HABIT" policy mode --model "$TMP/m.db" web config >/dev/null
wait_for "$TMP/engine.log" "service web: back to the config's mode"
! "$HABIT" policy show --model "$TMP/m.db" | grep -q '^modes:' || fail "the mode was not removed"
ip netns exec "$NS" "$PY" "$TMP/get.py" 8081 2
until_flows 8081 2
[ "$(alerts)" = 3 ] || fail "discover again raised alerts: $(alerts)"
pass "back to the config (discover): port 8081 learned, no alert"

set +e
"$HABIT" policy mode --model "$TMP/m.db" nosuch monitor 2>"$TMP/e1"; rc1=$?
"$HABIT" policy mode --model "$TMP/m.db" web sleepy 2>"$TMP/e2"; rc2=$?
set -e
[ $rc1 = 2 ] && grep -q "no service named 'nosuch'" "$TMP/e1" || fail "unknown service: $rc1 $(cat "$TMP/e1")"
[ $rc2 = 2 ] && grep -q "'sleepy' is not a mode" "$TMP/e2" || fail "bad mode: $rc2 $(cat "$TMP/e2")"
kill -TERM "$COL"; wait "$COL" || fail "collector exited $?"
kill -TERM "$ENG"; wait "$ENG" || fail "engine exited $?"
pass "unknown service or mode: exit 2; engine and collector stopped cleanly"
