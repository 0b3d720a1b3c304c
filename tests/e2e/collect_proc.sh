#!/usr/bin/env bash
# habit collect proc, live: 1000 runs of /bin/true from a bash loop are all
# seen as exec events with their parent, enriched from /proc unless the
# process was gone first (then flagged), with forks and exits; the start-up
# scan reports pid 1; SIGTERM stops it with a summary; bad usage exits 2.
source "$(dirname "$0")/_lib.sh"
[ "$(id -u)" = 0 ] || fail "needs root (the process connector)"
LOOP=1000

"$HABIT" collect proc --output "$TMP/p.json" 2>"$TMP/err" &
COLLECTOR=$!
for _ in $(seq 100); do
  grep -q 'listening' "$TMP/err" && break
  kill -0 "$COLLECTOR" 2>/dev/null || fail "collector died: $(cat "$TMP/err")"
  sleep 0.1
done
grep -q 'listening' "$TMP/err" || fail "collector never became ready"

# The loop runs in its own bash, so its pid is the parent of every true.
bash -c 'echo $$ >"$1"; for ((i = 0; i < $2; i++)); do /bin/true; done' _ "$TMP/loop.pid" "$LOOP"
LOOP_PID=$(cat "$TMP/loop.pid")
sleep 0.5
kill -TERM "$COLLECTOR"
rc=0
wait "$COLLECTOR" || rc=$?
[ "$rc" = 0 ] || fail "collector exit $rc: $(cat "$TMP/err")"
grep -q 'habit: collect proc: .* events in' "$TMP/err" || fail "no summary: $(cat "$TMP/err")"
grep -q 'netlink overruns (ENOBUFS)' "$TMP/err" || fail "summary does not report losses"
cat "$TMP/err"

python3 - "$TMP/p.json" "$LOOP_PID" "$LOOP" <<'PY' || fail "events do not match the loop"
import json, sys
path, loop_pid, loop = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ev = [json.loads(l)["proc"] for l in open(path)]
ops = {}
for p in ev:
    ops[p["op"]] = ops.get(p["op"], 0) + 1
true_any = sum(1 for p in ev if p["op"] == "exec" and p.get("exe") == "/usr/bin/true")
mine = [p for p in ev if p["op"] == "exec" and p.get("ppid") == loop_pid]
enriched = [p for p in mine if p.get("exe") == "/usr/bin/true"]
gone = [p for p in mine if p.get("gone")]
print(f"ops {ops}; exec of /usr/bin/true {true_any}; loop {loop}: exec events "
      f"{len(mine)}, exe /usr/bin/true {len(enriched)}, gone before enrichment {len(gone)}")
ok = True
def check(cond, what):
    global ok
    if not cond:
        print("FAIL:", what); ok = False
check(len(mine) == loop, f"{len(mine)} exec events with ppid {loop_pid}, expected {loop}")
# Every exec of the loop is enriched or says it was too late (both at once
# when it died between reads: exe read, then a zombie's status).
check(all(p in enriched or p in gone for p in mine),
      "an exec event is neither enriched nor flagged gone")
check(len(enriched) >= 0.9 * loop, f"only {len(enriched)} of {loop} enriched")
check(true_any >= len(enriched), "exe counts disagree")
for p in enriched:
    check(p.get("parent_exe") == "/usr/bin/bash", f"parent_exe {p.get('parent_exe')}")
    check(p.get("argv") == "/bin/true" and p.get("comm") == "true", f"argv/comm {p}")
    check(p.get("uid") == 0 and p["pid"] == p["tgid"], f"ids {p}")
    break
forks = [p for p in ev if p["op"] == "fork" and p.get("ppid") == loop_pid]
exits = [p for p in ev if p["op"] == "exit" and p.get("ppid") == loop_pid]
check(len(forks) == loop, f"{len(forks)} forks of the loop, expected {loop}")
check(len(exits) == loop, f"{len(exits)} exits of the loop's children, expected {loop}")
check(all(p.get("exit_code") == 0 for p in exits), "an exit code of /bin/true is not 0")
check(all(f.get("parent_exe") == "/usr/bin/bash" for f in forks[:10]), "fork parent_exe")
check(any(p["op"] == "existing" and p["pid"] == 1 for p in ev), "the scan did not see pid 1")
check(ops.get("existing", 0) >= 5, "the scan saw almost nothing")
sys.exit(0 if ok else 1)
PY
pass "collect proc: $(grep -c . "$TMP/p.json") events"

# --duration stops on its own; the bus end takes an ipc endpoint.
timeout 20 "$HABIT" collect proc -q --duration 1 --output "$TMP/d.json" --connect "ipc://$TMP/bus" ||
  fail "--duration with --connect"
[ -s "$TMP/d.json" ] || fail "--duration wrote nothing"
pass "--duration and --connect"

# Through the bus to an engine: it receives every event the collector sent,
# the loop's 50 execs among them.
"$HABIT" engine --model "$TMP/e.db" --listen "ipc://$TMP/engine" 2>"$TMP/engine.log" &
ENG=$!
for _ in $(seq 100); do grep -q "listening on" "$TMP/engine.log" && break; sleep 0.1; done
"$HABIT" collect proc --connect "ipc://$TMP/engine" 2>"$TMP/cp.log" &
CP=$!
for _ in $(seq 100); do grep -q "listening" "$TMP/cp.log" && break; sleep 0.1; done
for _ in $(seq 50); do /bin/true; done
sleep 0.5
kill -TERM "$CP"; wait "$CP" || fail "collect proc --connect exited $?"
sleep 0.5
kill -TERM "$ENG"; wait "$ENG" || fail "engine exited $?"
sent=$(sed -n 's/.*bus .*: sent \([0-9]*\), dropped \([0-9]*\).*/\1 \2/p' "$TMP/cp.log")
got=$(sed -n 's/.*process events: exec \([0-9]*\), fork \([0-9]*\), exit \([0-9]*\), existing \([0-9]*\) .*/\1 \2 \3 \4/p' "$TMP/engine.log")
[ -n "$sent" ] && [ -n "$got" ] || fail "no counts: $(cat "$TMP/cp.log" "$TMP/engine.log")"
read -r s d <<<"$sent"
read -r ex fk et es <<<"$got"
[ "$d" = 0 ] && [ "$s" = $((ex + fk + et + es)) ] || fail "collector sent $s (dropped $d), engine got $ex+$fk+$et+$es"
[ "$ex" -ge 50 ] || fail "engine saw $ex execs, the loop ran 50"
pass "collect proc -> engine: $s events sent, all received ($ex execs)"

# Bad usage: exit 2 with one line.
for args in "--duration 0" "--duration abc" "--connect http://x" "--bogus" "extra" \
            "--output /nonexistent-dir/x.json"; do
  rc=0
  # shellcheck disable=SC2086
  "$HABIT" collect proc $args >"$TMP/o" 2>"$TMP/e" || rc=$?
  [ "$rc" = 2 ] || fail "collect proc $args: exit $rc, expected 2"
done
rc=0
"$HABIT" collect nothing 2>"$TMP/e" || rc=$?
[ "$rc" = 2 ] && grep -q "unknown collector 'nothing'" "$TMP/e" || fail "collect nothing: exit $rc"
"$HABIT" collect proc --help | grep -q 'usage: habit collect proc' || fail "--help"
pass "bad usage exits 2"
