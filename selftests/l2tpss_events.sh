#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every transition is an event on the "events" group, seen by monitor -j as
# one JSON object per line with an "event" key; events stay in their netns.
# The counters of stats follow the same transitions; stats reset zeroes them.

source "$(dirname "$0")/lib.sh"

NS=ev
L=192.0.2.1
MON=$(mktemp)
MON_B=$(mktemp)

# events ID: the events of tunnel ID seen so far, space separated.
events() {
	jq -r "select(.tunnel_id == $1) | .event + (if .reason then \"(\" + .reason + \")\" else \"\" end)
		+ (if .session_id then \":\" + (.session_id | tostring) else \"\" end)" "$MON" |
		tr '\n' ' ' | sed 's/ $//'
}

# seen FILTER: monitor printed an event that FILTER (jq) selects.
seen() { jq -e "select($1)" "$MON" | grep -q .; }

ktap_print_header
ktap_set_plan 8
l2tp_modules_load
module_load
netns_dummy $NS $L/24
netns_add ev-b

"$L2TPSS_CTL" -n $NS monitor -j >>"$MON" &
mon_pid=$!
"$L2TPSS_CTL" -n ev-b monitor -j >>"$MON_B" &
mon_b_pid=$!
# Wait until the monitor listens: a tunnel it must see.
listening() {
	tunnel_add $NS 99 99 $L 192.0.2.99 ip
	sleep 0.2
	seen '.tunnel_id == 99' && return
	ip -n $NS l2tp del tunnel tunnel_id 99
	return 1
}
wait_for 10 listening
# It must not idle out (and count) while the test runs, however slowly.
ctl -n $NS set tunnel 99 idle-timeout 0

ctl -n $NS defaults set idle-timeout "$S" destruct-timeout 10
ctl -n $NS stats reset
tunnel_add $NS 1 1 $L 192.0.2.11
session_add $NS 1 5 5
ip -n $NS l2tp del session tunnel_id 1 session_id 5
wait_for 4 gone $NS 1
wait_for 2 seen '.event == "tunnel-disconnect"'
check_eq "a tunnel's life, event by event" \
	"tunnel-new session-new:5 tunnel-active session-delete:5 tunnel-idle tunnel-disconnect(idle-timeout)" \
	"$(events 1)"

tunnel_add $NS 2 2 $L 192.0.2.12
ctl -n $NS set tunnel 2 idle-timeout 60
check "a per-tunnel change is an event" \
	wait_for 2 seen '.event == "tunnel-set" and .idle_timeout == 60'
ctl -n $NS disconnect tunnel 2
check "an admin disconnect is an event with its reason" \
	wait_for 2 seen '.event == "tunnel-disconnect" and .reason == "admin"'
check "the end of destruct is an event" \
	wait_for 12 seen '.event == "tunnel-expire" and .tunnel_id == 1'
check_eq "every line is one JSON object with an event key" 0 \
	"$(jq -c 'select(has("event") | not)' "$MON" | wc -l)"
check_eq "events stay in their netns" 0 "$(wc -l <"$MON_B")"

check_eq "stats count what happened" \
	"2 1 1 1 0 1" \
	"$(ctl -n $NS -j stats | jq -r '[.tunnels, .sessions, .disconnect_idle_timeout,
		.disconnect_admin, .disconnect_deleted, .expired] | map(tostring) | join(" ")')"
ctl -n $NS stats reset
check_eq "stats reset zeroes them" 0 \
	"$(ctl -n $NS -j stats | jq '[.[]] | add')"

kill $mon_pid $mon_b_pid
wait 2>/dev/null
rm -f "$MON" "$MON_B"
ktap_finished
