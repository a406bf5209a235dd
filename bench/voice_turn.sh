#!/usr/bin/env bash
# bench/voice_turn.sh - voice turn latency (not a test): see bench/voice_turn.mjs.
#   VOICE_TURNS (default 12) turns on one call; release build, loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
make -s -j"$(nproc)" build/switchboard
exec node bench/voice_turn.mjs
