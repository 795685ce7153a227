#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the selftests inside the test VM, kselftest style: one top-level
# "ok N selftests: l2tpss: TEST" line per test, its own output as "# " lines.
# A test passes when it exits 0 having run exactly the points its plan
# announced. A skipped test (exit 4) fails unless L2TPSS_ALLOW_SKIP is set,
# and is then reported "ok ... # SKIP", which check.sh counts as skipped.
#
# Usage (from the top of the tree, in the VM): selftests/run_tests.sh KERNEL [TEST...]
# KERNEL names the build/KERNEL/kmod/l2tpss.ko to test.

cd "$(dirname "$0")/.." || exit 1
kernel=${1:?usage: run_tests.sh KERNEL [TEST...]}
shift
export L2TPSS_KO=$PWD/build/$kernel/kmod/l2tpss.ko
export L2TPSS_CTL=$PWD/tools/l2tpss-ctl
export L2TPSS_BIN=$PWD/build/selftests
TIMEOUT=${KSFT_TIMEOUT:-300}

if [ $# -gt 0 ]; then
	tests=("$@")
else
	read -ra tests <<<"$(make -s --no-print-directory -C selftests print-tests)"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# A kernel with kmemleak (the debug kernel) gets one more test point: no
# leak attributed to l2tpss over the whole run.
KMEMLEAK=/sys/kernel/debug/kmemleak
points=${#tests[@]}
if [ -w $KMEMLEAK ]; then
	points=$((points + 1))
else
	KMEMLEAK=
fi

echo "TAP version 13"
echo "1..$points"
[ -n "$KMEMLEAK" ] && echo clear >$KMEMLEAK
n=0
for test in "${tests[@]}"; do
	n=$((n + 1))
	echo "# selftests: l2tpss: $test"
	# In a session of its own, so that nothing it leaves running (a
	# monitor, say) outlives it; its output in a file, for the same reason.
	t0=$SECONDS
	setsid -w timeout -k 10 "$TIMEOUT" "selftests/$test" >"$log" 2>&1 &
	sid=$!
	wait $sid
	rc=$?
	pkill -KILL -s $sid 2>/dev/null
	sed 's/^/# /' "$log"
	echo "# $test: $((SECONDS - t0)) s"
	# A test that died must not leave the module to the next one.
	lsmod | grep -q '^l2tpss ' && rmmod l2tpss
	# The points that ran must be the ones the plan announced.
	plan=$(awk '/^1\.\.[0-9]+/ { sub(/^1\.\./, ""); print $1 + 0; exit }' "$log")
	ran=$(grep -cE '^(not )?ok [0-9]+ ' "$log")
	skip=$(sed -n 's/^1\.\.0 # SKIP *//p' "$log" | head -n 1)
	if [ "$rc" = 0 ] && [ "$plan" != "$ran" ]; then
		rc=plan
	fi
	case $rc in
	0) echo "ok $n selftests: l2tpss: $test" ;;
	4) if [ -n "${L2TPSS_ALLOW_SKIP:-}" ]; then
		echo "ok $n selftests: l2tpss: $test # SKIP ${skip:-skipped}"
	   else
		# make check needs every test: a skip is a failure there.
		echo "not ok $n selftests: l2tpss: $test # required, but skipped: ${skip:-no reason given}"
	   fi ;;
	124) echo "not ok $n selftests: l2tpss: $test # TIMEOUT $TIMEOUT seconds" ;;
	plan) echo "not ok $n selftests: l2tpss: $test # planned ${plan:-no} points, ran $ran" ;;
	*) echo "not ok $n selftests: l2tpss: $test # exit=$rc" ;;
	esac
done

if [ -n "$KMEMLEAK" ]; then
	n=$((n + 1))
	# Objects are reported on the second scan that finds them unreferenced.
	echo scan >$KMEMLEAK
	echo scan >$KMEMLEAK
	# Ours: allocated from l2tpss, or from a module address (it is unloaded).
	leaks=$(awk '/^unreferenced object/ { if (o ~ /l2tpss|<ffffffffc/) print o; o = $0; next }
		{ o = o "\n" $0 } END { if (o ~ /l2tpss|<ffffffffc/) print o }' $KMEMLEAK)
	if [ -z "$leaks" ]; then
		echo "ok $n selftests: l2tpss: kmemleak"
	else
		printf '%b\n' "$leaks" | sed 's/^/# /'
		echo "not ok $n selftests: l2tpss: kmemleak"
	fi
fi
