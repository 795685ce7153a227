#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module tracks every l2tp_core tunnel and session: those that existed
# before it loaded, those created and deleted after, in every netns; and a
# deleted netns takes its records with it.

source "$(dirname "$0")/lib.sh"

# tunnel_ids NS: the ids of the connected tunnels, sorted, on one line.
tunnel_ids() {
	ctl -n "$1" show -j | jq -r '[.[] | select(.state != "destructing") |
		.tunnel_id] | sort | map(tostring) | join(" ")'
}

tunnel_field() { field "$@"; }

ktap_print_header
ktap_set_plan 13
l2tp_modules_load

netns_add trk-a
netns_add trk-b
veth_pair trk-a 192.0.2.1 trk-b 192.0.2.2
ip -n trk-a addr add 2001:db8::1/64 dev veth0 nodad
ip -n trk-b addr add 2001:db8::2/64 dev veth1 nodad

# Before the module: UDP over IPv4 with two sessions, UDP over IPv6, IP encap.
tunnel_add trk-a 11 21 192.0.2.1 192.0.2.2
session_add trk-a 11 1 1
session_add trk-a 11 2 2
tunnel_add trk-a 12 22 2001:db8::1 2001:db8::2
tunnel_add trk-a 13 23 192.0.2.1 192.0.2.2 ip
tunnel_add trk-b 21 11 192.0.2.2 192.0.2.1

module_load
check_eq "tunnels created before load are tracked" "11 12 13" "$(tunnel_ids trk-a)"
check_eq "sessions created before load are counted" "2 2" \
	"$(tunnel_field trk-a 11 sessions) $(tunnel_field trk-a 11 sessions_total)"
check_eq "state of a tunnel with sessions is active" active \
	"$(tunnel_field trk-a 11 state)"
check_eq "tables are per netns" "21" "$(tunnel_ids trk-b)"

tunnel_add trk-a 14 24 192.0.2.1 192.0.2.2
session_add trk-a 14 7 8
check_eq "tunnel created after load is tracked" "11 12 13 14" "$(tunnel_ids trk-a)"
check_eq "session created after load is counted" 1 "$(tunnel_field trk-a 14 sessions)"

ip -n trk-a l2tp del session tunnel_id 11 session_id 1
check_eq "deleted session leaves the live count" "1 2" \
	"$(tunnel_field trk-a 11 sessions) $(tunnel_field trk-a 11 sessions_total)"
ip -n trk-a l2tp del session tunnel_id 11 session_id 2
check_eq "tunnel without sessions is idle" idle "$(tunnel_field trk-a 11 state)"

ip -n trk-a l2tp del tunnel tunnel_id 14
check_eq "a deleted tunnel is no longer connected" "11 12 13" "$(tunnel_ids trk-a)"

# A tunnel id reused after deletion is a new tunnel.
tunnel_add trk-a 14 25 192.0.2.1 192.0.2.2
check_eq "reused tunnel id is tracked as the new tunnel" "25 0" \
	"$(tunnel_field trk-a 14 peer_tunnel_id) $(tunnel_field trk-a 14 sessions_total)"

# A netns of its own whose deletion must release every record in it.
before=$(objects)
netns_add trk-c
ip -n trk-c link add dummy0 type dummy
ip -n trk-c addr add 198.51.100.1/24 dev dummy0
ip -n trk-c link set dummy0 up
for id in 31 32 33; do
	tunnel_add trk-c $id $id 198.51.100.1 198.51.100.$id
	session_add trk-c $id 1 1
done
check_eq "records of a new netns are counted" \
	"$(echo "$before" | awk '{ print "tunnels", $2 + 3, "sessions", $4 + 3 }')" \
	"$(objects)"
netns_del trk-c
check "deleting a netns releases its records" \
	wait_for 10 objects_are "$before"

module_unload
check_eq "unload leaves l2tp_core tunnels alone" 4 \
	"$(ip -n trk-a l2tp show tunnel | grep -c '^Tunnel')"

ktap_finished
