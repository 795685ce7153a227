#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The configuration model: defaults, profiles (longest matching peer prefix,
# optional local address, IPv4 and IPv6) applied when a tunnel registers,
# per-tunnel overrides on a live tunnel; precedence tunnel > profile >
# defaults, each value's source visible in show; all of it per netns.

source "$(dirname "$0")/lib.sh"

NS=cfg

# settings NS ID: "single_shot idle destruct require_ipsec / sources / profile"
settings() {
	ctl -n "$1" show -j | jq -r "[.[] | select(.tunnel_id == $2)] | last |
		\"\(.single_shot) \(.idle_timeout) \(.destruct_timeout) \(.require_ipsec)\" +
		\" / \(.source.single_shot) \(.source.idle_timeout) \(.source.destruct_timeout) \(.source.require_ipsec)\" +
		\" / \(.profile)\""
}

ktap_print_header
ktap_set_plan 17
l2tp_modules_load
module_load
netns_add $NS
ip -n $NS link add dummy0 type dummy
ip -n $NS addr add 192.0.2.1/24 dev dummy0
ip -n $NS addr add 198.51.100.1/24 dev dummy0
ip -n $NS addr add 2001:db8::1/64 dev dummy0 nodad
ip -n $NS link set dummy0 up

ctl -n $NS defaults set destruct-timeout 300
ctl -n $NS profile add wide peer 192.0.2.0/24 idle-timeout 30
ctl -n $NS profile add narrow peer 192.0.2.128/25 single-shot on
ctl -n $NS profile add host peer 192.0.2.200 local 198.51.100.1 require-ipsec on
ctl -n $NS profile add six peer 2001:db8::/64 single-shot on idle-timeout 5

check_eq "profile show -j lists them as added" \
	"wide 192.0.2.0/24 null|narrow 192.0.2.128/25 null|host 192.0.2.200/32 198.51.100.1|six 2001:db8::/64 null" \
	"$(ctl -n $NS profile show -j | jq -r 'map("\(.name) \(.peer) \(.local)") | join("|")')"
check_eq "profile show -j has only the settings a profile gives" \
	'{"name":"six","peer":"2001:db8::/64","local":null,"single_shot":true,"idle_timeout":5}' \
	"$(ctl -n $NS profile show -j | jq -c '.[3]')"

tunnel_add $NS 1 1 192.0.2.1 192.0.2.10
check_eq "a matching profile gives its settings; defaults the rest" \
	"false 30 300 false / default profile default default / wide" "$(settings $NS 1)"
tunnel_add $NS 2 2 192.0.2.1 192.0.2.130
check_eq "the longest matching prefix wins" \
	"true 60 300 false / profile default default default / narrow" "$(settings $NS 2)"
tunnel_add $NS 3 3 192.0.2.1 192.0.2.200
check_eq "a profile naming another local address does not match" \
	"true 60 300 false / profile default default default / narrow" "$(settings $NS 3)"
tunnel_add $NS 4 4 198.51.100.1 192.0.2.200
check_eq "one naming the tunnel's local address does, longest prefix first" \
	"false 60 300 true / default default default profile / host" "$(settings $NS 4)"
tunnel_add $NS 5 5 2001:db8::1 2001:db8::5
check_eq "IPv6 profiles match IPv6 peers" \
	"true 5 300 false / profile profile default default / six" "$(settings $NS 5)"
tunnel_add $NS 6 6 198.51.100.1 198.51.100.6
check_eq "no profile: the defaults" \
	"false 60 300 false / default default default default / null" "$(settings $NS 6)"

ctl -n $NS set tunnel 1 idle-timeout 2 require-ipsec on
check_eq "a per-tunnel override beats profile and defaults" \
	"false 2 300 true / default tunnel default tunnel / wide" "$(settings $NS 1)"
check "and takes effect at once: the idle timer restarts with it" \
	test "$(field $NS 1 timer_ms)" -le 2000
check "so the tunnel idles out after the new timeout" \
	wait_for 5 gone $NS 1

ctl -n $NS defaults set idle-timeout 45
check_eq "a defaults change leaves registered tunnels alone" 60 \
	"$(field $NS 6 idle_timeout)"
ctl -n $NS profile del narrow
check_eq "so does deleting their profile" "true narrow" \
	"$(field $NS 2 single_shot) $(field $NS 2 profile)"
tunnel_add $NS 7 7 192.0.2.1 192.0.2.131
check_eq "later tunnels get the remaining profiles" \
	"false 30 300 false / default profile default default / wide" "$(settings $NS 7)"
tunnel_add $NS 8 8 198.51.100.1 198.51.100.8
check_eq "and the new defaults" \
	"false 45 300 false / default default default default / null" "$(settings $NS 8)"

netns_add cfg-b
check_eq "profiles are per netns" "[]" "$(ctl -n cfg-b profile show -j)"
check_eq "tunnel settings are per netns" "[]" "$(ctl -n cfg-b show -j)"

ktap_finished
