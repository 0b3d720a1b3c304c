#!/usr/bin/env bash
# The dataset generator: deterministic output, counts that match what it
# prints, captures that tshark and tcpdump read without complaint, the
# planted attacks really in the attack capture and the planted threats
# really in the threats capture.
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
for f in shop-benign.pcap shop-attack.pcap shop-attack.truth.tsv \
         shop-threats.pcap shop-threats.truth.tsv; do
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
for f in shop-benign.pcap shop-attack.pcap shop-threats.pcap; do
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
  limit=3500000 # ~3 MB; the threats capture's floods make it ~4 MB at most
  [[ $f == shop-threats.pcap ]] && limit=4000000
  (( size < limit )) || fail "$f is $size bytes; keep it under $limit"
done

# --- tcpdump reads both cleanly ----------------------------------------------
for f in "$B" "$A" "$D/shop-threats.pcap"; do
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
cats=$(tail -n +2 "$T" | cut -f1,8 | tr '\t\n' ':;')
[[ "$cats" == "a:violation;b:anomaly;c:threat;d:violation,threat;" ]] || fail "truth categories are $cats"
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

# --- the planted threats (shop-threats.pcap) -----------------------------------
X="$D/shop-threats.pcap"
XT="$D/shop-threats.truth.tsv"
head -1 "$XT" | grep -qx $'id\tstart_iso\tcli_ip\tcli_port\tsrv_ip\tsrv_port\tproto\texpected_sids\tdescription' ||
  fail "threats truth header is wrong: $(head -1 "$XT")"
sids=$(tail -n +2 "$XT" | cut -f1,8 | tr '\t\n' ':;')
want="syn-flood:3003;icmp-flood:3004;udp-flood:3005;ping-of-death:3045;frag-overlap:3046;"
want+="tiny-mss:3047;http-smuggling:3042;http-sqli:3020;http-xss:3021;pg-sqli:3022;"
want+="leak-card:3030,3030;leak-private-key:3031;leak-aws-key:3032,3034;dns-tunnel:3010;dns-loop:3043;"
want+="dns-oversize:3044;icmp-tunnel:3011;heartbleed:3040,3041;"
[[ "$sids" == "$want" ]] || fail "threats truth ids and sids are $sids"
n=$(tail -n +2 "$XT" | cut -f2 | cut -c1-19 | sort -u | wc -l)
[[ $n == 18 ]] || fail "the 18 threats do not each start in a second of their own"

# tshark: no malformed packet and no warning but the threats' own. Allowed,
# each on its threat's packets only (tshark 4.0 raises the first two and
# nothing else):
#  - HTTP smuggling (203.0.113.204 -> web:80): "The Content-Length and
#    Transfer-Encoding header must not be set together" (group Malformed,
#    warning) on both requests, "Unknown transfer coding name in
#    Transfer-Encoding header" on the xchunked one: the conflict is the attack;
#  - Heartbleed (203.0.113.208's heartbeat request): "Invalid heartbeat
#    payload length (16384)" (group Malformed, error): the lie is the attack;
#  - the DNS compression loop (the resolver's answer for
#    img.cdn-loop.example): malformed by design (tshark 4.0 only names the
#    owner "<Name contains a pointer that loops>");
#  - floods and fragments: warnings, but nothing malformed and no error
#    (e.g. about unanswered requests or fragments never reassembled).
SMUG='(ip.src == 203.0.113.204 && tcp.dstport == 80)'
HB='(ip.src == 203.0.113.208 && tls.record.content_type == 24)'
LOOP='(ip.src == 10.1.0.2 && dns.qry.name == "img.cdn-loop.example")'
MASS='(ip.addr == 198.18.0.0/15 || ip.addr == 203.0.113.200 || ip.src == 198.51.100.66 || ip.flags.mf == 1 || ip.frag_offset > 0)'
bad=$(tsh -r "$X" -Y "(_ws.malformed || _ws.expert.severity >= warning) && !($SMUG || $HB || $LOOP) &&
                      !($MASS && !_ws.malformed && !(_ws.expert.severity >= error))" | head -5)
[[ -z "$bad" ]] || fail "tshark finds malformed packets or warnings in the threats capture besides the threats' own:
$bad"

# One pass of tshark, then every check on its fields.
tsh -r "$X" -T fields -E separator=/t -e frame.time_epoch -e ip.src -e ip.dst -e ip.proto \
  -e ip.flags.mf -e ip.frag_offset -e ip.len -e tcp.srcport -e tcp.dstport -e tcp.flags.syn \
  -e tcp.flags.ack -e tcp.options.mss_val -e tcp.len -e udp.srcport -e udp.dstport -e udp.length \
  -e icmp.type -e dns.flags.response -e dns.qry.name -e dns.qry.type -e dns.count.add_rr \
  -e dns.flags.truncated -e http.request.uri -e pgsql.query -e tls.heartbeat_message.payload_length \
  -e tls.record.length -e ip.fragment.overlap -e data.data -e udp.payload -e tcp.payload \
  -e tls.record.content_type >"$TMP/x.tsv"
# Metrics as "name value" lines; payloads of the HTTP threats as text.
awk -F'\t' -v text="$TMP/x.txt" -v pgq="SELECT * FROM users WHERE name = '' OR '1'='1' --'" '
function yes(v) { return v == 1 || v == "True" }
function nibble(h, i) { return index("0123456789abcdef", substr(h, i, 1)) - 1 }
function hexbyte(h, i) { return nibble(h, 2 * i + 1) * 16 + nibble(h, 2 * i + 2) }
function bytes(h) { gsub(/:/, "", h); return tolower(h) }
function astext(h,   i, c, s) {
  for (i = 0; 2 * i < length(h); i++) { c = hexbyte(h, i); s = s ((c >= 32 && c < 127) ? chr[c] : ".") }
  return s
}
function persec(k) { if (++per[k, int($1)] > m[k]) m[k] = per[k, int($1)] }
function add(k, v) { m[k] += v }
function most(k, v) { if (v > m[k]) m[k] = v }
BEGIN { for (c = 32; c < 127; c++) chr[c] = sprintf("%c", c) }
{
  src = $2; dst = $3; us = substr($1, 1, index($1, ".") + 6)
  print us "\t" src "\t" dst > (text ".times")
  spoofed = src ~ /^198\.1[89]\./
  if (spoofed && dst == "10.1.0.10" && $9 == 80 && yes($10) && !yes($11)) persec("syn_flood")
  if (spoofed && !(yes($10) && !yes($11))) add("syn_flood_not_syn", 1)
  if (src == "10.1.0.10" && $3 ~ /^198\.1[89]\./ && yes($10) && yes($11)) add("syn_flood_synack", 1)
  if (src == "203.0.113.200" && dst == "10.1.0.10" && $17 == 8) persec("icmp_flood")
  if (src == "10.1.0.10" && dst == "203.0.113.200" && $17 == 0) add("icmp_flood_replies", 1)
  if (src == "198.51.100.66" && dst == "10.1.0.40" && $15 == 9999) {
    persec("udp_flood"); if ($16 != 26) add("udp_flood_not_small", 1)
  }
  if (src == "203.0.113.201" && (yes($5) || $6 > 0)) {
    add("pod_fragments", 1); if ($4 != 1) add("pod_not_icmp", 1)
    off = $6 > 8191 ? $6 : $6 * 8 # tshark 4.0 gives the field in 8-byte units
    most("pod_offset", off); most("pod_end", off + $7 - 20)
  }
  if (src == "203.0.113.202" && (yes($5) || $6 > 0)) add("overlap_fragments", 1)
  if (src == "203.0.113.202" && yes($27) && $15 == 5353) add("overlap_reassembled", 1)
  if (src == "203.0.113.203" && $9 == 80 && yes($10) && $12 == 48) add("mss48_syn", 1)
  if (src == "203.0.113.203" && $23 == "/") add("mss48_get", 1)
  if (src == "10.1.0.10" && dst == "203.0.113.203" && $13 > 0) { add("mss48_segments", 1); most("mss48_largest", $13) }
  if (src == "203.0.113.205" && $23 == "/products?id=1%27%20OR%20%271%27%3D%271%27--%20") add("sqli_get", 1)
  if (src == "203.0.113.206" && index($23, "/search?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E")) add("xss_get", 1)
  if (src == "10.1.0.20" && dst == "10.1.0.30" && $24 == pgq) add("pg_sqli", 1)
  if (src == "10.1.0.20" && dst == "10.1.0.2" && $20 == 16 && $19 ~ /^[0-9a-f]+\.[0-9]+\.exfil-data\.example$/ &&
      index($19, ".") == 35) {
    add("tunnel_queries", 1); if (!t0) t0 = $1; t1 = $1
  }
  if (src == "10.1.0.2" && yes($18) && $20 == 16 && $19 ~ /\.exfil-data\.example$/) add("tunnel_answers", 1)
  if (src == "10.1.0.2" && yes($18) && $19 == "img.cdn-loop.example") {
    h = bytes($29); p = 12
    while ((l = hexbyte(h, p)) != 0 && p < 255) p += l + 1
    p += 5 # the root label, QTYPE, QCLASS: the answer owner name starts here
    if (hexbyte(h, p) == 192 + int(p / 256) && hexbyte(h, p + 1) == p % 256) add("dns_loop", 1)
  }
  if (src == "10.1.0.2" && yes($18) && $19 == "selector1._domainkey.partner-mail.example" && $21 == 0 &&
      !yes($22)) most("dns_oversize", $16 - 8)
  if (src == "10.1.0.20" && dst == "192.0.2.88" && $17 == 8 && bytes($28) ~ /^45/ && hexbyte(bytes($28), 9) == 6)
    add("icmp_tunnel_requests", 1)
  if (src == "192.0.2.88" && dst == "10.1.0.20" && $17 == 0 && bytes($28) ~ /^45/ && hexbyte(bytes($28), 9) == 6)
    add("icmp_tunnel_replies", 1)
  if (src == "203.0.113.208" && $9 == 443 && $25 == 16384 && $26 == 19) add("hb_request", 1)
  if (src == "10.1.0.10" && $8 == 443 && dst == "203.0.113.208") {
    h = bytes($30)
    if (h ~ /^180303/ && hexbyte(h, 5) == 2) most("hb_response", hexbyte(h, 3) * 256 + hexbyte(h, 4))
    add("hb_server_bytes", $13)
  }
  if (src == "203.0.113.208" && bytes($30) ~ /^160303....10/) add("hb_key_exchange", 1) # cut by the snaplen
  if (dst == "203.0.113.208" && $31 ~ /(^|,)20(,|$)/) add("hb_server_ccs", 1)
  if ($13 > 0 && (src ~ /^203\.0\.113\.20[4-8]$/ || dst ~ /^203\.0\.113\.20[4-8]$/ || dst == "192.0.2.77" ||
                  ($8 == 8080 && dst == "10.1.0.10")))
    print src "\t" dst "\t" $8 "\t" $9 "\t" astext(bytes($30)) > text
}
END {
  if (t0) m["tunnel_seconds"] = t1 - t0
  for (k in m) print k, m[k]
}' "$TMP/x.tsv" >"$TMP/x.metrics"
metric() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/x.metrics"; }
expect() { # expect NAME OP VALUE WHAT: metric NAME (0 when absent) OP (>=, ==, <=, >) VALUE
  local v ok=0; v=$(metric "$1"); v=${v:-0}; v=${v%.*}
  case $2 in
    '>=') (( v >= $3 )) && ok=1 ;;
    '==') (( v == $3 )) && ok=1 ;;
    '<=') (( v <= $3 )) && ok=1 ;;
    '>') (( v > $3 )) && ok=1 ;;
  esac
  (( ok )) || fail "threat $4: $1 is $v, want $2 $3"
}
expect syn_flood '>=' 1500 "syn-flood (SYNs to web:80 from 198.18.0.0/15 within one second)"
expect syn_flood_not_syn '==' 0 "syn-flood (the spoofed sources never ACK)"
expect syn_flood_synack '>=' 1 "syn-flood (web's SYN-ACKs)"
expect icmp_flood '>=' 800 "icmp-flood (echo requests to web within one second)"
expect icmp_flood_replies '>=' 800 "icmp-flood (web's replies)"
expect udp_flood '>=' 21000 "udp-flood (datagrams to 10.1.0.40:9999 within one second)"
expect udp_flood_not_small '==' 0 "udp-flood (18-byte payloads)"
expect pod_fragments '>=' 2 "ping-of-death (fragments)"
expect pod_not_icmp '==' 0 "ping-of-death (ICMP fragments)"
expect pod_offset '>=' 65528 "ping-of-death (last fragment's offset)"
expect pod_end '>' 65535 "ping-of-death (where the last fragment ends)"
expect overlap_fragments '==' 3 "frag-overlap (fragments)"
expect overlap_reassembled '>=' 1 "frag-overlap (tshark sees the overlap)"
expect mss48_syn '==' 1 "tiny-mss (a SYN with MSS 48)"
expect mss48_get '==' 1 "tiny-mss (the GET after the handshake)"
expect mss48_segments '>=' 10 "tiny-mss (web's segments)"
expect mss48_largest '<=' 48 "tiny-mss (web's largest segment)"
expect sqli_get '==' 1 "http-sqli (the tautology in the query string)"
expect xss_get '==' 1 "http-xss (the script in the query string)"
expect pg_sqli '==' 1 "pg-sqli (the query)"
expect tunnel_queries '==' 40 "dns-tunnel (TXT queries under exfil-data.example)"
expect tunnel_answers '==' 40 "dns-tunnel (TXT answers)"
expect tunnel_seconds '<=' 30 "dns-tunnel (seconds the 40 queries take)"
expect dns_loop '==' 1 "dns-loop (an owner name that points at itself)"
expect dns_oversize '==' 900 "dns-oversize (bytes of DNS over UDP without EDNS)"
expect icmp_tunnel_requests '==' 20 "icmp-tunnel (echo requests carrying IPv4/TCP)"
expect icmp_tunnel_replies '==' 20 "icmp-tunnel (replies carrying IPv4/TCP)"
expect hb_key_exchange '==' 1 "heartbleed (the client's ClientKeyExchange)"
expect hb_server_ccs '==' 1 "heartbleed (web's ChangeCipherSpec: the handshake completes)"
expect hb_request '==' 1 "heartbleed (a 19-byte heartbeat claiming 16384)"
expect hb_response '>=' 16384 "heartbleed (the response record's length)"
expect hb_server_bytes '>=' 16408 "heartbleed (bytes web sent)"
has() { # has SRC DST TEXT: a payload from SRC to DST holds TEXT
  awk -F'\t' -v s="$1" -v d="$2" -v t="$3" '$1 == s && $2 == d && index($5, t) { f = 1 } END { exit !f }' "$TMP/x.txt"
}
has 203.0.113.204 10.1.0.10 "Transfer-Encoding: chunked" && has 203.0.113.204 10.1.0.10 "Content-Length: " ||
  fail "threat http-smuggling: no request with both Content-Length and Transfer-Encoding: chunked"
awk -F'\t' '$1 == "203.0.113.204" && index($5, "Content-Length: ") && index($5, "Transfer-Encoding: chunked") { f = 1 }
            END { exit !f }' "$TMP/x.txt" || fail "threat http-smuggling: CL and TE are not in one request"
has 203.0.113.204 10.1.0.10 "Transfer-Encoding: xchunked" || fail "threat http-smuggling: no xchunked request"
has 203.0.113.205 10.1.0.10 "q=x%27+UNION+SELECT+username%2Cpassword+FROM+users--" ||
  fail "threat http-sqli: no UNION SELECT in a form body"
has 10.1.0.10 203.0.113.207 "4111 1111 1111 1111" && has 10.1.0.10 203.0.113.207 "5500-0000-0000-0004" ||
  fail "threat leak-card: the card numbers are not in web's answer"
has 10.1.0.20 10.1.0.10 "-----BEGIN RSA PRIVATE KEY-----" || fail "threat leak-private-key: no PEM header from api"
awk -F'\t' '$1 == "10.1.0.20" && $2 == "192.0.2.77" && $4 == 80 { print $5 }' "$TMP/x.txt" |
  grep -Eq 'AKIA[A-Z2-7]{16}.*"[A-Za-z0-9+/]{40}"' || fail "threat leak-aws-key: no key id and secret sent to 192.0.2.77"
# The truth's times: a packet between the threat's hosts at each start_iso.
tail -n +2 "$XT" | while IFS=$'\t' read -r id start cli _ srv _; do
  us=$(date -u -d "$start" +%s.%6N)
  awk -F'\t' -v t="$us" -v c="$cli" -v s="$srv" '
    function n(a,   q) { split(a, q, "."); return ((q[1] * 256 + q[2]) * 256 + q[3]) * 256 + q[4] }
    function from(a,   net, unit) { # a is c, or inside the network c ("198.18.0.0/15")
      if (!index(c, "/")) return a == c
      split(c, net, "/"); unit = 2 ^ (32 - net[2])
      return int(n(a) / unit) == int(n(net[1]) / unit)
    }
    $1 == t && $3 == s && from($2) { f = 1 } END { exit !f }' "$TMP/x.txt.times" ||
    fail "threat $id: no packet from $cli to $srv at $start"
done
echo "ok: $(tr '\n' ';' <"$TMP/a.out")"
