#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two clients behind one NAT (issue 13): real strongSwan NAT-T in transport
# mode on the LNS and both clients, the NAT a netns masquerading both to
# one address with random ports. Each client's L2TPv3 pseudowire (ip l2tp,
# on its own inner port: xl2tpd cannot run two clients from one address and
# port) is bound to its own connection; the NAT rebinding one client's port
# (its conntrack entry flushed) leaves its tunnel bound and its SAs found
# at their new port; ending that client's single-shot tunnel tears down its
# SAs only, and the other client's SAs, policies and traffic stay.
#
#   c1 (10.41.0.2) \
#                   nat (masquerade to 10.40.0.254) -- lns (10.40.0.1)
#   c2 (10.42.0.2) /

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ike.sh"

for bin in /usr/lib/ipsec/starter /usr/sbin/nft /usr/sbin/conntrack; do
	[ -x $bin ] ||
		ktap_skip_all "$bin is not installed (strongswan-starter, nftables, conntrack)"
done

LNS=10.40.0.1
PUB=10.40.0.254
TMP=$(mktemp -d)

ktap_print_header
ktap_set_plan 15

l2tp_modules_load
modprobe -a esp4 xfrm_user nf_conntrack nf_nat nft_masq 2>/dev/null
module_load
for ns in lns nat c1 c2; do netns_add $ns; done
ip link add vl netns lns type veth peer name vn netns nat
ip -n lns addr add $LNS/24 dev vl && ip -n lns link set vl up
ip -n nat addr add $PUB/24 dev vn && ip -n nat link set vn up
for c in 1 2; do
	ip link add v$c netns c$c type veth peer name vn$c netns nat
	ip -n c$c addr add 10.4$c.0.2/24 dev v$c && ip -n c$c link set v$c up
	ip -n nat addr add 10.4$c.0.1/24 dev vn$c && ip -n nat link set vn$c up
	ip -n c$c route add default via 10.4$c.0.1
done
ip netns exec nat sysctl -qw net.ipv4.ip_forward=1
ip netns exec nat nft -f - <<-END
	table ip nat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "vn" masquerade random
		}
	}
END

nat_cleanup() {
	local ns

	for ns in lns c1 c2; do
		ip netns pids $ns 2>/dev/null | xargs -r kill -KILL
	done
	rm -rf "$TMP"
	cleanup
}
trap nat_cleanup EXIT

side_start lns
side_start c1
side_start c2
ctl -n lns profile add clients peer $PUB/32 single-shot on destruct-timeout 600
# Each client its own inner port; the LNS takes any.
strongswan lns $LNS %any 17/%any 17/%any
strongswan c1 10.41.0.2 $LNS 17/1701 17/1711
strongswan c2 10.42.0.2 $LNS 17/1702 17/1712
child_up() { stroke "$1" status l2tp 2>/dev/null | grep -q 'INSTALLED, TRANSPORT'; }
both_up() { child_up c1 && child_up c2; }
stroke c1 up l2tp >"$TMP/c1/up.log" 2>&1
stroke c2 up l2tp >"$TMP/c2/up.log" 2>&1
check "both clients' CHILD_SAs are up through the NAT" wait_for 30 both_up
two_conns() {
	json_check "$(ctl -n lns conn show -j)" "[.[] | select(.peer == \"$PUB\" and .live)] |
		length == 2 and (map(.natt_port) | unique | length) == 2 and all(.natt_port > 0)"
}
check "the LNS has two connections to the NAT's address, by NAT-T port" \
	wait_for 10 two_conns

# The pseudowires: client C's tunnel C on UDP 170C, the LNS's 1C on 171C.
for c in 1 2; do
	ip -n c$c l2tp add tunnel tunnel_id $c peer_tunnel_id 1$c encap udp \
		local 10.4$c.0.2 remote $LNS udp_sport 170$c udp_dport 171$c
	ip -n c$c l2tp add session name pw tunnel_id $c session_id $c peer_session_id 1$c
	ip -n lns l2tp add tunnel tunnel_id 1$c peer_tunnel_id $c encap udp \
		local $LNS remote $PUB udp_sport 171$c udp_dport 170$c
	ip -n lns l2tp add session name pw$c tunnel_id 1$c session_id 1$c peer_session_id $c
	ip -n c$c addr add 10.6$c.0.2/24 dev pw && ip -n c$c link set pw up
	ip -n lns addr add 10.6$c.0.1/24 dev pw$c && ip -n lns link set pw$c up
done
pings() { ip netns exec lns ping -c 1 -W $((3 * S)) "$1" >/dev/null; }
pings_both() { pings 10.61.0.2 && pings 10.62.0.2; }
check "pings cross both clients' pseudowires" wait_for 10 pings_both
# binding ID: "NATT_PORT HOW" of tunnel ID's connection and binding.
binding() { ctl -n lns show tunnel "$1" -j | jq -r '.[0].ipsec | "\(.natt_port) \(.binding.how)"'; }
b11=$(binding 11) b12=$(binding 12)
# nat_port C: the NAT's port for client C's NAT-T flow, by its conntrack.
nat_port() {
	ip netns exec nat conntrack -L -p udp -s 10.4$1.0.2 --sport 4500 2>/dev/null |
		awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^dport=/) p = substr($i, 7) } END { print p }'
}
check_eq "each LNS tunnel is bound, by its own packets, to its client's connection" \
	"$(nat_port 1) packet $(nat_port 2) packet" "$b11 $b12"
gen1=$(ctl -n lns show tunnel 11 -j | jq '.[0].ipsec.generation')
port1=${b11% *}

# The NAT forgets client 1's mapping: its next packets come from a new port.
ip netns exec nat conntrack -D -p udp -s 10.41.0.2 >/dev/null 2>&1
ip netns exec c1 ping -c 2 -i 0.3 -W 1 10.61.0.1 >/dev/null
remapped() {
	json_check "$(ctl -n lns show tunnel 11 -j)" \
		".[0].ipsec | .generation == $gen1 and .natt_port != $port1 and .live"
}
check "NAT rebinding: client 1's tunnel stays bound to its connection, at a new port" \
	wait_for 20 remapped
ctl -n lns show tunnel 11 -j | jq -c '.[0].ipsec | {natt_port, sas}' | sed 's/^/# /'
check "charon applied the new mapping: pings cross again" \
	wait_for 20 pings 10.61.0.2
# sas_of PORT: the LNS's SAs with a client at NAT-T port PORT.
sas_of() { ip -n lns xfrm state | grep -cE "espinudp sport $1 dport 4500 |espinudp sport 4500 dport $1 "; }
c2port=${b12% *}
c2sas=$(sas_of "$c2port")
c2pol=$(ip -n lns xfrm policy | grep -c 1712)
[ "$c2pol" -gt 0 ] || ktap_print_msg "no policy of client 2 seen"

# Client 1's single-shot tunnel ends.
ip -n lns l2tp del session tunnel_id 11 session_id 11
check "its tunnel is disconnected" wait_for 10 gone lns 11
newport=$(ctl -n lns show tunnel 11 -j | jq '.[0].ipsec.natt_port')
no_sas_at() { [ "$(sas_of "$1")" = 0 ]; }
check "its SAs are torn down where they are now" wait_for 10 no_sas_at "$newport"
check "the LNS's charon closed its CHILD_SA" \
	wait_for 10 grep -q 'closing expired CHILD_SA' "$TMP/lns/charon.log"
sas_at() { [ "$2" -gt 0 ] && [ "$(sas_of "$1")" = "$2" ]; }
check "client 2's SAs stay ($c2sas at port $c2port)" stays $QUIET sas_at "$c2port" "$c2sas"
check "and its policies" sh -c "[ $c2pol -gt 0 ] && [ \$(ip -n lns xfrm policy | grep -c 1712) = $c2pol ]"
check "and its pseudowire keeps passing traffic" \
	sh -c "ip netns exec lns ping -c 3 -i 0.2 -W $((3 * S)) 10.62.0.2 >/dev/null"
check_eq "its tunnel, untouched" "active 12" \
	"$(field lns 12 state) $(field lns 12 tunnel_id)"
check "client 1 was told: DELETE for its CHILD_SA" \
	wait_for 20 grep -q 'received DELETE for ESP CHILD_SA' "$TMP/c1/charon.log"

for side in lns c1 c2; do
	on $side sh -c 'kill $(cat /run/starter.charon.pid)' 2>/dev/null
done
check "the daemons stop" wait_for 20 sh -c "! pgrep -x 'charon|starter' >/dev/null"
if [ "$KTAP_FAIL" -gt 0 ]; then
	for f in "$TMP"/*/charon.log; do
		tail -n 60 "$f" | sed "s|^|# ${f#"$TMP"/}: |"
	done
fi
ktap_finished
