#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# l2tpss-ctl on the host, where the module is not loaded: usage errors are
# found before anything needs the kernel, each with one line and exit 2.

CTL=${L2TPSS_CTL:-tools/l2tpss-ctl}
n=0 failed=0

# expect CODE PATTERN ARGS...
expect() {
	local code=$1 pattern=$2 err rc
	shift 2

	n=$((n + 1))
	err=$("$CTL" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -eq "$code" ] && [ "$(wc -l <<<"$err")" -eq 1 ] &&
	   grep -Eq -- "$pattern" <<<"$err"; then
		echo "ok $n l2tpss-ctl $*"
	else
		echo "# exit $rc, stderr: $err"
		echo "not ok $n l2tpss-ctl $*"
		failed=1
	fi
}

echo "TAP version 13"
echo "1..12"
n=$((n + 1))
# (Read whole: "| head -1" could close the pipe while usage is still
# being written, and SIGPIPE would decide the exit status.)
err=$("$CTL" 2>&1 >/dev/null)
rc=$?
if [ $rc -eq 2 ] && head -1 <<<"$err" | grep -q '^Usage: l2tpss-ctl'; then
	echo "ok $n l2tpss-ctl without arguments prints usage, exit 2"
else
	echo "not ok $n l2tpss-ctl without arguments prints usage, exit 2"
	failed=1
fi
expect 2 'unknown object "frob"' frob
expect 2 'unknown keyword "x" after show' show x
expect 2 'usage: show \[tunnel ID\]' show tunnel
expect 2 'tunnel: "1x" is not a number' show tunnel 1x
expect 2 'unknown option "-x"' show -x
expect 2 'tunnel: "4294967296" is not a number' show tunnel 4294967296
expect 2 'idle-timeout given twice' defaults set idle-timeout 1 idle-timeout 2
expect 2 'give at least one of' defaults set
expect 2 'unknown keyword "list" after conn; expected show' conn list
expect 2 'unknown keyword "x" after conn show$' conn show x
expect 1 'the l2tpss module is not loaded \(modprobe l2tpss\)' version
exit $failed
