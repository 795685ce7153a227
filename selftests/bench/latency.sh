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
#
# Usage (in the VM, from the top of the tree): bench/latency.sh KERNEL
# Environment: L2TPSS_BENCH_RUNS (100 a mode, a multiple of 10).

cd "$(dirname "$0")/../.." || exit 1
kernel=${1:?usage: bench/latency.sh KERNEL}
runs=${L2TPSS_BENCH_RUNS:-100}
bin=build/selftests/disconnect_delay
ctl=tools/l2tpss-ctl
modes=(baseline single-shot ipsec ipdown)
set -eu

modprobe -a l2tp_core l2tp_netlink l2tp_eth esp4 xfrm_user nf_defrag_ipv6
insmod "build/$kernel/kmod/l2tpss.ko"
for mode in "${modes[@]}"; do
	ip netns add "b-$mode"
	ip -n "b-$mode" link add dummy0 type dummy
	ip -n "b-$mode" addr add 192.0.2.1/24 dev dummy0
	ip -n "b-$mode" link set dummy0 up
done
$ctl -n b-single-shot defaults set single-shot on
$ctl -n b-ipsec defaults set single-shot on

echo "@ kernel $(uname -r)"
echo "@ runs $runs"
for ((c = 0; c < runs / 10; c++)); do
	order=("${modes[@]}")
	((c % 2)) && order=(ipdown ipsec single-shot baseline)
	for mode in "${order[@]}"; do
		ip netns exec "b-$mode" "$bin" "$mode" 10 $((c * 10)) |
			sed -n 's/^sample /@ delay /p'
	done
done

for mode in "${modes[@]}"; do
	ip netns del "b-$mode"
done
rmmod l2tpss
echo "@ done"
