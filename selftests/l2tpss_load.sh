#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload the module 10 times (L2TPSS_LOAD_CYCLES; make check-debug
# 20) while tunnels and sessions exist in several netns and others come and
# go. Every cycle must find them all, and
# nothing may leak: the module WARNs at exit if a record is left (the VM
# harness fails on any WARNING), and l2tp_core's references must return.

source "$(dirname "$0")/lib.sh"

CYCLES=${L2TPSS_LOAD_CYCLES:-10}
STOP=$(mktemp -u)

# Tunnels and sessions come and go in ld-0 until $STOP exists.
churn() {
	local i=0

	while [ ! -e "$STOP" ] && [ $i -lt 5000 ]; do
		tunnel_add ld-0 90 90 192.0.2.1 192.0.2.90 2>/dev/null
		session_add ld-0 90 1 1 2>/dev/null
		ip -n ld-0 l2tp del session tunnel_id 90 session_id 1 2>/dev/null
		ip -n ld-0 l2tp del tunnel tunnel_id 90 2>/dev/null
		i=$((i + 1))
	done
}

# tracked NS: "ID:SESSIONS" of its connected tunnels but the churn's.
tracked() {
	ctl -n "$1" show -j | jq -r '[.[] | select(.state != "destructing" and
		.tunnel_id < 90) | "\(.tunnel_id):\(.sessions)"] | sort | join(" ")'
}

ktap_print_header
ktap_set_plan 6
l2tp_modules_load

for n in 0 1 2; do
	netns_add ld-$n
	ip -n ld-$n link add dummy0 type dummy
	ip -n ld-$n addr add 192.0.2.1/24 dev dummy0
	ip -n ld-$n link set dummy0 up
	for id in 1 2 3; do
		tunnel_add ld-$n $id $id 192.0.2.1 192.0.2.$((id + 1))
	done
	session_add ld-$n 1 1 1
	session_add ld-$n 1 2 2
	session_add ld-$n 2 3 3
	session_add ld-$n 2 4 4
done
expected="tunnels 9 sessions 12"
core_refs=$(cat /sys/module/l2tp_core/refcnt)

churn &
churn_pid=$!
failed=0
for i in $(seq $CYCLES); do
	if ! module_load; then
		ktap_print_msg "cycle $i: insmod failed"
		failed=1
		break
	fi
	# Tunnel 90 comes and goes meanwhile; the others must all be there.
	for n in 0 1 2; do
		got=$(tracked ld-$n)
		if [ "$got" != "1:2 2:2 3:0" ]; then
			ktap_print_msg "cycle $i, ld-$n: $got"
			failed=1
		fi
	done
	if ! module_unload; then
		ktap_print_msg "cycle $i: rmmod failed"
		failed=1
		break
	fi
done
touch "$STOP"
wait $churn_pid
rm -f "$STOP"
check_eq "$CYCLES load/unload cycles under churn find every object" 0 $failed
check_eq "l2tp_core references return after unload" "$core_refs" \
	"$(cat /sys/module/l2tp_core/refcnt)"

module_load
check_eq "after churn, exactly the existing objects are tracked" \
	"$expected" "$(objects)"
for n in 0 1 2; do
	ip -n ld-$n l2tp del session tunnel_id 2 session_id 3
done
check_eq "session deletions are seen in every netns" \
	"tunnels 9 sessions 9" "$(objects)"
check "unload with tunnels and sessions present" module_unload
check_eq "l2tp_core tunnels survive the unload" 9 \
	"$(for n in 0 1 2; do ip -n ld-$n l2tp show tunnel; done | grep -c '^Tunnel')"

ktap_finished
