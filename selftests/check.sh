#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: set up (packages, kernels, sources; quick when cached), build
# the module for every kernel of the matrix with W=1 and sparse, checkpatch,
# the CLI and the test programs, run the host tests, then every selftest in a
# VM of each kernel. Each step is one result; the last line is
# "N passed, N failed, N skipped". Exits non-zero if anything failed. Every
# selftest is required: one that skips fails (L2TPSS_ALLOW_SKIP=1 lets it
# be counted as skipped instead).
#
# L2TPSS_KERNELS="6.1" limits the matrix ("debug": the debug kernel, see
# make check-debug); arguments limit the VM tests.

cd "$(dirname "$0")/.." || exit 1
CACHE=${L2TPSS_CACHE:-$HOME/.cache/l2tpss}
LOGS=build/check
mkdir -p "$LOGS"
passed=0
failed=0
skipped=0

# result NAME STATUS [LOG]: one line per result; a failure shows its log.
# STATUS skip: skipped, which is neither a pass nor a failure.
result() {
	if [ "$2" = skip ]; then
		echo "SKIP: $1"
		skipped=$((skipped + 1))
	elif [ "$2" -eq 0 ]; then
		echo "PASS: $1"
		passed=$((passed + 1))
	else
		echo "FAIL: $1"
		[ -n "${3:-}" ] && [ -s "$3" ] && tail -n 40 "$3" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
}

finish() {
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}

# A build step passes when it succeeds without a single warning.
build_clean() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 && ! grep -qiE 'warning:|error:' "$log"
}

read -ra kernels <<<"${L2TPSS_KERNELS:-$(awk '$1 !~ /^#/ && NF { printf "%s ", $1 }' selftests/vm/kernels)}"

# The newest kernel of the host's suite (the matrix's last line without a
# suite): its kselftest headers build the test programs, its YNL tools
# serve l2tpss_ynl.sh.
host_newest=$(awk '$1 !~ /^#/ && NF == 3 { k = $1 } END { print k }' selftests/vm/kernels)

# "debug" is the debug kernel, built here (make check-debug).
matrix=()
for k in "${kernels[@]}"; do
	[ "$k" = debug ] || matrix+=("$k")
done
# The matrix's kernels, and the one the test programs build with. A kernel
# setup.sh could not set up (a suite that moved on, a mirror without it)
# fails, and its tests do not run; the others go on.
setup=("${matrix[@]}")
[[ " ${setup[*]} " == *" $host_newest "* ]] || setup+=("$host_newest")
selftests/vm/setup.sh "${setup[@]}" | tee "$LOGS/setup.out"
if [ "${PIPESTATUS[0]}" != 0 ]; then
	ready=()
	for k in "${kernels[@]}"; do
		if [ "$k" = debug ] || awk -v k="$k: " 'index($0, k) == 1 { f = 1 } END { exit !f }' \
			"$LOGS/setup.out"; then
			ready+=("$k")
		else
			result "set-up: $k (none of its tests run)" 1
		fi
	done
	[ ${#ready[@]} = ${#kernels[@]} ] && result "set-up: packages, kernels and sources" 1
	if ! awk -v k="$host_newest: " 'index($0, k) == 1 { f = 1 } END { exit !f }' \
		"$LOGS/setup.out" || [ ! -f "$CACHE/daemons.env" ]; then
		finish
	fi
	kernels=("${ready[@]}")
	matrix=()
	for k in "${kernels[@]}"; do
		[ "$k" = debug ] || matrix+=("$k")
	done
fi
# The daemons setup.sh unpacked or built (libreswan, accel-ppp), named to
# the VM's tests (run.sh passes L2TPSS_* variables in).
set -a
# shellcheck source=/dev/null
. "$CACHE/daemons.env"
set +a
if [ ${#matrix[@]} != ${#kernels[@]} ]; then
	selftests/vm/debug-kernel.sh
	result "set-up: the debug kernel" $?
fi

# shellcheck source=/dev/null
. "$CACHE/kernels/$host_newest.env"
build_clean "$LOGS/cli.log" make -s cli
result "build: l2tpss-ctl, no warning" $? "$LOGS/cli.log"
build_clean "$LOGS/selftests.log" make -s -C selftests KSELFTEST_DIR="$KSELFTEST_DIR"
result "build: selftest programs, no warning" $? "$LOGS/selftests.log"

# The module from the kernel's headers and the l2tp_core.h of its series
# (kmod/l2tp/), checked against the kernel's BTF: the matrix kernels have
# it, the debug kernel (no module BTF) checks at load only. Also one with a
# deliberately altered l2tp_core.h: refused at build, and when built without
# the BTF check, refused at load (l2tpss_load.sh).
for k in "${kernels[@]}"; do
	# shellcheck source=/dev/null
	. "$CACHE/kernels/$k.env"
	# Each kernel's checkpatch: a newer one knows newer rules.
	"$KSRC/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
		-f kmod/*.[ch] kmod/uapi/linux/*.h >"$LOGS/checkpatch-$k.log" 2>&1
	result "checkpatch --strict of $k: kmod/" $? "$LOGS/checkpatch-$k.log"
	# A kernel of another suite builds in its chroot, with its compiler.
	run=()
	[ -n "${KCHROOT:-}" ] && run=(selftests/vm/chroot.sh "$KCHROOT")
	ko=$(ls "$MODDIR"/kernel/net/l2tp/l2tp_core.ko* 2>/dev/null | head -1)
	if [ -n "$ko" ] && [ -n "$VMLINUX" ] &&
	   grep -q '^CONFIG_DEBUG_INFO_BTF_MODULES=y' "$KCONFIG"; then
		btf=(L2TPSS_BTF_L2TP="$ko" L2TPSS_BTF_BASE="$VMLINUX")
		what="BTF-checked, W=1 and sparse clean"
	elif [ "$k" = debug ]; then
		btf=(L2TPSS_BTF_CHECK=0)
		what="W=1 and sparse clean (no BTF: checked at load)"
	else
		result "build: module for $k ($KVER): its l2tp_core BTF" 1
		continue
	fi
	build_clean "$LOGS/module-$k.log" "${run[@]}" make module KDIR="$KDIR" \
		MODULE_OUT="build/$k" "${btf[@]}" W=1 C=1
	result "build: module for $k ($KVER), $what" $? "$LOGS/module-$k.log"

	# The member before tunnel_id grows: everything after it moves.
	mkdir -p "build/$k-altered/l2tp"
	sed 's/^\(\tu32\t*tunnel_id;\)/\tint\t\t\tl2tpss_altered;\n\1/' \
		"kmod/l2tp/$(cut -d. -f1,2 <<<"$KVER")/l2tp_core.h" \
		>"build/$k-altered/l2tp/l2tp_core.h"
	if [ "${#btf[@]}" = 2 ]; then
		"${run[@]}" make module KDIR="$KDIR" MODULE_OUT="build/$k-altered/out" \
			L2TP_SRC="build/$k-altered/l2tp" "${btf[@]}" \
			>"$LOGS/module-$k-altered.log" 2>&1
		[ $? -ne 0 ] && grep -q 'static assertion failed: "struct l2tp_tunnel member tunnel_id: l2tp_core.h is not the target kernel' \
			"$LOGS/module-$k-altered.log"
		result "build: an altered l2tp_core.h is refused for $k, naming the member" $? \
			"$LOGS/module-$k-altered.log"
	fi
	"${run[@]}" make module KDIR="$KDIR" MODULE_OUT="build/$k-altered/out" \
		L2TP_SRC="build/$k-altered/l2tp" L2TPSS_BTF_CHECK=0 \
		>"$LOGS/module-$k-altered-nocheck.log" 2>&1
	result "build: the altered module for $k, without the BTF check (for the load test)" $? \
		"$LOGS/module-$k-altered-nocheck.log"
done

# The host's own tests (the parser, the packages, selftests/host/) do not
# depend on the VM's kernel: make check runs them, make check-debug (the
# debug kernel alone) leaves them to it.
if [ ${#matrix[@]} -gt 0 ]; then
	mkdir -p build/parse
	build_clean "$LOGS/parse.log" make -s -C selftests/parse test OUT="$PWD/build/parse"
	result "host: L2TP parser unit test, under ASan and UBSan" $? "$LOGS/parse.log"
	make -s -C selftests/parse regress OUT="$PWD/build/parse" >"$LOGS/parse-corpus.log" 2>&1
	result "host: L2TP parser fuzz target over its corpus" $? "$LOGS/parse-corpus.log"

	build_clean "$LOGS/deb.log" make deb
	result "build: Debian packages l2tpss and l2tpss-dkms (make deb), lintian clean" $? \
		"$LOGS/deb.log"

	# A host test exits 4 when it skips (a tool missing): counted as skipped.
	for t in selftests/host/*.sh; do
		"$t" >"$LOGS/host-$(basename "$t").log" 2>&1
		rc=$?
		[ $rc = 4 ] && rc=skip
		result "host: $(basename "$t")" $rc "$LOGS/host-$(basename "$t").log"
	done
fi

all_tests=$(make -s --no-print-directory -C selftests print-tests)
# Run on the matrix's first and last kernels only, when the whole suite
# runs (make check's time budget; L2TPSS_FULL_MATRIX=1 runs them on every
# kernel; the debug kernel runs what it is given): the other LNS daemons
# are the same binaries on every kernel, what they ask of it (XFRM,
# PPPoL2TP sockets) l2tpss_e2e.sh asks of each, and 7.2's l2tp_core.h is
# 6.12's byte for byte.
ends_only=" l2tpss_e2e_libreswan.sh l2tpss_e2e_accel.sh "
# The kernel's YNL CLI of the newest host-suite kernel, for l2tpss_ynl.sh
# (setup.sh extracts it; the debug kernel is built from that source too).
ynl_dir=$CACHE/src/$host_newest/tools/net/ynl
for k in "${kernels[@]}"; do
	[ -f "build/$k/kmod/l2tpss.ko" ] || continue
	# shellcheck source=/dev/null
	. "$CACHE/kernels/$k.env"	# its KSELFTEST_DIR, for net/l2tp.sh
	log=$LOGS/vm-$k.log
	tests=("$@")
	if [ $# = 0 ] && [ "${L2TPSS_FULL_MATRIX:-0}" != 1 ] && [ "${#matrix[@]}" -gt 2 ] &&
	   [ "$k" != debug ] && [ "$k" != "${matrix[0]}" ] && [ "$k" != "${matrix[-1]}" ]; then
		for t in $all_tests; do
			[[ $ends_only == *" $t "* ]] || tests+=("$t")
		done
		echo "NOTE: vm $k:${ends_only% } run on ${matrix[0]} and ${matrix[-1]} only" \
			"(L2TPSS_FULL_MATRIX=1 runs them here too)"
	fi
	expected=$((${#tests[@]} ? ${#tests[@]} : $(wc -w <<<"$all_tests")))
	echo "== selftests on $k"
	L2TPSS_KSELFTEST_DIR=$KSELFTEST_DIR L2TPSS_YNL_DIR=$ynl_dir \
	selftests/vm/run.sh -k "$k" -t "${L2TPSS_VM_TIMEOUT:-1800}" -- \
		selftests/run_tests.sh "$k" "${tests[@]}" |
		tee "$log"
	rc=${PIPESTATUS[0]}
	while read -r line; do
		name=${line#*selftests: l2tpss: }
		case $line in
		ok*\ \#\ SKIP*) result "vm $k: $name" skip ;;
		ok*) result "vm $k: $name" 0 ;;
		*) result "vm $k: $name" 1 ;;
		esac
	done < <(grep -aE '^(not )?ok [0-9]+ selftests: l2tpss: ' "$log")
	# (A kernel with kmemleak adds its own test point, not counted here.)
	ran=$(grep -aE '^(not )?ok [0-9]+ selftests: l2tpss: ' "$log" |
		grep -cv ': kmemleak$')
	[ "$ran" -eq "$expected" ]
	result "vm $k: all $expected tests ran" $?
	# 124: the VM timed out; 125: a kernel log line or a guest crash.
	[ "$rc" -ne 124 ] && [ "$rc" -ne 125 ]
	result "vm $k: guest kernel log clean, VM exited normally" $? \
		"$CACHE/last-dmesg-$k.txt"
done

# The packages, once, in a VM of the matrix's first kernel of the host's
# suite (Debian 12's own; its headers packages are in the cache, a suite
# kernel's are in its chroot): installed on an overlay of the root, DKMS
# builds the module, systemd starts the service (selftests/packages.sh).
# Not with test names given, unless L2TPSS_PACKAGES=1; L2TPSS_PACKAGES=0
# leaves it out.
pk=
for k in "${matrix[@]}"; do
	# shellcheck source=/dev/null
	[ -n "$(. "$CACHE/kernels/$k.env" && echo "$KCHROOT")" ] || { pk=$k; break; }
done
if [ -n "$pk" ] && [ "${L2TPSS_PACKAGES:-$(($# ? 0 : 1))}" = 1 ]; then
	log=$LOGS/packages.log
	echo "== packages on $pk"
	L2TPSS_KERNEL_DEBS=$CACHE/debs selftests/vm/run.sh -k "$pk" -t 1200 -- \
		selftests/packages.sh | tee "$log"
	rc=${PIPESTATUS[0]}
	while read -r line; do
		case $line in
		ok*) result "vm $pk packages: ${line#ok [0-9]* }" 0 ;;
		*) result "vm $pk packages: ${line#not ok [0-9]* }" 1 ;;
		esac
	done < <(grep -aE '^(not )?ok [0-9]+ ' "$log")
	plan=$(awk '/^1\.\.[0-9]+/ { sub(/^1\.\./, ""); print $1 + 0; exit }' "$log")
	[ "$rc" -eq 0 ] && [ -n "$plan" ] &&
		[ "$(grep -acE '^(not )?ok [0-9]+ ' "$log")" -eq "$plan" ]
	result "vm $pk packages: all points ran, guest kernel log clean" $? \
		"$CACHE/last-dmesg-$pk.txt"
fi

finish
