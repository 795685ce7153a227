#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The packet path against a hostile peer and next to unrelated traffic
# (issue 12): IPv4 and IPv6 fragments, fragments inside ESP and UDP GSO
# super-packets are judged whole; L2TPv3 data is matched by session; a port
# is L2TP's only while a tracked flow uses it; teardown messages always
# pass; require-ipsec wants this peer's SA; the UDP length bounds a message;
# a single-shot tunnel whose only call fails before any kernel session ends.
# Every check reads what arrives at a socket, ip l2tp or ip xfrm, beside
# l2tpss's counters.
#
# lns (the module at work) -- veth -- cli (peers) -- veth -- other (no L2TP)

source "$(dirname "$0")/lib.sh"

A=lns
B=cli
C=other
LA=10.8.0.1 LB=10.8.0.2
LA6=fd08::1 LB6=fd08::2
PEER=$L2TPSS_BIN/l2tp_peer
TMP=$(mktemp -d)
PIDS=()

ktap_print_header
ktap_set_plan 45

l2tp_modules_load
modprobe -a esp4 esp6 xfrm_user 2>/dev/null
module_load

netns_add $A
netns_add $B
netns_add $C
veth_pair $A $LA $B $LB
ip -n $A addr add $LA6/64 dev veth0 nodad
ip -n $B addr add $LB6/64 dev veth1 nodad
for a in 10.8.0.3 10.8.0.4 10.8.0.5; do ip -n $B addr add $a/24 dev veth1; done
ip link add vo0 netns $B type veth peer name vo1 netns $C
ip -n $B addr add 10.7.0.1/24 dev vo0 && ip -n $B link set vo0 up
ip -n $C addr add 10.7.0.2/24 dev vo1 && ip -n $C link set vo1 up

bg() { "$@" & PIDS+=($!); }
trap 'kill "${PIDS[@]}" 2>/dev/null; rm -rf "$TMP"; cleanup' EXIT
# count NS PORT NAME: count what arrives on UDP PORT in NS into $TMP/NAME.
count() {
	bg ip netns exec "$1" "$PEER" count "$2" "$TMP/$3"
	wait_for 5 test -s "$TMP/$3"
}
rx() { cat "$TMP/$1"; }
rx_is() { [ "$(rx "$1")" = "$2" ] || { echo "arrived: $(rx "$1")"; false; }; }
kinds_are() {
	[ "$(awk '{ printf "%s%s", s, $1; s = " " }' "$TMP/$1.log")" = "$2" ] ||
		{ echo "arrived: $(tr '\n' ' ' <"$TMP/$1.log")"; false; }
}
stat() { ctl -n $A stats -j | jq -r ".$1"; }
stat_is() { [ "$(stat "$1")" = "$2" ] || { echo "$1: $(stat "$1")"; false; }; }
send() { ip netns exec "$1" "$PEER" send "${@:2}"; }
events() { jq -c "select(.event == \"$1\")" "$TMP/events"; }
has_sa() { ip -n $A xfrm state | grep -q "reqid $1 mode"; }
no_sa() { ! has_sa "$@"; }

# conn_up LOCAL PEER SPI REQID: a transport connection for UDP, both ends.
conn_up() {
	local ns l p

	for ns in $A $B; do
		l=$1 p=$2
		[ $ns = $B ] && l=$2 p=$1
		sa $ns "$2" "$1" "$3" "$4" && sa $ns "$1" "$2" $(($3 + 1)) "$4" &&
		ip -n $ns xfrm policy add src "$l" dst "$p" proto udp dir out \
			tmpl proto esp reqid "$4" mode transport &&
		ip -n $ns xfrm policy add src "$p" dst "$l" proto udp dir in \
			tmpl proto esp reqid "$4" mode transport || return 1
	done
}
flush() { local ns; for ns in $A $B; do ip -n $ns xfrm state flush; ip -n $ns xfrm policy flush; done; }

count $A 1701 rx
bg "$L2TPSS_CTL" -n $A monitor -j >"$TMP/events"
monitor_listens $A $LA "$TMP/events" || ktap_print_msg "the monitor does not listen"

# 1. The issue's table: what reaches a plain UDP socket.
ctl -n $A profile add rw4 peer $LB/32 require-ipsec on
ctl -n $A profile add rw6 peer $LB6/128 require-ipsec on
d0=$(stat drop_plaintext)
send $B -n 5 -b $LB 1701 $LA 1701 sccrq
check "plaintext SCCRQ, IPv4, require-ipsec: none of 5 arrives" stays $QUIET rx_is rx 0
send $B -n 5 -s 4000 -b $LB 1701 $LA 1701 sccrq
check "the same, 4 KB and fragmented by the sender: none of 5" stays $QUIET rx_is rx 0
send $B -n 5 -b $LB6 1701 $LA6 1701 sccrq
check "plaintext SCCRQ, IPv6: none of 5" stays $QUIET rx_is rx 0
send $B -n 5 -s 4000 -b $LB6 1701 $LA6 1701 sccrq
check "the same, fragmented, IPv6: none of 5" stays $QUIET rx_is rx 0
send $B -n 5 -u 0 -b $LB6 1701 $LA6 1701 sccrq
check "the same with a UDP length of 0 (IPv6 UDP: all of it): none of 5" \
	stays $QUIET rx_is rx 0
check "each datagram was judged once, whole: 25 plaintext drops" \
	stat_is drop_plaintext $((d0 + 25))
ip -n $A l2tp add tunnel tunnel_id 5 peer_tunnel_id 5 encap udp \
	local $LA remote $LB udp_sport 1750 udp_dport 1701
ip -n $A l2tp del tunnel tunnel_id 5
wait_for 5 gone $A 5
count $A 1750 rx1750
for i in 1 2 3 4 5; do
	ip netns exec $B bash -c "printf 'not l2tp' >/dev/udp/$LA/1750"
done
check "a plain datagram to an app on a deleted tunnel's port: 5 of 5" \
	wait_for 5 rx_is rx1750 5
count $C 1701 rx_c
for i in 1 2 3 4 5; do
	ip netns exec $B bash -c "printf 'not l2tp' >/dev/udp/10.7.0.2/1701"
done
check "a plain datagram to an app on UDP/1701 in a netns with no L2TP: 5 of 5" \
	wait_for 5 rx_is rx_c 5
ktap_print_msg "sent 5 of each; received: $(rx rx) plaintext (IPv4, IPv4 fragments, IPv6, IPv6 fragments), $(rx rx1750) on the old tunnel's port, $(rx rx_c) on 1701 in the other netns"
ip netns exec $B bash -c "printf '\xc8\x02\x00\x05' >/dev/udp/10.7.0.2/1701"
check "L2TP-looking garbage to 1701 there arrives too" wait_for 5 rx_is rx_c 6
ctl -n $A profile del rw4
ctl -n $A profile del rw6
send $B -s 4000 -b $LB 1701 $LA 1701 sccrq
send $B -s 4000 -b $LB6 1701 $LA6 1701 sccrq
send $B -u 0 -b $LB6 1701 $LA6 1701 sccrq
check "without require-ipsec the large ones, and the one of length 0, arrive" \
	wait_for 5 rx_is rx 3

# Fragments inside ESP: a fragmented SCCRQ over IPsec is judged whole too.
ctl -n $A defaults set single-shot on destruct-timeout 600
conn_up $LA6 $LB6 0x100 1
send $B -s 4000 -b $LB6 1701 $LA6 1701 sccrq
check "a fragmented SCCRQ over IPv6 ESP arrives" wait_for 5 rx_is rx 4
ip -n $A l2tp add tunnel tunnel_id 7 peer_tunnel_id 7 encap udp \
	local $LA6 remote $LB6 udp_sport 1757 udp_dport 1701
send $B -b $LB6 1701 $LA6 1757 hello 7	# (binds it to the connection)
wait_for 5 sh -c "[ \"\$($L2TPSS_CTL -n $A show tunnel 7 -j | jq '.[0].ipsec.reqid')\" = 1 ]"
d0=$(stat drop_second_tunnel)
send $B -s 4000 -b $LB6 1701 $LA6 1701 sccrq
check "a second one over that single-shot connection is dropped whole" \
	wait_for 5 stat_is drop_second_tunnel $((d0 + 1))
check "and never arrives" stays $QUIET rx_is rx 4
ip -n $A l2tp del tunnel tunnel_id 7
flush

# UDP GSO: a super-packet is judged by every segment it carries.
ip -n $A l2tp add tunnel tunnel_id 6 peer_tunnel_id 66 encap udp \
	local $LA remote 10.8.0.3 udp_sport 1760 udp_dport 1701
session_add $A 6 1 1
ip -n $A l2tp del session tunnel_id 6 session_id 1
wait_for 5 gone $A 6
count $A 1760 rx1760
send $B -b 10.8.0.3 1701 $LA 1760 stopccn,icrq 6
stopccn_only() { wait_for 5 kinds_are rx1760 stopccn && stays $QUIET kinds_are rx1760 stopccn; }
check "after a single-shot end: a StopCCN arrives, an ICRQ does not" stopccn_only
d0=$(stat drop_disconnected)
send $B -g -s 64 -b 10.8.0.3 1701 $LA 1760 stopccn,icrq 6
check "the two in one GSO super-packet: dropped whole" \
	wait_for 5 stat_is drop_disconnected $((d0 + 1))
check "the ICRQ never arrives" stays $QUIET kinds_are rx1760 stopccn
send $B -g -s 64 -b 10.8.0.3 1701 $LA 1760 stopccn,cdn 6
check "a super-packet of StopCCN and CDN arrives, both" \
	wait_for 5 kinds_are rx1760 "stopccn stopccn cdn"

# 6. The UDP length, not the buffer, bounds the message: a StopCCN cut
# short by its UDP header is what the receiver gets, so it is judged so.
d0=$(stat drop_malformed)
send $B -u 20 -b 10.8.0.3 1701 $LA 1760 stopccn 6
check "a StopCCN whose UDP length leaves 12 of its 20 bytes: malformed, dropped" \
	wait_for 5 stat_is drop_malformed $((d0 + 1))
check "and nothing arrives" stays $QUIET kinds_are rx1760 "stopccn stopccn cdn"
send $B -u 28 -b 10.8.0.3 1701 $LA 1760 stopccn 6
check "the same StopCCN with its true UDP length arrives" \
	wait_for 5 kinds_are rx1760 "stopccn stopccn cdn stopccn"
ip netns exec $B bash -c "printf xx >/dev/udp/$LA/1760"
check "garbage from another address of the peer is not the flow's: it arrives" \
	wait_for 5 rx_is rx1760 5
d0=$(stat drop_malformed)
send $B -b 10.8.0.3 -u 9 1701 $LA 1760 zlb 6
check "garbage on the tracked flow is dropped and counted" \
	wait_for 5 stat_is drop_malformed $((d0 + 1))

# 2. L2TPv3 data by session: two pseudowires over IP between the same two
# hosts; one single-shot tunnel's end leaves the other's traffic alone.
ctl -n $A defaults set single-shot off
for side in $A $B; do
	if [ $side = $A ]; then l=$LA r=10.8.0.4 t=10 p=20 s=100 ps=200 o=1
	else l=10.8.0.4 r=$LA t=20 p=10 s=200 ps=100 o=2; fi
	ip -n $side l2tp add tunnel tunnel_id $t peer_tunnel_id $p encap ip \
		local $l remote $r
	ip -n $side l2tp add tunnel tunnel_id $((t + 1)) peer_tunnel_id $((p + 1)) \
		encap ip local $l remote $r
	ip -n $side l2tp add session name pwa tunnel_id $t session_id $s \
		peer_session_id $ps
	ip -n $side l2tp add session name pwb tunnel_id $((t + 1)) \
		session_id $((s + 10)) peer_session_id $((ps + 10))
	ip -n $side addr add 10.60.0.$o/24 dev pwa && ip -n $side link set pwa up
	ip -n $side addr add 10.61.0.$o/24 dev pwb && ip -n $side link set pwb up
done
ctl -n $A set tunnel 11 single-shot on
check "pings cross both pseudowires" sh -c \
	"ip netns exec $A ping -c 1 -W $((2 * S)) 10.60.0.2 && ip netns exec $A ping -c 1 -W $((2 * S)) 10.61.0.2"
ip -n $A l2tp del session tunnel_id 11 session_id 110
check "the single-shot one's session ends: its tunnel is disconnected" \
	wait_for 5 gone $A 11
check "pings still cross the other, both ways" sh -c \
	"ip netns exec $A ping -c 3 -i 0.2 -W $((2 * S)) 10.60.0.2 && ip netns exec $B ping -c 3 -i 0.2 -W $((2 * S)) 10.60.0.1"
d0=$(stat drop_disconnected)
ip netns exec $B ping -c 2 -i 0.2 -W 1 10.61.0.1 >/dev/null
check "while the ended one's data is dropped as disconnected" \
	wait_for 5 sh -c "[ \$($L2TPSS_CTL -n $A stats -j | jq .drop_disconnected) -gt $d0 ]"
for side in $A $B; do
	for t in 10 11 20 21; do ip -n $side l2tp del tunnel tunnel_id $t 2>/dev/null; done
done

# 4. Teardown messages pass over a spent connection.
ctl -n $A defaults set single-shot on
conn_up $LA $LB 0x200 2
r0=$(rx rx)
send $B -b $LB 1701 $LA 1701 sccrq
send $B -b $LB 1701 $LA 1701 stopccn
spent() { ctl -n $A conn show -j | jq -e ".[] | select(.reqid == $1) | .spent" >/dev/null; }
check "a StopCCN before any session spends the connection" wait_for 5 spent 2
wait_for 5 rx_is rx $((r0 + 2))
d0=$(stat drop_spent)
send $B -b $LB 1701 $LA 1701 sccrq
send $B -b $LB 1701 $LA 1701 stopccn,cdn,zlb 9
check "over the spent connection StopCCN, CDN and ZLB still arrive" \
	wait_for 5 rx_is rx $((r0 + 5))
last4() { [ "$(tail -n 4 "$TMP/rx.log" | awk '{ printf "%s ", $1 }')" = "stopccn stopccn cdn zlb " ]; }
check "and the SCCRQ was dropped as spent, and never arrives" \
	sh -c "[ \$($L2TPSS_CTL -n $A stats -j | jq .drop_spent) = $((d0 + 1)) ]"
check "nothing else arrives" stays $QUIET last4
flush

# 5. require-ipsec wants this peer's SA: a tunnel-mode SA of the gateway
# 10.8.0.2 carrying packets from 10.8.9.9 does not make them IPsec'd.
ip -n $B addr add 10.8.9.9/32 dev lo
for ns in $A $B; do
	sa $ns $LB $LA 0x300 3 tunnel
	ip -n $ns xfrm policy add src 10.8.9.9/32 dst $LA/32 proto udp \
		dir "$([ $ns = $A ] && echo in || echo out)" \
		tmpl src $LB dst $LA proto esp reqid 3 mode tunnel
done
ip -n $A route add 10.8.9.9/32 via $LB
r0=$(rx rx)
send $B -b 10.8.9.9 1701 $LA 1701 sccrq
check "through the gateway's tunnel SA, an SCCRQ from 10.8.9.9 arrives" \
	wait_for 5 rx_is rx $((r0 + 1))
ctl -n $A profile add behind peer 10.8.9.9/32 require-ipsec on
d0=$(stat drop_plaintext)
send $B -b 10.8.9.9 1701 $LA 1701 sccrq
check "under require-ipsec for 10.8.9.9, another peer's SA does not do" \
	wait_for 5 stat_is drop_plaintext $((d0 + 1))
check "it never arrives" stays $QUIET rx_is rx $((r0 + 1))
ctl -n $A profile del behind
flush

# 7. A single-shot tunnel whose only call fails before any kernel session,
# plain and over IPsec: disconnected, counted, reported; no second ICRQ.
ip -n $A l2tp add tunnel tunnel_id 30 peer_tunnel_id 31 encap udp \
	local $LA remote 10.8.0.5 udp_sport 1770 udp_dport 1701
s0=$(stat disconnect_single_shot)
send $B -b 10.8.0.5 1701 $LA 1770 cdn 30 1
check "plain: a CDN before any session disconnects the single-shot tunnel" \
	wait_for 5 gone $A 30
check "reason single-shot, counted" \
	sh -c "[ \"\$($L2TPSS_CTL -n $A show tunnel 30 -j | jq -r '.[0].reason')\" = single-shot ] &&
	       [ \$($L2TPSS_CTL -n $A stats -j | jq .disconnect_single_shot) = $((s0 + 1)) ]"
check "and reported" wait_for 5 sh -c \
	"jq -e 'select(.event == \"tunnel-disconnect\" and .tunnel_id == 30 and .reason == \"single-shot\")' $TMP/events | grep -q ."
count $A 1770 rx1770
d0=$(stat drop_disconnected)
send $B -b 10.8.0.5 1701 $LA 1770 icrq 30
check "a second ICRQ for it is dropped" wait_for 5 stat_is drop_disconnected $((d0 + 1))
check "and never arrives" stays $QUIET rx_is rx1770 0
send $B -b 10.8.0.5 1701 $LA 1770 stopccn 30
check "while its StopCCN does" wait_for 5 rx_is rx1770 1
conn_up $LA $LB 0x400 4
ip -n $A l2tp add tunnel tunnel_id 34 peer_tunnel_id 35 encap udp \
	local $LA remote $LB udp_sport 1774 udp_dport 1701
send $B -b $LB 1701 $LA 1774 hello 34
check "over IPsec: its first packet binds the tunnel" wait_for 5 sh -c \
	"[ \"\$($L2TPSS_CTL -n $A show tunnel 34 -j | jq '.[0].ipsec.reqid')\" = 4 ]"
send $B -b $LB 1701 $LA 1774 stopccn 34
check "a StopCCN before any session disconnects it" wait_for 5 gone $A 34
check "reason single-shot, its connection spent" json_check \
	"$(ctl -n $A show tunnel 34 -j)" '.[0].reason == "single-shot" and .[0].ipsec.spent'
check "and its SAs are torn down" wait_for 5 no_sa 4
flush

# Counters and events beside it all.
check "drops are reported: the plaintext from 10.8.9.9, say" wait_for 5 sh -c \
	"jq -e 'select(.event == \"packet-blocked\" and .drop == \"plaintext\" and .direction == \"in\")' $TMP/events | grep -q ."
ctl -n $A stats -j | jq -c . | sed 's/^/# /'
kill "${PIDS[@]}" 2>/dev/null
wait "${PIDS[@]}" 2>/dev/null
netns_del $A
netns_del $B
netns_del $C
check "deleting the namespaces releases every record" \
	wait_for 30 objects_are "tunnels 0 sessions 0"

ktap_finished
