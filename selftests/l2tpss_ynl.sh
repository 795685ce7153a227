#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The family's YNL spec (Documentation/netlink/specs/l2tpss.yaml) against
# the running module, through the kernel's own YNL CLI (tools/net/ynl/cli.py
# of the newest linux-source, L2TPSS_YNL_DIR): the commands it declares are
# the ones the family registers, and what cli.py dumps, gets, sets and
# hears on the "events" group, decoded with nothing but the spec, is what
# ip l2tp, ip xfrm and l2tpss-ctl say.

source "$(dirname "$0")/lib.sh"

YNL=${L2TPSS_YNL_DIR:-}
SPEC=$PWD/Documentation/netlink/specs/l2tpss.yaml
SCHEMA=$YNL/../../../Documentation/netlink/genetlink-legacy.yaml
NS=ynl-a
TMP=$(mktemp -d)

# ynl ARGS...: cli.py in NS, JSON out. (The spec is checked against its
# schema once, below: the check takes seconds under emulation.)
ynl() {
	ip netns exec $NS /usr/bin/python3 "$YNL/cli.py" --spec "$SPEC" \
		--no-schema --output-json "$@"
}

ktap_print_header
if [ ! -f "$YNL/cli.py" ] || [ ! -f "$SCHEMA" ]; then
	ktap_skip_all "no YNL CLI (L2TPSS_YNL_DIR=$YNL)"
fi
ktap_set_plan 12
l2tp_modules_load
module_load
netns_add $NS
netns_add ynl-b
veth_pair $NS 192.0.2.1 ynl-b 192.0.2.2
ip -n $NS addr add 2001:db8::1/64 dev veth0 nodad

# The numbers of the commands the family registers (genl ctrl) and of the
# do and dump operations the spec declares, read by YNL's own parser.
registered=$(genl ctrl get name l2tpss |
	sed -n '/commands supported/,/multicast/s/.*ID-\(0x[0-9a-f]*\).*/\1/p' |
	xargs printf '%d\n' | sort -n | xargs)
# (SpecFamily checks the spec against the schema.)
declared=$(cd "$YNL" && /usr/bin/python3 -c '
import sys
from lib import SpecFamily
f = SpecFamily(sys.argv[1], sys.argv[2])
print(" ".join(str(o.value) for o in sorted(f.ops.values(), key=lambda o: o.value)
               if o.is_call))' "$SPEC" "$SCHEMA")
check_eq "the spec declares exactly the commands the family registers" \
	"$registered" "$declared"

check_eq "version-get: the module's version" \
	"$(cat /sys/module/l2tpss/version)" "$(ynl --do version-get | jq -r .version)"

tunnel_add $NS 1 101 192.0.2.1 192.0.2.2
tunnel_add $NS 2 102 2001:db8::1 2001:db8::2
tunnel_add $NS 3 103 192.0.2.1 192.0.2.3 ip
tunnel_add $NS 4 205 2001:db8::1 2001:db8::3
session_add $NS 1 11 111
ctl -n $NS set tunnel 3 idle-timeout 0
view='sort_by(.id)[] | [.id, .peer, .encap, .sessions, .state, .idle] |
	map(tostring) | join(" ")'
ctl_view=$(ctl -n $NS show -j | jq -r "map({id: .tunnel_id, peer,
	encap, sessions, state, idle: .idle_timeout}) | $view")
ynl --dump tunnel-get >"$TMP/dump"
check_eq "tunnel-get dump: the tunnels of ip l2tp, as l2tpss-ctl shows them" \
	"$ctl_view" "$(jq -r "map(.tunnel | {id, peer: (.[\"peer-ip\"] //
	.[\"peer-ip6\"]), encap, sessions, state, idle:
	.settings[\"idle-timeout\"]}) | $view" "$TMP/dump")"
check_eq "tunnel-get dump: where each setting came from, as enum names" \
	"default default tunnel default" \
	"$(jq -r 'sort_by(.tunnel.id) | map(.tunnel.sources["idle-timeout"]) |
	join(" ")' "$TMP/dump")"

check_eq "tunnel-get do: one tunnel, its ids, ports and L2TP version" \
	"4 205 1704 1705 3 2001:db8::1 2001:db8::3" \
	"$(ynl --do tunnel-get --json '{"tunnel-id": 4}' | jq -r '.tunnel |
	[.id, .["peer-id"], .["local-port"], .["peer-port"], .["proto-version"],
	.["local-ip6"], .["peer-ip6"]] | map(tostring) | join(" ")')"

# A hostile request: tunnel id 0 is out of the policy's range.
refused() {
	if ynl --do tunnel-get --json '{"tunnel-id": 0}' >"$TMP/err" 2>&1 ||
	   ! grep -q "'bad-attr': '.tunnel-id'" "$TMP/err"; then
		cat "$TMP/err"
		return 1
	fi
}
check "tunnel-get of tunnel 0: refused, naming the attribute" refused

# A write through the spec: a profile, the address a big-endian u32.
ynl --do profile-add --json '{"profile": {"name": "ynl", "peer-ip": 3221225984,
	"prefixlen": 24, "settings": {"single-shot": 1,
	"destruct-timeout": 30}}}' >/dev/null
check_eq "profile-add: l2tpss-ctl sees the profile as sent" \
	"ynl 192.0.2.0/24 true 30" \
	"$(ctl -n $NS profile show -j | jq -r '.[] | select(.name == "ynl") |
	[.name, .peer, .single_shot, .destruct_timeout] | map(tostring) | join(" ")')"

# One IPsec connection (SAs by hand): conn-get as l2tpss-ctl conn show.
sa $NS 192.0.2.2 192.0.2.1 0x1001 9 && sa $NS 192.0.2.1 192.0.2.2 0x2002 9
check_eq "conn-get dump: the connection and its SPIs, as conn show" \
	"$(ctl -n $NS conn show -j | jq -r '.[] | [.peer, .reqid, .nr_sas] |
	map(tostring) | join(" ")')" \
	"$(ynl --dump conn-get | jq -r '.[] | .conn | [.["peer-ip"], .reqid,
	.["nr-sas"]] | map(tostring) | join(" ")')"
check_eq "stats-get: the counters l2tpss-ctl stats reads" \
	"$(ctl -n $NS stats -j | jq -c '{tunnels, sessions}')" \
	"$(ynl --do stats-get | jq -c '.stats | {tunnels, sessions}')"

# The other writes, several do operations in one netlink batch (cli.py
# --multi), then read back through the spec and through l2tpss-ctl.
ynl --multi defaults-set '{"settings": {"idle-timeout": 77}, "max-records": 5000}' \
	--multi tunnel-set '{"tunnel-id": 1, "settings": {"destruct-timeout": 20}}' \
	--multi profile-replace '{"profile": {"name": "ynl", "peer-ip": 3221225984,
		"prefixlen": 24, "settings": {"idle-timeout": 9}}}' \
	--multi profile-del '{"profile": {"name": "none-such"}}' \
	--multi stats-reset '{}' >"$TMP/multi" 2>&1
check_eq "defaults-set, tunnel-set, profile-replace, stats-reset: as l2tpss-ctl sees them" \
	"77 5000 20 ynl:9 0" \
	"$(ctl -n $NS defaults show -j | jq -r '"\(.idle_timeout) \(.max_records)"') $(
	   field $NS 1 destruct_timeout) $(ctl -n $NS profile show -j |
	   jq -r 'map("\(.name):\(.idle_timeout)") | join(" ")') $(
	   ctl -n $NS stats -j | jq .tunnels)"
reads() {
	[ "$(ynl --do defaults-get | jq -c '[.settings["idle-timeout"], .["max-records"]]')" = \
	  "[77,5000]" ] &&
	[ "$(ynl --dump profile-get | jq -r 'map(.profile | "\(.name) \(.["peer-ip"])/\(.prefixlen) \(.settings["idle-timeout"])") | join(",")')" = \
	  "ynl 192.0.2.0/24 9" ] &&
	grep -q "'bad-attr'\|No such\|ENOENT\|error" "$TMP/multi" || { cat "$TMP/multi"; false; }
}
check "defaults-get and profile-get read them; profile-del of none refused" reads

# Events: cli.py subscribes, then sleeps 5 s, then prints what it got.
# Tunnels come and go until it exits, so some are sure to fall in its
# window however long Python takes to start.
ynl --subscribe events --sleep 5 >"$TMP/events" 2>&1 &
pid=$!
id=100
while kill -0 $pid 2>/dev/null && [ $id -lt 400 ]; do
	id=$((id + 1))
	ip -n $NS l2tp add tunnel tunnel_id $id peer_tunnel_id $id encap ip \
		local 192.0.2.1 remote 192.0.2.9
	ip -n $NS l2tp del tunnel tunnel_id $id
	nap 0.2
done
wait $pid
check "events: a tunnel made and deleted, tunnel-new then tunnel-disconnect" \
	json_check "$(jq -c '[.[] | select(.name == "event") | .msg]' "$TMP/events")" '
	[.[] | select(.event == "tunnel-new" and .tunnel["peer-ip"] == "192.0.2.9" and
	 .tunnel.encap == "ip") | .tunnel.id] as $new |
	[.[] | select(.event == "tunnel-disconnect" and .tunnel.reason == "deleted" and
	 .tunnel.state == "destructing") | .tunnel.id] as $gone |
	($new - ($new - $gone)) | length > 0'

rm -rf "$TMP"
ktap_finished
