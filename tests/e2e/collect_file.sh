#!/usr/bin/env bash
# habit collect file: real accesses in a watched directory come out as file
# events with the right op, path and process — with fanotify (pid, exe,
# exec) and with the inotify fallback (same ops, no pid); usage and config
# errors exit 2; SIGTERM stops it with a summary.
source "$(dirname "$0")/_lib.sh"
[ "$(id -u)" = 0 ] || fail "needs root (fanotify); CI runs as root"
W="$TMP/w"
mkdir -p "$W"

# start BACKEND OUT: the collector in the background, until it is ready.
start() {
  "$HABIT" collect file --watch "$W" --watch "$TMP/missing" -v --backend "$1" \
    --output "$2" 2>"$2.err" &
  PID=$!
  for _ in $(seq 100); do
    grep -q "watching 1 path with $1" "$2.err" 2>/dev/null && return
    kill -0 "$PID" 2>/dev/null || fail "$1: the collector died: $(cat "$2.err")"
    sleep 0.05
  done
  fail "$1: the collector never said it was ready: $(cat "$2.err")"
}

stop() {
  kill -TERM "$PID"
  local rc=0
  wait "$PID" || rc=$?
  [ "$rc" = 0 ] || fail "exit $rc after SIGTERM: $(cat "$1.err")"
  grep -q "habit: file collector ($2" "$1.err" || fail "no summary: $(cat "$1.err")"
}

# The accesses, from child processes whose pid we know; each lingers a
# moment after its work so /proc still names it when the event is read.
act() {
  python3 -c '
import os, sys, time
w = sys.argv[1]
with open(os.path.join(w, "new.txt"), "w") as f: f.write("hello")
with open(os.path.join(w, "new.txt")) as f: f.read()
os.rename(os.path.join(w, "new.txt"), os.path.join(w, "moved.txt"))
os.unlink(os.path.join(w, "moved.txt"))
print(os.getpid(), os.readlink("/proc/self/exe"), flush=True)
time.sleep(0.5)' "$W" >"$TMP/py.pid"
  # cp reads from a FIFO the writer keeps open, so it is alive while its
  # creation and writes are read.
  rm -f "$TMP/fifo" && mkfifo "$TMP/fifo"
  /usr/bin/cp "$TMP/fifo" "$W/true" & CP=$!
  { cat /usr/bin/true; sleep 0.5; } >"$TMP/fifo"
  wait "$CP"
  chmod +x "$W/true"
  "$W/true"
  sleep 0.3
}

# has OUT WHAT FRAGMENT...: one JSON line holds every fragment (the writer's
# key order is fixed: file{op,path,is_dir,rule}, process{pid,uid,exe,comm}).
has() {
  local out=$1 what=$2 lines
  shift 2
  lines=$(cat "$out")
  for frag in "$@"; do
    lines=$(grep -F -- "$frag" <<<"$lines" || true)
  done
  [ -n "$lines" ] || fail "$what: no line with $* in $out: $(cat "$out")"
  pass "$what"
}
op() { printf '"file":{"op":"%s","path":"%s"' "$1" "$2"; }

# fanotify: pid, exe and exec.
OUT="$TMP/fan.json"
start fanotify "$OUT"
act
stop "$OUT" fanotify
grep -q "missing: not watched" "$OUT.err" || fail "a missing path is not reported with -v"
read -r PYPID PY <"$TMP/py.pid"
for op in create open modify; do
  has "$OUT" "fanotify: python $op of new.txt" "$(op $op "$W/new.txt")" '"rule":"'"$W"'"' '"pid":'$PYPID, '"exe":"'"$PY"'"' '"uid":'0,
done
has "$OUT" "fanotify: rename, old name" "$(op move "$W/new.txt")" '"pid":'$PYPID, '"exe":"'"$PY"'"'
has "$OUT" "fanotify: rename, new name" "$(op move "$W/moved.txt")" '"pid":'$PYPID, '"exe":"'"$PY"'"'
has "$OUT" "fanotify: delete" "$(op delete "$W/moved.txt")" '"pid":'$PYPID, '"exe":"'"$PY"'"'
for op in create modify; do
  has "$OUT" "fanotify: cp $op of true" "$(op $op "$W/true")" '"pid":'$CP, '"exe":"'"/usr/bin/cp"'"' '"comm":"'"cp"'"'
done
has "$OUT" "fanotify: exec of the copied binary" "$(op exec "$W/true")"
python3 - "$OUT" <<'PY' || fail "fanotify: events without a pid or with a relative path"
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    assert e["file"]["path"].startswith("/") and e["process"].get("pid", 0) > 0, line
PY
grep -q "exec 1" "$OUT.err" || fail "fanotify: the summary does not count one exec: $(cat "$OUT.err")"

# inotify: the same operations, no process.
rm -f "$W"/*
OUT="$TMP/ino.json"
start inotify "$OUT"
act
stop "$OUT" inotify
for op in create open modify; do
  has "$OUT" "inotify: $op of new.txt" "$(op $op "$W/new.txt")" '"rule":"'"$W"'"'
done
has "$OUT" "inotify: rename" "$(op move "$W/moved.txt")"
has "$OUT" "inotify: delete" "$(op delete "$W/moved.txt")"
has "$OUT" "inotify: cp's creation" "$(op create "$W/true")"
python3 - "$OUT" <<'PY' || fail "inotify: an event names a process or an exec"
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    assert e["process"] == {} and e["file"]["op"] != "exec", line
PY
grep -q "inotify: no pid" "$OUT.err" || fail "inotify: the summary does not say what is missing"

# A watched file replaced by rename (as vipw does) is still watched.
rm -f "$W"/*
echo a >"$W/passwd"
OUT="$TMP/file.json"
"$HABIT" collect file --watch "$W/passwd" --output "$OUT" 2>"$OUT.err" & PID=$!
for _ in $(seq 100); do grep -q "watching 1 path" "$OUT.err" && break; sleep 0.05; done
echo b >"$W/other"                           # beside it: not reported
echo c >"$W/passwd.new" && mv "$W/passwd.new" "$W/passwd"
sleep 0.2
echo d >>"$W/passwd"                         # the new inode
sleep 0.2
stop "$OUT" fanotify
has "$OUT" "file watch: replaced by rename" "$(op move "$W/passwd")" '"rule":"'"$W/passwd"'"'
has "$OUT" "file watch: the new file is watched" "$(op modify "$W/passwd")" '"comm":"'"bash"'"'
! grep -q '"other"\|passwd.new' "$OUT" || fail "file watch: a sibling was reported: $(cat "$OUT")"

# The defaults and the config: only paths that exist; --duration ends it.
printf 'collect:\n  file:\n    watch: [%s, /nonexistent/x]\n' "$W" >"$TMP/c.yaml"
"$HABIT" collect file --config "$TMP/c.yaml" --output "$TMP/c.json" --duration 0.3 -v \
  2>"$TMP/c.err" || fail "config run: $(cat "$TMP/c.err")"
grep -q "watching 1 path with fanotify" "$TMP/c.err" || fail "config: $(cat "$TMP/c.err")"
"$HABIT" collect file --output /dev/null --duration 0.3 2>"$TMP/d.err" || fail "defaults: $(cat "$TMP/d.err")"
grep -Eq "watching [0-9]+ paths with fanotify" "$TMP/d.err" || fail "defaults: $(cat "$TMP/d.err")"
pass "config and default watch lists"

# Bad usage and config: one line, exit 2.
expect2() {
  local what=$1 pattern=$2
  shift 2
  local rc=0
  "$HABIT" "$@" >/dev/null 2>"$TMP/err" || rc=$?
  [ "$rc" = 2 ] || fail "$what: exit $rc, expected 2 ($(cat "$TMP/err"))"
  grep -Eq -- "$pattern" "$TMP/err" || fail "$what: '$(cat "$TMP/err")' does not match /$pattern/"
  pass "$what"
}
printf 'collect:\n  file:\n    wach: [/etc]\n' >"$TMP/bad.yaml"
printf 'collect:\n  file:\n    watch: [etc]\n' >"$TMP/rel.yaml"
expect2 "no output" "nowhere to send events" collect file --watch "$W"
expect2 "relative --watch" "not an absolute path" collect file --watch w --output -
expect2 "unknown config key" "bad\.yaml:3:5: unknown key 'wach' in collect\.file" \
  collect file --config "$TMP/bad.yaml" --output -
expect2 "relative config path" "rel\.yaml:3:13: .*not absolute" collect file --config "$TMP/rel.yaml" --output -
expect2 "nothing to watch" "nothing to watch" collect file --watch /nonexistent --output -
expect2 "bad duration" "--duration" collect file --watch "$W" --output - --duration x
expect2 "collect without a collector" "which collector" collect
pass "habit collect file"
