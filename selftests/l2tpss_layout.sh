#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A module built with an l2tp_core.h that is not the running kernel's (a
# member inserted before tunnel_id, built without the BTF check that would
# have refused it) must refuse to load: insmod fails with ENOEXEC, one
# kernel log line names the member, nothing of it stays and l2tp_core's
# tunnels are untouched. The right module then loads and tracks them.

source "$(dirname "$0")/lib.sh"

ALTERED=${L2TPSS_KO%/kmod/l2tpss.ko}-altered/out/kmod/l2tpss.ko
NS=lay

ktap_print_header
ktap_set_plan 6
l2tp_modules_load
[ -f "$ALTERED" ] || ktap_print_msg "no $ALTERED (selftests/check.sh builds it)"
netns_dummy $NS 192.0.2.1/24
tunnel_add $NS 7 7 192.0.2.1 192.0.2.7
session_add $NS 7 1 1

before=$(dmesg | wc -l)
err=$(insmod "$ALTERED" 2>&1)
rc=$?
# (ENOEXEC: kmod's insmod says "Invalid module format", busybox's the errno.)
check "insmod of the altered module fails: ENOEXEC" \
	sh -c "[ $rc -ne 0 ] && echo '$err' | grep -Eq 'Invalid module format|Exec format error' ||
	       { echo 'rc $rc: $err'; exit 1; }"
# (Not the taint lines a first out-of-tree load prints.)
logged=$(dmesg | tail -n +"$((before + 1))" | grep "l2tpss: l2tp_core's")
check_eq "one kernel log line names the member and the kernel" \
	"l2tpss: l2tp_core's struct l2tp_tunnel is not as l2tpss was built for (tunnel_id differs): rebuild l2tpss for kernel $(uname -r)" \
	"$(sed 's/^\[[^]]*\] //' <<<"$logged")"
check "nothing of it stays" sh -c "! lsmod | grep -q '^l2tpss ' && [ ! -e /sys/module/l2tpss ]"
# (Were it loaded, it must not stay to read garbage.)
lsmod | grep -q '^l2tpss ' && rmmod l2tpss
check "l2tp_core's tunnel and session are untouched" \
	sh -c "ip -n $NS l2tp show session | grep -q 'Session 1 in tunnel 7'"
check "the module built for this kernel loads" module_load
check_eq "and tracks them" "7 1 active" \
	"$(ctl -n $NS show -j | jq -r '.[] | "\(.tunnel_id) \(.sessions) \(.state)"')"

ktap_finished
