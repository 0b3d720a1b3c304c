#!/usr/bin/env bash
# habit enforce proc, end to end: a service "jail" named by its cgroup.
#  - discover: `collect proc` -> `engine` learn what jail runs (bash, true, id);
#  - protect (`policy mode`): with the enforcer up, jail runs what it learned,
#    and a program it never ran fails to start with "Operation not
#    permitted" (fanotify FAN_OPEN_EXEC_PERM); the same program outside jail
#    runs; the denial is reported (stderr and a JSON verdict line);
#  - jail's protected file (protected_files in the config): the program
#    that read it while learning still can (the file collector watched it),
#    cat in jail and cat outside jail get "Operation not permitted";
#  - back to monitor (`policy mode`, no restart): all run again;
#  - protect again, enforcer killed with -9: nothing is denied any more
#    (fanotify is fail-open: the kernel drops the marks with the group);
#  - --backend netlink (the fallback without fanotify permission events): a
#    program jail never ran is killed at exec (exit 137), learned ones run;
#  - bad usage: exit 2 with one line.
source "$(dirname "$0")/_lib.sh"
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then CGROOT=/sys/fs/cgroup
elif [ -d /sys/fs/cgroup/unified ]; then CGROOT=/sys/fs/cgroup/unified
else CGROOT=/sys/fs/cgroup/pids; fi
CG="$CGROOT/habit-e2e-jail$$"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rmdir "$CG" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
mkdir "$CG"
# injail SCRIPT: bash running SCRIPT inside the jail's cgroup.
injail() { bash -c 'echo $$ >"$1/cgroup.procs"; exec bash -c "$2"' _ "$CG" "$1"; }
wait_for() {
  for _ in $(seq 150); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "no '$2' in $1: $(tail -3 "$1" 2>/dev/null)"
}
echo "s3cret" >"$TMP/secret"
PY3=/usr/bin/python3
cat >"$TMP/c.yaml" <<YAML
services:
  jail:
    members:
      - cgroup: "*/habit-e2e-jail$$"
    protected_files: [$TMP/secret]
YAML
M="$TMP/m.db"
SOCK="ipc://$TMP/e.sock"
"$HABIT" engine --config "$TMP/c.yaml" --model "$M" --listen "$SOCK" --flush 1 2>"$TMP/engine.log" &
ENG=$!
PIDS+=($ENG)
wait_for "$TMP/engine.log" "listening on"
"$HABIT" collect proc --connect "$SOCK" 2>"$TMP/proc.log" &
COL=$!
PIDS+=($COL)
wait_for "$TMP/proc.log" "listening"
"$HABIT" collect file --watch "$TMP/secret" --connect "$SOCK" 2>"$TMP/file.log" &
FCOL=$!
PIDS+=($FCOL)
wait_for "$TMP/file.log" "watching"
# Programs that live long enough to be read: sleep keeps each one alive;
# python reads the secret and stays a moment, so the file event names it.
injail "/usr/bin/sleep 0.2; /usr/bin/id -u >/dev/null; /usr/bin/true; /usr/bin/cat /etc/hostname >/dev/null; $PY3 -c 'import time; open(\"$TMP/secret\").read(); time.sleep(0.3)'"
sleep 1.5
kill -TERM "$COL" "$FCOL"; wait "$COL" "$FCOL" || true
kill -TERM "$ENG"; wait "$ENG" || fail "engine exited $?"
"$HABIT" policy show --model "$M" >"$TMP/show"
grep -q 'service: "jail", exe: "/usr/bin/id", parent: "/usr/bin/bash"' "$TMP/show" ||
  fail "jail's programs not learned: $(grep jail "$TMP/show")"
grep -q "service: \"jail\", exe: \"/usr/bin/python3[.0-9]*\", path: \"$TMP/secret\", access: r" "$TMP/show" ||
  fail "jail's read of the secret not learned: $(grep jail "$TMP/show")"
pass "discover: jail ran $(grep -c 'service: "jail", exe' "$TMP/show") programs"

"$HABIT" policy mode --model "$M" jail protect >/dev/null
"$HABIT" enforce proc --model "$M" --config "$TMP/c.yaml" --output "$TMP/verdicts.json" \
  2>"$TMP/enforce.log" &
ENF=$!
PIDS+=($ENF)
wait_for "$TMP/enforce.log" "enforcing on"
out=$(injail '/usr/bin/sleep 0.1 && /usr/bin/id -u && /usr/bin/true && echo LEARNED_OK' 2>&1) ||
  fail "learned programs refused: $out"
grep -q LEARNED_OK <<<"$out" || fail "learned programs: $out"
rc=0
out=$(injail '/usr/bin/whoami' 2>&1) || rc=$?
[ "$rc" = 126 ] && grep -q "/usr/bin/whoami: Operation not permitted" <<<"$out" ||
  fail "whoami in jail: exit $rc: $out"
[ "$(/usr/bin/whoami)" = root ] || fail "whoami outside jail was refused"
wait_for "$TMP/enforce.log" "denied /usr/bin/whoami in jail"
grep -q '"event_type":"verdict","action":"blocked","what":"exec","service":"jail","exe":"/usr/bin/whoami"' \
  "$TMP/verdicts.json" || fail "no verdict line: $(cat "$TMP/verdicts.json")"
pass "protect: learned programs run; whoami in jail: Operation not permitted; outside: runs"

out=$(injail "$PY3 -c 'print(open(\"$TMP/secret\").read().strip())'" 2>&1) || fail "learned read refused: $out"
[ "$out" = s3cret ] || fail "learned read: $out"
rc=0
out=$(injail "/usr/bin/cat $TMP/secret" 2>&1) || rc=$?
[ "$rc" != 0 ] && grep -q "Operation not permitted" <<<"$out" || fail "cat in jail read the secret: $out"
rc=0
out=$(/usr/bin/cat "$TMP/secret" 2>&1) || rc=$?
[ "$rc" != 0 ] && grep -q "Operation not permitted" <<<"$out" || fail "cat outside jail read the secret: $out"
grep -q '"what":"open","service":"jail","path":"'"$TMP"'/secret","exe":"/usr/bin/cat"' "$TMP/verdicts.json" ||
  fail "no open verdict: $(cat "$TMP/verdicts.json")"
pass "protected file: the learned reader reads it; cat in and outside jail: Operation not permitted"

"$HABIT" policy mode --model "$M" jail monitor >/dev/null
ok=""
for _ in $(seq 30); do
  if [ "$(injail /usr/bin/whoami 2>/dev/null)" = root ]; then ok=1; break; fi
  sleep 0.1
done
[ -n "$ok" ] || fail "monitor did not restore whoami"
[ "$(/usr/bin/cat "$TMP/secret")" = s3cret ] || fail "monitor did not restore the secret"
pass "monitor (no restart): whoami runs again, the secret opens"

"$HABIT" policy mode --model "$M" jail protect >/dev/null
sleep 1.2
injail /usr/bin/whoami >/dev/null 2>&1 && fail "protect again: whoami ran"
kill -9 "$ENF"
wait "$ENF" 2>/dev/null || true
[ "$(injail /usr/bin/whoami)" = root ] || fail "after kill -9 something is still denied"
[ "$(/usr/bin/cat "$TMP/secret")" = s3cret ] || fail "after kill -9 the secret is still denied"
pass "enforcer killed: nothing left behind (fail-open)"

# From the engine's compiled policy instead of the model file.
ORDERS="ipc://$TMP/orders.sock"
"$HABIT" engine --config "$TMP/c.yaml" --model "$M" --listen "$SOCK" --enforcers "$ORDERS" \
  --alerts "$TMP/alerts2.json" 2>"$TMP/engine2.log" &
ENG=$!
PIDS+=($ENG)
wait_for "$TMP/engine2.log" "listening on"
"$HABIT" enforce proc --engine "$ORDERS" --report "$SOCK" --config "$TMP/c.yaml" \
  2>"$TMP/enforce-engine.log" &
ENF=$!
PIDS+=($ENF)
wait_for "$TMP/enforce-engine.log" "policy version"
out=$(injail '/usr/bin/sleep 0.1 && /usr/bin/id -u && echo LEARNED_OK' 2>&1) ||
  fail "engine policy: learned programs refused: $out"
rc=0
out=$(injail '/usr/bin/whoami' 2>&1) || rc=$?
[ "$rc" = 126 ] && grep -q "Operation not permitted" <<<"$out" ||
  fail "engine policy: whoami in jail: exit $rc: $out"
rc=0
out=$(injail "/usr/bin/cat $TMP/secret" 2>&1) || rc=$?
[ "$rc" != 0 ] && grep -q "Operation not permitted" <<<"$out" || fail "engine policy: cat read the secret"
# The refusals reach the engine (--report) as its alerts, action blocked.
for _ in $(seq 50); do [ "$(grep -c '"action":"blocked"' "$TMP/alerts2.json" 2>/dev/null)" -ge 2 ] && break; sleep 0.1; done
grep -q '"exe":"/usr/bin/whoami".*"action":"blocked","gid":1,"signature_id":1101,"rev":1,"signature":"exec refused by habit enforce proc: jail never ran /usr/bin/whoami' \
  "$TMP/alerts2.json" || fail "no blocked 1101 at the engine: $(cat "$TMP/alerts2.json")"
grep -q "\"action\":\"blocked\",\"gid\":1,\"signature_id\":1201,\"rev\":1,\"signature\":\"open refused by habit enforce proc: /usr/bin/cat (jail) may not open the protected file $TMP/secret" \
  "$TMP/alerts2.json" || fail "no blocked 1201 at the engine: $(cat "$TMP/alerts2.json")"
kill -TERM "$ENF" "$ENG"; wait "$ENF" || fail "enforcer exit $?"
wait "$ENG" || fail "engine exit $?"
grep -q "decisions reported 2 (dropped 0)" "$TMP/enforce-engine.log" || fail "$(tail -1 "$TMP/enforce-engine.log")"
grep -q "enforcers' decisions 2" "$TMP/engine2.log" || fail "$(tail -1 "$TMP/engine2.log")"
pass "--engine: from the engine's compiled policy, learned programs run, whoami and cat of the secret are denied; both refusals are blocked alerts of the engine (--report)"

ENFORCE_LOG="$TMP/enforce-netlink.log"
"$HABIT" enforce proc --model "$M" --config "$TMP/c.yaml" --backend netlink 2>"$ENFORCE_LOG" &
ENF=$!
PIDS+=($ENF)
wait_for "$ENFORCE_LOG" "enforcing by kill at exec"
out=$(injail '/usr/bin/sleep 0.1 && /usr/bin/id -u' 2>&1) || fail "netlink: learned programs killed: $out"
rc=0
timeout 5 bash -c 'echo $$ >"$1/cgroup.procs"; exec /usr/bin/tail -f /dev/null' _ "$CG" || rc=$?
[ "$rc" = 137 ] || fail "netlink: tail in jail was not killed (exit $rc)"
wait_for "$ENFORCE_LOG" "denied /usr/bin/tail in jail"
kill -TERM "$ENF"; wait "$ENF" || fail "netlink enforcer exit $?"
grep -q "killed at exec [1-9]" "$ENFORCE_LOG" || fail "no kill counted: $(tail -1 "$ENFORCE_LOG")"
pass "--backend netlink: a program jail never ran is killed at exec (137); learned ones run"

rc=0
"$HABIT" enforce proc 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] || fail "no --model: exit $rc: $(cat "$TMP/err")"
rc=0
"$HABIT" enforce proc --model "$TMP/none.db" 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] || fail "missing model: exit $rc: $(cat "$TMP/err")"
pass "bad usage: exit 2 with one line"
