#!/usr/bin/env bash
# The tool declarations' generator (scripts/tooldecl.c): docs/TOOLS.md is
# what the declarations in src/tools/schemas/ give; small trees made here
# show the build fails on a broken declaration (invalid JSON, a file not in
# LIST, a handler without file, a file without declared handler, an unknown
# field) and that fragments are written out ($include with a parameter,
# $merge). Prints "ok NAME" / "FAIL NAME" and "tooldecl: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
gen=${TOOLDECL:-build/san/tooldecl}
[ -x "$gen" ] || gen=build/tooldecl
[ -x "$gen" ] || make -s build/tooldecl || { echo "tooldecl: 0 passed, 1 failed"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passed=0; failed=0

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

if "$gen" --docs "$tmp/TOOLS.md" src/tools/schemas src/tools/tools.h && diff -u docs/TOOLS.md "$tmp/TOOLS.md" >"$tmp/docs.diff"; then
	ok "docs/TOOLS.md is up to date"
else
	bad "docs/TOOLS.md is stale: run 'make docs' (diff below)"; head -40 "$tmp/docs.diff"
fi

# tree NAME: one tool 'ping' with handler ping, using a fragment of each kind
tree() {
	local t=$tmp/$1
	mkdir -p "$t/fragments"
	printf 'HANDLER(ping);\nHANDLER(pong);\nint ping_preview(void);\n' >"$t/tools.h"
	printf '# a section\nping.json\n' >"$t/LIST"
	printf '{"n": {"type": "integer", "minimum": 1}, "$merge": "m2"}\n' >"$t/fragments/m1.json"
	printf '{"s": {"type": "string"}}\n' >"$t/fragments/m2.json"
	printf '{"type": "object", "properties": {"data": {"$param": "item"}}}\n' >"$t/fragments/wrap.json"
	cat >"$t/ping.json" <<'JSON'
{
	"name": "ping", "title": "Ping", "description": "Answers \"pong\"", "surfaces": ["control"],
	"scope": "spend", "annotations": {"readOnlyHint": true, "destructiveHint": false,
	"idempotentHint": true, "openWorldHint": false}, "flags": ["spend"], "preview": "ping_preview",
	"inputSchema": {"type": "object", "properties": {"a": {"type": "boolean"}, "$merge": "m1"}},
	"outputSchema": {"$include": "wrap", "item": {"const": 1}}
}
JSON
	printf '{"name": "pong", "title": "Pong", "description": "d", "surfaces": ["incall"], "scope": null,
	"annotations": {"readOnlyHint": false, "destructiveHint": false, "idempotentHint": false,
	"openWorldHint": false}, "inputSchema": {"type": "object", "properties": {"x": {"$ref": "#/$defs/x"}}}}\n' \
		>"$t/pong.json"
	echo pong.json >>"$t/LIST"
	echo "$t"
}

# expect NAME WANT_RC PATTERN DIR: run the generator on DIR, compare exit and output
expect() {
	local name=$1 want=$2 pat=$3 dir=$4 out rc
	out=$("$gen" --c "$dir/out.c" "$dir" "$dir/tools.h" 2>&1); rc=$?
	# the C strings joined again (the generator splits long ones over lines)
	if [ "$rc" = "$want" ] &&
	   grep -qE -- "$pat" <<<"$out$(perl -0pe 's/"\n\t+"//g' "$dir/out.c" 2>/dev/null)"; then
		ok "$name"
	else
		bad "$name (exit $rc, want $want; output: $out)"
	fi
}

t=$(tree clean)
expect "a clean tree generates the table" 0 '\.fn = pong' "$t"
expect "fragments are written out in place" 0 \
	'"\{\\"type\\":\\"object\\",\\"properties\\":\{\\"a\\":\{\\"type\\":\\"boolean\\"\},\\"n\\":.*\\"s\\":' "$t"
expect "an \$include takes its parameters" 0 'data\\":\{\\"const\\":1\}' "$t"
expect "JSON Schema's own \$ref stays" 0 '\$ref\\":\\"#/\$defs/x' "$t"
expect "flags, scope and preview become C" 0 'TOOL_READONLY \| TOOL_IDEMPOTENT \| TOOL_SPEND' "$t"

t=$(tree badjson)
printf '{"name": "ping",,}\n' >"$t/ping.json"
expect "a file that is not JSON fails, naming it" 1 'ping.json:1: not valid JSON' "$t"

t=$(tree unlisted)
cp "$t/pong.json" "$t/extra.json"; sed -i 's/"pong"/"extra"/' "$t/extra.json"
expect "a file missing from LIST fails" 1 'extra.json: not in' "$t"

t=$(tree nofile)
printf 'HANDLER(gone);\n' >>"$t/tools.h"
expect "a handler without a file fails" 1 "'gone' is declared but no file" "$t"

t=$(tree nohandler)
sed -i '/HANDLER(pong)/d' "$t/tools.h"
expect "a file whose handler is not declared fails" 1 "handler 'pong' is not declared" "$t"

t=$(tree unknown)
sed -i 's/"title": "Pong"/"titel": "Pong"/' "$t/pong.json"
expect "an unknown field fails" 1 'unknown field "titel"' "$t"

t=$(tree nopreview)
sed -i 's/, "preview": "ping_preview"//' "$t/ping.json"
expect "a spend tool without preview fails" 1 'preview exactly when' "$t"

echo "tooldecl: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
