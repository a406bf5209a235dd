#!/usr/bin/env bash
# Runs Switchboard: installs build dependencies if missing, builds, creates
# ./data/switchboard.db with the demo account on first start (its API key is
# printed once, on the terminal; without one the log names the command that
# makes a key) and serves MCP on http://127.0.0.1:8080 (/mcp, /sse, /health).
# Extra arguments go to `switchboard serve` (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-npm
make -s -j"$(nproc)" build/switchboard
exec ./build/switchboard serve --demo "$@"
