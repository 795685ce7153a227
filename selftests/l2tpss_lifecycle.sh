#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A standard tunnel's life (SPEC.md items 1-4, Table 18): the idle timer runs
# while it has no session, a new session cancels it, its expiry disconnects
# the tunnel; idle timeout 0 keeps it; any deletion starts the destruct
# period, whose end drops the record; a reused id is a new tunnel.
#
# No step races a timer: a step that must come before a timer fires reads
# the time left on a long timer first, and a timer that must fire is short
# and waited for. The waits of the different tunnels overlap.

source "$(dirname "$0")/lib.sh"

NS=life
L=192.0.2.1
IDLE=$((10 * S))	# the default idle timeout here, seconds
TMP_BATCH=$(mktemp)

# show_of ID: the newest record of tunnel ID, one JSON object.
show_of() { ctl -n $NS show -j | jq -c "[.[] | select(.tunnel_id == $1)] | last"; }
record_gone() { [ "$(show_of "$1")" = null ]; }

ktap_print_header
ktap_set_plan 23
l2tp_modules_load
module_load
netns_dummy $NS $L/24

ctl -n $NS defaults set idle-timeout $IDLE destruct-timeout 10

# Tunnel 2 never idles out; it registers with the default timeout.
tunnel_add $NS 2 2 $L 192.0.2.12
ctl -n $NS set tunnel 2 idle-timeout 0
check "idle timeout 0: no idle timer" \
	json_check "$(show_of 2)" '.state == "idle" and .timer_ms == null'

tunnel_add $NS 1 1 $L 192.0.2.11
check "a new tunnel without session is idle, its idle timer running" \
	json_check "$(show_of 1)" ".state == \"idle\" and .timer_ms > 0 and .timer_ms <= $IDLE * 1000"

session_add $NS 1 1 1
check "a session makes it active and stops the idle timer" \
	json_check "$(show_of 1)" '.state == "active" and .timer_ms == null'

ip -n $NS l2tp del session tunnel_id 1 session_id 1
rec=$(show_of 1)
now_us t_idle
left=$(jq .timer_ms <<<"$rec")
check "removing the last session makes it idle and starts the idle timer" \
	json_check "$rec" ".state == \"idle\" and .timer_ms > $IDLE * 1000 / 2"
session_add $NS 1 2 2
check "a session while more than half the timeout is left stops the timer" \
	json_check "$(show_of 1)" '.state == "active" and .timer_ms == null and
		.sessions == 1 and .sessions_total == 2'

# Meanwhile: a tunnel that idles out soon, one deleted by its owner and
# one by the admin (SPEC.md item 4).
tunnel_add $NS 3 3 $L 192.0.2.13
ctl -n $NS set tunnel 3 idle-timeout 1
check "an idle timer that fires disconnects the tunnel in l2tp_core" \
	wait_for 10 gone $NS 3
check "which enters destruct, reason idle-timeout, its destruct timer running" \
	json_check "$(show_of 3)" '.state == "destructing" and .reason == "idle-timeout" and
		.timer_ms > 0 and .timer_ms <= 10000'

tunnel_add $NS 4 4 $L 192.0.2.14
ip -n $NS l2tp del tunnel tunnel_id 4
check_eq "a tunnel deleted by its owner enters destruct" "destructing deleted" \
	"$(field $NS 4 state) $(field $NS 4 reason)"

tunnel_add $NS 5 5 $L 192.0.2.15
ctl -n $NS disconnect tunnel 5
check "disconnect deletes the tunnel in l2tp_core" wait_for 5 gone $NS 5
check_eq "which enters destruct, reason admin" "destructing admin" \
	"$(field $NS 5 state) $(field $NS 5 reason)"

# A daemon reuses id 5 while its tombstone exists.
old_gen=$(field $NS 5 generation)
tunnel_add $NS 5 55 $L 192.0.2.55
ctl -n $NS set tunnel 5 idle-timeout 0	# (its own expiry is not this test's)
check_eq "a reused id is tracked as a new tunnel beside the tombstone" \
	"idle 55 | destructing 5" \
	"$(ctl -n $NS show -j | jq -r '[.[] | select(.tunnel_id == 5) |
		"\(.state) \(.peer_tunnel_id)"] | reverse | join(" | ")')"
check_eq "the tombstone keeps its generation" "$old_gen" \
	"$(ctl -n $NS show -j | jq -r '.[] | select(.tunnel_id == 5 and .state == "destructing") | .generation')"

# Tunnel 1's first idle timer would have fired $left ms after t_idle (or
# a little before: t_idle was read after the timer); the tunnel must outlive
# that moment by a second (real seconds, read off the timer itself).
now_us now
window=$(((left * 1000 - (now - t_idle) + 999999) / 1000000 + 1))
((window < 1)) && window=1
check "the cancelled timer never fires: the tunnel outlives its expiry" \
	unscaled stays "$window" in_core $NS 1
check "the tunnel carries the new session" \
	json_check "$(show_of 1)" '.state == "active" and .sessions == 1'
session_add $NS 1 3 3
check_eq "and later ones" 2 "$(field $NS 1 sessions)"
ip -n $NS l2tp del session tunnel_id 1 session_id 2
ip -n $NS l2tp del session tunnel_id 1 session_id 3
check "their removal restarts the idle timer in full (the first would have fired)" \
	json_check "$(show_of 1)" ".state == \"idle\" and .timer_ms > $IDLE * 1000 / 2"
ctl -n $NS set tunnel 1 idle-timeout 0	# (done with it: no expiry later)

# Tunnel 2 registered with a $IDLE s timer, then got 0: it must outlive the
# first by a second.
older() { [ "$(field $NS 2 age)" -gt $((IDLE + 1)) ]; }
wait_for $((IDLE + 5)) older
check "idle timeout 0: the tunnel persists past the timeout it registered with" \
	json_check "$(show_of 2)" '.state == "idle" and .timer_ms == null'
check "and l2tp_core still has it" in_core $NS 2

check "destruct expiry drops the record" wait_for 20 record_gone 3
old_tombstones() {
	[ "$(ctl -n $NS show -j | jq '[.[] | select(.state == "destructing")] | length')" = 0 ]
}
check "and the other tombstones expire too" wait_for 20 old_tombstones
check_eq "stats count each disconnect by its reason, and each expiry" "1 1 1 3" \
	"$(ctl -n $NS stats -j | jq -r '[.disconnect_idle_timeout, .disconnect_deleted,
		.disconnect_admin, .expired] | map(tostring) | join(" ")')"

# Sets racing idle expiries: 20 tunnels idle out after 1 s while each, in
# turn, gets idle-timeout 0 around that moment. A set that succeeded must
# hold (none of those tunnels is deleted by the timer it cancelled); one
# that found its tunnel disconnecting or gone says so. Whether a set lands
# inside the timer's own window is luck: this shows the rule, not the race.
ctl -n $NS profile add racers peer 192.0.2.128/25 idle-timeout 1 destruct-timeout 3600
for i in $(seq 130 149); do
	echo "l2tp add tunnel tunnel_id $i peer_tunnel_id $i encap ip local $L remote 192.0.2.$i"
done >"$TMP_BATCH"
ip -n $NS -batch "$TMP_BATCH"
held="" lost=""
for i in $(seq 130 149); do
	if ctl -n $NS set tunnel $i idle-timeout 0 2>/dev/null; then
		held+=" $i"
	else
		lost+=" $i"
	fi
done
all_in_core() { local i; for i in $held; do in_core $NS "$i" || { echo "tunnel $i gone"; return 1; }; done; }
check "every tunnel whose set succeeded outlives its old timer" \
	stays 2 all_in_core
all_idled() {
	local i

	for i in $lost; do
		[ "$(field $NS "$i" reason)" = idle-timeout ] || { echo "tunnel $i: $(field $NS "$i" reason)"; return 1; }
	done
}
check "and every other one idled out" all_idled
ktap_print_msg "sets that held:${held:- none}; tunnels that idled out first:${lost:- none}"
rm -f "$TMP_BATCH"

ktap_finished
