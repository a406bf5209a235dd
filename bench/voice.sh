#!/usr/bin/env bash
# bench/voice.sh - concurrent calls held with RTP both ways and recording:
# the CPU the switchboard process spends per call (not a test).
#   VOICE_CALLS (default 50) concurrent inbound calls from one sipp, each
#   streaming speech (looped) for VOICE_SECONDS (default 20) while the agent
#   sends its own RTP; the assistant records every call. CPU is read from
#   /proc over the window where all calls are up. Loopback only; everything
#   started here is stopped here. Release build; speech recognition off
#   (SWITCHBOARD_STT=none) so the figure is the media path; VOICE_STT=sphinx
#   adds end-pointed recognition of what the callers say.
set -euo pipefail
cd "$(dirname "$0")/.."
CALLS=${VOICE_CALLS:-50}; SECS=${VOICE_SECONDS:-20}
bash scripts/setup.sh >/dev/null
make -s -j"$(nproc)" build/switchboard
BIN=$PWD/build/switchboard
T=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
cpu_s() { awk '{print ($14+$15)/100}' "/proc/$1/stat"; }   # utime+stime, seconds (USER_HZ=100)

DB=$T/sb.db
ACC=$("$BIN" account create --name Bench --balance 1000 --db "$DB")
KEY=$("$BIN" key create --account "$ACC" --scopes read,write --db "$DB")
NUM=$("$BIN" number add --account "$ACC" --number +4930990000 --type inbound --db "$DB")
HTTP=$(freeport); SIP=$(freeport)
SWITCHBOARD_SIP_LISTEN=127.0.0.1:$SIP SWITCHBOARD_STT=${VOICE_STT:-none} SWITCHBOARD_LOG=warn \
  SWITCHBOARD_RTP_PORTS=32000-33999 "$BIN" serve --db "$DB" --port "$HTTP" >"$T/server.log" 2>&1 &
SB=$!; pids+=("$SB")
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$HTTP/health" >/dev/null && break; sleep 0.05; done

# the assistant on the number: record every call, never give up on silence
(cd tests/e2e && node --input-type=module -e "
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
const c = new Client({ name: 'bench', version: '1' });
await c.connect(new StreamableHTTPClientTransport(new URL('http://127.0.0.1:$HTTP/mcp'),
  { requestInit: { headers: { Authorization: 'Bearer $KEY' } } }));
const r = await c.callTool({ name: 'create_assistant', arguments: {
  assistant_name: 'Bench', calls_direction: 'receive', phone_number_id: $NUM, record_call: true,
  initial_message: 'Thank you for calling. This is a benchmark of the voice runtime, talking all along.',
  max_silence_duration: 120, max_call_duration: 1200, allow_interruptions: false } });
if (r.isError) { console.error(JSON.stringify(r)); process.exit(1); }
await c.close();")

espeak-ng -v en-us -w "$T/talk.wav" "I would like to book an appointment for tomorrow morning, please. My number is five five five."
sox "$T/talk.wav" -r 8000 -c 1 -t raw -e mu-law "$T/talk.ul"
sed -e "s|@AUDIO@|$T/talk.ul|g" -e "s|@TALKMS@|$((SECS * 1000))|g" bench/voice_load.xml >"$T/load.xml"

SIPP=$(freeport)
(cd "$T" && timeout $((SECS + 60)) sipp -sf load.xml -i 127.0.0.1 -p "$SIPP" -mp $((SIPP + 2)) \
  -s +4930990000 -m "$CALLS" -l "$CALLS" -r "$CALLS" -rp 2000 -nostdin -bg -trace_err \
  "127.0.0.1:$SIP" >/dev/null 2>&1) || true
sleep 4   # every call answered and talking
c0=$(cpu_s "$SB"); t0=$(date +%s.%N)
sleep $((SECS - 8))
c1=$(cpu_s "$SB"); t1=$(date +%s.%N)
sleep 10
rec=$(find "$T/recordings" -name '*.wav' 2>/dev/null | wc -l)
awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v n="$CALLS" -v rss="$(awk '/VmHWM/{print $2}' /proc/$SB/status)" \
  -v rec="$rec" 'BEGIN {
  cpu = (c1 - c0) / (t1 - t0) * 100
  printf "voice: %d concurrent calls, RTP both ways (PCMU 20 ms), recording on (%d files)\n", n, rec
  printf "voice: CPU %.1f%% of one core in total, %.2f%% per call; peak RSS %.0f MiB\n", cpu, cpu / n, rss / 1024 }'
kill -TERM "$SB"; wait "$SB" 2>/dev/null || true
