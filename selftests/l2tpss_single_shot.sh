#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Single-shot tunnels (SPEC.md items 6 and 7): one session in a whole life; a
# second session create fails in l2tp_core with an error its creator sees;
# when the session goes, the tunnel is disconnected at once, whatever the
# idle timeout, and enters destruct.

source "$(dirname "$0")/lib.sh"

NS=ss
L=192.0.2.1

ktap_print_header
ktap_set_plan 16
l2tp_modules_load
module_load
netns_dummy $NS $L/24

ctl -n $NS defaults set single-shot on idle-timeout 3600
tunnel_add $NS 1 1 $L 192.0.2.11
check_eq "a tunnel registering under single-shot defaults is single-shot" \
	"true default" "$(field $NS 1 single_shot) $(field $NS 1 source.single_shot)"

check "its first session is accepted" session_add $NS 1 1 1
err=$(session_add $NS 1 2 2 2>&1)
check "a second session create fails in l2tp_core" test $? -ne 0
check "with an error its creator sees" grep -q "No such device" <<<"$err"
check_eq "l2tp_core has the first session only" 1 \
	"$(ip -n $NS l2tp show session tunnel_id 1 | grep -c '^Session')"
check_eq "and so does the record" "1 1" \
	"$(field $NS 1 sessions) $(field $NS 1 sessions_total)"

ip -n $NS l2tp del session tunnel_id 1 session_id 1
# l2tp_core unlists a deleted tunnel from its own work item, a moment later.
check "removing it disconnects the tunnel at once, idle timeout ignored" \
	wait_for 1 gone $NS 1
check_eq "which enters destruct, reason single-shot" "destructing single-shot" \
	"$(field $NS 1 state) $(field $NS 1 reason)"

# Standard tunnels beside it are not affected.
ctl -n $NS defaults set single-shot off
tunnel_add $NS 2 2 $L 192.0.2.12
session_add $NS 2 1 1
check "a standard tunnel takes a second session" session_add $NS 2 2 2
ip -n $NS l2tp del session tunnel_id 2 session_id 1
ip -n $NS l2tp del session tunnel_id 2 session_id 2
check "and survives losing them" in_core $NS 2

# single-shot set on a live tunnel that has had its session.
tunnel_add $NS 3 3 $L 192.0.2.13
session_add $NS 3 1 1
ctl -n $NS set tunnel 3 single-shot on
check "single-shot set on a live tunnel refuses further sessions" \
	sh -c "! ip -n $NS l2tp add session name x3 tunnel_id 3 session_id 2 peer_session_id 2 2>/dev/null"
ip -n $NS l2tp del session tunnel_id 3 session_id 1
check_eq "and disconnects it when its session goes" "destructing single-shot" \
	"$(field $NS 3 state) $(field $NS 3 reason)"

# ... and one that is idle after its sessions: disconnected there and then.
ctl -n $NS set tunnel 2 single-shot on
check_eq "single-shot set on a tunnel that has had sessions and has none disconnects it" \
	"destructing single-shot" "$(field $NS 2 state) $(field $NS 2 reason)"

# Turned off again, a tunnel takes sessions again.
tunnel_add $NS 4 4 $L 192.0.2.14
ctl -n $NS set tunnel 4 single-shot on
session_add $NS 4 1 1
ctl -n $NS set tunnel 4 single-shot off
check "single-shot off reopens the tunnel to sessions" session_add $NS 4 2 2

# Creates racing each other: exactly one may stay, whichever wins.
sessions_of() {
	ip -n "$1" -j l2tp show session | jq "[.[] | select(.tunnel_id == $2)] | length"
}
one_session() { test "$(sessions_of $NS 5)" -eq 1; }
ctl -n $NS defaults set single-shot on
tunnel_add $NS 5 5 $L 192.0.2.15
for sid in $(seq 1 16); do
	ip -n $NS l2tp add session name "r$sid" tunnel_id 5 session_id "$sid" \
		peer_session_id "$sid" 2>/dev/null &
done
wait
check "16 concurrent session creates leave exactly one" wait_for 2 one_session
check_eq "the record agrees" "1 1" \
	"$(field $NS 5 sessions) $(field $NS 5 sessions_total)"

ktap_finished
