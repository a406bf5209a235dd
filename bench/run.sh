#!/usr/bin/env bash
# make bench: Switchboard against the official MCP TypeScript SDK server and
# nginx, measured in the same run on this machine, printed as ratios.
# Loopback only; every server started here is stopped here.
#   BENCH_SECONDS (default 10), BENCH_CONNS (default 50), BENCH_IDLE (10000)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${BENCH_SECONDS:-10}; CONNS=${BENCH_CONNS:-50}; IDLE=${BENCH_IDLE:-10000}
OUT=${BENCH_OUT:-docs/PERFORMANCE.md}
command -v wrk >/dev/null && command -v nginx >/dev/null || {
  export DEBIAN_FRONTEND=noninteractive; apt-get update -q; apt-get install -y -q wrk nginx-light; }
[ -d bench/node_modules/@modelcontextprotocol/sdk ] || (cd bench && npm install --no-audit --no-fund --loglevel=error)
make -s -j"$(nproc)" build/switchboard build/bench/executor
BIN=$PWD/build/switchboard
T=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
            [ -f "$T/nginx.pid" ] && kill "$(cat "$T/nginx.pid")" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
cpu_s() { awk '{print ($14+$15)/100}' "/proc/$1/stat"; }   # utime+stime, seconds (USER_HZ=100)
rss_kb() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }
ms_now() { date +%s%3N; }

# ---- start Switchboard (control plane, with auth) and its fixture twin ----
$BIN migrate --db "$T/sb.db" >/dev/null
ACC=$($BIN account create --name Bench --db "$T/sb.db")
KEY=$($BIN key create --account "$ACC" --scopes read --db "$T/sb.db")
# ten assistants so get_assistants answers a realistic page
for i in $(seq 10); do :; done
SBPORT=$(freeport); t0=$(ms_now)
SWITCHBOARD_LOG=warn $BIN serve --db "$T/sb.db" --port "$SBPORT" --port-file "$T/sb.port" >/dev/null 2>"$T/sb.err" & SBPID=$!; pids+=($SBPID)
until curl -fs "http://127.0.0.1:$SBPORT/health" >/dev/null 2>&1; do sleep 0.005; done
SB_READY_MS=$(( $(ms_now) - t0 ))
FXPORT=$(freeport)
SWITCHBOARD_LOG=warn $BIN serve --conformance --db "$T/fx.db" --port "$FXPORT" >/dev/null 2>"$T/fx.err" & FXPID=$!; pids+=($FXPID)
until curl -fs "http://127.0.0.1:$FXPORT/health" >/dev/null 2>&1; do sleep 0.01; done

# seed assistants through the real tool path (a write key)
WKEY=$($BIN key create --account "$ACC" --scopes read,write --db "$T/sb.db")
WS=$(node bench/sessions.mjs "http://127.0.0.1:$SBPORT/mcp" 1 "$WKEY")
for i in $(seq 10); do
  curl -fs "http://127.0.0.1:$SBPORT/mcp" -H "Authorization: Bearer $WKEY" -H "Mcp-Session-Id: $WS" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":$i,\"method\":\"tools/call\",\"params\":{\"name\":\"create_assistant\",\"arguments\":{\"assistant_name\":\"Bench $i\",\"calls_direction\":\"receive\"}}}" >/dev/null
done
S1=$(node bench/sessions.mjs "http://127.0.0.1:$SBPORT/mcp" 1 "$KEY")
# the answer body of get_assistants, for the references
curl -fs "http://127.0.0.1:$SBPORT/mcp" -H "Authorization: Bearer $KEY" -H "Mcp-Session-Id: $S1" \
  -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
  -d '{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"get_assistants","arguments":{}}}' > "$T/answer.json"
node -e 'const a=JSON.parse(require("fs").readFileSync(process.argv[1]));require("fs").writeFileSync(process.argv[2],JSON.stringify(a.result.structuredContent))' "$T/answer.json" "$T/page.json"

# ---- the official SDK server ----
SDKPORT=$(freeport); t0=$(ms_now)
node bench/sdk_server.mjs http "$SDKPORT" "$T/page.json" >"$T/sdk.out" 2>&1 & SDKPID=$!; pids+=($SDKPID)
until node bench/sessions.mjs "http://127.0.0.1:$SDKPORT/mcp" 1 >/dev/null 2>&1; do sleep 0.005; done
SDK_READY_MS=$(( $(ms_now) - t0 ))

# ---- nginx with the same bytes ----
NGPORT=$(freeport)
mkdir -p "$T/www"; cp "$T/answer.json" "$T/www/answer.json"
# what a CRM lookup typically answers, for the executor benchmark
echo '{"id":"C-1042","name":"Erika Mustermann","company":"ACME GmbH","phone":"+4930123456","tier":"gold","open_tickets":2,"last_contact":"2026-11-20T14:03:00Z"}' > "$T/www/crm.json"
# a static file answers POST with 405; error_page turns that into the file (200)
cat > "$T/nginx.conf" <<NG
worker_processes 2; pid $T/nginx.pid; error_log $T/nginx.err; daemon on;
events { worker_connections 1024; }
http { access_log off; keepalive_requests 1000000; sendfile on;
  client_body_temp_path $T; proxy_temp_path $T; fastcgi_temp_path $T; uwsgi_temp_path $T; scgi_temp_path $T;
  server { listen 127.0.0.1:$NGPORT; root $T/www;
    location = /mcp { default_type application/json; error_page 405 =200 /answer.json; try_files /answer.json =404; }
    location = /answer.json { default_type application/json; } } }
NG
nginx -c "$T/nginx.conf" -p "$T"
until curl -fs -X POST "http://127.0.0.1:$NGPORT/mcp" -d '{}' >/dev/null; do sleep 0.01; done

# ---- load ----
# run NAME PORT PID TOOL SESSIONS KEY -> "rps p50ms p99ms server_cpu wrk_cpu"
declare -A R
load() {
  local name=$1 port=$2 pid=$3 tool=$4 sessions=$5 key=$6
  BENCH_TOOL=$tool BENCH_SESSIONS="$sessions" BENCH_KEY="$key" \
    wrk -t2 -c"$CONNS" -d3s -s bench/call.lua "http://127.0.0.1:$port/mcp" >/dev/null 2>&1   # warm-up
  local c0; c0=$(cpu_s "$pid")
  BENCH_TOOL=$tool BENCH_SESSIONS="$sessions" BENCH_KEY="$key" \
    /usr/bin/time -f '%U %S' -o "$T/wrk.time" \
    wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s bench/call.lua "http://127.0.0.1:$port/mcp" > "$T/wrk.$name" 2>&1
  local c1; c1=$(cpu_s "$pid")
  local rps p50 p99 non2xx wcpu
  rps=$(awk '/Requests\/sec/{print $2}' "$T/wrk.$name")
  p50=$(awk '$1=="50%"{print $2}' "$T/wrk.$name"); p99=$(awk '$1=="99%"{print $2}' "$T/wrk.$name")
  non2xx=$(awk '/Non-2xx/{print $NF}' "$T/wrk.$name"); non2xx=${non2xx:-0}
  wcpu=$(awk '{print $1+$2}' "$T/wrk.time")
  R[$name]="$rps $p50 $p99 $(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.1f", b-a}') $wcpu $non2xx"
  echo "  $name: $rps req/s, p50 $p50, p99 $p99, non-2xx $non2xx" >&2
}
echo "load: wrk -t2 -c$CONNS -d${SECS}s" >&2
SB_MANY=$(node bench/sessions.mjs "http://127.0.0.1:$SBPORT/mcp" "$CONNS" "$KEY" | tr '\n' ' ')
FX1=$(node bench/sessions.mjs "http://127.0.0.1:$FXPORT/mcp" 1)
FX_MANY=$(node bench/sessions.mjs "http://127.0.0.1:$FXPORT/mcp" "$CONNS" | tr '\n' ' ')
SDK1=$(node bench/sessions.mjs "http://127.0.0.1:$SDKPORT/mcp" 1)
SDK_MANY=$(node bench/sessions.mjs "http://127.0.0.1:$SDKPORT/mcp" "$CONNS" | tr '\n' ' ')
load sb_store_1     "$SBPORT"  "$SBPID"  get_assistants    "$S1"      "$KEY"
load sb_store_many  "$SBPORT"  "$SBPID"  get_assistants    "$SB_MANY" "$KEY"
load sb_trivial_1   "$FXPORT"  "$FXPID"  test_simple_text  "$FX1"     ""
load sb_trivial_many "$FXPORT" "$FXPID"  test_simple_text  "$FX_MANY" ""
load sdk_store_1    "$SDKPORT" "$SDKPID" get_assistants    "$SDK1"    ""
load sdk_trivial_1  "$SDKPORT" "$SDKPID" trivial           "$SDK1"    ""
load sdk_trivial_many "$SDKPORT" "$SDKPID" trivial         "$SDK_MANY" ""
NGPID=$(cat "$T/nginx.pid")
load nginx          "$NGPORT"  "$NGPID"  none              "x"        ""

# ---- the in-call HTTP action executor over a direct libcurl request ----
EXEC=$(build/bench/executor "http://127.0.0.1:$NGPORT/crm.json" "${BENCH_EXEC_N:-3000}")

# ---- memory: idle sessions ----
SBPORT2=$(freeport)
SWITCHBOARD_LOG=warn $BIN serve --db "$T/sb.db" --port "$SBPORT2" >/dev/null 2>>"$T/sb.err" & MPID=$!; pids+=($MPID)
until curl -fs "http://127.0.0.1:$SBPORT2/health" >/dev/null 2>&1; do sleep 0.01; done
node bench/sessions.mjs "http://127.0.0.1:$SBPORT2/mcp" 200 "$KEY" >/dev/null   # warm allocator, threads, connections
rss0=$(rss_kb "$MPID")
node bench/sessions.mjs "http://127.0.0.1:$SBPORT2/mcp" "$IDLE" "$KEY" > "$T/idle.ids"
sleep 0.5; rss1=$(rss_kb "$MPID")
SB_PER_SESSION=$(awk -v a="$rss0" -v b="$rss1" -v n="$IDLE" 'BEGIN{printf "%.2f", (b-a)/n}')
SDKPORT2=$(freeport)
node bench/sdk_server.mjs http "$SDKPORT2" "$T/page.json" >/dev/null 2>&1 & SPID=$!; pids+=($SPID)
until node bench/sessions.mjs "http://127.0.0.1:$SDKPORT2/mcp" 1 >/dev/null 2>&1; do sleep 0.01; done
node bench/sessions.mjs "http://127.0.0.1:$SDKPORT2/mcp" 200 >/dev/null
srss0=$(rss_kb "$SPID")
SDK_IDLE=$(( IDLE / 5 ))
node bench/sessions.mjs "http://127.0.0.1:$SDKPORT2/mcp" "$SDK_IDLE" >/dev/null
sleep 0.5; srss1=$(rss_kb "$SPID")
SDK_PER_SESSION=$(awk -v a="$srss0" -v b="$srss1" -v n="$SDK_IDLE" 'BEGIN{printf "%.2f", (b-a)/n}')

# ---- stdio ----
STDIO_N=${BENCH_STDIO:-5000}
SB_STDIO=$(SWITCHBOARD_LOG=warn SWITCHBOARD_API_KEY=$KEY node bench/stdio_rtt.mjs "$STDIO_N" get_assistants -- "$BIN" stdio --db "$T/sb.db")
SB_STDIO_T=$(SWITCHBOARD_LOG=warn node bench/stdio_rtt.mjs "$STDIO_N" test_simple_text -- "$BIN" stdio --conformance --db "$T/fx.db")
SDK_STDIO=$(node bench/stdio_rtt.mjs "$STDIO_N" trivial -- node bench/sdk_server.mjs stdio "$T/page.json")

# ---- report ----
f() { echo "${R[$1]}" | awk -v i="$2" '{print $i}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "n/a" }'; }
jsonf3() { node -e 'console.log(JSON.parse(process.argv[1])[process.argv[2]].toFixed(3))' "$1" "$2"; }
jsonf() { node -e 'console.log(JSON.parse(process.argv[1])[process.argv[2]].toFixed(0))' "$1" "$2"; }
NG=$(f nginx 1)
{
echo "# Performance"
echo
echo "Measured $(date -u +%Y-%m-%d) on this machine ($(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)); the load generator runs on the same cores."
echo "Reproduce: \`make bench\` (bench/run.sh; BENCH_SECONDS=$SECS, BENCH_CONNS=$CONNS). Every figure below comes from one run."
echo
echo "## tools/call over Streamable HTTP (wrk -t2 -c$CONNS -d${SECS}s, keep-alive, unique ids)"
echo
echo "| server | tool | sessions | req/s | p50 | p99 | server CPU s | wrk CPU s | non-2xx |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
row() { echo "| $1 | $2 | $3 | $(f $4 1) | $(f $4 2) | $(f $4 3) | $(f $4 4) | $(f $4 5) | $(f $4 6) |"; }
row "Switchboard (auth, store, audit)" get_assistants 1 sb_store_1
row "Switchboard (auth, store, audit)" get_assistants "$CONNS" sb_store_many
row "Switchboard fixtures (no auth)" test_simple_text 1 sb_trivial_1
row "Switchboard fixtures (no auth)" test_simple_text "$CONNS" sb_trivial_many
row "TS SDK 1.32.2 (JSON answers)" get_assistants 1 sdk_store_1
row "TS SDK 1.32.2 (JSON answers)" trivial 1 sdk_trivial_1
row "TS SDK 1.32.2 (JSON answers)" trivial "$CONNS" sdk_trivial_many
row "nginx (same bytes, \`return 200\`)" "-" "-" nginx
echo
echo "## Ratios (goal: ≥ 20× the SDK server, ≥ 0.5× nginx)"
echo
echo "| comparison | ratio |"
echo "| --- | ---: |"
echo "| Switchboard get_assistants / SDK get_assistants (1 session) | $(ratio "$(f sb_store_1 1)" "$(f sdk_store_1 1)")× |"
echo "| Switchboard trivial / SDK trivial (1 session) | $(ratio "$(f sb_trivial_1 1)" "$(f sdk_trivial_1 1)")× |"
echo "| Switchboard trivial / SDK trivial ($CONNS sessions) | $(ratio "$(f sb_trivial_many 1)" "$(f sdk_trivial_many 1)")× |"
echo "| Switchboard get_assistants / nginx | $(ratio "$(f sb_store_1 1)" "$NG")× |"
echo "| Switchboard trivial / nginx | $(ratio "$(f sb_trivial_1 1)" "$NG")× |"
echo
echo "## Memory and start-up"
echo
echo "| measure | Switchboard | TS SDK |"
echo "| --- | ---: | ---: |"
echo "| RSS per idle session (KiB; $IDLE sessions for Switchboard, $SDK_IDLE for the SDK) | $SB_PER_SESSION | $SDK_PER_SESSION |"
echo "| spawn → ready (ms; /health answered vs first initialize answered) | $SB_READY_MS | $SDK_READY_MS |"
echo
echo "## In-call HTTP action executor (goal: ≤ 0.3 ms added at the median)"
echo
echo "A CRM-style JSON record (170 bytes) from nginx on loopback, each request on a new libcurl handle, interleaved: direct libcurl vs httpaction_run (argument validation, templating, SSRF guard on the connect, parsing and capping the result for the model)."
echo
echo "| measure | direct | executor | added |"
echo "| --- | ---: | ---: | ---: |"
echo "| p50 (ms) | $(jsonf3 "$EXEC" direct_p50_ms) | $(jsonf3 "$EXEC" executor_p50_ms) | $(jsonf3 "$EXEC" added_p50_ms) |"
echo "| p99 (ms) | $(jsonf3 "$EXEC" direct_p99_ms) | $(jsonf3 "$EXEC" executor_p99_ms) | |"
echo
echo "## stdio, sequential round trips ($STDIO_N calls after 200 warm-up)"
echo
echo "| server | tool | calls/s | mean µs |"
echo "| --- | --- | ---: | ---: |"
echo "| Switchboard | get_assistants | $(jsonf "$SB_STDIO" per_second) | $(jsonf "$SB_STDIO" mean_us) |"
echo "| Switchboard | test_simple_text | $(jsonf "$SB_STDIO_T" per_second) | $(jsonf "$SB_STDIO_T" mean_us) |"
echo "| TS SDK 1.32.2 | trivial | $(jsonf "$SDK_STDIO" per_second) | $(jsonf "$SDK_STDIO" mean_us) |"
echo "| ratio (trivial) | | $(ratio "$(jsonf "$SB_STDIO_T" per_second)" "$(jsonf "$SDK_STDIO" per_second)")× | |"
} > "$T/report.md"
cat "$T/report.md"
[ -f docs/PERFORMANCE.notes.md ] && cat docs/PERFORMANCE.notes.md >> "$T/report.md"
cp "$T/report.md" "$OUT"
echo "written to $OUT" >&2
