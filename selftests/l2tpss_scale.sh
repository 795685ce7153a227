#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Many tunnels: 1,000 with idle timers running when the module unloads, 1,000
# in destruct when their netns is deleted, and a dump of 10,000. Nothing may
# leak (module exit WARNs on a leaked record; the VM fails on WARNINGs).
# Speed is for the benchmark, not for this test.

source "$(dirname "$0")/lib.sh"

L=192.0.2.1

# tunnels NS FIRST COUNT [del]: add (or delete) COUNT tunnels with ip -batch.
tunnels() {
	local i batch

	batch=$(mktemp)
	for ((i = $2; i < $2 + $3; i++)); do
		if [ "${4:-}" = del ]; then
			echo "l2tp del tunnel tunnel_id $i"
		else
			echo "l2tp add tunnel tunnel_id $i peer_tunnel_id $i encap udp local $L remote 192.0.2.2 udp_sport $((10000 + i)) udp_dport 1701"
		fi
	done >"$batch"
	ip -n "$1" -batch "$batch"
	rm -f "$batch"
}

count() { ctl -n "$1" show -j | jq "[.[] | select(.state == \"$2\")] | length"; }

ktap_print_header
ktap_set_plan 8
l2tp_modules_load
netns_dummy sc-a $L/24
netns_dummy sc-b $L/24
netns_dummy sc-c $L/24

module_load
# (Adding them may take longer than the default idle timeout on a slow
# kernel: their timers must still be running when counted.)
ctl -n sc-a defaults set idle-timeout 3600
tunnels sc-a 1 1000
check_eq "1,000 tunnels tracked, idle timers running" "1000 1000" \
	"$(count sc-a idle) $(ctl -n sc-a show -j | jq '[.[] | select(.timer_ms != null)] | length')"
check "unload with 1,000 timers running" module_unload
check_eq "l2tp_core keeps its tunnels" 1000 \
	"$(ip -n sc-a l2tp show tunnel | grep -c '^Tunnel')"

module_load
tunnels sc-b 1 1000
tunnels sc-b 1 1000 del
check_eq "1,000 tunnels in destruct, destruct timers running" 1000 \
	"$(count sc-b destructing)"
netns_del sc-b
check "deleting their netns releases them all" \
	wait_for 20 objects_are "tunnels 1000 sessions 0"

tunnels sc-c 1 10000
check_eq "a dump lists 10,000 tunnels, each once" "10000 10000" \
	"$(ctl -n sc-c show -j | jq '[length, (map(.tunnel_id) | unique | length)] | map(tostring) | join(" ")' -r)"
check_eq "other netns are not in it" 1000 "$(ctl -n sc-a show -j | jq length)"
check "unload with 11,000 records" module_unload

ktap_finished
