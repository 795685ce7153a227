#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's delay part, in a VM on the wall clock (run.sh without -c:
# delays include the scheduling and the workqueue, which instruction
# counting would distort). Prints "@ delay MODE MS" for every run, read by
# report.py; nothing to pass or fail. The modes of disconnect_delay:
#   baseline: tunnel delete -> tunnel gone (the floor);
#   single-shot: session delete -> tunnel gone;
#   ipsec: single-shot over IPsec, session delete -> both SAs hard-expired;
#   ipdown: the same without l2tpss's help, a standard tunnel whose
#     session's end runs what a pppd ip-down script does (a shell, ip l2tp
#     del tunnel, two ip xfrm state delete), session delete -> both SAs
#     deleted.
# Each mode runs in its own netns, in chunks of 10 runs taken in turn
# (forward, then backward), so that the emulator's drift hits them alike.
# Then the time of a full dump of N_TUNNELS tracked tunnels: l2tpss-ctl
# show -j (three times) against ip l2tp show tunnel (once, given at most
# L2TPSS_BENCH_DUMP_LIMIT seconds: 6.1 walks its tunnels quadratically),
# each to /dev/null, "@ dump TOOL RUN SECONDS BYTES".
#
# Usage (in the VM, from the top of the tree): bench/latency.sh KERNEL
# Environment: L2TPSS_BENCH_RUNS (100 a mode, a multiple of 10),
# L2TPSS_BENCH_TUNNELS (100000), L2TPSS_BENCH_DUMP_LIMIT (300),
# L2TPSS_BENCH_KO (another build of the module, to compare).

cd "$(dirname "$0")/../.." || exit 1
kernel=${1:?usage: bench/latency.sh KERNEL}
runs=${L2TPSS_BENCH_RUNS:-100}
n_tunnels=${L2TPSS_BENCH_TUNNELS:-100000}
dump_limit=${L2TPSS_BENCH_DUMP_LIMIT:-300}
bin=build/selftests/disconnect_delay
ctl=tools/l2tpss-ctl
modes=(baseline single-shot ipsec ipdown)
set -eu

modprobe -a l2tp_core l2tp_netlink l2tp_eth esp4 xfrm_user nf_defrag_ipv6
insmod "${L2TPSS_BENCH_KO:-build/$kernel/kmod/l2tpss.ko}"
for mode in baseline single-shot ipdown; do
	ip netns add "b-$mode"
	ip -n "b-$mode" link add dummy0 type dummy
	ip -n "b-$mode" addr add 192.0.2.1/24 dev dummy0
	ip -n "b-$mode" link set dummy0 up
done
# ipsec's tunnels are bound by a packet of theirs from the peer, over ESP.
ip netns add b-ipsec
ip netns add b-ipsec-peer
ip link add veth0 netns b-ipsec type veth peer name veth1 netns b-ipsec-peer
ip -n b-ipsec addr add 192.0.2.1/24 dev veth0
ip -n b-ipsec-peer addr add 192.0.2.2/24 dev veth1
ip -n b-ipsec link set veth0 up
ip -n b-ipsec-peer link set veth1 up
ip -n b-ipsec-peer xfrm policy add src 192.0.2.2 dst 192.0.2.1 proto udp \
	dir out tmpl src 192.0.2.2 dst 192.0.2.1 proto esp reqid 7 \
	mode transport
$ctl -n b-single-shot defaults set single-shot on
$ctl -n b-ipsec defaults set single-shot on

echo "@ kernel $(uname -r)"
echo "@ runs $runs"
for ((c = 0; c < runs / 10; c++)); do
	order=("${modes[@]}")
	((c % 2)) && order=(ipdown ipsec single-shot baseline)
	for mode in "${order[@]}"; do
		L2TPSS_BENCH_PEER_NS=b-ipsec-peer \
			ip netns exec "b-$mode" "$bin" "$mode" 10 $((c * 10)) |
			sed -n 's/^sample /@ delay /p'
	done
done

for mode in "${modes[@]}"; do
	ip netns del "b-$mode"
done
ip netns del b-ipsec-peer

# The dumps. The tunnels: local 10.255.0.{1..4}, ports from 20000, peers
# 192.0.2.{1..250} on 1701 (as bench/cost.sh's).
ip netns add b-scale
ip -n b-scale link add dummy0 type dummy
ip -n b-scale addr add 192.0.2.254/24 dev dummy0
ip -n b-scale link set dummy0 up
for i in 1 2 3 4; do
	ip -n b-scale addr add "10.255.0.$i/32" dev dummy0
done
# (Sessionless, they would idle out during the dumps.)
$ctl -n b-scale defaults set max-records 16777216 idle-timeout 0
batch=$(mktemp)
for ((i = 0; i < n_tunnels; i++)); do
	echo "l2tp add tunnel tunnel_id $((100 + i)) peer_tunnel_id $((100 + i)) encap udp local 10.255.0.$((i % 4 + 1)) remote 192.0.2.$((i % 250 + 1)) udp_sport $((20000 + i / 4)) udp_dport 1701"
done >"$batch"
ip -n b-scale -batch "$batch"
rm -f "$batch"
echo "@ records $($ctl -n b-scale show -j | jq length)"
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { print b - a }'; }
for r in 1 2 3; do
	t0=$(date +%s.%N)
	$ctl -n b-scale show -j >/tmp/dump
	echo "@ dump l2tpss-ctl $r $(elapsed "$t0") $(wc -c </tmp/dump)"
done
t0=$(date +%s.%N)
timeout "$dump_limit" ip -n b-scale l2tp show tunnel >/tmp/dump || :
echo "@ dump ip-l2tp 1 $(elapsed "$t0") $(wc -c </tmp/dump) $(grep -c '^Tunnel' /tmp/dump)"
rm -f /tmp/dump
ip netns del b-scale
rmmod l2tpss
echo "@ done"
