#!/usr/bin/env bash
# A threat mid-flow ends with a reset of both ends, between two network
# namespaces (client 10.199.0.1 and fd00:199::1, server 10.199.0.2 and
# fd00:199::2 with a keep-alive HTTP server on 8080, both families):
#  - discover: `collect net` -> `engine` learn client -> server tcp/8080;
#  - protect (`policy mode`), `enforce net --engine` in the server's
#    namespace, no model file: before the engine runs it has no policy, and
#    with enforce.no_policy: closed a new connection is refused; once the
#    engine (--enforcers) publishes its compiled policy, the learned edge
#    connects. The enforcer takes the engine's orders: on one kept-alive
#    connection, a normal request is answered; a request with SQL injection
#    makes the collector raise threat 3020, the engine orders a reset, and
#    the next request on that connection fails with a reset (client side)
#    while the server's socket is reset too (server side); tcpdump sees the
#    two resets with correct checksums; alert and verdict say so;
#  - a new connection (a learned edge) still works, and a connection with
#    no threat is never reset; the same attack over IPv6 is reset too;
#  - the enforcer's decisions (--report) are alerts of the engine;
#  - back to monitor: a new policy version reaches the enforcer; the same
#    attack is alerted ("allowed"), nothing reset.
# Traffic stays between the two namespaces.
source "$(dirname "$0")/_lib.sh"
command -v iptables >/dev/null || fail "needs iptables"
command -v tcpdump >/dev/null || fail "needs tcpdump"
source "$(dirname "$0")/_pair.sh"
pair_up hr 10.199.0 fd00:199
# No checksum offload on the veths: what tcpdump sees is what was sent.
ip netns exec "$NA" ethtool -K "$VA" tx off rx off >/dev/null 2>&1 || true
ip netns exec "$NB" ethtool -K "$VB" tx off rx off >/dev/null 2>&1 || true

# A keep-alive HTTP server that logs how each connection ended.
cat >"$TMP/server.py" <<'PY'
import socket, sys, threading, time
log = open(sys.argv[1], "a", buffering=1)
def serve(c, a):
    buf = b""
    try:
        while True:
            d = c.recv(65536)
            if not d:
                log.write(f"eof {a[1]}\n"); return
            buf += d
            while b"\r\n\r\n" in buf:
                head, buf = buf.split(b"\r\n\r\n", 1)
                log.write(f"request {a[1]} {head.split(b' ')[1].decode(errors='replace')}\n")
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")
    except ConnectionResetError:
        log.write(f"reset {a[1]} {time.monotonic():.3f}\n")
    finally:
        c.close()
addr = sys.argv[2]
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, 8080)); s.listen(16)
while True:
    c, a = s.accept()
    threading.Thread(target=serve, args=(c, a), daemon=True).start()
PY
for addr in 10.199.0.2 fd00:199::2; do
  ip netns exec "$NB" "$PY" "$TMP/server.py" "$TMP/server.log" "$addr" >/dev/null 2>&1 &
  PIDS+=($!)
done
# client.py PATH... : one connection, one request per path, a pause between.
cat >"$TMP/client.py" <<'PY'
import os, socket, sys, time
try:
    c = socket.create_connection((os.environ.get("HOST", "10.199.0.2"), 8080), 2)
except OSError as e:
    print(f"connect-failed {type(e).__name__}"); sys.exit(0)
c.settimeout(3)
print(f"port {c.getsockname()[1]}", flush=True)
for path in sys.argv[1:]:
    print(f"send {path} {time.monotonic():.3f}", flush=True)
    try:
        c.sendall(f"GET {path} HTTP/1.1\r\nHost: srv\r\nUser-Agent: t\r\n\r\n".encode())
        r = c.recv(4096)
        print("answered" if r.startswith(b"HTTP/1.1 200") else f"closed {r!r}", flush=True)
    except ConnectionResetError:
        print("reset", flush=True); break
    except OSError as e:
        print(f"error {type(e).__name__}", flush=True); break
    time.sleep(2)
PY
client() { ip netns exec "$NA" "$PY" "$TMP/client.py" "$@"; }
client6() { HOST=fd00:199::2 ip netns exec "$NA" "$PY" "$TMP/client.py" "$@"; }
for _ in $(seq 50); do [ "$(client / | tail -1)" = answered ] && break; sleep 0.1; done
for _ in $(seq 50); do [ "$(client6 / | tail -1)" = answered ] && break; sleep 0.1; done

cat >"$TMP/c.yaml" <<'YAML'
services:
  srv:
    members:
      - ip: 10.199.0.2
      - ip: fd00:199::2
  cli:
    members:
      - ip: 10.199.0.1
      - ip: fd00:199::1
flows:
  timeouts: {tcp_closed: 1}
enforce:
  no_policy: closed
YAML
M="$TMP/m.db"
SOCK="ipc://$TMP/e.sock" ORDERS="ipc://$TMP/orders.sock"
start_engine() {
  "$HABIT" engine --config "$TMP/c.yaml" --model "$M" --listen "$SOCK" --flush 1 \
    --alerts "$TMP/alerts.json" "$@" 2>"$TMP/engine.log" &
  ENG=$!
  PIDS+=($ENG)
  wait_for "$TMP/engine.log" "listening on"
}
start_collector() {
  ip netns exec "$NB" "$HABIT" collect net --iface "$VB" --connect "$SOCK" \
    --config "$TMP/c.yaml" 2>"$TMP/net.log" &
  COL=$!
  PIDS+=($COL)
  wait_for "$TMP/net.log" "capturing on"
  sleep 0.3
}
start_engine
start_collector
for _ in 1 2 3; do client /index.html /about >/dev/null; done
sleep 2
kill -TERM "$COL"; wait "$COL" || true
kill -TERM "$ENG"; wait "$ENG" || fail "engine exited $?"
"$HABIT" policy show --model "$M" >"$TMP/show"
grep -q "port: 8080" "$TMP/show" || fail "no 8080 edge learned: $(cat "$TMP/show")"
pass "discover: cli -> srv tcp/8080 learned"

"$HABIT" policy mode --model "$M" srv protect >/dev/null
: >"$TMP/alerts.json"
# The enforcer first, with no model file: until the engine's policy comes,
# the config says closed.
ip netns exec "$NB" "$HABIT" enforce net --config "$TMP/c.yaml" \
  --engine "$ORDERS" --report "$SOCK" --output "$TMP/verdicts.json" 2>"$TMP/enforce.log" &
ENF=$!
PIDS+=($ENF)
wait_for "$TMP/enforce.log" "taking the policy and orders from"
out=$(client / | tail -1)
[[ $out == connect-failed* ]] || fail "no policy yet, fail-closed: $out"
pass "no policy yet (enforce.no_policy: closed): a new connection is refused ($out)"
start_engine --enforcers "$ORDERS"
grep -q "orders for enforcers on $ORDERS" "$TMP/engine.log" || fail "$(cat "$TMP/engine.log")"
wait_for "$TMP/enforce.log" "policy version"
grep -q "policy version [0-9]* from $ORDERS: [0-9]* services, [1-9][0-9]* edges" "$TMP/enforce.log" ||
  fail "policy: $(grep policy "$TMP/enforce.log")"
start_collector
[ "$(client / | tail -1)" = answered ] || fail "the learned edge under the engine's policy"
pass "the engine's compiled policy arrived: the learned edge connects"
sleep 0.5
ip netns exec "$NA" tcpdump -i "$VA" --immediate-mode -w "$TMP/a.pcap" -U 'tcp port 8080' 2>/dev/null &
TD=$!
PIDS+=($TD)
sleep 1

# A clean kept-alive connection is never touched.
out=$(client / /a /b)
[ "$(grep -c answered <<<"$out")" = 3 ] || fail "clean connection: $out"
pass "protect: a clean connection answers 3 requests on one connection"

: >"$TMP/server.log"
ATTACK="/item?id=1%27%20UNION%20SELECT%20username%2Cpassword%20FROM%20users--"
out=$(client / "$ATTACK" /after /after2)
port=$(sed -n 's/^port //p' <<<"$out")
grep -q "^reset$" <<<"$out" || fail "the attacked connection was not reset: $out
$(cat "$TMP/enforce.log")"
grep -c "/after" "$TMP/server.log" >/dev/null && fail "a request after the reset reached the server: $(cat "$TMP/server.log")"
for _ in $(seq 30); do grep -q "reset $port" "$TMP/server.log" && break; sleep 0.1; done
grep -q "reset $port" "$TMP/server.log" || fail "the server's end was not reset: $(cat "$TMP/server.log")"
# The server's end was reset while the client was quiet, before its next
# request: the probes made both ends speak.
t_reset=$(sed -n "s/^reset $port //p" "$TMP/server.log")
t_next=$(sed -n 's|^send /after ||p' <<<"$out")
awk -v r="$t_reset" -v n="$t_next" 'BEGIN{exit !(r < n)}' ||
  fail "the server was reset at $t_reset, not before the client's next request at $t_next"
pass "protect: SQL injection mid-flow -> both ends reset, the server $(awk -v r="$t_reset" -v n="$t_next" 'BEGIN{printf "%.2f", n - r}') s before the client spoke again ($(grep -v '^send' <<<"$out" | tr '\n' ' '))"

grep -q "\"action\":\"blocked\",\"gid\":1,\"signature_id\":3020" "$TMP/alerts.json" ||
  fail "no blocked 3020 alert: $(cat "$TMP/alerts.json")"
grep -q "\"action\":\"blocked\",\"what\":\"connection\".*\"src_port\":$port.*\"how\":\"reset\",\"signature_id\":3020" \
  "$TMP/verdicts.json" || fail "no reset verdict: $(cat "$TMP/verdicts.json")"
lat=$(sed -n 's/.*in force \([0-9.]*\) ms after the packet/\1/p' "$TMP/enforce.log")
[ -n "$lat" ] || fail "no order taken: $(cat "$TMP/enforce.log")"
pass "the alert says blocked, the enforcer's verdict says reset (order in force $lat ms after the packet)"
# The enforcer's decisions reach the engine as events: the refusal it made
# before the engine ran (queued until the engine bound) and the reset.
for _ in $(seq 30); do grep -q "connection reset by habit enforce net" "$TMP/alerts.json" && break; sleep 0.1; done
grep -q "\"src_port\":$port,.*\"action\":\"blocked\",\"gid\":1,\"signature_id\":3020,\"rev\":1,\"signature\":\"connection reset by habit enforce net: SQL injection" \
  "$TMP/alerts.json" || fail "the reset did not reach the engine: $(grep -c . "$TMP/alerts.json") alerts"
grep -q "\"action\":\"blocked\",\"gid\":1,\"signature_id\":1001,\"rev\":1,\"signature\":\"connection refused by habit enforce net: cli -> srv tcp/8080 is not a learned edge\"" \
  "$TMP/alerts.json" || fail "the refusal did not reach the engine: $(grep 1001 "$TMP/alerts.json")"
pass "the enforcer's decisions (the refusal, the reset) are alerts of the engine"

kill -INT "$TD"; wait "$TD" 2>/dev/null || true
tcpdump -nn -vv -r "$TMP/a.pcap" "tcp[tcpflags] & tcp-rst != 0 and tcp port $port" \
  >"$TMP/rst.txt" 2>/dev/null || true
n_rst=$(grep -c "Flags \[R" "$TMP/rst.txt" || true)
[ "$n_rst" -ge 1 ] || fail "no reset seen at the client: $(tcpdump -nn -r "$TMP/a.pcap" 2>&1 | tail -12)"
grep -c "incorrect" "$TMP/rst.txt" >/dev/null && fail "a reset with a bad checksum: $(cat "$TMP/rst.txt")"
grep -c "cksum 0x[0-9a-f]* (correct)" "$TMP/rst.txt" >/dev/null || fail "checksums not checked: $(cat "$TMP/rst.txt")"
pass "the client's end got $n_rst reset(s), checksums correct"

# The learned edge still connects: only that connection was reset.
[ "$(client / | tail -1)" = answered ] || fail "a new connection after the reset failed"
pass "protect: a new connection after the reset works"

out=$(client6 / "${ATTACK/users/orders}" /after6)
port6=$(sed -n 's/^port //p' <<<"$out")
grep -q "^reset$" <<<"$out" || fail "IPv6: the attacked connection was not reset: $out
$(tail -3 "$TMP/enforce.log")"
for _ in $(seq 30); do grep -q "reset $port6" "$TMP/server.log" && break; sleep 0.1; done
grep -q "reset $port6" "$TMP/server.log" || fail "IPv6: the server's end was not reset"
grep -c "/after6" "$TMP/server.log" >/dev/null && fail "IPv6: a request after the reset reached the server"
grep -q "order to reset fd00:199::1:$port6 -> fd00:199::2:8080 (threat 3020)" "$TMP/enforce.log" ||
  fail "IPv6: no order: $(grep order "$TMP/enforce.log")"
pass "protect over IPv6: SQL injection mid-flow -> both ends reset (ip6tables, raw IPv6)"

"$HABIT" policy mode --model "$M" srv monitor >/dev/null
for _ in $(seq 50); do [ "$(grep -c 'policy version' "$TMP/enforce.log")" -ge 2 ] && break; sleep 0.1; done
[ "$(grep -c 'policy version' "$TMP/enforce.log")" -ge 2 ] || fail "no new policy version after the mode change"
sleep 0.3
out=$(client / "${ATTACK/users/accounts}" /after)
[ "$(grep -c answered <<<"$out")" = 3 ] || fail "monitor: the attack was blocked: $out"
for _ in $(seq 30); do [ "$(grep -c '"signature_id":3020' "$TMP/alerts.json")" -ge 2 ] && break; sleep 0.1; done
tail -1 "$TMP/alerts.json" | grep -c '"action":"allowed","gid":1,"signature_id":3020.*"mode":"monitor"' >/dev/null ||
  fail "monitor: no allowed 3020 alert: $(tail -2 "$TMP/alerts.json")"
pass "monitor (no restart): the attack is alerted, allowed, not reset"

kill -TERM "$ENF"; wait "$ENF" || fail "enforcer exited $?: $(tail -2 "$TMP/enforce.log")"
grep -q "messages from the engine [0-9]* (missed 0, refused 0); connections ordered reset 2" \
  "$TMP/enforce.log" || fail "summary: $(tail -1 "$TMP/enforce.log")"
grep -q "decisions reported 3 (dropped 0)" "$TMP/enforce.log" || fail "summary: $(tail -1 "$TMP/enforce.log")"
ip netns exec "$NB" iptables -S | grep -c HABIT >/dev/null && fail "rules left: $(ip netns exec "$NB" iptables -S)"
kill -TERM "$COL" "$ENG"; wait "$ENG" || fail "engine exited $?"
grep -q "resets ordered 2; policy versions [1-9][0-9]* (published [1-9][0-9]*); orders sent [1-9][0-9]*, failed 0; enforcers' decisions 3" "$TMP/engine.log" || fail "engine summary: $(tail -1 "$TMP/engine.log")"
ip netns exec "$NB" ip6tables -S | grep -c HABIT >/dev/null && fail "IPv6 rules left"
pass "SIGTERM: summaries count the two orders, policy versions; no rule left"
