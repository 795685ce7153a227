#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configuration that survives a reboot: l2tpss-ctl -b FILE (every line
# checked before any is applied; a refusal says what was applied), save and
# its round trip through a module reload, profile replace (in place, in one
# step for tunnels that register meanwhile), the counters in the Prometheus
# text format, and bash completion of live tunnel ids and profile names.

source "$(dirname "$0")/lib.sh"

NS=conf-a
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; cleanup' EXIT

nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"
}

# batch_fails CODE PATTERN FILE: -b FILE exits CODE, one stderr line
# matching PATTERN.
batch_fails() {
	local err rc

	err=$(ctl -b "$3" 2>&1 >/dev/null)
	rc=$?
	[ $rc -eq "$1" ] && [ "$(wc -l <<<"$err")" -eq 1 ] &&
		grep -Eq -- "$2" <<<"$err" && return 0
	echo "exit $rc (want $1): $err"
	return 1
}

# profile_of ID: the profile of tunnel ID's newest record in NS.
profile_of() { field $NS "$1" profile; }

# completes WORDS...: what completing the last word offers, sorted, on a line.
completes() {
	bash -c 'source dist/l2tpss-ctl.bash-completion
		 COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		 _l2tpss_ctl; printf "%s\n" "${COMPREPLY[@]}" | sort -n' _ "$@" |
		paste -sd' '
}

ktap_print_header
ktap_set_plan 21
l2tp_modules_load
module_load
netns_dummy $NS 192.0.2.1/24
ip -n $NS route add default dev dummy0
ip -n $NS -6 addr add 2001:db8::1/64 dev dummy0 nodad
ip -n $NS -6 route add default dev dummy0
PATH=$PWD/tools:$PATH	# the completion runs l2tpss-ctl

cat >"$tmp/l2tpss.conf" <<EOF
# The initial netns.
defaults set idle-timeout 120 \\
	destruct-timeout 30	# joined, with a comment

-n $NS defaults set single-shot off require-ipsec on max-records 1000
-n $NS profile replace "road warriors" peer 192.0.2.0/24 single-shot on destruct-timeout 10
-n $NS profile replace partners peer 198.51.100.0/24 local 192.0.2.1 idle-timeout 300
-n $NS profile replace "six \\"q\\"" peer 2001:db8::/32 idle-timeout 7
profile replace any peer 0.0.0.0/0 require-ipsec on
EOF
check "-b applies a file: two netns, comments, joined lines, quotes" \
	ctl -b "$tmp/l2tpss.conf"
check_eq "save prints the netns's configuration in the file's grammar" \
	"-n $NS defaults set single-shot off idle-timeout 60 destruct-timeout 600 require-ipsec on max-records 1000
-n $NS profile replace \"road warriors\" peer 192.0.2.0/24 single-shot on destruct-timeout 10
-n $NS profile replace partners peer 198.51.100.0/24 local 192.0.2.1 idle-timeout 300
-n $NS profile replace \"six \\\"q\\\"\" peer 2001:db8::/32 idle-timeout 7" \
	"$(ctl -n $NS save)"
check_eq "save: the initial netns, without -n" \
	"defaults set single-shot off idle-timeout 120 destruct-timeout 30 require-ipsec off max-records 65536
profile replace any peer 0.0.0.0/0 require-ipsec on" "$(ctl save)"

ctl -a save >"$tmp/saved.conf"
module_unload
module_load
check_eq "after a reload the module has the built-in configuration" \
	"-n $NS defaults set single-shot off idle-timeout 60 destruct-timeout 600 require-ipsec off max-records 65536" \
	"$(ctl -n $NS save)"
check "-a save, unload and load, -b, -a save: the same text" \
	sh -c "'$L2TPSS_CTL' -b '$tmp/saved.conf' &&
	       '$L2TPSS_CTL' -a save | diff -u '$tmp/saved.conf' -"

# What the restored profile does: single-shot, seen in l2tp_core.
tunnel_add $NS 11 11 192.0.2.1 192.0.2.11
session_add $NS 11 1 1
ip -n $NS l2tp del session tunnel_id 11 session_id 1
check "a restored single-shot profile ends its tunnel with its session" \
	wait_for 2 gone $NS 11
check_eq "... and show names it" "road warriors" "$(profile_of 11)"

check "applying the file again (a reload) succeeds and changes nothing" \
	sh -c "'$L2TPSS_CTL' -b '$tmp/saved.conf' &&
	       '$L2TPSS_CTL' -a save | diff -u '$tmp/saved.conf' -"

# Nothing applied when a line is wrong; with a module loaded to apply it.
printf 'profile replace early peer 10.0.0.0/8\n-n %s defaults set idle-timeout 5\n\nprofile replace late peer 10.1.0.0/16 idel-timeout 5\n' \
	$NS >"$tmp/bad.conf"
check "a mistake on line 4: exit 2, the line named, nothing applied" \
	batch_fails 2 "^l2tpss-ctl: $tmp/bad.conf:4: unknown keyword \"idel-timeout\".*; nothing was applied$" \
	"$tmp/bad.conf"
check "... and nothing was" \
	sh -c "'$L2TPSS_CTL' -a save | diff -u '$tmp/saved.conf' -"

# A refusal by the kernel stops the batch: what came before stays.
printf 'profile replace r1 peer 10.0.0.0/8\n-n %s defaults set idle-timeout 5\nprofile replace r3 peer 10.3.0.0/16 destruct-timeout 3601\nprofile replace r4 peer 10.4.0.0/16\n' \
	$NS >"$tmp/refused.conf"
check "a refusal on line 3: exit 1, the kernel's words, what was applied" \
	batch_fails 1 "^l2tpss-ctl: $tmp/refused.conf:3: profile replace: destruct-timeout 3601: integer out of range, valid 10..3600; the 2 commands before line 3 were applied, none from it on$" \
	"$tmp/refused.conf"
check_eq "... lines 1 and 2 in force, 3 and 4 not" "r1 5" \
	"$(ctl -j profile show | jq -r '[.[].name | select(test("^r"))] | join(",")') $(ctl -n $NS -j defaults | jq .idle_timeout)"

printf 'defaults set idle-timeout 9\n' >"$tmp/nobody.conf"
chmod 644 "$tmp/nobody.conf"
chmod 755 "$tmp"
check "an unprivileged user's batch: refused at line 1, nothing applied" \
	sh -c "out=\$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		'$L2TPSS_CTL' -b '$tmp/nobody.conf' 2>&1); rc=\$?
	       echo \"\$out\"; [ \$rc = 1 ] &&
	       echo \"\$out\" | grep -q '^l2tpss-ctl: $tmp/nobody.conf:1: defaults set: Operation not permitted (needs CAP_NET_ADMIN.*; nothing was applied$' &&
	       [ \"\$('$L2TPSS_CTL' -j defaults | jq .idle_timeout)\" = 120 ]"

# replace: where it stands, with only the settings it gives.
ctl -n $NS profile replace partners peer 198.51.100.0/25 single-shot on
ctl -n $NS profile replace newest peer 100.64.0.0/10
check_eq "replace keeps the place, takes no old setting; a new name is added last" \
	'road warriors|partners 198.51.100.0/25 null {"single_shot":true}|six "q"|newest' \
	"$(ctl -n $NS -j profile show | jq -r 'map(if .name == "partners" then
		"\(.name) \(.peer) \(.local) \(del(.name, .peer, .local) | tojson)"
		else .name end) | join("|")')"

# Tunnels that register while the profile of their peer is replaced, over
# and over (2000 replaces a batch, batches until the tunnels are in): each
# gets the profile, never the defaults. (A replace made of a delete and an
# add leaves a window; this cannot force a tunnel into it, only make it
# likely.)
for i in $(seq 1000); do
	echo "-n $NS profile replace hot peer 203.0.113.0/24 idle-timeout 31"
	echo "-n $NS profile replace hot peer 203.0.113.0/24 idle-timeout 32"
done >"$tmp/hot.conf"
for i in $(seq 100 139); do
	echo "l2tp add tunnel tunnel_id $i peer_tunnel_id $i encap ip local 192.0.2.1 remote 203.0.113.$i"
done >"$tmp/tunnels.batch"
(
	runs=0
	while [ ! -e "$tmp/stop" ]; do
		ctl -b "$tmp/hot.conf" || exit 1
		runs=$((runs + 1))
	done
	echo $runs >"$tmp/runs"
) &
replacer=$!
hot_exists() { ctl -n $NS -j profile show | grep -q '"name":"hot"'; }
wait_for 5 hot_exists ||
	ktap_print_msg "the replacing batch did not start"
ip -n $NS -batch "$tmp/tunnels.batch"
touch "$tmp/stop"
wait $replacer
check_eq "40 tunnels registered during replaces: every one got the profile" \
	"40 hot" \
	"$(ctl -n $NS show -j | jq -r '[.[] | select(.tunnel_id >= 100 and .tunnel_id < 140) | .profile] |
		"\(length) \(unique | join(","))"')"
check "... while the replacing batches ran (at least one complete)" \
	test "$(cat "$tmp/runs" 2>/dev/null || echo 0)" -ge 1

# The counters in the Prometheus text format, against stats -j.
prom=$(ctl -a stats prometheus)
check "prometheus: each counter has HELP and TYPE once, then its samples" \
	awk '
		/^# HELP / { help[$3]++; if (!($3 ~ /^l2tpss_[a-z0-9_]+_total$/)) bad = bad " name:" $3; next }
		/^# TYPE / { if ($4 != "counter" || !help[$3]) bad = bad " type:" $3; type[$3]++; next }
		/^#/ || /^$/ { bad = bad " line:" $0; next }
		{
			name = $1; sub(/[{].*/, "", name)
			if (!type[name]) bad = bad " untyped:" name
			if ($2 !~ /^[0-9]+$/ || NF != 2) bad = bad " value:" $0
			if ($1 ~ /[{]/ && $1 !~ /^[a-z0-9_]+[{]netns="[^"]*"[}]$/) bad = bad " label:" $1
		}
		END {
			for (m in help) if (help[m] != 1 || type[m] != 1) bad = bad " twice:" m
			if (bad != "") { print bad; exit 1 }
		}' <<<"$prom"
check_eq "prometheus: netns conf-a's samples are its stats -j" \
	"$(ctl -n $NS -j stats | jq -r 'to_entries | map("l2tpss_\(.key)_total \(.value)") | sort | .[]')" \
	"$(grep "{netns=\"$NS\"}" <<<"$prom" | sed "s/{netns=\"$NS\"}//" | sort)"
check_eq "prometheus: the initial netns without the label, as its stats -j" \
	"$(ctl -j stats | jq -r 'to_entries | map("l2tpss_\(.key)_total \(.value)") | sort | .[]')" \
	"$(grep '^l2tpss_[a-z_]* ' <<<"$prom" | sort)"

check_eq "completion of set tunnel: the live tunnel ids, as ip l2tp has them" \
	"$(ip -n $NS l2tp show tunnel | awk '$1 == "Tunnel" { sub(",", "", $2); print $2 }' | sort -n | paste -sd' ')" \
	"$(completes l2tpss-ctl -n $NS set tunnel "")"
check_eq "completion of profile del: the profile names (not those with blanks)" \
	"hot newest partners" \
	"$(completes l2tpss-ctl -n $NS profile del "" | tr ' ' '\n' | sort | paste -sd' ')"

ktap_finished
