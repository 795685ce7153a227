#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Everything at once for L2TPSS_STRESS_SECONDS (make check-debug: 600):
# tunnels and sessions created and deleted, defaults, profiles and per-tunnel
# settings changed, tunnels disconnected, namespaces created and deleted, a
# monitor listening, and the module unloaded and reloaded under all of it.
# At the end every record is released. The checks that matter are the
# kernel's: the VM fails on any report.

source "$(dirname "$0")/lib.sh"

SECS=${L2TPSS_STRESS_SECONDS:-20}
END=$((SECONDS + SECS))

running() { [ $SECONDS -lt $END ]; }

tunnels_loop() { # NS
	local id
	while running; do
		id=$((RANDOM % 30 + 1))
		tunnel_add "$1" $id $id 192.0.2.1 192.0.2.$((id + 100)) 2>/dev/null &&
			session_add "$1" $id $((RANDOM % 3 + 1)) 1 2>/dev/null
		session_add "$1" $id $((RANDOM % 3 + 1)) 2 2>/dev/null
		ip -n "$1" l2tp del session tunnel_id $id session_id $((RANDOM % 3 + 1)) 2>/dev/null
		[ $((RANDOM % 3)) = 0 ] && ip -n "$1" l2tp del tunnel tunnel_id $id 2>/dev/null
	done
}

settings_loop() { # NS
	local on_off=(on off)
	while running; do
		ctl -n "$1" defaults set single-shot "${on_off[RANDOM % 2]}" \
			idle-timeout $((RANDOM % 3)) destruct-timeout 10
		ctl -n "$1" profile add p$((RANDOM % 4)) peer 192.0.2.$((RANDOM % 255))/$((RANDOM % 33)) \
			single-shot "${on_off[RANDOM % 2]}" idle-timeout $((RANDOM % 3))
		ctl -n "$1" profile del p$((RANDOM % 4))
		ctl -n "$1" set tunnel $((RANDOM % 30 + 1)) single-shot "${on_off[RANDOM % 2]}" \
			idle-timeout $((RANDOM % 3))
		ctl -n "$1" disconnect tunnel $((RANDOM % 30 + 1))
		ctl -n "$1" show -j >/dev/null
		ctl -n "$1" stats reset
	done 2>/dev/null
}

netns_loop() {
	local i=0 ns
	while running; do
		ns=st-tmp$((i++ % 2))
		ip netns add $ns 2>/dev/null || continue
		ip -n $ns link add dummy0 type dummy
		ip -n $ns addr add 198.51.100.1/24 dev dummy0
		ip -n $ns link set dummy0 up
		tunnel_add $ns 1 1 198.51.100.1 198.51.100.2
		session_add $ns 1 1 1
		ctl -n $ns defaults set idle-timeout 1 2>/dev/null
		tunnel_add $ns 2 2 198.51.100.1 198.51.100.3
		ip netns del $ns
	done 2>/dev/null
}

module_loop() {
	while running; do
		sleep $((RANDOM % 3 + 1))
		rmmod l2tpss 2>/dev/null && sleep 0.$((RANDOM % 10)) && insmod "$L2TPSS_KO"
	done
	lsmod | grep -q '^l2tpss ' || insmod "$L2TPSS_KO"
}

monitor_loop() { # NS
	while running; do
		timeout 2 "$L2TPSS_CTL" -n "$1" monitor -j >/dev/null 2>&1
	done
}

ktap_print_header
ktap_set_plan 3
l2tp_modules_load
module_load
netns_dummy st-a 192.0.2.1/24
netns_dummy st-b 192.0.2.1/24

ktap_print_msg "$SECS seconds"
pids=()
for ns in st-a st-b; do
	tunnels_loop $ns & pids+=($!)
	settings_loop $ns & pids+=($!)
done
tunnels_loop st-a & pids+=($!)
netns_loop & pids+=($!)
module_loop & pids+=($!)
monitor_loop st-a & pids+=($!)
wait "${pids[@]}"

check "the module is loaded and answers" ctl version
netns_del st-a
netns_del st-b
check "deleting every netns releases every record" \
	wait_for 20 objects_are "tunnels 0 sessions 0"
check "the module unloads" module_unload

ktap_finished
