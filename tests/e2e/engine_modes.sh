#!/usr/bin/env bash
# Modes change while the engine runs, no restart:
#  - web learns in discover (its config mode);
#  - `policy mode web monitor`: the engine logs the change within a second,
#    `policy show` lists it, and connections to a port web never used are
#    violations, learned nothing;
#  - `policy mode web config`: back to discover, the same port is learned
#    and raises nothing more;
#  - an unknown service or mode word: exit 2, nothing changed;
#  - learn.auto_monitor: on a fresh model, once web's readiness has stayed
#    under the bound for 1 s with 6 flows, the engine moves it to monitor by
#    itself, logging the evidence; then a new port is a violation (this
#    engine takes its endpoint, alerts file and flush from the config).
# Traffic stays on the loopback of a private network namespace.
source "$(dirname "$0")/_lib.sh"
NS="hbM$$"
source "$(dirname "$0")/_live.sh"
live_setup 8080 8081
cat >"$TMP/c.yaml" <<'YAML'
mode: discover
services:
  web:
    members:
      - {ip: 127.0.0.1, ports: [8080, 8081], proto: tcp}
flows:
  timeouts: {tcp_closed: 1}
YAML
alerts() { grep -c '"event_type":"alert"' "$TMP/alerts.json" 2>/dev/null || true; }
SOCK="ipc://$TMP/engine.sock"
"$HABIT" engine --model "$TMP/m.db" --listen "$SOCK" --config "$TMP/c.yaml" --flush 1 \
  --alerts "$TMP/alerts.json" 2>"$TMP/engine.log" &
ENG=$!; PIDS+=($ENG)
wait_for "$TMP/engine.log" "listening on"
collector "$TMP/collect.log"
get 8080 5
until_flows 8080 5
pass "discover (config): 5 flows learned"

"$HABIT" policy mode --model "$TMP/m.db" web monitor --why "test: enough learning" >/dev/null
wait_for "$TMP/engine.log" "service web: discover -> monitor (test: enough learning)"
"$HABIT" policy show --model "$TMP/m.db" | grep -c '"web": {mode: monitor, since: ".*", why: "test: enough learning"}' >/dev/null ||
  fail "policy show does not list the run-time mode"
get 8081 3
for _ in $(seq 100); do [ "$(alerts)" = 3 ] && break; sleep 0.1; done
[ "$(alerts)" = 3 ] || fail "monitor: $(alerts) alerts, want 3 (one per new connection)"
[ "$(grep -c '"signature_id":1001' "$TMP/alerts.json")" = 3 ] || fail "not 1001 violations"
grep -q '"mode":"monitor"' "$TMP/alerts.json" || fail "alerts do not say monitor"
[ "$(flows_on 8081)" = 0 ] || fail "monitor learned port 8081"
pass "monitor (run time): 3 violations on port 8081, nothing learned"

"$HABIT" policy mode --model "$TMP/m.db" web config >/dev/null
wait_for "$TMP/engine.log" "service web: back to the config's mode"
! "$HABIT" policy show --model "$TMP/m.db" | grep -c '^modes:' >/dev/null || fail "the mode was not removed"
get 8081 2
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

# Automatic move to monitor, on a fresh model.
rm -f "$TMP/m.db"* "$TMP/alerts.json"
# (the engine's endpoint, alerts file and flush from the config this time)
printf 'learn:\n  auto_monitor: 1\n  auto_monitor_flows: 6\n' >>"$TMP/c.yaml"
printf 'engine:\n  listen: %s\n  alerts: %s\n  flush: 1\n' "$SOCK" "$TMP/alerts.json" >>"$TMP/c.yaml"
"$HABIT" engine --model "$TMP/m.db" --config "$TMP/c.yaml" 2>"$TMP/engine2.log" &
ENG=$!; PIDS+=($ENG)
wait_for "$TMP/engine2.log" "listening on"
collector "$TMP/collect2.log"
get 8080 6
wait_for "$TMP/engine2.log" "service web: discover -> monitor (ready: p_new 0.0000 < 0.01 over 6 flows (0 seen once) for 1 s)"
[ "$(alerts)" = 0 ] || fail "alerts while learning: $(alerts)"
get 8081 1
for _ in $(seq 100); do [ "$(alerts)" = 1 ] && break; sleep 0.1; done
[ "$(alerts)" = 1 ] && grep -q '"dest_port":8081' "$TMP/alerts.json" || fail "after the move: $(alerts) alerts"
kill -TERM "$COL"; wait "$COL" || fail "collector exited $?"
kill -TERM "$ENG"; wait "$ENG" || fail "engine exited $?"
pass "auto_monitor: ready for 1 s with 6 flows -> monitor, evidence logged; new port -> violation"
