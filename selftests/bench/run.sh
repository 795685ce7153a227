#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark, in the test VM: numbers and ratios, no pass or fail.
#   single-shot disconnect delay: session deleted -> tunnel gone from
#   l2tp_core, against a plain tunnel delete (the floor), over RUNS runs;
#   single-shot IPsec teardown delay: session deleted -> both SAs of its
#   connection hard-expired (the second XFRM_MSG_EXPIRE a key manager gets);
#   filter cost: the rate of non-L2TP UDP through a veth pair without the
#   module, with it, and with it and 100 tunnels on as many ports; the three
#   are measured in turn, ROUNDS times, so that the emulator's drift hits
#   them alike, and the medians of the rates and of each round's ratios are
#   given.
# Usage (in the VM, from the top of the tree):
#   selftests/bench/run.sh KERNEL [RUNS [ROUNDS]]

cd "$(dirname "$0")/../.." || exit 1
kernel=${1:?usage: bench/run.sh KERNEL [RUNS [ROUNDS]]}
runs=${2:-100}
rounds=${3:-7}
bin=build/selftests/disconnect_delay
ctl=tools/l2tpss-ctl
set -e

modprobe -a l2tp_core l2tp_netlink l2tp_eth esp4 xfrm_user veth nf_defrag_ipv6

# flood_rate: packets per second of non-L2TP UDP, b-tx -> b-rx, after the
# work the last change queued (tunnel deletes, RCU frees) has settled and
# a first, unmeasured burst.
flood_rate() {
	sleep 1
	ip netns exec b-tx build/selftests/udp_flood 198.51.100.2 9 10000 >/dev/null
	ip netns exec b-tx build/selftests/udp_flood 198.51.100.2 9 50000
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

ip netns add b-tx
ip netns add b-rx
ip link add veth0 netns b-tx type veth peer name veth1 netns b-rx
ip -n b-tx addr add 198.51.100.1/24 dev veth0 && ip -n b-tx link set veth0 up
ip -n b-rx addr add 198.51.100.2/24 dev veth1 && ip -n b-rx link set veth1 up
flood=$(mktemp)
for _ in $(seq 1 "$rounds"); do
	without=$(flood_rate)
	insmod "build/$kernel/kmod/l2tpss.ko"
	with=$(flood_rate)
	for i in $(seq 1 100); do
		ip -n b-rx l2tp add tunnel tunnel_id "$i" peer_tunnel_id "$i" \
			encap udp local 198.51.100.2 remote 198.51.100.1 \
			udp_sport $((20000 + i)) udp_dport 1701
	done
	tunnels=$(flood_rate)
	# Without the module, deleted tunnels leave no tombstone behind.
	rmmod l2tpss
	for i in $(seq 1 100); do
		ip -n b-rx l2tp del tunnel tunnel_id "$i"
	done
	echo "$without $with $tunnels" >>"$flood"
done
flood_without=$(awk '{ print $1 }' "$flood" | median)
flood_with=$(awk '{ print $2 }' "$flood" | median)
flood_tunnels=$(awk '{ print $3 }' "$flood" | median)
ratio_with=$(awk '{ print $2 / $1 }' "$flood" | median)
ratio_tunnels=$(awk '{ print $3 / $1 }' "$flood" | median)
ratio_range=$(awk '{ r = $2 / $1; if (NR == 1 || r < lo) lo = r; if (NR == 1 || r > hi) hi = r }
	END { printf "%.3f..%.3f", lo, hi }' "$flood")
rm -f "$flood"
insmod "build/$kernel/kmod/l2tpss.ko"
ip netns del b-tx
ip netns del b-rx
for mode in baseline single-shot ipsec; do
	ip netns add "b-$mode"
	ip -n "b-$mode" link add dummy0 type dummy
	ip -n "b-$mode" addr add 192.0.2.1/24 dev dummy0
	ip -n "b-$mode" link set dummy0 up
done
$ctl -n b-single-shot defaults set single-shot on
$ctl -n b-ipsec defaults set single-shot on

read -r _ base_med base_p99 _ < <(ip netns exec b-baseline $bin baseline "$runs")
read -r _ ss_med ss_p99 _ < <(ip netns exec b-single-shot $bin single-shot "$runs")
read -r _ ipsec_med ipsec_p99 _ < <(ip netns exec b-ipsec $bin ipsec "$runs")
for mode in baseline single-shot ipsec; do
	ip netns del "b-$mode"
done
rmmod l2tpss

echo "kernel $(uname -r), $runs runs, software-emulated VM"
printf '%-48s median %8.3f ms  p99 %8.3f ms\n' \
	"tunnel delete -> tunnel gone (floor)" "$base_med" "$base_p99" \
	"single-shot: session delete -> tunnel gone" "$ss_med" "$ss_p99" \
	"single-shot IPsec: session delete -> SAs expired" "$ipsec_med" "$ipsec_p99"
awk -v a="$ss_med" -v b="$base_med" -v c="$ss_p99" -v d="$base_p99" 'BEGIN {
	printf "ratio single-shot / floor: median %.2f, p99 %.2f\n", a / b, c / d }'
echo "non-L2TP UDP, medians of $rounds rounds of 50,000 datagrams each:"
printf '%-48s %10d packets/s\n' "non-L2TP UDP, module not loaded" "$flood_without" \
	"non-L2TP UDP, module loaded" "$flood_with" \
	"non-L2TP UDP, module loaded, 100 tunnels" "$flood_tunnels"
printf 'ratio loaded / not loaded: median %.3f (rounds: %s); with 100 tunnels: median %.3f\n' \
	"$ratio_with" "$ratio_range" "$ratio_tunnels"
