#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Linux's own L2TP selftest, tools/testing/selftests/net/l2tp.sh of the
# kernel under test, run unmodified with l2tpss loaded at its defaults: the
# module (its tracking, timers and packet filter) must not disturb standard
# L2TPv3 over IP and UDP, IPv4 and IPv6, with and without IPsec.

source "$(dirname "$0")/lib.sh"

DIR=${L2TPSS_KSELFTEST_DIR:?the kselftest directory of the kernel under test}/net

ktap_print_header
ktap_set_plan 4
l2tp_modules_load
modprobe -a esp4 esp6 xfrm_user 2>/dev/null
module_load

# It sources lib.sh from its own directory.
out=$(cd "$DIR" && bash ./l2tp.sh 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
check_eq "Linux's net/l2tp.sh passes with l2tpss loaded" 0 "$rc"
check_eq "none of its tests failed" 0 "$(grep -c '\[FAIL\]' <<<"$out")"
check "and it ran its tests" test "$(grep -c '\[ OK \]' <<<"$out")" -ge 10
check "the module released every record of its namespaces" \
	wait_for 30 objects_are "tunnels 0 sessions 0"

ktap_finished
