#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz the netlink family (nlfuzz.c) while tunnels and sessions come and go
# in the same netns; afterwards the module must answer correctly and its
# object counters must match what it lists. L2TPSS_NLFUZZ_COUNT messages
# (make check-debug: 1,000,000), L2TPSS_NLFUZZ_SEED to replay a run.

source "$(dirname "$0")/lib.sh"

NS=fuzz
COUNT=${L2TPSS_NLFUZZ_COUNT:-20000}
STOP=$(mktemp -u)

# Tunnels 1..39 (the ids the fuzzer targets) appear and go until $STOP.
churn() {
	local id

	while [ ! -e "$STOP" ]; do
		id=$((RANDOM % 39 + 1))
		if tunnel_add $NS $id $id 192.0.2.1 192.0.2.$((id + 100)) 2>/dev/null; then
			session_add $NS $id 1 1 2>/dev/null
		else
			ip -n $NS l2tp del tunnel tunnel_id $id 2>/dev/null
		fi
	done
}

ktap_print_header
ktap_set_plan 4
l2tp_modules_load
module_load
netns_dummy $NS 192.0.2.1/24

churn &
churn_pid=$!
# Its seed and tally go to the log (as "#" lines) pass or fail.
ip netns exec $NS "$L2TPSS_BIN/nlfuzz" "$COUNT" ${L2TPSS_NLFUZZ_SEED:+"$L2TPSS_NLFUZZ_SEED"}
check_eq "$COUNT fuzzed messages, each answered" 0 $?
touch "$STOP"
wait $churn_pid
rm -f "$STOP"

check_eq "the module still answers" "l2tpss-ctl $(cat VERSION), module $(cat VERSION)" \
	"$(ctl -n $NS version)"
# A tombstone may expire between the two reads (the fuzzer sets destruct
# timeouts down to 10 s): they must agree once nothing moves in between.
counters_match() {
	local listed

	listed=$(ctl -n $NS show -j |
		jq -r '"tunnels \(length) sessions \(map(.sessions) | add // 0)"')
	[ "$listed" = "$(objects)" ] || { echo "listed: $listed; $(objects)"; return 1; }
}
check "its object counters match what it lists" wait_for 5 counters_match
netns_del $NS
check "deleting the netns releases everything" wait_for 10 objects_are "tunnels 0 sessions 0"

ktap_finished
