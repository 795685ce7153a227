#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every transition is an event on the "events" group, seen by monitor -j as
# one JSON object per line with an "event" key; events stay in their netns.
# The counters of stats follow the same transitions; stats reset zeroes them.

source "$(dirname "$0")/lib.sh"

NS=ev
NS_B=ev-b
L=192.0.2.1
MON=$(mktemp)
MON_B=$(mktemp)

# events FILE ID: the events of tunnel ID seen so far, space separated.
events() {
	jq -r "select(.tunnel_id == $2) | .event + (if .reason then \"(\" + .reason + \")\" else \"\" end)
		+ (if .session_id then \":\" + (.session_id | tostring) else \"\" end)" "$1" |
		tr '\n' ' ' | sed 's/ $//'
}

# seen FILTER [FILE]: a monitor printed an event that FILTER (jq) selects.
seen() { jq -e "select($1)" "${2:-$MON}" | grep -q .; }

# Each line of FILE is one JSON object with an "event" key; jq fails on
# anything that is not JSON.
one_object_a_line() {
	jq -R -e -s 'split("\n") | map(select(length > 0) | fromjson) |
		length > 0 and all(type == "object" and has("event"))' "$1" >/dev/null ||
		{ head -c 2000 "$1"; false; }
}

ktap_print_header
ktap_set_plan 14
l2tp_modules_load
module_load
netns_dummy $NS $L/24
netns_dummy $NS_B $L/24

"$L2TPSS_CTL" -n $NS monitor -j >>"$MON" &
mon_pid=$!
"$L2TPSS_CTL" -n $NS_B monitor -j >>"$MON_B" &
mon_b_pid=$!
# A monitor listens once it has seen a tunnel of its netns appear; those
# two never idle out, however slowly the test runs.
listening() { # NS ID FILE
	tunnel_add "$1" "$2" "$2" $L 192.0.2."$2" ip
	ctl -n "$1" set tunnel "$2" idle-timeout 0
	wait_for 0.5 seen ".tunnel_id == $2" "$3" && return
	ip -n "$1" l2tp del tunnel tunnel_id "$2"
	return 1
}
check "the monitor of $NS listens" wait_for 20 listening $NS 99 "$MON"
check "the monitor of $NS_B listens" wait_for 20 listening $NS_B 98 "$MON_B"

# Long timers by default: no step races one. Tunnel 1 gets a short idle
# timeout once it is active, where no timer runs.
ctl -n $NS defaults set idle-timeout 3600 destruct-timeout 10
ctl -n $NS stats reset
ctl -n $NS_B stats reset	# (after its monitor's probe tunnels)
tunnel_add $NS 1 1 $L 192.0.2.11
session_add $NS 1 5 5
ctl -n $NS set tunnel 1 idle-timeout 1
ip -n $NS l2tp del session tunnel_id 1 session_id 5
wait_for 10 gone $NS 1
wait_for 5 seen '.event == "tunnel-disconnect" and .tunnel_id == 1'
check_eq "a tunnel's life, event by event" \
	"tunnel-new session-new:5 tunnel-active tunnel-set session-delete:5 tunnel-idle tunnel-disconnect(idle-timeout)" \
	"$(events "$MON" 1)"

# Tunnel 2 keeps its tombstone for the rest of the test.
tunnel_add $NS 2 2 $L 192.0.2.12
ctl -n $NS set tunnel 2 idle-timeout 60 destruct-timeout 3600
check "a per-tunnel change is an event" \
	wait_for 5 seen '.event == "tunnel-set" and .tunnel_id == 2 and .idle_timeout == 60'
ctl -n $NS disconnect tunnel 2
check "an admin disconnect is an event with its reason" \
	wait_for 5 seen '.event == "tunnel-disconnect" and .reason == "admin" and .tunnel_id == 2'

# A single-shot tunnel refuses its second session: an event, with its id.
tunnel_add $NS 3 3 $L 192.0.2.13
ctl -n $NS set tunnel 3 single-shot on idle-timeout 0
session_add $NS 3 6 6
session_add $NS 3 7 7 2>/dev/null
check "a refused session is an event naming it" \
	wait_for 5 seen '.event == "session-refused" and .tunnel_id == 3 and .session_id == 7'

check "the end of destruct is an event" \
	wait_for 20 seen '.event == "tunnel-expire" and .tunnel_id == 1'
check "every line is one JSON object with an event key" one_object_a_line "$MON"
check "so is every line of the other netns's monitor" one_object_a_line "$MON_B"
check_eq "events stay in their netns: $NS_B saw only its own tunnel" "98" \
	"$(jq -r .tunnel_id "$MON_B" | sort -u | tr '\n' ' ' | sed 's/ $//')"
check_eq "and $NS saw none of it" "" \
	"$(jq -c 'select(.tunnel_id == 98)' "$MON")"

check_eq "stats count what happened" \
	"3 2 1 1 1 0 1" \
	"$(ctl -n $NS -j stats | jq -r '[.tunnels, .sessions, .sessions_refused,
		.disconnect_idle_timeout, .disconnect_admin, .disconnect_deleted,
		.expired] | map(tostring) | join(" ")')"
ctl -n $NS stats reset
# Nothing is due now (tunnels 99 and 3 never idle out, tunnel 2's tombstone
# is kept an hour): the counters stay at zero.
zero() { [ "$(ctl -n $NS -j stats | jq '[.[]] | add')" = 0 ]; }
check "stats reset zeroes them" zero
tunnel_add $NS_B 97 97 $L 192.0.2.97 ip
check "and other netns keep theirs" \
	json_check "$(ctl -n $NS_B -j stats)" '.tunnels == 1'

kill $mon_pid $mon_b_pid
wait 2>/dev/null
rm -f "$MON" "$MON_B"
ktap_finished
