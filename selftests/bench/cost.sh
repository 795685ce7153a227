#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's cost part, in a VM whose clock counts instructions (run.sh
# -c): a rate the guest measures is then a cost, free of the emulator's
# noise. Prints "@ key value" lines (read by report.py), nothing to pass or
# fail.
#
# Traffic from netns b-tx to b-rx over a veth pair, counted at the receiver
# (b-rx's UDP NoPorts: datagrams that reached its UDP layer), against the
# sender's clock, which covers both ends (veth delivers in the sender's
# context on one CPU):
#   udp4, ip4, udp6, ip6: UDP in l2tp_eth pseudowires (L2TPv3 over UDP and
#     over IP, IPv4 and IPv6 outside, IPv4 inside);
#   plain: UDP that is not L2TP, over the veth;
#   sccrq: L2TPv2 SCCRQs to UDP/1701 with no tunnel (judged against the
#     profiles).
# The tunnels with no session stay (idle-timeout 0): 100,000 idle timers
# firing during a measure would be measured too.
# Configurations, measured in rounds of A B C D E E D C B A so that drift hits
# them alike:
#   none: l2tpss not loaded; l2tpss: loaded, one require-ipsec profile (not
#   for these peers); nft: not loaded, the nftables rules an operator writes
#   instead (the same policy: L2TP from the profile's peers without IPsec is
#   dropped, on input and output, as l2tpss's hooks are); nft-empty: the
#   same hooks with no rule, the price of any filter there; p1024: loaded
#   with 1,024 such profiles.
# Then with N_TUNNELS more tunnels in b-rx, created with l2tpss loaded: the
# per-packet cost with that many records (l2tpss-big, then none-big once it
# is unloaded; instruction counting keeps the two comparable) and their
# memory (the slab unloading frees). (Not the time of a dump: under
# -icount,sleep=off a process's wait for its file over 9p jumps the clock,
# so bench/latency.sh times those on the wall clock.)
#
# Usage (in the VM, from the top of the tree): bench/cost.sh KERNEL
# Environment: L2TPSS_BENCH_PACKETS (20000 a measure), L2TPSS_BENCH_ROUNDS
# (3), L2TPSS_BENCH_TUNNELS (100000; 0: not that part); for a shorter run,
# L2TPSS_BENCH_KINDS and L2TPSS_BENCH_CONFIGS (lists), L2TPSS_BENCH_KO (another
# build of the module, to compare).

cd "$(dirname "$0")/../.." || exit 1
kernel=${1:?usage: bench/cost.sh KERNEL}
packets=${L2TPSS_BENCH_PACKETS:-20000}
rounds=${L2TPSS_BENCH_ROUNDS:-3}
n_tunnels=${L2TPSS_BENCH_TUNNELS:-100000}
kinds=${L2TPSS_BENCH_KINDS:-udp4 ip4 udp6 ip6 plain sccrq}
configs=${L2TPSS_BENCH_CONFIGS:-none l2tpss nft nft-empty p1024}
ko=${L2TPSS_BENCH_KO:-build/$kernel/kmod/l2tpss.ko}
ctl=tools/l2tpss-ctl
flood=build/selftests/udp_flood
set -eu

modprobe -a l2tp_core l2tp_netlink l2tp_eth l2tp_ip l2tp_ip6 veth dummy \
	nf_tables nf_defrag_ipv6

out() { echo "@ $*"; }
vtime() { date +%s.%N; }

# An L2TPv2 SCCRQ: header (T, L, S; version 2), tunnel 0, session 0, Ns,
# Nr, and the Message Type AVP (mandatory, 8 bytes, type 0, value 1).
SCCRQ=c802001400000000000000008008000000000001

ip netns add b-tx
ip netns add b-rx
ip link add veth0 netns b-tx type veth peer name veth1 netns b-rx
for ns in b-tx b-rx; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
done
ip -n b-tx addr add 198.51.100.1/24 dev veth0
ip -n b-tx addr add 2001:db8::1/64 dev veth0 nodad
ip -n b-rx addr add 198.51.100.2/24 dev veth1
ip -n b-rx addr add 2001:db8::2/64 dev veth1 nodad
ip -n b-tx link set veth0 up
ip -n b-rx link set veth1 up
ip -n b-tx link set lo up
ip -n b-rx link set lo up

# pw N ENCAP LOCAL_TX LOCAL_RX: tunnel and session N, l2tpeth devices with
# 10.1.N.1 and 10.1.N.2.
pw() {
	local n=$1 encap=$2 a=$3 b=$4 ports=()

	[[ $encap == udp ]] && ports=(udp_sport 1701 udp_dport 1701)
	ip -n b-tx l2tp add tunnel tunnel_id "$n" peer_tunnel_id "$n" \
		encap "$encap" local "$a" remote "$b" "${ports[@]}"
	ip -n b-rx l2tp add tunnel tunnel_id "$n" peer_tunnel_id "$n" \
		encap "$encap" local "$b" remote "$a" "${ports[@]}"
	ip -n b-tx l2tp add session name "pw$n" tunnel_id "$n" session_id "$n" \
		peer_session_id "$n"
	ip -n b-rx l2tp add session name "pw$n" tunnel_id "$n" session_id "$n" \
		peer_session_id "$n"
	ip -n b-tx addr add "10.1.$n.1/24" dev "pw$n"
	ip -n b-rx addr add "10.1.$n.2/24" dev "pw$n"
	ip -n b-tx link set "pw$n" up
	ip -n b-rx link set "pw$n" up
}
pw 1 udp 198.51.100.1 198.51.100.2
pw 2 ip 198.51.100.1 198.51.100.2
pw 3 udp 2001:db8::1 2001:db8::2
pw 4 ip 2001:db8::1 2001:db8::2
# Six more, never used, so that the small case has ten tunnels.
ip -n b-rx link add dummy0 type dummy
ip -n b-rx addr add 192.0.2.254/24 dev dummy0
ip -n b-rx link set dummy0 up
for i in $(seq 5 10); do
	ip -n b-rx l2tp add tunnel tunnel_id "$i" peer_tunnel_id "$i" encap udp \
		local 192.0.2.254 remote "192.0.2.$i" udp_sport $((1000 + i)) \
		udp_dport 1701
done

# shellcheck disable=SC2016 # awk fields
noports() {
	ip netns exec b-rx awk '/^Udp:/ && !h { for (i = 2; i <= NF; i++)
		if ($i == "NoPorts") c = i; h = 1; next }
		/^Udp:/ { print $c; exit }' /proc/net/snmp
}

# measure KIND: packets/s of KIND received at b-rx, on the sender's clock.
measure() {
	local dst sport=0 payload=() before after sent secs

	case $1 in
	udp4 | ip4 | udp6 | ip6)
		local n
		n=$(( $(printf '%s\n' udp4 ip4 udp6 ip6 | grep -nx "$1" | cut -d: -f1) ))
		dst=10.1.$n.2 ;;
	plain) dst=198.51.100.2 ;;
	sccrq) dst=198.51.100.2 sport=40000 payload=("$SCCRQ") ;;
	esac
	local port=9
	[[ $1 == sccrq ]] && port=1701
	# A first, unmeasured burst: neighbours resolved, caches warm.
	ip netns exec b-tx "$flood" "$dst" "$port" 200 "$sport" "${payload[@]}" >/dev/null
	before=$(noports)
	read -r sent secs < <(ip netns exec b-tx "$flood" "$dst" "$port" \
		"$packets" "$sport" "${payload[@]}")
	after=$(noports)
	awk -v r=$((after - before)) -v s="$secs" -v n="$sent" \
		'BEGIN { printf "%.0f %d %d\n", r / s, r, n }'
}

# The price of any netfilter filter on these hooks: empty chains.
NFT_EMPTY=$(cat <<'EOF'
table inet l2tpss_alt {
	chain in { type filter hook input priority filter - 1; policy accept; }
	chain out { type filter hook output priority filter - 1; policy accept; }
}
EOF
)

NFT_RULES=$(cat <<'EOF'
table inet l2tpss_alt {
	set require_ipsec4 { type ipv4_addr; flags interval; elements = { 203.0.113.0/24 } }
	chain in {
		type filter hook input priority filter - 1; policy accept;
		meta l4proto udp th dport 1701 meta secpath missing ip saddr @require_ipsec4 drop
		meta l4proto 115 meta secpath missing ip saddr @require_ipsec4 drop
	}
	chain out {
		type filter hook output priority filter - 1; policy accept;
		meta l4proto udp th sport 1701 rt ipsec missing ip daddr @require_ipsec4 drop
		meta l4proto 115 rt ipsec missing ip daddr @require_ipsec4 drop
	}
}
EOF
)

# config NAME: switch to it (from none).
config_on() {
	case $1 in
	none | none-big) ;;
	l2tpss | l2tpss-big)
		insmod "$ko"
		for ns in b-tx b-rx; do
			$ctl -n "$ns" defaults set max-records 16777216 idle-timeout 0
			$ctl -n "$ns" profile add strict peer 203.0.113.0/24 require-ipsec on
		done ;;
	p1024)
		insmod "$ko"
		for ns in b-tx b-rx; do
			$ctl -n "$ns" defaults set idle-timeout 0
			for i in $(seq 0 1023); do
				echo "profile add p$i peer 203.$((i / 256)).$((i % 256)).0/24 require-ipsec on"
			done | $ctl -n "$ns" -b -
		done ;;
	nft)
		for ns in b-tx b-rx; do
			ip netns exec "$ns" nft -f - <<<"$NFT_RULES"
		done ;;
	nft-empty)
		for ns in b-tx b-rx; do
			ip netns exec "$ns" nft -f - <<<"$NFT_EMPTY"
		done ;;
	esac
	sleep 1
}

config_off() {
	case $1 in
	l2tpss | l2tpss-big | p1024) rmmod l2tpss ;;
	nft | nft-empty)
		for ns in b-tx b-rx; do
			ip netns exec "$ns" nft delete table inet l2tpss_alt
		done ;;
	esac
}

# rounds KINDS CONFIGS: each round measures every KIND in CONFIGS forward,
# then backward.
rounds() {
	local kinds=$1 configs=$2 r c k order
	for r in $(seq 1 "$rounds"); do
		order="$configs $(tr ' ' '\n' <<<"$configs" | tac | tr '\n' ' ')"
		for c in $order; do
			config_on "$c"
			for k in $kinds; do
				out "rate $c $k $r $(measure "$k")"
			done
			config_off "$c"
		done
	done
}

out "kernel $(uname -r)"
out "packets $packets"
out "rounds $rounds"
out "cpu $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
rounds "$kinds" "$configs"
if ((n_tunnels == 0)); then
	ip netns del b-tx
	ip netns del b-rx
	out "done"
	exit 0
fi

# The many tunnels, created with l2tpss loaded (as on an LNS, where the module
# loads at boot): UDP tunnels of b-rx, each its own flow: local
# 10.255.0.{1..4}, ports from 20000, peers 192.0.2.{1..250} on 1701.
slab_kb() { awk '$1 == "Slab:" { print $2 }' /proc/meminfo; }
settle() { sync; echo 3 >/proc/sys/vm/drop_caches; sleep 2; }
for i in 1 2 3 4; do
	ip -n b-rx addr add "10.255.0.$i/32" dev dummy0
done
config_on l2tpss-big
batch=$(mktemp)
for ((i = 0; i < n_tunnels; i++)); do
	echo "l2tp add tunnel tunnel_id $((100 + i)) peer_tunnel_id $((100 + i)) encap udp local 10.255.0.$((i % 4 + 1)) remote 192.0.2.$((i % 250 + 1)) udp_sport $((20000 + i / 4)) udp_dport 1701"
done >"$batch"
t0=$(vtime)
ip -n b-rx -batch "$batch"
out "tunnels $n_tunnels $(awk -v a="$t0" -v b="$(vtime)" 'BEGIN { print b - a }')"
rm -f "$batch"
records=$($ctl -n b-rx show -j | jq length)
out "records $records"
grep -E '^l2tpss' /proc/slabinfo | while read -r name active _ size _; do
	out "slabinfo $name $active $size"
done
for r in $(seq 1 "$rounds"); do
	for k in udp4 ip4 udp6 ip6 plain; do
		out "rate l2tpss-big $k $r $(measure "$k")"
	done
done
# Memory: the slab that unloading gives back, from the kernel's accounting.
settle
slab0=$(slab_kb)
config_off l2tpss-big
settle
out "slab-freed $((slab0 - $(slab_kb))) $records"
for r in $(seq 1 "$rounds"); do
	for k in udp4 ip4 udp6 ip6 plain; do
		out "rate none-big $k $r $(measure "$k")"
	done
done

ip netns del b-tx
ip netns del b-rx
out "done"
