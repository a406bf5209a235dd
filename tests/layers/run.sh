#!/usr/bin/env bash
# The layering check's own tests: scripts/layers.sh on small trees made here
# (a clean one, an upward include, a cycle inside a folder, an include of an
# unlisted folder, an exception), then on the real src/.
# Prints "ok NAME" / "FAIL NAME" and "layers: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
check=scripts/layers.sh
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passed=0; failed=0

# tree NAME: a two-layer tree (low below high) in $tmp/NAME
tree() {
	local t=$tmp/$1
	mkdir -p "$t/low" "$t/high"
	printf 'low   the bottom\nhigh  on top\n' >"$t/LAYERS"
	printf '#include "low/a.h"\n' >"$t/low/a.c"; : >"$t/low/a.h"
	printf '#include "low/a.h"\n#include "high/b.h"\n' >"$t/high/b.c"; : >"$t/high/b.h"
	echo "$t"
}

# expect NAME WANT_RC PATTERN DIR: run the check on DIR, compare exit and output
expect() {
	local name=$1 want=$2 pat=$3 dir=$4 out rc
	out=$(bash "$check" "$dir" 2>&1); rc=$?
	if [ "$rc" = "$want" ] && grep -qE -- "$pat" <<<"$out"; then
		echo "ok   $name"; passed=$((passed + 1))
	else
		echo "FAIL $name (exit $rc, want $want; output: $out)"; failed=$((failed + 1))
	fi
}

t=$(tree clean)
expect "a clean tree passes" 0 'layers: ok \(2 folders' "$t"

t=$(tree upward)
printf '#include "high/b.h"\n' >>"$t/low/a.c"
expect "an upward include fails, naming the file" 1 'low/a.c includes "high/b.h": high is above low' "$t"

t=$(tree cycle)
printf '#include "c.h"\n' >"$t/low/a.h"; printf '#include "a.h"\n' >"$t/low/c.h"
expect "a cycle inside one folder fails" 1 'include cycle: low/(a -> low/c|c -> low/a)' "$t"

t=$(tree unlisted)
mkdir -p "$t/extra"; : >"$t/extra/x.h"; printf '#include "extra/x.h"\n' >>"$t/high/b.c"
expect "a folder missing from LAYERS fails" 1 'folder "extra" is not in LAYERS' "$t"

t=$(tree allowed)
printf '#include "high/b.h"\n' >>"$t/low/a.c"; printf 'allow low/a.c high/b.h\n' >>"$t/LAYERS"
expect "an exception listed in LAYERS passes and is counted" 0 '1 known exceptions' "$t"

t=$(tree comment)
printf '/* #include "high/b.h" is not an include */\n' >>"$t/low/a.c"
expect "an include inside a comment line is not one" 0 'layers: ok' "$t"

expect "src/ follows its LAYERS" 0 'layers: ok' src

# the house's other rules, on src/: no line over 120 characters, no C file
# over 1,200 lines (store/sqlite.c waits for the store's redesign, #12)
long=$(awk 'length > 120 { print FILENAME ":" FNR }' src/*/*.c src/*/*.h)
if [ -z "$long" ]; then echo "ok   no line over 120 characters in src/"; passed=$((passed + 1))
else echo "FAIL lines over 120 characters: $long"; failed=$((failed + 1)); fi
big=$(wc -l src/*/*.c | awk '$2 != "total" && $2 != "src/store/sqlite.c" && $1 > 1200 { print $2 " (" $1 ")" }')
if [ -z "$big" ]; then echo "ok   no C file over 1,200 lines in src/ (but store/sqlite.c)"; passed=$((passed + 1))
else echo "FAIL C files over 1,200 lines: $big"; failed=$((failed + 1)); fi

echo "layers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
