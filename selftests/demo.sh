#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: in the test VM, a single-shot tunnel and a standard one go
# through their lives, created with ip l2tp, watched with l2tpss-ctl monitor
# and show. Usage (in the VM): selftests/demo.sh KERNEL

cd "$(dirname "$0")/.." || exit 1
ko=build/${1:?usage: demo.sh KERNEL}/kmod/l2tpss.ko
ctl=tools/l2tpss-ctl
set -e

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
run() { printf '\033[1m$ %s\033[0m\n' "$*"; "$@"; }

modprobe -a l2tp_core l2tp_netlink l2tp_eth l2tp_ip nf_defrag_ipv6
ip netns add lns
ip -n lns link add dummy0 type dummy
ip -n lns addr add 192.0.2.1/24 dev dummy0
ip -n lns addr add 198.51.100.1/24 dev dummy0
ip -n lns link set dummy0 up

say "A tunnel that existed before l2tpss was loaded is found at load time:"
run ip -n lns l2tp add tunnel tunnel_id 10 peer_tunnel_id 20 encap udp \
	local 198.51.100.1 remote 198.51.100.2 udp_sport 1710 udp_dport 1701
run insmod "$ko"
run $ctl version
run $ctl -n lns show

say "Road warriors (192.0.2.0/24) get single-shot tunnels; the rest idle out after 3 s:"
run $ctl -n lns profile add roadwarriors peer 192.0.2.0/24 single-shot on destruct-timeout 10
run $ctl -n lns defaults set idle-timeout 3
run $ctl -n lns profile show

say "Events as they happen (l2tpss-ctl monitor, in the background):"
$ctl -n lns monitor > >(sed 's/^/    [monitor] /') &
monitor=$!
sleep 0.5

say "A single-shot tunnel: one session, then a second one is refused by l2tp_core:"
run ip -n lns l2tp add tunnel tunnel_id 1 peer_tunnel_id 101 encap udp \
	local 192.0.2.1 remote 192.0.2.2 udp_sport 1701 udp_dport 1701
run ip -n lns l2tp add session name s1 tunnel_id 1 session_id 1 peer_session_id 1
run ip -n lns l2tp add session name s2 tunnel_id 1 session_id 2 peer_session_id 2 || true
sleep 0.2
say "Its session ends: the tunnel is disconnected at once and enters destruct:"
run ip -n lns l2tp del session tunnel_id 1 session_id 1
sleep 0.2
run $ctl -n lns show tunnel 1
run ip -n lns l2tp show tunnel

say "A standard tunnel: a session comes and goes; the idle timer then disconnects it:"
run ip -n lns l2tp add tunnel tunnel_id 2 peer_tunnel_id 102 encap ip \
	local 198.51.100.1 remote 198.51.100.3
run ip -n lns l2tp add session name s3 tunnel_id 2 session_id 3 peer_session_id 3
run ip -n lns l2tp del session tunnel_id 2 session_id 3
sleep 0.2
run $ctl -n lns show tunnel 2
sleep 3.5
run $ctl -n lns show
run $ctl -n lns stats

kill $monitor
run rmmod l2tpss
