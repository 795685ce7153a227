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
ktap_set_plan 34
l2tp_modules_load
module_load
netns_add $NS
ip -n $NS link add dummy0 type dummy
ip -n $NS addr add 192.0.2.1/24 dev dummy0
ip -n $NS addr add 198.51.100.1/24 dev dummy0
ip -n $NS addr add 2001:db8::1/64 dev dummy0 nodad
ip -n $NS link set dummy0 up
# Peers beyond the dummy's prefixes are reachable too.
ip -n $NS route add default dev dummy0
ip -n $NS -6 route add default dev dummy0

ctl -n $NS defaults set destruct-timeout 300
ctl -n $NS profile add wide peer 192.0.2.0/24 idle-timeout 30
ctl -n $NS profile add narrow peer 192.0.2.128/25 single-shot on
ctl -n $NS profile add host peer 192.0.2.200 local 198.51.100.1 require-ipsec on
ctl -n $NS profile add six peer 2001:db8::/64 single-shot on idle-timeout 5
# Added after longer prefixes that they contain: "the last match wins" or
# "the first match wins" would pick them, the longest prefix does not.
ctl -n $NS profile add any4 peer 0.0.0.0/0 idle-timeout 70
ctl -n $NS profile add six48 peer 2001:db8::/48 idle-timeout 7
ctl -n $NS profile add six128 peer 2001:db8::6/128 destruct-timeout 20
ctl -n $NS profile add any6 peer ::/0 idle-timeout 9

check_eq "profile show -j lists them as added" \
	"wide 192.0.2.0/24 null|narrow 192.0.2.128/25 null|host 192.0.2.200/32 198.51.100.1|six 2001:db8::/64 null|any4 0.0.0.0/0 null|six48 2001:db8::/48 null|six128 2001:db8::6/128 null|any6 ::/0 null" \
	"$(ctl -n $NS profile show -j | jq -r 'map("\(.name) \(.peer) \(.local)") | join("|")')"
check_eq "profile show -j has only the settings a profile gives" \
	'{"name":"six","peer":"2001:db8::/64","local":null,"single_shot":true,"idle_timeout":5}' \
	"$(ctl -n $NS profile show -j | jq -c '.[3]')"

tunnel_add $NS 1 1 192.0.2.1 192.0.2.10
check_eq "a matching profile gives its settings (not the /0 added last); defaults the rest" \
	"false 30 300 false / default profile default default / wide" "$(settings $NS 1)"
tunnel_add $NS 2 2 192.0.2.1 192.0.2.130
check_eq "the longest matching prefix wins (not the first added)" \
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
check_eq "a /0 profile gives its settings where nothing longer matches" \
	"false 70 300 false / default profile default default / any4" "$(settings $NS 6)"
tunnel_add $NS 9 9 2001:db8::1 2001:db8::6
check_eq "IPv6: a /128 beats /64, /48 and ::/0" \
	"false 60 20 false / default default profile default / six128" "$(settings $NS 9)"
tunnel_add $NS 10 10 2001:db8::1 2001:db8:0:1::6
check_eq "IPv6: /48 where the /64 does not match" \
	"false 7 300 false / default profile default default / six48" "$(settings $NS 10)"
tunnel_add $NS 11 11 2001:db8::1 2001:db9::6
check_eq "IPv6: ::/0 where nothing longer matches" \
	"false 9 300 false / default profile default default / any6" "$(settings $NS 11)"
ctl -n $NS profile del any4
tunnel_add $NS 12 12 198.51.100.1 203.0.113.12
check_eq "no profile: the defaults" \
	"false 60 300 false / default default default default / null" "$(settings $NS 12)"

ctl -n $NS set tunnel 1 idle-timeout 2 require-ipsec on destruct-timeout 30
check_eq "a per-tunnel override beats profile and defaults" \
	"false 2 30 true / default tunnel tunnel tunnel / wide" "$(settings $NS 1)"
check "and takes effect at once: the idle timer restarts with it" \
	test "$(field $NS 1 timer_ms)" -le 2000
check "so the tunnel idles out after the new timeout" \
	wait_for 10 gone $NS 1
check "and its tombstone is kept for the new destruct timeout" \
	json_check "$(ctl -n $NS show tunnel 1 -j)" \
	'.[0] | .state == "destructing" and .timer_ms > 20000 and .timer_ms <= 30000'
err=$(ctl -n $NS set tunnel 2 destruct-timeout 9 2>&1)
check "set tunnel: destruct-timeout below its range is refused with the range" \
	grep -q 'destruct-timeout 9: integer out of range, valid 10..3600$' <<<"$err"
err=$(ctl -n $NS set tunnel 2 destruct-timeout 3601 idle-timeout 1 2>&1)
check "so is one above it" \
	grep -q 'destruct-timeout 3601: integer out of range, valid 10..3600$' <<<"$err"
check_eq "and the tunnel keeps its settings" \
	"true 60 300 false / profile default default default / narrow" "$(settings $NS 2)"

ctl -n $NS defaults set idle-timeout 45
check_eq "a defaults change leaves registered tunnels alone" 60 \
	"$(field $NS 12 idle_timeout)"
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
before=$(profiles)
ctl -n cfg-b profile add b1 peer 192.0.2.0/24 idle-timeout 1
ctl -n cfg-b profile add b2 peer 2001:db8::/32 single-shot on
check_eq "a netns's profiles are its own" $((before + 2)) "$(profiles)"
check_eq "and leave the others alone" 6 "$(ctl -n $NS profile show -j | jq length)"
netns_del cfg-b

# The most profiles a netns takes, most of one length (one bucket of the
# index holds several): matching still finds the longest, and each length
# stops counting once its last profile goes.
netns_add cfg-c
ip -n cfg-c link add dummy0 type dummy
ip -n cfg-c addr add 10.255.255.1/32 dev dummy0
ip -n cfg-c link set dummy0 up
ip -n cfg-c route add default dev dummy0
for i in $(seq 0 1019); do
	echo "profile add p$i peer 10.$((i / 256)).$((i % 256)).0/24 idle-timeout 11"
done | ctl -n cfg-c -b -
ctl -n cfg-c profile add net16 peer 10.0.0.0/16 idle-timeout 12
ctl -n cfg-c profile add zz peer 10.9.0.0/16 idle-timeout 13
ctl -n cfg-c profile add aa peer 10.9.0.0/16 idle-timeout 14
ctl -n cfg-c profile add host peer 10.0.5.7 idle-timeout 15
err=$(ctl -n cfg-c profile add p1024 peer 10.8.0.0/24 2>&1)
check "1,024 profiles: one more is refused" \
	grep -q 'too many profiles' <<<"$err"
tunnel_add cfg-c 1 1 10.255.255.1 10.0.5.9
tunnel_add cfg-c 2 2 10.255.255.1 10.0.5.7
tunnel_add cfg-c 3 3 10.255.255.1 10.9.1.1
check_eq "among them the longest prefix wins: /24 over /16, /32 over /24" \
	"p5 host" "$(field cfg-c 1 profile) $(field cfg-c 2 profile)"
check_eq "at equal length the first name in byte order, whatever the order of adding" \
	"aa 14" "$(field cfg-c 3 profile) $(field cfg-c 3 idle_timeout)"
ctl -n cfg-c profile del p5
ctl -n cfg-c profile del host
ctl -n cfg-c profile replace aa peer 10.9.0.0/17 idle-timeout 16
tunnel_add cfg-c 4 4 10.255.255.1 10.0.5.9
tunnel_add cfg-c 5 5 10.255.255.1 10.9.1.1
tunnel_add cfg-c 6 6 10.255.255.1 10.9.200.1
check_eq "deleted profiles no longer match: the /16 does" \
	"net16 12" "$(field cfg-c 4 profile) $(field cfg-c 4 idle_timeout)"
check_eq "a replaced profile matches by its new prefix" \
	"aa 16 zz 13" "$(field cfg-c 5 profile) $(field cfg-c 5 idle_timeout) $(field cfg-c 6 profile) $(field cfg-c 6 idle_timeout)"
for i in $(seq 0 1019); do
	echo "profile del p$i"
done | ctl -n cfg-c -b -
ctl -n cfg-c profile del net16
ctl -n cfg-c profile del zz
ctl -n cfg-c profile del aa
tunnel_add cfg-c 7 7 10.255.255.1 10.0.5.9
check_eq "with every profile deleted, none matches" \
	"null 60" "$(field cfg-c 7 profile) $(field cfg-c 7 idle_timeout)"
netns_del cfg-c
profiles_are() { [ "$(profiles)" = "$1" ]; }
check "deleting the netns releases its profiles" wait_for 10 profiles_are "$before"

ktap_finished
