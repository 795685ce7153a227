#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Exact IPsec identity (issue 13), with SAs and policies set by ip xfrm as
# an IKE daemon would: a tunnel is bound to the connection whose SA carried
# its own packets, never to another between the same two addresses; an SA
# is known by its SPI, wherever its encapsulation port moves (an update, a
# delete and add of the same SPI); every SA of a connection is followed, 20
# as 2; teardown expires exactly the connection's SAs and keeps the
# policies another live connection relies on. Each check reads ip xfrm,
# traffic or a socket beside l2tpss's own view.

source "$(dirname "$0")/lib.sh"

A=lns
B=cli
LA=10.5.0.1 LB=10.5.0.2
PEER=$L2TPSS_BIN/l2tp_peer
TMP=$(mktemp -d)
PIDS=()

ktap_print_header
ktap_set_plan 28

l2tp_modules_load
modprobe -a esp4 xfrm_user 2>/dev/null
module_load
netns_add $A
netns_add $B
veth_pair $A $LA $B $LB

bg() { "$@" & PIDS+=($!); }
trap 'kill "${PIDS[@]}" 2>/dev/null; rm -rf "$TMP"; cleanup' EXIT
bg ip netns exec $A "$PEER" natt 4500
bg ip netns exec $B "$PEER" natt 4500
bg ip netns exec $A "$PEER" count 1701 "$TMP/rx"
bg ip -n $A xfrm monitor >"$TMP/xfrm"
wait_for 20 test -s "$TMP/rx"

send() { ip netns exec "$1" "$PEER" send "${@:2}"; }
rx() { cat "$TMP/rx"; }
rx_is() { [ "$(rx)" = "$1" ]; }
stat() { ctl -n $A stats -j | jq ".$1"; }
# refused D0 R0: an SCCRQ just sent was dropped as spent (the counter past
# D0) and never arrives (the socket stays at R0).
refused() {
	wait_for 20 sh -c "[ \$($L2TPSS_CTL -n $A stats -j | jq .drop_spent) -gt $1 ]" &&
		stays $QUIET rx_is "$2"
}
conn() { ctl -n $A conn show -j | jq -c "[.[] | select(.reqid == $1)] | last"; }
states() { ip -n "$1" xfrm state | grep -c "reqid $2 mode"; }
policies() { ip -n "$1" xfrm policy | grep -c "reqid $2 mode"; }
# sa NS SRC DST SPI REQID [SPORT DPORT]: a transport ESP SA, UDP-encapsulated
# between SPORT and DPORT if given.
sa() {
	local encap=()

	[ -n "$6" ] && encap=(encap espinudp "$6" "$7" 0.0.0.0)
	ip -n "$1" xfrm state "${OP:-add}" src "$2" dst "$3" proto esp spi "$4" \
		reqid "$5" mode transport \
		aead 'rfc4106(gcm(aes))' "0x$(printf '%08x%032d' "$4" 0)" 128 \
		"${encap[@]}"
}
# policy NS LOCAL PEER REQID [SPORT DPORT]: UDP (between those ports) both
# ways under REQID's template.
policy() {
	local ports_out=() ports_in=()

	[ -n "$5" ] && ports_out=(sport "$5" dport "$6") ports_in=(sport "$6" dport "$5")
	ip -n "$1" xfrm policy add src "$2" dst "$3" proto udp "${ports_out[@]}" \
		dir out tmpl proto esp reqid "$4" mode transport &&
	ip -n "$1" xfrm policy add src "$3" dst "$2" proto udp "${ports_in[@]}" \
		dir in tmpl proto esp reqid "$4" mode transport
}
# both REQID SPI [SPORT DPORT] [natt]: a connection between the two netns.
both() {
	local natt=()

	[ "$5" = natt ] && natt=(4500 4500)
	sa $A $LB $LA "$2" "$1" "${natt[@]}" && sa $A $LA $LB $(($2 + 1)) "$1" "${natt[@]}" &&
	sa $B $LB $LA "$2" "$1" "${natt[@]}" && sa $B $LA $LB $(($2 + 1)) "$1" "${natt[@]}" &&
	policy $A $LA $LB "$1" "$3" "$4" && policy $B $LB $LA "$1" "$4" "$3"
}
flush() { local ns; for ns in $A $B; do ip -n $ns xfrm state flush; ip -n $ns xfrm policy flush; done; }

# 1. Two connections between the same two addresses (reqid 1 for UDP 5001,
# reqid 2 for 5002), an L2TPv3 pseudowire over each; tunnel 1 single-shot.
both 1 0x100 5001 5001
both 2 0x200 5002 5002
for side in $A $B; do
	if [ $side = $A ]; then l=$LA r=$LB p=0; else l=$LB r=$LA p=10; fi
	for n in 1 2; do
		ip -n $side l2tp add tunnel tunnel_id $((n + p)) peer_tunnel_id $((n + 10 - p)) \
			encap udp local $l remote $r udp_sport 500$n udp_dport 500$n
	done
done
check_eq "tunnels between two addresses with two connections: bound to none yet" \
	"idle null idle null" "$(field $A 1 state) $(field $A 1 ipsec) $(field $A 2 state) $(field $A 2 ipsec)"
for side in $A $B; do
	if [ $side = $A ]; then o=1 p=0; else o=2 p=10; fi
	for n in 1 2; do
		ip -n $side l2tp add session name pw$n tunnel_id $((n + p)) \
			session_id $((n + p)) peer_session_id $((n + 10 - p))
		ip -n $side addr add 10.5$n.0.$o/24 dev pw$n && ip -n $side link set pw$n up
	done
done
check "pings cross both pseudowires" sh -c \
	"ip netns exec $A ping -c 1 -W $((2 * S)) 10.51.0.2 && ip netns exec $A ping -c 1 -W $((2 * S)) 10.52.0.2"
check "each tunnel is bound by its own data, to its own connection" \
	sh -c "[ \"\$($L2TPSS_CTL -n $A show -j | jq -c '[.[] | select(.tunnel_id <= 2) | [.tunnel_id, .ipsec.reqid, .ipsec.binding.spi, .ipsec.binding.how]] | sort')\" = '[[1,1,\"0x00000100\",\"packet\"],[2,2,\"0x00000200\",\"packet\"]]' ]"
# Connection 1 loses its outbound SA (deleted by hand, or between a
# teardown's SA and policy deletes): a packet over its pseudowire meets its
# policy with no SA, and the kernel's acquire makes a larval SA (SPI 0) of
# reqid 1 (a key manager must take the acquire: the "ip xfrm monitor"
# above does). Left, it would stay until the acquire expires: an hour here,
# not the default 30 s, so that no wait of this test outlasts it, however
# stretched (L2TPSS_TIME_SCALE). The teardown takes it.
ip netns exec $A sysctl -qw net.core.xfrm_acq_expires=3600
ip -n $A xfrm state delete src $LA dst $LB proto esp spi 0x101
ip netns exec $A ping -c 1 -W 1 10.51.0.2 >/dev/null
larval() {
	ip -n $A xfrm state | grep -A 1 "^src $LA dst $LB\$" |
		grep -q "spi 0x00000000 reqid 1 mode transport"
}
check "connection 1 without its outbound SA: a packet makes a larval SA" \
	wait_for 5 larval
ctl -n $A set tunnel 1 single-shot on
ip -n $A l2tp del session tunnel_id 1 session_id 1
# torn_down WHAT REQID: WHAT (states, policies) of REQID in A gone within
# 5 s; if not, what is left and what l2tpss says of it.
# torn_down WHAT REQID TUNNEL: WHAT (states, policies) of REQID in A gone
# within 20 s (a work item's job: well under a second, but seen to take
# over 5 s once on an emulated 6.1 with the host busy); if not, what is
# left and what l2tpss says of it. A teardown slower than 2 s is reported.
none_of() { [ "$("$1" $A "$2")" = 0 ]; }
torn_down() {
	local what=$1 reqid=$2 t0 t1

	now_us t0
	if wait_for 20 none_of "$what" "$reqid"; then
		now_us t1
		(((t1 - t0) / 1000 < 2000)) ||
			ktap_print_msg "slow: $what of reqid $reqid gone after $(((t1 - t0) / 1000)) ms"
		return 0
	fi
	echo "after 20 s: $("$what" $A "$reqid") $what of reqid $reqid"
	ip -n $A xfrm state | grep -B2 "reqid $reqid mode"
	ctl -n $A -j conn show
	ctl -n $A -j show | jq -c ".[] | select(.tunnel_id == $3)"
	ctl -n $A -j stats
	ip -n $A l2tp show tunnel
	return 1
}
check "the single-shot tunnel's end tears down its connection only: SAs, larval too" \
	torn_down states 1 1
check "and policies" torn_down policies 1 1
other_stays() { [ "$(states $A 2) $(policies $A 2)" = "2 2" ]; }
check "the other connection's SAs and policies stay" stays $QUIET other_stays
check "and its pseudowire keeps passing traffic" \
	ip netns exec $A ping -c 3 -i 0.2 -W $((2 * S)) 10.52.0.2
for side in $A $B; do
	for t in 1 2 11 12; do ip -n $side l2tp del tunnel tunnel_id $t 2>/dev/null; done
done
flush

# 2. An SA keeps its connection, and the connection its state, whatever its
# encapsulation port does.
ctl -n $A defaults set single-shot on destruct-timeout 600
both 3 0x300 "" "" natt
send $B -b $LB 1701 $LA 1701 sccrq
send $B -b $LB 1701 $LA 1701 stopccn
spent() { json_check "$(conn "$1")" '.spent' >/dev/null; }
check "NAT-T: a StopCCN before any session spends the connection" wait_for 20 spent 3
gen=$(conn 3 | jq .generation)
OP=update sa $A $LB $LA 0x300 3 4600 4500
OP=update sa $A $LA $LB 0x301 3 4500 4600
check "ip xfrm state update moves the peer's NAT-T port: same connection, spent" \
	json_check "$(conn 3)" ".generation == $gen and .spent and .natt_port == 4600 and .nr_sas == 2"
ip -n $A xfrm state delete src $LB dst $LA proto esp spi 0x300
sa $A $LB $LA 0x300 3 4700 4500
check "a delete and an add of the same SPI (as charon updates): still the same" \
	json_check "$(conn 3)" ".generation == $gen and .spent and .natt_port == 4700 and .nr_sas == 2"
r0=$(rx) d0=$(stat drop_spent)
send $B -b $LB 1701 $LA 1701 sccrq
check "so L2TP over it is still refused" refused "$d0" "$r0"
ip -n $A xfrm state delete src $LB dst $LA proto esp spi 0x300
ip -n $A xfrm state delete src $LA dst $LB proto esp spi 0x301
conn_gone() { [ "$(conn 3)" = null ]; }
check "once all its SAs are gone for good, the connection ends" wait_for 20 conn_gone
flush

# A single-shot tunnel's connection, remapped, is torn down at its new port.
both 4 0x400 "" "" natt
ip -n $A l2tp add tunnel tunnel_id 40 peer_tunnel_id 41 encap udp \
	local $LA remote $LB udp_sport 1740 udp_dport 1701
send $B -b $LB 1701 $LA 1740 hello 40
check "a tunnel over NAT-T is bound by its first packet" wait_for 20 \
	sh -c "[ \"\$($L2TPSS_CTL -n $A show tunnel 40 -j | jq '.[0].ipsec.reqid')\" = 4 ]"
OP=update sa $A $LB $LA 0x400 4 4800 4500
OP=update sa $A $LA $LB 0x401 4 4500 4800
check_eq "the NAT rebinds: still bound, to the connection at its new port" "4 4800" \
	"$(field $A 40 ipsec.reqid) $(field $A 40 ipsec.natt_port)"
session_add $A 40 1 1
ip -n $A l2tp del session tunnel_id 40 session_id 1
check "its end expires the SAs where they are now" torn_down states 4 40
check "both were hard-expired: key managers got XFRM_MSG_EXPIRE hard=1" \
	wait_for 20 hard_expired "$TMP/xfrm" 0x400 0x401
flush

# 3. Twenty SAs of one identity: all followed.
for i in $(seq 0 9); do
	sa $A $LB $LA $((0x500 + i)) 5 && sa $A $LA $LB $((0x580 + i)) 5
	sa $B $LB $LA $((0x500 + i)) 5 && sa $B $LA $LB $((0x580 + i)) 5
done
policy $A $LA $LB 5 && policy $B $LB $LA 5
check "20 SAs of one identity: one connection with all 20" \
	json_check "$(ctl -n $A conn show -j)" '[.[] | select(.reqid == 5)] | length == 1 and .[0].nr_sas == 20'
send $B -b $LB 1701 $LA 1701 sccrq
send $B -b $LB 1701 $LA 1701 stopccn
check "it is spent by a StopCCN" wait_for 20 spent 5
gen=$(conn 5 | jq .generation)
for i in $(seq 0 7); do
	for ns in $A $B; do
		ip -n $ns xfrm state delete src $LB dst $LA proto esp spi $((0x500 + i))
		ip -n $ns xfrm state delete src $LA dst $LB proto esp spi $((0x580 + i))
	done
done
check "16 of them deleted: the same connection, with 4, still spent" \
	json_check "$(conn 5)" ".generation == $gen and .spent and .nr_sas == 4 and (.sas | length) == 4"
r0=$(rx) d0=$(stat drop_spent)
send $B -b $LB 1701 $LA 1701 sccrq
check "and L2TP over the other 4 is still refused" refused "$d0" "$r0"
flush

# 4. Teardown keeps the policies another live connection relies on: two
# connections to the same peer with the same reqid (two NAT-T ports), a
# policy both satisfy.
ctl -n $A defaults set single-shot on
both 6 0x600 "" "" natt
sa $A $LB $LA 0x680 6 4501 4500 && sa $A $LA $LB 0x681 6 4500 4501
check_eq "two connections, one peer, one reqid, two NAT-T ports" "4500 4501" \
	"$(ctl -n $A conn show -j | jq -r '[.[] | select(.reqid == 6) | .natt_port] | sort | map(tostring) | join(" ")')"
ip -n $A l2tp add tunnel tunnel_id 60 peer_tunnel_id 61 encap udp \
	local $LA remote $LB udp_sport 1760 udp_dport 1701
send $B -b $LB 1701 $LA 1760 hello 60
check "a tunnel is bound to the one its packet came over" wait_for 20 \
	sh -c "[ \"\$($L2TPSS_CTL -n $A show tunnel 60 -j | jq '.[0].ipsec.natt_port')\" = 4500 ]"
session_add $A 60 1 1
ip -n $A l2tp del session tunnel_id 60 session_id 1
check "its end expires that connection's SAs" \
	wait_for 20 sh -c "! ip -n $A xfrm state | grep -q 'spi 0x00000600'"
check "and not the other's" \
	stays $QUIET sh -c "ip -n $A xfrm state | grep -q 'spi 0x00000680' && ip -n $A xfrm state | grep -q 'spi 0x00000681'"
check_eq "nor the policies the other still relies on" 2 "$(policies $A 6)"
flush

check_eq "nothing was left untracked" 0 "$(ctl -n $A stats -j | jq .sas_untracked)"
kill "${PIDS[@]}" 2>/dev/null
wait "${PIDS[@]}" 2>/dev/null
netns_del $A
netns_del $B
check "deleting the namespaces releases every connection" \
	wait_for 30 sh -c "[ \$(awk '\$1 == \"connections\" { print \$2 }' $OBJECTS) = 0 ]"

ktap_finished
