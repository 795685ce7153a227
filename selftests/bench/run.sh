#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark, in the test VM: numbers and ratios, no pass or fail.
#   single-shot disconnect delay: session deleted -> tunnel gone from
#   l2tp_core, against a plain tunnel delete (the floor), over RUNS runs;
#   single-shot IPsec teardown delay: session deleted -> both SAs of its
#   connection hard-expired (the second XFRM_MSG_EXPIRE a key manager gets).
# Usage (in the VM, from the top of the tree): selftests/bench/run.sh KERNEL [RUNS]

cd "$(dirname "$0")/../.." || exit 1
kernel=${1:?usage: bench/run.sh KERNEL [RUNS]}
runs=${2:-100}
bin=build/selftests/disconnect_delay
ctl=tools/l2tpss-ctl
set -e

modprobe -a l2tp_core l2tp_netlink l2tp_eth esp4 xfrm_user
insmod "build/$kernel/kmod/l2tpss.ko"
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
