#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The real daemons, end to end: an LNS (an IKE daemon with IKEv1 PSK in
# transport mode for UDP/1701, an L2TP daemon with PPP in kernel mode,
# l2tpss) and a client (strongSwan, xl2tpd as LAC, pppd), each in its own
# netns and mount namespace with its own /run and config files in a
# temporary directory. Every assertion reads what the daemons and the
# kernel show.
#
# The LNS's daemons: E2E_IKE strongswan (default) or libreswan, E2E_LNS
# xl2tpd (default, with pppd) or accel-ppp; l2tpss_e2e_libreswan.sh and
# l2tpss_e2e_accel.sh run these same scenarios with the others. The last
# one (require-ipsec against a plaintext client) is the module's alone and
# runs with the default daemons only.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ike.sh"

IKE=${E2E_IKE:-strongswan}
LNS=${E2E_LNS:-xl2tpd}
[[ $IKE =~ ^(strongswan|libreswan)$ && $LNS =~ ^(xl2tpd|accel-ppp)$ ]] || {
	echo "E2E_IKE=$IKE E2E_LNS=$LNS: strongswan or libreswan, xl2tpd or accel-ppp" >&2
	exit 1
}
for bin in /usr/lib/ipsec/starter /usr/sbin/xl2tpd /usr/sbin/pppd; do
	[ -x $bin ] ||
		ktap_skip_all "$bin is not installed (strongswan-starter, xl2tpd, ppp)"
done
case $IKE in
libreswan)
	[ -x "${L2TPSS_LIBRESWAN:-}/usr/libexec/ipsec/pluto" ] ||
		ktap_skip_all "no unpacked libreswan (L2TPSS_LIBRESWAN, see selftests/vm/setup.sh)"
	command -v certutil >/dev/null ||
		ktap_skip_all "certutil is not installed (libnss3-tools)"
	# What pluto logs for the kernel's hard expire, and as it closes
	# the IPsec SA's state and tells the client.
	IKE_LOG=pluto.log IKE_EXPIRED='received hard EXPIRE for .*; replacing'
	IKE_CLOSED='deleting state (STATE_QUICK_R2) .* and sending notification'
	;;
*)	IKE_LOG=charon.log IKE_EXPIRED='closing expired CHILD_SA'
	IKE_CLOSED=$IKE_EXPIRED ;;
esac
[ "$LNS" != accel-ppp ] || [ -x "${L2TPSS_ACCEL_PPP:-}/sbin/accel-pppd" ] ||
	ktap_skip_all "no accel-ppp built (L2TPSS_ACCEL_PPP, see selftests/vm/setup.sh)"
LNS_IP=10.20.0.1
CLI_IP=10.20.0.2
TMP=$(mktemp -d)
declare -A XL2TPD XL2TPD_N

ktap_print_header
# 27 points; scenario 5's four with the default daemons only; libreswan
# one more, accel-ppp five more.
plan=27
[ "$IKE$LNS" = strongswanxl2tpd ] && plan=$((plan + 4))
[ "$IKE" = libreswan ] && plan=$((plan + 1))
[ "$LNS" = accel-ppp ] && plan=$((plan + 5))
ktap_set_plan $plan

l2tp_modules_load
modprobe -a l2tp_ppp ppp_generic esp4 xfrm_user 2>/dev/null
module_load
netns_add lns
netns_add cli
veth_pair lns $LNS_IP cli $CLI_IP

# xl2tpd SIDE [PORT]: the LNS, or the client's LAC "lns" on UDP PORT. The
# LNS as README advises: once l2tpss has torn a tunnel's IPsec down, none of
# its control messages can pass any more, and xl2tpd keeps the tunnel, and
# its UDP socket connected to the client's address and port, until its
# hello (every 60 s), then its StopCCN, have each gone unanswered "max
# retries" times (5 by default). Meanwhile that socket takes the packets of
# a next tunnel from the same client port; fewer retries let it go sooner.
xl2tpd() {
	local d=$TMP/$1 n

	if [ "$1" = lns ]; then
		cat >"$d/xl2tpd.conf" <<-END
		[global]
		port = 1701
		access control = no
		max retries = 3
		[lns default]
		ip range = 10.30.0.10-10.30.0.20
		local ip = 10.30.0.1
		require authentication = no
		pppoptfile = $d/options
		length bit = yes
		END
	else
		cat >"$d/xl2tpd.conf" <<-END
		[global]
		port = ${2:-1701}
		[lac lns]
		lns = $LNS_IP
		pppoptfile = $d/options
		length bit = yes
		redial = no
		END
	fi
	# The client's user and password for accel-ppp's CHAP (xl2tpd's LNS
	# asks for none).
	{
		[ "$1$LNS" = cliaccel-ppp ] &&
			printf '%s\n' "user l2tpss" "password l2tpss-secret"
		cat <<-END
		noauth
		nodefaultroute
		noccp
		nobsdcomp
		nodeflate
		mtu 1400
		mru 1400
		lcp-echo-interval 0
		logfile $d/ppp.log
		debug
		END
	} >"$d/options"
	# Each instance its own pid file and control pipe: an old one that is
	# still exiting removes its own, never the next one's.
	n=$((${XL2TPD_N[$1]:-0} + 1))
	XL2TPD_N[$1]=$n
	on "$1" /usr/sbin/xl2tpd -D -c "$d/xl2tpd.conf" -p "$d/xl2tpd-$n.pid" \
		-C "$d/l2tp-control-$n" >>"$d/xl2tpd.log" 2>&1 &
	if wait_for 10 xl2tpd_ready "$d/xl2tpd-$n.pid" "$d/l2tp-control-$n"; then
		XL2TPD[$1]=$(<"$d/xl2tpd-$n.pid")
	else
		ktap_print_msg "$1: xl2tpd did not start: $(tail -n 5 "$d/xl2tpd.log")"
		XL2TPD[$1]=
	fi
}
xl2tpd_ready() { [ -s "$1" ] && [ -p "$2" ]; }

control() { echo "$2" >"$TMP/$1/l2tp-control-${XL2TPD_N[$1]}"; }

# accel_ppp: accel-pppd as the LNS, from $L2TPSS_ACCEL_PPP (setup.sh
# builds it): L2TP in the kernel (a PPPoL2TP socket for each session, a
# UDP socket connected to the client for each tunnel), PPP with CHAP against its own
# chap-secrets, the same address pool as xl2tpd's LNS. It disconnects a
# tunnel itself when its last session has gone; until its StopCCN is
# answered or given up, that tunnel's socket takes the packets of a next
# tunnel from the same client address and port (as xl2tpd's, see above): an
# unanswered StopCCN is given up after 1 + 2 + 2 + 2 s (3 retransmits, at
# most 2 s apart) instead of 47 s (5, up to 16 s apart), for the same
# reason as xl2tpd's max retries.
accel_ppp() {
	local d=$TMP/lns

	cat >"$d/accel-ppp.conf" <<-END
	[modules]
	log_file
	chap-secrets
	auth_chap_md5
	ippool
	l2tp
	[core]
	log-error=$d/accel-core.log
	thread-count=2
	[common]
	sid-source=urandom
	seq-file=$d/accel-seq
	[log]
	log-file=$d/accel-ppp.log
	log-emerg=$d/accel-emerg.log
	copy=1
	level=4
	[l2tp]
	bind=$LNS_IP
	port=1701
	host-name=lns
	hello-interval=60
	rtimeout=1
	rtimeout-cap=2
	retransmit=3
	[client-ip-range]
	$CLI_IP/32
	[ppp]
	mtu=1400
	mru=1400
	ipv4=require
	ipv6=deny
	ccp=0
	lcp-echo-interval=0
	[chap-secrets]
	chap-secrets=$d/chap-secrets
	gw-ip-address=10.30.0.1
	[ip-pool]
	gw-ip-address=10.30.0.1
	10.30.0.10-20
	[cli]
	tcp=127.0.0.1:2001
	END
	echo "l2tpss * l2tpss-secret *" >"$d/chap-secrets"
	chmod 600 "$d/chap-secrets"
	on lns "$L2TPSS_ACCEL_PPP/sbin/accel-pppd" -c "$d/accel-ppp.conf" \
		-p /run/accel-pppd.pid >>"$d/accel-pppd.out" 2>&1 &
	wait_for 10 on lns sh -c 'test -s /run/accel-pppd.pid && ss -Hltn sport 2001 | grep -q .' ||
		ktap_print_msg "accel-pppd did not start: $(tail -n 5 "$d/accel-pppd.out")"
}
accel_cmd() { on lns "$L2TPSS_ACCEL_PPP/bin/accel-cmd" -H 127.0.0.1 -p 2001 "$@"; }
# accel_stat KIND STATE: "show stat", l2tp part: tunnels, sessions (data
# channels) or control (sessions' control channels), starting, active or
# finishing.
accel_stat() {
	accel_cmd show stat | tr -d '\r' | awk -v kind="$1" -v state="$2" '
		/^l2tp:/ { l2tp = 1; next }
		l2tp && /^[^ ]/ { l2tp = 0 }
		l2tp && /^  [a-z]/ { part = ($1 == "tunnels:") ? "tunnels" : \
			(/data channels/ ? "sessions" : (/control channels/ ? "control" : "")) }
		l2tp && part == kind && $1 == state ":" { print $2 }'
}
# accel_gone: accel-ppp holds no tunnel or session of any state.
accel_gone() {
	local k s

	for k in tunnels sessions control; do
		for s in starting active finishing; do
			[ "$(accel_stat $k $s)" = 0 ] || return 1
		done
	done
}
# accel_session_is ADDRESS: "show sessions" has one session, an active
# l2tp one from the client, which got ADDRESS.
accel_session_is() {
	local rows

	rows=$(accel_cmd show sessions ip,type,state,calling-sid | tr -d '\r' |
		awk -F'|' 'NR > 2 && NF > 1 { gsub(/ /, ""); print $1, $2, $3, $4 }')
	[ "$rows" = "$1 l2tp active $CLI_IP" ] || { echo "show sessions: $rows"; return 1; }
}
# accel_agrees: accel-ppp's active tunnels and sessions are l2tpss's live
# ones (not destructing), in number.
accel_agrees() {
	local show

	show=$(ctl -n lns show -j)
	if [ "$(accel_stat tunnels active)" != \
	     "$(jq '[.[] | select(.state != "destructing")] | length' <<<"$show")" ] ||
	   [ "$(accel_stat sessions active)" != \
	     "$(jq '[.[] | select(.state != "destructing") | .sessions] | add // 0' <<<"$show")" ]; then
		accel_cmd show stat
		echo "$show"
		return 1
	fi
}
# It let its tunnel go by itself, and holds nothing any more.
accel_let_go() {
	grep -q 'no more session, disconnecting tunnel' "$TMP/lns/accel-ppp.log" && accel_gone
}

# xl2tpd_stop SIDE: TERM to SIDE's xl2tpd; it is gone when this returns 0.
xl2tpd_stop() {
	local pid=${XL2TPD[$1]}

	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	wait_for 10 sh -c "! kill -0 $pid 2>/dev/null" && XL2TPD[$1]=
}

# The LNS daemon has let go of the client's old tunnels from port 1701: no
# UDP socket of it is connected there any more.
lns_released() { [ -z "$(on lns ss -Hnu dst $CLI_IP:1701)" ]; }

# client_reset PORT: a fresh client xl2tpd on UDP PORT, as a remote user's
# next attempt. The module runs in the client's netns too and (item 14)
# refuses its old tunnels any plaintext once their SAs are gone, so the old
# xl2tpd would go on retrying their StopCCN for a while and ignore new calls
# meanwhile.
client_reset() {
	local id

	xl2tpd_stop cli || ktap_print_msg "the client's xl2tpd ${XL2TPD[cli]} did not stop"
	for id in $(ip -n cli l2tp show tunnel | awk '/^Tunnel/ { print $2 + 0 }'); do
		ip -n cli l2tp del tunnel tunnel_id "$id"
	done
	# Its pppd has gone with its PPP interface.
	wait_for 10 no_ppp || ktap_print_msg "a client pppd is still there"
	xl2tpd cli "$1"
}
# hangup SIDE: its pppds end their PPP sessions (pid files in its /run).
hangup() {
	on "$1" sh -c 'for f in /run/ppp*.pid; do kill $(head -n 1 $f); done' 2>/dev/null
}
child_sa_up() { stroke cli status l2tp 2>/dev/null | grep -q 'INSTALLED, TRANSPORT'; }
# The client's PPP interface (whichever its number) has an LNS address,
# and is up: the route to the LNS's end is there (pppd sets the address
# first; seen with accel-ppp, a ping right after got "Network is
# unreachable").
ppp_up() {
	ip -n cli -4 -o addr show | grep -qE '^[0-9]+: ppp[0-9]+ +inet 10\.30\.0\.' &&
		ip -n cli -4 route show 10.30.0.1 | grep -q ' dev ppp[0-9]'
}
no_ppp() { ! ip -n cli -o link show | grep -qE '^[0-9]+: ppp[0-9]+'; }
# ppp_check DESCRIPTION SECONDS: PPP comes up; if not, both sides' state then.
ppp_check() {
	if wait_for "$2" ppp_up; then
		ktap_test_pass "$1"
	else
		diag
		ktap_test_fail "$1"
	fi
}
lns_tunnels() { ip -n lns l2tp show tunnel | grep -c '^Tunnel'; }
sas() { ip -n "$1" xfrm state | grep -c '^src'; }
no_sas() { [ "$(sas "$1")" = 0 ]; }
no_lns_tunnel() { [ "$(lns_tunnels)" = 0 ]; }
lns_stat() { ctl -n lns stats -j | jq ".$1"; }
lns_stat_gt() { [ "$(lns_stat "$1")" -gt "$2" ]; }
# lns_field_is ID KEY VALUE / lns_field_below ID KEY NUMBER: of the newest
# record of tunnel ID on the LNS.
lns_field_is() { [ "$(field lns "$1" "$2")" = "$3" ]; }
lns_field_below() { [ "$(field lns "$1" "$2")" -lt "$3" ]; }
log_has() { grep -q "$2" "$TMP/$1/$3"; }
# lns_ike_counts: how many times the LNS's IKE daemon has logged a hard
# expire, and closing the IPsec SA it expired. lns_expired_since COUNTS:
# both more times than in COUNTS.
lns_ike_counts() {
	echo "$(grep -c "$IKE_EXPIRED" "$TMP/lns/$IKE_LOG") $(grep -c "$IKE_CLOSED" "$TMP/lns/$IKE_LOG")"
}
lns_expired_since() {
	local now

	read -ra now <<<"$(lns_ike_counts)"
	[ "${now[0]}" -gt "${1% *}" ] && [ "${now[1]}" -gt "${1#* }" ]
}
no_daemons() { ! pgrep -x 'charon|starter|pluto|xl2tpd|pppd|accel-pppd' >/dev/null; }

# What each side's kernel and daemons say, when a check failed.
diag() {
	local side

	for side in lns cli; do
		ktap_print_msg "$side stats: $(ctl -n $side stats -j)"
		ktap_print_msg "$side show: $(ctl -n $side show -j)"
		ip -n $side xfrm state | sed "s/^/# $side xfrm: /"
		ip -n $side l2tp show session | sed "s/^/# $side l2tp: /"
	done
	if [ "$LNS" = accel-ppp ]; then
		accel_cmd show stat | sed "s/^/# accel-ppp: /"
	fi
}
logs() {
	local f

	for f in "$TMP"/*/*.log; do
		sed "s|^|# ${f#"$TMP"/}: |" "$f" | tail -n 100
	done
}

# Nothing outlives the test, whatever happened: every process in the two
# netns (daemons and the mount namespaces' holders) is killed.
e2e_cleanup() {
	local ns

	for ns in lns cli; do
		ip netns pids $ns 2>/dev/null | xargs -r kill -KILL
	done
	rm -rf "$TMP"
	cleanup
}
trap e2e_cleanup EXIT

side_start lns
side_start cli
if [ "$IKE" = libreswan ]; then
	libreswan lns $LNS_IP
	STRONGSWAN_REKEY=yes strongswan cli $CLI_IP $LNS_IP
else
	strongswan lns $LNS_IP %any
	strongswan cli $CLI_IP $LNS_IP
fi
ctl -n lns profile add clients peer $CLI_IP/32 single-shot on destruct-timeout 30
if [ "$LNS" = accel-ppp ]; then
	accel_ppp
else
	xl2tpd lns
fi
xl2tpd cli

# 1. IKE, L2TP tunnel and session, PPP, a ping across.
stroke cli up l2tp >"$TMP/cli/up.log" 2>&1
check "IKE: the client's CHILD_SA is up, transport mode" wait_for 20 child_sa_up
control cli "c lns"
ppp_check "PPP comes up over the L2TP session; the client gets an address" 30
check "a ping crosses the PPP link" \
	on cli ping -c 1 -W $((3 * S)) 10.30.0.1
check_eq "the LNS kernel has one tunnel" 1 "$(lns_tunnels)"
tid=$(ctl -n lns show -j | jq '.[0].tunnel_id')
first=$tid
check "l2tpss shows it single-shot, with its session" \
	json_check "$(ctl -n lns show -j)" \
	".[0] | .single_shot and .sessions == 1 and .profile == \"clients\""
check "bound to the client's IPsec connection, by the SA that carried its flow's SCCRQ" \
	json_check "$(ctl -n lns show -j)" ".[0].ipsec as \$c | \$c.peer == \"$CLI_IP\" and (\$c.spent | not) and
		\$c.binding.how == \"flow\" and
		any(\$c.sas[]; .spi == \$c.binding.spi and .direction == \"in\")"
check "which conn show lists with both SAs" \
	json_check "$(ctl -n lns conn show -j)" \
	"any(.[]; .peer == \"$CLI_IP\" and .tunnel_id == $tid and (.sas | length) == 2)"
if [ "$LNS" = accel-ppp ]; then
	addr=$(ip -n cli -4 -o addr show | awk '$2 ~ /^ppp/ { sub(/\/.*/, "", $4); print $4 }')
	check "accel-ppp's show sessions: one active l2tp session, the client's, at $addr" \
		wait_for 10 accel_session_is "$addr"
	check "accel-ppp's show stat agrees with l2tpss: one tunnel, one session" \
		wait_for 10 accel_agrees
	check "accel-ppp's log names the tunnel l2tpss shows, $tid" \
		grep -q "new tunnel $tid-[0-9]* created" "$TMP/lns/accel-ppp.log"
fi

# 3a. A second tunnel over the same IPsec connection, while the first is
# up: an SCCRQ from the client's L2TP port, which its CHILD_SA carries.
# (xl2tpd itself would put a second call into the same tunnel.)
on cli "$L2TPSS_BIN/l2tp_peer" send 1701 $LNS_IP 1701 sccrq
check "a second SCCRQ over the connection is dropped as a second tunnel" \
	wait_for 5 lns_stat_gt drop_second_tunnel 0
one_tunnel() { json_check "$(ctl -n lns show -j)" "length == 1 and .[0].sessions_total == 1"; }
check "no second tunnel comes up" stays $QUIET one_tunnel

# 2. The client hangs up the PPP session.
hangup cli
check "the LNS kernel tunnel is gone at once" wait_for 10 no_lns_tunnel
check_eq "its tombstone is there, single-shot" "destructing single-shot" \
	"$(field lns "$tid" state) $(field lns "$tid" reason)"
check "the LNS hard-expired and removed the CHILD_SA's SAs" \
	wait_for 10 no_sas lns
check "the LNS's $IKE saw the hard expire and closed the CHILD_SA" \
	wait_for 10 lns_expired_since "0 0"
check "the client's charon was told: DELETE for the ESP CHILD_SA" \
	wait_for 20 log_has cli 'received DELETE for ESP CHILD_SA' charon.log
check "the tombstone says the connection is spent" \
	json_check "$(ctl -n lns show tunnel "$tid" -j)" ".[0].ipsec.spent"
# accel-ppp, told by the client's CDN, closes the session's PPPoL2TP socket
# (l2tpss deletes the tunnel there), then disconnects the tunnel itself:
# its StopCCN cannot pass any more, and it closes the tunnel's socket,
# which deletes nothing more in l2tp_core.
if [ "$LNS" = accel-ppp ]; then
	check "accel-ppp: 'no more session, disconnecting tunnel', then it holds no tunnel or session" \
		wait_for 20 accel_let_go
	one_delete() {
		no_lns_tunnel && json_check "$(ctl -n lns stats -j)" \
			".disconnect_single_shot == 1 and .disconnect_deleted == 0"
	}
	check "one disconnect, l2tpss's (single-shot), none by the daemon; no kernel tunnel" \
		one_delete
fi

# 3b. A fresh IPsec connection from the same client works again, from the
# same port 1701 as Windows clients use, once the LNS xl2tpd has let go of
# the old tunnel (see xl2tpd above; README, "Wiring it in"). Told at once,
# as an operator's script on l2tpss's tunnel-disconnect event would: its
# StopCCN then goes unanswered "max retries" times instead of its hello.
start=$SECONDS
if [ "$LNS" = accel-ppp ]; then
	check "the LNS's accel-ppp lets go of the old tunnel by itself" \
		wait_for 90 lns_released
else
	control lns "d $tid"
	check "the LNS xl2tpd, told with 'd $tid', lets go of the old tunnel" \
		wait_for 90 lns_released
fi
ktap_print_msg "it took $((SECONDS - start)) s"
client_reset 1701
stroke cli down l2tp >/dev/null 2>&1
stroke cli up l2tp >"$TMP/cli/up2.log" 2>&1
check "a fresh IPsec connection comes up" wait_for 20 child_sa_up
control cli "c lns"
ppp_check "and carries a new tunnel and session" 30
check "over a new connection, not spent" \
	json_check "$(ctl -n lns conn show -j)" \
	"any(.[]; .peer == \"$CLI_IP\" and .live and (.spent | not) and .tunnel_id != null and .tunnel_id != $tid)"

# 4. A standard tunnel idles out; its IPsec goes when its destruct ends.
hangup cli
wait_for 10 no_sas lns
client_reset 1702	# (clients behind NAT come from a new port)
stroke cli down l2tp >/dev/null 2>&1
ctl -n lns profile del clients
# (A long idle timeout until PPP is up: xl2tpd makes the tunnel before pppd
# its session; then the short one.)
ctl -n lns profile add partners peer $CLI_IP/32 idle-timeout 3600 destruct-timeout 10
stroke cli up l2tp >"$TMP/cli/up3.log" 2>&1
wait_for 20 child_sa_up
control cli "c lns"
ppp_check "PPP comes up over the standard tunnel" 30
tid=$(ctl -n lns show -j | jq '[.[] | select(.state != "destructing")][0].tunnel_id')
check "a standard tunnel comes up over a fresh connection" \
	json_check "$(ctl -n lns show tunnel "$tid" -j)" \
	".[0] | (.single_shot | not) and .ipsec.live"
expired=$(lns_ike_counts)
if [ "$LNS" = accel-ppp ]; then
	# accel-ppp deletes a tunnel whose last session has gone: it never idles.
	hangup cli
	check "the client hangs up: accel-ppp deletes the tunnel, which enters destruct" \
		wait_for 20 lns_field_is "$tid" reason deleted
else
	ctl -n lns set tunnel "$tid" idle-timeout $((3 * S))
	hangup cli
	check "the client hangs up: the tunnel idles out" \
		wait_for 20 lns_field_is "$tid" reason idle-timeout
fi
# Halfway through the destruct period, the SAs are still there: read before
# the timer, which must still be running then.
wait_for 10 lns_field_below "$tid" timer_ms 5000
sas_in_destruct() {
	local n

	n=$(sas lns)
	json_check "$(ctl -n lns show tunnel "$tid" -j)" \
		'.[0] | .state == "destructing" and .timer_ms > 0' && [ "$n" -gt 0 ]
}
check "its connection stays through the destruct period" sas_in_destruct
check "and is torn down when it ends" wait_for 25 no_sas lns
check "the LNS's $IKE closed the expired CHILD_SA" \
	wait_for 10 lns_expired_since "$expired"
check "the first tunnel's tombstone is gone (its destruct period was 30 s)" \
	wait_for 40 sh -c "$L2TPSS_CTL -n lns show tunnel $first 2>&1 | grep -q 'no such tunnel'"

# 5. Without IPsec, under require-ipsec: no tunnel; without it: a tunnel.
# (The module's alone: with the default daemons only.)
scenario_5() {
	client_reset 1703
	stroke cli down l2tp >/dev/null 2>&1
	stroke lns down l2tp >/dev/null 2>&1
	wait_for 10 no_sas cli
	ip -n cli xfrm policy flush
	ip -n lns xfrm policy flush
	ctl -n lns profile del partners
	ctl -n lns profile add plain peer $CLI_IP/32 require-ipsec on
	before=$(lns_stat drop_plaintext)
	control cli "c lns"
	check "require-ipsec: the client's plaintext SCCRQs are dropped" \
		wait_for 30 lns_stat_gt drop_plaintext "$before"
	check "and no tunnel comes up" stays $QUIET no_lns_tunnel
	ctl -n lns profile del plain
	client_reset 1704
	control cli "c lns"
	ppp_check "without require-ipsec, the plaintext tunnel comes up" 30
	check "and is not bound to any connection" \
		json_check "$(ctl -n lns show -j)" "any(.[]; .state != \"destructing\" and .ipsec == null)"
}
[ "$IKE$LNS" = strongswanxl2tpd ] && scenario_5

# pluto answers the hard expire with "replacing", but as the responder of
# a right=%any connection it has nothing to replace with: it must never
# have initiated anything towards the client, over the whole run.
if [ "$IKE" = libreswan ]; then
	check "pluto never initiated a negotiation: the expired SAs were not replaced" \
		sh -c "[ -s $TMP/lns/pluto.log ] &&
			! grep -E 'initiating (IKEv1 Main Mode|Quick Mode)' $TMP/lns/pluto.log"
fi

# Each side's daemons stop on TERM as an operator would stop them: the
# PPP sessions, then xl2tpd, then charon (through starter).
hangup cli
hangup lns
wait_for 20 sh -c "! pgrep -x pppd >/dev/null"
for side in lns cli; do
	xl2tpd_stop $side
	on $side sh -c 'kill $(cat /run/starter.charon.pid)' 2>/dev/null
done
[ "$IKE" = libreswan ] && on lns sh -c 'kill $(cat /run/pluto/pluto.pid)'
[ "$LNS" = accel-ppp ] && on lns sh -c 'kill $(cat /run/accel-pppd.pid)'
check "both sides' daemons stop on TERM" wait_for 20 no_daemons
# (L2TPSS_E2E_LOGS=1: the daemons' logs anyway.)
if [ "$KTAP_FAIL" -gt 0 ]; then
	diag
	logs
elif [ "${L2TPSS_E2E_LOGS:-0}" = 1 ]; then
	logs
fi
ktap_finished
