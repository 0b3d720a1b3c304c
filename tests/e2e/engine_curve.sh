#!/usr/bin/env bash
# Collectors authenticate to the engine with CURVE (habit keygen): the
# engine learns the flows of a collector whose key it lists, refuses and
# logs one whose key it does not know (learning none of its flows), and a
# plain collector gets nothing through either; the same for enforcers on the
# engine's enforcers socket. Key files are checked: a
# bad key names its file and line, keygen never overwrites. Traffic stays
# on the loopback of a private network namespace; the bus is ipc://.
source "$(dirname "$0")/_lib.sh"
NS="hbK$$"
source "$(dirname "$0")/_live.sh"
live_setup 8080 8081 8082
printf 'flows:\n  timeouts: {tcp_closed: 1}\n' >"$TMP/c.yaml"

cd "$TMP"
"$HABIT" keygen engine >/dev/null && "$HABIT" keygen good >/dev/null && "$HABIT" keygen bad >/dev/null
[ "$(stat -c %a engine.key)" = 600 ] || fail "secret key file is not 0600"
[ "$(wc -c <good.pub)" = 41 ] || fail "public key file is not one 40-character line"
set +e
"$HABIT" keygen good 2>"$TMP/e1"; rc1=$?
echo "not-a-key" >"$TMP/bad.list"
"$HABIT" engine --model "$TMP/x.db" --listen "ipc://$TMP/x.sock" --curve-secret engine.key \
  --curve-clients "$TMP/bad.list" 2>"$TMP/e2"; rc2=$?
set -e
[ $rc1 = 2 ] && grep -q "good.key: cannot create: File exists" "$TMP/e1" || fail "keygen overwrite: $rc1 $(cat "$TMP/e1")"
[ $rc2 = 2 ] && grep -q "bad.list:1: not a CURVE public key" "$TMP/e2" || fail "bad key list: $rc2 $(cat "$TMP/e2")"
pass "keygen: 0600 secret, refuses to overwrite; a bad key names its file and line"

SOCK="ipc://$TMP/engine.sock"
"$HABIT" engine --model "$TMP/m.db" --listen "$SOCK" --config "$TMP/c.yaml" --mode discover \
  --flush 1 --curve-secret engine.key --curve-clients good.pub 2>"$TMP/engine.log" &
ENG=$!; PIDS+=($ENG)
wait_for "$TMP/engine.log" "listening on"
# run_collector NAME PORT N [CURVE ARGS...]: capture while N requests go to PORT.
run_collector() {
  local name=$1 port=$2 n=$3
  shift 3
  collector "$TMP/$name.log" "$@"
  get "$port" "$n"
  sleep 2.5 # flows end (tcp_closed 1 s), are sent, would be learned (flush 1 s)
  kill -TERM "$COL"
  wait "$COL" || fail "$name collector exited $?"
}
run_collector good 8080 5 --curve-server engine.pub --curve-secret good.key
wait_for "$TMP/engine.log" "ended"
run_collector bad 8081 3 --curve-server engine.pub --curve-secret bad.key
wait_for "$TMP/engine.log" "refused key $(cat bad.pub)"
run_collector plain 8082 3
kill -TERM "$ENG"
wait "$ENG" || fail "engine exited $?"
a=$(flows_on 8080) b=$(flows_on 8081) c=$(flows_on 8082)
[ "$a" = 5 ] || fail "the listed collector's flows: $a, want 5"
[ "$b" = 0 ] && [ "$c" = 0 ] || fail "refused collectors got flows in: 8081 $b, 8082 $c"
grep -q "collectors ended 1," "$TMP/engine.log" || fail "engine heard from more than one collector: $(tail -1 "$TMP/engine.log")"
pass "CURVE: listed key learned (5 flows), unknown key refused and logged, plain refused"

# Enforcers are clients of the engine's enforcers socket like collectors:
# a listed key gets the compiled policy, an unknown key or none gets nothing.
"$HABIT" keygen enf >/dev/null
cat good.pub enf.pub >"$TMP/clients.list"
ORDERS="ipc://$TMP/orders.sock"
"$HABIT" engine --model "$TMP/m.db" --listen "$SOCK" --config "$TMP/c.yaml" --enforcers "$ORDERS" \
  --curve-secret engine.key --curve-clients "$TMP/clients.list" 2>"$TMP/engine2.log" &
ENG=$!; PIDS+=($ENG)
wait_for "$TMP/engine2.log" "orders for enforcers on $ORDERS"
# enforcer NAME [CURVE ARGS...]: enforce proc following the engine for 4 s.
enforcer() {
  local name=$1
  shift
  "$HABIT" enforce proc --engine "$ORDERS" --config "$TMP/c.yaml" --duration 4 "$@" \
    2>"$TMP/enf-$name.log" || fail "enforcer $name exited $?: $(tail -2 "$TMP/enf-$name.log")"
}
enforcer good --curve-server engine.pub --curve-secret enf.key
grep -q "policy version [0-9]* from $ORDERS" "$TMP/enf-good.log" ||
  fail "the listed enforcer got no policy: $(cat "$TMP/enf-good.log")"
enforcer bad --curve-server engine.pub --curve-secret bad.key
enforcer plain
! grep -h "policy version" "$TMP/enf-bad.log" "$TMP/enf-plain.log" >"$TMP/leaked" ||
  fail "a refused enforcer got a policy: $(cat "$TMP/leaked")"
grep -qF "refused key $(cat bad.pub)" "$TMP/engine2.log" || fail "the bad enforcer's key was not logged"
kill -TERM "$ENG"
wait "$ENG" || fail "engine exited $?"
rc=0
"$HABIT" enforce proc --engine "$ORDERS" --curve-server engine.pub 2>"$TMP/e3" || rc=$?
[ $rc = 2 ] && grep -q "go together" "$TMP/e3" || fail "half the CURVE options: $rc $(cat "$TMP/e3")"
pass "CURVE on the enforcers socket: a listed enforcer gets the policy, an unknown key and a plain one get nothing"
