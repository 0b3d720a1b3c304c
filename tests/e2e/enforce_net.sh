#!/usr/bin/env bash
# habit enforce net, end to end, between two network namespaces (client
# 10.198.0.1 and fd00:198::1, server 10.198.0.2 and fd00:198::2 with HTTP
# on 8080 and a logging TCP listener on 9090, on both families):
#  - discover: `collect net` -> `engine` learn client -> server tcp/8080;
#  - protect (`policy mode`), `enforce net` in the server's namespace: the
#    learned connection works; one to 9090 fails at once (reset: connection
#    refused) and the listener never sees it; a verdict line says why; the
#    same over IPv6 (ip6tables): 8080 connects, 9090 is refused;
#  - back to monitor (no restart): 9090 connects;
#  - SIGTERM: the rules are gone (iptables -S shows no HABIT chain);
#  - kill -9 with --queue-bypass (fail-open): a watcher removes every rule,
#    new connections pass; without it (fail-closed) the rules stay and new
#    connections are dropped.
# Traffic stays between the two namespaces.
source "$(dirname "$0")/_lib.sh"
command -v iptables >/dev/null || fail "needs iptables"
source "$(dirname "$0")/_pair.sh"
pair_up hn 10.198.0 fd00:198

mkdir -p "$TMP/www" && echo "hello" >"$TMP/www/index.html"
for addr in 10.198.0.2 fd00:198::2; do
  ip netns exec "$NB" "$PY" -m http.server 8080 --bind "$addr" --directory "$TMP/www" \
    >/dev/null 2>&1 &
  PIDS+=($!)
done
cat >"$TMP/listen.py" <<'PY'
import socket, sys
addr = sys.argv[2]
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, 9090)); s.listen(16)
with open(sys.argv[1], "a", buffering=1) as log:
    while True:
        c, a = s.accept()
        log.write(f"accepted {a[0]}\n"); c.close()
PY
for addr in 10.198.0.2 fd00:198::2; do
  ip netns exec "$NB" "$PY" "$TMP/listen.py" "$TMP/9090.log" "$addr" >/dev/null 2>&1 &
  PIDS+=($!)
done
cat >"$TMP/connect.py" <<'PY'
import socket, sys, time
port, tries = int(sys.argv[1]), int(sys.argv[2])
host = sys.argv[3] if len(sys.argv) > 3 else "10.198.0.2"
for i in range(tries):
    t = time.monotonic()
    try:
        socket.create_connection((host, port), 2).close()
        print("connected"); continue
    except ConnectionRefusedError:
        print(f"refused {time.monotonic() - t:.3f}")
    except OSError as e:
        print(f"failed {type(e).__name__}")
    if tries == 0:
        break
PY
conn() { ip netns exec "$NA" "$PY" "$TMP/connect.py" "$1" "${2:-1}" "${3:-10.198.0.2}"; }
conn6() { conn "$1" 1 fd00:198::2; }
for _ in $(seq 50); do [ "$(conn 8080)" = connected ] && break; sleep 0.1; done
for _ in $(seq 50); do [ "$(conn 9090)" = connected ] && break; sleep 0.1; done
for _ in $(seq 50); do [ "$(conn6 8080)" = connected ] && break; sleep 0.1; done
for _ in $(seq 50); do [ "$(conn6 9090)" = connected ] && break; sleep 0.1; done
: >"$TMP/9090.log"

cat >"$TMP/c.yaml" <<'YAML'
services:
  srv:
    members:
      - ip: 10.198.0.2
      - ip: fd00:198::2
  cli:
    members:
      - ip: 10.198.0.1
      - ip: fd00:198::1
flows:
  timeouts: {tcp_closed: 1}
YAML
M="$TMP/m.db"
SOCK="ipc://$TMP/e.sock"
"$HABIT" engine --config "$TMP/c.yaml" --model "$M" --listen "$SOCK" --flush 1 2>"$TMP/engine.log" &
ENG=$!
PIDS+=($ENG)
wait_for "$TMP/engine.log" "listening on"
ip netns exec "$NB" "$HABIT" collect net --iface "$VB" --connect "$SOCK" --config "$TMP/c.yaml" \
  2>"$TMP/net.log" &
COL=$!
PIDS+=($COL)
wait_for "$TMP/net.log" "capturing on"
sleep 0.3
conn 8080 5 >/dev/null
sleep 3
kill -TERM "$COL"; wait "$COL" || true
kill -TERM "$ENG"; wait "$ENG" || fail "engine exited $?"
"$HABIT" policy show --model "$M" >"$TMP/show"
grep -q "port: 8080" "$TMP/show" || fail "no 8080 edge learned"
grep -q "port: 9090" "$TMP/show" && fail "9090 learned"
pass "discover: cli -> srv tcp/8080 learned"

"$HABIT" policy mode --model "$M" srv protect >/dev/null
enforcer() {
  ip netns exec "$NB" "$HABIT" enforce net --model "$M" --config "$TMP/c.yaml" \
    --output "$TMP/verdicts.json" "$@" 2>"$TMP/enforce.log" &
  ENF=$!
  PIDS+=($ENF)
  wait_for "$TMP/enforce.log" "enforcing on queue"
}
enforcer
[ "$(conn 8080)" = connected ] || fail "the learned connection was refused"
out=$(conn 9090)
[[ $out == refused* ]] || fail "9090 in protect: $out"
awk '{exit !($2 < 0.5)}' <<<"$out" || fail "9090 not refused at once: $out"
[ ! -s "$TMP/9090.log" ] || fail "the listener saw the refused connection: $(cat "$TMP/9090.log")"
grep -q '"action":"blocked","what":"connection","src_ip":"10.198.0.1".*"dest_port":9090' \
  "$TMP/verdicts.json" || fail "no verdict: $(cat "$TMP/verdicts.json")"
pass "protect: 8080 connects, 9090 $out (reset), the listener saw nothing"
[ "$(conn6 8080)" = connected ] || fail "IPv6: the learned connection was refused"
out=$(conn6 9090)
[[ $out == refused* ]] || fail "IPv6: 9090 in protect: $out"
[ ! -s "$TMP/9090.log" ] || fail "IPv6: the listener saw the refused connection"
grep -q '"dest_ip":"fd00:198::2","dest_port":9090' "$TMP/verdicts.json" ||
  fail "IPv6: no verdict: $(cat "$TMP/verdicts.json")"
pass "protect over IPv6 (ip6tables): 8080 connects, 9090 $out, the listener saw nothing"

"$HABIT" policy mode --model "$M" srv monitor >/dev/null
ok=""
for _ in $(seq 30); do [ "$(conn 9090)" = connected ] && { ok=1; break; }; sleep 0.1; done
[ -n "$ok" ] || fail "monitor did not restore 9090"
pass "monitor (no restart): 9090 connects"

kill -TERM "$ENF"; wait "$ENF" || fail "enforcer exited $?: $(tail -2 "$TMP/enforce.log")"
ip netns exec "$NB" iptables -S | grep -c HABIT >/dev/null && fail "rules left: $(ip netns exec "$NB" iptables -S)"
ip netns exec "$NB" ip6tables -S | grep -c HABIT >/dev/null && fail "IPv6 rules left: $(ip netns exec "$NB" ip6tables -S)"
grep -q "rules removed" "$TMP/enforce.log" || fail "no summary"
pass "SIGTERM: rules removed"

"$HABIT" policy mode --model "$M" srv protect >/dev/null
enforcer --queue-bypass
kill -TERM "$ENF"; wait "$ENF" || fail "fail-open enforcer exited $? on SIGTERM"
pgrep -f "enforce net --model $M" >/dev/null && fail "the watcher outlived a clean exit"
enforcer --queue-bypass
grep -q "rules removed even if killed" "$TMP/enforce.log" || fail "$(cat "$TMP/enforce.log")"
kill -9 "$ENF"; wait "$ENF" 2>/dev/null || true
# Fail-open: the watcher removes every rule the killed enforcer left.
for _ in $(seq 50); do
  n=$(ip netns exec "$NB" sh -c 'iptables -S; ip6tables -S' | grep -c HABIT || true)
  [ "$n" = 0 ] && break
  sleep 0.1
done
[ "$n" = 0 ] || fail "fail-open: rules left after kill -9: $(ip netns exec "$NB" iptables -S | grep HABIT)"
[ "$(conn 8080)" = connected ] || fail "fail-open: 8080 refused after kill -9"
[ "$(conn 9090)" = connected ] || fail "fail-open: 9090 refused after kill -9"
pass "kill -9, fail-open (--queue-bypass): no rule left behind, connections pass"
enforcer
kill -9 "$ENF"; wait "$ENF" 2>/dev/null || true
sleep 0.5
ip netns exec "$NB" iptables -S | grep -c HABIT-Q7361 >/dev/null || fail "fail-closed: the rules went"
out=$(conn 8080)
[ "$out" != connected ] || fail "fail-closed: 8080 connected after kill -9"
pass "kill -9, fail-closed: the rules stay and new connections fail ($out)"
