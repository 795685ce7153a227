# SPDX-License-Identifier: GPL-2.0
# Shared by the host tests (sourced; not a test itself): TAP points.

n=0 failed=0

# ok STATUS DESCRIPTION: one point, passing when STATUS is 0.
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=1
	fi
}

# check DESCRIPTION CMD...: CMD succeeds; its output is shown if not.
check() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ $rc -ne 0 ] && [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
	ok $rc "$desc"
}
