#!/usr/bin/env bash
# The dataset generator: deterministic output, counts that match what it
# prints, captures that tshark and tcpdump read without complaint, and the
# planted attacks really in the attack capture.
# Env: HABIT_BUILD (build dir holding habit-gen).
set -euo pipefail

GEN="${HABIT_BUILD:?HABIT_BUILD must name the build directory}/habit-gen"
[[ -x "$GEN" ]] || { echo "FAIL: $GEN not built (cmake --build ... --target habit-gen)"; exit 1; }
for tool in tshark tcpdump capinfos sha256sum; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not installed"; exit 1; }
done

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# tshark warns about running as root on stderr; keep only its answers.
tsh() { tshark "$@" 2>/dev/null; }

# --- usage -------------------------------------------------------------------
"$GEN" --help | grep -q -- '--seed' || fail "--help does not describe --seed"
set +e
"$GEN" >/dev/null 2>&1; rc_none=$?
"$GEN" --out "$TMP/x" --seed nope >/dev/null 2>&1; rc_seed=$?
"$GEN" --bogus >/dev/null 2>&1; rc_arg=$?
set -e
[[ $rc_none == 2 && $rc_seed == 2 && $rc_arg == 2 ]] ||
  fail "bad usage must exit 2 (no args: $rc_none, bad seed: $rc_seed, unknown arg: $rc_arg)"

# --- determinism -------------------------------------------------------------
"$GEN" --out "$TMP/a" --seed 1 >"$TMP/a.out"
"$GEN" --out "$TMP/b" >"$TMP/b.out" # the default seed is 1
for f in shop-benign.pcap shop-attack.pcap shop-attack.truth.tsv; do
  [[ -s "$TMP/a/$f" ]] || fail "$f was not written"
  ha=$(sha256sum <"$TMP/a/$f") hb=$(sha256sum <"$TMP/b/$f")
  [[ "$ha" == "$hb" ]] || fail "$f differs between two runs with seed 1"
done
cmp -s "$TMP/a.out" "$TMP/b.out" || fail "the printed summaries differ between runs"
"$GEN" --out "$TMP/c" --seed 2 >/dev/null
cmp -s "$TMP/a/shop-benign.pcap" "$TMP/c/shop-benign.pcap" &&
  fail "seeds 1 and 2 gave the same benign capture"

D="$TMP/a"
B="$D/shop-benign.pcap"
A="$D/shop-attack.pcap"

# --- summaries match the files -----------------------------------------------
field() { # field FILE KEY -> value of KEY=... on FILE's summary line
  awk -v f="$1" -v k="$2" '$1 == f { for (i = 2; i <= NF; i++) {
    split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$TMP/a.out"
}
for f in shop-benign.pcap shop-attack.pcap; do
  printed=$(field "$f" packets)
  [[ -n "$printed" ]] || fail "no summary line with packets= for $f"
  counted=$(capinfos -c -M "$D/$f" | awk -F: '/Number of packets/ { gsub(/ /, "", $2); print $2 }')
  [[ "$printed" == "$counted" ]] || fail "$f: generator printed $printed packets, capinfos counts $counted"
  size=$(stat -c %s "$D/$f")
  [[ "$(field "$f" file_bytes)" == "$size" ]] || fail "$f: printed file_bytes differs from the size on disk ($size)"
  info=$(capinfos -o -l -E -M "$D/$f")
  grep -q 'Strict time order: *True' <<<"$info" || fail "$f: timestamps are not in order"
  grep -q 'file hdr: 256 bytes' <<<"$info" || fail "$f: snaplen is not 256"
  grep -q 'File encapsulation: *ether' <<<"$info" || fail "$f: linktype is not Ethernet"
  (( size < 3500000 )) || fail "$f is $size bytes; keep it under ~3 MB"
done

# --- tcpdump reads both cleanly ----------------------------------------------
for f in "$B" "$A"; do
  tcpdump -nn -r "$f" >/dev/null 2>"$TMP/td.err" || fail "tcpdump failed on $f: $(cat "$TMP/td.err")"
  if grep -v '^reading from file' "$TMP/td.err" | grep -q .; then
    fail "tcpdump complained about $f: $(cat "$TMP/td.err")"
  fi
done

# --- tshark: no malformed packets, no expert warnings --------------------------
bad=$(tsh -r "$B" -Y '_ws.malformed || _ws.expert.severity >= warning' | head -5)
[[ -z "$bad" ]] || fail "tshark finds malformed packets or warnings in the benign capture:
$bad"
# The SYN scan makes 1025 RSTs by design, and tshark flags every RST as a
# warning ("Connection reset (RST)"). Everything else must be clean, and the
# only warning tshark has for the attack capture must be that one.
bad=$(tsh -r "$A" -Y '_ws.malformed || (_ws.expert.severity >= warning && !(tcp.flags.reset == 1))' | head -5)
[[ -z "$bad" ]] || fail "tshark finds malformed packets or warnings in the attack capture:
$bad"
other=$(tsh -r "$A" -q -z expert,warn | awk '/^ +[0-9]+ +[A-Za-z]/ && !/Connection reset \(RST\)/' | head -5)
[[ -z "$other" ]] || fail "attack capture has expert warnings besides the scan's RSTs:
$other"

# --- the benign capture has enough of every edge -------------------------------
sum_len() { awk '{ s += $1 } END { print s + 0 }'; }
syns() { tsh -r "$1" -Y "tcp.flags.syn == 1 && tcp.flags.ack == 0 && $2" | wc -l; }
for edge in "tcp.dstport == 80:200:web" "tcp.dstport == 8080:200:api" \
            "tcp.dstport == 5432:200:db" "tcp.dstport == 6379:200:cache" \
            "ip.dst == 198.51.100.7 && tcp.dstport == 443:20:payments"; do
  IFS=: read -r filter min name <<<"$edge"
  n=$(syns "$B" "$filter")
  (( n >= min )) || fail "benign capture has $n $name connections, want >= $min"
done
n=$(tsh -r "$B" -Y 'dns.flags.response == 0 && udp.dstport == 53' | wc -l)
(( n >= 20 )) || fail "benign capture has $n DNS queries, want >= 20"
n=$(tsh -r "$B" -Y 'tls.handshake.extensions_server_name == "api.payments.example"' | wc -l)
(( n >= 20 )) || fail "benign capture has $n ClientHellos with SNI api.payments.example"
n=$(tsh -r "$B" -Y 'tcp.port == 22 && tcp.payload contains "SSH-2.0-OpenSSH_9.2p1 Debian-2"' | wc -l)
(( n >= 2 )) || fail "benign capture has no operator SSH session"
n=$(tsh -r "$B" -Y 'ip.addr == 192.0.2.66 || dns.qry.name == "c2.evil.example"' | wc -l)
(( n == 0 )) || fail "benign capture contains attack traffic"

# --- the planted attacks -------------------------------------------------------
T="$D/shop-attack.truth.tsv"
head -1 "$T" | grep -qx $'id\tstart_iso\tcli_ip\tcli_port\tsrv_ip\tsrv_port\tproto\texpected_category\tdescription' ||
  fail "truth file header is wrong: $(head -1 "$T")"
[[ $(tail -n +2 "$T" | wc -l) == 4 ]] || fail "truth file should list 4 attacks"
cats=$(tail -n +2 "$T" | cut -f1,8 | tr '\t\n' ':,')
[[ "$cats" == "a:violation,b:anomaly,c:threat,d:violation," ]] || fail "truth categories are $cats"
cport() { awk -F'\t' -v id="$1" '$1 == id { print $4 }' "$T"; }

# a. reverse shell to 192.0.2.66:4444: established, ~20 KB out, ~1 KB in.
out=$(tsh -r "$A" -Y "ip.src == 10.1.0.20 && tcp.srcport == $(cport a) && tcp.dstport == 4444" -T fields -e tcp.len | sum_len)
in=$(tsh -r "$A" -Y "ip.dst == 10.1.0.20 && tcp.srcport == 4444" -T fields -e tcp.len | sum_len)
(( out >= 15000 && out <= 30000 )) || fail "attack a: api sent $out bytes to 192.0.2.66:4444, want ~20 KB"
(( in >= 500 && in <= 2000 )) || fail "attack a: api received $in bytes from 192.0.2.66:4444, want ~1 KB"
n=$(tsh -r "$A" -Y 'tcp.dstport == 4444 && tcp.flags.syn == 1 && tcp.flags.ack == 0' | wc -l)
[[ $n == 1 ]] || fail "attack a: expected one connection to 192.0.2.66:4444, saw $n SYNs"

# b. 5 MB of TLS application data from api to payments:443.
up=$(tsh -r "$A" -Y "tcp.srcport == $(cport b) && tcp.dstport == 443" -T fields -e tcp.len | sum_len)
(( up >= 5000000 )) || fail "attack b: api sent only $up bytes to payments:443"
n=$(tsh -r "$A" -Y "tcp.srcport == $(cport b) && tls.handshake.extensions_server_name == \"api.payments.example\"" | wc -l)
[[ $n == 1 ]] || fail "attack b: no ClientHello for api.payments.example in the bulk session"

# c. SYN scan: >= 1000 probes from one source port to distinct db ports.
probes=$(tsh -r "$A" -Y "ip.src == 10.1.0.20 && ip.dst == 10.1.0.30 && tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.srcport == $(cport c)" -T fields -e tcp.dstport | sort -u | wc -l)
(( probes >= 1000 )) || fail "attack c: only $probes distinct ports SYN-probed on db"
n=$(tsh -r "$A" -Y "ip.src == 10.1.0.30 && tcp.dstport == $(cport c) && tcp.flags.reset == 1" | wc -l)
(( n >= 1000 )) || fail "attack c: db answered only $n probes with RST"
n=$(tsh -r "$A" -Y "ip.src == 10.1.0.30 && tcp.srcport == 5432 && tcp.dstport == $(cport c) && tcp.flags.syn == 1 && tcp.flags.ack == 1" | wc -l)
[[ $n == 1 ]] || fail "attack c: the open port 5432 did not answer SYN-ACK"

# d. SSH on port 443: banners both ways.
n=$(tsh -r "$A" -Y "tcp.port == $(cport d) && tcp.port == 443 && tcp.payload contains \"SSH-2.0-\"" | wc -l)
[[ $n == 2 ]] || fail "attack d: expected SSH banners both ways on port 443, found $n"

echo "ok: $(tr '\n' ';' <"$TMP/a.out")"
