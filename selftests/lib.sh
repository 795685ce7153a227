#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared by the l2tpss selftests: KTAP output (the names of the kernel's
# kselftest/ktap_helpers.sh), the module, namespaces and l2tp objects.
# Tests run as root inside the test VM, from the top of the project tree.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

L2TPSS_KO=${L2TPSS_KO:?L2TPSS_KO must name the module to test}
L2TPSS_CTL=${L2TPSS_CTL:-tools/l2tpss-ctl}
L2TPSS_BIN=${L2TPSS_BIN:-build/selftests}
OBJECTS=/sys/kernel/debug/l2tpss/objects

KTAP_TESTNO=1
KTAP_PASS=0
KTAP_FAIL=0

ktap_print_header() { echo "TAP version 13"; }
ktap_set_plan() { echo "1..$1"; }
ktap_print_msg() { echo "# $*"; }

ktap_test_pass() {
	echo "ok $KTAP_TESTNO $*"
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
	KTAP_PASS=$((KTAP_PASS + 1))
}

ktap_test_fail() {
	echo "not ok $KTAP_TESTNO $*"
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
	KTAP_FAIL=$((KTAP_FAIL + 1))
}

ktap_finished() {
	echo "# Totals: pass:$KTAP_PASS fail:$KTAP_FAIL xfail:0 xpass:0 skip:0 error:0"
	[ "$KTAP_FAIL" -eq 0 ] && exit $KSFT_PASS
	exit $KSFT_FAIL
}

# ktap_skip_all REASON: the whole test cannot run here (exit 4, counted as
# skipped, never as passed). make check requires every test: there,
# run_tests.sh turns a skip into a failure.
ktap_skip_all() {
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

# check DESCRIPTION CMD...: one test point, passing when CMD succeeds.
# Its output is shown as diagnostics when it fails.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ktap_test_pass "$desc"
	else
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
		ktap_test_fail "$desc"
	fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		ktap_test_pass "$1"
	else
		ktap_print_msg "expected: $2"
		ktap_print_msg "actual:   $3"
		ktap_test_fail "$1"
	fi
}

# json_check JSON FILTER: FILTER (jq) is true of JSON.
json_check() {
	jq -e "$2" <<<"$1" >/dev/null || { echo "$1"; return 1; }
}

# Slow kernels (the debug one: KASAN and lockdep under emulation) stretch
# every timed scenario by this factor (an integer).
S=${L2TPSS_TIME_SCALE:-1}

# How long a "never happens" check watches after its trigger, in seconds
# (times S): 1 s, 2 s on the debug kernel; many times what a packet, a work
# item or an l2tp_core delete takes on the slowest kernel under emulation
# (6.1 deletes a tunnel in about 40 ms there, the debug kernel in 0.2 s).
QUIET=1
[ "$S" -gt 2 ] && printf -v QUIET '0.%02d' $((200 / S))

# Time without an exec per reading or per nap: bash's own clock, and a read
# that times out on a pipe nobody writes to.
_fifo=$(mktemp -u)
mkfifo "$_fifo" && exec {_NAP_FD}<>"$_fifo"
rm -f "$_fifo"
unset _fifo
nap() { read -rt "$1" -u "$_NAP_FD" _; }
now_us() { printf -v "$1" %s "${EPOCHREALTIME/[.,]/}"; }

# deadline_us VAR SECONDS: now plus SECONDS (a fraction allowed, 0.5) times S,
# in microseconds, into VAR.
deadline_us() {
	local int=${2%%.*} frac=000000 now

	[[ $2 == *.* ]] && frac=${2#*.}000000
	now_us now
	printf -v "$1" %d $((now + (10#${int:-0} * 1000000 + 10#${frac:0:6}) * S))
}

# wait_for SECONDS CMD...: wait up to SECONDS (times S; a fraction allowed)
# for CMD to succeed, trying every 50 ms. Returns as soon as it does.
wait_for() {
	local deadline now

	deadline_us deadline "$1"
	shift
	until "$@"; do
		now_us now
		((now < deadline)) || return 1
		nap 0.05
	done
	return 0	# (not the status of the last nap)
}

# stays SECONDS CMD...: CMD holds now and every 100 ms for SECONDS (times
# S). A "never happens" check: the window starts at its trigger.
stays() {
	local secs=$1 start deadline now

	now_us start
	deadline_us deadline "$1"
	shift
	while "$@"; do
		now_us now
		((now < deadline)) || return 0
		nap 0.1
	done
	now_us now
	echo "false $(((now - start) / 1000)) ms into a $secs s window"
	return 1
}

# unscaled CMD...: CMD with S=1, for a window read off a kernel timer.
unscaled() {
	local S=1

	"$@"
}

ctl() { "$L2TPSS_CTL" "$@"; }

# field NS ID KEY: KEY of the newest record of tunnel ID in show -j.
field() {
	ctl -n "$1" show -j |
		jq -r "[.[] | select(.tunnel_id == $2)] | last | .$3"
}

# monitor_listens NS LOCAL FILE: an "l2tpss-ctl -j monitor" of NS, writing
# FILE, has subscribed: a tunnel 65000 (L2TPv3 over IP from and to LOCAL, a
# local address) appears and goes until it shows one of its events. Its
# tombstone stays.
monitor_listens() {
	local try

	for try in 1 2 3 4 5 6 7 8 9 10; do
		ip -n "$1" l2tp add tunnel tunnel_id 65000 peer_tunnel_id 65000 \
			encap ip local "$2" remote "$2" || return 1
		ip -n "$1" l2tp del tunnel tunnel_id 65000
		wait_for 1 grep -q '"tunnel_id":65000' "$3" && return 0
	done
	return 1
}

# hard_expired FILE SPI...: the output of ip xfrm monitor in FILE shows a
# hard expire (XFRM_MSG_EXPIRE, hard 1) of each SPI.
hard_expired() {
	local file=$1 spi

	shift
	for spi in "$@"; do
		awk -v spi="$(printf 'spi 0x%08x ' "$spi")" '
			/^Expired/ { s = 0 } index($0, spi) { s = 1 }
			/hard 1/ && s { f = 1 } END { exit !f }' "$file" || return 1
	done
}

# sa NS SRC DST SPI REQID [tunnel] [natt]: one ESP SA, transport mode
# unless "tunnel", ESP in UDP 4500 with "natt"; its key made from SPI.
sa() {
	local mode=transport encap=() w

	for w in "${@:6}"; do
		case $w in
		tunnel) mode=tunnel ;;
		natt) encap=(encap espinudp 4500 4500 0.0.0.0) ;;
		'') ;;
		*) echo "sa: $w?" >&2; return 1 ;;
		esac
	done
	ip -n "$1" xfrm state add src "$2" dst "$3" proto esp spi "$4" \
		reqid "$5" mode $mode \
		aead 'rfc4106(gcm(aes))' "0x$(printf '%08x%032d' "$4" 0)" 128 \
		"${encap[@]}"
}

# in_core NS ID: l2tp_core has tunnel ID. (ip l2tp show tunnel tunnel_id ID
# lists every tunnel when there is none of that id.)
in_core() { ip -n "$1" l2tp show tunnel | grep -q "^Tunnel $2,"; }
gone() { ! in_core "$@"; }

# One-address test network for tunnels that send nothing: dummy0 in NS.
netns_dummy() {
	netns_add "$1" && ip -n "$1" link add dummy0 type dummy &&
	ip -n "$1" addr add "$2" dev dummy0 && ip -n "$1" link set dummy0 up
}

# (insmod, unlike modprobe, loads no dependency: l2tp_core and
# nf_defrag_ipv6 come first, see l2tp_modules_load.)
module_load() { insmod "$L2TPSS_KO"; }
module_unload() { ! lsmod | grep -q '^l2tpss ' || rmmod l2tpss; }

l2tp_modules_load() {
	modprobe -a l2tp_core l2tp_netlink l2tp_eth l2tp_ip l2tp_ip6 nf_defrag_ipv6
}

# "tunnels N sessions M": the records the module holds in all namespaces;
# connections, profiles: the IPsec connections and profiles it holds.
objects() { grep -E '^(tunnels|sessions) ' "$OBJECTS" | tr '\n' ' ' | sed 's/ $//'; }
connections() { awk '$1 == "connections" { print $2 }' "$OBJECTS"; }
profiles() { awk '$1 == "profiles" { print $2 }' "$OBJECTS"; }
objects_are() { test "$(objects)" = "$1"; }

# Namespaces made by this test, removed when it exits.
TEST_NETNS=()

netns_add() {
	ip netns add "$1" && ip -n "$1" link set lo up && TEST_NETNS+=("$1")
}

netns_del() {
	local ns keep=()

	ip netns del "$1"
	for ns in "${TEST_NETNS[@]}"; do
		[ "$ns" != "$1" ] && keep+=("$ns")
	done
	TEST_NETNS=("${keep[@]}")
}

# veth_pair NS_A ADDR_A NS_B ADDR_B [PREFIXLEN]: one link between two netns.
veth_pair() {
	local plen=${5:-24}

	ip link add veth0 netns "$1" type veth peer name veth1 netns "$3" &&
	ip -n "$1" addr add "$2/$plen" dev veth0 &&
	ip -n "$3" addr add "$4/$plen" dev veth1 &&
	ip -n "$1" link set veth0 up && ip -n "$3" link set veth1 up
}

# tunnel_add NS ID PEER_ID LOCAL REMOTE [udp|ip]: an unmanaged L2TPv3 tunnel
# (UDP ports derived from the ids).
tunnel_add() {
	local ports=()

	[ "${6:-udp}" = udp ] && ports=(udp_sport $((1700 + $2 % 100))
					udp_dport $((1700 + $3 % 100)))
	ip -n "$1" l2tp add tunnel tunnel_id "$2" peer_tunnel_id "$3" \
		encap "${6:-udp}" local "$4" remote "$5" "${ports[@]}"
}

# session_add NS TUNNEL_ID SESSION_ID PEER_SESSION_ID
session_add() {
	ip -n "$1" l2tp add session name "l2s$2-$3" tunnel_id "$2" \
		session_id "$3" peer_session_id "$4"
}

cleanup() {
	local ns

	for ns in "${TEST_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	module_unload 2>/dev/null
}
trap cleanup EXIT
