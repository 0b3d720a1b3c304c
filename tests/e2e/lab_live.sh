#!/usr/bin/env bash
# The microservice lab (datasets/lab), live, end to end: nginx + a Python
# app, Redis and PostgreSQL in network namespaces, each service in its own
# cgroup. `habit engine` takes three collectors over ipc:// — network on
# the lab's bridge, processes (netlink), files (fanotify on /etc) — with a
# config that names web, cache and db by address and by cgroup.
#  1. Discover: normal traffic is learned — edges, programs, file accesses.
#  2. Live and replay agree: tcpdump recorded the same traffic; `habit
#     replay` of it learns the same network whitelist (`policy show
#     --network`, times aside). The engine is stopped first — it folds the
#     connections-per-minute counts of minutes still open, as a replay does
#     at the end of its capture — and started again on the model; the
#     collectors reconnect by themselves.
#  3. Monitor (`policy mode` at run time, no restart): normal traffic
#     raises nothing; then each attack raises its alert —
#       shell in a service    -> 1101 process violation in web, with the tree
#       write under /etc      -> 1201 file violation in web
#       connection to a host  -> 1001 network violation web -> 10.77.0.200
#       nmap scan from a pod  -> 3001 port scan and 3050 attack tool.
#  4. Protect web (`policy mode`), with `enforce proc` and `enforce net`
#     (in web's namespace) following the engine's compiled policy: normal
#     traffic is all answered; the shell fails to start (Operation not
#     permitted); the connection to a new host is refused and the host
#     sees nothing; SQL injection on a kept-alive connection to web gets
#     the connection reset; back to monitor, all works again.
# Traffic stays inside the lab's namespaces (10.77.0.0/24).
source "$(dirname "$0")/_lib.sh"
LAB="$HABIT_SRC/datasets/lab/lab.sh"
LABDIR=$(mktemp -d /tmp/habit-lab-e2e.XXXXXX)
chmod 755 "$LABDIR"
export HABIT_LAB_DIR="$LABDIR/lab"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$LAB" record stop >/dev/null 2>&1 || true
  "$LAB" down >/dev/null 2>&1 || true
  rm -rf "$TMP" "$LABDIR"
}
trap cleanup EXIT

wait_for() {
  for _ in $(seq 200); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "no '$2' in $1: $(tail -3 "$1" 2>/dev/null)"
}

# settle DB: until `policy show --network` of DB stays the same for 2 s
# (flows end 1 s after their FIN; the engine writes each second).
settle() {
  local last="" now same=0
  for _ in $(seq 60); do
    sleep 1
    now=$("$HABIT" policy show --network --model "$1" 2>/dev/null | md5sum)
    if [ "$now" = "$last" ]; then same=$((same + 1)); else same=0; fi
    [ "$same" -ge 2 ] && return 0
    last=$now
  done
  fail "the model $1 never settled"
}

# expect_alert ID TEXT: an alert with that signature id whose line holds
# TEXT arrives within 15 s.
expect_alert() {
  for _ in $(seq 150); do
    grep "\"signature_id\":$1," "$TMP/alerts.json" 2>/dev/null | grep -cF -- "$2" >/dev/null && return 0
    sleep 0.1
  done
  fail "no alert $1 with '$2'; alerts: $(cut -c1-400 "$TMP/alerts.json")"
}

alerts_now() { [ -f "$TMP/alerts.json" ] && wc -l <"$TMP/alerts.json" || echo 0; }

"$LAB" up
cat >"$TMP/c.yaml" <<'YAML'
mode: discover
services:
  web:
    members:
      - ip: 10.77.0.10
      - cgroup: "*/habit-lab/web"
  cache:
    members:
      - ip: 10.77.0.20
      - cgroup: "*/habit-lab/cache"
  db:
    members:
      - ip: 10.77.0.30
      - cgroup: "*/habit-lab/db"
flows:
  timeouts: {tcp_closed: 1}
YAML
SOCK="ipc://$TMP/engine.sock" ORDERS="ipc://$TMP/orders.sock"
# engine LOG: start the engine on the live model, until it listens.
engine() {
  "$HABIT" engine --config "$TMP/c.yaml" --model "$TMP/live.db" --listen "$SOCK" \
    --enforcers "$ORDERS" --alerts "$TMP/alerts.json" --flush 1 2>"$1" &
  ENG=$!
  PIDS+=($ENG)
  wait_for "$1" "listening on"
}
engine "$TMP/engine0.log"
"$LAB" exec sw "$HABIT" collect net --iface br0 --connect "$SOCK" --config "$TMP/c.yaml" \
  2>"$TMP/net.log" &
NET=$!
"$HABIT" collect proc --connect "$SOCK" 2>"$TMP/proc.log" &
PROC=$!
"$HABIT" collect file --watch /etc --connect "$SOCK" 2>"$TMP/file.log" &
FILE=$!
PIDS+=($NET $PROC $FILE)
wait_for "$TMP/net.log" "capturing on"
wait_for "$TMP/proc.log" "listening"
wait_for "$TMP/file.log" "watching"
sleep 0.5

# 1. Discover.
"$LAB" record start "$TMP/lab.pcap"
"$LAB" traffic 60 >/dev/null
settle "$TMP/live.db"
"$LAB" record stop >/dev/null
"$HABIT" policy show --model "$TMP/live.db" >"$TMP/live-full.yaml"
for want in 'from: "10.77.0.100"' 'to: "web"' 'app: "http"' 'app: "redis"' 'app: "postgresql"'; do
  grep -qF "$want" "$TMP/live-full.yaml" || fail "learned no '$want': $(cat "$TMP/live-full.yaml")"
done
for want in 'service: "web", exe: "/usr/sbin/nginx"' 'service: "web", exe: "/usr/bin/python3' \
            'service: "cache", exe: "/usr/bin/redis-' 'service: "db", exe: "/usr/lib/postgresql/15/bin/postgres"'; do
  grep -qF "$want" "$TMP/live-full.yaml" || fail "no process '$want': $(sed -n '/^processes:/,$p' "$TMP/live-full.yaml" | head -40)"
done
[ "$(alerts_now)" = 0 ] || fail "discover raised alerts: $(cat "$TMP/alerts.json")"
pass "discover: $(grep -c '^  - from' "$TMP/live-full.yaml") edges, $(grep -c '^  - {service: "\(web\|cache\|db\)", exe' "$TMP/live-full.yaml") lab programs and file accesses, no alert"

# 2. Live and replay agree on the network whitelist.
kill -TERM "$ENG"
wait "$ENG" || fail "engine exited $?: $(tail -3 "$TMP/engine0.log")"
"$HABIT" replay -q --config "$TMP/c.yaml" --model "$TMP/replay.db" --mode discover "$TMP/lab.pcap"
untimed() { tail -n +2 | grep -Ev '^ *(first_seen|last_seen|duration_ms):'; }
"$HABIT" policy show --network --model "$TMP/live.db" | untimed >"$TMP/live.yaml"
"$HABIT" policy show --network --model "$TMP/replay.db" | untimed >"$TMP/replay.yaml"
diff -u "$TMP/replay.yaml" "$TMP/live.yaml" >"$TMP/diff" ||
  fail "live and replay differ: $(head -40 "$TMP/diff")"
pass "live and replay learned the same network whitelist ($(grep -c '^  - from' "$TMP/live.yaml") edges, $(capinfos -c -M "$TMP/lab.pcap" | awk '/packets/ {print $NF}') packets)"

# 3. Monitor, set while the (restarted) engine runs.
engine "$TMP/engine.log"
sleep 1
for s in web cache db; do
  "$HABIT" policy mode --model "$TMP/live.db" "$s" monitor --why "lab: learned" >/dev/null
done
wait_for "$TMP/engine.log" "service db: discover -> monitor"
"$LAB" traffic 20 >/dev/null
settle "$TMP/live.db"
sleep 2
[ "$(alerts_now)" = 0 ] || fail "normal traffic in monitor raised: $(cut -c1-600 "$TMP/alerts.json")"
pass "monitor: normal traffic raises nothing"

"$LAB" attack shell >/dev/null
expect_alert 1101 '"service":"web"'
grep '"signature_id":1101,' "$TMP/alerts.json" | grep -c '"parent_exe":"/usr/bin/python3' >/dev/null ||
  fail "the shell's alert does not name python as its parent: $(grep 1101 "$TMP/alerts.json")"
grep '"signature_id":1101,' "$TMP/alerts.json" | grep -c '"tree":\[{"pid":[0-9]*,"exe":"/usr/bin/python3' >/dev/null ||
  fail "no process tree up from python: $(grep 1101 "$TMP/alerts.json")"
pass "shell in web: 1101 with its tree"

"$LAB" attack etcwrite >/dev/null
expect_alert 1201 '"path":"/etc/habit-lab-pwned"'
grep '"signature_id":1201,' "$TMP/alerts.json" | grep habit-lab-pwned | grep -c '"service":"web"' >/dev/null ||
  fail "the /etc write is not web's: $(grep 1201 "$TMP/alerts.json")"
pass "write under /etc: 1201 in web"

"$LAB" attack newhost >/dev/null
expect_alert 1001 '"dest_ip":"10.77.0.200"'
grep '"signature_id":1001,' "$TMP/alerts.json" | grep '10.77.0.200' | grep -c '"src_service":"web"' >/dev/null ||
  fail "the new host's alert is not web's: $(grep 10.77.0.200 "$TMP/alerts.json")"
pass "connection to a new host: 1001 web -> 10.77.0.200:9000"

"$LAB" attack scan >/dev/null
expect_alert 3050 'attack tool executed: nmap'
expect_alert 3001 '"dest_ip":"10.77.0.30"'
pass "nmap scan: 3050 (tool) and 3001 (port scan of db)"

# Every alert is one of the attacks': nothing else was raised.
python3 - "$TMP/alerts.json" <<'PY' || fail "unexpected alerts"
import json, sys
bad = []
for line in open(sys.argv[1]):
    a = json.loads(line)
    sid = a["alert"]["signature_id"]
    ok = (sid in (1101, 1201) and a.get("service") == "web") or sid == 3050 \
        or (sid == 1001 and a.get("dest_ip") == "10.77.0.200") \
        or (sid in (3001, 3003) and a.get("dest_ip") == "10.77.0.30")
    if not ok:
        bad.append(line.strip()[:300])
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY

# 4. Protect web, the enforcers following the engine's compiled policy:
#    enforce proc on the host (fanotify), enforce net in web's namespace.
"$HABIT" enforce proc --engine "$ORDERS" --config "$TMP/c.yaml" \
  --output "$TMP/proc-verdicts.json" 2>"$TMP/enforce-proc.log" &
EPROC=$!
"$LAB" exec web "$HABIT" enforce net --engine "$ORDERS" --config "$TMP/c.yaml" --report "$SOCK" \
  --output "$TMP/net-verdicts.json" 2>"$TMP/enforce-net.log" &
ENET=$!
PIDS+=($EPROC $ENET)
wait_for "$TMP/enforce-proc.log" "policy version"
wait_for "$TMP/enforce-net.log" "policy version"
# versions LOG: how many policies an enforcer has taken.
versions() { grep -c "policy version" "$1" || true; }
vp=$(versions "$TMP/enforce-proc.log") vn=$(versions "$TMP/enforce-net.log")
"$HABIT" policy mode --model "$TMP/live.db" web protect --why "lab: protect" >/dev/null
wait_for "$TMP/engine.log" "service web: monitor -> protect"
for _ in $(seq 100); do
  [ "$(versions "$TMP/enforce-proc.log")" -gt "$vp" ] && [ "$(versions "$TMP/enforce-net.log")" -gt "$vn" ] && break
  sleep 0.1
done
[ "$(versions "$TMP/enforce-net.log")" -gt "$vn" ] || fail "enforce net got no new policy"
[ "$(versions "$TMP/enforce-proc.log")" -gt "$vp" ] || fail "enforce proc got no new policy"
"$LAB" traffic 10 >/dev/null || fail "normal traffic failed with web in protect"
pass "protect: the enforcers took the engine's new policy ($(grep -o '[0-9]* services, .* bytes' "$TMP/enforce-net.log" | tail -1)); normal traffic (50 requests) all answered"

lab_curl() { "$LAB" exec client curl -sS --noproxy '*' -m 10 "$@" 2>&1 || true; }
out=$(lab_curl "http://10.77.0.10/debug/run?cmd=id")
grep -q "Operation not permitted" <<<"$out" || fail "shell in web in protect: $out"
grep -q '"what":"exec","service":"web","exe":"/usr/bin/[a-z]*sh"' "$TMP/proc-verdicts.json" ||
  fail "no exec verdict: $(cat "$TMP/proc-verdicts.json")"
pass "protect: the shell in web never starts ($(grep -o '"detail": "[^"]*"' <<<"$out"))"

other_log="$HABIT_LAB_DIR/log/other.log"
before=$(grep -c '"GET ' "$other_log" || true)
out=$(lab_curl "http://10.77.0.10/fetch?url=http://10.77.0.200:9000/")
grep -q "Connection refused" <<<"$out" || fail "SSRF in protect: $out"
[ "$(grep -c '"GET ' "$other_log" || true)" = "$before" ] || fail "the new host saw the connection"
grep -q '"dest_ip":"10.77.0.200","dest_port":9000' "$TMP/net-verdicts.json" ||
  fail "no connection verdict: $(cat "$TMP/net-verdicts.json")"
pass "protect: web's connection to a new host is refused at once; the host saw nothing"

cat >"$TMP/keepalive.py" <<'PY'
import socket, sys, time
c = socket.create_connection(("10.77.0.10", 80), 3)
c.settimeout(5)
for path in sys.argv[1:]:
    try:
        c.sendall(f"GET {path} HTTP/1.1\r\nHost: lab\r\n\r\n".encode())
        r = c.recv(65536)
        print("answered" if r.startswith(b"HTTP/1.1 ") else f"closed {r[:40]!r}", flush=True)
    except (ConnectionResetError, BrokenPipeError):
        print("reset", flush=True); break
    except OSError as e:
        print(f"error {type(e).__name__}", flush=True); break
    time.sleep(2)
PY
out=$("$LAB" exec client python3 "$TMP/keepalive.py" / \
  "/item?id=1%27%20UNION%20SELECT%20username%2Cpassword%20FROM%20users--" /)
[ "$(tr '\n' ' ' <<<"$out")" = "answered answered reset " ] ||
  fail "SQL injection on a kept-alive connection to web: $out; $(tail -3 "$TMP/enforce-net.log")"
expect_alert 3020 '"action":"blocked"'
grep -q '"how":"reset","signature_id":3020' "$TMP/net-verdicts.json" ||
  fail "no reset verdict: $(cat "$TMP/net-verdicts.json")"
pass "protect: SQL injection to web mid-flow -> the connection is reset ($(grep -o 'in force [0-9.]* ms' "$TMP/enforce-net.log"))"

"$HABIT" policy mode --model "$TMP/live.db" web monitor --why "lab: back" >/dev/null
vp=$(versions "$TMP/enforce-proc.log")
for _ in $(seq 100); do [ "$(versions "$TMP/enforce-proc.log")" -gt "$vp" ] && break; sleep 0.1; done
sleep 0.5
"$LAB" attack shell >/dev/null || fail "monitor again: the shell did not run"
"$LAB" attack newhost >/dev/null || fail "monitor again: the new host was not reached"
pass "back to monitor (no restart): the shell runs and the new host answers again"
kill -TERM "$EPROC" "$ENET"
wait "$EPROC" || fail "enforce proc exited $?: $(tail -2 "$TMP/enforce-proc.log")"
wait "$ENET" || fail "enforce net exited $?: $(tail -2 "$TMP/enforce-net.log")"
"$LAB" exec web iptables -S | grep -c HABIT >/dev/null && fail "rules left in web"

kill -TERM "$NET" "$PROC" "$FILE"
wait "$NET" "$PROC" "$FILE" || fail "a collector failed: $(tail -2 "$TMP/net.log" "$TMP/proc.log" "$TMP/file.log")"
wait_for "$TMP/engine.log" "(file) ended"
kill -TERM "$ENG"
wait "$ENG" || fail "engine exited $?: $(tail -3 "$TMP/engine.log")"
grep -q "process events: .*checked [1-9]" "$TMP/engine.log" || fail "no process checked: $(tail -1 "$TMP/engine.log")"
pass "engine: $(tail -1 "$TMP/engine.log" | sed 's/^habit: engine: //')"
