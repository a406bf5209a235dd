#!/usr/bin/env bash
# layers.sh - checks the #include lines of src/ against src/LAYERS: a file
# may include headers of its own folder or of folders listed above its own,
# and the module graph (a module = a .c and its .h; X depends on Y when X.c
# or X.h includes Y.h) has no cycle. Prints each violation and each cycle;
# exits 1 when there is any. A line "allow FILE HEADER" in LAYERS exempts
# one include (a known exception being removed; there should be none).
#   scripts/layers.sh [SRC_DIR]     (default: src next to this script)
set -uo pipefail
src=${1:-"$(dirname "$0")/../src"}
[ -f "$src/LAYERS" ] || { echo "layers: no $src/LAYERS"; exit 2; }

# "file<TAB>included" for every quoted include under src (paths relative to src)
edges=$(cd "$src" && grep -rHo --include='*.c' --include='*.h' '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*"' . |
	sed -E 's#^\./##; s#:[[:space:]]*\#[[:space:]]*include[[:space:]]*"([^"]*)"#\t\1#')

awk -F'\t' -v layers="$src/LAYERS" '
BEGIN {
	n = 0
	while ((getline line < layers) > 0) {
		if (line ~ /^[[:space:]]*(#|$)/)
			continue
		split(line, w, /[[:space:]]+/)
		if (w[1] == "allow") {	# allow FILE HEADER: a known exception
			allowed[w[2], w[3]] = 1
			nallowed++
			continue
		}
		rank[w[1]] = n++
	}
	bad = 0
}
function folder(path) { return index(path, "/") ? substr(path, 1, index(path, "/") - 1) : "" }
function module(path) { sub(/\.[ch]$/, "", path); return path }
{
	file = $1; inc = $2
	if ((file, inc) in allowed)
		next
	# a bare name is a header beside the including file
	if (!index(inc, "/"))
		inc = (folder(file) != "" ? folder(file) "/" : "") inc
	ff = folder(file); fi = folder(inc)
	if (!(ff in rank)) { printf "layers: %s: folder \"%s\" is not in LAYERS\n", file, ff; bad = 1; next }
	if (!(fi in rank)) { printf "layers: %s includes \"%s\": folder \"%s\" is not in LAYERS\n", file, $2, fi; bad = 1; next }
	if (rank[fi] > rank[ff]) {
		printf "layers: %s includes \"%s\": %s is above %s\n", file, $2, fi, ff
		bad = 1
	}
	a = module(file); b = module(inc)
	if (a != b && !((a, b) in dep)) {
		dep[a, b] = 1
		adj[a] = adj[a] " " b
		mods[a] = 1; mods[b] = 1
	}
}
# depth-first search for back edges; each cycle printed once, by its path
function visit(m,    i, k, nb, parts) {
	color[m] = 1
	stack[++top] = m
	k = split(adj[m], parts, " ")
	for (i = 1; i <= k; i++) {
		nb = parts[i]
		if (color[nb] == 1) {
			cyc = nb
			for (j = top; j >= 1 && stack[j] != nb; j--)
				;
			cyc = ""
			for (; j <= top; j++)
				cyc = cyc stack[j] " -> "
			printf "layers: include cycle: %s%s\n", cyc, nb
			bad = 1
		} else if (!color[nb]) {
			visit(nb)
		}
	}
	top--
	color[m] = 2
}
END {
	top = 0
	for (m in mods)
		if (!color[m])
			visit(m)
	if (!bad)
		printf "layers: ok (%d folders, %d modules, no upward include, no cycle%s)\n", n,
		       length(mods), nallowed ? sprintf("; %d known exceptions in LAYERS", nallowed) : ""
	exit bad
}' <<<"$edges"
