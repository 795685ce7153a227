#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# l2tpss-ctl version and show (text and JSON) agree with the module and with
# what ip l2tp reports for the same tunnels and sessions.

source "$(dirname "$0")/lib.sh"

NS=show-a

# What ip l2tp says, in l2tpss-ctl's terms, one line per tunnel.
ip_view() {
	local sessions

	sessions=$(ip -n $NS -j l2tp show session)
	ip -n $NS -j l2tp show tunnel |
	jq -r --argjson s "$sessions" 'sort_by(.tunnel_id)[] | . as $t |
		[.tunnel_id, .peer_tunnel, (.encap | ascii_downcase), .local,
		 .peer, (.local_port // "-"), (.peer_port // "-"),
		 ([$s[] | select(.tunnel_id == $t.tunnel_id)] | length)] |
		map(tostring) | join(" ")'
}

ctl_view() {
	ctl -n $NS show -j |
	jq -r 'sort_by(.tunnel_id)[] |
		[.tunnel_id, .peer_tunnel_id, .encap, .local, .peer,
		 (.local_port // "-"), (.peer_port // "-"), .sessions] |
		map(tostring) | join(" ")'
}

ktap_print_header
ktap_set_plan 12
l2tp_modules_load
module_load

expected="l2tpss-ctl $(cat VERSION), module $(cat /sys/module/l2tpss/version)"
check_eq "version names the CLI and the loaded module" "$expected" "$(ctl version)"
check_eq "version -j" "$(cat VERSION) $(cat VERSION)" \
	"$(ctl -j version | jq -r '.cli + " " + .module')"

netns_add $NS
netns_add show-b
veth_pair $NS 192.0.2.1 show-b 192.0.2.2
ip -n $NS addr add 2001:db8::1/64 dev veth0 nodad
check_eq "show -j with no tunnel is an empty array" "[]" "$(ctl -n $NS show -j)"

tunnel_add $NS 1 101 192.0.2.1 192.0.2.2
tunnel_add $NS 2 102 2001:db8::1 2001:db8::2
tunnel_add $NS 3 103 192.0.2.1 192.0.2.3 ip
session_add $NS 1 11 111
session_add $NS 1 12 112
session_add $NS 3 13 113

check_eq "show -j matches ip l2tp show" "$(ip_view)" "$(ctl_view)"
check "show -j has the keys of the contract" json_check "$(ctl -n $NS show -j)" '
	length == 3 and all(.[];
		(.tunnel_id | type) == "number" and
		(.state | IN("active", "idle", "destructing")) and
		(.single_shot | type) == "boolean" and
		(.sessions | type) == "number" and
		(.sessions_total | type) == "number" and
		(.idle_timeout | type) == "number" and
		(.destruct_timeout | type) == "number" and
		(.peer | type) == "string" and
		has("ipsec"))'
# "age" and "timer_ms" may tick between the two calls.
check_eq "show -p is the same JSON, pretty" \
	"$(ctl -n $NS show -j | jq -S 'map(del(.age, .timer_ms))')" \
	"$(ctl -n $NS -p show | jq -S 'map(del(.age, .timer_ms))')"
check "show -p is indented" grep -q '^  {' <<<"$(ctl -n $NS -p show)"
check "show tunnel ID -j is that one tunnel" json_check \
	"$(ctl -n $NS -j show tunnel 2)" 'length == 1 and .[0].tunnel_id == 2'

text=$(ctl -n $NS show)
check_eq "text show has one block per tunnel" 3 "$(grep -c '^tunnel ' <<<"$text")"
check "text show names ids, addresses and ports" \
	grep -q '^tunnel 1 peer-tunnel 101 l2tpv3 over udp 192.0.2.1:1701 -> 192.0.2.2:1701$' <<<"$text"
check "text show brackets IPv6 addresses with ports" \
	grep -q '^tunnel 2 peer-tunnel 102 l2tpv3 over udp \[2001:db8::1\]:1702 -> \[2001:db8::2\]:1702$' <<<"$text"
check "text show counts sessions" \
	grep -q 'state active, sessions 2 (2 in total)' <<<"$text"

ktap_finished
