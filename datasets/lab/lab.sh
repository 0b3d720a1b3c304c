#!/usr/bin/env bash
# datasets/lab/lab.sh — a small real microservice lab in network namespaces, for the
# end-to-end tests of habit's live collectors (datasets/lab/README.md).
#
# Contract (run as root on Debian 12 after scripts/deps.sh):
#   lab.sh up                 build the lab: namespaces hl-sw (bridge br0) and hl-web,
#                             hl-cache, hl-db, hl-client, hl-other on 10.77.0.0/24; nginx +
#                             app (cgroup habit-lab/web), redis (habit-lab/cache), PostgreSQL
#                             (habit-lab/db), a listener on hl-other. Returns 0 once
#                             nginx -> app -> redis + postgres answer end to end; otherwise
#                             says which server failed (log tail), takes the lab down, exits 1.
#   lab.sh down               remove everything the lab made; idempotent, fine when half up.
#   lab.sh traffic [N]        N rounds (default 50) of normal requests from hl-client through
#                             nginx; exits non-zero if any request fails.
#   lab.sh attack NAME        scan | newhost | shell | etcwrite; prints one line on stdout;
#                             exits non-zero if the attack did not have its effect.
#   lab.sh record start FILE  tcpdump -i br0 in hl-sw into FILE (must end in .pcap or .cap)
#   lab.sh record stop        stop it; returns once tcpdump has flushed FILE and exited.
#   lab.sh exec POD CMD...    ip netns exec hl-POD CMD...
#   lab.sh status             the servers, their pids and cgroups.
# Environment: HABIT_LAB_DIR (state dir, default /tmp/habit-lab), HABIT_LAB_TIMEOUT (seconds
# each server gets to answer during up, default 20). Progress goes to stderr, results to stdout.
# Traffic never leaves the lab: the namespaces have no route out of 10.77.0.0/24.
set -euo pipefail

LAB_DIR=${HABIT_LAB_DIR:-/tmp/habit-lab}
LAB_TIMEOUT=${HABIT_LAB_TIMEOUT:-20}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
PGBIN=/usr/lib/postgresql/15/bin
PODS=(web cache db client other)
declare -A POD_IP=([web]=10.77.0.10 [cache]=10.77.0.20 [db]=10.77.0.30
                   [client]=10.77.0.100 [other]=10.77.0.200)
SERVICES=(web cache db)
CG_NAME=habit-lab
PWNED=/etc/habit-lab-pwned
MARKER=.habit-lab
WEB=http://10.77.0.10

# The lab talks only to its own addresses: a proxy from the caller's environment would break it.
unset http_proxy https_proxy all_proxy no_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY NO_PROXY
umask 022

# ---------------------------------------------------------------- helpers

log() { printf 'lab: %s\n' "$*" >&2 || true; }
die() { log "$*"; exit 1; }

need_root() { [[ $(id -u) == 0 ]] || die "must run as root"; }

check_state_dir() {
  [[ $LAB_DIR == /?* && $LAB_DIR != *//* && $LAB_DIR != */ ]] \
    || die "HABIT_LAB_DIR must be an absolute path without a trailing slash: '$LAB_DIR'"
}

# now_us: the wall clock in microseconds.
now_us() { local t=${EPOCHREALTIME//[!0-9]/}; echo "$((10#$t))"; }

# in_ns POD CMD...: run CMD in the pod's network namespace only (the mount namespace stays
# the host's, so file collectors see the lab's writes on the host's mounts).
in_ns() { local pod=$1; shift; nsenter --net="/run/netns/hl-$pod" -- "$@"; }

ns_exists() { [[ -e /run/netns/hl-$1 ]]; }

# alive PID: the process exists and is not a zombie.
alive() {
  local st
  # the comm field may hold spaces; the state follows its closing parenthesis
  st=$(sed -n 's/^.*) \(.\).*$/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $st && $st != Z && $st != X ]]
}

pid_of() { local f=$LAB_DIR/run/$1.pid; [[ -s $f ]] && cat "$f"; }

# curl_client ARGS...: curl from hl-client, quiet, failing on HTTP errors, no proxy.
curl_client() { in_ns client curl -sS --fail --noproxy '*' -m 10 "$@"; }

lab_present() {
  local p
  for p in sw "${PODS[@]}"; do ns_exists "$p" && return 0; done
  [[ -n $(cg_bases) || -e $LAB_DIR/$MARKER ]]
}

need_up() {
  if ! ns_exists sw || [[ ! -e $LAB_DIR/$MARKER ]]; then die "the lab is not up (lab.sh up)"; fi
}

# ---------------------------------------------------------------- cgroups

# cg_root: where the lab makes its cgroups — cgroup v2 when writable, else the v1 pids tree.
cg_root() {
  if [[ -e /sys/fs/cgroup/cgroup.controllers ]]; then echo /sys/fs/cgroup
  elif [[ -d /sys/fs/cgroup/unified ]]; then echo /sys/fs/cgroup/unified
  elif [[ -d /sys/fs/cgroup/pids ]]; then echo /sys/fs/cgroup/pids
  else return 1
  fi
}

# cg_bases: every habit-lab cgroup that exists, in any of the places up may have used.
cg_bases() {
  local r
  for r in /sys/fs/cgroup /sys/fs/cgroup/unified /sys/fs/cgroup/pids; do
    [[ -d $r/$CG_NAME ]] && echo "$r/$CG_NAME"
  done
  return 0
}

cg_up() {
  local root s
  root=$(cg_root) || die "no writable cgroup hierarchy under /sys/fs/cgroup"
  for s in "${SERVICES[@]}"; do mkdir -p "$root/$CG_NAME/$s"; done
  echo "$root/$CG_NAME" >"$LAB_DIR/run/cgroup"
}

cg_down() {
  local base d
  while read -r base; do
    [[ -n $base ]] || continue
    for d in "$base"/*/ "$base"; do
      [[ -d $d ]] || continue
      for _ in 1 2 3 4 5 6 7 8 9 10; do
        rmdir "$d" 2>/dev/null && break
        sleep 0.2
      done
      [[ ! -d $d ]] || log "warning: could not remove cgroup $d"
    done
  done < <(cg_bases)
}

# ---------------------------------------------------------------- network

# ns_no_ipv6 NS: no IPv6 in the lab, so the capture holds no router/neighbour chatter.
ns_no_ipv6() {
  nsenter --net="/run/netns/$1" -- sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
}

net_add_pod() {
  local pod=$1 ip=${POD_IP[$1]}
  ip netns add "hl-$pod"
  ns_no_ipv6 "hl-$pod"
  ip -n hl-sw link add "v-$pod" type veth peer name eth0 netns "hl-$pod"
  ip -n hl-sw link set "v-$pod" master br0 up
  # a fixed MAC per pod (02:77:00:00:00:<last octet>) keeps captures comparable run to run
  ip -n "hl-$pod" link set eth0 address "$(printf '02:77:00:00:00:%02x' "${ip##*.}")"
  ip -n "hl-$pod" addr add "$ip/24" dev eth0
  ip -n "hl-$pod" link set lo up
  ip -n "hl-$pod" link set eth0 up
}

net_up() {
  local pod
  ip netns add hl-sw
  ns_no_ipv6 hl-sw
  ip -n hl-sw link set lo up
  ip -n hl-sw link add br0 type bridge stp_state 0 forward_delay 0
  ip -n hl-sw link set br0 up
  for pod in "${PODS[@]}"; do net_add_pod "$pod"; done
}

net_down() {
  local p
  for p in "${PODS[@]}" sw; do
    ns_exists "$p" && ip netns del "hl-$p"
  done
  return 0
}

# ---------------------------------------------------------------- processes

# start_daemon NAME CGROUP POD CMD...: start CMD in POD's network namespace, detached, with
# its log in log/NAME.log. A shell first writes its own pid into the cgroup (children inherit
# it) and into run/NAME.pid, then execs CMD: the pid file holds the server's own pid.
start_daemon() {
  local name=$1 cg=$2 pod=$3 procs=/dev/null
  shift 3
  [[ -z $cg ]] || procs=$(cat "$LAB_DIR/run/cgroup")/$cg/cgroup.procs
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
  (cd / && exec setsid bash -c 'echo $$ >"$1" && echo $$ >"$2.tmp" && mv "$2.tmp" "$2" &&
     shift 2 && exec "$@"' lab-start "$procs" "$LAB_DIR/run/$name.pid" \
     nsenter --net="/run/netns/hl-$pod" -- "$@" \
     </dev/null >>"$LAB_DIR/log/$name.log" 2>&1) &
}

# lab_pids: every live process of the lab — in its namespaces, its cgroups, its pid files.
lab_pids() {
  local p base f pid mine
  mine=$(readlink /proc/self/ns/net)
  {
    for p in sw "${PODS[@]}"; do
      if ns_exists "$p"; then ip netns pids "hl-$p" 2>/dev/null || true; fi
    done
    while read -r base; do
      cat "$base"/*/cgroup.procs 2>/dev/null || true
    done < <(cg_bases)
    for f in "$LAB_DIR"/run/*.pid; do
      [[ -s $f ]] || continue
      pid=$(cat "$f")
      # a pid file is trusted only while its pid lives in another network namespace
      if [[ $(readlink "/proc/$pid/ns/net" 2>/dev/null) != "$mine" ]]; then echo "$pid"; fi
    done
  } | sort -un | while read -r pid; do
    if [[ $pid =~ ^[0-9]+$ && $pid != "$$" && $pid != 1 ]] && alive "$pid"; then echo "$pid"; fi
  done
}

# wait_gone SECONDS PIDS...: wait until none of PIDS is alive; 1 on timeout.
wait_gone() {
  local deadline=$(($(now_us) + $1 * 1000000)) pid live
  shift
  while :; do
    live=0
    for pid in "$@"; do alive "$pid" && { live=1; break; }; done
    ((live)) || return 0
    (($(now_us) < deadline)) || return 1
    sleep 0.1
  done
}

kill_all() {
  local pids pg
  # postgres: fast shutdown (SIGINT) so it removes its shared memory, before anything else
  pg=$(pid_of postgres || true)
  if [[ -n $pg ]] && alive "$pg" && grep -q postgres "/proc/$pg/comm" 2>/dev/null; then
    kill -INT "$pg" 2>/dev/null || true
    wait_gone 10 "$pg" || log "warning: postgres did not stop in 10 s"
  fi
  mapfile -t pids < <(lab_pids)
  ((${#pids[@]})) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait_gone 5 "${pids[@]}" && return 0
  mapfile -t pids < <(lab_pids)
  ((${#pids[@]})) || return 0
  log "killing ${#pids[@]} stubborn process(es): ${pids[*]}"
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait_gone 3 "${pids[@]}" || log "warning: still alive: ${pids[*]}"
}

# fail_server NAME WHY: report a server that did not come up, with the end of its log.
fail_server() {
  log "$1 failed: $2"
  if [[ -s $LAB_DIR/log/$1.log ]]; then
    log "--- last lines of $LAB_DIR/log/$1.log"
    tail -n 20 "$LAB_DIR/log/$1.log" >&2
  fi
  exit 1
}

listening() { [[ -n $(in_ns "$1" ss -Hltn "sport = :$2") ]]; }

# wait_server NAME POD PORT: wait until NAME's process has written its pid file and listens
# on PORT in POD; fails fast when the process dies.
wait_server() {
  local name=$1 pod=$2 port=$3 pid deadline
  deadline=$(($(now_us) + LAB_TIMEOUT * 1000000))
  while (($(now_us) < deadline)); do
    pid=$(pid_of "$name" || true)
    if [[ -n $pid ]]; then
      alive "$pid" || fail_server "$name" "process $pid exited"
      listening "$pod" "$port" && return 0
    fi
    sleep 0.1
  done
  fail_server "$name" "not listening on :$port in hl-$pod after ${LAB_TIMEOUT} s"
}

# ---------------------------------------------------------------- servers

db_init() {
  install -d -o postgres -g postgres -m 0700 "$LAB_DIR/db"
  # in the db cgroup too, so that down finds it when up was killed during initdb
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
  (cd / && exec bash -c 'echo $$ >"$1" && shift && exec "$@"' lab-initdb \
     "$(cat "$LAB_DIR/run/cgroup")/db/cgroup.procs" \
     setpriv --reuid=postgres --regid=postgres --init-groups \
     "$PGBIN/initdb" -D "$LAB_DIR/db/data" -U postgres -A trust -E UTF8 --locale=C -N \
     >"$LAB_DIR/log/initdb.log" 2>&1) || fail_server initdb "initdb exited non-zero"
  echo "host all all 10.77.0.0/24 trust" >>"$LAB_DIR/db/data/pg_hba.conf"
}

db_start() {
  start_daemon postgres db db setpriv --reuid=postgres --regid=postgres --init-groups \
    "$PGBIN/postgres" -D "$LAB_DIR/db/data" -c listen_addresses="${POD_IP[db]}" -c port=5432 \
    -c unix_socket_directories="$LAB_DIR/db" -c fsync=off -c synchronous_commit=off \
    -c full_page_writes=off -c shared_buffers=16MB -c max_connections=40 \
    -c logging_collector=off -c log_min_messages=warning
}

# db_schema: the tables the app reads and writes, over the unix socket (no lab traffic).
db_schema() {
  "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$LAB_DIR/db" -U postgres -d postgres \
    >>"$LAB_DIR/log/postgres.log" 2>&1 <<'SQL' || fail_server postgres "creating the tables failed"
CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price_cents int NOT NULL);
INSERT INTO items SELECT i, 'item-' || i, 100 * i + 99 FROM generate_series(1, 20) AS i;
CREATE TABLE orders (id serial PRIMARY KEY, item_id int NOT NULL, qty int NOT NULL,
                     created timestamptz NOT NULL DEFAULT now());
SQL
}

cache_start() {
  install -d -o redis -g redis -m 0750 "$LAB_DIR/cache"
  start_daemon redis cache cache setpriv --reuid=redis --regid=redis --init-groups \
    /usr/bin/redis-server --bind "${POD_IP[cache]}" --port 6379 --protected-mode no \
    --save "" --appendonly no --dir "$LAB_DIR/cache" --daemonize no --logfile ""
}

other_start() {
  mkdir -p "$LAB_DIR/other/www"
  echo "hl-other: a host the web service never talks to" >"$LAB_DIR/other/www/index.html"
  start_daemon other "" other setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$PY" -I -u -m http.server 9000 --bind "${POD_IP[other]}" --directory "$LAB_DIR/other/www"
}

app_start() {
  mkdir -p "$LAB_DIR/web/uploads"
  start_daemon app web web "$PY" -I -u "$HERE/app.py" --listen 127.0.0.1:8000 \
    --redis "${POD_IP[cache]}:6379" --pg "${POD_IP[db]}:5432" --uploads "$LAB_DIR/web/uploads"
}

nginx_conf() {
  sed "s|@DIR@|$LAB_DIR|g; s|@IP@|${POD_IP[web]}|g" <<'CONF'
# written by datasets/lab/lab.sh: the lab's own nginx, nothing from /etc/nginx
user www-data www-data;
worker_processes 1;
daemon off;
pid @DIR@/run/nginx-master.pid;
error_log @DIR@/log/nginx.log warn;
events { worker_connections 256; }
http {
  access_log @DIR@/log/nginx-access.log;
  client_body_temp_path @DIR@/web/tmp/body;
  proxy_temp_path @DIR@/web/tmp/proxy;
  fastcgi_temp_path @DIR@/web/tmp/fastcgi;
  uwsgi_temp_path @DIR@/web/tmp/uwsgi;
  scgi_temp_path @DIR@/web/tmp/scgi;
  default_type text/html;
  server {
    listen @IP@:80;
    root @DIR@/web/static;
    location = / { try_files /index.html =404; }
    location / {
      proxy_pass http://127.0.0.1:8000;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
    }
  }
}
CONF
}

nginx_start() {
  mkdir -p "$LAB_DIR/web/static" "$LAB_DIR/web/tmp"
  echo "<html><body>habit lab shop</body></html>" >"$LAB_DIR/web/static/index.html"
  nginx_conf >"$LAB_DIR/web/nginx.conf"
  start_daemon nginx web web /usr/sbin/nginx -p "$LAB_DIR/web" -c "$LAB_DIR/web/nginx.conf" \
    -e "$LAB_DIR/log/nginx.log"
}

# wait_e2e: GET /health from hl-client: nginx -> app -> redis PING + postgres SELECT 1.
wait_e2e() {
  local deadline=$(($(now_us) + LAB_TIMEOUT * 1000000)) out=
  while (($(now_us) < deadline)); do
    # without --fail: on an error the body says which backend did not answer
    out=$(in_ns client curl -sS --noproxy '*' -m 3 -w ' (HTTP %{http_code})' "$WEB/health" 2>&1) \
      && [[ $out == "ok"?" (HTTP 200)" ]] && return 0
    sleep 0.2
  done
  log "GET $WEB/health from hl-client: ${out//$'\n'/ }"
  fail_server app "no end-to-end answer through nginx within ${LAB_TIMEOUT} s"
}

check_tools() {
  local t
  for t in ip nsenter setsid setpriv ss curl nmap tcpdump /usr/sbin/nginx /usr/bin/redis-server \
           "$PGBIN/postgres" "$PGBIN/initdb" "$PGBIN/psql" "$PGBIN/pg_isready" "$PY"; do
    command -v "$t" >/dev/null || die "missing $t (run scripts/deps.sh)"
  done
  "$PY" -I -c 'import redis, psycopg2' 2>/dev/null \
    || die "$PY lacks python3-redis or python3-psycopg2 (run scripts/deps.sh)"
}

# ---------------------------------------------------------------- commands

up_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if ((rc != 0)); then
    log "up failed (exit $rc): taking the lab down"
    cmd_down || true
  fi
  exit "$rc"
}

cmd_up() {
  local t0 pg
  t0=$(now_us)
  need_root; check_state_dir; check_tools
  if [[ -e $LAB_DIR && ! -e $LAB_DIR/$MARKER && -n $(ls -A "$LAB_DIR") ]]; then
    die "$LAB_DIR exists and is not a lab state dir; set HABIT_LAB_DIR elsewhere"
  fi
  if lab_present; then log "an earlier lab is still here: taking it down first"; cmd_down; fi
  trap up_cleanup EXIT
  trap 'exit 130' INT TERM
  mkdir -p "$LAB_DIR/run" "$LAB_DIR/log"
  chmod 0755 "$LAB_DIR"
  : >"$LAB_DIR/$MARKER"
  setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$LAB_DIR/run" \
    || die "$LAB_DIR must be reachable by the servers' users (postgres, redis, www-data)"
  net_up
  cg_up
  db_init
  db_start
  cache_start
  other_start
  app_start
  nginx_start
  wait_server postgres db 5432
  pg=$(now_us)
  until "$PGBIN/pg_isready" -q -h "$LAB_DIR/db" -U postgres -d postgres -t 1; do
    (($(now_us) - pg < LAB_TIMEOUT * 1000000)) || fail_server postgres "pg_isready says no"
    sleep 0.1
  done
  db_schema
  wait_server redis cache 6379
  wait_server other other 9000
  wait_server app web 8000
  wait_server nginx web 80
  wait_e2e
  trap - EXIT INT TERM
  log "up in $((($(now_us) - t0) / 1000)) ms (state in $LAB_DIR)"
}

cmd_down() {
  need_root; check_state_dir
  trap '' PIPE # a reader that went away must not stop the cleaning half way
  if [[ -e $LAB_DIR/run/record.pid ]]; then (record_stop) >&2 || true; fi
  kill_all
  net_down
  cg_down
  rm -f "$PWNED"
  if [[ -e $LAB_DIR/$MARKER ]]; then
    rm -rf "$LAB_DIR"
  elif [[ -e $LAB_DIR ]]; then
    log "warning: $LAB_DIR is not a lab state dir ($MARKER missing): left alone"
  fi
  log "down"
}

# curl_op METHOD PATH [BODY]: one request as a curl config "operation", after a "next" (one
# TCP connection each: Connection: close, as separate clients would).
curl_op() {
  printf 'next\nurl = "%s%s"\noutput = "/dev/null"\nheader = "Connection: close"\n' "$WEB" "$2"
  printf 'fail\nsilent\nshow-error\nmax-time = 10\nnoproxy = "*"\n'
  printf 'write-out = "%%{http_code} %s %%{url_effective}\\n"\n' "$1"
  if [[ $1 == POST ]]; then
    printf 'header = "Content-Type: application/json"\ndata-binary = "%s"\n' "${3//\"/\\\"}"
  fi
}

# traffic_config N: N rounds of one client session: the page, two items, health, an order.
traffic_config() {
  local i a b
  for ((i = 1; i <= $1; i++)); do
    a=$((RANDOM % 20 + 1)) b=$((i % 20 + 1))
    curl_op GET /
    curl_op GET "/item?id=$a"
    curl_op GET "/item?id=$b"
    curl_op GET /health
    curl_op POST /order "{\"item\": $a, \"qty\": $((i % 3 + 1))}"
  done
}

cmd_traffic() {
  local n=${1:-50} t0 out ok rc=0
  [[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || die "traffic: N must be a number above 0, not '$n'"
  need_root; need_up
  t0=$(now_us)
  # one curl for every request (a process per request costs more than the request here)
  # (sed drops the first operation's "next")
  out=$(traffic_config "$n" | sed 1d | in_ns client curl --fail-early -K -) || rc=$?
  ok=$(grep -c '^2[0-9][0-9] ' <<<"$out" || true)
  if ((rc != 0 || ok != 5 * n)); then
    log "traffic: $ok of $((5 * n)) requests answered; the last ones:"
    tail -n 3 <<<"$out" >&2
    die "traffic: failed (curl exit $rc)"
  fi
  echo "lab: traffic: $n rounds, $((5 * n)) requests from hl-client through nginx, all answered" \
       "($((($(now_us) - t0) / 1000)) ms)"
}

attack_scan() {
  local out open
  out=$(in_ns client nmap -sS -Pn -n -T4 --max-retries 1 -p 1-1024,5432 -oG - "${POD_IP[db]}") \
    || die "attack scan: nmap failed: $out"
  open=$(grep -o '[0-9]*/open/tcp' <<<"$out" | cut -d/ -f1 | paste -sd, -)
  [[ $open == *5432* ]] || die "attack scan: nmap did not find 5432 open: $out"
  echo "lab: attack scan: nmap SYN scan from hl-client (10.77.0.100) of ${POD_IP[db]}" \
       "tcp ports 1-1024,5432; open: $open"
}

attack_newhost() {
  local before after log=$LAB_DIR/log/other.log
  before=$(grep -c '"GET ' "$log" || true)
  curl_client -o /dev/null "$WEB/fetch?url=http://${POD_IP[other]}:9000/" \
    || die "attack newhost: /fetch failed"
  after=$(grep -c '"GET ' "$log" || true)
  ((after > before)) || die "attack newhost: hl-other saw no connection"
  echo "lab: attack newhost: the web app (${POD_IP[web]}) fetched" \
       "http://${POD_IP[other]}:9000/ for the client; hl-other saw the connection"
}

attack_shell() {
  local out
  out=$(curl_client "$WEB/debug/run?cmd=id") || die "attack shell: /debug/run failed"
  [[ $out == uid=* ]] || die "attack shell: unexpected output: $out"
  echo "lab: attack shell: the web app ran /bin/sh -c id: ${out%%$'\n'*}"
}

# attack_etcwrite: enough ../ to climb from the uploads dir to /, then etc/habit-lab-pwned.
attack_etcwrite() {
  local up name="" nonce part
  up=$(realpath "$LAB_DIR/web/uploads") # the kernel climbs .. from the real path
  IFS=/ read -ra part <<<"${up#/}"
  for _ in "${part[@]}"; do name+="../"; done
  name+="${PWNED#/}"
  nonce="pwned by habit-lab $(now_us)"
  curl_client -o /dev/null -X POST --data-binary "$nonce" "$WEB/upload?name=$name" \
    || die "attack etcwrite: /upload failed"
  grep -qF "$nonce" "$PWNED" 2>/dev/null || die "attack etcwrite: $PWNED was not written"
  echo "lab: attack etcwrite: the web app (python3) wrote $PWNED through /upload?name=$name"
}

cmd_attack() {
  need_root; need_up
  case ${1:-} in
    scan | newhost | shell | etcwrite) "attack_$1" ;;
    *) die "attack: NAME is one of scan, newhost, shell, etcwrite" ;;
  esac
}

# record_start FILE: tcpdump on br0 into FILE; returns once tcpdump captures. Readiness is the
# file appearing (tcpdump opens it only after the interface): the "listening on" line cannot be
# relied on, since under Debian's AppArmor profile tcpdump's stderr (our log) is revoked at exec.
record_start() {
  local file=${1:-} pid deadline
  [[ $file == *.pcap || $file == *.cap ]] \
    || die "record start FILE: FILE must end in .pcap or .cap (tcpdump's AppArmor profile)"
  need_root; need_up
  [[ ! -e $LAB_DIR/run/record.pid ]] || die "already recording (lab.sh record stop)"
  file=$(realpath -m "$file")
  mkdir -p "$(dirname "$file")"
  rm -f "$file"
  : >"$LAB_DIR/log/record.log"
  echo "$file" >"$LAB_DIR/run/record.file"
  # not --immediate-mode: it dropped packets in the scan's burst (libpcap then uses a ring
  # of fixed slots, large ones as br0 does segmentation offload); the default ring packs
  # packets and hands them over at the latest after its 1 s block timeout (see record_stop)
  start_daemon record "" sw tcpdump -i br0 -n -U -B 16384 -Z root -w "$file"
  deadline=$(($(now_us) + 10000000))
  until [[ -e $file ]] || grep -q 'listening on' "$LAB_DIR/log/record.log"; do
    pid=$(pid_of record || true)
    if [[ -n $pid ]] && ! alive "$pid"; then
      rm -f "$LAB_DIR/run/record.pid" "$LAB_DIR/run/record.file"
      fail_server record "tcpdump exited"
    fi
    (($(now_us) < deadline)) || fail_server record "tcpdump did not start in 10 s (lab.sh record stop)"
    sleep 0.05
  done
  echo "lab: recording br0 into $file"
}

# record_stop: SIGINT to tcpdump, then wait for it to flush FILE and exit.
record_stop() {
  local pid file stats
  pid=$(pid_of record || true)
  [[ -n $pid ]] || die "record stop: not recording"
  file=$(cat "$LAB_DIR/run/record.file" 2>/dev/null || echo "?")
  if alive "$pid"; then
    # tcpdump quits on SIGINT without reading what is still in the ring: wait out the ring's
    # 1 s block timeout so that every packet sent before `stop` is in FILE
    sleep 1.2
    kill -INT "$pid" 2>/dev/null || true
    wait_gone 10 "$pid" || { kill -KILL "$pid" 2>/dev/null || true; log "tcpdump had to be killed"; }
  fi
  rm -f "$LAB_DIR/run/record.pid" "$LAB_DIR/run/record.file"
  stats=$(grep -h 'packets captured' "$LAB_DIR/log/record.log" || true)
  if grep -q '^[1-9][0-9]* packets dropped by kernel' "$LAB_DIR/log/record.log"; then
    log "warning: $(grep -h 'dropped by kernel' "$LAB_DIR/log/record.log"): the capture has holes"
  fi
  echo "lab: recorded br0 into $file${stats:+ ($stats)}"
}

cmd_record() {
  need_root
  case ${1:-} in
    start) record_start "${2:-}" ;;
    stop) record_stop ;;
    *) die "record start FILE | record stop" ;;
  esac
}

cmd_exec() {
  local pod=${1:-}
  if [[ -z $pod || $# -lt 2 ]]; then die "exec POD CMD..."; fi
  shift
  exec ip netns exec "hl-$pod" "$@"
}

# cmd_status: each server's pid, whether it runs, and its cgroup in the hierarchy up used.
cmd_status() {
  local name pid pat='^0::'
  need_up
  [[ $(cat "$LAB_DIR/run/cgroup") != /sys/fs/cgroup/pids/* ]] || pat=':pids:'
  for name in nginx app redis postgres other record; do
    pid=$(pid_of "$name" || true)
    [[ -n $pid ]] || continue
    printf '%-9s pid %-7s %-4s cgroup %s\n' "$name" "$pid" "$(alive "$pid" && echo up || echo DOWN)" \
      "$(grep -m1 "$pat" "/proc/$pid/cgroup" 2>/dev/null || echo '?')"
  done
}

usage() {
  sed -n '5,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

main() {
  local cmd=${1:-}
  (($#)) && shift
  case $cmd in
    up) cmd_up ;;
    down) cmd_down ;;
    traffic) cmd_traffic "$@" ;;
    attack) cmd_attack "$@" ;;
    record) cmd_record "$@" ;;
    exec) cmd_exec "$@" ;;
    status) cmd_status ;;
    *) usage ;;
  esac
}

main "$@"
