#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: in the test VM, create L2TP tunnels with ip l2tp, load l2tpss and
# show what it tracks. Usage (in the VM): selftests/demo.sh KERNEL

cd "$(dirname "$0")/.." || exit 1
ko=build/${1:?usage: demo.sh KERNEL}/kmod/l2tpss.ko
ctl=tools/l2tpss-ctl
set -e

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

modprobe -a l2tp_core l2tp_netlink l2tp_eth l2tp_ip
ip netns add lns
ip netns add lac
ip link add veth0 netns lns type veth peer name veth1 netns lac
ip -n lns addr add 192.0.2.1/24 dev veth0
ip -n lac addr add 192.0.2.2/24 dev veth1
ip -n lns link set veth0 up
ip -n lac link set veth1 up

echo "A tunnel with a session exists before l2tpss is loaded:"
run ip -n lns l2tp add tunnel tunnel_id 10 peer_tunnel_id 20 encap udp \
	local 192.0.2.1 remote 192.0.2.2 udp_sport 1701 udp_dport 1701
run ip -n lns l2tp add session tunnel_id 10 session_id 1 peer_session_id 1
run insmod "$ko"
run $ctl version
run $ctl -n lns show
echo
echo "Defaults are per network namespace and apply to tunnels registering later:"
run $ctl -n lns defaults set single-shot on idle-timeout 30
run $ctl -n lns defaults show
run ip -n lns l2tp add tunnel tunnel_id 11 peer_tunnel_id 21 encap ip \
	local 192.0.2.1 remote 192.0.2.2
run $ctl -n lns -p show tunnel 11
echo
echo "Sessions come and go; l2tpss follows l2tp_core:"
run ip -n lns l2tp del session tunnel_id 10 session_id 1
run ip -n lns l2tp del tunnel tunnel_id 11
run $ctl -n lns show
run rmmod l2tpss
