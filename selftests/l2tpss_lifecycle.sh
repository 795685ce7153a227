#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A standard tunnel's life (SPEC.md items 1-4, Table 18): the idle timer runs
# while it has no session, a new session cancels it, its expiry disconnects
# the tunnel; idle timeout 0 keeps it; any deletion starts the destruct
# period, whose end drops the record; a reused id is a new tunnel.

source "$(dirname "$0")/lib.sh"

NS=life
L=192.0.2.1

ktap_print_header
ktap_set_plan 20
l2tp_modules_load
module_load
netns_dummy $NS $L/24

ctl -n $NS defaults set idle-timeout $((3 * S)) destruct-timeout 10

tunnel_add $NS 1 1 $L 192.0.2.11
check_eq "a new tunnel without session is idle" idle "$(field $NS 1 state)"
check "its idle timer runs" test "$(field $NS 1 timer_ms)" != null

session_add $NS 1 1 1
check_eq "a session makes it active" active "$(field $NS 1 state)"
check_eq "and stops the idle timer" null "$(field $NS 1 timer_ms)"

ip -n $NS l2tp del session tunnel_id 1 session_id 1
check_eq "removing the last session makes it idle" idle "$(field $NS 1 state)"
check "and starts the idle timer" test "$(field $NS 1 timer_ms)" -gt $((2000 * S))

sleep $((2 * S))
session_add $NS 1 2 2
sleep $((2 * S))
check "a session before the timer fires cancels it" in_core $NS 1
check_eq "the tunnel carries the new session" "active 1 2" \
	"$(field $NS 1 state) $(field $NS 1 sessions) $(field $NS 1 sessions_total)"
session_add $NS 1 3 3
check_eq "and later ones" 2 "$(field $NS 1 sessions)"
ip -n $NS l2tp del session tunnel_id 1 session_id 2
ip -n $NS l2tp del session tunnel_id 1 session_id 3
check "their removal restarts the idle timer in full" \
	test "$(field $NS 1 timer_ms)" -gt $((2000 * S))

check "the idle timer disconnects the tunnel in l2tp_core" \
	wait_for 6 gone $NS 1
check_eq "which enters destruct, reason idle-timeout" "destructing idle-timeout" \
	"$(field $NS 1 state) $(field $NS 1 reason)"

tunnel_add $NS 2 2 $L 192.0.2.12
ctl -n $NS set tunnel 2 idle-timeout 0
check_eq "idle timeout 0: no idle timer" null "$(field $NS 2 timer_ms)"
sleep $((4 * S))
check "idle timeout 0: the tunnel persists" in_core $NS 2

ip -n $NS l2tp del tunnel tunnel_id 2
check_eq "a tunnel deleted by its owner enters destruct" "destructing deleted" \
	"$(field $NS 2 state) $(field $NS 2 reason)"

tunnel_add $NS 3 3 $L 192.0.2.13
ctl -n $NS disconnect tunnel 3
check "disconnect deletes the tunnel in l2tp_core" \
	wait_for 2 gone $NS 3
check_eq "which enters destruct, reason admin" "destructing admin" \
	"$(field $NS 3 state) $(field $NS 3 reason)"

# A daemon reuses id 3 while its tombstone exists.
old_gen=$(field $NS 3 generation)
tunnel_add $NS 3 33 $L 192.0.2.33
check_eq "a reused id is tracked as a new tunnel beside the tombstone" \
	"idle 33 | destructing 3" \
	"$(ctl -n $NS show -j | jq -r '[.[] | select(.tunnel_id == 3) |
		"\(.state) \(.peer_tunnel_id)"] | reverse | join(" | ")')"
check_eq "the tombstone keeps its generation" "$old_gen" \
	"$(ctl -n $NS show -j | jq -r '.[] | select(.tunnel_id == 3 and .state == "destructing") | .generation')"

# Tunnel 1 entered destruct (10 s) about 8 s ago.
check "destruct expiry drops the record" \
	wait_for 12 sh -c "! $L2TPSS_CTL -n $NS show -j | jq -e '.[] | select(.tunnel_id == 1)' >/dev/null"

ktap_finished
