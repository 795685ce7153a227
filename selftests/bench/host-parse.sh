#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The host benchmark of the L2TP parser (kmod/parse.c): instructions per
# packet of each kind of selftests/parse/parse_bench.c, by callgrind. One
# run per kind, N calls of the parser (l2tpss_parse_udp or l2tpss_parse_ip)
# with collection on only inside it (--collect-atstart=no --toggle-collect),
# so that the collected Ir is the parser's and its callees' alone, divided
# by the calls callgrind saw from bench_<kind>() (checked to be N). Prints
# a table; writes it as JSON to OUT, with the goal for data packets (<= 50
# instructions) as a field, not a verdict.
# Usage (from anywhere, on the host): selftests/bench/host-parse.sh [OUT [N]]
#   OUT  default build/bench/parse.json of the tree
#   N    calls per kind, default 100000
# CC= the compiler (default cc), as for make.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build/bench/parse.json}
n=${2:-100000}
goal=50
cc=${CC:-cc}
bin=$top/build/parse/parse_bench

make -s -C "$top/selftests/parse" bench CC="$cc" OUT="$top/build/parse" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

compiler=$("$bin" -i | sed -n 's/^cc //p')
cflags=$("$bin" -i | sed -n 's/^parse_cflags //p')
vg=$(valgrind --version)

rows=()
printf '%-14s %-18s %-8s %s\n' kind parser class instructions/packet
while read -r kind parser class; do
	fn=l2tpss_parse_$parser
	valgrind --tool=callgrind --callgrind-out-file="$tmp/$kind.out" \
		--collect-atstart=no --toggle-collect="$fn" \
		"$bin" "$n" "$kind" >/dev/null 2>"$tmp/$kind.log" ||
		{ cat "$tmp/$kind.log" >&2; exit 1; }
	# The out file's totals, and the calls= lines of bench_<kind> to the
	# parser; names are compressed: "fn=(12) name" once, then "fn=(12)".
	read -r ir calls < <(awk -v caller="bench_$kind" -v callee="$fn" '
		function name(l,  id) {
			sub(/^c?fn=/, "", l)
			if (!match(l, /^\([0-9]+\)/))
				return l
			id = substr(l, 1, RLENGTH)
			if (length(l) > RLENGTH)
				names[id] = substr(l, RLENGTH + 2)
			return names[id]
		}
		/^fn=/ { cur = name($0) }
		/^cfn=/ { to = name($0) }
		/^calls=/ && cur == caller && to == callee { sub(/^calls=/, "", $1); c += $1 }
		/^(summary|totals):/ { ir = $2 }
		END { printf "%.0f %.0f\n", ir, c }' "$tmp/$kind.out")
	if [ "$calls" != "$n" ]; then
		echo "$kind: callgrind saw $calls calls of $fn from bench_$kind, not $n" >&2
		exit 1
	fi
	per=$(awk -v i="$ir" -v c="$calls" 'BEGIN {
		if (i % c) printf "%.1f", i / c; else printf "%d", i / c }')
	printf '%-14s %-18s %-8s %s\n' "$kind" "$fn" "$class" "$per"
	rows+=("$kind $fn $class $per")
done < <("$bin" -l)

worst=$(printf '%s\n' "${rows[@]}" | awk '$3 == "data" && (!n++ || $4 > w) { w = $4; k = $1 }
	END { print k, w }')
read -r worst_kind worst_ir <<<"$worst"
met=$(awk -v w="$worst_ir" -v g="$goal" 'BEGIN { print w <= g ? "true" : "false" }')
echo "data: worst $worst_ir instructions/packet ($worst_kind), goal <= $goal: $met"

mkdir -p "$(dirname "$out")"
{
	printf '{\n  "benchmark": "kmod/parse.c, instructions per packet (callgrind Ir per parser call)",\n'
	printf '  "calls_per_kind": %s,\n' "$n"
	printf '  "compiler": "%s",\n  "parse_cflags": "%s",\n  "valgrind": "%s",\n' \
		"$compiler" "$cflags" "$vg"
	printf '  "kinds": [\n'
	sep=
	for r in "${rows[@]}"; do
		read -r kind fn class per <<<"$r"
		printf '%s    { "kind": "%s", "parser": "%s", "class": "%s", "instructions_per_packet": %s }' \
			"$sep" "$kind" "$fn" "$class" "$per"
		sep=$',\n'
	done
	printf '\n  ],\n'
	printf '  "data_goal": { "max_instructions": %s, "worst": %s, "worst_kind": "%s", "met": %s }\n}\n' \
		"$goal" "$worst_ir" "$worst_kind" "$met"
} >"$out"
echo "wrote $out"
