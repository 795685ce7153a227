#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bounded memory under churn (SPEC.md, "Memory is bounded"): past the
# netns's max-records, the oldest tombstone goes first, its destruct-end
# actions run early (a standard tunnel's IPsec teardown), and each eviction
# is counted and reported. Live tunnels are never evicted.

source "$(dirname "$0")/lib.sh"

NS=rec
L=192.0.2.1
P=192.0.2.99	# a peer (netns rec-p) with an IPsec connection
TMP=$(mktemp -d)
MAX=32

# churn FIRST COUNT: COUNT tunnels come and go (ip -batch), each leaving a
# tombstone.
churn() {
	local i

	for ((i = $1; i < $1 + $2; i++)); do
		echo "l2tp add tunnel tunnel_id $i peer_tunnel_id $i encap ip local $L remote 192.0.2.$((i % 50 + 100))"
		echo "l2tp del tunnel tunnel_id $i"
	done >"$TMP/batch"
	ip -n $NS -batch "$TMP/batch"
}
records() { ctl -n $NS show -j | jq length; }
stat() { ctl -n $NS stats -j | jq ".$1"; }
has_sa() { ip -n $NS xfrm state | grep -q "reqid 7 mode"; }

ktap_print_header
ktap_set_plan 17
l2tp_modules_load
modprobe -a esp4 xfrm_user 2>/dev/null
module_load
netns_add $NS
netns_add rec-p
veth_pair $NS $L rec-p $P
trap 'kill $mon 2>/dev/null; rm -rf "$TMP"; cleanup' EXIT
"$L2TPSS_CTL" -n $NS monitor -j >"$TMP/events" &
mon=$!
monitor_listens $NS $L "$TMP/events" || ktap_print_msg "the monitor does not listen"

check_eq "defaults show the cap on records" 65536 \
	"$(ctl -n $NS defaults show -j | jq .max_records)"
err=$(ctl -n $NS defaults set max-records 15 2>&1)
check "below its range it is refused, with the range" \
	grep -q 'max-records 15: integer out of range, valid 16..16777216$' <<<"$err"
ctl -n $NS defaults set max-records $MAX destruct-timeout 3600

# A standard tunnel over IPsec: its connection goes when its tombstone does.
for ns in $NS rec-p; do
	for spi in 0x701 0x702; do
		src=$P dst=$L
		[ $spi = 0x702 ] && src=$L dst=$P
		ip -n $ns xfrm state add src $src dst $dst proto esp spi $spi reqid 7 \
			mode transport aead 'rfc4106(gcm(aes))' 0x$(printf '%040d' 7) 128
	done
done
ip -n rec-p xfrm policy add src $P dst $L dir out tmpl proto esp reqid 7 mode transport
ip -n $NS xfrm policy add src $P dst $L dir in tmpl proto esp reqid 7 mode transport
ip -n $NS l2tp add tunnel tunnel_id 1 peer_tunnel_id 1 encap ip local $L remote $P
# Its peer's first control message, over the SA, binds it.
ip netns exec rec-p "$L2TPSS_BIN/l2tp_peer" send-ip -b $P $L hello 1
bound() { json_check "$(ctl -n $NS show tunnel 1 -j)" '.[0].ipsec.reqid == 7'; }
check "the standard tunnel is bound to its connection" wait_for 5 bound
ip -n $NS l2tp del tunnel tunnel_id 1
# Live tunnels, which must stay.
ip -n $NS l2tp add tunnel tunnel_id 2 peer_tunnel_id 2 encap ip local $L remote 192.0.2.2
ip -n $NS l2tp add tunnel tunnel_id 3 peer_tunnel_id 3 encap ip local $L remote 192.0.2.3
ctl -n $NS set tunnel 2 idle-timeout 0
ctl -n $NS set tunnel 3 idle-timeout 0
# Tombstones so far: tunnel 1's and the monitor probe's (one a try).
pre=$(( $(records) - 2 ))

churn 100 200
check_eq "after 200 tunnels came and went, $MAX records are kept" $MAX "$(records)"
check_eq "and the module holds no more" "tunnels $MAX sessions 0" "$(objects)"
check "the oldest tombstones went first: tunnel 1's is gone" \
	sh -c "$L2TPSS_CTL -n $NS show tunnel 1 2>&1 | grep -q 'no such tunnel'"
check "and its IPsec with it, at once: hard expired and removed" \
	wait_for 5 sh -c "! ip -n $NS xfrm state | grep -q 'reqid 7 mode'"
check_eq "the live tunnels stay, in l2tp_core and tracked" "2 3" \
	"$(ctl -n $NS show -j | jq -r '[.[] | select(.state != "destructing") | .tunnel_id] | sort | map(tostring) | join(" ")')"
check_eq "the newest tombstones are those kept" 299 \
	"$(ctl -n $NS show -j | jq '[.[] | select(.state == "destructing") | .tunnel_id] | max')"
# Of the tombstones before and the 200, MAX - 2 are kept.
check_eq "each eviction is counted" $((pre + 200 - (MAX - 2))) "$(stat evicted)"
evicted() { [ "$(jq -c 'select(.event == "tunnel-evict")' "$TMP/events" | wc -l)" = "$1" ]; }
check "and reported" wait_for 10 evicted $((pre + 200 - (MAX - 2)))
teardown_counted() { [ "$(stat ipsec_teardowns) $(stat sas_expired)" = "1 2" ]; }
check "the teardown of the evicted standard tunnel is counted" \
	wait_for 5 teardown_counted

churn 300 200
check_eq "another 200: the same $MAX records, memory flat" "tunnels $MAX sessions 0" "$(objects)"
check_eq "evictions go on" $((pre + 400 - (MAX - 2))) "$(stat evicted)"

ctl -n $NS defaults set max-records 16
check_eq "lowering the cap trims at once" 16 "$(records)"
check "live tunnels are never evicted, whatever the cap" in_core $NS 2

kill $mon	# (its socket would keep the netns)
wait $mon 2>/dev/null
netns_del $NS
netns_del rec-p
check "deleting the netns releases every record" \
	wait_for 30 objects_are "tunnels 0 sessions 0"
ktap_finished
